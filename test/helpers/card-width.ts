// The card's width rule, for tests: no line wider than the terminal, except a URL longer than the
// whole width, which is printed whole at column 0 on a line of its own (a broken link cannot be copied).
import { displayWidth, stripAnsi } from '../../src/render/style.js';

/** A line that is nothing but one URL (maybe in parentheses), from column 0. */
const LONE_URL = /^\(?(?:https?|ftp):\/\/\S+$/;

/** The lines of `text` that break the rule (empty when the card fits). */
export function linesTooWide(text: string, width: number): string[] {
  return stripAnsi(text)
    .replace(/\r/g, '')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => displayWidth(line) > width && !LONE_URL.test(line));
}
