// The domain's mail policy in DNS (and the one HTTPS file that belongs to it): MX (null MX, RFC
// 7505), SPF linted over its whole include tree (RFC 7208; check_host for --spf-ip), DMARC with the
// organisational-domain fallback and external report authorisation (RFC 7489), DKIM keys at common
// and given selectors (RFC 6376), MTA-STS record and policy (RFC 8461), TLS-RPT (RFC 8460), BIMI.
// A DNS failure is "could not test" for that record, never "no record". Judgement lives in
// src/email/*; the MX transport (STARTTLS, DANE) is the email-mx probe.
import { isIP } from 'node:net';
import { defineOption, OptionError } from '../../engine/options.js';
import { defineTargetProbe, ProbeSkipped, type ProbeContext } from '../../engine/probe.js';
import { checkBimi, checkBimiDmarc, discoverBimi, type BimiDiscovery } from '../../email/bimi.js';
import { checkDkim, discoverDkim, dkimReport, type DkimDiscovery } from '../../email/dkim.js';
import { checkDmarc, discoverDmarc, dmarcReport, type DmarcDiscovery } from '../../email/dmarc.js';
import type { TxtLookup } from '../../email/dns-lookup.js';
import {
  analyseMtaStsPolicy, checkMtaSts, discoverMtaSts, MTA_STS_MAX_POLICY_BYTES, mtaStsPolicyUrl, mtaStsReport,
  type MtaStsDiscovery, type MtaStsPolicyInput,
} from '../../email/mta-sts.js';
import { mxHosts, type MxSetEvidence } from '../../email/mx-set.js';
import { analyseNullMx, checkNullMx } from '../../email/null-mx.js';
import { checkHost, lintSpf, spfDnsFromResolver, toContractSpf, type CheckHostResult, type SpfLintResult } from '../../email/spf/index.js';
import { checkTlsRpt, discoverTlsRpt, tlsRptReport, type TlsRptDiscovery } from '../../email/tls-rpt.js';
import { finding, REF, type CheckFinding } from '../../model/finding.js';
import type { EmailResult } from '../../model/report.js';
import { HttpRequestError, pinnedRequest } from '../../net/http/pinned-request.js';
import { emailMxRecordsProbe, needMxSet } from './mx-records.js';

/** --dkim-selector: selectors tried besides the default list. */
export const dkimSelectorOption = defineOption<readonly string[]>({
  flag: '--dkim-selector <selector...>',
  description: 'DKIM selectors to look up besides the common ones (repeatable, or comma-separated)',
  default: [],
  parse(raw, flag) {
    const selectors = (Array.isArray(raw) ? raw : [String(raw)]).flatMap((s) => s.split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean);
    for (const sel of selectors) {
      if (!/^[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63})*$/.test(sel)) throw new OptionError(`${flag} "${sel}" is not a DKIM selector`);
    }
    return selectors;
  },
});

/** --spf-ip: evaluate the SPF policy (check_host) for this sender address. */
export const spfIpOption = defineOption<string | null>({
  flag: '--spf-ip <address>',
  description: "evaluate the domain's SPF policy for mail sent from this address (check_host)",
  default: null,
  parse(raw, flag) {
    if (isIP(String(raw)) === 0) throw new OptionError(`${flag} "${String(raw)}" is not an IP address`);
    return String(raw);
  },
});

export interface EmailRecordsEvidence {
  domain: string;
  mx: MxSetEvidence;
  spf: SpfLintResult;
  /** check_host for --spf-ip. */
  spfCheck: { ip: string; result: CheckHostResult } | null;
  dmarc: DmarcDiscovery;
  dkim: DkimDiscovery;
  mtaSts: MtaStsDiscovery;
  mtaStsPolicy: MtaStsPolicyInput;
  tlsRpt: TlsRptDiscovery;
  bimi: BimiDiscovery;
}

const SPF_REFS = [REF.rfc7208];

/**
 * GET https://mta-sts.<domain>/.well-known/mta-sts.txt as a sending MTA would (RFC 8461 §3.3): no
 * redirects, at most 64 KiB, and the certificate must validate for the name. The port is 443 unless
 * the name's HTTPS record (RFC 9460) says otherwise — how the lab publishes its ports.
 */
async function fetchMtaStsPolicy(ctx: ProbeContext, domain: string, mx: readonly string[]): Promise<MtaStsPolicyInput> {
  const host = `mta-sts.${domain}`;
  // The policy host is where the domain leads us: held to the address policy.
  const [addr, svcb] = await Promise.all([ctx.addressOf(host), ctx.resolver.query(host, 'HTTPS', ctx.signal)]);
  if (!addr.ok) return { error: addr.reason, definite: addr.absent };
  const port = svcb.status === 'ok' ? (svcb.records.find((r) => r.type === 'HTTPS' && r.params.port !== undefined) as { params: { port?: number } } | undefined)?.params.port ?? 443 : 443;
  const url = new URL(mtaStsPolicyUrl(domain));
  if (port !== 443) url.port = String(port);
  const ip = addr.address;
  try {
    const res = await ctx.withConnection(ip, () =>
      pinnedRequest({ url, ip, servername: host, extraCa: ctx.trust.extraCaPem, timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal, maxBodyBytes: MTA_STS_MAX_POLICY_BYTES, headers: { accept: 'text/plain' } }),
    );
    if (res.tls && !res.tls.authorized) return { error: `the certificate of ${host} is not valid (${res.tls.error}): senders refuse the policy`, definite: true };
    // The analysis checks the policy's URL: judge it as the standard one, whatever port served it.
    const contentType = res.rawHeaders.find(([n]) => n === 'content-type')?.[1] ?? null;
    return analyseMtaStsPolicy({ status: res.statusCode, contentType, body: res.body.toString('utf8'), url: mtaStsPolicyUrl(domain) }, mx);
  } catch (err) {
    if (err instanceof HttpRequestError) return { error: `${url.href}: ${err.message}`, definite: err.kind === 'refused' || err.kind === 'malformed' };
    throw err;
  }
}

function spfFindings(ev: EmailRecordsEvidence): CheckFinding[] {
  const out = ev.spf.issues.map((i) =>
    finding({
      id: i.id,
      severity: i.severity,
      title: i.title,
      detail: i.message,
      evidence: { domain: i.domain ?? ev.domain, record: ev.spf.record, ...(i.term !== undefined ? { term: i.term } : {}), lookups: ev.spf.lookups, voidLookups: ev.spf.voidLookups },
      remediation: i.remediation,
      references: SPF_REFS,
    }),
  );
  const check = ev.spfCheck;
  if (check) {
    const r = check.result;
    out.push(
      finding({
        id: `email.spf.check-host.${r.result}`,
        severity: r.result === 'pass' ? 'info' : r.result === 'temperror' ? 'info' : 'low',
        title: `SPF check_host for ${check.ip}: ${r.result}`,
        detail: `Mail from ${check.ip} for ${ev.domain} evaluates to ${r.result}${r.mechanism ? ` (decided by ${r.mechanism}${r.domain !== ev.domain ? ` in ${r.domain}` : ''})` : ''}${r.reason ? `: ${r.reason}` : ''}.`,
        evidence: { ip: check.ip, domain: ev.domain, result: r.result, mechanism: r.mechanism ?? null, explanation: r.explanation ?? null, lookups: r.lookups, voidLookups: r.voidLookups },
        remediation: r.result === 'pass' ? 'Nothing to do for this sender.' : 'If this address sends your mail, authorise it in the SPF record (ip4:/ip6: or the provider’s include:).',
        references: SPF_REFS,
      }),
    );
  }
  return out;
}

export function checkEmailRecords(ev: EmailRecordsEvidence): CheckFinding[] {
  const mtaStsUsed = ev.mtaSts.status === 'found';
  const noMail = analyseNullMx(ev.mx.records).state === 'null-mx';
  return [
    ...(ev.mx.status === 'error'
      ? [finding({ id: 'email.mx.untested', severity: 'info', title: 'MX records could not be looked up', detail: `No verdict on ${ev.domain}'s MX set: ${ev.mx.reason}.`, evidence: { domain: ev.domain }, remediation: 'Re-run the scan; check that the DNS server answers.', references: ['RFC 5321 — SMTP §5.1 (https://www.rfc-editor.org/rfc/rfc5321#section-5.1)'] })]
      : checkNullMx({ domain: ev.domain, mx: ev.mx.records, spfAll: ev.spf.effectiveAll ?? ev.spf.all, dmarcPolicy: ev.dmarc.policy })),
    ...spfFindings(ev),
    ...checkDmarc(ev.dmarc),
    // A null-MX domain receives no mail (and its SPF/DMARC, checked above, say it sends none): the
    // records about delivering to it (MTA-STS, TLS-RPT) and signing from it (DKIM, BIMI) do not apply.
    ...(noMail
      ? []
      : [
          ...checkDkim(ev.dkim),
          ...checkMtaSts(ev.mtaSts, ev.mtaStsPolicy),
          ...checkTlsRpt(ev.tlsRpt, { mtaStsOrDane: mtaStsUsed }),
          ...checkBimi(ev.bimi),
          ...(ev.bimi.status === 'found' ? checkBimiDmarc(ev.bimi, ev.dmarc) : []),
        ]),
  ];
}

/** found: a usable key at some selector; error: no key found and some lookup failed (so "missing" is not proven). */
function dkimStatus(d: DkimDiscovery): { status: 'found' | 'missing' | 'error'; reason?: string } {
  if (d.results.some((r) => r.status === 'found')) return { status: 'found' };
  const failed = d.results.filter((r) => r.status === 'error');
  if (failed.length) return { status: 'error', reason: `${failed.length} of ${d.results.length} selector lookups failed: ${failed[0]!.reason ?? 'DNS error'}` };
  return { status: 'missing' };
}

export function emailRecordsReport(ev: EmailRecordsEvidence): Pick<EmailResult, 'spf' | 'dmarc' | 'dkim' | 'mtaSts' | 'tlsRpt' | 'bimi'> {
  return {
    spf: {
      ...toContractSpf(ev.spf),
      effectiveAll: ev.spf.effectiveAll,
      warnings: ev.spf.warnings,
      incomplete: ev.spf.incomplete,
      check: ev.spfCheck ? { ip: ev.spfCheck.ip, result: ev.spfCheck.result.result, mechanism: ev.spfCheck.result.mechanism ?? null } : null,
    },
    dmarc: dmarcReport(ev.dmarc),
    dkim: { ...dkimReport(ev.dkim), ...dkimStatus(ev.dkim) },
    mtaSts: {
      ...mtaStsReport(ev.mtaSts, ev.mtaStsPolicy),
      ...(ev.mtaStsPolicy && 'valid' in ev.mtaStsPolicy
        ? { policyValid: ev.mtaStsPolicy.valid, mxNotCovered: ev.mtaStsPolicy.mxMatch?.unmatched ?? [] }
        : { policyValid: ev.mtaStsPolicy && 'error' in ev.mtaStsPolicy ? (ev.mtaStsPolicy.definite ? false : null) : null, mxNotCovered: [] }),
    },
    tlsRpt: tlsRptReport(ev.tlsRpt),
    bimi: { status: ev.bimi.status, record: ev.bimi.records[0] ?? null, logo: ev.bimi.parsed?.location ?? null },
  };
}

export const emailRecordsProbe = defineTargetProbe({
  id: 'email-records',
  title: 'Mail policy records (SPF, DMARC, DKIM, MTA-STS, TLS-RPT, BIMI)',
  categories: ['email'],
  scope: 'target',
  section: 'email',
  after: [emailMxRecordsProbe],
  owns: ['spf', 'dmarc', 'dkim', 'mtaSts', 'tlsRpt', 'bimi'],
  options: [dkimSelectorOption, spfIpOption],
  async collect(ctx, deps): Promise<EmailRecordsEvidence> {
    const domain = ctx.target.host;
    if (isIP(domain)) throw new ProbeSkipped('email checks need a domain name, not an IP address');
    const mx = needMxSet(deps);
    const txt: TxtLookup = (name, signal) => ctx.resolver.query(name, 'TXT', signal ?? ctx.signal);
    const signal = ctx.signal;
    const spfDns = spfDnsFromResolver(ctx.resolver);
    const spfIp = ctx.option(spfIpOption);
    const [spf, dmarc, dkim, mtaSts, tlsRpt, bimi, spfCheck] = await Promise.all([
      lintSpf(domain, spfDns, { signal }),
      discoverDmarc(domain, txt, { signal }),
      discoverDkim(domain, txt, { selectors: ctx.option(dkimSelectorOption), signal }),
      discoverMtaSts(domain, txt, { signal }),
      discoverTlsRpt(domain, txt, { signal }),
      discoverBimi(domain, txt, { signal }),
      spfIp ? checkHost({ ip: spfIp, domain, sender: `postmaster@${domain}` }, spfDns, { signal }).then((result) => ({ ip: spfIp, result })) : Promise.resolve(null),
    ]);
    const ev: EmailRecordsEvidence = { domain, mx, spf, spfCheck, dmarc, dkim, mtaSts, mtaStsPolicy: null, tlsRpt, bimi };
    if (mtaSts.status === 'found') ev.mtaStsPolicy = await fetchMtaStsPolicy(ctx, domain, mxHosts(mx).map((h) => h.host));
    return ev;
  },
  check: (ev: EmailRecordsEvidence) => checkEmailRecords(ev),
  fields: (ev) => emailRecordsReport(ev),
});
