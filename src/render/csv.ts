// CSV cells and rows as RFC 4180 writes them (CRLF line ends; a cell with a comma, quote or line
// break is quoted, its quotes doubled), safe to open in a spreadsheet. OWASP's "CSV Injection" page
// (owasp.org/www-community/attacks/CSV_Injection) lists what a cell must not begin with, because a
// spreadsheet would run it as a formula: = + - @, tab (0x09), carriage return (0x0D), line feed
// (0x0A), and the full-width ＝ ＋ － ＠ some locales also read as formulas. Such a cell gets a
// leading apostrophe, as it advises. A space is not on that list, so " =1" is left as it is.

const FORMULA_START = /^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  // Numbers are data, not text a formula could hide in (a negative count stays a number).
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (cells: ReadonlyArray<string | number | boolean | null | undefined>): string => cells.map(csvCell).join(',') + '\r\n';
