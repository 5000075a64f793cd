// Reads an NDJSON file a line at a time with each line's byte range, so resume and `summary` stay
// flat in memory on a 100,000-target file (a report is tens of kilobytes) and resume knows where
// the last complete line ends. A last line without its newline is torn (the writer was killed
// mid-write, or the disk lost the tail): it is reported as such, never parsed as a result.
import { createReadStream } from 'node:fs';

export interface NdjsonLine {
  /** The line without its newline. */
  text: string;
  /** Byte offset of the line's first byte, and of the byte after its newline. */
  start: number;
  end: number;
  /** false for a last line that has no newline: a torn write. */
  complete: boolean;
}

export async function* readNdjsonLines(path: string): AsyncGenerator<NdjsonLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let offset = 0; // where `pending` starts in the file
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl);
      const line = pendingBytes ? Buffer.concat([...pending, piece]) : piece;
      const end = offset + line.length + 1;
      yield { text: line.toString('utf8'), start: offset, end, complete: true };
      offset = end;
      pending = [];
      pendingBytes = 0;
      from = nl + 1;
    }
    if (from < chunk.length) {
      pending.push(chunk.subarray(from));
      pendingBytes += chunk.length - from;
    }
  }
  if (pendingBytes) yield { text: Buffer.concat(pending).toString('utf8'), start: offset, end: offset + pendingBytes, complete: false };
}

/** JSON.parse that answers undefined instead of throwing (a corrupt line is skipped, not fatal). */
export function parseJsonLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
