// CSV cells and rows as RFC 4180 writes them (CRLF line ends; a cell with a comma, quote or line
// break is quoted, its quotes doubled), safe to open in a spreadsheet: a cell that starts with
// = + - @ (or a tab or carriage return, which some spreadsheets skip before them) would run as a
// formula, so it gets a leading apostrophe as OWASP advises ("CSV Injection").

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  // Numbers are data, not text a formula could hide in (a negative count stays a number).
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (cells: ReadonlyArray<string | number | boolean | null | undefined>): string => cells.map(csvCell).join(',') + '\r\n';
