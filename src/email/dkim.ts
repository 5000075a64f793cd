// DKIM public-key records (RFC 6376 §3.6.1, RFC 8301, RFC 8463): selector discovery over a list of
// common selectors plus the user's own, the key-record parser (with the RSA key size read from the
// DER key by a small bounded reader), and the findings.
//
// DKIM selectors cannot be enumerated from outside: a selector that is not found says nothing
// about DKIM being absent, so "no key found" is informational only.
import type { EmailResult } from '../model/report.js';
import { finding, untestedFinding, type CheckFinding } from '../model/finding.js';
import { EMAIL_REF, isHostname, lookupTxt, mapLimit, parseTagList, type TxtLookup } from './dns-lookup.js';
import { normalizeName } from '../net/dns/types.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const DKIM_FINDINGS = {
  notFound: 'email.dkim.not-found',
  multiple: 'email.dkim.multiple',
  invalid: 'email.dkim.invalid',
  revoked: 'email.dkim.revoked',
  keyTooShort: 'email.dkim.key-too-short',
  keyShort: 'email.dkim.key-short',
  sha1Only: 'email.dkim.sha1-only',
  testing: 'email.dkim.testing',
  notForEmail: 'email.dkim.not-for-email',
  ed25519Only: 'email.dkim.ed25519-only',
} as const;

/**
 * Selectors tried by default: the ones mail providers and common software publish (Google
 * Workspace, Microsoft 365, Mailchimp/Mandrill, SendGrid, Amazon SES, Zoho, Proton, Fastmail,
 * iCloud, Mailgun, Everlytic, Constant Contact, Zendesk, MXroute …) and generic names.
 */
export const DEFAULT_DKIM_SELECTORS: readonly string[] = [
  'google',
  'selector1',
  'selector2',
  'k1',
  'k2',
  'k3',
  's1',
  's2',
  's1024',
  's2048',
  'default',
  'dkim',
  'mail',
  'email',
  'smtp',
  'mx',
  'key1',
  'key2',
  'everlytickey1',
  'everlytickey2',
  'mandrill',
  'mxvault',
  'zoho',
  'protonmail',
  'protonmail2',
  'protonmail3',
  'fm1',
  'fm2',
  'fm3',
  'sig1',
  'amazonses',
  'ctct1',
  'ctct2',
  'zendesk1',
  'zendesk2',
  'mailo',
  'smtpapi',
  'pic',
];

export interface DkimKeyRecord {
  record: string;
  version: string | null;
  /** k= (default rsa). */
  keyType: string;
  /** Key size in bits (RSA modulus, 256 for Ed25519), null when unknown or revoked. */
  keyBits: number | null;
  /** p= empty: the key was revoked (RFC 6376 §3.6.1). */
  revoked: boolean;
  /** h= hash algorithms, null when absent (all allowed). */
  hashes: string[] | null;
  /** t=y: the domain is testing DKIM. */
  testing: boolean;
  /** t=s: the i= domain must equal d= exactly. */
  strict: boolean;
  /** s= service types, null when absent ("*"). */
  services: string[] | null;
  notes: string | null;
  /** Problems that make verifiers reject the key. */
  errors: string[];
  /** Problems verifiers tolerate. */
  warnings: string[];
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

// ---- a small bounded DER reader, enough for RSA public keys ----
interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(buf: Uint8Array, off: number, limit: number): Tlv | null {
  if (off + 2 > limit) return null;
  const tag = buf[off] as number;
  let len = buf[off + 1] as number;
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[p + i] as number);
    p += n;
  }
  if (p + len > limit) return null;
  return { tag, start: p, end: p + len };
}

const OID_RSA = Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);
const OID_ED25519 = Uint8Array.from([0x2b, 0x65, 0x70]);

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function integerBits(buf: Uint8Array, t: Tlv): number | null {
  let i = t.start;
  while (i < t.end && buf[i] === 0) i++;
  if (i >= t.end) return null;
  const first = buf[i] as number;
  return (t.end - i - 1) * 8 + (32 - Math.clz32(first));
}

/** Bits of the modulus of an RSAPublicKey (RFC 8017 A.1.1) starting at `off`. */
function rsaPublicKeyBits(buf: Uint8Array, off: number, limit: number): number | null {
  const seq = readTlv(buf, off, limit);
  if (!seq || seq.tag !== 0x30) return null;
  const n = readTlv(buf, seq.start, seq.end);
  if (!n || n.tag !== 0x02) return null;
  const e = readTlv(buf, n.end, seq.end);
  if (!e || e.tag !== 0x02) return null;
  return integerBits(buf, n);
}

/**
 * Classify a DER public key: an RSA SubjectPublicKeyInfo (what RFC 6376 specifies), a bare
 * RSAPublicKey (which some signers publish and verifiers accept), or an Ed25519 SPKI.
 */
export function derKeyInfo(der: Uint8Array): { kind: 'rsa-spki' | 'rsa-pkcs1' | 'ed25519-spki'; bits: number } | null {
  const outer = readTlv(der, 0, der.length);
  if (!outer || outer.tag !== 0x30 || outer.end !== der.length) return null;
  const first = readTlv(der, outer.start, outer.end);
  if (!first) return null;
  if (first.tag === 0x02) {
    const bits = rsaPublicKeyBits(der, 0, der.length);
    return bits === null ? null : { kind: 'rsa-pkcs1', bits };
  }
  if (first.tag !== 0x30) return null;
  const oid = readTlv(der, first.start, first.end);
  if (!oid || oid.tag !== 0x06) return null;
  const oidBytes = der.subarray(oid.start, oid.end);
  const bitString = readTlv(der, first.end, outer.end);
  if (!bitString || bitString.tag !== 0x03 || bitString.end - bitString.start < 2 || der[bitString.start] !== 0) return null;
  if (equalBytes(oidBytes, OID_RSA)) {
    const bits = rsaPublicKeyBits(der, bitString.start + 1, bitString.end);
    return bits === null ? null : { kind: 'rsa-spki', bits };
  }
  if (equalBytes(oidBytes, OID_ED25519) && bitString.end - bitString.start - 1 === 32) return { kind: 'ed25519-spki', bits: 256 };
  return null;
}

/** Whether a TXT text at a selector name is meant as a DKIM key record (else it is ignored). */
export function looksLikeDkimRecord(text: string): boolean {
  return /^\s*v\s*=\s*DKIM1/i.test(text) || /(^|;)\s*[pk]\s*=/.test(text);
}

/** Parse and validate one DKIM key record (RFC 6376 §3.6.1). */
export function parseDkimRecord(record: string): DkimKeyRecord {
  const errors: string[] = [];
  const warnings: string[] = [];
  const out: DkimKeyRecord = {
    record,
    version: null,
    keyType: 'rsa',
    keyBits: null,
    revoked: false,
    hashes: null,
    testing: false,
    strict: false,
    services: null,
    notes: null,
    errors,
    warnings,
  };
  const list = parseTagList(record);
  // RFC 6376 §3.2: a repeated tag makes the whole tag-list invalid.
  errors.push(...list.errors);
  const tags = new Map(list.tags.map((t) => [t.name, t.value]));
  // RFC 6376 §3.6.1: v= is optional, but when present it MUST be exactly "DKIM1" and the first tag;
  // records with any other v= MUST be discarded (case matters: "dkim1" is another value).
  const v = tags.get('v');
  if (v !== undefined) {
    out.version = v;
    if (v !== 'DKIM1') errors.push(`v=${v}: the version must be exactly DKIM1, so verifiers discard the record (RFC 6376 §3.6.1)`);
    if (list.tags[0]?.name !== 'v') errors.push('v= must be the first tag when present');
  }
  const k = tags.get('k');
  if (k !== undefined) out.keyType = k.toLowerCase();
  if (out.keyType !== 'rsa' && out.keyType !== 'ed25519') errors.push(`k=${k}: unknown key type (rsa or ed25519)`);
  const h = tags.get('h');
  if (h !== undefined) {
    out.hashes = h.split(':').map((x) => x.trim().toLowerCase()).filter(Boolean);
    if (!out.hashes.some((x) => x === 'sha256' || x === 'sha1')) errors.push(`h=${h}: no known hash algorithm (sha256)`);
  }
  const s = tags.get('s');
  if (s !== undefined) out.services = s.split(':').map((x) => x.trim().toLowerCase()).filter(Boolean);
  const t = tags.get('t');
  if (t !== undefined) {
    const flags = t.split(':').map((x) => x.trim().toLowerCase());
    out.testing = flags.includes('y');
    out.strict = flags.includes('s');
  }
  out.notes = tags.get('n') ?? null;
  const p = tags.get('p');
  if (p === undefined) {
    errors.push('the required p= tag is missing');
    return out;
  }
  const key = p.replace(/\s+/g, '');
  if (key === '') {
    out.revoked = true;
    return out;
  }
  if (!B64.test(key) || key.length % 4 !== 0) {
    errors.push('p= is not valid base64');
    return out;
  }
  const der = Buffer.from(key, 'base64');
  if (out.keyType === 'ed25519') {
    if (der.length === 32) out.keyBits = 256;
    else {
      const info = derKeyInfo(der);
      if (info?.kind === 'ed25519-spki') {
        out.keyBits = 256;
        warnings.push('the Ed25519 key is published as a SubjectPublicKeyInfo; RFC 8463 §4.2 wants the bare 32-byte key');
      } else errors.push(`p= holds ${der.length} bytes, not a 32-byte Ed25519 key`);
    }
    return out;
  }
  if (out.keyType !== 'rsa') return out;
  const info = derKeyInfo(der);
  if (!info || info.kind === 'ed25519-spki') {
    errors.push(info ? 'p= holds an Ed25519 key but k= says rsa' : 'p= is not a DER RSA public key');
    return out;
  }
  out.keyBits = info.bits;
  if (info.kind === 'rsa-pkcs1') warnings.push('the RSA key is a bare RSAPublicKey; RFC 6376 specifies a SubjectPublicKeyInfo');
  return out;
}

export interface DkimSelectorResult {
  selector: string;
  /** The name queried: `<selector>._domainkey.<domain>`. */
  name: string;
  status: 'found' | 'missing' | 'invalid' | 'multiple' | 'error';
  reason?: string;
  /** Key records found (several when status is 'multiple'). */
  keys: DkimKeyRecord[];
  /** TXT texts at the name that are not DKIM key records (a wildcard, say). */
  ignored: string[];
}

export interface DkimDiscovery {
  domain: string;
  selectorsTried: string[];
  /** User-given selectors that are not valid DNS names and were not queried. */
  invalidSelectors: string[];
  results: DkimSelectorResult[];
}

export interface DiscoverDkimOptions {
  /** Extra selectors to try (e.g. from a message's DKIM-Signature s=). */
  selectors?: readonly string[];
  /** Also try DEFAULT_DKIM_SELECTORS (default true). */
  defaults?: boolean;
  /** Parallel lookups (default 6). */
  concurrency?: number;
  signal?: AbortSignal;
}

/** Classify the TXT texts found at one selector name. */
export function evaluateDkimSelector(selector: string, name: string, texts: readonly string[]): DkimSelectorResult {
  const candidates = texts.filter(looksLikeDkimRecord);
  const ignored = texts.filter((t) => !looksLikeDkimRecord(t));
  const keys = candidates.map(parseDkimRecord);
  const base = { selector, name, keys, ignored };
  if (keys.length === 0) return { ...base, status: 'missing' };
  if (keys.length > 1) return { ...base, status: 'multiple', reason: `${keys.length} key records at ${name}` };
  const errors = keys[0]?.errors ?? [];
  return errors.length ? { ...base, status: 'invalid', reason: errors.join('; ') } : { ...base, status: 'found' };
}

/** Query `<selector>._domainkey.<domain>` for every selector, a few at a time. */
export async function discoverDkim(domainIn: string, lookup: TxtLookup, opts: DiscoverDkimOptions = {}): Promise<DkimDiscovery> {
  const domain = normalizeName(domainIn);
  const wanted = [...(opts.defaults === false ? [] : DEFAULT_DKIM_SELECTORS), ...(opts.selectors ?? [])].map((s) => normalizeName(s.trim()));
  const invalidSelectors: string[] = [];
  const selectors: string[] = [];
  for (const s of wanted) {
    if (!isHostname(s)) {
      if (!invalidSelectors.includes(s)) invalidSelectors.push(s);
    } else if (!selectors.includes(s)) selectors.push(s);
  }
  const results = await mapLimit(selectors, opts.concurrency ?? 6, async (selector): Promise<DkimSelectorResult> => {
    const name = `${selector}._domainkey.${domain}`;
    const res = await lookupTxt(lookup, name, opts.signal);
    if (res.status === 'error') return { selector, name, status: 'error', reason: res.reason, keys: [], ignored: [] };
    return evaluateDkimSelector(selector, name, res.status === 'ok' ? res.texts : []);
  });
  return { domain, selectorsTried: selectors, invalidSelectors, results };
}

/**
 * The report-contract shape (`email.dkim`): `selectors` lists every key record a verifier would use
 * (revoked ones with `keyBits` null); a record verifiers discard (RFC 6376 §3.6.1: a v= other than
 * DKIM1 or not first, a repeated tag, no usable p= …) is not a key and goes to `invalid` with why.
 */
export function dkimReport(d: DkimDiscovery): NonNullable<EmailResult['dkim']> {
  const invalid = d.results.flatMap((r) => r.keys.filter((k) => k.errors.length > 0).map((k) => ({ name: r.selector, reason: k.errors.join('; ') })));
  return {
    selectorsTried: d.selectorsTried,
    selectors: d.results.flatMap((r) =>
      r.keys.filter((k) => k.errors.length === 0).map((k) => ({ name: r.selector, keyType: k.keyType, keyBits: k.keyBits, testing: k.testing })),
    ),
    ...(invalid.length ? { invalid } : {}),
  };
}

const REFS = [EMAIL_REF.rfc6376, EMAIL_REF.rfc8301];

/** Findings for a DKIM discovery. */
export function checkDkim(d: DkimDiscovery): CheckFinding[] {
  const out: CheckFinding[] = [];
  const failed = d.results.filter((r) => r.status === 'error');
  if (failed.length) {
    out.push(
      untestedFinding(
        'email.dkim',
        `DKIM (${failed.length} of ${d.results.length} selectors)`,
        failed.map((r) => `${r.name}: ${r.reason ?? 'lookup failed'}`).slice(0, 5).join('; ') + (failed.length > 5 ? ' …' : ''),
        { selectors: failed.map((r) => r.selector) },
        [EMAIL_REF.rfc6376],
      ),
    );
  }
  const withKeys = d.results.filter((r) => r.keys.length > 0);
  if (withKeys.length === 0 && failed.length < d.results.length) {
    out.push(
      finding({
        id: DKIM_FINDINGS.notFound,
        severity: 'info',
        title: 'No DKIM key found at common selectors',
        detail:
          `None of the ${d.selectorsTried.length} selectors tried has a key under _domainkey.${d.domain}. ` +
          'Selectors cannot be listed from outside, so DKIM may still be in use with another selector.',
        evidence: { selectorsTried: d.selectorsTried },
        remediation: 'Sign outgoing mail with DKIM (2048-bit RSA) and re-run with your selector to check its key.',
        references: [EMAIL_REF.rfc6376],
      }),
    );
  }
  for (const r of withKeys) {
    const ev = { selector: r.selector, name: r.name };
    if (r.status === 'multiple') {
      out.push(
        finding({
          id: DKIM_FINDINGS.multiple,
          severity: 'low',
          title: `Several DKIM key records at selector ${r.selector}`,
          detail: `${r.name} has ${r.keys.length} key records; verifiers may use any one of them, so signatures can fail at random.`,
          evidence: { ...ev, records: r.keys.map((k) => k.record) },
          remediation: 'Publish exactly one key record per selector; rotate keys with a new selector.',
          references: [EMAIL_REF.rfc6376],
        }),
      );
    }
    for (const k of r.keys) {
      const kev = { ...ev, record: k.record, keyType: k.keyType, keyBits: k.keyBits };
      if (k.errors.length) {
        out.push(
          finding({
            id: DKIM_FINDINGS.invalid,
            severity: 'medium',
            title: `DKIM key record for selector ${r.selector} is invalid`,
            detail: `Verifiers cannot use this key, so signatures made with it fail: ${k.errors.join('; ')}.`,
            evidence: { ...kev, errors: k.errors },
            remediation: 'Republish the record as `v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>`.',
            references: REFS,
          }),
        );
        continue;
      }
      if (k.revoked) {
        out.push(
          finding({
            id: DKIM_FINDINGS.revoked,
            severity: 'info',
            title: `DKIM key for selector ${r.selector} is revoked`,
            detail: 'p= is empty: signatures with this selector fail verification (this is how a key is retired).',
            evidence: kev,
            remediation: 'Nothing to do if the selector is retired; otherwise publish its public key.',
            references: [EMAIL_REF.rfc6376],
          }),
        );
        continue;
      }
      if (k.keyType === 'rsa' && k.keyBits !== null && k.keyBits < 1024) {
        out.push(
          finding({
            id: DKIM_FINDINGS.keyTooShort,
            severity: 'high',
            title: `DKIM key for selector ${r.selector} is ${k.keyBits}-bit RSA`,
            detail: 'Signers must use RSA keys of at least 1024 bits (RFC 8301 §3.2): shorter keys can be factored, so signatures can be forged, and many verifiers reject them.',
            evidence: kev,
            remediation: 'Generate a 2048-bit RSA key under a new selector and switch signing to it.',
            references: REFS,
          }),
        );
      } else if (k.keyType === 'rsa' && k.keyBits !== null && k.keyBits < 2048) {
        out.push(
          finding({
            id: DKIM_FINDINGS.keyShort,
            severity: 'medium',
            title: `DKIM key for selector ${r.selector} is ${k.keyBits}-bit RSA`,
            detail: 'Signers should use RSA keys of at least 2048 bits (RFC 8301 §3.2); 1024-bit keys are within reach of well-funded attackers.',
            evidence: kev,
            remediation: 'Generate a 2048-bit RSA key under a new selector and switch signing to it.',
            references: REFS,
          }),
        );
      }
      if (k.hashes !== null && !k.hashes.includes('sha256')) {
        out.push(
          finding({
            id: DKIM_FINDINGS.sha1Only,
            severity: 'medium',
            title: `DKIM key for selector ${r.selector} only allows SHA-1`,
            detail: `h=${k.hashes.join(':')}: rsa-sha1 signatures must not be used or trusted (RFC 8301 §3.1), so mail signed with this key does not verify.`,
            evidence: { ...kev, hashes: k.hashes },
            remediation: 'Remove h= or set h=sha256, and sign with rsa-sha256.',
            references: REFS,
          }),
        );
      }
      if (k.testing) {
        out.push(
          finding({
            id: DKIM_FINDINGS.testing,
            severity: 'low',
            title: `DKIM key for selector ${r.selector} is in test mode (t=y)`,
            detail: 'Verifiers must not treat failing signatures differently from unsigned mail while t=y is set.',
            evidence: { ...kev, flags: 'y' },
            remediation: 'Remove t=y once signing works.',
            references: [EMAIL_REF.rfc6376],
          }),
        );
      }
      if (k.services !== null && !k.services.includes('*') && !k.services.includes('email')) {
        out.push(
          finding({
            id: DKIM_FINDINGS.notForEmail,
            severity: 'low',
            title: `DKIM key for selector ${r.selector} excludes email`,
            detail: `s=${k.services.join(':')} does not include "email" or "*", so verifiers ignore the key for mail.`,
            evidence: { ...kev, services: k.services },
            remediation: 'Remove s= or set s=email.',
            references: [EMAIL_REF.rfc6376],
          }),
        );
      }
    }
  }
  const usable = withKeys.flatMap((r) => r.keys).filter((k) => k.errors.length === 0 && !k.revoked);
  if (usable.length > 0 && usable.every((k) => k.keyType === 'ed25519')) {
    out.push(
      finding({
        id: DKIM_FINDINGS.ed25519Only,
        severity: 'low',
        title: 'Only Ed25519 DKIM keys found',
        detail: 'Many receivers do not verify ed25519-sha256 yet, so mail signed only with Ed25519 may count as unsigned there.',
        evidence: { selectors: withKeys.map((r) => r.selector) },
        remediation: 'Add a 2048-bit RSA key and sign each message with both.',
        references: [EMAIL_REF.rfc8463],
      }),
    );
  }
  return out;
}
