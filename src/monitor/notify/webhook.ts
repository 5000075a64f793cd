// Alerts POSTed as JSON to a URL through undici. Each attempt has a deadline; a 5xx, a 408/429 or a
// network error/timeout is retried with exponential back-off and jitter (a 429/503's Retry-After
// is honoured, within a cap), up to a bounded number of attempts. Other 4xx answers are final:
// sending the same body again would get the same answer.
//
// Payload formats (README "Monitoring"):
//  - json: our own, `{"schema":"secgrade/alert@1", ...AlertEvent}` (type, state, alert, runId, at, diff).
//  - slack: an incoming-webhook message, `{text, blocks}`: `text` is the notification fallback,
//    `blocks` a header and mrkdwn sections (Slack's Block Kit; `&`, `<`, `>` escaped as Slack asks).
//  - teams: an Office 365 connector MessageCard (`@type: MessageCard`, `@context`, summary,
//    themeColor, title, text, sections[].facts[] as name/value), the shape Teams incoming webhooks take.
// (Shapes as documented for Slack's incoming webhooks — @slack/webhook's IncomingWebhookSendArguments:
// text, blocks — and Microsoft's actionable-message card reference for MessageCard.)
import { request } from 'undici';
import type { AlertEvent } from '../types.js';
import { alertText, alertTitle, changeLine, diffLines } from './format.js';
import { NotifyError, sleep, type Notifier } from './types.js';
import type { WebhookFormat } from '../config.js';

export const ALERT_SCHEMA_ID = 'secgrade/alert@1';

export interface WebhookOptions {
  url: string;
  format: WebhookFormat;
  /** Deadline of one attempt, in ms. */
  timeoutMs: number;
  /** Attempts at most (the first included). */
  attempts: number;
  headers?: Record<string, string>;
  resolved?: boolean;
  /** First back-off, in ms (doubled at each retry, with jitter). */
  baseDelayMs?: number;
  /** Longest wait between attempts, Retry-After included, in ms. */
  maxDelayMs?: number;
  random?: () => number;
}

const SEVERITY_COLOR: Record<string, string> = { critical: 'B00020', high: 'D9480F', medium: 'F08C00', low: '1C7ED6', info: '868E96' };
const RESOLVED_COLOR = '2B8A3E';

const slackEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Slack's limit for a section's text is 3000 characters. */
const slackSection = (s: string): string => (s.length > 2900 ? `${s.slice(0, 2900)}…` : s);

export function webhookPayload(event: AlertEvent, format: WebhookFormat): unknown {
  const a = event.alert;
  if (format === 'json') return { schema: ALERT_SCHEMA_ID, ...event };
  const facts: Array<[string, string]> = [
    ['Target', a.target],
    ['Rule', a.rule],
    ['Subject', a.subject],
    ['Severity', a.severity],
    [event.state === 'resolved' ? 'Resolved' : 'Opened', event.state === 'resolved' ? (a.resolvedAt ?? event.at) : a.openedAt],
  ];
  const changes = a.changes.map(changeLine);
  const diff = diffLines(event);
  if (format === 'slack') {
    const blocks: unknown[] = [
      { type: 'header', text: { type: 'plain_text', text: alertTitle(event).slice(0, 150) } },
      { type: 'section', fields: facts.map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${slackEscape(v)}` })) },
    ];
    if (changes.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: slackSection(`*Changes*\n${changes.map((l) => `• ${slackEscape(l)}`).join('\n')}`) } });
    if (diff.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: slackSection(`*Since the previous report*\n\`\`\`${slackEscape(diff.join('\n'))}\`\`\``) } });
    return { text: slackEscape(alertTitle(event)), blocks };
  }
  return {
    '@type': 'MessageCard',
    '@context': 'http://schema.org/extensions',
    summary: alertTitle(event),
    themeColor: event.state === 'resolved' ? RESOLVED_COLOR : (SEVERITY_COLOR[a.severity] ?? '868E96'),
    title: alertTitle(event),
    text: a.summary,
    sections: [
      { facts: facts.map(([name, value]) => ({ name, value })) },
      ...(changes.length ? [{ title: 'Changes', text: changes.join('  \n') }] : []),
      ...(diff.length ? [{ title: 'Since the previous report', text: diff.join('  \n') }] : []),
    ],
  };
}

/** Retry-After as ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | null {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined) return null;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/** The URL without credentials or query (which often carry the hook's secret), for messages. */
function shownUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname.length > 24 ? `${u.pathname.slice(0, 24)}…` : u.pathname}`;
}

export function webhookNotifier(opts: WebhookOptions): Notifier {
  const base = opts.baseDelayMs ?? 500;
  const cap = opts.maxDelayMs ?? 60_000;
  const random = opts.random ?? Math.random;
  const name = `webhook ${shownUrl(opts.url)}`;
  return {
    name,
    resolved: opts.resolved !== false,
    async send(event: AlertEvent, signal: AbortSignal): Promise<void> {
      const body = JSON.stringify(webhookPayload(event, opts.format));
      let last = '';
      for (let attempt = 1; attempt <= opts.attempts; attempt++) {
        if (signal.aborted) throw new NotifyError(`${name}: interrupted`);
        let wait: number | null = null;
        const deadline = AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]);
        try {
          const res = await request(opts.url, {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json', 'user-agent': 'secgrade-monitor', ...opts.headers },
            signal: deadline,
            headersTimeout: opts.timeoutMs,
            bodyTimeout: opts.timeoutMs,
          });
          await res.body.dump({ limit: 64 * 1024, signal: deadline }).catch(() => undefined);
          if (res.statusCode >= 200 && res.statusCode < 300) return;
          last = `HTTP ${res.statusCode}`;
          const retryable = res.statusCode >= 500 || res.statusCode === 429 || res.statusCode === 408;
          if (!retryable) throw new NotifyError(`${name}: ${last} (not retried)`);
          wait = retryAfterMs(res.headers['retry-after']);
        } catch (err) {
          if (err instanceof NotifyError) throw err;
          if (signal.aborted) throw new NotifyError(`${name}: interrupted`);
          const e = err as NodeJS.ErrnoException;
          last = deadline.aborted ? `no answer within ${opts.timeoutMs} ms` : (e.code ?? e.message);
        }
        if (attempt === opts.attempts) break;
        // Exponential back-off with "equal jitter": half fixed, half random, so retries of many
        // monitors spread out but the wait still grows.
        const backoff = Math.min(cap, base * 2 ** (attempt - 1));
        const delay = Math.min(cap, Math.max(wait ?? 0, backoff / 2 + random() * (backoff / 2)));
        try {
          await sleep(delay, signal);
        } catch {
          throw new NotifyError(`${name}: interrupted`);
        }
      }
      throw new NotifyError(`${name}: gave up after ${opts.attempts} attempt(s): ${last}`);
    },
  };
}

export { alertText };
