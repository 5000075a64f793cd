#!/usr/bin/env node
// npm run bench:batch [-- --domains N] [--targets-in-flight N] [--threads N] [--peers N] [--fake 1000,10000,100000]
//                     [--no-batch] [--no-peers] [--no-fake] [--no-worker]
//
// The batch at scale (issue 16, "Performance"), against `secgrade lab --domains N` started here:
// 1. `secgrade batch` over the N lab names, all checks: wall time, domains/s, handshakes/s (Σ of the
//    reports' probes[].connections), peak RSS of the batch process (/usr/bin/time's maximum resident
//    set size, else VmHWM polled from /proc), beside what `openssl s_time` manages on the same
//    loopback (one client, then one per core, against the lab's server and an `openssl s_server`).
// 2. Memory against list size: the same batch over 1k / 10k / 100k cheap fake targets (IP literals
//    on a closed loopback port: each costs a refused connection), peak RSS of each.
// 3. Peers on the first --peers names (default 20): testssl.sh --file --parallel -p -E, sslscan in a
//    shell loop, and secgrade batch --checks tls on the same names; wall times and ratios.
// 4. The worker mode (2 workers on one Redis), when `secgrade worker --help` exists: see workerMode().
// Numbers are printed, never asserted. Needs the build (dist/); peers are skipped when not installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'secgrade.js');
const TIME = '/usr/bin/time';

function parseArgs(argv) {
  const opts = { domains: 1000, targetsInFlight: 64, threads: null, peers: 20, fake: [1000, 10_000, 100_000], noBatch: false, noPeers: false, noFake: false, noWorker: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i] ?? usage(2);
    if (a === '--domains') opts.domains = Number(next());
    else if (a === '--targets-in-flight') opts.targetsInFlight = Number(next());
    else if (a === '--threads') opts.threads = Number(next());
    else if (a === '--peers') opts.peers = Number(next());
    else if (a === '--fake') opts.fake = next().split(',').map(Number);
    else if (a === '--no-peers') opts.noPeers = true;
    else if (a === '--no-batch') opts.noBatch = true;
    else if (a === '--no-fake') opts.noFake = true;
    else if (a === '--no-worker') opts.noWorker = true;
    else usage(a === '--help' || a === '-h' ? 0 : 2);
  }
  return opts;
}

function usage(code) {
  process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 4).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
  process.exit(code);
}

const say = (line = '') => process.stdout.write(line + '\n');
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const mb = (kb) => (kb ? `${fmt(kb / 1024)} MB` : 'n/a');
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** Peak RSS (kB) of a live process so far. */
function vmHwm(pid) {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Runs a command to its end; wall time, exit code and the peak RSS of the command itself (under
 * /usr/bin/time, which reports its child's maximum RSS; else polled VmHWM, which can miss a spike).
 */
async function measured(cmd, args, { cwd = ROOT, stdout = 'ignore' } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'secgrade-bench-'));
  const timeFile = path.join(dir, 'time');
  const useTime = existsSync(TIME);
  const started = process.hrtime.bigint();
  const child = useTime
    ? spawn(TIME, ['-f', '%M', '-o', timeFile, cmd, ...args], { cwd, stdio: ['ignore', stdout, 'pipe'] })
    : spawn(cmd, args, { cwd, stdio: ['ignore', stdout, 'pipe'] });
  let stderr = '';
  let out = '';
  child.stderr.on('data', (d) => void (stderr = (stderr + d).slice(-4000)));
  child.stdout?.on('data', (d) => void (out = (out + d).slice(-100_000)));
  let polled = 0;
  const poll = useTime ? null : setInterval(() => (polled = Math.max(polled, vmHwm(child.pid))), 100);
  const code = await new Promise((resolve) => child.on('close', (c) => resolve(c)));
  if (poll) clearInterval(poll);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const peakKb = useTime ? Number((await readFile(timeFile, 'utf8').catch(() => '')).trim().split('\n').pop()) || 0 : polled;
  await rm(dir, { recursive: true, force: true });
  return { code, wallMs, peakKb, stderr, stdout: out };
}

/** `secgrade lab --domains N` in the background; resolves with its JSON line once it serves. */
async function startLab(n) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [BIN, 'lab', '--domains', String(n)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`secgrade lab exited with ${code}`)));
  });
  const startMs = Number(process.hrtime.bigint() - started) / 1e6;
  let stopping = false;
  // On a shared machine something else may stop the lab: say so, the numbers after it are void.
  child.once('exit', (code, signal) => void (stopping || say(`!! the lab exited early (code ${code}, signal ${signal}): later numbers are not valid`)));
  const stop = () => new Promise((resolve) => ((stopping = true), child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM'))));
  return { info: JSON.parse(line), pid: child.pid, startMs, stop };
}

/** Batch pacing flags for a lab: no caps (the lab is ours); --dns-rate only where this build has it. */
function unpaced() {
  const help = spawnSync(process.execPath, [BIN, 'batch', '--help'], { encoding: 'utf8' }).stdout ?? '';
  return ['--rate', '0', ...(help.includes('--dns-rate') ? ['--dns-rate', '0'] : [])];
}

/** The scan flags that point secgrade at the lab. */
function labFlags(info) {
  return ['--dns', info.dns, '--ca-file', info.caFile, '--ct-log-list', info.ctLogList, '--http-port', String(info.httpPort), '--smtp-port', String(info.smtpPort), '--allow-private'];
}

/** Reports and summary of an NDJSON results file. */
async function readResults(file) {
  const reports = [];
  let summary = null;
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line) continue;
    const v = JSON.parse(line);
    if (v.type === 'summary') summary = v;
    else reports.push(v);
  }
  const handshakes = reports.reduce((n, r) => n + (r.probes ?? []).reduce((m, p) => m + (p.connections ?? 0), 0), 0);
  return { reports, summary, handshakes };
}

/** `openssl s_time -new` for `seconds`, `clients` at once: handshakes per wall second, summed (s_time sends no SNI: the wildcard certificate serves anyway). */
async function sTime(hostPort, clients, seconds = 5) {
  const one = () =>
    new Promise((resolve) => {
      const child = spawn('openssl', ['s_time', '-connect', hostPort, '-new', '-time', String(seconds)], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('close', () => resolve(Number(/(\d+) connections in [\d.]+s/.exec(out)?.[1] ?? 0)));
    });
  const started = process.hrtime.bigint();
  const counts = await Promise.all(Array.from({ length: clients }, one));
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  return counts.reduce((a, b) => a + b, 0) / wallS;
}

/** An `openssl s_server` with a throwaway P-256 certificate: the machine's own handshake ceiling. */
async function startSServer(dir) {
  const key = path.join(dir, 'ss.key');
  const cert = path.join(dir, 'ss.crt');
  spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=bench', '-days', '2'], { stdio: 'ignore' });
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', cert, '-key', key, '-quiet', '-naccept', '1000000'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 500));
    if (child.exitCode === null) return { hostPort: `127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
  }
  return null;
}

/** Fake targets: IP literals on a closed port (9) of loopback addresses no lab uses (127.200.0.0 on). */
function fakeTargets(n) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / 254);
    lines.push(`127.${200 + Math.floor(row / 256)}.${row % 256}.${1 + (i % 254)}:9`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Hook for issue 16's worker mode: "2 workers on one Redis, 1,000 domains: rate and duplicate
 * count". Runs only when this build has `secgrade worker` (it is being built beside the batch);
 * otherwise it says so and returns.
 */
async function workerMode(info, targetsFile, dir, flight) {
  if (spawnSync(process.execPath, [BIN, 'worker', '--help'], { stdio: 'ignore' }).status !== 0) {
    say('worker mode: skipped (`secgrade worker` is not in this build)');
    return;
  }
  if (!has('redis-server')) {
    say('worker mode: skipped (no redis-server)');
    return;
  }
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  const queue = `redis://127.0.0.1:${port}/0`;
  const out = path.join(dir, 'worker-results.ndjson');
  try {
    // Workers take their trust from their own flags; DNS server, ports and --allow-private travel with
    // the queue (a queue made without --allow-private makes workers refuse the lab's loopback names).
    const workers = [1, 2].map(() =>
      spawn(process.execPath, [BIN, 'worker', '--queue', queue, '--concurrency', String(Math.ceil(flight / 2)), '--rate', '0', '--ca-file', info.caFile, '--ct-log-list', info.ctLogList, '--quiet'], { cwd: ROOT, stdio: 'ignore' }),
    );
    // Pacing and trust are the workers' own (batch --queue refuses --rate, --ca-file, --ct-log-list).
    const jobFlags = ['--dns', info.dns, '--http-port', String(info.httpPort), '--smtp-port', String(info.smtpPort), '--allow-private'];
    const run = await measured(process.execPath, [BIN, 'batch', targetsFile, '--queue', queue, '--collect', out, ...jobFlags, '--quiet']);
    for (const w of workers) w.kill('SIGTERM');
    if (run.code !== 0 && run.code !== 1 && run.code !== 3) {
      say(`worker mode: the enqueue/collect run exited ${run.code}: ${run.stderr.trim().split('\n').pop() ?? ''}`);
      return;
    }
    const { reports } = await readResults(out);
    const keys = reports.map((r) => r.job?.key ?? r.target?.host);
    say(`worker mode: 2 workers, ${reports.length} results in ${fmt(run.wallMs / 1000)} s = ${fmt(reports.length / (run.wallMs / 1000), 2)} domains/s; duplicates ${keys.length - new Set(keys).size}`);
  } finally {
    redis.kill('SIGTERM');
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('no dist/: run `npm run build` first');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'secgrade-bench-batch-'));
  say(`secgrade bench:batch — ${os.cpus().length} cores, ${mb(os.totalmem() / 1024)} RAM, node ${process.version}, load average ${os.loadavg().map((l) => fmt(l, 2)).join(' ')}`);
  const lab = await startLab(opts.domains);
  const sserver = await startSServer(dir);
  try {
    const { info } = lab;
    const bulk = info.bulk;
    say(`lab: ${bulk.count} domains started in ${fmt(lab.startMs / 1000, 2)} s, RSS ${mb(vmHwm(lab.pid))} (list: ${bulk.targetsFile})`);

    // 1. The full batch.
    const out = path.join(dir, 'results.ndjson');
    const pacing = unpaced();
    let run = null;
    let batchRate = NaN;
    if (!opts.noBatch) {
      const threads = opts.threads ? ['--threads', String(opts.threads)] : [];
      const settings = ['--targets-in-flight', String(opts.targetsInFlight), ...threads, ...pacing, ...labFlags(info), '--output', out, '--quiet'];
      say(`\n1. secgrade batch ${path.basename(bulk.targetsFile)} ${settings.join(' ')}`);
      run = await measured(process.execPath, [BIN, 'batch', bulk.targetsFile, ...settings]);
      const { reports, summary, handshakes } = await readResults(out);
      const wallS = run.wallMs / 1000;
      say(`   exit ${run.code}; ${reports.length} reports, by status ${JSON.stringify(summary?.byStatus)}, by grade ${JSON.stringify(summary?.byGrade)}`);
      say(`   wall ${fmt(wallS)} s, ${fmt(reports.length / wallS, 2)} domains/s, ${handshakes} handshakes = ${fmt(handshakes / wallS, 0)} handshakes/s, peak RSS ${mb(run.peakKb)}`);
      say(`   lab peak RSS ${mb(vmHwm(lab.pid))}`);
      batchRate = handshakes / wallS;
    }
    const first = Object.entries(JSON.parse(await readFile(bulk.domainsFile, 'utf8'))).find(([, d]) => d.template === 'good.secgrade.test');
    const cores = os.cpus().length;
    const limits = [
      ['openssl s_time, 1 client → the lab (same server as the batch)', await sTime(`${first[1].ip}:${bulk.httpsPort}`, 1)],
      [`openssl s_time, ${cores} clients → the lab`, await sTime(`${first[1].ip}:${bulk.httpsPort}`, cores)],
      ...(sserver ? [[`openssl s_time, ${cores} clients → openssl s_server (the machine's ceiling)`, await sTime(sserver.hostPort, cores)]] : []),
    ];
    for (const [label, rate] of limits) say(`   ${label}: ${fmt(rate, 0)} handshakes/s; the batch ran at ${fmt((100 * batchRate) / rate, 0)} % of it`);

    // 2. Memory against list size.
    if (!opts.noFake) {
      say('\n2. peak RSS against list size (fake targets: IP literals on closed loopback port 9, --checks tls)');
      if (run) say(`   ${bulk.count} lab domains, all checks (above): ${mb(run.peakKb)}`);
      for (const n of opts.fake) {
        const file = path.join(dir, `fake-${n}.txt`);
        await writeFile(file, fakeTargets(n));
        const fakeOut = path.join(dir, `fake-${n}.ndjson`);
        const r = await measured(process.execPath, [BIN, 'batch', file, '--checks', 'tls', '--targets-in-flight', String(opts.targetsInFlight), ...pacing, '--timeout', '5000', '--output', fakeOut, '--quiet']);
        const lines = (await readFile(fakeOut, 'utf8')).split('\n').filter(Boolean).length - 1;
        say(`   ${String(n).padStart(6)} fake targets: peak RSS ${mb(r.peakKb)}, ${lines} lines in ${fmt(r.wallMs / 1000)} s (${fmt(lines / (r.wallMs / 1000), 0)} targets/s), exit ${r.code}`);
        await rm(fakeOut, { force: true });
      }
    }

    // 3. Peers on the first names.
    if (!opts.noPeers) {
      const names = (await readFile(bulk.targetsFile, 'utf8')).split('\n').filter(Boolean).slice(0, opts.peers);
      const where = JSON.parse(await readFile(bulk.domainsFile, 'utf8'));
      const listFile = path.join(dir, 'peers.txt');
      await writeFile(listFile, names.join('\n') + '\n');
      say(`\n3. the first ${names.length} names: secgrade --checks tls (protocols, suites, groups, features, certificates) beside testssl.sh -p -E and sslscan`);
      const ours = await measured(process.execPath, [BIN, 'batch', listFile, '--checks', 'tls', '--targets-in-flight', String(names.length), ...pacing, ...labFlags(info), '--output', path.join(dir, 'peers.ndjson'), '--quiet']);
      say(`   secgrade batch --checks tls: ${fmt(ours.wallMs / 1000)} s`);
      const testssl = ['testssl.sh', 'testssl'].find(has);
      if (testssl) {
        const tsFile = path.join(dir, 'testssl-file.txt');
        await writeFile(tsFile, names.map((n) => `--ip=${where[n].ip} https://${n}:${bulk.httpsPort}`).join('\n') + '\n');
        const t = await measured(testssl, ['--file', tsFile, '--parallel', '-p', '-E', '--quiet', '--warnings', 'off', '--color', '0', '--add-ca', info.caFile]);
        say(`   ${testssl} --file --parallel -p -E: ${fmt(t.wallMs / 1000)} s (exit ${t.code}) = ${fmt(t.wallMs / ours.wallMs)}× secgrade`);
      } else say('   testssl.sh: not installed (apt-get install -y testssl.sh)');
      if (has('sslscan')) {
        // Each run prints "ok" when it saw accepted suites: a run that could not connect is fast, not valid.
        const loop = names.map((n) => `sslscan --no-colour --sni-name=${n} ${where[n].ip}:${bulk.httpsPort} | grep -q Accepted && echo ok`).join('; ');
        const s = await measured('sh', ['-c', loop], { stdout: 'pipe' });
        const valid = s.stdout.split('\n').filter((l) => l === 'ok').length;
        say(`   sslscan, one after the other: ${fmt(s.wallMs / 1000)} s (${valid}/${names.length} runs saw accepted suites) = ${fmt(s.wallMs / ours.wallMs)}× secgrade`);
      } else say('   sslscan: not installed (apt-get install -y sslscan)');
    }

    // 4. Worker mode.
    if (!opts.noWorker) {
      say('\n4. worker mode');
      await workerMode(info, bulk.targetsFile, dir, opts.targetsInFlight);
    }
  } finally {
    say(`\nload average at the end: ${os.loadavg().map((l) => fmt(l, 2)).join(' ')} (other work on the machine slows every number above)`);
    sserver?.stop();
    await lab.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:batch: ${err?.stack ?? err}\n`);
  process.exit(1);
});
