// `secgrade worker --store`: each job's result also goes to the history store, once by job key and
// as Redis holds it (the queue's first result), also when the job comes back after its result was
// written (a retry, a stalled job handed over). Real redis-server and lab, SQLite store files.
// Needs Debian's redis-server (started here on a free loopback port); under CI its absence fails.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import type { Report } from '../../src/model/report.js';
import { openStore } from '../../src/store/open.js';
import { spawnCli, until } from '../helpers/cli.js';
import { redisServerInstalled, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const installed = redisServerInstalled();
if (!installed && process.env['CI'] === 'true') throw new Error('redis-server is not installed: the services suite needs it (apt-get install redis-server)');

async function storedReports(path: string): Promise<Report[]> {
  const store = await openStore(path);
  try {
    const runs = await store.runs();
    return (await Promise.all(runs.map((r) => store.runReports(r.runId)))).flat();
  } finally {
    await store.close();
  }
}

describe.skipIf(!installed)('secgrade worker --store (redis-server, SQLite store)', () => {
  let lab: RunningLab;
  let redis: RedisServer;
  let domains: string[];
  let batchFlags: string[];
  let workerFlags: string[];
  const dir = mkdtempSync(join(tmpdir(), 'secgrade-worker-store-'));
  const list = join(dir, 'list.txt');

  beforeAll(async () => {
    [lab, redis] = await Promise.all([startLab(), startRedisServer()]);
    const i = lab.info;
    domains = Object.keys(i.domains).sort().slice(0, 3);
    batchFlags = ['--dns', i.dns, '--http-port', String(i.httpPort), '--smtp-port', String(i.smtpPort), '--probes', 'tls-protocols', '--allow-private'];
    workerFlags = ['--ca-file', i.caFile, '--ct-log-list', i.ctLogList, '--rate', '0', '--quiet'];
    writeFileSync(list, `${domains.join('\n')}\n`);
  });
  afterAll(async () => {
    await Promise.all([lab?.stop(), redis?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves each result once, as Redis holds it, and a job that comes back after its result is saved from Redis, not scanned', async () => {
    const url = redis.url(5);
    const storeA = join(dir, 'a', 'history.db');
    const enqueued = await spawnCli(['batch', list, '--queue', url, ...batchFlags]).done;
    expect(enqueued.code).toBe(0);

    const worker = spawnCli(['worker', '--queue', url, '--store', storeA, ...workerFlags]);
    const r = new Redis({ port: redis.port, db: 5 });
    try {
      await until('every result in Redis', async () => (await r.hlen('secgrade:results')) === domains.length, 60_000, 200);
      await until('every result in the store', async () => (await storedReports(storeA).catch(() => [])).length === domains.length, 60_000, 200);
      worker.child.kill('SIGTERM');
      const stopped = await worker.done;
      expect(stopped.stderr).toBe('');
      expect(stopped.code).toBe(0);

      const lines = new Map(Object.entries(await r.hgetall('secgrade:results')).map(([k, v]) => [k, JSON.parse(v) as Report]));
      const saved = await storedReports(storeA);
      expect(saved.map((s) => s.job!.key).sort()).toEqual([...lines.keys()].sort());
      for (const s of saved) expect(s).toEqual(lines.get(s.job!.key));
      const store = await openStore(storeA);
      const runs = await store.runs();
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ source: 'worker', reports: domains.length, targets: domains.length, runId: saved[0]!.job!.runId });
      await store.close();

      // The first job again, as BullMQ would hand it over after a stall: a worker with another
      // store takes it, finds its result in Redis, saves that, and scans nothing.
      const [key, report] = [...lines.entries()][0]!;
      const queue = new Queue('secgrade', { connection: { host: '127.0.0.1', port: redis.port, db: 5, maxRetriesPerRequest: null } });
      const payload = { v: 1, key, runId: report.job!.runId, input: report.job!.input, line: 1, tags: [], ips: [], sni: null, dns: null, checks: null, probes: null, timeoutMs: 10_000, maxEndpoints: 16, options: [] };
      await queue.add('scan', payload, { jobId: encodeURIComponent(`${key}#again`), removeOnComplete: true });
      const storeB = join(dir, 'b', 'history.db');
      const second = spawnCli(['worker', '--queue', url, '--store', storeB, ...workerFlags.filter((f) => f !== '--quiet')]);
      await until('the returned job in store B', async () => (await storedReports(storeB).catch(() => [])).length === 1, 60_000, 200);
      second.child.kill('SIGTERM');
      const secondRun = await second.done;
      await queue.close();
      expect(secondRun.code).toBe(0);
      expect(secondRun.stderr).toContain(`${key}: already done, skipped`);
      expect(await storedReports(storeB)).toEqual([report]);
      // Redis still has one result per job.
      expect(await r.hlen('secgrade:results')).toBe(domains.length);
    } finally {
      r.disconnect();
    }
  });

  it('a worker refuses a store it cannot use before taking a job: one line, exit 2', async () => {
    const run = await spawnCli(['worker', '--queue', redis.url(6), '--store', 'mysql://db.example/x', ...workerFlags]).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('secgrade: --store "mysql://db.example/x": a store is a file path or a postgres:// (postgresql://) URL, not mysql://\n');
  });
});
