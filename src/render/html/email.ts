// The domain's email security: the grade's score table with the points each check lost, its caps
// and what stayed untested, then each record (SPF, DMARC, DKIM, MTA-STS, TLS-RPT, BIMI), the MX
// hosts' STARTTLS and DANE, and DNSSEC. Record text comes from DNS: hostile, escaped.
import type { EmailResult } from '../../model/report.js';
import { esc } from './page.js';
import { badge, code, h, kv, muted, rowTh, table, td, toned, tr, yesNo, type Tone } from './parts.js';

const statusTone = (s: string): Tone | null =>
  s === 'pass' || s === 'found' ? 'good' : s === 'fail' || s === 'invalid' || s === 'error' || s === 'multiple' ? 'bad' : s === 'missing' ? 'warn' : null;

/** A check's status in words; "not-tested"/"pending"-like statuses stay muted, never a pass. */
function checkStatus(s: string): string {
  if (s === 'not-applicable') return muted('not applicable');
  if (s === 'pass' || s === 'fail') return toned(s, statusTone(s));
  return muted(s.replace(/-/g, ' '));
}

function ratingHtml(e: EmailResult, level: number): string {
  const r = e.rating;
  if (!r) return `<p class="muted">No email score: the checks it needs did not run.</p>\n`;
  const rows = r.checks.map((c) => {
    const lost = c.max - c.points;
    return tr([
      rowTh(esc(c.label)),
      td(esc(c.weight)),
      td(checkStatus(c.status)),
      td(c.max ? `${c.points} / ${c.max}` : '', 'num'),
      td(lost > 0 ? toned(`\u2212${lost}`, 'bad') : c.max ? '0' : '', 'num'),
      td(esc(c.reason), 'wrap'),
    ]);
  });
  const lostTotal = r.checks.reduce((a, c) => a + Math.max(0, c.max - c.points), 0);
  const out = [h(level, 'Score')];
  out.push(`<p>Score ${r.score === null ? muted('not computed') : esc(String(r.score))}${lostTotal ? ` · ${lostTotal} points lost` : ''}${r.reasons.length ? `: ${esc(r.reasons.join('; '))}` : ''}</p>\n`);
  out.push(table('Email checks and the points each lost', [{ head: 'Check' }, { head: 'Weight' }, { head: 'Status' }, { head: 'Points', num: true }, { head: 'Lost', num: true }, { head: 'Reason' }], rows.join('')));
  out.push(
    r.caps.length
      ? `<p><strong>Grade caps</strong></p><ul class="caps">${r.caps.map((c) => `<li>capped at ${badge(c.grade)}: ${esc(c.reason)}</li>`).join('')}</ul>\n`
      : `<p>No cap applies.</p>\n`,
  );
  if (r.pending.length) {
    out.push(
      `<p><strong>Not tested</strong> (could still change the grade: best ${badge(r.best ?? null)}, worst ${badge(r.worst ?? null)})</p><ul class="caps">${r.pending.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>\n`,
    );
  }
  return out.join('');
}

const recordStatus = (s: string | undefined, reason?: string): string => (s ? toned(s, statusTone(s)) + (reason ? ` — ${esc(reason)}` : '') : muted('not tested'));
const list = (xs: readonly string[] | undefined): string | null => (xs && xs.length ? esc(xs.join(', ')) : null);
const record = (r: string | null | undefined): string | null => (r ? `<code>${esc(r)}</code>` : null);

function recordsHtml(e: EmailResult, level: number): string {
  const out: string[] = [];
  const sec = (title: string, body: string): void => {
    out.push(h(level, title), body || `<p class="muted">not tested</p>\n`);
  };
  const spf = e.spf;
  sec(
    'SPF',
    spf
      ? kv([
          ['Status', recordStatus(spf.status, spf.reason)],
          ['Record', record(spf.record)],
          ['All', spf.effectiveAll ?? spf.all ? code(spf.effectiveAll ?? spf.all ?? '') : null],
          ['DNS lookups', spf.lookups === null ? null : `${spf.lookups} of 10${spf.incomplete ? ' (at least: part of the tree could not be checked)' : ''}`],
          ['Void lookups', spf.voidLookups === null ? null : `${spf.voidLookups} of 2`],
          ['Errors', list(spf.errors)],
          ['Warnings', list(spf.warnings)],
        ])
      : '',
  );
  const d = e.dmarc;
  sec(
    'DMARC',
    d
      ? kv([
          ['Status', recordStatus(d.status, d.reason)],
          ['Record', record(d.record)],
          ['Policy', d.policy ? toned(d.policy, d.policy === 'none' ? 'bad' : 'good') : null],
          ['Subdomain policy', d.subdomainPolicy ? esc(d.subdomainPolicy) : null],
          ['Percentage', d.pct === null ? null : `${esc(String(d.pct))}%`],
          ['Aggregate reports to', list(d.rua)],
          ['Reporting authorised', d.rua.length ? yesNo(d.ruaAuthorized, true) : null],
          ['Invalid report addresses', list(d.ruaInvalid)],
        ])
      : '',
  );
  const k = e.dkim;
  sec(
    'DKIM',
    k
      ? kv([
          ['Status', recordStatus(k.status, k.reason)],
          ['Selectors tried', `${k.selectorsTried.length} common selectors`],
          ['Keys found', k.selectors.length ? esc(k.selectors.map((s) => `${s.name} (${s.keyType}${s.keyBits ? ` ${s.keyBits} bits` : ''}${s.testing ? ', testing' : ''})`).join(', ')) : 'none'],
          ['Discarded keys', k.invalid?.length ? esc(k.invalid.map((i) => `${i.name}: ${i.reason}`).join('; ')) : null],
        ])
      : '',
  );
  const m = e.mtaSts;
  sec(
    'MTA-STS',
    m
      ? kv([
          ['Status', recordStatus(m.status)],
          ['Mode', m.mode ? toned(m.mode, m.mode === 'enforce' ? 'good' : 'warn') : null],
          ['Max age', m.maxAge === null ? null : `${esc(String(m.maxAge))} s`],
          ['MX patterns', list(m.mx)],
          ['Policy usable', m.policyValid === undefined || (m.policyValid === null && m.status === 'missing') ? null : yesNo(m.policyValid, true)],
          ['MX not covered', m.mxNotCovered?.length ? toned(m.mxNotCovered.join(', '), 'bad') : null],
        ])
      : '',
  );
  sec('TLS-RPT', e.tlsRpt ? kv([['Status', recordStatus(e.tlsRpt.status)], ['Reports to', list(e.tlsRpt.rua)]]) : '');
  sec('BIMI', e.bimi ? kv([['Status', recordStatus(e.bimi.status)], ['Record', record(e.bimi.record)], ['Logo', e.bimi.logo ? code(e.bimi.logo) : null]]) : '');
  const dd = e.dnssecDetail;
  sec(
    'DNSSEC',
    kv([
      ['Validated', yesNo(e.dnssec, true)],
      ['Signed', dd ? yesNo(dd.signed, true) : null],
      ['Delegated (DS at the parent)', dd ? yesNo(dd.delegated, true) : null],
      ['Algorithms', dd?.algorithms.length ? esc(dd.algorithms.join(', ')) : null],
      ['Detail', dd?.reason ? esc(dd.reason) : null],
    ]),
  );
  return out.join('');
}

const MX_STATUS: Record<string, string> = {
  regular: 'MX records',
  'null-mx': 'null MX: the domain takes no mail (RFC 7505)',
  'invalid-null-mx': 'invalid null MX',
  none: 'no MX (senders fall back to the address records)',
  error: 'MX lookup failed',
};

function mxHtml(e: EmailResult, level: number): string {
  const out = [h(level, 'MX hosts and STARTTLS')];
  if (e.mxStatus) out.push(`<p>${esc(MX_STATUS[e.mxStatus] ?? e.mxStatus)}</p>\n`);
  if (!e.mx.length) return out.join('');
  const rows = e.mx.map((x) => {
    const protos = x.tls?.protocols ? Object.entries(x.tls.protocols).filter(([, v]) => v === true).map(([p]) => p) : null;
    const leaf = x.tls?.certificates?.[0];
    return tr([
      rowTh(esc(x.host)),
      td(String(x.preference), 'num'),
      td(esc(x.ip ? `${x.ip}${x.port ? `:${x.port}` : ''}` : '')),
      td(yesNo(x.starttls, true, ['offered', 'not offered'])),
      td(protos === null ? muted('not tested') : esc(protos.join(', ') || 'none')),
      td(leaf ? yesNo(leaf.trusted, true, ['trusted', 'not trusted']) : muted('not tested')),
      td(x.daneStatus ? esc(x.daneStatus) + (x.daneSummary ? ` — ${esc(x.daneSummary)}` : '') : yesNo(x.dane, true)),
      td(x.grade !== undefined ? badge(x.grade) : muted('not graded')),
      td(esc([x.reason, x.gradeNote].filter(Boolean).join('; ')), 'wrap'),
    ]);
  });
  out.push(
    table(
      'MX hosts',
      [{ head: 'Host' }, { head: 'Preference', num: true }, { head: 'Address' }, { head: 'STARTTLS' }, { head: 'Protocols' }, { head: 'Certificate' }, { head: 'DANE' }, { head: 'Grade' }, { head: 'Note' }],
      rows.join(''),
    ),
  );
  return out.join('');
}

/** The email section's body (under a heading at `level − 1` the caller writes). */
export function emailHtml(e: EmailResult | null, level: number): string {
  if (!e) return `<p class="muted">Email: not tested.</p>\n`;
  const out = [`<p>Email grade ${badge(e.grade)}</p>\n`];
  if (e.status !== 'ok') out.push(`<p class="panel">Email ${toned(e.status === 'skipped' ? 'not tested' : 'could not be fully tested', 'warn')}${e.reason ? `: ${esc(e.reason)}` : ''}</p>\n`);
  out.push(ratingHtml(e, level), recordsHtml(e, level), mxHtml(e, level));
  return out.join('');
}
