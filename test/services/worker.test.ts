// Scale-out on Redis with the real binary: `batch --queue` enqueues (twice: no duplicate job),
// two `worker`s run the jobs against the lab, `batch --queue --collect` writes one valid line per
// target then the summary (again: continues, adds nothing); a worker killed with SIGKILL mid-job
// has its job retried by another worker and exactly one result; a worker on a queue created
// without --allow-private refuses loopback targets and a loopback DNS server with an error line.
// Needs Debian's redis-server (started here on a free loopback port); under CI its absence fails.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import { spawnCli, until, type CliRun, type Spawned } from '../helpers/cli.js';
import { redisServerInstalled, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { expectValidReport } from '../helpers/schema.js';

const installed = redisServerInstalled();
if (!installed && process.env['CI'] === 'true') throw new Error('redis-server is not installed: the services suite needs it (apt-get install redis-server)');

const run = (args: string[]): Promise<CliRun> => spawnCli(args).done;

function parseLines(text: string): { reports: Array<Record<string, any>>; summaries: Array<Record<string, any>> } {
  expect(text.endsWith('\n'), 'the file ends with a complete line').toBe(true);
  const out = { reports: [] as Array<Record<string, any>>, summaries: [] as Array<Record<string, any>> };
  for (const line of text.slice(0, -1).split('\n')) {
    const value = JSON.parse(line) as Record<string, any>;
    (value['type'] === 'summary' ? out.summaries : out.reports).push(value);
  }
  return out;
}

async function stopWorker(w: Spawned): Promise<CliRun> {
  w.child.kill('SIGTERM');
  return w.done;
}

describe.skipIf(!installed)('secgrade batch --queue and secgrade worker (redis-server)', () => {
  let lab: RunningLab;
  let redis: RedisServer;
  let domains: string[];
  let batchFlags: string[];
  let workerFlags: string[];
  const dir = mkdtempSync(join(tmpdir(), 'secgrade-worker-it-'));
  const list = join(dir, 'list.txt');
  const clients: Array<{ close(): Promise<unknown> } | { quit(): Promise<unknown> }> = [];

  const jobCounts = async (db: number) => {
    const q = new Queue('secgrade', { connection: { host: '127.0.0.1', port: redis.port, db, maxRetriesPerRequest: null } });
    clients.push(q);
    return q.getJobCounts('wait', 'active', 'delayed', 'completed', 'failed');
  };
  const resultCount = async (db: number): Promise<number> => {
    const r = new Redis({ port: redis.port, db });
    clients.push(r);
    return r.hlen('secgrade:results');
  };

  beforeAll(async () => {
    [lab, redis] = await Promise.all([startLab(), startRedisServer()]);
    const i = lab.info;
    domains = Object.keys(i.domains).sort();
    // Quick scans: the protocol probe only.
    batchFlags = ['--dns', i.dns, '--http-port', String(i.httpPort), '--smtp-port', String(i.smtpPort), '--probes', 'tls-protocols'];
    workerFlags = ['--ca-file', i.caFile, '--ct-log-list', i.ctLogList, '--rate', '0', '--lock-duration', '1000'];
    writeFileSync(list, `${domains.join('\n')}\n`);
  });
  afterAll(async () => {
    for (const c of clients) await ('close' in c ? c.close() : c.quit()).catch(() => undefined);
    await Promise.all([lab?.stop(), redis?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('enqueues one job per target, and enqueuing the same list again adds none', async () => {
    const url = redis.url(1);
    const first = await run(['batch', list, '--queue', url, '--allow-private', ...batchFlags]);
    expect(first.stderr).toContain(`${domains.length} job(s) added, 0 already queued, 0 already done`);
    expect(first.code).toBe(0);
    const again = await run(['batch', list, '--queue', url, '--allow-private', ...batchFlags]);
    expect(again.stderr).toContain(`0 job(s) added, ${domains.length} already queued`);
    expect(again.code).toBe(0);
    expect((await jobCounts(1))['wait']).toBe(domains.length);
  });

  it('two workers run the jobs; --collect writes one valid line per target and the summary, and continues without duplicates', async () => {
    const url = redis.url(1);
    const workers = [spawnCli(['worker', '--queue', url, '--concurrency', '3', ...workerFlags]), spawnCli(['worker', '--queue', url, '--concurrency', '3', ...workerFlags])];
    const out = join(dir, 'collected.ndjson');
    const collected = await run(['batch', list, '--queue', url, '--allow-private', ...batchFlags, '--collect', out, '--quiet']);
    expect(collected.stderr).toBe('');
    expect(collected.code).toBe(0);
    const { reports, summaries } = parseLines(readFileSync(out, 'utf8'));
    for (const r of reports) expectValidReport(r);
    expect(reports.map((r) => r['job'].input).sort()).toEqual(domains);
    expect(new Set(reports.map((r) => r['job'].key)).size).toBe(domains.length);
    expect(reports.every((r) => r['status'] === 'ok')).toBe(true);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ type: 'summary', total: domains.length, notStarted: 0 });
    expect(await resultCount(1)).toBe(domains.length);

    // A second collection finds everything there: same lines, one summary.
    const again = await run(['batch', list, '--queue', url, '--allow-private', ...batchFlags, '--collect', out, '--quiet']);
    expect(again.code).toBe(0);
    const second = parseLines(readFileSync(out, 'utf8'));
    expect(second.reports.map((r) => r['job'].key)).toEqual(reports.map((r) => r['job'].key));
    expect(second.summaries).toHaveLength(1);
    expect(second.summaries[0]).toMatchObject({ total: domains.length, resumed: domains.length });

    const stopped = await Promise.all(workers.map(stopWorker));
    for (const s of stopped) expect(s.code).toBe(0);
    // Each line was scanned by one worker or the other, and said so once in all.
    const said = stopped.flatMap((s) => s.stderr.split('\n').filter((l) => / ok, grade /.test(l)));
    expect(said).toHaveLength(domains.length);
  });

  it('a job whose worker is killed mid-scan is run again by another worker, with one result', async () => {
    const url = redis.url(2);
    // A server that accepts and never answers holds the scan until its deadline.
    const sockets: Socket[] = [];
    let connections = 0;
    const silent: Server = createServer((s) => {
      connections++;
      sockets.push(s);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const target = `127.0.0.1:${port}`;
    const one = join(dir, 'one.txt');
    writeFileSync(one, `${target}\n`);
    try {
      const flags = ['--queue', url, '--allow-private', '--probes', 'tls-protocols', '--timeout', '4000'];
      const a = spawnCli(['worker', '--queue', url, ...workerFlags]);
      expect((await run(['batch', one, ...flags])).code).toBe(0);
      await until('worker A to connect', () => connections > 0);
      a.child.kill('SIGKILL');
      await a.done;
      const atKill = connections;
      const b = spawnCli(['worker', '--queue', url, ...workerFlags]);
      const out = join(dir, 'one.ndjson');
      const collected = await run(['batch', one, ...flags, '--collect', out, '--quiet']);
      expect(collected.code).toBe(3); // the silent server: the scan could not complete
      const { reports, summaries } = parseLines(readFileSync(out, 'utf8'));
      expect(reports).toHaveLength(1);
      expectValidReport(reports[0]!);
      expect(reports[0]?.['job']?.input).toBe(target);
      expect(summaries).toHaveLength(1);
      expect(connections, 'worker B connected after A was killed').toBeGreaterThan(atKill);
      expect(await resultCount(2)).toBe(1);
      const stoppedB = await stopWorker(b);
      expect(stoppedB.stderr).toContain(`${target}: `);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('SIGTERM stops a worker: the job it was running goes back to the queue unspent, nothing is written', async () => {
    const url = redis.url(4);
    let connections = 0;
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => {
      connections++;
      sockets.push(s);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const target = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    const one = join(dir, 'term.txt');
    writeFileSync(one, `${target}\n`);
    try {
      const w = spawnCli(['worker', '--queue', url, ...workerFlags, '--grace', '200']);
      expect((await run(['batch', one, '--queue', url, '--allow-private', '--probes', 'tls-protocols', '--timeout', '60000'])).code).toBe(0);
      await until('the worker to connect', () => connections > 0);
      w.child.kill('SIGTERM');
      const stopped = await w.done;
      expect(stopped.code).toBe(0);
      expect(stopped.stderr).toContain('stopping: no new job');
      const counts = await jobCounts(4);
      expect(counts).toMatchObject({ wait: 1, active: 0, failed: 0, completed: 0 });
      const q = new Queue('secgrade', { connection: { host: '127.0.0.1', port: redis.port, db: 4, maxRetriesPerRequest: null } });
      clients.push(q);
      const [job] = await q.getJobs(['wait']);
      expect(job?.attemptsMade).toBe(0);
      expect(await resultCount(4)).toBe(0);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('a job BullMQ gave up on gets an error line from the collector, so the collection completes', async () => {
    const url = redis.url(5);
    const one = join(dir, 'given-up.txt');
    writeFileSync(one, `${domains[0]}\n`);
    expect((await run(['batch', one, '--queue', url, '--allow-private', ...batchFlags])).code).toBe(0);
    // A processor that fails the job for good stands in for a job that stalled too often.
    const failing = new Worker('secgrade', async () => {
      throw new UnrecoverableError('boom');
    }, { connection: { host: '127.0.0.1', port: redis.port, db: 5, maxRetriesPerRequest: null } });
    clients.push(failing);
    await until('the job to fail', async () => (await jobCounts(5))['failed'] === 1);
    await failing.close();
    const out = join(dir, 'given-up.ndjson');
    const collected = await run(['batch', one, '--queue', url, '--allow-private', ...batchFlags, '--collect', out, '--quiet']);
    expect(collected.code).toBe(3);
    const { reports, summaries } = parseLines(readFileSync(out, 'utf8'));
    expect(reports).toHaveLength(1);
    expectValidReport(reports[0]!);
    expect(reports[0]).toMatchObject({ status: 'error', reason: 'worker gave up on the job after 1 attempt(s): boom', job: { input: domains[0] } });
    expect(summaries[0]).toMatchObject({ total: 1, byStatus: { error: 1 } });
    expect(await resultCount(5)).toBe(1);
  });

  it('a worker on a queue without --allow-private refuses loopback targets and a loopback DNS server, and keeps running', async () => {
    const url = redis.url(3);
    // Refused before any connection: nothing may reach this server.
    let connections = 0;
    const watch = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => watch.listen(0, '127.0.0.1', r));
    const port = (watch.address() as { port: number }).port;
    const refusedList = join(dir, 'refused.txt');
    writeFileSync(refusedList, `127.0.0.1:${port}\nlocalhost:${port}\n${domains[0]} --dns ${lab.info.dns}\n`);
    try {
      // The worker's own flags cannot open the policy.
      const own = await run(['worker', '--queue', url, '--allow-private']);
      expect(own.code).toBe(2);
      expect(own.stderr).toMatch(/unknown option '--allow-private'/);

      const w = spawnCli(['worker', '--queue', url, ...workerFlags]);
      const out = join(dir, 'refused.ndjson');
      const collected = await run(['batch', refusedList, '--queue', url, '--probes', 'tls-protocols', '--collect', out, '--quiet']);
      expect(collected.code).toBe(3);
      const { reports } = parseLines(readFileSync(out, 'utf8'));
      expect(reports).toHaveLength(3);
      for (const r of reports) {
        expectValidReport(r);
        expect(r['status']).toBe('error');
        expect(r['reason']).toMatch(/^target refused: .*loopback address \(this queue was created without --allow-private\)$/);
      }
      expect(reports.find((r) => r['job'].input === domains[0])!['reason']).toContain(`DNS server ${lab.info.dns}`);
      expect(connections).toBe(0);
      expect(w.child.exitCode, 'the worker is still running').toBeNull();
      expect((await stopWorker(w)).code).toBe(0);

      // The queue's policy is fixed when it is created.
      const widen = await run(['batch', refusedList, '--queue', url, '--allow-private', '--probes', 'tls-protocols']);
      expect(widen.code).toBe(2);
      expect(widen.stderr).toMatch(/was created without --allow-private/);
    } finally {
      await new Promise((r) => watch.close(r));
    }
  });
});
