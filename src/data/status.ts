// `secgrade data status`: one line per reference list saying which copy scans use and its date.
import { describeSnapshot } from '../trust/mozilla.js';
import type { ReferenceData } from './reference.js';

export async function dataStatus(reference: ReferenceData): Promise<string[]> {
  const ct = await reference.ctLogList();
  const hsts = reference.hstsPreload();
  const roots = reference.mozillaRoots();
  const l = ct.ok ? ct.list : null;
  return [
    l ? `ct-log-list: ${l.source} version ${l.version ?? '?'} of ${l.logListTimestamp.toISOString()} (${l.logs.length} logs)${l.path ? ` — ${l.path}` : ''}` : `ct-log-list: unusable: ${ct.ok ? '' : ct.reason}`,
    `hsts-preload: ${hsts.source} of ${hsts.date} (${hsts.entries.size} hosts)`,
    `root-store: shipped Mozilla ${describeSnapshot(roots)} (${roots.roots.filter((r) => r.serverAuth).length} roots trusted for TLS)`,
    `public-suffix-list: ${reference.psl.source.version} (bundled)`,
  ];
}
