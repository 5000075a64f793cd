// A target's name in the store: how `history TARGET`, `diff TARGET` and the monitor find its reports.
// The same normal form as a batch job's name (targetName in src/batch/jobs.ts), so a target scanned
// by `scan`, listed in a batch or run by a worker has one history.
import { targetName } from '../batch/jobs.js';
import type { Report } from '../model/report.js';
import { parseTarget, TargetParseError } from '../model/target.js';

const DEFAULT_PORT = 443;

/**
 * The report's `job.input` when it has one (the batch's normal form), else the normal form made from
 * its target: host, the port when the user gave one (not when it was the default or came from DNS),
 * and the path of a URL target.
 */
export function reportTargetName(report: Pick<Report, 'target' | 'job'>): string {
  if (report.job?.input) return report.job.input;
  const t = report.target;
  // Reports written before portSource existed: the port counts when it is not the default.
  const given = t.portSource !== undefined ? t.portSource === 'target' : t.port !== DEFAULT_PORT;
  // url is https://HOST:PORT/PATH (set only for a path other than "/"); the path starts at the
  // first slash after the scheme's, which also holds for an IPv6 host written without brackets.
  const slash = t.url ? t.url.indexOf('/', t.url.indexOf('://') + 3) : -1;
  const path = t.url && slash >= 0 ? t.url.slice(slash) : '/';
  return targetName({ host: t.host, port: given ? t.port : null, path, input: t.host });
}

/** The store name of a target as a user types it (`Example.COM.`, `https://example.com/`); null when it is not a target. */
export function normalTargetName(input: string): string | null {
  try {
    return targetName(parseTarget(input));
  } catch (err) {
    if (err instanceof TargetParseError) return null;
    throw err;
  }
}
