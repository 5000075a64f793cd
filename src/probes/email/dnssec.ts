// DNSSEC for the domain and its MX hosts, as the scan's resolver sees it: DNSKEY at the zone apex,
// DS in the parent, and the AD bit a validating resolver sets (queries carry DO and AD; a SERVFAIL
// is asked again with CD to tell a bogus zone from a dead server). Judgement: src/email/dnssec.ts.
import { isIP } from 'node:net';
import { defineTargetProbe, ProbeSkipped } from '../../engine/probe.js';
import { assessDnssec, dnssecFindings, dnssecQueryFromResolver, dnssecVerdict, type DnssecEvidence } from '../../email/dnssec.js';
import { mxHosts } from '../../email/mx-set.js';
import { emailMxRecordsProbe } from './mx-records.js';

export const emailDnssecProbe = defineTargetProbe({
  id: 'email-dnssec',
  title: 'DNSSEC of the domain and its MX hosts',
  categories: ['email'],
  scope: 'target',
  section: 'email',
  after: [emailMxRecordsProbe],
  owns: ['dnssec', 'dnssecDetail'],
  async collect(ctx, deps): Promise<DnssecEvidence> {
    const domain = ctx.target.host;
    if (isIP(domain)) throw new ProbeSkipped('DNSSEC needs a domain name, not an IP address');
    // Without the MX set (its lookup failed) the domain's own zone is still assessed.
    const mx = deps.get(emailMxRecordsProbe);
    const hosts = mx ? mxHosts(mx).map((h) => h.host) : [];
    return assessDnssec(domain, dnssecQueryFromResolver(ctx.resolver), { signal: ctx.signal, mxHosts: hosts, checkingDisabled: true });
  },
  check: (ev: DnssecEvidence) => dnssecFindings(dnssecVerdict(ev)),
  fields: (ev) => {
    const v = dnssecVerdict(ev);
    return {
      dnssec: v.validated,
      dnssecDetail: { signed: v.signed, delegated: v.delegated, validated: v.validated, algorithms: v.algorithms, reason: v.reason },
    };
  },
});
