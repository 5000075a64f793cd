// How a batch shows its progress on stderr: the Ink view on a terminal (ui/BatchView.tsx, loaded
// only then), else a progress line every --progress-interval ms, or nothing with --quiet.
import { BatchProgress } from '../batch/progress.js';
import type { BatchSummary, ReportStatus } from '../batch/summary.js';
import type { HostBackoffEvent, ScanEventListener } from '../engine/events.js';
import type { RunIo } from './io.js';

export interface BatchProgressView {
  /** Every target's engine events (undefined: nothing listens). */
  onEvent: ScanEventListener | undefined;
  /** A host backs off or recovers (the batch's limits tell it). */
  hostBackoff(event: HostBackoffEvent): void;
  started(): void;
  finished(status: ReportStatus): void;
  /** The batch is over: the terminal view shows the summary table and stops. Idempotent. */
  end(summary: BatchSummary | null): Promise<void>;
}

export async function startBatchProgress(opts: { total: number; quiet: boolean; intervalMs: number; io: RunIo }): Promise<BatchProgressView> {
  const { io } = opts;
  const stderr = io.stderr as NodeJS.WriteStream;
  if (!opts.quiet && stderr.isTTY === true) {
    const { startBatchUi } = await import('../../ui/batch-live.js');
    const ui = startBatchUi({ stream: stderr, color: !io.env['NO_COLOR'], total: opts.total });
    return {
      onEvent: ui.listener,
      hostBackoff: ui.listener,
      started: () => undefined,
      finished: () => undefined,
      // Without a summary (the batch failed) the view still unmounts, leaving the terminal usable.
      end: (summary) => ui.finish(summary),
    };
  }
  const progress = new BatchProgress(opts.total);
  const ticker = opts.quiet ? null : setInterval(() => io.stderr.write(`${progress.line()}\n`), opts.intervalMs);
  ticker?.unref();
  return {
    onEvent: undefined,
    hostBackoff: (event) => progress.hostBackoff(event),
    started: () => progress.start(),
    finished: (status) => progress.finish(status),
    end: async () => {
      if (ticker) clearInterval(ticker);
    },
  };
}

