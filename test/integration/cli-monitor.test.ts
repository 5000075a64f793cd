// `secgrade monitor` as users run it (the real binary) against the lab: --once with three targets,
// a webhook receiver on loopback and stdout (one firing alert for the expired certificate, exit 1),
// the history and alert state kept in an SQLite store and read back by the next run (the open alert
// is not sent again; resolve across runs: cli-monitor-alert-state.test.ts),
// exit 0 without alerts, 3 when a scan cannot complete, 2 with one line for a bad config; and the
// long-lived mode: cron ticks every two seconds, the Prometheus endpoint parsed, SIGINT ends it.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import { openStore } from '../../src/store/open.js';
import { BIN, runBinary } from '../helpers/cli.js';
import { labMonitorDefaults } from '../helpers/lab-flags.js';

const parseMetrics = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Array<{ name: string; metrics: Array<{ value: string; labels?: Record<string, string> }> }>;

let lab: RunningLab;
let hook: Server;
let hookUrl: string;
const hookBodies: Array<Record<string, any>> = [];
const dir = mkdtempSync(join(tmpdir(), 'secgrade-monitor-it-'));

beforeAll(async () => {
  lab = await startLab();
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hookBodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;
});
afterAll(async () => {
  await lab?.stop();
  await new Promise<void>((r) => (hook ? hook.close(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

/** A config over the lab: its DNS server, CA, CT log list and ports as `defaults`. */
function config(name: string, body: string): string {
  const i = lab.info;
  const path = join(dir, name);
  writeFileSync(
    path,
    `${labMonitorDefaults(i)}${body}`,
  );
  return path;
}

const lines = (text: string): Array<Record<string, any>> => (text === '' ? [] : text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>));

describe('secgrade monitor --once over the lab', () => {
  const threeTargets = () =>
    config(
      'three.yaml',
      `targets:
  - target: good.secgrade.test
    checks: [tls, cert, http]
  - target: expired.secgrade.test
    checks: [tls, cert]
  - target: mail-weak.secgrade.test
    checks: [email]
rules:
  - rule: cert-expiry
    days: 21
  - rule: grade-dropped
notify:
  - type: stdout
  - type: webhook
    url: ${hookUrl}
`,
    );
  const store = join(dir, 'history.db');

  it('fires one alert (the expired certificate) to stdout and the webhook, keeps the history, exits 1', async () => {
    const run = await runBinary(['monitor', threeTargets(), '--once', '--store', store], { timeoutMs: 90_000 });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^secgrade: monitor: 3 target\(s\) scanned; 1 alert\(s\) open \(1 fired, 0 resolved this run\)\n$/);
    const events = lines(run.stdout);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'alert', state: 'firing', diff: null, alert: { rule: 'cert-expiry', target: 'expired.secgrade.test', severity: 'critical' } });
    expect(events[0]!['alert'].subject).toMatch(/^endpoint:127\.0\.0\.1:\d+#cert\.0$/);
    expect(hookBodies).toHaveLength(1);
    expect(hookBodies[0]).toMatchObject({ schema: 'secgrade/alert@1', state: 'firing', alert: { key: events[0]!['alert'].key } });

    const s = await openStore(store, { mustExist: true });
    try {
      for (const t of ['good.secgrade.test', 'expired.secgrade.test', 'mail-weak.secgrade.test']) {
        const h = await s.history(t);
        expect(h.map((e) => [e.source, e.status]), t).toEqual([['monitor', 'ok']]);
      }
    } finally {
      await s.close();
    }
  });

  it('the next run reads the history and the open alert back from the store: nothing is sent again, exit 1', async () => {
    hookBodies.length = 0;
    const run = await runBinary(['monitor', threeTargets(), '--once', '--store', store], { timeoutMs: 90_000 });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^secgrade: monitor: 3 target\(s\) scanned; 1 alert\(s\) open \(0 fired, 0 resolved this run\)\n$/);
    expect(run.stdout).toBe('');
    expect(hookBodies).toHaveLength(0);
    const s = await openStore(store, { mustExist: true });
    try {
      expect(await s.history('expired.secgrade.test')).toHaveLength(2);
      expect(await s.alertState().openAlerts()).toEqual([expect.objectContaining({ rule: 'cert-expiry', target: 'expired.secgrade.test', lastNotifiedAt: expect.any(String) })]);
    } finally {
      await s.close();
    }
  });

  it('exits 0 when no alert is firing, 3 when a scan cannot complete', async () => {
    const ok = await runBinary(['monitor', config('ok.yaml', 'targets:\n  - target: good.secgrade.test\n    checks: tls\nrules:\n  - rule: cert-expiry\n'), '--once', '--no-store'], { timeoutMs: 60_000 });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('');
    const missing = await runBinary(['monitor', config('nx.yaml', 'targets:\n  - target: nowhere.secgrade.test\n    checks: tls\n'), '--once', '--no-store'], { timeoutMs: 60_000 });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^secgrade: nowhere\.secgrade\.test: scan incomplete: /m);
  });

  it('a config mistake is one line and exit 2, before anything is scanned', async () => {
    const bad = config('bad.yaml', 'targets:\n  - target: good.secgrade.test\n  - target: expired.secgrade.test\n  - target: tls13.secgrade.test\n    schedule: "61 * * * *"\n');
    const run = await runBinary(['monitor', bad, '--once', '--no-store']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('secgrade: bad.yaml: targets[2].schedule: "61 * * * *" is not a cron expression (Invalid value for minute: 61)\n');
    const flag = await runBinary(['monitor', config('flag.yaml', 'targets:\n  - target: good.secgrade.test\n    dns: "not a server"\n'), '--once', '--no-store']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^secgrade: flag\.yaml: targets\[0\]: --dns: [^\n]+\n$/);
    const store = await runBinary(['monitor', config('store.yaml', 'targets:\n  - target: good.secgrade.test\n'), '--once', '--store', '/dev/null/no/history.db']);
    expect(store.code).toBe(2);
    expect(store.stderr).toMatch(/^secgrade: --store [^\n]*\/dev\/null\/no\/history\.db[^\n]*\n$/);
  });
});

describe('secgrade monitor (long-lived)', () => {
  it('scans on its cron schedule, serves metrics, and stops on SIGINT with exit 0', async () => {
    const path = config('live.yaml', 'schedule: "*/2 * * * * *"\ntargets:\n  - target: good.secgrade.test\n    checks: [tls, cert, vulns, http]\nmetrics: ":0"\n');
    const child = spawn(process.execPath, [BIN, 'monitor', path, '--no-store'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      const deadline = Date.now() + 45_000;
      let address: string | undefined;
      let families: ReturnType<typeof parseMetrics> = [];
      while (Date.now() < deadline) {
        address ??= /metrics on http:\/\/(127\.0\.0\.1:\d+)\/metrics/.exec(stderr)?.[1];
        if (address) {
          const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(5000) });
          families = parseMetrics(await res.text());
          if (families.find((f) => f.name === 'probe_success')?.metrics.length) break;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(stderr).toMatch(/monitoring 1 target\(s\); first scan at /);
      const success = families.find((f) => f.name === 'probe_success')!;
      expect(success.metrics).toEqual([{ value: '1', labels: { target: 'good.secgrade.test' } }]);
      const grade = families.find((f) => f.name === 'secgrade_grade')!;
      expect(grade.metrics, JSON.stringify(grade.metrics)).toContainEqual({ value: '8', labels: { target: 'good.secgrade.test', section: 'tls' } }); // A+
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it('without --metrics it still keeps running on its schedule (one run after another) until SIGTERM', async () => {
    const path = config('live-plain.yaml', 'schedule: "*/2 * * * * *"\ntargets:\n  - target: good.secgrade.test\n    checks: [tls]\nnotify:\n  - type: stdout\n');
    const child = spawn(process.execPath, [BIN, 'monitor', path, '--no-store'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let code: number | null | undefined;
    const exited = new Promise<number | null>((r) => child.on('close', (c) => r((code = c))));
    try {
      // Two scans end (each logs its line): the process outlived its first tick and its first run.
      const deadline = Date.now() + 45_000;
      while (Date.now() < deadline && code === undefined && (stderr.match(/good\.secgrade\.test: /g) ?? []).length < 2) await new Promise((r) => setTimeout(r, 250));
      expect(code, stderr).toBeUndefined();
      expect((stderr.match(/good\.secgrade\.test: /g) ?? []).length, stderr).toBeGreaterThanOrEqual(2);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
