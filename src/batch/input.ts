// A list of targets, as `secgrade batch FILE|-` reads it: one target per line with optional
// per-line flags (`example.com --ip 192.0.2.1 --checks tls`), `#` comments and blank lines; or a
// CSV with a header (`target,ip,sni,checks,dns,tags`, RFC 4180 quoting). Pure: the CLI reads the
// file and validates each entry's values with the same code as `scan` (so a per-line --checks
// means exactly what the flag means); here only the shape of each line is judged.
//
// A bad line is a problem with its line number, never a reason to stop: the rest of the list is
// still scanned. Only a CSV header that cannot be read fails the whole input (no row could be).
import type { Options as CsvOptions } from 'csv-parse';
import { parse as parseCsv } from 'csv-parse/sync';

/** Flags a line may carry: what differs between targets. The rest apply to the whole batch. */
export const LINE_FLAGS = ['--ip', '--sni', '--checks', '--dns', '--tags'] as const;
export type LineFlag = (typeof LINE_FLAGS)[number];

/** CSV columns: `target` and one per line flag. */
export const CSV_COLUMNS = ['target', 'ip', 'sni', 'checks', 'dns', 'tags'] as const;

/** A line's raw flag values, named as commander names `scan`'s (so they merge with the batch's flags). */
export interface LineFlags {
  ip?: string[];
  sni?: string;
  checks?: string;
  dns?: string;
  tags?: string[];
}

export interface InputEntry {
  /** 1-based line of the file (for a CSV record spanning lines, the line it ends on). */
  line: number;
  target: string;
  flags: LineFlags;
}

export interface InputProblem {
  line: number;
  message: string;
}

export interface ParsedInput {
  format: 'lines' | 'csv';
  entries: InputEntry[];
  problems: InputProblem[];
}

/** The whole input cannot be read (a CSV header with an unknown column …). */
export class InputError extends Error {
  override name = 'InputError';
}

/** Tags are free words for the reader's grouping: split on commas, semicolons and spaces. */
const splitTags = (raw: string): string[] => raw.split(/[\s,;]+/).filter(Boolean);

/** Whether a line says nothing: blank, or a comment. */
export const isFiller = (line: string): boolean => {
  const t = line.trim();
  return t === '' || t.startsWith('#');
};

/**
 * The first line that is not blank or a comment decides: a header with a `target` cell is CSV (no
 * target name holds a comma, so a plain list never looks like one).
 */
export function isCsvHeader(line: string): boolean {
  const t = line.trim();
  return t.includes(',') && t.split(',').some((cell) => /^\s*"?target"?\s*$/i.test(cell));
}

function looksLikeCsv(text: string): boolean {
  for (const raw of text.split('\n')) if (!isFiller(raw)) return isCsvHeader(raw);
  return false;
}

export function parseTargetList(text: string): ParsedInput {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text; // a BOM from a spreadsheet export
  return looksLikeCsv(body) ? parseCsvList(body) : parseLines(body);
}

/** Set one flag's value on `flags`; a message when the line cannot carry it. */
function setFlag(flags: LineFlags, name: string, value: string): string | null {
  switch (name as LineFlag) {
    case '--ip':
      (flags.ip ??= []).push(value);
      return null;
    case '--tags':
      (flags.tags ??= []).push(...splitTags(value));
      return null;
    case '--sni':
    case '--checks':
    case '--dns': {
      const key = name.slice(2) as 'sni' | 'checks' | 'dns';
      if (flags[key] !== undefined) return `${name} given twice`;
      flags[key] = value;
      return null;
    }
    default:
      return notPerLine(name);
  }
}

const notPerLine = (name: string): string =>
  `${name} cannot be set per line (per line: ${LINE_FLAGS.join(', ')}; give it on the command line to apply it to every target)`;

/** One line of the plain form: `target [--flag value | --flag=value]… [# comment]`. */
export function parseLine(text: string): { target: string; flags: LineFlags } | { error: string } | null {
  const tokens: string[] = [];
  for (const token of text.trim().split(/\s+/)) {
    if (token === '') continue;
    if (token.startsWith('#')) break; // the rest of the line is a comment
    tokens.push(token);
  }
  if (tokens.length === 0) return null;
  const flags: LineFlags = {};
  const targets: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (!token.startsWith('-')) {
      targets.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq > 0 ? token.slice(0, eq) : token;
    if (!(LINE_FLAGS as readonly string[]).includes(name)) return { error: notPerLine(name) };
    let value: string | undefined;
    if (eq > 0) value = token.slice(eq + 1);
    else {
      value = tokens[i + 1];
      if (value === undefined || value.startsWith('--')) return { error: `${name} needs a value` };
      i++;
    }
    if (value === '') return { error: `${name} needs a value` };
    const problem = setFlag(flags, name, value);
    if (problem) return { error: problem };
  }
  if (targets.length === 0) return { error: 'no target on the line' };
  if (targets.length > 1) return { error: `more than one target ("${targets.join(' ')}"): one target per line` };
  return { target: targets[0] as string, flags };
}

/** Line `line` (1-based) of a plain list: an entry, a problem, or nothing (blank, comment). */
export function lineItem(raw: string, line: number): InputEntry | InputProblem | null {
  const parsed = parseLine(raw.replace(/\r$/, ''));
  if (parsed === null) return null;
  return 'error' in parsed ? { line, message: parsed.error } : { line, ...parsed };
}

export const isProblem = (item: InputEntry | InputProblem): item is InputProblem => 'message' in item;

function parseLines(text: string): ParsedInput {
  const entries: InputEntry[] = [];
  const problems: InputProblem[] = [];
  text.split('\n').forEach((raw, i) => {
    const item = lineItem(raw, i + 1);
    if (item === null) return;
    if (isProblem(item)) problems.push(item);
    else entries.push(item);
  });
  return { format: 'lines', entries, problems };
}

type CsvRecord = Record<string, string>;
/** What csv-parse gives per record with `info: true` (only the fields read here). */
export interface CsvInfo {
  record: CsvRecord;
  info: { lines: number };
}

/**
 * csv-parse's options for a target list, the same for the whole text (sync) and for a stream
 * (list-stream.ts): a bad row goes to `onProblem`; a bad header throws InputError. The input must
 * have its CRLF turned to LF: csv-parse counts a CRLF inside a quoted cell as two lines, which would
 * shift the line numbers of every later row (no cell we read keeps a line break anyway).
 */
export function csvOptions(onProblem: (p: InputProblem) => void): CsvOptions {
  return {
    columns: (names: string[]) => {
      const header = names.map((n) => n.trim().toLowerCase());
      const unknown = header.filter((n) => !(CSV_COLUMNS as readonly string[]).includes(n));
      if (unknown.length) throw new InputError(`CSV header: unknown column "${unknown[0]}" (columns: ${CSV_COLUMNS.join(', ')})`);
      if (new Set(header).size !== header.length) throw new InputError('CSV header: a column is named twice');
      return header;
    },
    info: true,
    comment: '#',
    comment_no_infix: true,
    skip_empty_lines: true,
    trim: true,
    // A row that cannot be read (wrong number of cells, a stray quote) is one bad line, not the end.
    skip_records_with_error: true,
    on_skip: (err: { message: string; lines?: number } | undefined) => {
      if (err) onProblem({ line: err.lines ?? 0, message: `CSV: ${err.message.replace(/^Invalid Record Length: /, '')}` });
      return undefined;
    },
  };
}

/** A CSV error that is not ours (InputError) is still the whole input's: say it comes from the CSV. */
export const csvFailure = (err: unknown): unknown => (err instanceof InputError || !(err instanceof Error) ? err : new InputError(`CSV: ${err.message}`));

/** One CSV record as an entry, or the problem with it. */
export function csvItem({ record, info }: CsvInfo): InputEntry | InputProblem {
  const line = info.lines;
  const target = record['target'] ?? '';
  if (target === '') return { line, message: 'no target in the row' };
  const flags: LineFlags = {};
  // Several addresses in one cell: separated by spaces or semicolons (a comma would need quoting).
  const ip = (record['ip'] ?? '').split(/[\s;,]+/).filter(Boolean);
  if (ip.length) flags.ip = ip;
  for (const key of ['sni', 'checks', 'dns'] as const) if (record[key]) flags[key] = record[key];
  const tags = splitTags(record['tags'] ?? '');
  if (tags.length) flags.tags = tags;
  return { line, target, flags };
}

function parseCsvList(text: string): ParsedInput {
  const problems: InputProblem[] = [];
  let rows: CsvInfo[];
  try {
    rows = parseCsv(text.replace(/\r\n/g, '\n'), csvOptions((p) => problems.push(p))) as unknown as CsvInfo[];
  } catch (err) {
    throw csvFailure(err);
  }
  const entries: InputEntry[] = [];
  for (const row of rows) {
    const item = csvItem(row);
    if (isProblem(item)) problems.push(item);
    else entries.push(item);
  }
  return { format: 'csv', entries, problems };
}
