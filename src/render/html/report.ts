// One target's report as HTML: the grade badges and what could not be tested, then TLS per
// endpoint, HTTP, email, the findings and where the data came from. Used alone (a one-target page,
// sections at h2) and inside a batch page (each target collapsible, sections one level deeper).
import type { Report, Severity } from '../../model/report.js';
import { emailHtml } from './email.js';
import { findingsHtml } from './findings.js';
import { httpHtml } from './http.js';
import { esc } from './page.js';
import { badge, code, dateText, h, kv, muted, rowTh, table, td, toned, tr } from './parts.js';
import { endpointHtml } from './tls.js';

/** host:port, IPv6 literals bracketed. */
export const targetLabel = (r: Pick<Report, 'target'>): string => `${r.target.scheme ? `${r.target.scheme}://` : ''}${r.target.host.includes(':') ? `[${r.target.host}]:${r.target.port}` : `${r.target.host}:${r.target.port}`}`;

const STATUS_WORDS: Record<Report['status'], string> = {
  ok: 'complete',
  partial: 'partial: some checks could not complete (their parts are not tested, not passed)',
  interrupted: 'interrupted: the scan was stopped before it finished',
  error: 'failed: nothing could be tested',
};

export function statusText(s: Report['status']): string {
  return s === 'ok' ? toned('complete', 'good') : toned(s === 'error' ? 'failed' : s, s === 'partial' ? 'warn' : 'bad');
}

function badgesHtml(r: Report): string {
  const item = (label: string, g: Report['grades']['overall'], reason: string | undefined): string =>
    `<li><span class="label">${esc(label)}</span>${badge(g)}${g === null && reason ? `<span class="muted">${esc(reason)}</span>` : ''}</li>`;
  const why = r.gradeReasons ?? {};
  return (
    `<ul class="badges" aria-label="Grades">` +
    item('Overall', r.grades.overall, why.overall) +
    item('TLS', r.grades.tls, why.tls) +
    item('HTTP', r.grades.http, why.http) +
    item('Email', r.grades.email, why.email) +
    `</ul>\n`
  );
}

function statusHtml(r: Report): string {
  const out: string[] = [];
  if (r.status !== 'ok' || r.reason || r.incomplete?.length) {
    out.push(`<div class="panel" role="note"><p><strong>Scan ${esc(STATUS_WORDS[r.status])}</strong>${r.reason ? ` — ${esc(r.reason)}` : ''}</p>`);
    if (r.incomplete?.length) {
      out.push(`<p>Not tested:</p><ul class="caps">${r.incomplete.map((i) => `<li>${esc(i.section)} · ${code(i.probe)}${i.subject ? ` · ${esc(i.subject)}` : ''}: ${esc(i.reason)}</li>`).join('')}</ul>`);
    }
    out.push(`</div>\n`);
  }
  const gaps = r.probes.filter((p) => p.status !== 'ok');
  if (gaps.length) {
    out.push(
      table(
        'Checks skipped or not completed (their parts are not tested)',
        [{ head: 'Probe' }, { head: 'Subject' }, { head: 'Status' }, { head: 'Error kind' }, { head: 'Reason' }],
        gaps.map((p) => tr([rowTh(code(p.id)), td(esc(p.subject)), td(p.status === 'error' ? toned('error', 'bad') : muted(p.status)), td(esc(p.errorKind ?? '')), td(esc(p.reason ?? ''), 'wrap')])).join(''),
      ),
    );
  }
  return out.join('');
}

function caaHtml(r: Report, level: number): string {
  const caa = r.dns?.caa;
  if (!r.dns) return '';
  if (!caa) return h(level, 'CAA') + `<p class="muted">not tested${r.dns.reason ? `: ${esc(r.dns.reason)}` : ''}</p>\n`;
  const rows = caa.records.map((c) => tr([rowTh(esc(c.tag)), td(code(c.value), 'wrap'), td(String(c.flags), 'num')]));
  return (
    h(level, 'CAA') +
    kv([
      ['Found at', caa.foundAt ? esc(caa.foundAt) : 'no CAA record: any CA may issue'],
      ['Issuer allowed', caa.issuerPlausible === null ? muted(`cannot say${caa.issuerPlausibleReason ? `: ${caa.issuerPlausibleReason}` : ''}`) : toned(caa.issuerPlausible ? 'yes' : 'no', caa.issuerPlausible ? 'good' : 'bad')],
    ]) +
    (rows.length ? table('CAA records', [{ head: 'Tag' }, { head: 'Value' }, { head: 'Flags', num: true }], rows.join('')) : '')
  );
}

function aboutHtml(r: Report): string {
  const ds = r.dataSources ?? [];
  return (
    kv([
      ['Tool', `${esc(r.tool.name)} ${esc(r.tool.version)}, grading rules ${esc(r.algorithmVersion)}`],
      ['Started', esc(dateText(r.startedAt))],
      ['Duration', `${(r.durationMs / 1000).toFixed(1)} s`],
      ['Port', `${r.target.port}${r.target.portSource ? ` (${esc(r.target.portSource)})` : ''}`],
      ['Batch job', r.job ? `${code(r.job.runId)} · ${esc(r.job.input)}${r.job.line !== undefined ? ` (line ${r.job.line})` : ''}` : null],
    ]) +
    (ds.length ? table('Reference data used', [{ head: 'Data' }, { head: 'Version' }, { head: 'Date' }, { head: 'Source' }], ds.map((d) => tr([rowTh(esc(d.name)), td(esc(d.version)), td(esc(d.date)), td(esc(d.source))])).join('')) : '')
  );
}

export interface ReportLayout {
  /** Heading level of the report's sections (2 alone on a page, 4 inside a batch's target). */
  level: number;
  /** Prefix of every fragment id of this report, unique on the page. */
  idp: string;
  minSeverity: Severity | null;
}

export const SECTIONS = [
  ['grades', 'Grades'],
  ['tls', 'TLS'],
  ['http', 'HTTP'],
  ['email', 'Email'],
  ['findings', 'Findings'],
  ['about', 'About this scan'],
] as const;

/** A table of contents for the report's sections. */
export function tocHtml(idp: string, label: string): string {
  return `<nav class="toc" aria-label="${esc(label)}"><ul class="badges">${SECTIONS.map(([id, t]) => `<li><a href="#${idp}-${id}">${esc(t)}</a></li>`).join('')}</ul></nav>\n`;
}

/** The report's sections (no page frame, no title). */
export function reportBody(r: Report, l: ReportLayout): string {
  const { level, idp } = l;
  const sec = (id: string, title: string, body: string): string => `<section aria-labelledby="${idp}-${id}">${h(level, esc(title), ` id="${idp}-${id}"`)}\n${body}</section>\n`;
  const tls = r.endpoints.length
    ? r.endpoints.map((ep, i) => endpointHtml(ep, level + 1, `${idp}-ep${i + 1}`)).join('')
    : `<p class="muted">TLS: not tested (no endpoint${r.status === 'error' ? ' could be reached' : ' was scanned'}).</p>\n`;
  return (
    sec('grades', 'Grades', badgesHtml(r) + statusHtml(r)) +
    sec('tls', 'TLS', `<p>TLS grade ${badge(r.grades.tls)}</p>\n` + tls + caaHtml(r, level + 1)) +
    sec('http', 'HTTP', httpHtml(r.http, level + 1)) +
    sec('email', 'Email', emailHtml(r.email, level + 1)) +
    sec('findings', 'Findings', findingsHtml(r.findings, l.minSeverity, level + 1, idp)) +
    sec('about', 'About this scan', aboutHtml(r))
  );
}
