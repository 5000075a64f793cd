// `--format text`: the report card as plain lines for pipes and logs.
// The card's content is built once as CardLine[] (reportCardLines) and laid out here as text; the Ink
// ReportCard (ui/ReportCard.tsx) renders the very same lines with Ink boxes, so the two cannot drift.
import type { Renderer } from './renderer.js';
import { PROTOCOLS } from '../model/constants.js';
import type { DnsResult, EmailResult, EndpointReport, Finding, HttpResult, Report } from '../model/report.js';
import { sortFindings } from '../model/severity.js';
import {
  daysRemainingSeg,
  displayWidth,
  endpointLabel,
  formatDuration,
  goodIfTrue,
  gradeSegs,
  hardSplit,
  KEY_HEADERS,
  leafCertificate,
  paint,
  protocolTone,
  seg,
  segText,
  SEVERITY_TAG,
  SEVERITY_TAG_WIDTH,
  severityTone,
  showsDetail,
  triState,
  truncate,
  type Seg,
  type Tone,
} from './style.js';

/**
 * One logical line of a card: an optional prefix (label or severity tag) filling the first `indent`
 * columns, then items separated by `gap` spaces. Items wrap as units onto continuation lines that
 * start at `indent`; an item wider than the space left is broken at its spaces.
 */
export interface CardLine {
  indent: number;
  prefix?: Seg[];
  items: Seg[][];
  gap: number;
}

export const FIELD_INDENT = 2;
export const LABEL_WIDTH = 12;
/** Column where a finding's title and its detail lines start. */
export const FINDING_INDENT = FIELD_INDENT + SEVERITY_TAG_WIDTH + 2;

const blank = (): CardLine => ({ indent: 0, items: [], gap: 0 });
const heading = (...items: Seg[][]): CardLine => ({ indent: 0, items, gap: 2 });
const field = (label: string, items: Seg[][]): CardLine => ({
  indent: FIELD_INDENT + LABEL_WIDTH,
  prefix: [seg(' '.repeat(FIELD_INDENT) + label)],
  items,
  gap: 2,
});
/** Free text under a finding: one item, broken at spaces only when it does not fit. */
const note = (segs: Seg[]): CardLine => ({ indent: FINDING_INDENT, items: [segs], gap: 1 });

/** The report card as layout-independent lines (used by renderText and the Ink ReportCard). */
export function reportCardLines(report: Report): CardLine[] {
  return [
    ...headerLines(report),
    ...report.endpoints.flatMap((e) => [blank(), ...endpointLines(e)]),
    blank(),
    ...httpLines(report.http),
    ...(report.email ? [blank(), ...emailLines(report.email)] : []),
    ...(report.dns ? [blank(), ...dnsLines(report.dns)] : []),
    blank(),
    ...findingLines(report.findings),
  ];
}

function headerLines(r: Report): CardLine[] {
  const started = r.startedAt.replace(/\.\d+(?=Z|[+-]\d\d:?\d\d$)/, '');
  // A scan that did not complete says so in its first line: never read as a full one.
  const state = r.status === 'ok' ? [] : [seg(r.status === 'error' ? 'failed' : r.status, r.status === 'error' ? 'bad' : 'warn'), seg('  ')];
  const lines: CardLine[] = [
    heading([seg(endpointLabel(r.target.host, r.target.port), 'strong')], [
      ...state,
      seg(`scanned ${started} in ${formatDuration(r.durationMs)}`, 'dim'),
    ]),
  ];
  if (r.target.url) lines.push(field('url', [[seg(r.target.url)]]));
  if (r.status !== 'ok') lines.push(field('status', [statusItem(r.status, r.reason)]));
  for (const i of r.incomplete ?? []) lines.push(field('not tested', [[seg(`${i.probe}${i.subject ? ` ${i.subject}` : ''}: ${i.reason}`, 'dim')]]));
  const g = r.grades;
  lines.push(
    field('grades', [
      // A null overall of a scan that ran means undecided: a requested section has no letter (gradeReasons says why).
      [seg('overall '), ...gradeSegs(g.overall, r.status === 'error' ? undefined : 'not decided')],
      [seg('tls '), ...gradeSegs(g.tls)],
      [seg('http '), ...gradeSegs(g.http, r.http?.observatoryNotGraded ? 'not graded' : undefined)],
      [seg('email '), ...gradeSegs(g.email)],
    ]),
  );
  // Why a grade that was asked for is missing (a grade not asked for needs no word).
  for (const k of ['overall', 'tls', 'http', 'email'] as const) {
    const why = r.gradeReasons?.[k];
    if (why && why !== 'not requested (--checks)' && why !== 'no graded section was requested') lines.push(field(`no ${k}`, [[seg(why, 'dim')]]));
  }
  return lines;
}

function statusItem(status: Report['status'] | 'skipped', reason: string | undefined): Seg[] {
  const tone = status === 'error' ? 'bad' : status === 'skipped' ? 'dim' : 'warn';
  return [seg(`${status}: ${reason ?? 'no reason given'}`, tone)];
}

function endpointLines(e: EndpointReport): CardLine[] {
  const tls = e.tls;
  const lines: CardLine[] = [
    heading([seg(`Endpoint ${endpointLabel(e.ip, e.port)}`, 'strong')], [seg('grade '), ...gradeSegs(e.grade)]),
  ];
  if (tls.status !== 'ok') lines.push(field('tls', [statusItem(tls.status, tls.reason)]));
  if (tls.negotiated) {
    const n = tls.negotiated;
    lines.push(field('negotiated', [[seg(n.protocol)], [seg(n.cipherSuite)], ...(n.alpn ? [[seg(`alpn ${n.alpn}`)]] : [])]));
  }
  // Grouped by answer so all six fit on one line; legacy protocols accepted show in red.
  const protocols = [...PROTOCOLS].reverse();
  const group = (label: string, value: boolean | null): Seg[][] => {
    const hits = protocols.filter((p) => tls.protocols[p] === value);
    return hits.length ? [[seg(label, value === null ? 'dim' : 'plain'), ...hits.map((p) => seg(` ${p}`, protocolTone(p, value)))]] : [];
  };
  if (protocols.some((p) => tls.protocols[p] !== null)) {
    lines.push(field('protocols', [...group('accepted', true), ...group('refused', false), ...group('not tested', null)]));
  } else if (tls.status === 'ok') {
    lines.push(field('protocols', [[seg('not tested', 'dim')]]));
  }
  // Per protocol: how many suites, in whose order, and the first (most preferred) one.
  for (const p of [...PROTOCOLS].reverse()) {
    const suites = tls.cipherSuites[p];
    if (!suites?.length) continue;
    const pref = tls.serverPreference[p];
    const order = pref === true ? 'server order' : pref === false ? 'client order' : 'order unknown';
    lines.push(field(p, [[seg(`${suites.length} suite${suites.length === 1 ? '' : 's'} · ${order}`)], [seg(suites[0]!, 'dim')]]));
  }
  if (tls.groups?.length) lines.push(field('groups', tls.groups.map((g) => [seg(g)])));
  if (tls.rating && tls.rating.score !== null) lines.push(...ratingLines(tls.rating));
  if (tls.chains?.length) {
    for (const c of tls.chains) lines.push(chainLine(tls, c, tls.chains.length > 1));
  } else {
    const leaf = leafCertificate(tls);
    if (leaf) {
      const trust = triState(leaf.trusted) + (leaf.trusted === false && leaf.trustError ? ` (${leaf.trustError})` : '');
      lines.push(
        field('certificate', [
          [seg(leaf.subject)],
          [daysRemainingSeg(leaf.daysRemaining)],
          [seg('trusted '), seg(trust, goodIfTrue(leaf.trusted))],
          [seg('hostname match '), seg(triState(leaf.hostnameMatch), goodIfTrue(leaf.hostnameMatch))],
        ]),
      );
    } else if (tls.status === 'ok') {
      lines.push(field('certificate', [[seg('none received', 'dim')]]));
    }
  }
  return lines;
}

/** A 0–100 score as a ten-cell bar, coloured by how good it is. */
function scoreBar(value: number | null): Seg[] {
  if (value === null) return [seg('not scored', 'dim')];
  const filled = Math.floor(value / 10); // only a full 100 fills the bar
  const tone: Tone = value >= 80 ? 'good' : value >= 50 ? 'warn' : 'bad';
  return [seg('█'.repeat(filled), tone), seg('░'.repeat(10 - filled), 'dim'), seg(` ${String(value).padStart(3)}`)];
}

/** The SSL Labs page in a few lines: the three categories as bars, the score, then why the letter is what it is. */
function ratingLines(r: NonNullable<EndpointReport['tls']['rating']>): CardLine[] {
  const lines = [
    field('protocol', [scoreBar(r.protocol)]),
    field('key exch.', [scoreBar(r.keyExchange)]),
    field('cipher', [scoreBar(r.cipherStrength)]),
    field('score', [[seg(`${r.score} → ${r.scoreLetter ?? '–'}`)], ...(r.letter ? [[seg('grade '), ...gradeSegs(r.letter)]] : [])]),
  ];
  const why: Seg[][] = [
    ...r.caps.map((c) => [seg(c.grade === 'T' || c.grade === 'M' ? `${c.grade}: ` : `capped ${c.grade}: `, 'dim'), seg(c.reason)]),
    ...(r.letter === 'T' || r.letter === 'M' ? [[seg(`${r.ignoringTrust ?? '–'} if trusted and matching`, 'dim')]] : []),
    ...(r.warnings ?? []).map((w) => [seg('A-: ', 'dim'), seg(w.reason)]),
    ...(r.notAPlus ? [[seg('not A+: ', 'dim'), seg(r.notAPlus)]] : []),
    ...(r.hstsSource ? [[seg('HSTS: ', 'dim'), seg(r.hstsSource)]] : []),
    ...r.pending.map((p) => [seg('ungraded: ', 'warn'), seg(p)]),
  ];
  if (why.length) lines.push(field('why', why));
  return lines;
}

const REVOCATION_METHOD: Readonly<Record<string, string>> = { stapled: 'stapled OCSP', 'ocsp-responder': 'OCSP responder', crl: 'CRL' };
const NOT_CHECKED: Readonly<Record<string, string>> = {
  'phone-out-disabled': '--no-phone-out',
  'no-pointers': 'no OCSP or CRL URL',
  'no-issuer': 'issuer unknown',
  unreachable: 'no usable answer',
  'leaf-unreadable': 'certificate unreadable',
};

/** Always says whether revocation was checked, how, and what it said (or why not). */
function revocationItem(r: NonNullable<EndpointReport['tls']['chains']>[number]['revocation']): Seg[] {
  if (!r) return [seg('revocation not recorded', 'dim')];
  if (!r.checked) return [seg('revocation '), seg(`not checked (${NOT_CHECKED[r.notChecked ?? ''] ?? r.notChecked ?? 'unknown'})`, 'warn')];
  return [seg('revocation '), seg(`${r.status ?? '?'} (${REVOCATION_METHOD[r.method ?? ''] ?? r.method})`, r.status === 'good' ? 'good' : 'bad')];
}

/** One served chain: who, how long, trusted by what (or why not), and its revocation / CT state. */
function chainLine(tls: EndpointReport['tls'], c: NonNullable<EndpointReport['tls']['chains']>[number], numbered: boolean): CardLine {
  const leaf = tls.certificates.find((x) => x.chain === c.index && x.servedIndex === 0);
  const trust = c.trusted ? `yes (${c.anchor?.label ?? 'anchor'})` : `no (${c.trustErrors.map((e) => e.code).join(', ') || 'untrusted'})`;
  const chainState = c.chainComplete ? 'complete' : c.fetchedIntermediates > 0 ? 'incomplete (completed via AIA)' : 'incomplete';
  const staple = c.ocsp.find((o) => o.source === 'stapled');
  const responder = c.ocsp.find((o) => o.source === 'responder');
  const items: Seg[][] = [
    [seg(leaf?.subject ?? '?')],
    [seg(c.leafKeyType)],
    ...(leaf ? [[daysRemainingSeg(leaf.daysRemaining)]] : []),
    [seg('trusted '), seg(trust, goodIfTrue(c.trusted))],
    [seg('hostname match '), seg(triState(c.hostnameMatch), goodIfTrue(c.hostnameMatch))],
    [seg('chain '), seg(chainState, c.chainComplete ? 'good' : 'warn')],
    [seg('OCSP staple '), seg(staple ? (staple.status ?? 'unusable') : 'none', staple?.status === 'good' ? 'good' : staple ? 'bad' : 'dim')],
    ...(responder ? [[seg('OCSP responder '), seg(responder.status ?? 'no answer', responder.status === 'good' ? 'good' : 'bad')]] : []),
    revocationItem(c.revocation),
    c.ct
      ? [seg('CT '), seg(`${c.ct.validScts} valid SCT${c.ct.validScts === 1 ? '' : 's'}, ${c.ct.compliant ? 'compliant' : 'not compliant'}`, c.ct.compliant ? 'good' : 'warn')]
      : [seg('CT not evaluated', 'dim')],
  ];
  // Numbered as "cert 1", "cert 2" so the label fits the card's label column.
  return field(numbered ? `cert ${c.index + 1}` : 'certificate', items);
}

function dnsLines(dns: DnsResult): CardLine[] {
  const lines = [heading([seg('DNS', 'strong')], [])];
  const caa = dns.caa;
  if (dns.status !== 'ok' || !caa) return [...lines, field('CAA', [statusItem(dns.status === 'ok' ? 'skipped' : dns.status, dns.reason)])];
  if (caa.foundAt === null) return [...lines, field('CAA', [[seg('none (any CA may issue)', 'warn')]])];
  const plausible = caa.issuerPlausible === null ? 'cannot tell' : caa.issuerPlausible ? 'yes' : 'no';
  lines.push(
    field('CAA', [
      [seg(`at ${caa.foundAt}`)],
      ...(caa.issue.length ? [[seg(`issue ${caa.issue.join(', ')}`)]] : []),
      ...(caa.issuewild.length ? [[seg(`issuewild ${caa.issuewild.join(', ')}`)]] : []),
      [seg('issuer listed '), seg(plausible, caa.issuerPlausible === false ? 'warn' : caa.issuerPlausible ? 'good' : 'dim')],
    ]),
  );
  return lines;
}

/** What the http → https check found, in a few words. */
const HTTP_REDIRECT_WORDS: Readonly<Record<string, [string, Tone]>> = {
  'redirects-to-https-same-host': ['redirects to https', 'good'],
  'redirects-to-https-other-host-first': ['redirects to another host first', 'warn'],
  'redirects-to-https-not-first': ['first redirect stays on http', 'warn'],
  'redirects-not-to-https': ['never reaches https', 'bad'],
  'no-redirect': ['answers without redirecting', 'bad'],
  'no-http': ['no plain-HTTP service', 'dim'],
  error: ['could not test', 'dim'],
};

function httpLines(http: HttpResult | null): CardLine[] {
  const obs = http?.observatory ?? null;
  const lines = [
    heading(
      [seg('HTTP', 'strong')],
      [seg('grade '), ...gradeSegs(http?.grade ?? null, http?.observatoryNotGraded ? 'not graded' : undefined)],
      ...(obs ? [[seg(`Observatory ${obs.score} (${obs.grade})`, 'dim')]] : []),
      ...(http?.securityHeaders ? [[seg(`securityheaders-style ${http.securityHeaders.grade}`, 'dim')]] : []),
    ),
  ];
  if (!http) return lines;
  if (http.status !== 'ok') return [...lines, field('response', [statusItem(http.status, http.reason)])];
  // Tested, and the MDN Observatory refuses to score it: say so (our own findings still follow).
  if (http.observatoryNotGraded) lines.push(field('observatory', [[seg(`not graded: ${http.observatoryNotGraded.reason}`, 'warn')]]));
  const redirects = http.redirects.length;
  lines.push(
    field('response', [
      [seg(http.statusCode === null ? 'no status' : String(http.statusCode), codeTone(http.statusCode))],
      [seg(http.finalUrl ?? http.url)],
      ...(redirects > 0 ? [[seg(`${redirects} redirect${redirects === 1 ? '' : 's'}`, 'dim')]] : []),
    ]),
  );
  if (http.httpRedirect) {
    const [words, tone] = HTTP_REDIRECT_WORDS[http.httpRedirect.status] ?? [http.httpRedirect.status, 'dim'];
    lines.push(field('plain http', [[seg(words, tone)], [seg(`port ${http.httpRedirect.port}`, 'dim')]]));
  }
  const missing = new Set(http.securityHeaders?.missing.map((h) => h.toLowerCase()) ?? []);
  lines.push(
    field(
      'headers',
      KEY_HEADERS.map((h) => {
        const present = http.headers[h] !== undefined;
        const ok = present && !missing.has(h);
        return [seg(`${h} `), seg(!present ? 'no' : ok ? 'yes' : 'invalid', ok ? 'good' : 'warn')];
      }),
    ),
  );
  if (http.cookies.length > 0) {
    const insecure = http.cookies.filter((c) => !c.secure).length;
    lines.push(field('cookies', [[seg(`${http.cookies.length} set`)], ...(insecure ? [[seg(`${insecure} without Secure`, 'warn')]] : [])]));
  }
  if (http.securityTxt) {
    const t = http.securityTxt;
    lines.push(field('sec.txt', [[seg(t.status === 'found' ? (t.valid ? 'valid' : 'invalid') : t.status, t.status === 'found' && t.valid ? 'good' : t.status === 'error' ? 'dim' : 'warn')]]));
  }
  // Every point the Observatory score gained or lost, and why.
  for (const t of obs?.tests.filter((x) => x.modifier !== 0) ?? []) {
    lines.push(field(t.modifier > 0 ? `+${t.modifier}` : String(t.modifier), [[seg(`${t.test}: `, 'dim'), seg(t.detail || t.description, t.modifier > 0 ? 'good' : 'warn')]]));
  }
  if (obs && !obs.extraCredit && obs.tests.some((t) => t.modifier > 0)) {
    lines.push(field('', [[seg('bonuses not counted: the penalties leave less than 90', 'dim')]]));
  }
  return lines;
}

function codeTone(code: number | null): Tone {
  if (code === null || code >= 500) return 'bad';
  return code >= 400 ? 'warn' : 'plain';
}

function recordTone(status: string): Tone {
  return status === 'found' ? 'good' : status === 'missing' ? 'warn' : 'bad';
}

function emailLines(email: EmailResult): CardLine[] {
  const lines = [heading([seg('Email', 'strong')], [seg('grade '), ...gradeSegs(email.grade)])];
  if (email.status !== 'ok') lines.push(field('email', [statusItem(email.status, email.reason)]));
  const { spf, dmarc, dkim, mtaSts, tlsRpt } = email;
  const notTested = [[seg('not tested', 'dim')]];
  lines.push(
    field(
      'SPF',
      spf
        ? [
            [seg(spf.status, recordTone(spf.status))],
            ...(spf.record ? [[seg(spf.record)]] : []),
            ...(spf.lookups !== null ? [[seg(`${spf.lookups} lookups`, spf.lookups > 10 ? 'bad' : 'dim')]] : []),
            ...(spf.reason ? [[seg(spf.reason, 'dim')]] : []),
          ]
        : notTested,
    ),
  );
  lines.push(
    field(
      'DMARC',
      dmarc
        ? [
            [seg(dmarc.status, recordTone(dmarc.status))],
            ...(dmarc.policy ? [[seg('policy '), seg(dmarc.policy, dmarc.policy === 'none' ? 'warn' : 'good')]] : []),
            ...(dmarc.rua.length ? [[seg('reports '), seg(dmarc.ruaAuthorized === false ? 'not authorised' : 'yes', dmarc.ruaAuthorized === false ? 'warn' : 'good')]] : []),
            ...(dmarc.reason ? [[seg(dmarc.reason, 'dim')]] : []),
          ]
        : notTested,
    ),
  );
  if (email.mxStatus !== 'null-mx') {
    lines.push(
      field(
        'DKIM',
        dkim
          ? dkim.selectors.length
            ? dkim.selectors.map((k) => [seg(`${k.name} `), seg(`${k.keyType}${k.keyBits ? ` ${k.keyBits}` : ''}`, k.keyBits !== null && k.keyType === 'rsa' && k.keyBits < 2048 ? 'warn' : 'good')])
            : [[seg(`none of ${dkim.selectorsTried.length} selectors`, 'warn')]]
          : notTested,
      ),
    );
    lines.push(field('MTA-STS', mtaSts ? [[seg(mtaSts.status, recordTone(mtaSts.status))], ...(mtaSts.mode ? [[seg(`mode ${mtaSts.mode}`, mtaSts.mode === 'enforce' ? 'good' : 'warn')]] : [])] : notTested));
    lines.push(field('TLS-RPT', tlsRpt ? [[seg(tlsRpt.status, recordTone(tlsRpt.status))]] : notTested));
  }
  const mx = [...email.mx].sort((a, b) => a.preference - b.preference);
  if (email.mxStatus === 'null-mx') lines.push(field('MX', [[seg('null MX: receives no mail', 'dim')]]));
  else {
    lines.push(
      field(
        'MX',
        mx.length
          ? mx.map((m) => [
              seg(`${m.preference} ${m.host}`),
              ...(m.starttls === null ? [] : [seg(m.starttls ? ' STARTTLS' : ' no STARTTLS', m.starttls ? 'good' : 'bad')]),
              ...(m.dane === null ? [] : [seg(m.dane ? ' DANE ok' : ' DANE mismatch', m.dane ? 'good' : 'bad')]),
            ])
          : [[seg('none', 'dim')]],
      ),
    );
  }
  if (email.dnssec !== null) lines.push(field('DNSSEC', [[seg(email.dnssec ? 'signed and validated' : 'not validated', email.dnssec ? 'good' : 'warn')]]));
  const rating = email.rating;
  if (rating) {
    if (rating.score !== null) lines.push(field('score', [[seg(`${rating.score}/100`)], ...(rating.score === 100 || email.grade === null ? [] : [[seg('points lost:', 'dim')]])]));
    // Every check that lost points, every cap, and what is untested: the grade explained.
    for (const c of rating.checks.filter((x) => x.max > 0 && x.points < x.max)) {
      lines.push(field(`-${c.max - c.points}`, [[seg(`${c.label}: `, 'dim'), seg(c.reason, c.status === 'fail' ? 'bad' : 'warn')]]));
    }
    for (const cap of rating.caps) lines.push(field(`cap ${cap.grade}`, [[seg(cap.reason, 'warn')]]));
    for (const p of rating.pending) lines.push(field('untested', [[seg(p, 'dim')]]));
  }
  return lines;
}

function findingLines(findings: readonly Finding[]): CardLine[] {
  const sorted = sortFindings(findings);
  const counts = new Map<string, number>();
  for (const f of sorted) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(' · ') || 'none';
  const lines = [heading([seg('Findings', 'strong')], [seg(summary, 'dim')])];
  for (const f of sorted) {
    lines.push({
      indent: FINDING_INDENT,
      prefix: [seg(' '.repeat(FIELD_INDENT)), seg(SEVERITY_TAG[f.severity], severityTone(f.severity))],
      // The stable id is what scripts, --fail-on reports and suppressions refer to.
      items: [[seg(f.title)], [seg(f.id, 'dim')], ...(f.endpoint ? [[seg(f.endpoint, 'dim')]] : [])],
      gap: 2,
    });
    if (!showsDetail(f.severity)) continue;
    for (const para of f.detail.split(/\n+/).filter((p) => p.trim() !== '')) lines.push(note([seg(para)]));
    if (f.remediation.trim() !== '') lines.push(note([seg('Fix: ', 'dim'), seg(f.remediation)]));
    for (const ref of f.references) lines.push(note([seg('Ref: ', 'dim'), seg(ref)]));
  }
  return lines;
}

// ---- text layout -----------------------------------------------------------------------------

/** Narrower than this, indentation would leave no room for values. */
const MIN_WIDTH = 20;

/** Split an item at its spaces into words (each still a list of toned segments). */
function words(item: Seg[]): Seg[][] {
  const out: Seg[][] = [];
  let cur: Seg[] = [];
  for (const s of item) {
    const parts = s.text.split(/ +/);
    parts.forEach((part, i) => {
      if (i > 0 && cur.length) {
        out.push(cur);
        cur = [];
      }
      if (part !== '') cur.push({ ...s, text: part });
    });
  }
  if (cur.length) out.push(cur);
  return out;
}

const widthOf = (segs: Seg[]): number => segs.reduce((n, s) => n + displayWidth(s.text), 0);

/** Greedy line filling: items stay whole when they fit, else split at spaces, else hard-split. */
function flow(items: Seg[][], avail: number, gap: number): Seg[][] {
  const rows: Seg[][] = [];
  let row: Seg[] = [];
  let used = 0;
  const place = (piece: Seg[], sep: number) => {
    const w = widthOf(piece);
    if (used > 0 && used + sep + w > avail) {
      rows.push(row);
      row = [];
      used = 0;
    }
    if (used > 0) {
      row.push(seg(' '.repeat(sep)));
      used += sep;
    }
    row.push(...piece);
    used += w;
  };
  for (const item of items) {
    if (widthOf(item) <= avail) {
      place(item, gap);
      continue;
    }
    words(item).forEach((word, i) => {
      const sep = i === 0 ? gap : 1;
      if (widthOf(word) <= avail) return place(word, sep);
      const first = word[0];
      for (const chunk of hardSplit(word.map((s) => s.text).join(''), avail)) place([{ ...first, text: chunk }], sep);
    });
  }
  if (row.length || rows.length === 0) rows.push(row);
  return rows;
}

function renderSegs(segs: Seg[], color: boolean): string {
  return segs.map((s) => paint(s.text, s.tone, { color, badge: s.badge })).join('');
}

/** The prefix, cut to `indent` columns and padded to it. */
function renderPrefix(prefix: Seg[] | undefined, indent: number, color: boolean): string {
  let out = '';
  let used = 0;
  for (const s of prefix ?? []) {
    const text = truncate(s.text, indent - used);
    out += paint(text, s.tone, { color, badge: s.badge });
    used += displayWidth(text);
    if (used >= indent) break;
  }
  return out + ' '.repeat(Math.max(0, indent - used));
}

export function layoutCardLine(line: CardLine, width: number, color: boolean): string[] {
  const indent = Math.min(line.indent, Math.floor(width / 3));
  if (line.items.length === 0) return [renderPrefix(line.prefix, indent, color).trimEnd()];
  const items = line.items.map((item) => item.map((s) => ({ ...s, text: segText(s, color) })));
  return flow(items, width - indent, line.gap).map((row, i) => {
    const lead = i === 0 ? renderPrefix(line.prefix, indent, color) : ' '.repeat(indent);
    return (lead + renderSegs(row, color)).trimEnd();
  });
}

/**
 * Reports as plain-text cards, one line per `\n`, none wider than `width` (default 80, at least 20)
 * columns, ending in a newline ('' for no reports). ANSI colour codes only when `color` is true.
 */
export function renderText(reports: readonly Report[], opts: { color: boolean; width?: number }): string {
  const width = Math.max(MIN_WIDTH, Math.floor(opts.width ?? 80));
  const lines = reports.flatMap((report, i) => [
    ...(i > 0 ? [''] : []),
    ...reportCardLines(report).flatMap((line) => layoutCardLine(line, width, opts.color)),
  ]);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** `--format text`: the report cards (the default when stdout is not a terminal). */
export const textRenderer: Renderer = {
  id: 'text',
  extensions: ['.txt'],
  render: (reports, opts) => renderText(reports, opts),
};
