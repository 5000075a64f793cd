// Pairing a target's endpoints across two runs. Addresses rotate (CDNs, load balancers, a move to
// a new host) while the service stays the same: compared by exact address only, every rotation
// would read as "every finding removed, every finding added". Endpoints are paired by exact
// address first; the rest are paired within the same address family and port, in address order,
// and the earlier run's endpoint is renamed to its partner, so its facts and findings compare
// with the partner's. The pairing itself is reported as an `endpoint.address` fact.
import type { Report } from '../model/report.js';
import { endpointKey } from '../model/target.js';

const subjectOf = (e: { ip: string; port: number }): string => `endpoint:${endpointKey(e)}`;
const family = (ip: string): string => (ip.includes(':') ? 'v6' : 'v4');

/** A's endpoint subject → B's, for the endpoints whose address changed. */
export function pairEndpoints(a: Report, b: Report): Map<string, string> {
  const inB = new Set(b.endpoints.map(subjectOf));
  const inA = new Set(a.endpoints.map(subjectOf));
  const group = (list: Report['endpoints'], other: Set<string>): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    for (const e of list) {
      if (other.has(subjectOf(e))) continue;
      const k = `${family(e.ip)}|${e.port}`;
      m.set(k, [...(m.get(k) ?? []), subjectOf(e)].sort());
    }
    return m;
  };
  const leftA = group(a.endpoints, inB);
  const leftB = group(b.endpoints, inA);
  const pairs = new Map<string, string>();
  for (const [k, subjects] of leftA) {
    const partners = leftB.get(k) ?? [];
    subjects.forEach((s, i) => {
      if (partners[i]) pairs.set(s, partners[i]);
    });
  }
  return pairs;
}

/** The report with its paired endpoints renamed to their partners' addresses (everywhere a subject names them). */
export function renameEndpoints(r: Report, pairs: ReadonlyMap<string, string>): Report {
  if (!pairs.size) return r;
  const rename = (subject: string): string => pairs.get(subject) ?? subject;
  const address = (subject: string): { ip: string; port: number } => {
    const m = /^endpoint:\[?(.*?)\]?:(\d+)$/.exec(subject)!;
    return { ip: m[1]!, port: Number(m[2]) };
  };
  return {
    ...r,
    endpoints: r.endpoints.map((e) => {
      const to = pairs.get(subjectOf(e));
      return to ? { ...e, ...address(to) } : e;
    }),
    probes: r.probes.map((p) => ({ ...p, subject: rename(p.subject) })),
    findings: r.findings.map((f) => ({ ...f, subject: rename(f.subject) })),
    ...(r.incomplete ? { incomplete: r.incomplete.map((i) => (i.subject ? { ...i, subject: rename(i.subject) } : i)) } : {}),
  };
}
