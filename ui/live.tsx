// Entry point for the CLI: a live progress view fed by engine events, then the report cards.
import { render } from 'ink';
import type { ScanEvent } from '../src/engine/events.js';
import type { Report, Severity } from '../src/model/report.js';
import { LiveView } from './LiveView.js';
import { createLiveStore } from './state.js';

export interface LiveUi {
  /** Feed every engine event here. */
  listener: (event: ScanEvent) => void;
  /** Called once all targets are done: switch to the report cards, render them, unmount and resolve. */
  finish(reports: Report[]): Promise<void>;
}

export function startLiveUi(opts: { stdout?: NodeJS.WriteStream; color: boolean; columns?: number; minSeverity?: Severity | null }): LiveUi {
  const stdout = opts.stdout ?? process.stdout;
  const store = createLiveStore(Date.now, { coalesceMs: 50 });
  const instance = render(
    <LiveView store={store} color={opts.color} columns={opts.columns} rows={stdout.isTTY ? stdout.rows : undefined} minSeverity={opts.minSeverity ?? null} />,
    { stdout, patchConsole: true },
  );
  let finishing: Promise<void> | null = null;
  return {
    listener: (event) => store.dispatch(event),
    finish(reports) {
      finishing ??= (async () => {
        const exited = instance.waitUntilExit();
        store.finish(reports);
        // Let Ink commit the <Static> cards before the final frame is written on unmount.
        await new Promise((resolve) => setImmediate(resolve));
        instance.unmount();
        await exited;
      })();
      return finishing;
    },
  };
}
