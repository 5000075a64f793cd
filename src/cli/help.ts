// The help that teaches: each command's `--help` ends with its exit codes, the values its flags
// accept and examples to copy. Values come from the same lists the parsers check against, so help
// and behaviour cannot disagree; test/unit/cli-help.test.ts holds every command to it.
import type { Command } from 'commander';
import { CHECK_CATEGORIES } from '../engine/probe.js';
import { GRADES, SEVERITIES } from '../model/constants.js';
import { SUMMARY_FORMATS } from '../render/summary.js';
import { EXIT, EXIT_MEANING } from './exit.js';
import { IMPLEMENTED_FORMATS } from './options.js';
import { RENDER_FORMATS } from './render.js';
import { PROFILE_IDS } from '../tls/profiles/types.js';

type ExitName = keyof typeof EXIT;

/** "Exit codes:" with the given meanings (default: EXIT_MEANING) for the codes a command can return. */
export function exitCodesHelp(codes: ReadonlyArray<ExitName | [ExitName, string]>): string {
  const rows = codes.map((c): [string, string] => (Array.isArray(c) ? [String(EXIT[c[0]]), c[1]] : [String(EXIT[c]), EXIT_MEANING[c]]));
  return section('Exit codes', rows);
}

/** Help is read at 80 columns, as commander lays out its own part. */
const HELP_WIDTH = 80;

/** `text` in rows of at most `width` columns, broken at spaces (a longer word stays whole). */
function wrap(text: string, width: number): string[] {
  const rows: string[] = [];
  let row = '';
  for (const word of text.split(' ')) {
    if (row && row.length + 1 + word.length > width) {
      rows.push(row);
      row = word;
    } else row = row ? `${row} ${word}` : word;
  }
  return [...rows, row];
}

/** "Title:" then one row per key, values wrapped under themselves. */
const section = (title: string, rows: ReadonlyArray<[string, string]>): string => {
  const w = Math.max(...rows.map(([k]) => k.length));
  const lead = 2 + w + 2;
  return [`${title}:`, ...rows.flatMap(([k, v]) => wrap(v, HELP_WIDTH - lead).map((line, i) => (i === 0 ? `  ${k.padEnd(w)}  ${line}` : `${' '.repeat(lead)}${line}`)))].join('\n');
};

const examples = (rows: ReadonlyArray<[string, string]>): string =>
  ['Examples:', ...rows.flatMap(([cmd, what]) => [`  # ${what}`, `  $ ${cmd}`])].join('\n');

/** The letters --fail-under accepts: the grades but T and M (which rank with F). */
const FAIL_UNDER_GRADES = GRADES.filter((g) => g !== 'T' && g !== 'M');

/** Accepted values of the flags scan, batch and demo share. */
function scanValues(format = `${IMPLEMENTED_FORMATS.join(', ')} (default: tui on a terminal, else text; from --output's extension)`): string {
  return section('Accepted values', [
    ['--format', format],
    ['--fail-on', `${SEVERITIES.join(', ')} (a finding at or above it fails)`],
    ['--fail-under', `${FAIL_UNDER_GRADES.join(', ')} (the overall grade below it fails; T and M count as F)`],
    ['--severity', `${SEVERITIES.join(', ')} (findings below it are not listed)`],
    ['--checks', CHECK_CATEGORIES.join(',')],
    ['--profile', `${PROFILE_IDS.join(', ')} (repeatable or a comma list; a deviation is a medium finding)`],
  ]);
}

/** Help text appended after each command's own, by command name (a `data` subcommand as "data update"). */
export function helpTexts(): Record<string, string> {
  return {
    scan: [
      exitCodesHelp(['ok', 'failed', 'usage', 'incomplete']),
      scanValues(),
      examples([
        ['secgrade example.com', 'grade a site: live view on a terminal, then its report card'],
        ['secgrade scan https://example.com:8443/login --format json --output report.json', 'one port and path, the JSON report in a file'],
        ['secgrade scan example.com --fail-on high --fail-under B --quiet', 'a CI gate: exit 1 on a high finding or a grade under B; the report only'],
      ]),
    ].join('\n\n'),
    batch: [
      exitCodesHelp([
        ['ok', 'every target scanned completely and no gate failed'],
        ['failed', 'a gate (--fail-on / --fail-under) failed for some target'],
        ['usage', 'usage error, or lines of the list were rejected'],
        ['incomplete', 'some target could not be completed, the batch was interrupted, or a --report/--store failed'],
      ]),
      scanValues('ndjson (a batch streams NDJSON; the other formats: --report FILE.EXT, or `secgrade render`)'),
      examples([
        ['secgrade batch targets.txt --output results.ndjson', 'scan a list (one target per line, or CSV) into NDJSON'],
        ['secgrade batch targets.txt --output results.ndjson --report fleet.html --gentle', 'politely, with a whole-fleet report at the end'],
        ['secgrade batch targets.txt --resume results.ndjson', 'continue an interrupted batch'],
      ]),
    ].join('\n\n'),
    render: [
      exitCodesHelp(['ok', 'usage', ['incomplete', 'the results file could not be read or the output written']]),
      section('Accepted values', [
        ['--format', `${RENDER_FORMATS.join(', ')} (default: from --output's extension, else text)`],
        ['--fail-on', SEVERITIES.join(', ')],
        ['--severity', SEVERITIES.join(', ')],
      ]),
      examples([
        ['secgrade render results.ndjson --output fleet.html', "a batch's results as one report (format from the extension)"],
        ['secgrade render results.ndjson --format text --severity medium', 'the cards, without low and info findings'],
      ]),
    ].join('\n\n'),
    summary: [
      exitCodesHelp(['ok', 'usage', ['incomplete', 'the results file could not be read']]),
      section('Accepted values', [['--format', SUMMARY_FORMATS.join(', ')]]),
      examples([
        ['secgrade summary results.ndjson', 'counts by grade and status of a finished or running batch'],
        ['secgrade summary results.ndjson --format markdown', 'the same as a Markdown table'],
      ]),
    ].join('\n\n'),
    history: [
      exitCodesHelp(['ok', 'usage', ['incomplete', 'the store could not be read']]),
      examples([
        ['secgrade history example.com --store history.db', "a target's stored runs: grades per run and a timeline"],
        ['secgrade history example.com --since 30d --output history.html', 'the last 30 days as an HTML page'],
      ]),
    ].join('\n\n'),
    diff: [
      exitCodesHelp([
        ['ok', 'no regression'],
        ['failed', 'a regression: a grade went down, or a new finding at or above --fail-on'],
        'usage',
        ['incomplete', 'a run could not be read'],
      ]),
      section('Accepted values', [
        ['--format', 'text, json, markdown'],
        ['--fail-on', SEVERITIES.join(', ')],
      ]),
      examples([
        ['secgrade diff before.json after.json', 'what changed between two reports'],
        ['secgrade diff example.com --last 2 --store history.db', "a target's newest stored run against the one before"],
      ]),
    ].join('\n\n'),
    monitor: [
      exitCodesHelp([
        ['ok', 'stopped by SIGINT/SIGTERM; with --once: no alert is firing'],
        ['failed', 'with --once: an alert is firing'],
        'usage',
        ['incomplete', 'with --once: a scan did not complete'],
      ]),
      examples([
        ['secgrade monitor monitor.yaml', 'scan on the config’s schedules, alert on regressions'],
        ['secgrade monitor monitor.yaml --once --quiet', 'one round, e.g. from cron or CI'],
      ]),
    ].join('\n\n'),
    worker: [
      exitCodesHelp([['ok', 'stopped by SIGINT/SIGTERM'], 'usage', ['incomplete', 'the queue could not be used']]),
      examples([['secgrade worker --queue redis://127.0.0.1:6379/0 --concurrency 4', 'run the jobs `secgrade batch FILE --queue …` enqueued']]),
    ].join('\n\n'),
    demo: [
      exitCodesHelp(['ok', 'failed', 'usage', 'incomplete']),
      scanValues(),
      examples([
        ['secgrade demo', 'start the bundled lab of local servers and grade every lab domain'],
        ['secgrade demo --format ndjson --quiet > lab.ndjson', 'the lab reports as NDJSON, nothing else'],
      ]),
    ].join('\n\n'),
    lab: [
      exitCodesHelp([['ok', 'stopped by SIGINT/SIGTERM'], 'usage', ['incomplete', 'the lab could not start']]),
      examples([
        ['secgrade lab', 'serve the lab until Ctrl-C; the JSON line names its DNS server and CA file'],
        ['secgrade lab --domains 1000', 'also 1000 generated domains, for batch tests'],
      ]),
    ].join('\n\n'),
    data: [
      'Without a subcommand, `secgrade data` prints this help on stderr and exits 2,\nas git does for a bare command group.',
      exitCodesHelp([
        ['ok', 'done'],
        ['failed', 'data update: a download was rejected (bad signature or content)'],
        'usage',
        ['incomplete', 'an error: the cache folder could not be read or written'],
      ]),
      examples([
        ['secgrade data status', 'which copy of each reference list scans use, and its date'],
        ['secgrade data update', 'fetch fresher, verified copies (offline: keeps the shipped ones)'],
      ]),
    ].join('\n\n'),
    'data update': [
      exitCodesHelp([['ok', 'every list updated or kept'], ['failed', 'a download was rejected'], 'usage', ['incomplete', 'an error: the cache folder could not be written']]),
      examples([['secgrade data update --timeout 10000', 'fetch the CT log list and HSTS preload list, 10 s per download']]),
    ].join('\n\n'),
    'data status': [exitCodesHelp([['ok', 'done'], 'usage']), examples([['secgrade data status', 'the list in use, its source and date']])].join('\n\n'),
    schema: [exitCodesHelp([['ok', 'done']]), examples([['secgrade schema > report.schema.json', 'the JSON Schema of the report']])].join('\n\n'),
  };
}

/** Append each command's text (after commander's own help); a blank line sets it apart. */
export function addHelpTexts(program: Command): void {
  const texts = helpTexts();
  const visit = (cmd: Command, path: string) => {
    const text = texts[path];
    if (text) cmd.addHelpText('after', `\n${text}`);
    for (const sub of cmd.commands) visit(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  for (const cmd of program.commands) visit(cmd, cmd.name());
}
