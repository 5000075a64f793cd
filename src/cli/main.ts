// `secgrade` command line: argument parsing, command dispatch, output and exit codes.
// Everything the user can get wrong ends in one line on stderr and exit code 2, never a stack trace.
import { open } from 'node:fs/promises';
import { isIP } from 'node:net';
import { Command, CommanderError, Option } from 'commander';
import { CtLogListError, loadLogList } from '../ct/log-list.js';
import { createReferenceData } from '../data/reference.js';
import { optionValues } from '../engine/options.js';
import { scanTargets } from '../engine/scan.js';
import type { ScanEventListener } from '../engine/events.js';
import type { RunningLab } from '../lab/lab.js';
import { parseTarget } from '../model/target.js';
import { createResolver } from '../net/dns/resolver.js';
import { smtpPortOption } from '../probes/email/mx-transport.js';
import { httpPortOption } from '../probes/http/site.js';
import { PROBE_OPTIONS } from '../probes/index.js';
import { rendererById } from '../render/index.js';
import { arraySource } from '../render/renderer.js';
import { TrustStoreError } from '../trust/store.js';
import { TOOL_VERSION } from '../version.js';
import { SUMMARY_FORMATS } from '../render/summary.js';
import { runBatch } from './batch.js';
import { addBatchFlags, refuseBatchOnlyFlags, type RawBatchFlags } from './batch-flags.js';
import { EXIT, exitCodeFor, UsageError } from './exit.js';
import { addHelpTexts, helpTexts } from './help.js';
import { flushed, readerGone, type CliIo, type RunIo } from './io.js';
import { ctLogListUsageError, scanContext } from './scan-context.js';
import { runSummary } from './summary.js';
import { RENDER_FORMATS, runRender, type RawRenderFlags } from './render.js';
import { addHistoryFlags, runHistory, type RawHistoryFlags } from './history.js';
import { openCliStore, saveScanReports } from './store-flag.js';
import { addMonitorFlags, runMonitor, type RawMonitorFlags } from './monitor.js';
import { runDiff, type RawDiffFlags } from './diff.js';
import { addWorkerFlags, runWorker, type RawWorkerFlags } from './worker.js';

export type { CliIo } from './io.js';
import { PROFILE_IDS } from '../tls/profiles/types.js';
import { STARTTLS_NAMES } from '../model/target.js';
import { IMPLEMENTED_FORMATS, parseScanFlags, renderOptionsOf, targetScanOptions, type RawScanFlags, type ScanSettings } from './options.js';
import { CHECK_CATEGORIES } from '../engine/probe.js';

function addScanFlags(cmd: Command): Command {
  cmd
    .option('--ip <addr>', 'connect to this address instead of resolving (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--sni <name>', 'server name to send in SNI and Host (default: the target host)')
    .option('--starttls <protocol>', `speak this protocol before TLS (${STARTTLS_NAMES.join(', ')}); same as a proto:// target`)
    .option('--xmpp-host <domain>', "the to= domain of an XMPP target's stream header (default: the target host)")
    .option('--dns <ip[:port]>', 'DNS server for every lookup (default: the system resolver)')
    .option('--ca-file <pem>', 'extra trust anchors (PEM) beside the Mozilla roots')
    .option('--checks <list>', 'check families to run: tls,cert,vulns,http,email (default: all)')
    .option('--probes <list>', 'run only these probes (ids as in the report) and what they depend on')
    .addOption(new Option('--format <format>', `output format: ${IMPLEMENTED_FORMATS.join(', ')}`))
    .option('--output <file>', 'write the report to a file, - for stdout (the format from its extension: .html, .md, .sarif, .xml, .csv, .json, .ndjson, .txt)')
    .option('--timeout <ms>', 'deadline per target in milliseconds', undefined)
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity')
    .option('--fail-under <grade>', 'exit 1 when a grade is below this letter')
    .option('--severity <level>', 'list only findings at or above this severity (counts and grades still include all)')
    .option('--csv-findings', 'with --format csv: one row per finding instead of one per target')
    .option('--ct-log-list <file>', 'CT log list (Google v3 JSON) to use instead of the shipped/updated one')
    .option('--allow-partial', 'a partial scan does not by itself exit 3: the gates judge what was seen')
    .option('--allow-private', 'let redirects, MX hosts, AIA/OCSP … reach loopback and private addresses')
    .option('--max-endpoints <n>', 'addresses scanned per target (1-1000, default 16)')
    .option('--store <path|url>', 'also save every report in this history store (SQLite file, or postgres:// URL)')
    .option('--profile <name>', `hold every endpoint to a configuration profile (repeatable or a comma list): ${PROFILE_IDS.join(', ')}`, (v: string, prev: string[] = []) => [...prev, v]);
  // Each probe's own flags, as the probe declares them.
  for (const o of PROBE_OPTIONS) cmd.option(o.flag, o.description);
  return cmd;
}

interface OutputSink {
  write(s: string): void;
  close(): Promise<void>;
}

/** --output: opened before scanning so a bad path is a usage error, not a lost scan. */
async function openOutput(path: string): Promise<OutputSink> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'w');
  } catch (err) {
    throw new UsageError(`--output ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let chain: Promise<unknown> = Promise.resolve();
  return {
    write: (s) => {
      chain = chain.then(() => handle.write(s));
    },
    close: async () => {
      await chain;
      await handle.close();
    },
  };
}

/** For `demo`: the user's list is checked before the lab costs a start. */
async function checkCtLogList(path: string | null): Promise<void> {
  if (!path) return;
  try {
    await loadLogList({ path });
  } catch (err) {
    if (err instanceof CtLogListError) throw ctLogListUsageError(err.message);
    throw err;
  }
}

/** Commands of the Contract this version does not have yet. */
const PLANNED_COMMANDS = ['claims'];

/**
 * A word shaped like a command (letters, digits, dashes) that has no dot, is not an IP address and
 * is not localhost: more likely a mistyped command than a host (anything else is parsed as a target
 * and, if it is none, refused as one).
 */
const commandLike = (word: string): boolean => /^[a-z][a-z0-9-]*$/i.test(word) && isIP(word) === 0 && word.toLowerCase() !== 'localhost';

/**
 * `secgrade diff a b` must not scan three hosts: when the command is implied, a first word that
 * does not look like a host name is a mistyped command. A single-label host is still scanned with
 * an explicit `secgrade scan NAME`.
 */
function checkFirstWord(word: string | undefined, commands: readonly string[]): void {
  if (word === undefined || !commandLike(word)) return;
  if (PLANNED_COMMANDS.includes(word.toLowerCase())) throw new UsageError(`the ${word} command is not available in this version yet (commands: ${commands.join(', ')})`);
  throw new UsageError(`unknown command "${word}" (commands: ${commands.join(', ')}); to scan a host named "${word}", write: secgrade scan ${word}`);
}

/** Write the reports in the chosen format; returns the exit code. `quiet`: no live view or progress, the report only. */
async function runScan(settings: ScanSettings, io: RunIo, opts: { lab?: RunningLab; quiet?: boolean } = {}): Promise<number> {
  const { trust, reference } = await scanContext(settings, opts.lab ? [opts.lab.caPem] : []);
  const resolver = createResolver(settings.dns ? { server: settings.dns } : {});

  const tty = io.stdout.isTTY === true;
  const color = tty && !io.env['NO_COLOR'];
  // Ink on a terminal unless a machine format was asked for on stdout, or --quiet (the report only).
  const live = tty && opts.quiet !== true;
  const format = settings.format ?? (live ? 'tui' : 'text');
  const useTui = live && (format === 'tui' || settings.output !== null);
  // What goes to the sink (the file, else stdout): the live UI writes nothing there; a file asked
  // for without a format gets JSON; `--format tui` without the live view falls back to text.
  const streamFormat = format !== 'tui' ? format : settings.output ? 'json' : live ? null : 'text';

  const renderer = streamFormat ? rendererById(streamFormat) : undefined;
  const out = settings.output ? await openOutput(settings.output) : null;
  // Opened before scanning, like --output: a store that cannot be used is refused before the scan.
  const history = settings.store ? await openCliStore(settings.store) : null;
  // Once stdout has failed nothing more is written to it (each write would fail again).
  const sink = out ?? { write: (s: string) => void (io.stdoutError() ?? io.stdout.write(s)), close: () => flushed(io.stdout) };

  let ui: Awaited<ReturnType<typeof import('../../ui/live.js').startLiveUi>> | null = null;
  if (useTui) {
    const { startLiveUi } = await import('../../ui/live.js');
    ui = startLiveUi({ stdout: io.stdout as NodeJS.WriteStream, color, columns: io.stdout.columns ?? 80, minSeverity: settings.minSeverity });
  }
  const onEvent: ScanEventListener = (event) => {
    ui?.listener(event);
    // ndjson streams: each target's line is written as soon as it is done, so nothing is lost.
    if (event.type === 'target-end' && renderer?.line) sink.write(renderer.line(event.report));
  };

  const reports = await scanTargets(settings.targets, {
    resolver,
    trust,
    reference,
    ...targetScanOptions(settings),
    // One scan at a terminal shows what SSL Labs shows, the handshake simulation included (a batch asks for it by name).
    ...(settings.checks || settings.probes ? {} : { checks: new Set(CHECK_CATEGORIES) }),
    signal: io.signal,
    onEvent,
  });

  if (ui) await ui.finish(reports);
  if (renderer && !renderer.line) {
    const renderOpts = renderOptionsOf(settings, { color: color && !out, width: io.stdout.columns ?? 80 });
    if (renderer.render) sink.write(renderer.render(reports, renderOpts));
    else if (renderer.stream) for await (const chunk of renderer.stream(arraySource(reports), renderOpts)) sink.write(chunk);
  }
  await sink.close();
  const stored = history ? await saveScanReports(history, settings, reports, io) : true;

  const { code, messages } = exitCodeFor(reports, { failOn: settings.failOn, failUnder: settings.failUnder, allowPartial: settings.allowPartial });
  // A reader that left before the end (`| head`) ends the run quietly, with the code of what was
  // done (README); the sink's close waited for stdout, so this does not depend on timing.
  if (!readerGone(io.stdoutError())) for (const m of messages) io.stderr.write(`secgrade: ${m}\n`);
  return stored ? code : Math.max(code, EXIT.incomplete);
}

/** The lab (servers, DNS server, PKI) is loaded only by the commands that start it. */
async function startLab(opts: { signal: AbortSignal; domains?: number }): Promise<RunningLab> {
  return (await import('../lab/lab.js')).startLab(opts);
}

async function runLab(flags: { domains?: string }, io: RunIo): Promise<number> {
  let domains: number | undefined;
  if (flags.domains !== undefined) {
    const { MAX_BULK_DOMAINS } = await import('../lab/bulk.js');
    if (!/^\d+$/.test(flags.domains) || Number(flags.domains) < 1 || Number(flags.domains) > MAX_BULK_DOMAINS) {
      throw new UsageError(`--domains "${flags.domains}" must be a whole number between 1 and ${MAX_BULK_DOMAINS}`);
    }
    domains = Number(flags.domains);
  }
  const lab = await startLab({ signal: io.signal, ...(domains ? { domains } : {}) });
  io.stdout.write(JSON.stringify(lab.info) + '\n');
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await lab.stop();
  return EXIT.ok;
}

async function runDemo(flags: RawScanFlags & { quiet?: boolean }, io: RunIo): Promise<number> {
  const { quiet, ...scanFlags } = flags;
  const settings = parseScanFlags([], scanFlags, false);
  await checkCtLogList(settings.ctLogListPath); // before the lab costs a start
  // Starting takes seconds (keys, certificates, servers): say what is happening, on stderr so a
  // redirected report stays clean, and, like git's progress, only to a person at a terminal.
  const say = quiet !== true && (io.stderr as { isTTY?: boolean }).isTTY === true;
  if (say) {
    const { LAB_DOMAINS } = await import('../lab/domains.js');
    io.stderr.write(`secgrade: starting the bundled lab (${LAB_DOMAINS.length} domains on local HTTPS, SMTP and DNS servers)…\n`);
  }
  const started = Date.now();
  const lab = await startLab({ signal: io.signal });
  if (say) io.stderr.write(`secgrade: lab ready in ${((Date.now() - started) / 1000).toFixed(1)}s; scanning ${Object.keys(lab.info.domains).length} domains\n`);
  try {
    const [host, port] = lab.info.dns.split(/:(?=\d+$)/);
    return await runScan(
      {
        ...settings,
        targets: Object.keys(lab.info.domains).map((d) => parseTarget(d)),
        dns: { host: host ?? '127.0.0.1', port: Number(port) },
        // The lab's SCTs come from its own CT logs, named in the log list it wrote.
        ctLogListPath: settings.ctLogListPath ?? lab.info.ctLogList,
        // Every lab server, MX and AIA URL lives on loopback.
        allowPrivate: true,
        // The lab's plain-HTTP front stands in for port 80 of every lab name, its SMTP port for 25.
        options: new Map([
          ...optionValues([
            [httpPortOption, lab.info.httpPort],
            [smtpPortOption, lab.info.smtpPort],
          ]),
          ...settings.options,
        ]),
      },
      io,
      { lab, quiet: quiet === true },
    );
  } finally {
    await lab.stop();
  }
}

async function runDataUpdate(flags: { ctLogListUrl?: string; hstsUrl?: string; timeout?: string }, io: CliIo): Promise<number> {
  let timeoutMs: number | undefined;
  if (flags.timeout !== undefined) {
    if (!/^\d+$/.test(flags.timeout) || Number(flags.timeout) < 100) throw new UsageError(`--timeout "${flags.timeout}" must be a number of milliseconds ≥ 100`);
    timeoutMs = Number(flags.timeout);
  }
  const { updateData } = await import('../data/update.js');
  const { cacheDir } = await import('../data/paths.js');
  const outcomes = await updateData({
    dir: cacheDir(io.env),
    ...(flags.ctLogListUrl ? { ctLogListUrl: flags.ctLogListUrl } : {}),
    ...(flags.hstsUrl ? { hstsUrl: flags.hstsUrl } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    signal: io.signal,
  });
  for (const o of outcomes) io.stdout.write(`${o.name}: ${o.result} — ${o.detail}; in use: ${o.inUse}\n`);
  return outcomes.some((o) => o.result === 'rejected') ? EXIT.failed : EXIT.ok;
}

async function runDataStatus(io: CliIo): Promise<number> {
  const { dataStatus } = await import('../data/status.js');
  for (const line of await dataStatus(createReferenceData())) io.stdout.write(`${line}\n`);
  return EXIT.ok;
}

function buildProgram(argv: readonly string[], io: RunIo, setResult: (p: Promise<number>) => void): Command {
  const program = new Command('secgrade')
    .description('Outside-in security grader: TLS, certificates, HTTP headers and email security of a domain')
    .version(TOOL_VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: () => undefined, // errors are reported once, as one line, by runCli
    })
    .showSuggestionAfterError(false);

  const scan = addScanFlags(program.command('scan', { isDefault: true }).description('scan targets (host, host:port or URL)').argument('[targets...]'));
  addBatchFlags(scan.option('--targets <file>', 'scan the targets listed in this file (- for stdin), as `secgrade batch FILE` does'));
  scan.action((targets: string[], flags: RawBatchFlags) => {
    if (flags.targets !== undefined) {
      if (targets.length) throw new UsageError('give targets either as arguments or with --targets, not both');
      return setResult(runBatch(flags.targets, flags, io));
    }
    // --quiet is the batch's flag and scan's too (no live view, the report only).
    const { quiet, ...single } = flags;
    refuseBatchOnlyFlags(single);
    if (argv[0] !== 'scan') checkFirstWord(targets[0], program.commands.map((c) => c.name()));
    setResult(runScan(parseScanFlags(targets, single), io, { quiet: quiet === true }));
  });

  addBatchFlags(
    addScanFlags(
      program
        .command('batch')
        .description('scan a list of targets (one per line, or CSV), writing one NDJSON line per target and a summary line')
        .argument('<file>', 'the list, or - for stdin'),
    ),
  ).action((file: string, flags: RawBatchFlags) => setResult(runBatch(file, flags, io)));

  addWorkerFlags(program.command('worker').description('run the jobs of a batch queue (secgrade batch FILE --queue …) until SIGINT/SIGTERM')).action(
    (flags: RawWorkerFlags) => setResult(runWorker(flags, io)),
  );

  program
    .command('summary')
    .description("summarise a batch's NDJSON results (finished or partial) without scanning")
    .argument('<file>', 'the NDJSON a batch wrote')
    .option('--format <format>', `${SUMMARY_FORMATS.join(', ')} (default text)`)
    .action((file: string, flags: { format?: string }) => setResult(runSummary(file, flags, io)));

  program
    .command('render')
    .description("a batch's NDJSON results (finished or partial) in any report format, without scanning again")
    .argument('<file>', 'the NDJSON a batch wrote')
    .option('--format <format>', `${RENDER_FORMATS.join(', ')} (default: from --output's extension, else text)`)
    .option('--output <file>', 'write to this file (replaced whole) instead of stdout')
    .option('--fail-on <severity>', 'junit/sarif: findings at or above this severity are failures / errors')
    .option('--severity <level>', 'list only findings at or above this severity')
    .option('--csv-findings', 'with --format csv: one row per finding')
    .action((file: string, flags: RawRenderFlags) => setResult(runRender(file, flags, io)));

  addHistoryFlags(program.command('history').description("a target's runs from the history store (--store): grades per run and a timeline per section"))
    .action((target: string, flags: RawHistoryFlags) => setResult(runHistory(target, flags, io)));

  addMonitorFlags(
    program.command('monitor').description('scan the targets of a YAML config on cron schedules: diffs, alerts (stdout, webhook, email), Prometheus metrics').argument('<config>', 'the monitor.yaml'),
  ).action((config: string, flags: RawMonitorFlags) => setResult(runMonitor(config, flags, io)));

  program
    .command('diff')
    .description('what changed between two runs (JSON reports or batch NDJSON): grades, findings, facts; exit 1 on a regression')
    .argument('<a>', 'the earlier run: a report file, a batch NDJSON, or a run id of the store; with --last, a target')
    .argument('[b]', 'the later run')
    .option('--last <n>', "diff TARGET --last N: the target's Nth newest stored run against its newest")
    .option('--store <path|url>', 'the history store for run ids and --last (default: $XDG_DATA_HOME/secgrade/history.db)')
    .option('--format <format>', 'text|json|markdown (default text)').option('--fail-on <severity>', 'a new finding at or above this severity is a regression')
    .option('--output <file>', 'write the diff to a file')
    .action((a: string, b: string | undefined, flags: RawDiffFlags) => setResult(runDiff(a, b, flags, io)));

  addScanFlags(program.command('demo').description('start the bundled lab of local servers and grade every lab domain'))
    .option('--quiet', 'no lab message, live view or progress: the report only (errors still)')
    .action((flags: RawScanFlags & { quiet?: boolean }) => setResult(runDemo(flags, io)));

  program
    .command('lab')
    .description('start the lab in the foreground; prints one JSON line with its DNS server, CA file and domains')
    .option('--domains <n>', 'also serve N generated domains under bulk.secgrade.test (list: bulk.targetsFile in the JSON line)')
    .action((flags: { domains?: string }) => setResult(runLab(flags, io)));

  const data = program.command('data').description('reference data: the CT log list and the HSTS preload list');
  data
    .command('update')
    .description('fetch fresher, verified copies into the cache folder (offline: keeps the shipped snapshots and says so)')
    .option('--ct-log-list-url <url>', 'where to fetch the CT log list (its .sig beside it)')
    .option('--hsts-url <url>', "where to fetch Chromium's HSTS preload JSON")
    .option('--timeout <ms>', 'deadline per download in milliseconds')
    .action((flags: { ctLogListUrl?: string; hstsUrl?: string; timeout?: string }) => setResult(runDataUpdate(flags, io)));
  data
    .command('status')
    .description('which copy of each reference list scans use, and its date')
    .action(() => setResult(runDataStatus(io)));
  // A bare command group does what git's do: the group's help on stderr and a usage exit code.
  data.action(() => {
    io.stderr.write(`secgrade: data needs a subcommand (${data.commands.map((c) => c.name()).join(', ')})\n\n${data.helpInformation()}\n${helpTexts()['data']}\n`);
    setResult(Promise.resolve(EXIT.usage));
  });

  program
    .command('schema')
    .description('print the JSON Schema of the report')
    .action(() => {
      // The schema library is loaded only here, not on every scan.
      setResult(
        import('../model/report.js').then(({ reportJsonSchema }) => {
          io.stdout.write(JSON.stringify(reportJsonSchema(), null, 2) + '\n');
          return EXIT.ok;
        }),
      );
    });
  addHelpTexts(program);
  return program;
}

/**
 * Watch stdout for write errors. EPIPE (the reader left, as with `| head`) stops the run like
 * SIGPIPE stops other tools, but lets it clean up (the lab, files) and exit with a code.
 */
function watchStdout(io: CliIo): RunIo {
  let failure: NodeJS.ErrnoException | null = null;
  const gone = new AbortController();
  // Stays attached: a later write to a closed pipe fails again and must not become uncaught.
  io.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (failure) return;
    failure = err;
    gone.abort(err); // what a command that throws on abort rethrows: runCommand knows it
  });
  return { ...io, signal: AbortSignal.any([io.signal, gone.signal]), stdoutError: () => failure };
}

/** Run the CLI; resolves to the process exit code once stdout and stderr are flushed. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const run = watchStdout(io);
  let code = await runCommand(argv, run);
  await flushed(io.stdout);
  const err = run.stdoutError();
  if (err && !readerGone(err)) {
    io.stderr.write(`secgrade: cannot write to stdout: ${err.code ?? err.message}\n`);
    code = Math.max(code, EXIT.incomplete);
  }
  await flushed(io.stderr);
  return code;
}

async function runCommand(argv: readonly string[], io: RunIo): Promise<number> {
  let result: Promise<number> = Promise.resolve(EXIT.ok);
  const program = buildProgram(argv, io, (p) => {
    result = p;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return await result;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        return EXIT.ok;
      }
      io.stderr.write(`secgrade: ${err.message.replace(/^error:\s*/, '').split('\n')[0]}\n`);
      return EXIT.usage;
    }
    if (err instanceof UsageError || err instanceof TrustStoreError) {
      io.stderr.write(`secgrade: ${err.message}\n`);
      return EXIT.usage;
    }
    // The stdout failure itself (rethrown by an aborted step) is reported, or not, by runCli.
    if (err === io.stdoutError()) return EXIT.incomplete;
    const e = err as NodeJS.ErrnoException;
    io.stderr.write(`secgrade: ${e.code ? `${e.code}: ` : ''}${e.message?.split('\n')[0] ?? String(err)}\n`);
    if (io.env['SECGRADE_DEBUG']) io.stderr.write(`${e.stack ?? ''}\n`);
    return EXIT.incomplete;
  }
}
