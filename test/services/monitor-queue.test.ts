// `secgrade monitor --queue`: one scheduler, workers scanning. The monitor enqueues one job per
// run (a fresh key each time: the second --once run scans again rather than finding "already
// done"), a real `secgrade worker` on the same Redis scans it against the lab, the monitor takes
// the result out of Redis and judges it (alerts, store) exactly as it does its own scans. With no
// worker, a run waits --queue-wait past its deadline, withdraws its job and counts as incomplete
// (exit 3) — never a pass. Needs Debian's redis-server; under CI its absence fails.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import { openStore } from '../../src/store/open.js';
import { runBinary, spawnCli, until, type Spawned } from '../helpers/cli.js';
import { labMonitorDefaults } from '../helpers/lab-flags.js';
import { redisServerInstalled, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const installed = redisServerInstalled();
if (!installed && process.env['CI'] === 'true') throw new Error('redis-server is not installed: the services suite needs it (apt-get install redis-server)');

describe.skipIf(!installed)('secgrade monitor --queue with secgrade worker (redis-server)', () => {
  let lab: RunningLab;
  let redis: RedisServer;
  let worker: Spawned | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'secgrade-monitor-queue-'));
  const config = join(dir, 'monitor.yaml');
  const store = join(dir, 'history.db');

  beforeAll(async () => {
    [lab, redis] = await Promise.all([startLab(), startRedisServer()]);
    writeFileSync(
      config,
      `${labMonitorDefaults(lab.info)}targets:
  - target: good.secgrade.test
    checks: [tls, cert]
  - target: expired.secgrade.test
    checks: [tls, cert]
rules:
  - rule: cert-expiry
    days: 21
notify:
  - type: stdout
`,
    );
  });
  afterAll(async () => {
    if (worker && worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.done;
    }
    await Promise.all([lab?.stop(), redis?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const resultCount = async (db: number): Promise<number> => {
    const r = new Redis({ port: redis.port, db });
    try {
      return await r.hlen('secgrade:results');
    } finally {
      r.disconnect();
    }
  };

  it('the runs are scanned by a worker, judged by the monitor, and taken out of Redis; a second run scans again', async () => {
    const url = redis.url(1);
    const i = lab.info;
    worker = spawnCli(['worker', '--queue', url, '--ca-file', i.caFile, '--ct-log-list', i.ctLogList, '--rate', '0']);
    for (const round of [1, 2]) {
      const run = await runBinary(['monitor', config, '--once', '--queue', url, '--store', store, '--quiet'], { timeoutMs: 120_000 });
      expect(run.code, run.stderr).toBe(1); // the expired certificate's alert is open
      expect(run.stderr).toContain(`monitor: 2 target(s) scanned; 1 alert(s) open (${round === 1 ? 1 : 0} fired, 0 resolved this run)`);
      expect(await resultCount(1), 'the monitor took its results out of the queue').toBe(0);
    }
    const s = await openStore(store, { mustExist: true });
    try {
      for (const t of ['good.secgrade.test', 'expired.secgrade.test']) {
        const h = await s.history(t);
        // Two runs each, both scanned (a worker's report: the job's tag says where it came from).
        expect(h.map((e) => [e.source, e.status]), t).toEqual([['monitor', 'ok'], ['monitor', 'ok']]);
      }
    } finally {
      await s.close();
    }
    worker.child.kill('SIGTERM');
    const ended = await worker.done;
    expect(ended.code, ended.stderr).toBe(0);
    // Each run was a job of its own: two targets × two runs scanned by the worker.
    expect(ended.stderr.match(/secgrade\.test: ok, grade /g)).toHaveLength(4);
  }, 300_000);

  it('without a worker, a run waits --queue-wait past its deadline, withdraws its job and is incomplete (exit 3)', async () => {
    const url = redis.url(2);
    const run = await runBinary(['monitor', config, '--once', '--queue', url, '--queue-wait', '300', '--timeout', '1000', '--no-store', '--quiet'], { timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/good\.secgrade\.test: scan incomplete: no worker returned a result within 1 s \(queue redis:\/\/127\.0\.0\.1:\d+\/2\)/);
    const q = new Queue('secgrade', { connection: { host: '127.0.0.1', port: redis.port, db: 2, maxRetriesPerRequest: null } });
    try {
      await until('jobs withdrawn', async () => (await q.getJobCounts('wait', 'active', 'delayed')).wait === 0, 5_000);
      expect(await q.getJobCounts('wait', 'active', 'delayed', 'failed')).toEqual({ wait: 0, active: 0, delayed: 0, failed: 0 });
    } finally {
      await q.close();
    }
  }, 120_000);

  it('a queue created with another address policy is refused in one line (exit 2)', async () => {
    const url = redis.url(1); // made by the first test with --allow-private (the config's default)
    const strict = join(dir, 'strict.yaml');
    writeFileSync(strict, `targets:\n  - target: good.secgrade.test\n`);
    const run = await runBinary(['monitor', strict, '--once', '--queue', url, '--no-store', '--quiet'], { timeoutMs: 30_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^secgrade: --queue redis:\/\/127\.0\.0\.1:\d+\/1 was created with --allow-private/);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  }, 60_000);
});
