// What the scanned site leads the scan to obeys the address policy: a redirect to a name on another
// loopback or private address, an MX host or an MTA-STS policy host on a private or metadata address
// is not connected to, and says so; a name with 155 addresses is scanned on --max-endpoints of them.
// The target is scanned as a public host would be (the policy built for 192.0.2.10), while the
// servers answer on loopback: nothing may reach them but the target's own.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionValues } from '../../src/engine/options.js';
import { scanTarget } from '../../src/engine/scan.js';
import { defineEndpointProbe } from '../../src/engine/probe.js';
import { createAddressPolicy } from '../../src/net/address-policy.js';
import type { Resolver } from '../../src/net/dns/resolver.js';
import type { LookupResult, RecordType } from '../../src/net/dns/types.js';
import { parseTarget } from '../../src/model/target.js';
import { emailMxRecordsProbe } from '../../src/probes/email/mx-records.js';
import { emailMxProbe, smtpPortOption } from '../../src/probes/email/mx-transport.js';
import { emailRecordsProbe } from '../../src/probes/email/records.js';
import { httpPortOption, httpSiteProbe } from '../../src/probes/http/site.js';
import { createTrustStore } from '../../src/trust/store.js';
import { LocalServers } from '../helpers/local-servers.js';
import { loopbackContext, testDeps, testReference } from '../helpers/probe-context.js';

const local = new LocalServers('address-policy');
afterAll(() => local.stop());

let port: number;
let internalHits = 0;
let creds: { key: Buffer; cert: Buffer };

/** A resolver for names that point where the site must not lead us. */
function resolver(names: Record<string, string[]>, records: Record<string, LookupResult> = {}): Resolver {
  return {
    description: 'fake',
    async addresses(host) {
      const list = names[host];
      if (!list) return { status: 'nxdomain', reason: 'NXDOMAIN' };
      return { status: 'ok', addresses: list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })) };
    },
    async query(name: string, type: RecordType) {
      return records[`${name} ${type}`] ?? { status: 'nodata', authenticated: false, server: 'fake', transport: 'udp' };
    },
  } as Resolver;
}

beforeAll(async () => {
  const files = local.selfSigned('site', 'ec', 'localhost');
  creds = { key: readFileSync(files.key), cert: readFileSync(files.cert) };
  // The "internal" server on 127.0.0.2: reaching it at all is the failure.
  const internal = https.createServer({ ...creds }, (_req, res) => {
    internalHits++;
    res.end('internal');
  });
  const internalPort = await local.listen(internal, '127.0.0.2');
  port = await local.listen(
    https.createServer({ ...creds }, (req, res) => {
      if (req.url === '/') res.writeHead(302, { location: `https://intranet.example:${internalPort}/admin` }).end();
      else res.writeHead(404).end();
    }),
  );
});

const asPublic = createAddressPolicy({ allowPrivate: false, targetAddresses: ['192.0.2.10'] });

describe('the scanned site may not lead the scan inside', () => {
  it('a redirect to a name on 127.0.0.2 is not followed, and the route is "could not test" with the reason', async () => {
    const { ctx } = loopbackContext(port, {
      target: { host: 'www.example', port, path: '/', sni: 'localhost' },
      resolver: resolver({ 'intranet.example': ['127.0.0.2'] }),
      policy: asPublic,
      options: optionValues([[httpPortOption, 1]]),
      connectTimeoutMs: 2000,
    });
    const ev = await httpSiteProbe.collect(ctx, testDeps());
    expect(ev.https.stop).toMatchObject({ kind: 'unresolvable-host', host: 'intranet.example', reason: expect.stringMatching(/127\.0\.0\.2 is a loopback address/) });
    expect(internalHits).toBe(0);
    const ids = httpSiteProbe.check(ev, { target: ctx.target, endpoint: ctx.endpoint, now: new Date() }).map((f) => f.id);
    expect(ids).toContain('http.redirect.https-route.untested');
  });

  it('the same redirect with --allow-private (or a lab on loopback) is followed', async () => {
    const { ctx } = loopbackContext(port, {
      target: { host: 'www.example', port, path: '/', sni: 'localhost' },
      resolver: resolver({ 'intranet.example': ['127.0.0.2'] }),
      policy: createAddressPolicy({ allowPrivate: true, targetAddresses: ['192.0.2.10'] }),
      options: optionValues([[httpPortOption, 1]]),
      connectTimeoutMs: 2000,
    });
    const ev = await httpSiteProbe.collect(ctx, testDeps());
    expect(ev.https.stop.kind).toBe('done');
    // The page, and the CORS request that goes where the page is.
    expect(internalHits).toBeGreaterThan(0);
  });

  it('MX hosts on private and metadata addresses are not connected to: STARTTLS untested, with the reason', async () => {
    const mxAnswer: LookupResult = {
      status: 'ok', authenticated: false, server: 'fake', transport: 'udp',
      records: [
        { type: 'MX', name: 'mail.example', ttl: 60, preference: 10, exchange: 'mx1.mail.example' },
        { type: 'MX', name: 'mail.example', ttl: 60, preference: 20, exchange: 'mx2.mail.example' },
      ],
    };
    const { ctx, connections } = loopbackContext(port, {
      target: { host: 'mail.example', port, path: '/', sni: 'mail.example' },
      resolver: resolver({ 'mx1.mail.example': ['10.20.30.40'], 'mx2.mail.example': ['169.254.169.254'] }, { 'mail.example MX': mxAnswer }),
      policy: asPublic,
      options: optionValues([[smtpPortOption, 25]]),
    });
    const mx = await emailMxRecordsProbe.collect(ctx, testDeps());
    const ev = await emailMxProbe.collect(ctx, testDeps([[emailMxRecordsProbe, mx]]));
    expect(ev.mx.map((m) => [m.host, m.starttls, m.ip, m.reason])).toEqual([
      ['mx1.mail.example', null, null, expect.stringMatching(/^not connected: 10\.20\.30\.40 is a private address/)],
      ['mx2.mail.example', null, null, expect.stringMatching(/^not connected: 169\.254\.169\.254 is a metadata address/)],
    ]);
    expect(connections()).toBe(0);
  });

  it('an MTA-STS policy host on a private address is not fetched', async () => {
    const txt = (text: string): LookupResult => ({ status: 'ok', authenticated: false, server: 'fake', transport: 'udp', records: [{ type: 'TXT', name: 'x', ttl: 60, strings: [text], text }] });
    const { ctx, connections } = loopbackContext(port, {
      target: { host: 'mail.example', port, path: '/', sni: 'mail.example' },
      resolver: resolver({ 'mta-sts.mail.example': ['192.168.0.10'] }, { '_mta-sts.mail.example TXT': txt('v=STSv1; id=1') }),
      policy: asPublic,
    });
    const mx = await emailMxRecordsProbe.collect(ctx, testDeps());
    const ev = await emailRecordsProbe.collect(ctx, testDeps([[emailMxRecordsProbe, mx]]));
    expect(ev.mtaStsPolicy).toMatchObject({ error: expect.stringMatching(/192\.168\.0\.10 is a private address/), definite: false });
    expect(connections()).toBe(0);
  });
});

describe('endpoints per target', () => {
  it('155 addresses: --max-endpoints of them are scanned (16 by default), the rest listed as not scanned', async () => {
    const addresses = Array.from({ length: 155 }, (_, i) => `127.0.${Math.floor(i / 200)}.${(i % 200) + 1}`);
    const touch = defineEndpointProbe({
      id: 'touch', title: 'touch', categories: ['tls'], scope: 'endpoint', section: 'tls', owns: ['groups'],
      collect: async (c) => c.endpoint.ip, check: () => [], fields: () => ({ groups: [] }),
    });
    const reference = testReference();
    const opts = { resolver: resolver({ 'many.example': addresses }), trust: createTrustStore([], { mozilla: () => reference.mozillaRoots() }), reference, timeoutMs: 5000, probes: [touch] };
    const r = await scanTarget(parseTarget('many.example'), opts);
    expect(r.endpoints).toHaveLength(16);
    expect(r.status).toBe('partial');
    expect(r.incomplete).toEqual([
      { section: 'tls', probe: 'touch', subject: 'domain:many.example', reason: expect.stringMatching(/^139 more address\(es\) not scanned \(--max-endpoints 16\): 127\.0\.0\.17, /) },
    ]);
    expect(r.grades.tls).toBeNull();
    const wide = await scanTarget(parseTarget('many.example'), { ...opts, maxEndpoints: 200 });
    expect(wide.endpoints).toHaveLength(155);
    expect(wide.status).toBe('ok');
  });
});
