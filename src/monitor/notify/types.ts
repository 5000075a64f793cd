// A notifier delivers alert events somewhere (stdout, a webhook, email). Each has a deadline per
// delivery and honours the caller's AbortSignal (shutdown).
import type { AlertEvent } from '../types.js';

export interface Notifier {
  /** For messages: `webhook https://hooks.example/…`, `email ops@example.com`. */
  readonly name: string;
  /** Whether "resolved" events go here too. */
  readonly resolved: boolean;
  /** Resolves once delivered; rejects with a one-line reason. */
  send(event: AlertEvent, signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

/** Raised by a notifier that gave up: the message is one line. */
export class NotifyError extends Error {
  override name = 'NotifyError';
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
