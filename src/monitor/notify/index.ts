// The configured notifiers, and delivery of one event to all of them (each under its deadline).
import type { NotifierConfig } from '../config.js';
import type { AlertEvent } from '../types.js';
import { emailNotifier } from './email.js';
import { stdoutNotifier } from './stdout.js';
import type { Notifier } from './types.js';
import { webhookNotifier } from './webhook.js';

export type { Notifier } from './types.js';

export interface NotifierDeps {
  /** stdout's writer (the CLI's, which knows when the reader went away). */
  writeStdout(line: string): void;
  stdoutGone?(): boolean;
}

export function createNotifiers(configs: readonly NotifierConfig[], deps: NotifierDeps): Notifier[] {
  return configs.map((c) => {
    switch (c.type) {
      case 'stdout':
        return stdoutNotifier(deps.writeStdout, deps.stdoutGone);
      case 'webhook':
        return webhookNotifier({ url: c.url, format: c.format, timeoutMs: c.timeoutMs, attempts: c.attempts, headers: c.headers, resolved: c.resolved });
      case 'email':
        return emailNotifier({ smtp: c.smtp, from: c.from, to: c.to, timeoutMs: c.timeoutMs, resolved: c.resolved });
    }
  });
}

export interface Delivery {
  /** Notifiers that took the event. */
  delivered: number;
  /** One line per notifier that failed. */
  errors: string[];
}

/** Sends the event to every notifier that wants it, in parallel; never rejects. */
export async function deliver(notifiers: readonly Notifier[], event: AlertEvent, signal: AbortSignal): Promise<Delivery> {
  const targets = notifiers.filter((n) => event.state === 'firing' || n.resolved);
  const results = await Promise.allSettled(targets.map((n) => n.send(event, signal)));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message ?? String(r.reason)] : []));
  return { delivered: results.length - errors.length, errors };
}
