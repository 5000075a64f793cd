// Entry point for `secgrade monitor` on a terminal: the dashboard on stderr (stdout may carry the
// alerts' NDJSON), fed with the monitor's runs, alerts and log lines, its next-run times polled
// from the scheduler (they move at every tick, skipped ticks included).
import { render } from 'ink';
import { MonitorView } from './MonitorView.js';
import { createMonitorStore, type MonitorEvent } from './monitor-state.js';

export interface MonitorUi {
  dispatch(event: MonitorEvent): void;
  /** Unmount, leaving the last frame on screen; resolves once it is written. Idempotent. */
  stop(): Promise<void>;
}

export interface MonitorUiOptions {
  stream: NodeJS.WriteStream;
  color: boolean;
  targets: readonly string[];
  history: string;
  metrics: string | null;
  /** Each target's next run (ms), read every `pollMs`. */
  nextRuns(): Record<string, number | null>;
  pollMs?: number;
}

export function startMonitorUi(opts: MonitorUiOptions): MonitorUi {
  const store = createMonitorStore(opts.targets, Date.now, { coalesceMs: 100 });
  const poll = (): void => store.dispatch({ type: 'next-runs', next: opts.nextRuns() });
  poll();
  const timer = setInterval(poll, opts.pollMs ?? 1000);
  timer.unref(); // the monitor lives as long as its signal, never its view
  const instance = render(<MonitorView store={store} color={opts.color} history={opts.history} metrics={opts.metrics} rows={opts.stream.rows} />, {
    stdout: opts.stream,
    // stdout is the alerts' stream: console output must not be redirected into either.
    patchConsole: false,
  });
  let stopping: Promise<void> | null = null;
  return {
    dispatch: (event) => store.dispatch(event),
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        const exited = instance.waitUntilExit();
        // Past the store's coalescing window: the last frame shows the last events (an interrupted run).
        await new Promise((resolve) => setTimeout(resolve, 150));
        instance.unmount();
        await exited;
      })();
      return stopping;
    },
  };
}
