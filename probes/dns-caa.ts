// CAA records of the target's name (RFC 8659 tree climbing) and whether the served certificate's
// issuer fits them. A DNS failure is "could not test", never "no CAA".
import { isIP } from 'node:net';
import { caaClimb, issuerPlausibility, summariseCaa, type CaaRecordData } from '../src/cert/caa.js';
import { defineProbe, ProbeFailed, ProbeSkipped } from '../src/engine/probe.js';
import { finding, REF } from '../src/model/finding.js';
import type { CaaResult, Finding } from '../src/model/report.js';

export interface CaaEvidence {
  host: string;
  caa: CaaResult;
  /** Names asked, most specific first, with what each answered. */
  climbed: Array<{ name: string; answer: string }>;
}

/** The slice of tls-certificates' evidence this probe reads. */
interface ServedLeaves {
  chains: Array<{ certificates: Array<{ issuer: string; sans: string[] }> }>;
}

function coversExactly(sans: string[], host: string): boolean {
  return sans.some((s) => s.toLowerCase() === host.toLowerCase());
}

export function checkCaa(ev: CaaEvidence): Finding[] {
  const { caa } = ev;
  const out: Finding[] = [];
  if (caa.status !== 'ok') return out;
  if (caa.foundAt === null) {
    out.push(
      finding({
        id: 'cert.caa.missing',
        severity: 'low',
        title: 'No CAA records',
        detail: `Neither ${ev.host} nor any parent domain publishes CAA records, so every public CA may issue certificates for it.`,
        evidence: { climbed: ev.climbed },
        remediation: 'Publish CAA "issue" records naming the CA(s) you use (and an "iodef" contact), e.g. `example.com. CAA 0 issue "letsencrypt.org"`.',
        references: [REF.rfc8659],
      }),
    );
  }
  const unknownCritical = caa.records.filter((r) => (r.flags & 128) !== 0 && !['issue', 'issuewild', 'iodef', 'issuemail', 'issuevmc'].includes(r.tag.toLowerCase()));
  if (unknownCritical.length > 0) {
    out.push(
      finding({
        id: 'cert.caa.unknown-critical',
        severity: 'medium',
        title: 'CAA record with an unknown critical property',
        detail: `A critical CAA property that CAs do not understand (${unknownCritical.map((r) => r.tag).join(', ')}) forbids every CA from issuing (RFC 8659 §4.1).`,
        evidence: { records: unknownCritical },
        remediation: 'Remove the critical flag (128) from properties that are not issue/issuewild/iodef, or remove the record.',
        references: [REF.rfc8659],
      }),
    );
  }
  if (caa.issuerPlausible === false) {
    out.push(
      finding({
        id: 'cert.caa.issuer-not-listed',
        severity: 'info',
        title: "The certificate's issuer is not listed in CAA",
        detail: `${caa.issuerPlausibleReason ?? ''}. The CA checked CAA when it issued; this may be an older certificate, or CAA changed since.`,
        evidence: { issue: caa.issue, issuewild: caa.issuewild, foundAt: caa.foundAt },
        remediation: 'Make CAA name the CA that issues your certificates, or move to a CA that CAA allows before the next renewal fails.',
        references: [REF.rfc8659],
      }),
    );
  }
  return out;
}

export const dnsCaaProbe = defineProbe<CaaEvidence>({
  id: 'dns-caa',
  title: 'CAA records',
  categories: ['cert'],
  scope: 'target',
  section: 'dns',
  after: ['tls-certificates'],
  async collect(ctx, deps) {
    const host = ctx.target.host;
    if (isIP(host)) throw new ProbeSkipped('CAA applies to domain names, not IP addresses');
    const climbed: CaaEvidence['climbed'] = [];
    let foundAt: string | null = null;
    let records: CaaRecordData[] = [];
    for (const name of caaClimb(host)) {
      const r = await ctx.resolver.query(name, 'CAA', ctx.signal);
      if (r.status === 'error') throw new ProbeFailed(`CAA lookup for ${name} failed: ${r.reason}`);
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
    const leaf = (deps.get('tls-certificates') as ServedLeaves | undefined)?.chains[0]?.certificates[0];
    if (leaf) {
      const verdict = issuerPlausibility(summary, { issuer: leaf.issuer, wildcard: !coversExactly(leaf.sans, host) && leaf.sans.some((s) => s.startsWith('*.')) });
      issuerPlausible = verdict.plausible;
      issuerPlausibleReason = verdict.reason;
    } else {
      issuerPlausibleReason = 'no served certificate to compare with';
    }
    return { host, climbed, caa: { status: 'ok', ...summary, issuerPlausible, ...(issuerPlausibleReason ? { issuerPlausibleReason } : {}) } };
  },
  check: (ev) => checkCaa(ev),
  report: (ev) => ({ caa: ev.caa }),
});
