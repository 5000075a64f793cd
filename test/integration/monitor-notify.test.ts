// The notifiers against real servers on loopback: a webhook receiver (node:http) that fails twice
// then accepts gets exactly one delivery; 429 + Retry-After is honoured; a 4xx is not retried; an
// answer that never comes hits the attempt deadline; Slack and Teams payload shapes; and an SMTP
// server (smtp-server) receives the alert email with the target, the rule and the diff.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { emailNotifier, emailSubject } from '../../src/monitor/notify/email.js';
import { deliver } from '../../src/monitor/notify/index.js';
import { webhookNotifier } from '../../src/monitor/notify/webhook.js';
import type { AlertEvent } from '../../src/monitor/types.js';

const event: AlertEvent = {
  type: 'alert',
  state: 'firing',
  runId: '20260101T000000Z-abcdef',
  at: '2026-01-01T00:00:10.000Z',
  alert: {
    key: 'weak-protocol|shop.example|endpoint:192.0.2.1:443#TLSv1.0',
    rule: 'weak-protocol',
    target: 'shop.example',
    subject: 'endpoint:192.0.2.1:443#TLSv1.0',
    severity: 'high',
    summary: 'TLSv1.0 offered on 192.0.2.1:443 (newly)',
    changes: [{ what: 'tls.protocol.TLSv1.0', before: false, after: true }],
    openedAt: '2026-01-01T00:00:10.000Z',
    lastSeenAt: '2026-01-01T00:00:10.000Z',
    lastNotifiedAt: null,
    resolvedAt: null,
  },
  diff: {
    target: 'shop.example',
    status: 'changed',
    regression: true,
    regressions: ['tls grade A → B'],
    grades: [{ section: 'tls', before: 'A', after: 'B', change: 'worse' }],
    findings: { added: [{ id: 'tls.protocol.tls10', subject: 'endpoint:192.0.2.1:443', severity: 'medium', title: 'TLS 1.0 offered' }], removed: [], severityChanged: [] },
    facts: [{ subject: 'endpoint:192.0.2.1:443', fact: 'tls.protocol.TLSv1.0', before: false, after: true }],
    unknown: [],
  },
};

interface Hit {
  at: number;
  body: string;
  headers: IncomingMessage['headers'];
}
let servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** A webhook receiver on loopback: `answer(n)` decides the n-th request's response (1-based). */
async function receiver(answer: (n: number, res: ServerResponse) => void): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ at: Date.now(), body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      answer(hits.length, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=secret`, hits };
}

const fast = { baseDelayMs: 20, maxDelayMs: 2000 };

describe('webhook notifier', () => {
  it('a receiver that fails twice (503, then a reset) then accepts gets exactly one accepted delivery', async () => {
    const r = await receiver((n, res) => {
      if (n === 1) res.writeHead(503).end('busy');
      else if (n === 2) res.socket?.destroy();
      else res.writeHead(204).end();
    });
    const hook = webhookNotifier({ url: r.url, format: 'json', timeoutMs: 2000, attempts: 5, ...fast });
    const result = await deliver([hook], event, AbortSignal.timeout(20_000));
    expect(result).toEqual({ delivered: 1, errors: [] });
    expect(r.hits).toHaveLength(3);
    const body = JSON.parse(r.hits[2]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ schema: 'secgrade/alert@1', type: 'alert', state: 'firing', alert: { rule: 'weak-protocol', target: 'shop.example' } });
    expect(r.hits[2]!.headers['content-type']).toBe('application/json');
  });

  it('honours Retry-After on a 429', async () => {
    const r = await receiver((n, res) => (n === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(200).end('ok')));
    await webhookNotifier({ url: r.url, format: 'json', timeoutMs: 2000, attempts: 3, ...fast }).send(event, AbortSignal.timeout(20_000));
    expect(r.hits).toHaveLength(2);
    // The back-off alone would wait ~20 ms; Retry-After asked for a second.
    expect(r.hits[1]!.at - r.hits[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('a 4xx is final (not retried); the message names the status, not the secret query', async () => {
    const r = await receiver((_n, res) => res.writeHead(404).end());
    const err = await webhookNotifier({ url: r.url, format: 'json', timeoutMs: 2000, attempts: 5, ...fast }).send(event, AbortSignal.timeout(20_000)).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/HTTP 404 \(not retried\)$/);
    expect((err as Error).message).not.toContain('secret');
    expect(r.hits).toHaveLength(1);
  });

  it('an answer that never comes hits each attempt deadline; attempts are bounded', async () => {
    const r = await receiver(() => undefined); // reads the request, never answers
    const err = await webhookNotifier({ url: r.url, format: 'json', timeoutMs: 300, attempts: 2, ...fast }).send(event, AbortSignal.timeout(20_000)).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/gave up after 2 attempt\(s\): no answer within 300 ms$/);
    expect(r.hits).toHaveLength(2);
  });

  it('stops at once when the caller aborts', async () => {
    const r = await receiver((_n, res) => res.writeHead(503).end());
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const err = await webhookNotifier({ url: r.url, format: 'json', timeoutMs: 2000, attempts: 10, baseDelayMs: 5000 }).send(event, stop.signal).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/interrupted$/);
    expect(r.hits).toHaveLength(1);
  });

  it('slack: an incoming-webhook {text, blocks} message; teams: a MessageCard', async () => {
    const r = await receiver((_n, res) => res.writeHead(200).end('ok'));
    await webhookNotifier({ url: r.url, format: 'slack', timeoutMs: 2000, attempts: 1 }).send(event, AbortSignal.timeout(5000));
    await webhookNotifier({ url: r.url, format: 'teams', timeoutMs: 2000, attempts: 1 }).send(event, AbortSignal.timeout(5000));
    const slack = JSON.parse(r.hits[0]!.body) as { text: string; blocks: Array<{ type: string; text?: { type: string; text: string } }> };
    expect(slack.text).toBe('[FIRING] high shop.example: TLSv1.0 offered on 192.0.2.1:443 (newly)');
    expect(slack.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: slack.text } });
    expect(slack.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section']);
    expect(slack.blocks[3]!.text!.text).toContain('grade tls: A → B (worse)');
    const teams = JSON.parse(r.hits[1]!.body) as Record<string, any>;
    expect(teams).toMatchObject({ '@type': 'MessageCard', '@context': 'http://schema.org/extensions', themeColor: 'D9480F', title: slack.text });
    expect(teams['sections'][0].facts).toContainEqual({ name: 'Rule', value: 'weak-protocol' });
  });
});

/** RFC 2047 encoded words and quoted-printable, enough to read what nodemailer wrote. */
function decodeWords(s: string): string {
  return s.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );
}
const quotedPrintable = (s: string): string =>
  Buffer.from(s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');

describe('email notifier', () => {
  it('a local SMTP server receives the alert: subject with target and rule, body with the diff', async () => {
    const received: Array<{ from: string; to: string[]; data: string }> = [];
    const smtp = new SMTPServer({
      logger: false,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data: Buffer.concat(chunks).toString('latin1'),
          });
          done();
        });
      },
    });
    smtp.on('error', () => undefined);
    const port = await new Promise<number>((resolve) => {
      const l = smtp.listen(0, '127.0.0.1', () => resolve((l.address() as AddressInfo).port));
    });
    servers.push({ close: () => new Promise<void>((r) => smtp.close(() => r())) });

    const mail = emailNotifier({ smtp: `smtp://127.0.0.1:${port}`, from: 'monitor@secgrade.test', to: ['ops@secgrade.test', 'sec@secgrade.test'], timeoutMs: 5000 });
    await mail.send(event, AbortSignal.timeout(10_000));
    expect(received).toHaveLength(1);
    const m = received[0]!;
    expect(m.from).toBe('monitor@secgrade.test');
    expect(m.to).toEqual(['ops@secgrade.test', 'sec@secgrade.test']);
    const [head, ...rest] = m.data.split(/\r\n\r\n/);
    const subject = decodeWords(/^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(head!)![1]!.replace(/\r\n[ \t]/g, ' '));
    expect(subject).toBe(emailSubject(event));
    expect(subject).toContain('shop.example weak-protocol');
    const body = quotedPrintable(rest.join('\r\n\r\n'));
    expect(body).toContain('rule: weak-protocol');
    expect(body).toContain('tls.protocol.TLSv1.0: false → true');
    expect(body).toContain('endpoint:192.0.2.1:443 tls.protocol.TLSv1.0: false → true');
  });

  it('an SMTP server that is not there fails within the deadline, in one line', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const err = await emailNotifier({ smtp: `smtp://127.0.0.1:${closed}`, from: 'a@b.test', to: ['c@d.test'], timeoutMs: 2000 }).send(event, AbortSignal.timeout(10_000)).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^email c@d\.test via smtp:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });
});
