// Entry point for `secgrade batch` on a terminal: the batch view on stderr (stdout carries the
// NDJSON), fed by every target's engine events, ending with the run summary.
import { render } from 'ink';
import type { BatchSummary } from '../src/batch/summary.js';
import type { BatchEvent } from '../src/engine/events.js';
import { BatchView } from './BatchView.js';
import { createBatchStore } from './batch-state.js';

export interface BatchUi {
  /** Every target's engine events, and the hosts' back-off. */
  listener: (event: BatchEvent) => void;
  /** Show the summary (null: none, the batch failed), unmount and resolve once it is written. */
  finish(summary: BatchSummary | null): Promise<void>;
}

export function startBatchUi(opts: { stream: NodeJS.WriteStream; color: boolean; total: number }): BatchUi {
  const store = createBatchStore(opts.total, Date.now, { coalesceMs: 100 });
  const instance = render(<BatchView store={store} color={opts.color} rows={opts.stream.rows} />, {
    stdout: opts.stream,
    // stdout is the results stream: console output must not be redirected into either.
    patchConsole: false,
  });
  let finishing: Promise<void> | null = null;
  return {
    listener: (event) => store.dispatch(event),
    finish(summary) {
      finishing ??= (async () => {
        const exited = instance.waitUntilExit();
        store.finish(summary);
        await new Promise((resolve) => setImmediate(resolve));
        instance.unmount();
        await exited;
      })();
      return finishing;
    },
  };
}
