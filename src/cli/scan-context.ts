// What every scanning command sets up once before its first target: the reference data (with the
// user's CT log list read now, so a bad file is a usage error rather than a verdict that vanishes)
// and the trust store (Mozilla's roots, --ca-file, the lab's CA).
import { createReferenceData, type ReferenceData } from '../data/reference.js';
import { createTrustStore, loadCaFile, type TrustStore } from '../trust/store.js';
import { UsageError } from './exit.js';
import type { ScanSettings } from './options.js';

/** --ct-log-list's error as one line. */
export const ctLogListUsageError = (message: string): UsageError => new UsageError(`--ct-log-list ${message.replace(/\s*\n\s*/g, ' ')}`);

export async function scanContext(
  settings: Pick<ScanSettings, 'caFile' | 'ctLogListPath'>,
  extraCaPem: readonly string[] = [],
): Promise<{ trust: TrustStore; reference: ReferenceData }> {
  const extraCa: string[] = [];
  if (settings.caFile) extraCa.push(...(await loadCaFile(settings.caFile)));
  extraCa.push(...extraCaPem);
  const reference = createReferenceData({ ctLogListPath: settings.ctLogListPath });
  if (settings.ctLogListPath) {
    // Read now (and kept for the scan): a bad file is a usage error before anything is scanned.
    const ct = await reference.ctLogList();
    if (!ct.ok) throw ctLogListUsageError(ct.reason);
  }
  const trust = createTrustStore(extraCa, { mozilla: () => reference.mozillaRoots() });
  return { trust, reference };
}
