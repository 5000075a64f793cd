// DANE against real DNSSEC (RFC 7672 §2.2, RFC 6698 §4.1): knotd signs the zones and unbound
// validates them from the lab root's DS (see dnssec.ts); the email-mx probe asks unbound for the
// TLSA records of MX hosts in a signed zone, an unsigned one and a DNSSEC island, and talks SMTP to
// one lab MX on 127.0.0.1. Only records the resolver validates count: a match in the signed zone
// earns DANE, a mismatch there is a mismatch; the same records in the unsigned zone or the island
// are ignored (insecure), matching or not.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spkiOf } from '../../src/email/dane.js';
import type { MxReport } from '../../src/email/mx-tls.js';
import { optionValues } from '../../src/engine/options.js';
import type { TargetContext } from '../../src/engine/probe.js';
import { gradedMx } from '../../src/grade/mx.js';
import { startLabSmtpServer, type LabSmtpServer } from '../../src/lab/smtp-server.js';
import type { CheckFinding } from '../../src/model/finding.js';
import { createResolver } from '../../src/net/dns/resolver.js';
import { emailMxRecordsProbe } from '../../src/probes/email/mx-records.js';
import { emailMxProbe, smtpPortOption } from '../../src/probes/email/mx-transport.js';
import { createTrustStore } from '../../src/trust/store.js';
import { makeCert, type TestCert } from '../helpers/certs.js';
import { loopbackContext, testDeps } from '../helpers/probe-context.js';
import { DNSSEC_APT, missingDnssecTools, startDnssecLab, type DnssecLab } from './dnssec.js';

const IN_CI = Boolean(process.env.CI);
const missing = await missingDnssecTools();
if (missing.length > 0 && !IN_CI) {
  console.warn(`conformance: skipping the DANE tests, not installed: ${missing.join(', ')} (${DNSSEC_APT}; CI would fail here)`);
}

describe.skipIf(missing.length > 0 && !IN_CI)('DANE only on DNSSEC-validated TLSA records (unbound over knotd)', () => {
  let lab: DnssecLab | undefined;
  let smtp: LabSmtpServer | undefined;
  let root: TestCert;

  beforeAll(async () => {
    root = await makeCert({ subject: 'CN=secgrade dane-test root', ca: true });
    const leaf = await makeCert({ subject: 'CN=mx.signed.test', dnsNames: ['mx.signed.test', 'mx.unsigned.test', 'mx.island.test', 'mx2.signed.test', 'mx2.unsigned.test'], issuer: root });
    smtp = await startLabSmtpServer({ tls: { key: leaf.keyPem, cert: leaf.pem }, name: 'mx.signed.test' });
    const spki = createHash('sha256').update(spkiOf(leaf.der)!).digest('hex');
    const other = createHash('sha256').update('not the key').digest('hex');
    // In each zone: mx.<zone> (already there, A 127.0.0.1) with a matching DANE-EE record, and
    // other.<zone> whose MX mx2.<zone> has a record for another key.
    const dane = (zone: string): string[] => [
      `_25._tcp.mx.${zone} TLSA 3 1 1 ${spki}`,
      `other.${zone} MX 10 mx2.${zone}`,
      `mx2.${zone} A 127.0.0.1`,
      `_25._tcp.mx2.${zone} TLSA 3 1 1 ${other}`,
    ];
    lab = await startDnssecLab({ extraRecords: { 'signed.test.': dane('signed.test.'), 'unsigned.test.': dane('unsigned.test.'), 'island.test.': dane('island.test.') } });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([lab?.stop(), smtp?.close()]);
  });

  /** email-mx-records then email-mx for `domain`, through unbound, as the engine runs them. */
  async function scan(domain: string): Promise<{ mx: MxReport; findings: CheckFinding[] }> {
    const base = loopbackContext(443, {
      target: { host: domain, port: 443, path: '/', sni: domain },
      resolver: createResolver({ server: lab!.unbound, timeoutMs: 3000, retries: 0 }),
      trust: createTrustStore([root.pem]),
      options: optionValues([[smtpPortOption, smtp!.port]]),
    });
    const ctx: TargetContext = { ...base.ctx, endpoint: null, endpoints: [] };
    const set = await emailMxRecordsProbe.collect(ctx, testDeps());
    const evidence = await emailMxProbe.collect(ctx, testDeps([[emailMxRecordsProbe, set]]));
    const findings = emailMxProbe.check(evidence, { target: ctx.target, endpoint: null, now: new Date() });
    const mx = (emailMxProbe.fields(evidence).mx ?? []).map(gradedMx);
    expect(mx).toHaveLength(1);
    return { mx: mx[0]!, findings };
  }
  const daneIds = (fs: CheckFinding[]) => fs.filter((f) => f.id.startsWith('email.dane.')).map((f) => f.id);

  it('signed.test: the validated record that matches is a DANE match', async () => {
    const { mx, findings } = await scan('signed.test');
    expect(mx).toMatchObject({ host: 'mx.signed.test', starttls: true, dane: true, daneStatus: 'match', tlsaDnssec: { status: 'secure' } });
    expect(daneIds(findings)).toEqual(['email.dane.valid']);
  }, 60_000);

  it('signed.test: the validated record that does not match is a mismatch (DANE senders defer)', async () => {
    const { mx, findings } = await scan('other.signed.test');
    expect(mx).toMatchObject({ host: 'mx2.signed.test', dane: false, daneStatus: 'no-match', tlsaDnssec: { status: 'secure' } });
    expect(daneIds(findings)).toEqual(['email.dane.mismatch']);
  }, 60_000);

  it('unsigned.test: the same records are ignored, matching or not', async () => {
    const good = await scan('unsigned.test');
    expect(good.mx).toMatchObject({ host: 'mx.unsigned.test', dane: null, daneStatus: 'insecure', tlsaDnssec: { status: 'insecure', reason: 'unsigned.test is not DNSSEC-signed' } });
    expect(daneIds(good.findings)).toEqual(['email.dane.not-dnssec']);
    const bad = await scan('other.unsigned.test');
    expect(bad.mx).toMatchObject({ host: 'mx2.unsigned.test', dane: null, daneStatus: 'insecure' });
    expect(daneIds(bad.findings)).toEqual(['email.dane.not-dnssec']);
  }, 60_000);

  it('island.test (signed, no DS in test.): insecure to a validating resolver, so ignored too', async () => {
    const { mx, findings } = await scan('other.island.test');
    expect(mx).toMatchObject({ host: 'mx2.island.test', daneStatus: 'insecure', tlsaDnssec: { status: 'insecure' } });
    expect(daneIds(findings)).toEqual(['email.dane.not-dnssec']);
  }, 60_000);
});
