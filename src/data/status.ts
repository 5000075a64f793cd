// `secgrade data status`: one line per reference list saying which copy scans use and its date.
import { loadLogList } from '../ct/log-list.js';
import { describeSnapshot, mozillaRoots } from '../trust/mozilla.js';
import { loadHstsPreloadList } from './hsts-preload.js';

export async function dataStatus(): Promise<string[]> {
  const ct = await loadLogList();
  const hsts = loadHstsPreloadList();
  const roots = mozillaRoots();
  return [
    `ct-log-list: ${ct.source} version ${ct.version ?? '?'} of ${ct.logListTimestamp.toISOString()} (${ct.logs.length} logs)${ct.path ? ` — ${ct.path}` : ''}`,
    `hsts-preload: ${hsts.source} of ${hsts.date} (${hsts.entries.size} hosts)`,
    `root-store: shipped Mozilla ${describeSnapshot(roots)} (${roots.roots.filter((r) => r.serverAuth).length} roots trusted for TLS)`,
  ];
}
