// security.txt (RFC 9116) at /.well-known/security.txt: fetched over the redirect chain, bounded to
// 32 KiB, parsed line by line (an OpenPGP cleartext signature is unwrapped, not verified) and
// checked against the RFC's MUSTs (Contact, one future Expires, https, text/plain; charset=utf-8)
// and SHOULDs (Expires within a year, https web URIs, Canonical naming where it was found).
import { finding, type CheckFinding } from '../model/finding.js';
import type { Severity } from '../model/constants.js';
import { fetchChain, type FetchChainOptions, type FetchChainResult } from './fetch-chain.js';

export type SecurityTxtIssueId =
  | 'http.security-txt.missing'
  | 'http.security-txt.not-https'
  | 'http.security-txt.content-type'
  | 'http.security-txt.too-large'
  | 'http.security-txt.not-utf8'
  | 'http.security-txt.invalid-signature-block'
  | 'http.security-txt.invalid-line'
  | 'http.security-txt.no-contact'
  | 'http.security-txt.invalid-uri'
  | 'http.security-txt.insecure-uri'
  | 'http.security-txt.no-expires'
  | 'http.security-txt.multiple-expires'
  | 'http.security-txt.invalid-expires'
  | 'http.security-txt.expired'
  | 'http.security-txt.expires-too-far'
  | 'http.security-txt.multiple-preferred-languages'
  | 'http.security-txt.invalid-language'
  | 'http.security-txt.canonical-mismatch';

export type SecurityTxtIssue = CheckFinding & { id: SecurityTxtIssueId };

export interface SecurityTxtFields {
  contact: string[];
  /** The first Expires value as written. */
  expires: string | null;
  encryption: string[];
  acknowledgments: string[];
  preferredLanguages: string[];
  canonical: string[];
  policy: string[];
  hiring: string[];
  csaf: string[];
  /** Extension fields (RFC 9116 §2.4: ignored by parsers), up to 50. */
  other: Array<{ name: string; value: string }>;
}

export interface ParsedSecurityTxt {
  /** Wrapped in an OpenPGP cleartext signature (not verified). */
  signed: boolean;
  fields: SecurityTxtFields;
  /** Expires as an ISO date, when valid. */
  expiresAt: string | null;
  /** Lines that are a recognised field. */
  knownFields: number;
  issues: SecurityTxtIssue[];
}

export interface SecurityTxtResult {
  /** found: a security.txt was served; missing: none (404, or a page that is not one); error: could not fetch. */
  status: 'found' | 'missing' | 'error';
  /** No MUST of RFC 9116 is broken (Contact, one valid future Expires, https). */
  valid: boolean;
  url: string;
  finalUrl: string | null;
  statusCode: number | null;
  contentType: string | null;
  bytesRead: number;
  truncated: boolean;
  signed: boolean;
  fields: SecurityTxtFields | null;
  expiresAt: string | null;
  issues: SecurityTxtIssue[];
  /** Why the fetch failed, for 'error'. */
  reason: string | null;
}

export const SECURITY_TXT_PATH = '/.well-known/security.txt';
export const MAX_SECURITY_TXT_BYTES = 32 * 1024;
const YEAR_MS = 365 * 24 * 3600 * 1000;
const MAX_LISTED = 20;
const REFS = ['RFC 9116 — A File Format to Aid in Security Vulnerability Disclosure (https://www.rfc-editor.org/rfc/rfc9116)'];
/** Issues that break a MUST of the RFC. */
const MUST: ReadonlySet<SecurityTxtIssueId> = new Set([
  'http.security-txt.not-https',
  'http.security-txt.no-contact',
  'http.security-txt.no-expires',
  'http.security-txt.multiple-expires',
  'http.security-txt.invalid-expires',
  'http.security-txt.expired',
]);

function issue(id: SecurityTxtIssueId, severity: Severity, title: string, detail: string, evidence: Record<string, unknown>, remediation: string): SecurityTxtIssue {
  return finding({ id, severity, title, detail, evidence, remediation, references: REFS }) as SecurityTxtIssue;
}

const URI_FIELDS = { contact: 'Contact', encryption: 'Encryption', acknowledgments: 'Acknowledgments', canonical: 'Canonical', policy: 'Policy', hiring: 'Hiring', csaf: 'CSAF' } as const;
type UriField = keyof typeof URI_FIELDS;
const URI_BY_NAME = new Map(Object.entries(URI_FIELDS).map(([k, v]) => [v.toLowerCase(), k as UriField]));

/** RFC 3339 internet date-time (§5.6), checked field by field, not just by Date.parse's leniency. */
export function parseRfc3339(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offset = m[8] ?? 'Z';
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 60) return null;
  if (offset.length === 6 && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) return null;
  const t = Date.parse(value.toUpperCase().replace(':60', ':59'));
  return Number.isNaN(t) ? null : new Date(t);
}

/** Strip an OpenPGP cleartext signature (RFC 4880 §7): armor headers, dash-escaping, the signature block. */
function unwrapSigned(lines: string[]): { lines: Array<{ n: number; text: string }>; signed: boolean; broken: boolean } {
  const numbered = lines.map((text, i) => ({ n: i + 1, text }));
  const start = numbered.findIndex((l) => l.text.trim() === '-----BEGIN PGP SIGNED MESSAGE-----');
  if (start < 0) return { lines: numbered, signed: false, broken: false };
  let i = start + 1;
  while (i < numbered.length && numbered[i]!.text.trim() !== '') i++; // "Hash: SHA256" armor headers
  const sig = numbered.findIndex((l, j) => j > i && l.text.trim() === '-----BEGIN PGP SIGNATURE-----');
  const end = numbered.findIndex((l, j) => j > sig && l.text.trim() === '-----END PGP SIGNATURE-----');
  const body = numbered.slice(i + 1, sig < 0 ? undefined : sig).map((l) => ({ n: l.n, text: l.text.startsWith('- ') ? l.text.slice(2) : l.text }));
  return { lines: body, signed: true, broken: sig < 0 || end < 0 || numbered.slice(0, start).some((l) => l.text.trim() !== '') };
}

/** Parse and check the text of a security.txt; `url` is where it was found (for Canonical). */
export function parseSecurityTxt(text: string, opts: { now: Date; url?: string }): ParsedSecurityTxt {
  const fields: SecurityTxtFields = { contact: [], expires: null, encryption: [], acknowledgments: [], preferredLanguages: [], canonical: [], policy: [], hiring: [], csaf: [], other: [] };
  const issues: SecurityTxtIssue[] = [];
  const { lines, signed, broken } = unwrapSigned(text.replace(/^\uFEFF/, '').split(/\r?\n/));
  if (broken) {
    issues.push(issue('http.security-txt.invalid-signature-block', 'low', 'security.txt signature block is malformed',
      'The file starts an OpenPGP cleartext signature that is not well formed (missing signature or text outside it).', {},
      'Sign the file with `gpg --clearsign` and publish the output unchanged.'));
  }
  const bad: Array<{ line: number; text: string }> = [];
  const badUris: Array<{ field: string; value: string }> = [];
  const insecure: Array<{ field: string; value: string }> = [];
  let expiresCount = 0;
  let langCount = 0;
  let knownFields = 0;
  for (const { n, text: raw } of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    // RFC 5322 field-name: printable ASCII except ":" (no spaces).
    if (name === '' || [...name].some((ch) => ch <= ' ' || ch > '~')) {
      bad.push({ line: n, text: line.slice(0, 120) });
      continue;
    }
    const value = line.slice(colon + 1).trim();
    const lower = name.toLowerCase();
    const uriField = URI_BY_NAME.get(lower);
    if (uriField) {
      knownFields++;
      fields[uriField].push(value);
      let u: URL | null = null;
      try {
        u = new URL(value);
      } catch {
        badUris.push({ field: URI_FIELDS[uriField], value: value.slice(0, 200) });
      }
      // Every field says: "If this field indicates a web URI, then it MUST begin with https://".
      if (u?.protocol === 'http:') insecure.push({ field: URI_FIELDS[uriField], value: value.slice(0, 200) });
    } else if (lower === 'expires') {
      knownFields++;
      expiresCount++;
      fields.expires ??= value;
    } else if (lower === 'preferred-languages') {
      knownFields++;
      langCount++;
      if (langCount === 1) fields.preferredLanguages = value.split(',').map((t) => t.trim());
    } else if (fields.other.length < 50) {
      fields.other.push({ name, value: value.slice(0, 200) });
    }
  }
  if (bad.length > 0) {
    issues.push(issue('http.security-txt.invalid-line', 'low', 'security.txt has lines that are not fields',
      `${bad.length} line(s) are neither a "Name: value" field, a comment nor blank.`,
      { count: bad.length, lines: bad.slice(0, MAX_LISTED) }, 'Write one `Field: value` per line; start comments with `#`.'));
  }
  if (fields.contact.length === 0) {
    issues.push(issue('http.security-txt.no-contact', 'low', 'security.txt has no Contact field',
      'Contact is required: it is how a researcher reaches you.', {}, 'Add `Contact: mailto:security@example.com` (or an https:// form).'));
  }
  if (badUris.length > 0) {
    issues.push(issue('http.security-txt.invalid-uri', 'low', 'security.txt fields that are not URIs',
      `${badUris.map((b) => b.field).join(', ')} must be URIs (e.g. \`mailto:\`, \`https://\`, \`tel:\`).`,
      { fields: badUris.slice(0, MAX_LISTED) }, 'Write each value as a full URI, e.g. `Contact: mailto:security@example.com`.'));
  }
  if (insecure.length > 0) {
    issues.push(issue('http.security-txt.insecure-uri', 'low', 'security.txt links over plain http',
      'Web URIs in security.txt must begin with https://.', { fields: insecure.slice(0, MAX_LISTED) }, 'Use https:// URLs.'));
  }
  let expiresAt: Date | null = null;
  if (expiresCount === 0) {
    issues.push(issue('http.security-txt.no-expires', 'low', 'security.txt has no Expires field',
      'Expires is required so that stale contact data is not trusted forever.', {}, 'Add `Expires:` with a date less than a year ahead, e.g. `Expires: 2030-01-01T00:00:00.000Z`.'));
  } else {
    if (expiresCount > 1) {
      issues.push(issue('http.security-txt.multiple-expires', 'low', 'security.txt has more than one Expires field',
        'Expires must appear exactly once.', { count: expiresCount }, 'Keep a single Expires field.'));
    }
    expiresAt = parseRfc3339(fields.expires ?? '');
    const now = opts.now.getTime();
    if (expiresAt === null) {
      issues.push(issue('http.security-txt.invalid-expires', 'low', 'security.txt Expires is not an RFC 3339 date',
        `"${(fields.expires ?? '').slice(0, 80)}" is not an RFC 3339 date-time.`, { expires: fields.expires }, 'Write it as `YYYY-MM-DDThh:mm:ssZ`, e.g. `2030-01-01T00:00:00.000Z`.'));
    } else if (expiresAt.getTime() <= now) {
      issues.push(issue('http.security-txt.expired', 'low', 'security.txt has expired',
        `Expires was ${expiresAt.toISOString()}: the file must no longer be trusted.`, { expires: fields.expires }, 'Review the file and move Expires forward (less than a year ahead).'));
    } else if (expiresAt.getTime() - now > YEAR_MS) {
      issues.push(issue('http.security-txt.expires-too-far', 'info', 'security.txt expires more than a year ahead',
        `Expires is ${expiresAt.toISOString()}; RFC 9116 recommends less than a year, so the file is reviewed.`, { expires: fields.expires }, 'Set Expires less than a year ahead and renew it.'));
    }
  }
  if (langCount > 1) {
    issues.push(issue('http.security-txt.multiple-preferred-languages', 'low', 'security.txt has more than one Preferred-Languages field',
      'Preferred-Languages must appear at most once.', { count: langCount }, 'Merge them into one comma-separated field.'));
  }
  const badTags = fields.preferredLanguages.filter((t) => !/^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/.test(t));
  if (badTags.length > 0) {
    issues.push(issue('http.security-txt.invalid-language', 'info', 'security.txt Preferred-Languages has invalid tags',
      `Not RFC 5646 language tags: ${badTags.slice(0, MAX_LISTED).join(', ')}.`, { tags: badTags.slice(0, MAX_LISTED) }, 'List tags such as `en, fr`.'));
  }
  if (opts.url !== undefined && fields.canonical.length > 0 && !fields.canonical.includes(opts.url)) {
    issues.push(issue('http.security-txt.canonical-mismatch', 'low', 'security.txt was found at a URL its Canonical does not list',
      `Fetched from ${opts.url}; Canonical lists ${fields.canonical.slice(0, 5).join(', ')}.`, { url: opts.url, canonical: fields.canonical.slice(0, MAX_LISTED) },
      'List every URL the file is served at in Canonical.'));
  }
  return { signed, fields, expiresAt: expiresAt?.toISOString() ?? null, knownFields, issues };
}

export interface SecurityTxtResponse {
  /** The URL asked for (before redirects). */
  url: string;
  /** Where the answer came from. */
  finalUrl: string;
  status: number;
  contentType: string | null;
  body: Buffer;
  truncated: boolean;
}

/** Judge a fetched /.well-known/security.txt response. */
export function analyseSecurityTxt(res: SecurityTxtResponse, opts: { now: Date }): SecurityTxtResult {
  const base = { url: res.url, finalUrl: res.finalUrl, statusCode: res.status, contentType: res.contentType, bytesRead: res.body.length, truncated: res.truncated, reason: null };
  const missing = (why: string): SecurityTxtResult => ({
    ...base,
    status: 'missing',
    valid: false,
    signed: false,
    fields: null,
    expiresAt: null,
    issues: [issue('http.security-txt.missing', 'info', 'No security.txt', `${res.url} ${why}.`, { url: res.url, finalUrl: res.finalUrl, status: res.status, contentType: res.contentType },
      'Publish /.well-known/security.txt with at least Contact and Expires (RFC 9116) so researchers can report vulnerabilities.')],
  });
  if (res.status !== 200) return missing(`answers ${res.status}`);
  const mediaType = (res.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  // Keep whole lines only: a cut at the cap may split a line or a UTF-8 sequence.
  const cut = res.truncated ? res.body.subarray(0, res.body.lastIndexOf(0x0a) + 1) : res.body;
  let text: string;
  let utf8 = true;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(cut);
  } catch {
    utf8 = false;
    text = new TextDecoder('utf-8').decode(cut);
  }
  const parsed = parseSecurityTxt(text, { now: opts.now, url: res.finalUrl });
  // A 200 with no field at all is a soft 404 (an HTML page, an empty file), not a security.txt.
  if (parsed.knownFields === 0 && (mediaType !== 'text/plain' || text.trim() === '' || text.trimStart().startsWith('<'))) {
    return missing(`answers 200 with ${mediaType || 'no content type'} that has no security.txt field`);
  }
  const issues: SecurityTxtIssue[] = [];
  if (!res.finalUrl.startsWith('https:')) {
    issues.push(issue('http.security-txt.not-https', 'low', 'security.txt is not served over HTTPS',
      `It was served from ${res.finalUrl}; over plain HTTP its contact data can be altered on the way.`, { url: res.url, finalUrl: res.finalUrl },
      'Serve security.txt over HTTPS only.'));
  }
  const charset = /;\s*charset\s*=\s*"?utf-8"?\s*(?:;|$)/i.test(res.contentType ?? '');
  if (mediaType !== 'text/plain' || !charset) {
    issues.push(issue('http.security-txt.content-type', mediaType === 'text/plain' ? 'info' : 'low', 'security.txt has the wrong Content-Type',
      `Content-Type is "${res.contentType ?? ''}"; RFC 9116 requires "text/plain; charset=utf-8".`, { contentType: res.contentType },
      'Serve it as `Content-Type: text/plain; charset=utf-8`.'));
  }
  if (res.truncated) {
    issues.push(issue('http.security-txt.too-large', 'low', 'security.txt is larger than 32 KiB',
      `Only the first ${MAX_SECURITY_TXT_BYTES} bytes were read and checked.`, { maxBytes: MAX_SECURITY_TXT_BYTES }, 'Keep security.txt short: contact data, expiry and links.'));
  }
  if (!utf8) {
    issues.push(issue('http.security-txt.not-utf8', 'low', 'security.txt is not valid UTF-8', 'The file must be UTF-8 text.', {}, 'Save the file as UTF-8.'));
  }
  issues.push(...parsed.issues);
  return {
    ...base,
    status: 'found',
    valid: !issues.some((i) => MUST.has(i.id)),
    signed: parsed.signed,
    fields: parsed.fields,
    expiresAt: parsed.expiresAt,
    issues,
  };
}

export interface FetchSecurityTxtOptions extends Omit<FetchChainOptions, 'url' | 'maxBodyBytes'> {
  /** The site's https origin, e.g. https://example.com:8443. */
  origin: URL;
  now: Date;
}

/** GET /.well-known/security.txt (redirects followed, 32 KiB read at most) and judge it. */
export async function fetchSecurityTxt(opts: FetchSecurityTxtOptions): Promise<SecurityTxtResult & { chain: FetchChainResult }> {
  const { origin, now, ...rest } = opts;
  const url = new URL(SECURITY_TXT_PATH, origin);
  const chain = await fetchChain({ ...rest, url, maxBodyBytes: MAX_SECURITY_TXT_BYTES, headers: { accept: 'text/plain', ...rest.headers } });
  const final = chain.final;
  if (chain.stop.kind !== 'done' || final === null) {
    const reason = chain.stop.kind === 'error' ? chain.stop.message : `redirects stopped: ${chain.stop.kind}`;
    return { chain, status: 'error', valid: false, url: url.href, finalUrl: final?.url ?? null, statusCode: final?.status ?? null, contentType: final?.contentType ?? null, bytesRead: 0, truncated: false, signed: false, fields: null, expiresAt: null, issues: [], reason };
  }
  return { chain, ...analyseSecurityTxt({ url: url.href, finalUrl: final.url, status: final.status, contentType: final.contentType, body: final.body, truncated: final.truncated }, { now }) };
}
