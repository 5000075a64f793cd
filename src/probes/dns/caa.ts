// CAA records of the target's name (RFC 8659 tree climbing) and whether the served certificate's
// issuer fits them. A DNS failure is "could not test", never "no CAA".
import { isIP } from 'node:net';
import { caaClimb, checkCaa, coversExactly, issuerPlausibility, summariseCaa, type CaaEvidence, type CaaRecordData } from '../../cert/caa.js';
import { defineTargetProbe, ProbeFailed, ProbeSkipped } from '../../engine/probe.js';
import { tlsCertificatesProbe } from '../tls/certificates.js';


export const dnsCaaProbe = defineTargetProbe({
  id: 'dns-caa',
  title: 'CAA records',
  categories: ['cert'],
  scope: 'target',
  section: 'dns',
  after: [tlsCertificatesProbe],
  owns: ['caa'],
  async collect(ctx, deps): Promise<CaaEvidence> {
    const host = ctx.target.host;
    if (isIP(host)) throw new ProbeSkipped('CAA applies to domain names, not IP addresses');
    const climbed: CaaEvidence['climbed'] = [];
    let foundAt: string | null = null;
    let records: CaaRecordData[] = [];
    for (const name of caaClimb(host)) {
      const r = await ctx.resolver.query(name, 'CAA', ctx.signal);
      if (r.status === 'error') throw new ProbeFailed(`CAA lookup for ${name} failed: ${r.reason}`, 'dns');
      const caa = r.status === 'ok' ? r.records.flatMap((rec) => (rec.type === 'CAA' ? [{ flags: rec.flags, tag: rec.tag, value: rec.value }] : [])) : [];
      climbed.push({ name, answer: caa.length ? `${caa.length} CAA record(s)` : r.status });
      if (caa.length > 0) {
        foundAt = name;
        records = caa;
        break;
      }
    }
    const summary = summariseCaa(foundAt, records);
    let issuerPlausible: boolean | null = null;
    let issuerPlausibleReason: string | undefined;
    const leaf = deps.get(tlsCertificatesProbe)?.chains[0]?.certificates[0];
    if (leaf) {
      const verdict = issuerPlausibility(summary, { issuer: leaf.issuer, wildcard: !coversExactly(leaf.sans, host) && leaf.sans.some((s) => s.startsWith('*.')) });
      issuerPlausible = verdict.plausible;
      issuerPlausibleReason = verdict.reason;
    } else {
      issuerPlausibleReason = 'no served certificate to compare with';
    }
    return { host, climbed, caa: { status: 'ok', ...summary, issuerPlausible, ...(issuerPlausibleReason ? { issuerPlausibleReason } : {}) } };
  },
  check: (ev: CaaEvidence) => checkCaa(ev),
  fields: (ev) => ({ caa: ev.caa }),
});
