// Alerts by email through an SMTP server (nodemailer): subject with the state, target and rule,
// a plain-text body with the alert's changes and the diff. The SMTP URL carries the server and
// credentials (smtp://user:pass@host:587, smtps://… for implicit TLS). Each delivery has a deadline
// and stops when the caller's signal aborts.
import nodemailer from 'nodemailer';
import type { AlertEvent } from '../types.js';
import { alertText } from './format.js';
import { NotifyError, type Notifier } from './types.js';

export interface EmailOptions {
  smtp: string;
  from: string;
  to: string[];
  timeoutMs: number;
  resolved?: boolean;
  /** Extra transport settings (tests: trust a local server's certificate). */
  tls?: { rejectUnauthorized?: boolean; ca?: string };
}

export function emailSubject(e: AlertEvent): string {
  return `[secgrade ${e.state}] ${e.alert.target} ${e.alert.rule}: ${e.alert.summary}`.slice(0, 200);
}

function shownSmtp(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

export function emailNotifier(opts: EmailOptions): Notifier {
  const name = `email ${opts.to.join(', ')} via ${shownSmtp(opts.smtp)}`;
  const t = opts.timeoutMs;
  const transportOptions = {
    url: opts.smtp,
    connectionTimeout: t,
    greetingTimeout: t,
    socketTimeout: t,
    dnsTimeout: t,
    ...(opts.tls ? { tls: opts.tls } : {}),
  };
  return {
    name,
    resolved: opts.resolved !== false,
    async send(event: AlertEvent, signal: AbortSignal): Promise<void> {
      if (signal.aborted) throw new NotifyError(`${name}: interrupted`);
      // One connection per alert: alerts are rare, and a pooled connection would outlive a deadline.
      const transport = nodemailer.createTransport(transportOptions);
      const deadline = AbortSignal.any([signal, AbortSignal.timeout(t)]);
      let onAbort: () => void = () => undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => {
          transport.close();
          reject(new NotifyError(`${name}: ${signal.aborted ? 'interrupted' : `no delivery within ${t} ms`}`));
        };
        deadline.addEventListener('abort', onAbort, { once: true });
      });
      try {
        await Promise.race([
          transport.sendMail({ from: opts.from, to: opts.to, subject: emailSubject(event), text: alertText(event) }),
          aborted,
        ]);
      } catch (err) {
        if (err instanceof NotifyError) throw err;
        const e = err as NodeJS.ErrnoException & { response?: string };
        throw new NotifyError(`${name}: ${(e.response ?? e.message ?? e.code).split('\n')[0]}`);
      } finally {
        deadline.removeEventListener('abort', onAbort);
        transport.close();
      }
    },
  };
}
