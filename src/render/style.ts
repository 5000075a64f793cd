// Presentation vocabulary shared by the plain-text renderer and the Ink UI (ui/), so both use the
// same words, colours and widths. No I/O, no ink: just strings and "tones".
import type { CertificateInfo, Grade, ProtocolName, Severity, TlsResult } from '../model/report.js';

/** Semantic colour of a piece of text; each renderer maps it to ANSI or Ink props. */
export type Tone = 'plain' | 'good' | 'warn' | 'bad' | 'low' | 'dim' | 'strong';

/** A run of text with one tone. `badge` = a grade letter drawn as a coloured block. */
export interface Seg {
  text: string;
  tone?: Tone;
  badge?: boolean;
}

export const seg = (text: string, tone?: Tone): Seg => (tone ? { text, tone } : { text });

export function gradeTone(grade: Grade): Tone {
  if (grade === null) return 'dim';
  if (grade.startsWith('A')) return 'good';
  if (grade === 'B' || grade === 'C') return 'warn';
  return 'bad'; // D, E, F and the T/M failures
}

/** A grade as a badge; null is "not tested" (or `nullWord`, e.g. "not graded") and is never turned into a letter. */
export function gradeSegs(grade: Grade, nullWord = 'not tested'): Seg[] {
  if (grade === null) return [seg(`– ${nullWord}`, 'dim')];
  return [{ text: grade, tone: gradeTone(grade), badge: true }];
}

export function severityTone(severity: Severity): Tone {
  switch (severity) {
    case 'critical':
    case 'high':
      return 'bad';
    case 'medium':
      return 'warn';
    case 'low':
      return 'low';
    case 'info':
      return 'dim';
  }
}

export const SEVERITY_TAG: Record<Severity, string> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFO',
};
export const SEVERITY_TAG_WIDTH = 8;

/** Only findings worth acting on get their detail and remediation printed; the rest stay one line. */
export function showsDetail(severity: Severity): boolean {
  return severity === 'critical' || severity === 'high' || severity === 'medium';
}

export function triState(value: boolean | null | undefined): 'yes' | 'no' | 'not tested' {
  if (value === null || value === undefined) return 'not tested';
  return value ? 'yes' : 'no';
}

/** A yes/no where "yes" is the good answer (trusted, hostname match, header present). */
export function goodIfTrue(value: boolean | null | undefined, whenFalse: Tone = 'bad'): Tone {
  if (value === null || value === undefined) return 'dim';
  return value ? 'good' : whenFalse;
}

const LEGACY_PROTOCOLS: readonly ProtocolName[] = ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1'];

/** Accepting a legacy protocol is bad, accepting a modern one good; refusals are neutral. */
export function protocolTone(protocol: ProtocolName, accepted: boolean | null): Tone {
  if (accepted === null) return 'dim';
  if (!accepted) return 'plain';
  return LEGACY_PROTOCOLS.includes(protocol) ? 'bad' : 'good';
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function daysRemainingSeg(days: number): Seg {
  if (days < 0) return seg(`expired ${-days} day${days === -1 ? '' : 's'} ago`, 'bad');
  if (days === 0) return seg('expires today', 'bad');
  return seg(`${days} day${days === 1 ? '' : 's'} left`, days < 14 ? 'bad' : days < 30 ? 'warn' : 'good');
}

/** ip:port, with IPv6 addresses bracketed so the port is unambiguous. */
export function endpointLabel(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The scanned target as a heading: host:port, prefixed with its scheme for a non-web service (imap://…). */
export function targetHeading(t: { host: string; port: number; scheme?: string }): string {
  return `${t.scheme ? `${t.scheme}://` : ''}${endpointLabel(t.host, t.port)}`;
}

export function leafCertificate(tls: TlsResult): CertificateInfo | undefined {
  return tls.certificates[0];
}

/** The headers summarised on the card; the full set is in the JSON report. */
/** The six headers a securityheaders.com-style grade looks at, as the card lists them. */
export const KEY_HEADERS = [
  'strict-transport-security',
  'content-security-policy',
  'x-frame-options',
  'x-content-type-options',
  'referrer-policy',
  'permissions-policy',
] as const;

// ---- terminal widths -------------------------------------------------------------------------

// eslint-disable-next-line no-control-regex
const ANSI_RE = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_RE, '');
}

function codePointWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if ((cp >= 0x300 && cp <= 0x36f) || cp === 0x200b || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

/** Columns a string occupies in a terminal (ANSI codes ignored, CJK counted double). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of stripAnsi(text)) width += codePointWidth(ch.codePointAt(0) ?? 0);
  return width;
}

/** Cut plain text to at most `width` columns, marking the cut with "…". */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = codePointWidth(ch.codePointAt(0) ?? 0);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/** Split plain text into chunks of at most `width` columns (for words longer than a line). */
export function hardSplit(text: string, width: number): string[] {
  const chunks: string[] = [];
  let cur = '';
  let used = 0;
  for (const ch of text) {
    const w = codePointWidth(ch.codePointAt(0) ?? 0);
    if (used + w > width && cur !== '') {
      chunks.push(cur);
      cur = '';
      used = 0;
    }
    cur += ch;
    used += w;
  }
  if (cur !== '' || chunks.length === 0) chunks.push(cur);
  return chunks;
}

// ---- ANSI ------------------------------------------------------------------------------------

const SGR: Record<Tone, string> = {
  plain: '',
  good: '32',
  warn: '33',
  bad: '31',
  low: '36',
  dim: '2',
  strong: '1',
};

/** Wrap text in ANSI codes for its tone; the identity when colour is off. */
export function paint(text: string, tone: Tone | undefined, opts: { color: boolean; badge?: boolean }): string {
  if (!opts.color || text === '') return text;
  const codes = [SGR[tone ?? 'plain'], opts.badge ? '1;7' : ''].filter(Boolean).join(';');
  return codes ? `\u001b[${codes}m${text}\u001b[0m` : text;
}

/** The visible text of a segment: badges get a space either side so the colour block reads as one. */
export function segText(s: Seg, color: boolean): string {
  return s.badge && color ? ` ${s.text} ` : s.text;
}
