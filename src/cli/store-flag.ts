// `--store PATH|URL` for the commands: the store opened with its failures made CLI errors (a store
// the user named wrong is a usage error, exit 2; one that did not answer ends the run with exit 3),
// and a scan's reports saved into it.
import { jobOptions } from './batch-flags.js';
import { makeJob, newRunId } from '../batch/jobs.js';
import type { Report } from '../model/report.js';
import { openStore, type OpenStoreOptions } from '../store/open.js';
import { StoreError, type Store } from '../store/types.js';
import { UsageError } from './exit.js';
import type { RunIo } from './io.js';
import type { ScanSettings } from './options.js';

export async function openCliStore(spec: string, opts: OpenStoreOptions = {}): Promise<Store> {
  try {
    return await openStore(spec, opts);
  } catch (err) {
    if (err instanceof StoreError && err.kind === 'usage') throw new UsageError(`--store ${err.message}`);
    throw err;
  }
}

/**
 * Save a scan's reports (one run, keyed like batch jobs: target|options-hash|run-id) and close the
 * store. The reports were already written out, so a store that fails now is said in one line and
 * the run ends with exit 3 (returns false) rather than throwing the scan's result away.
 */
export async function saveScanReports(store: Store, settings: ScanSettings, reports: readonly Report[], io: RunIo): Promise<boolean> {
  const runId = newRunId();
  const options = jobOptions(settings);
  try {
    for (const [i, report] of reports.entries()) {
      const target = settings.targets[i];
      await store.saveReport(report, { runId, source: 'scan', ...(target ? { jobKey: makeJob(target, options, runId, 0, []).key } : {}) });
    }
    return true;
  } catch (err) {
    io.stderr.write(`secgrade: --store: reports not saved: ${(err as Error).message.split('\n')[0]}\n`);
    return false;
  } finally {
    await store.close().catch(() => undefined);
  }
}
