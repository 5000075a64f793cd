// The CT log list for a scan, as a value: a missing or malformed list makes CT "could not test"
// (with the reason), never an exception that would fail the whole certificate probe.
import { CtLogListError, loadLogList, type CtLogList } from './log-list.js';

export type CtLogListChoice = { ok: true; list: CtLogList } | { ok: false; reason: string };

export async function loadCtLogList(path: string | null): Promise<CtLogListChoice> {
  try {
    return { ok: true, list: await loadLogList(path ? { path } : {}) };
  } catch (err) {
    if (err instanceof CtLogListError) return { ok: false, reason: err.message };
    throw err;
  }
}
