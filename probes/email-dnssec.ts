// DNSSEC for the domain and its MX hosts, as the scan's resolver sees it: DNSKEY at the zone apex,
// DS in the parent, and the AD bit a validating resolver sets (queries carry DO and AD; a SERVFAIL
// is asked again with CD to tell a bogus zone from a dead server). Judgement: src/email/dnssec.ts.
import { isIP } from 'node:net';
import { defineProbe, ProbeSkipped } from '../src/engine/probe.js';
import { assessDnssec, dnssecFindings, dnssecQueryFromResolver, dnssecVerdict, type DnssecEvidence } from '../src/email/dnssec.js';

export const emailDnssecProbe = defineProbe<DnssecEvidence>({
  id: 'email-dnssec',
  title: 'DNSSEC of the domain and its MX hosts',
  categories: ['email'],
  scope: 'target',
  section: 'email',
  async collect(ctx) {
    const domain = ctx.target.host;
    if (isIP(domain)) throw new ProbeSkipped('DNSSEC needs a domain name, not an IP address');
    const mx = await ctx.resolver.query(domain, 'MX', ctx.signal);
    const mxHosts = mx.status === 'ok' ? mx.records.flatMap((r) => (r.type === 'MX' && r.exchange !== '.' ? [r.exchange] : [])) : [];
    return assessDnssec(domain, dnssecQueryFromResolver(ctx.resolver), { signal: ctx.signal, mxHosts, checkingDisabled: true });
  },
  check: (ev) => dnssecFindings(dnssecVerdict(ev)),
  report: (ev) => {
    const v = dnssecVerdict(ev);
    return {
      dnssec: v.validated,
      dnssecDetail: { signed: v.signed, delegated: v.delegated, validated: v.validated, algorithms: v.algorithms, reason: v.reason },
    };
  },
});
