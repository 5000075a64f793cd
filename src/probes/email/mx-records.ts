// The domain's MX records, looked up once for every email probe (policy records, MX transport,
// DNSSEC). A failed lookup is evidence too ("could not test" for what needs the MX set), never
// "no MX". Judgement of the set (null MX, RFC 7505) is email-records' check, which also reads SPF
// and DMARC.
import { isIP } from 'node:net';
import { defineTargetProbe, ProbeSkipped, type Deps } from '../../engine/probe.js';
import { mxStatusOf, type MxSetEvidence } from '../../email/mx-set.js';

export const emailMxRecordsProbe = defineTargetProbe({
  id: 'email-mx-records',
  title: 'MX records (null MX)',
  categories: ['email'],
  scope: 'target',
  section: 'email',
  owns: ['mxStatus'],
  async collect(ctx): Promise<MxSetEvidence> {
    const domain = ctx.target.host;
    if (isIP(domain)) throw new ProbeSkipped('email checks need a domain name, not an IP address');
    const r = await ctx.resolver.query(domain, 'MX', ctx.signal);
    if (r.status === 'error') return { domain, status: 'error', records: [], reason: r.reason };
    if (r.status !== 'ok') return { domain, status: 'none', records: [] };
    const records = r.records.flatMap((x) => (x.type === 'MX' ? [{ preference: x.preference, exchange: x.exchange }] : []));
    records.sort((a, b) => a.preference - b.preference || a.exchange.localeCompare(b.exchange));
    return { domain, status: 'ok', records };
  },
  // The set's findings need SPF and DMARC too: email-records makes them.
  check: () => [],
  fields: (ev) => ({ mxStatus: mxStatusOf(ev) }),
});

/** The MX set for a probe that runs after this one: skipped, not failed, when it is missing. */
export const needMxSet = (deps: Deps): MxSetEvidence => deps.need(emailMxRecordsProbe, 'the MX records are unknown');
