// Alerts as NDJSON lines on stdout (one AlertEvent per line), for a pipe into jq or a log shipper.
import type { AlertEvent } from '../types.js';
import { NotifyError, type Notifier } from './types.js';

export function stdoutNotifier(write: (line: string) => boolean | void, isGone: () => boolean = () => false): Notifier {
  return {
    name: 'stdout',
    resolved: true,
    async send(event: AlertEvent, signal: AbortSignal): Promise<void> {
      if (signal.aborted) throw new NotifyError('stdout: interrupted');
      if (isGone()) throw new NotifyError('stdout is closed');
      write(JSON.stringify(event) + '\n');
    },
  };
}
