#!/usr/bin/env node
// npm run bench [-- [SERVER…] [--no-testssl] [--no-sslscan] [--no-nmap] [--no-full]]
//
// Part 2 (unless --no-full): the whole TLS grade of each server — secgrade --checks tls,cert,vulns
// (protocols, suites, groups, features, certificates, every vulnerability check, the letter) next
// to a whole default testssl.sh run, which covers the same ground.
//
// Starts the conformance servers (test/conformance/servers.ts) and, for each, runs one after the
// other against the same target: secgrade (--checks tls), testssl.sh -p -E, sslscan and nmap
// ssl-enum-ciphers. Prints per target the wall time of every tool, its ratio to secgrade,
// secgrade's handshake count (Σ `connections` of endpoints[0].tls.probes) and the minimum handshake
// count a suite enumeration needs:
//
//   Σ over accepted protocols p of (accepted suites of p + ceil(registry suites of p / 128)) + 1
//
// computed from secgrade's own report and its suite registry (dist/src/tls/registry/index.js,
// suitesForProtocol(p).length); "n/a" while either is missing. Times are printed, never asserted.
//
// The harness is TypeScript; this script transpiles servers.ts and peers.ts with the project's own
// typescript (a devDependency) into a temporary directory and imports them from there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HARNESS = path.join(ROOT, 'test', 'conformance');
const BIN = path.join(ROOT, 'bin', 'secgrade.js');
const REGISTRY = path.join(ROOT, 'dist', 'src', 'tls', 'registry', 'index.js');

function usage(code) {
  process.stdout.write(
    'usage: npm run bench -- [SERVER…] [--no-testssl] [--no-sslscan] [--no-nmap] [--no-full]\n' +
      '  SERVER: a conformance server name (default: all)\n',
  );
  process.exit(code);
}

const args = process.argv.slice(2);
const skip = new Set();
const only = [];
for (const a of args) {
  if (a === '-h' || a === '--help') usage(0);
  else if (a.startsWith('--no-')) skip.add(a.slice(5));
  else if (a.startsWith('-')) {
    process.stderr.write(`bench: unknown option ${a}\n`);
    usage(2);
  } else only.push(a);
}

if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
  process.stderr.write('bench: dist/ is missing; run `npm run build` first (npm install does it too)\n');
  process.exit(1);
}

async function loadHarness() {
  let ts;
  try {
    ts = (await import('typescript')).default;
  } catch {
    throw new Error('bench needs the typescript devDependency (npm install) to load test/conformance/*.ts');
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'secgrade-bench-'));
  await writeFile(path.join(dir, 'package.json'), '{"type":"module"}\n');
  for (const name of ['servers', 'peers']) {
    const source = await readFile(path.join(HARNESS, `${name}.ts`), 'utf8');
    const out = ts.transpileModule(source, {
      fileName: `${name}.ts`,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    });
    await writeFile(path.join(dir, `${name}.js`), out.outputText);
  }
  const servers = await import(pathToFileURL(path.join(dir, 'servers.js')).href);
  const peers = await import(pathToFileURL(path.join(dir, 'peers.js')).href);
  return { servers, peers, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** suitesForProtocol(p).length per protocol from secgrade's registry, or null when it does not exist yet. */
async function loadRegistrySizes(protocols) {
  if (!existsSync(REGISTRY)) return null;
  try {
    const mod = await import(pathToFileURL(REGISTRY).href);
    if (typeof mod.suitesForProtocol !== 'function') return null;
    const sizes = {};
    for (const p of protocols) {
      const list = mod.suitesForProtocol(p);
      sizes[p] = Array.isArray(list) ? list.length : null;
    }
    return sizes;
  } catch (err) {
    process.stderr.write(`bench: cannot load ${path.relative(ROOT, REGISTRY)}: ${err.message}\n`);
    return null;
  }
}

function minimumHandshakes(verdict, registry, protocols) {
  if (!registry) return { value: null, why: 'no suite registry in dist/ yet' };
  let total = 1;
  for (const p of protocols) {
    if (verdict.protocols[p] !== true) continue;
    const suites = verdict.cipherSuites[p];
    if (!suites) return { value: null, why: `report has no cipherSuites for accepted ${p}` };
    const size = registry[p];
    if (typeof size !== 'number') return { value: null, why: `registry has no size for ${p}` };
    total += suites.length + Math.ceil(size / 128);
  }
  return { value: total, why: null };
}

const fmtMs = (ms) => (ms == null ? '—' : `${ms}`);
const fmtRatio = (ms, base) => {
  if (ms == null || !base) return '—';
  const r = ms / base;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}×`;
};

function accepted(v, protocols) {
  const on = protocols.filter((p) => v.protocols[p] === true);
  const unknown = protocols.filter((p) => v.protocols[p] === null);
  return `${on.join(' ') || '(none)'}${unknown.length ? `  [? ${unknown.join(' ')}]` : ''}`;
}

function suiteCount(v) {
  const n = Object.values(v.cipherSuites).reduce((a, l) => a + l.length, 0);
  return n === 0 ? '—' : String(n);
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r) => '  ' + r.map((c, i) => (i === 0 || i >= 3 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('   ').trimEnd())
    .join('\n');
}

async function main() {
  const { servers: S, peers: P, cleanup } = await loadHarness();
  const names = only.length ? only : S.SERVER_NAMES;
  for (const n of names) {
    if (!S.SERVER_NAMES.includes(n)) {
      process.stderr.write(`bench: unknown server ${n}; known: ${S.SERVER_NAMES.join(', ')}\n`);
      process.exit(2);
    }
  }
  const registry = await loadRegistrySizes(P.PROTOCOLS);
  const tools = [
    ['testssl.sh', 'testssl', (s) => P.runTestssl(s.host, s.port, { sni: s.sni })],
    ['sslscan', 'sslscan', (s) => P.runSslscan(s.host, s.port, { sni: s.sni })],
    ['nmap', 'nmap', (s) => P.runNmap(s.host, s.port, { sni: s.sni })],
  ].filter(([, flag]) => !skip.has(flag));

  const missing = await P.missingTools(tools.map(([tool]) => tool));
  if (missing.length) process.stdout.write(`bench: not installed, shown as n/a: ${missing.join(', ')}\n`);

  process.stdout.write(`bench: starting ${names.length} conformance server(s)…\n`);
  const started = await S.startConformanceServers(names);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await started.stop();
    await cleanup();
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping servers\n`);
      void stop().finally(() => process.exit(130));
    });
  }

  const totals = { secgrade: 0 };
  try {
    for (const server of started.servers) {
      process.stdout.write(`\n== ${server.name}  ${server.host}:${server.port}${server.sni ? `  SNI ${server.sni}` : ''}  (${server.software})\n`);
      process.stdout.write(`   ${server.description}\n`);
      let sg = null;
      let sgError = null;
      try {
        // The same scope as testssl.sh -p -E and sslscan: protocols and every suite of each.
        sg = await P.runSecgrade(server.host, server.port, { sni: server.sni, bin: BIN, cwd: ROOT, probes: ['tls-protocols', 'tls-ciphers'] });
        totals.secgrade += sg.durationMs;
      } catch (err) {
        sgError = err;
      }
      const rows = [['tool', 'wall ms', '÷ secgrade', 'protocols accepted', 'suites']];
      if (sg) rows.push(['secgrade', fmtMs(sg.durationMs), '1.0×', accepted(sg, P.PROTOCOLS), suiteCount(sg)]);
      else rows.push(['secgrade', 'failed', '—', sgError.message.split('\n')[0], '']);
      for (const [tool, , runTool] of tools) {
        if (missing.includes(tool)) {
          rows.push([tool, 'n/a', '—', 'not installed', '']);
          continue;
        }
        try {
          const v = await runTool(server);
          totals[tool] = (totals[tool] ?? 0) + v.durationMs;
          rows.push([tool, fmtMs(v.durationMs), fmtRatio(v.durationMs, sg?.durationMs), accepted(v, P.PROTOCOLS), suiteCount(v)]);
        } catch (err) {
          rows.push([tool, 'failed', '—', err.message.split('\n')[0], '']);
        }
      }
      process.stdout.write(`${table(rows)}\n`);
      if (sg) {
        const perProbe = Object.entries(sg.probes)
          .map(([id, p]) => `${id} ${p.connections ?? '?'}`)
          .join(', ');
        const min = minimumHandshakes(sg, registry, P.PROTOCOLS);
        // The minimum covers protocol + suite enumeration, so compare the probes that do exactly that.
        const enumeration = ['tls-protocols', 'tls-ciphers'].reduce((n, id) => n + (sg.probes[id]?.connections ?? 0), 0);
        const ratio = min.value ? ` = ${(enumeration / min.value).toFixed(2)}× the minimum` : '';
        process.stdout.write(
          `  secgrade: scan ${fmtMs(sg.reportDurationMs)} ms (report durationMs), all TLS handshakes ${sg.connections ?? 'n/a'}` +
            `${perProbe ? ` (${perProbe})` : ''}\n` +
            `  enumeration handshakes (tls-protocols + tls-ciphers) ${enumeration}; minimum ${min.value ?? `n/a (${min.why})`}${ratio}\n`,
        );
      }
    }
    if (!skip.has('full')) await fullGrade(started.servers, P, totals);
    startupFloor();
    const base = totals.secgrade;
    process.stdout.write(`\n== all targets\n`);
    const rows = [['tool', 'wall ms', '÷ secgrade']];
    rows.push(['secgrade', fmtMs(base), '1.0×']);
    for (const [tool] of tools) if (totals[tool] != null) rows.push([tool, fmtMs(totals[tool]), fmtRatio(totals[tool], base)]);
    process.stdout.write(`${table(rows)}\n`);
    if (totals.fullSecgrade) {
      process.stdout.write(`\n== whole TLS grade, all targets\n`);
      const full = [['tool', 'wall ms', '÷ secgrade'], ['secgrade --checks tls,cert,vulns', fmtMs(totals.fullSecgrade), '1.0×']];
      if (totals.fullTestssl) full.push(['testssl.sh (default full run)', fmtMs(totals.fullTestssl), fmtRatio(totals.fullTestssl, totals.fullSecgrade)]);
      process.stdout.write(`${table(full)}\n`);
    }
  } finally {
    await stop();
  }
}

/**
 * What no whole-process time can go below: Node's own start-up (`node -e 0`), and secgrade's up to
 * its first output (`--version`: the bundle loaded). Medians of 7 runs, printed beside the targets.
 */
function startupFloor() {
  const median = (argv) => {
    const ms = [];
    for (let i = 0; i < 7; i++) {
      const t0 = process.hrtime.bigint();
      spawnSync(process.execPath, argv, { stdio: 'ignore', cwd: ROOT });
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return Math.round(ms.sort((a, b) => a - b)[3]);
  };
  process.stdout.write(
    `\n== start-up floor (median of 7)\n` +
      `  node -e 0 ${median(['-e', '0'])} ms; secgrade --version ${median([BIN, '--version'])} ms` +
      ` (a whole secgrade run cannot take less; compare sslscan's times above)\n`,
  );
}

/** secgrade's whole TLS grade vs a whole testssl.sh run, per server (times printed, never asserted). */
async function fullGrade(servers, P, totals) {
  process.stdout.write(`\n== whole TLS grade: secgrade --checks tls,cert,vulns vs testssl.sh full run\n`);
  const rows = [['server', 'secgrade ms', 'scan ms', 'grade', 'testssl.sh ms', '÷ secgrade']];
  const testssl = !skip.has('testssl') && (await P.missingTools(['testssl.sh'])).length === 0;
  for (const server of servers) {
    let sgMs = 'failed';
    let scanMs = '';
    let grade = '';
    let ratioBase = null;
    try {
      const sg = await P.runSecgrade(server.host, server.port, { sni: server.sni, bin: BIN, cwd: ROOT, checks: 'tls,cert,vulns' });
      sgMs = fmtMs(sg.durationMs);
      scanMs = fmtMs(sg.reportDurationMs);
      grade = String(sg.report.endpoints?.[0]?.grade ?? '–');
      ratioBase = sg.durationMs;
      totals.fullSecgrade = (totals.fullSecgrade ?? 0) + sg.durationMs;
    } catch (err) {
      grade = err.message.split('\n')[0];
    }
    let tsMs = 'n/a';
    let ratio = '—';
    if (testssl) {
      try {
        const t = await P.runTestsslFull(server.host, server.port, { sni: server.sni });
        tsMs = fmtMs(t.durationMs);
        ratio = fmtRatio(t.durationMs, ratioBase);
        totals.fullTestssl = (totals.fullTestssl ?? 0) + t.durationMs;
      } catch (err) {
        tsMs = `failed: ${err.message.split('\n')[0]}`;
      }
    }
    rows.push([server.name, sgMs, scanMs, grade, tsMs, ratio]);
  }
  process.stdout.write(`${table(rows)}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err.stack ?? err}\n`);
  process.exit(1);
});
