// A target list read as a stream, one item at a time, in file order: what parseTargetList
// (input.ts) finds in the whole text — the same format decision, entries, bad lines and line
// numbers — without ever holding the list. A batch of 100,000 targets reads its list twice this way
// (to check it and count it, then to make the jobs) and keeps none of it.
import { Readable, pipeline } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse as csvParser } from 'csv-parse';
import { csvFailure, csvItem, csvOptions, isCsvHeader, isFiller, lineItem, type CsvInfo, type InputEntry, type InputProblem } from './input.js';

export type ListItem = ({ kind: 'entry' } & InputEntry) | ({ kind: 'problem' } & InputProblem);

const tagged = (item: InputEntry | InputProblem): ListItem => ('message' in item ? { kind: 'problem', ...item } : { kind: 'entry', ...item });

/**
 * The text's lines, as `text.split('\n')` gives them (a last, unterminated piece included, even
 * empty), from chunks of any size; a leading BOM dropped. `last` marks the final piece.
 */
async function* splitLines(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<{ text: string; last: boolean }> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let first = true;
  const take = (s: string): string => {
    if (first && s !== '') {
      first = false;
      if (s.startsWith('\uFEFF')) return s.slice(1); // a BOM from a spreadsheet export
    }
    return s;
  };
  for await (const chunk of chunks) {
    carry += take(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let nl: number;
    let from = 0;
    while ((nl = carry.indexOf('\n', from)) !== -1) {
      yield { text: carry.slice(from, nl), last: false };
      from = nl + 1;
    }
    carry = carry.slice(from);
  }
  carry += take(decoder.end());
  yield { text: carry, last: true };
}

/** Every entry and bad line of the list, in order. Throws InputError when the CSV header cannot be read. */
export async function* readTargetList(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<ListItem> {
  const lines = splitLines(chunks);
  // The first line that is not blank or a comment decides the format: hold lines until then.
  // (Read by hand: leaving a for-await loop would close the generator.)
  const held: Array<{ text: string; last: boolean }> = [];
  let csv = false;
  for (let r = await lines.next(); !r.done; r = await lines.next()) {
    held.push(r.value);
    if (!isFiller(r.value.text)) {
      csv = isCsvHeader(r.value.text);
      break;
    }
  }
  async function* all(): AsyncGenerator<{ text: string; last: boolean }> {
    yield* held.splice(0);
    yield* lines;
  }
  if (!csv) {
    let n = 0;
    for await (const { text } of all()) {
      const item = lineItem(text, ++n);
      if (item !== null) yield tagged(item);
    }
    return;
  }
  yield* readCsv(all());
}

/** The CSV form: the lines (CRLF as LF, as input.ts feeds csv-parse) through csv-parse's stream. */
async function* readCsv(lines: AsyncIterable<{ text: string; last: boolean }>): AsyncGenerator<ListItem> {
  const skipped: InputProblem[] = [];
  const parser = csvParser(csvOptions((p) => skipped.push(p)));
  async function* text(): AsyncGenerator<string> {
    for await (const { text, last } of lines) {
      const line = text.endsWith('\r') ? text.slice(0, -1) : text;
      if (!last) yield `${line}\n`;
      else if (text !== '') yield text; // unterminated: exactly as in the whole text
    }
  }
  // pipeline: a read error of the list reaches the parser, and so the loop below.
  const records = pipeline(Readable.from(text()), parser, () => undefined);
  try {
    for await (const row of records as AsyncIterable<CsvInfo>) {
      // Rows skipped before this one come first. (csv-parse may have read, and skipped, rows after
      // it already: those wait for their turn.)
      while (skipped.length && skipped[0]!.line < row.info.lines) yield { kind: 'problem', ...skipped.shift()! };
      yield tagged(csvItem(row));
    }
  } catch (err) {
    throw csvFailure(err);
  }
  for (const p of skipped.splice(0)) yield { kind: 'problem', ...p };
}
