// One report as GitHub-flavoured Markdown: the grade line, a compact table per section (TLS per
// endpoint, HTTP, email) and the findings worth acting on. markdown.ts lays these out for one
// target or a batch. Every value from the report goes through markdown-escape.ts.
import { PROTOCOLS, SEVERITIES, type Severity } from '../model/constants.js';
import type { EmailResult, EndpointReport, Finding, HttpResult, Report } from '../model/report.js';
import { severityRank, sortFindings } from '../model/severity.js';
import { suiteByName, type CipherSuiteInfo } from '../tls/registry/index.js';
import { gradeWord, type GradeKey } from './grade-words.js';
import { mdCode, mdReference, mdText } from './markdown-escape.js';
import { endpointLabel, formatDuration, KEY_HEADERS, targetHeading } from './style.js';
import { certificateText, clientLabel, keyExchangeText, outcomeText } from './simulation-words.js';

const LABEL: Record<GradeKey, string> = { overall: 'Overall', tls: 'TLS', http: 'HTTP', email: 'Email' };

/** "Overall **F** · TLS **B** · HTTP **F** · Email _not tested_" (letters bold, words in italics). */
export function gradeLine(r: Report): string {
  return (['overall', 'tls', 'http', 'email'] as const)
    .map((k) => {
      const w = gradeWord(r, k);
      return r.grades[k] !== null ? `${LABEL[k]} **${mdText(w)}**` : `${LABEL[k]} _${w}_`;
    })
    .join(' · ');
}

export const targetLabel = (r: Report): string => targetHeading(r.target);

export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** "2 high · 5 medium · 1 low" (zero counts left out), or "none". */
export const countWords = (c: Record<Severity, number>): string =>
  SEVERITIES.filter((s) => c[s] > 0)
    .map((s) => `${c[s]} ${s}`)
    .join(' · ') || 'none';

const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const yesNo = (v: boolean | null | undefined, yes = 'yes', no = 'no'): string => (v === null || v === undefined ? '_not tested_' : v ? yes : no);

/** Lines saying the scan is not complete (status, reason, each untested part): never read as a full pass. */
export function statusLines(r: Report): string[] {
  if (r.status === 'ok') return [];
  const word = r.status === 'error' ? 'failed' : r.status;
  const lines = [`> [!WARNING]\n> Scan **${word}**${r.reason ? `: ${mdText(r.reason)}` : ''}`];
  for (const i of (r.incomplete ?? []).slice(0, 20)) {
    lines[0] += `\n> - not tested: ${mdText(i.probe)}${i.subject ? ` (${mdText(i.subject)})` : ''}: ${mdText(i.reason)}`;
  }
  const more = (r.incomplete?.length ?? 0) - 20;
  if (more > 0) lines[0] += `\n> - ${more} more untested part(s): see the full report`;
  return lines;
}

/** Why grades that were asked for are missing (gradeReasons), as one line; '' when none. */
export function gradeReasonLine(r: Report): string {
  const why = (['overall', 'tls', 'http', 'email'] as const)
    .filter((k) => r.grades[k] === null && r.gradeReasons?.[k])
    .map((k) => `${LABEL[k]}: ${mdText(r.gradeReasons![k]!)}`);
  return why.length ? `_No grade_ — ${why.join('; ')}` : '';
}

// ---- TLS ----------------------------------------------------------------------------------------

/** Weakness order: no encryption, no authentication, export, fewer key bits, no forward secrecy, not AEAD. */
function weaknessKey(s: CipherSuiteInfo): number[] {
  return [s.nullCipher ? 0 : 1, s.anonymous ? 0 : 1, s.export ? 0 : 1, s.bits, s.forwardSecrecy ? 1 : 0, s.aead ? 1 : 0];
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function weakestSuite(tls: EndpointReport['tls']): string | null {
  let best: { name: string; key: number[] } | null = null;
  for (const [p, names] of Object.entries(tls.cipherSuites)) {
    if (p === 'SSLv2') continue;
    for (const name of names) {
      const info = suiteByName(name);
      if (!info) continue;
      const key = weaknessKey(info);
      if (best === null || compareKeys(key, best.key) < 0) best = { name, key };
    }
  }
  return best?.name ?? null;
}

function protocolsCell(tls: EndpointReport['tls']): string {
  const order = [...PROTOCOLS].reverse();
  const part = (label: string, v: boolean | null) => {
    const hits = order.filter((p) => tls.protocols[p] === v);
    return hits.length ? `${label} ${hits.join(', ')}` : '';
  };
  return [part('accepted', true), part('refused', false), part('_not tested_', null)].filter(Boolean).join('; ');
}

function suitesCell(tls: EndpointReport['tls']): string {
  const per = [...PROTOCOLS].reverse().filter((p) => tls.cipherSuites[p]?.length);
  if (!per.length) return '_none recorded_';
  const total = per.reduce((n, p) => n + tls.cipherSuites[p]!.length, 0);
  const weakest = weakestSuite(tls);
  const incomplete = Object.keys(tls.cipherSuitesIncomplete ?? {});
  return [
    `${total} (${per.map((p) => `${p} ${tls.cipherSuites[p]!.length}`).join(', ')})`,
    weakest ? `weakest ${mdCode(weakest)}` : '',
    incomplete.length ? `_at least: enumeration stopped early for ${incomplete.map(mdText).join(', ')}_` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

function certificateRows(tls: EndpointReport['tls']): string[][] {
  const day = (iso: string) => iso.slice(0, 10);
  const expiry = (c: EndpointReport['tls']['certificates'][number]) =>
    `expires ${day(c.notAfter)} (${c.daysRemaining < 0 ? `**expired** ${-c.daysRemaining} days before the scan` : `${c.daysRemaining} days left at the scan`})`;
  if (tls.chains?.length) {
    return tls.chains.map((c) => {
      const leaf = tls.certificates.find((x) => x.chain === c.index && x.servedIndex === 0);
      const trust = c.trusted ? `trusted (${mdText(c.anchor?.label ?? 'anchor')})` : `**not trusted** (${mdText(c.trustErrors.map((e) => e.code).join(', ') || 'no path')})`;
      const cells = [
        leaf ? mdText(leaf.subject) : '_leaf not read_',
        leaf ? expiry(leaf) : '',
        leaf ? `issuer ${mdText(leaf.issuer)}` : '',
        trust,
        c.chainComplete ? '' : c.fetchedIntermediates > 0 ? 'chain incomplete (completed via AIA)' : '**chain incomplete**',
        c.hostnameMatch === false ? '**name mismatch**' : c.hostnameMatch === null ? 'hostname _not tested_' : '',
        c.revocation?.status === 'revoked' ? '**revoked**' : '',
      ];
      return [tls.chains!.length > 1 ? `Certificate ${c.index + 1}` : 'Certificate', cells.filter(Boolean).join(' — ')];
    });
  }
  const leaf = tls.certificates[0];
  if (!leaf) return [['Certificate', '_none received_']];
  const trust = leaf.trusted === null ? 'trust _not tested_' : leaf.trusted ? 'trusted' : `**not trusted**${leaf.trustError ? ` (${mdText(leaf.trustError)})` : ''}`;
  return [['Certificate', [mdText(leaf.subject), expiry(leaf), `issuer ${mdText(leaf.issuer)}`, trust].join(' — ')]];
}

function keyCell(tls: EndpointReport['tls']): string {
  if (tls.chains?.length) return tls.chains.map((c) => mdText(c.leafKeyType)).join(' + ');
  const leaf = tls.certificates[0];
  if (!leaf) return '_not tested_';
  return mdText(`${leaf.keyType}${leaf.keyBits ? ` ${leaf.keyBits}` : ''}${leaf.curve ? ` ${leaf.curve}` : ''}`);
}

/** A profile's verdict and each deviation (expected vs actual), or what was not decided. */
function profileCell(p: NonNullable<EndpointReport['tls']['profiles']>[number]): string {
  if (p.compliant === true) return 'compliant';
  if (p.compliant === false) return `**not compliant** — ${p.deviations.map((d) => `${mdText(d.rule)}: expected ${mdText(d.expected)}; actual ${mdText(d.actual)}`).join(' · ')}`;
  return `_not decided_ — untested: ${p.untested.map((u) => `${mdText(u.rule)} (${mdText(u.reason)})`).join(' · ')}`;
}

export function tlsSection(e: EndpointReport, h: string): string {
  const tls = e.tls;
  const title = `${h} TLS ${mdText(endpointLabel(e.ip, e.port))} — ${e.grade ? `grade **${e.grade}**` : `_${tls.status === 'ok' ? 'not graded' : 'not tested'}_`}`;
  if (tls.status !== 'ok') return `${title}\n\n_Not tested_ (${tls.status}${tls.reason ? `: ${mdText(tls.reason)}` : ''}).`;
  const rows: string[][] = [['Protocols', protocolsCell(tls)], ['Cipher suites', suitesCell(tls)], ['Key', keyCell(tls)], ...certificateRows(tls)];
  if (tls.dhParameterBits) rows.push(['DH parameters', `${tls.dhParameterBits} bits`]);
  const vulns = Object.entries(tls.vulnerabilities);
  const bad = vulns.filter(([, v]) => v === 'vulnerable').map(([k]) => mdText(k));
  const unknown = vulns.filter(([, v]) => v === 'unknown').map(([k]) => mdText(k));
  if (bad.length) rows.push(['Vulnerable', `**${bad.join(', ')}**`]);
  if (unknown.length) rows.push(['_Not tested_', unknown.join(', ')]);
  const r = tls.rating;
  if (r) {
    const n = (v: number | null) => (v === null ? '_not scored_' : String(v));
    rows.push(['Rating', `protocol ${n(r.protocol)} · key exchange ${n(r.keyExchange)} · cipher ${n(r.cipherStrength)} → score ${n(r.score)}${r.scoreLetter ? ` (${r.scoreLetter})` : ''}`]);
    for (const c of r.caps) rows.push([c.grade === 'T' || c.grade === 'M' ? `**${c.grade}**` : `Cap **${c.grade}**`, mdText(c.reason)]);
    if ((r.letter === 'T' || r.letter === 'M') && r.ignoringTrust) rows.push(['If trusted', `${r.ignoringTrust}`]);
    for (const w of r.warnings ?? []) rows.push(['A-', mdText(w.reason)]);
    if (r.notAPlus) rows.push(['Not A+', mdText(r.notAPlus)]);
    for (const p of r.pending) rows.push(['_Not graded yet_', mdText(p)]);
  }
  for (const p of tls.profiles ?? []) rows.push([`Profile ${mdText(`${p.profile} ${p.version}`)}`, profileCell(p)]);
  return `${title}\n\n${table(['Check', 'Result'], rows)}`;
}

// ---- HTTP ---------------------------------------------------------------------------------------

export function httpSection(r: Report, h: string): string {
  const http: HttpResult | null = r.http;
  const obs = http?.observatory ?? null;
  const grade = r.grades.http ? `grade **${r.grades.http}**` : `_${gradeWord(r, 'http')}_`;
  const title = `${h} HTTP — ${grade}${obs ? ` · Observatory score ${obs.score} (${mdText(obs.grade)})` : ''}`;
  if (!http) return `${title}\n\n_Not tested._`;
  if (http.status !== 'ok') return `${title}\n\n_Not tested_ (${http.status}${http.reason ? `: ${mdText(http.reason)}` : ''}).`;
  const lines = [title, ''];
  lines.push(`Response ${http.statusCode ?? '_none_'} from ${mdText(http.finalUrl ?? http.url)}${http.redirects.length ? ` after ${http.redirects.length} redirect(s)` : ''}.`);
  if (http.observatoryNotGraded) lines.push('', `_Not graded by the Observatory_: ${mdText(http.observatoryNotGraded.reason)}`);
  const missing = new Set(http.securityHeaders?.missing.map((x) => x.toLowerCase()) ?? []);
  const present = KEY_HEADERS.filter((k) => http.headers[k] !== undefined && !missing.has(k));
  const absent = KEY_HEADERS.filter((k) => !present.includes(k));
  lines.push('', `Headers set: ${present.join(', ') || '_none_'}. Missing or invalid: ${absent.join(', ') || '_none_'}.`);
  // The tests that moved the score; those worth 0 points are in the full report.
  const scored = obs?.tests.filter((t) => t.modifier !== 0) ?? [];
  if (scored.length) {
    const rows = scored.map((t) => [mdText(t.test), t.modifier > 0 ? `+${t.modifier}` : String(t.modifier), mdText(t.detail || t.description)]);
    lines.push('', table(['Observatory test', 'Points', 'Result'], rows));
  }
  return lines.join('\n');
}

// ---- email --------------------------------------------------------------------------------------

function mxRow(email: EmailResult): string[] {
  if (email.mxStatus === 'null-mx') return ['MX STARTTLS', 'n/a', 'null MX: the domain receives no mail'];
  if (!email.mx.length) return ['MX STARTTLS', email.mxStatus === 'error' ? '_not tested_' : 'none', 'no MX hosts'];
  const tested = email.mx.filter((m) => m.starttls !== null);
  const yes = tested.filter((m) => m.starttls).length;
  const status = !tested.length ? '_not tested_' : yes === email.mx.length ? 'all' : `${yes} of ${email.mx.length}`;
  const detail = [...email.mx]
    .sort((a, b) => a.preference - b.preference)
    .slice(0, 10)
    .map((m) => `${mdText(m.host)} ${yesNo(m.starttls)}`)
    .join(', ');
  return ['MX STARTTLS', status, detail + (email.mx.length > 10 ? `, ${email.mx.length - 10} more` : '')];
}

export function emailSection(r: Report, h: string): string {
  const email = r.email;
  const grade = r.grades.email ? `grade **${r.grades.email}**` : `_${gradeWord(r, 'email')}_`;
  const score = email?.rating?.score;
  const title = `${h} Email — ${grade}${score !== undefined && score !== null ? ` · score ${score}/100` : ''}`;
  if (!email) return `${title}\n\n_Not tested._`;
  const nt = '_not tested_';
  const { spf, dmarc, dkim, mtaSts, tlsRpt } = email;
  const dkimStatus = dkim ? (dkim.status ?? (dkim.selectors.length ? 'found' : 'missing')) : nt;
  const rows: string[][] = [
    ['SPF', spf ? mdText(spf.status) : nt, spf?.record ? mdCode(spf.record) : mdText(spf?.reason ?? '')],
    ['DMARC', dmarc ? mdText(dmarc.status) : nt, dmarc?.policy ? `p=${mdText(dmarc.policy)}${dmarc.rua.length ? '; reports requested' : ''}` : mdText(dmarc?.reason ?? '')],
    [
      'DKIM',
      mdText(dkimStatus),
      dkim ? (dkim.selectors.length ? dkim.selectors.map((k) => mdText(`${k.name} ${k.keyType}${k.keyBits ? ` ${k.keyBits}` : ''}`)).join(', ') : `none of ${dkim.selectorsTried.length} selectors tried`) : '',
    ],
    ['MTA-STS', mtaSts ? mdText(mtaSts.status) : nt, mtaSts?.mode ? `mode ${mdText(mtaSts.mode)}` : ''],
    ['TLS-RPT', tlsRpt ? mdText(tlsRpt.status) : nt, tlsRpt?.rua.length ? `${tlsRpt.rua.length} reporting address(es)` : ''],
    mxRow(email),
    ['DNSSEC', email.dnssec === null ? nt : email.dnssec ? 'validated' : 'not validated', mdText(email.dnssecDetail?.reason ?? '')],
  ];
  const lines = [title, ''];
  if (email.status !== 'ok') lines.push(`_Not fully tested_ (${email.status}${email.reason ? `: ${mdText(email.reason)}` : ''}).`, '');
  lines.push(table(['Record', 'Status', 'Detail'], rows));
  const rating = email.rating;
  if (rating) {
    const extra = [
      ...rating.checks.filter((c) => c.max > 0 && c.points < c.max).map((c) => `-${c.max - c.points}: ${mdText(c.label)} (${mdText(c.reason)})`),
      ...rating.caps.map((c) => `capped ${c.grade ?? '–'}: ${mdText(c.reason)}`),
      ...rating.pending.map((p) => `_not tested_: ${mdText(p)}`),
    ];
    if (extra.length) lines.push('', extra.map((x) => `- ${x}`).join('\n'));
  }
  return lines.join('\n');
}

// ---- findings -----------------------------------------------------------------------------------

/** One finding as a list item: severity, title, id, subject; then the fix and the references. */
export function findingItem(f: Finding): string {
  const lines = [`- **${f.severity.toUpperCase()}** ${mdText(f.title)} (${mdCode(f.id)}, ${mdText(f.subject)})`];
  if (f.remediation.trim()) lines.push(`  - Fix: ${mdText(f.remediation)}`);
  if (f.references.length) lines.push(`  - References: ${f.references.map(mdReference).join(' · ')}`);
  return lines.join('\n');
}

/** The findings at or above `min`, most severe first. */
export function listedFindings(findings: readonly Finding[], min: Severity): Finding[] {
  return sortFindings(findings.filter((f) => severityRank(f.severity) <= severityRank(min)));
}

export const scannedLine = (r: Report): string =>
  `Scanned ${mdText(r.startedAt.replace(/\.\d+(?=Z$)/, ''))} in ${formatDuration(r.durationMs)} · secgrade ${mdText(r.tool.version)}`;

// ---- handshake simulation -------------------------------------------------------------------------

/** The simulated clients of one endpoint as a table ('' when the probe did not run). */
export function simulationSection(e: EndpointReport, h: string): string {
  const sim = e.tls.simulation;
  if (!sim?.length) return '';
  const rows = sim.map((c) => [
    mdText(clientLabel(c)),
    c.status === 'ok' ? 'connects' : c.status === 'failed' ? '**fails**' : '_not tested_',
    c.protocol ? mdText(c.protocol) : '',
    c.cipherSuite ? mdCode(c.cipherSuite) : '',
    mdText(keyExchangeText(c)),
    mdText(certificateText(c)),
    mdText(c.status === 'ok' ? outcomeText(c) : (c.reason ?? '')),
  ]);
  return `${h} Handshake simulation ${mdText(endpointLabel(e.ip, e.port))}\n\n${table(['Client', 'Result', 'Protocol', 'Suite', 'Key exchange', 'Certificate', 'Notes'], rows)}`;
}
