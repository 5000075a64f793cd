// The card's endpoint section: protocols, every accepted suite with its key exchange and strength,
// groups, the SSL Labs categories with every point lost explained, caps, and the served chains.
import { PROTOCOLS, type ProtocolName } from '../../model/constants.js';
import type { EndpointReport, TlsResult } from '../../model/report.js';
import {
  band,
  CATEGORY_WEIGHTS,
  CIPHER_STRENGTH_BANDS,
  EC_KEY_EXCHANGE_BANDS,
  EXPORT_KEY_EXCHANGE_SCORE,
  ANONYMOUS_KEY_EXCHANGE_SCORE,
  KEY_EXCHANGE_BANDS,
  PROTOCOL_SCORES,
} from '../../grade/ssllabs-tables.js';
import { groupByName, SSLV2_CIPHER_KINDS, suiteByName, type CipherSuiteInfo } from '../../tls/registry/index.js';
import { daysRemainingSeg, endpointLabel, goodIfTrue, gradeSegs, leafCertificate, protocolTone, seg, triState, type Seg, type Tone } from '../style.js';
import { field, heading, plural, ROW_INDENT, statusItem, type CardLine } from './lines.js';
import { simulationLines } from './simulation.js';

type Rating = NonNullable<TlsResult['rating']>;
type Chain = NonNullable<TlsResult['chains']>[number];

export function endpointLines(e: EndpointReport): CardLine[] {
  const tls = e.tls;
  const lines: CardLine[] = [heading([seg(`Endpoint ${endpointLabel(e.ip, e.port)}`, 'strong')], [seg('grade '), ...gradeSegs(e.grade)])];
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
  lines.push(...suiteLines(tls), ...groupLines(tls));
  if (tls.rating && tls.rating.score !== null) lines.push(...ratingLines(tls, tls.rating));
  for (const p of tls.profiles ?? []) lines.push(field('profile', [profileVerdict(p)]));
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
  lines.push(...simulationLines(tls));
  return lines;
}

/** "mozilla-intermediate 5.7: not compliant (2 deviations: protocols, hsts-min-age)". */
export function profileVerdict(p: NonNullable<TlsResult['profiles']>[number]): Seg[] {
  const name = seg(`${p.profile} ${p.version}: `);
  if (p.compliant === true) return [name, seg('compliant', 'good')];
  if (p.compliant === false) {
    return [name, seg('not compliant', 'bad'), seg(` (${plural(p.deviations.length, 'deviation')}: ${p.deviations.map((d) => d.rule).join(', ')})`)];
  }
  return [name, seg('not decided', 'dim'), seg(` (untested: ${p.untested.map((u) => u.rule).join(', ')})`, 'dim')];
}

// ---- suites ----------------------------------------------------------------------------------

/** The served leaf the grader reads (served position 0; older reports: the first certificate). */
function gradedLeaf(tls: TlsResult): TlsResult['certificates'][number] | undefined {
  return tls.certificates.find((c) => c.servedIndex === 0) ?? (tls.certificates[0]?.servedIndex === undefined ? tls.certificates[0] : undefined);
}

/** A served leaf with this key type (RSA suites use the RSA certificate of a dual-certificate server). */
function leafWithKey(tls: TlsResult, keyType: string): TlsResult['certificates'][number] | undefined {
  return tls.certificates.find((c) => (c.servedIndex === 0 || c.servedIndex === undefined) && c.keyType === keyType);
}

const range = (bits: number[]): string => {
  const lo = Math.min(...bits);
  const hi = Math.max(...bits);
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
};

/** The accepted groups of a kind as "x25519 253 bits" (one) or "253-521 bits" (several); null when none. */
function groupsOfKind(tls: TlsResult, kind: 'ecdhe' | 'ffdhe'): string | null {
  const groups = (tls.groups ?? []).map((n) => groupByName(n)).filter((g) => g?.kind === kind && g.bits > 0);
  if (groups.length === 0) return null;
  return groups.length === 1 ? `${groups[0]!.name} ${groups[0]!.bits} bits` : `${range(groups.map((g) => g!.bits))} bits`;
}

/** Key exchange of an ECDHE suite (TLS ≤ 1.2: curves only). */
function ecdheKx(tls: TlsResult, label: string): Seg {
  if (tls.groups === null) return seg(`${label}, kx size unknown (groups not enumerated)`, 'dim');
  const ec = groupsOfKind(tls, 'ecdhe');
  return ec ? seg(`${label} ${ec}`) : seg(`${label}, kx size unknown`, 'dim');
}

/** TLS 1.3: the suite says nothing about the key exchange; every accepted group is possible. */
function tls13Kx(tls: TlsResult): Seg {
  if (tls.groups === null) return seg('kx size unknown (groups not enumerated)', 'dim');
  const parts: string[] = [];
  const ec = groupsOfKind(tls, 'ecdhe');
  const ff = groupsOfKind(tls, 'ffdhe');
  // "ECDHE 253-521, FFDHE 2048-8192 bits": one unit at the end keeps the row short.
  if (ec) parts.push(`ECDHE ${ff ? ec.replace(/ bits$/, '') : ec}`);
  if (ff) parts.push(`FFDHE ${ff}`);
  const pq = (tls.groups ?? []).filter((n) => /^(hybrid-pq|pq)$/.test(groupByName(n)?.kind ?? ''));
  if (pq.length) parts.push(pq.join(' '));
  return parts.length ? seg(parts.join(', ')) : seg('kx size unknown', 'dim');
}

function keyExchangeSeg(tls: TlsResult, s: CipherSuiteInfo): Seg {
  if (s.tls13) return tls13Kx(tls);
  const anon = s.anonymous ? ' anon' : '';
  switch (s.kx) {
    case 'ECDHE':
    case 'ECDHE_PSK':
      return ecdheKx(tls, s.kx.replace('_', '-'));
    case 'DHE':
    case 'DHE_PSK': {
      const bits = tls.dhParameterBits ?? null;
      return bits === null ? seg(`${s.kx.replace('_', '-')}, kx size unknown`, 'dim') : seg(`${s.kx.replace('_', '-')} ${bits} bits`);
    }
    case 'RSA':
    case 'RSA_PSK': {
      if (s.export) return seg('RSA export (512 bits at most)', 'bad');
      const leaf = leafWithKey(tls, 'RSA');
      return leaf?.keyBits ? seg(`${s.kx.replace('_', '-')} ${leaf.keyBits} bits`) : seg(`${s.kx.replace('_', '-')}, kx size unknown`, 'dim');
    }
    case 'ECDH':
      if (s.anonymous) return ecdheKx(tls, 'ECDH anon');
      {
        const leaf = leafWithKey(tls, 'EC');
        return leaf?.keyBits ? seg(`ECDH static ${leaf.keyBits} bits`) : seg('ECDH static, kx size unknown', 'dim');
      }
    case 'DH': {
      const bits = s.anonymous ? (tls.dhParameterBits ?? null) : null;
      return bits === null ? seg(`DH${anon || ' static'}, kx size unknown`, 'dim') : seg(`DH anon ${bits} bits`, 'bad');
    }
    default:
      return seg(s.kx === 'NULL' ? 'no key exchange' : s.kx, 'dim');
  }
}

/** A cipher token as people write it, with its strength when the name does not say it. */
function cipherText(cipher: string, bits: number): string {
  const name = cipher.replace(/_/g, '-');
  return new RegExp(`\\b${bits}\\b`).test(name) ? name : `${name} ${bits} bits`;
}

interface SuiteRow {
  name: Seg;
  kx: Seg;
  cipher: Seg;
  flags: Seg[];
}

function suiteRow(tls: TlsResult, protocol: ProtocolName, name: string): SuiteRow {
  const nonIana = tls.cipherSuitesNonIana?.includes(name) ? [seg('non-IANA', 'dim')] : [];
  if (protocol === 'SSLv2') {
    const k = SSLV2_CIPHER_KINDS.find((x) => x.name === name);
    const leaf = leafWithKey(tls, 'RSA');
    return {
      name: seg(name, 'bad'),
      kx: seg(k?.export ? 'RSA export (512 bits at most)' : leaf?.keyBits ? `RSA ${leaf.keyBits} bits` : 'RSA, kx size unknown', k?.export ? 'bad' : 'dim'),
      cipher: k ? seg(cipherText(k.cipher, k.bits), k.bits < 112 ? 'bad' : 'plain') : seg('cipher unknown', 'dim'),
      flags: [seg('no FS', 'warn'), ...nonIana],
    };
  }
  const s = suiteByName(name);
  if (!s) return { name: seg(name), kx: seg('suite unknown to this version', 'dim'), cipher: seg('', 'dim'), flags: nonIana };
  const broken = s.bits < 112 || s.export || s.anonymous || s.nullCipher || s.cipher.startsWith('RC4');
  const weak = !s.forwardSecrecy || s.blockBits === 64;
  const tone: Tone = broken ? 'bad' : weak ? 'warn' : 'plain';
  const flags: Seg[] = [s.forwardSecrecy ? seg('FS', 'good') : seg('no FS', 'warn')];
  if (s.export) flags.push(seg('export', 'bad'));
  if (s.anonymous) flags.push(seg('anonymous', 'bad'));
  if (s.blockBits === 64) flags.push(seg('64-bit block', 'warn'));
  return {
    name: seg(name, tone),
    kx: keyExchangeSeg(tls, s),
    cipher: seg(cipherText(s.cipher, s.bits), s.bits < 112 ? 'bad' : s.bits < 128 ? 'warn' : 'plain'),
    flags: [...flags, ...nonIana],
  };
}

/** Per protocol (newest first): how many suites, in whose order, then every suite on its own row. */
function suiteLines(tls: TlsResult): CardLine[] {
  const lines: CardLine[] = [];
  const rows = [...PROTOCOLS].reverse().flatMap((p) => (tls.cipherSuites[p] ?? []).map((n) => ({ p, row: suiteRow(tls, p, n) })));
  const w = (f: (r: SuiteRow) => Seg) => Math.max(0, ...rows.map(({ row }) => f(row).text.length));
  const flagsWidth = Math.max(0, ...rows.map(({ row }) => row.flags.reduce((n, f) => n + f.text.length + 1, -1)));
  const pad = [w((r) => r.name), w((r) => r.kx), w((r) => r.cipher), flagsWidth];
  for (const p of [...PROTOCOLS].reverse()) {
    const suites = tls.cipherSuites[p];
    if (!suites?.length) continue;
    const pref = tls.serverPreference[p];
    const order = pref === true ? 'server order' : pref === false ? 'client order' : 'order unknown';
    const incomplete = tls.cipherSuitesIncomplete?.[p];
    lines.push(field(p, [[seg(`${plural(suites.length, 'suite')} · ${order}`)], ...(incomplete ? [[seg(`list incomplete: ${incomplete}`, 'warn')]] : [])]));
    for (const { row } of rows.filter((r) => r.p === p)) {
      lines.push({ indent: ROW_INDENT, items: [[row.name], [row.kx], [row.cipher], row.flags.flatMap((f, i) => (i ? [seg(' '), f] : [f]))], gap: 2, pad, hang: 2 });
    }
  }
  return lines;
}

function groupLines(tls: TlsResult): CardLine[] {
  const lines: CardLine[] = [];
  if (tls.groups?.length) {
    const items = tls.groups.map((n) => {
      const g = groupByName(n);
      return [seg(g && g.bits > 0 ? `${n} ${g.bits}` : n)];
    });
    lines.push(field('groups', [...items, ...(tls.groupsIncomplete?.length ? [[seg(`incomplete: ${tls.groupsIncomplete.join('; ')}`, 'warn')]] : [])]));
  }
  if (tls.dhParameterBits) {
    const prime = tls.dhParameterPrime ? [[seg(DH_PRIME_WORDS[tls.dhParameterPrime] ?? tls.dhParameterPrime, tls.dhParameterPrime === 'composite' ? 'bad' : 'dim')]] : [];
    lines.push(field('DH params', [[seg(`${tls.dhParameterBits} bits`, tls.dhParameterBits < 2048 ? 'warn' : 'plain')], ...prime]));
  }
  return lines;
}

const DH_PRIME_WORDS: Readonly<Record<string, string>> = {
  known: 'a published group',
  safe: 'a safe prime',
  'not-safe': 'prime, not a safe prime',
  composite: 'not prime',
  unchecked: 'primality not checked (over 8192 bits)',
};

// ---- rating ----------------------------------------------------------------------------------

/** A 0–100 score as a ten-cell bar, coloured by how good it is. */
function scoreBar(value: number | null): Seg[] {
  if (value === null) return [seg('not scored', 'dim')];
  const filled = Math.floor(value / 10); // only a full 100 fills the bar
  const tone: Tone = value >= 80 ? 'good' : value >= 50 ? 'warn' : 'bad';
  return [seg('█'.repeat(filled), tone), seg('░'.repeat(10 - filled), 'dim'), seg(` ${String(value).padStart(3)}`)];
}

const NOT_DERIVABLE = 'the reason is not in this report (made by another version?)';
const lost = (score: number) => `-${100 - score}: `;

/** Protocol: (best + worst) / 2 over the accepted versions (PROTOCOL_SCORES). */
export function protocolReason(tls: TlsResult, score: number | null): string | null {
  if (score === null || score === 100) return null;
  const accepted = PROTOCOLS.filter((p) => tls.protocols[p] === true);
  if (accepted.length === 0) return NOT_DERIVABLE;
  const scores = accepted.map((p) => PROTOCOL_SCORES[p]);
  const best = Math.max(...scores);
  const worst = Math.min(...scores);
  if ((best + worst) / 2 !== score) return NOT_DERIVABLE;
  const weak = accepted.filter((p) => PROTOCOL_SCORES[p] < 100).map((p) => `${p} (${PROTOCOL_SCORES[p]})`);
  const bestName = accepted.filter((p) => PROTOCOL_SCORES[p] === best).at(-1);
  return `${lost(score)}${weak.join(', ')} accepted; (best ${bestName} ${best} + worst ${worst}) / 2`;
}

/** Where a size falls in its band table, e.g. "under 4096 bits: 90". */
function bandWords(bands: ReadonlyArray<{ below: number; score: number }>, size: number): string {
  const b = bands.find((x) => size < x.below);
  return b && Number.isFinite(b.below) ? `under ${b.below} bits: ${b.score}` : `${band(bands, size)}`;
}

/** Key exchange: the weakest of the leaf key, the DHE parameters and each group (KEY_EXCHANGE_BANDS). */
export function keyExchangeReason(tls: TlsResult, score: number | null): string | null {
  if (score === null || score === 100) return null;
  const parts: Array<{ what: string; score: number }> = [];
  const leaf = gradedLeaf(tls);
  if (leaf?.keyBits) {
    const ec = leaf.keyType === 'EC' || leaf.keyType.startsWith('Ed');
    const bands = ec ? EC_KEY_EXCHANGE_BANDS : KEY_EXCHANGE_BANDS;
    parts.push({ what: `${leaf.keyType} ${leaf.keyBits}-bit key (${bandWords(bands, leaf.keyBits)})`, score: band(bands, leaf.keyBits) });
  }
  const dh = tls.dhParameterBits ?? null;
  if (dh !== null) parts.push({ what: `DHE ${dh}-bit parameters (${bandWords(KEY_EXCHANGE_BANDS, dh)})`, score: band(KEY_EXCHANGE_BANDS, dh) });
  for (const name of tls.groups ?? []) {
    const g = groupByName(name);
    if (g?.kind === 'ecdhe') parts.push({ what: `group ${name} ${g.bits} bits (${bandWords(EC_KEY_EXCHANGE_BANDS, g.bits)})`, score: band(EC_KEY_EXCHANGE_BANDS, g.bits) });
    if (g?.kind === 'ffdhe') parts.push({ what: `group ${name} (${bandWords(KEY_EXCHANGE_BANDS, g.bits)})`, score: band(KEY_EXCHANGE_BANDS, g.bits) });
  }
  const suites = gradedSuites(tls);
  if (suites.some((s) => s.anonymous)) parts.push({ what: `anonymous suites (${ANONYMOUS_KEY_EXCHANGE_SCORE})`, score: ANONYMOUS_KEY_EXCHANGE_SCORE });
  if (suites.some((s) => s.export)) parts.push({ what: `export suites (${EXPORT_KEY_EXCHANGE_SCORE})`, score: EXPORT_KEY_EXCHANGE_SCORE });
  if (parts.length === 0 || Math.min(...parts.map((p) => p.score)) !== score) return NOT_DERIVABLE;
  // "group ffdhe2048 (under 4096 bits: 90); group ffdhe3072 (…)" reads better as one clause per band.
  const byBand = new Map<string, string[]>();
  for (const p of parts.filter((x) => x.score === score)) {
    const m = /^(.*) \((.*)\)$/.exec(p.what);
    const [what, why] = m ? [m[1]!, m[2]!] : [p.what, ''];
    byBand.set(why, [...(byBand.get(why) ?? []), what]);
  }
  return `${lost(score)}${[...byBand].map(([why, whats]) => `${whats.join(', ')}${why ? ` (${why})` : ''}`).join('; ')}`;
}

/** The suites the grader counts: TLS/SSLv3 suites it knows (SSL 2.0 kinds are capped, not scored). */
function gradedSuites(tls: TlsResult): CipherSuiteInfo[] {
  return Object.entries(tls.cipherSuites)
    .filter(([p]) => p !== 'SSLv2')
    .flatMap(([, names]) => names.map((n) => suiteByName(n)).filter((s): s is CipherSuiteInfo => s !== undefined));
}

/** Cipher strength: (strongest + weakest) / 2 by key bits (CIPHER_STRENGTH_BANDS). */
export function cipherReason(tls: TlsResult, score: number | null): string | null {
  if (score === null || score === 100) return null;
  const suites = gradedSuites(tls);
  if (suites.length === 0) return NOT_DERIVABLE;
  const bits = suites.map((s) => s.bits);
  const max = Math.max(...bits);
  const min = Math.min(...bits);
  const hi = band(CIPHER_STRENGTH_BANDS, max);
  const lo = band(CIPHER_STRENGTH_BANDS, min);
  if ((hi + lo) / 2 !== score) return NOT_DERIVABLE;
  const weakest = [...new Set(suites.filter((s) => s.bits === min).map((s) => s.cipher.replace(/_/g, '-')))];
  return `${lost(score)}${min}-bit ciphers accepted (${weakest.join(', ')}): ${lo}; strongest ${max}-bit: ${hi}; (${hi} + ${lo}) / 2`;
}

/** The SSL Labs page in a few lines: the three categories with what each lost and why, the score, then every cap. */
function ratingLines(tls: TlsResult, r: Rating): CardLine[] {
  const why = (text: string | null): Seg[][] => (text ? [[seg(text, text === NOT_DERIVABLE ? 'dim' : 'warn')]] : []);
  const pct = (w: number) => `${Math.round(w * 100)}%`;
  const lines = [
    field('protocol', [scoreBar(r.protocol), ...why(protocolReason(tls, r.protocol))]),
    field('key exch.', [scoreBar(r.keyExchange), ...why(keyExchangeReason(tls, r.keyExchange))]),
    field('cipher', [scoreBar(r.cipherStrength), ...why(cipherReason(tls, r.cipherStrength))]),
    field('score', [
      [seg(`${r.score} → ${r.scoreLetter ?? '–'}`)],
      [seg(`(${pct(CATEGORY_WEIGHTS.protocol)} protocol + ${pct(CATEGORY_WEIGHTS.keyExchange)} key exchange + ${pct(CATEGORY_WEIGHTS.cipherStrength)} cipher)`, 'dim')],
      ...(r.letter ? [[seg('grade '), ...gradeSegs(r.letter)]] : []),
    ]),
  ];
  // Every cap with its reason; T and M replace the letter, the others lower it.
  for (const c of r.caps) lines.push(field(c.grade === 'T' || c.grade === 'M' ? `grade ${c.grade}` : `cap ${c.grade}`, [[seg(c.reason, 'warn')]]));
  if (r.letter === 'T' || r.letter === 'M') lines.push(field('if fixed', [[seg(`${r.ignoringTrust ?? '–'} if trusted and matching`, 'dim')]]));
  for (const w of r.warnings ?? []) lines.push(field('A-', [[seg(w.reason, 'warn')]]));
  if (r.notAPlus) lines.push(field('not A+', [[seg(r.notAPlus, 'dim')]]));
  if (r.hstsSource) lines.push(field('HSTS from', [[seg(r.hstsSource, 'dim')]]));
  for (const p of r.pending) lines.push(field('untested', [[seg(p, 'warn')]]));
  if (!r.letter && r.best && r.worst && r.best !== r.worst) lines.push(field('could be', [[seg(`${r.best} at best, ${r.worst} at worst`, 'warn')]]));
  return lines;
}

// ---- chains ----------------------------------------------------------------------------------

const REVOCATION_METHOD: Readonly<Record<string, string>> = { stapled: 'stapled OCSP', 'ocsp-responder': 'OCSP responder', crl: 'CRL' };
const NOT_CHECKED: Readonly<Record<string, string>> = {
  'phone-out-disabled': '--no-phone-out',
  'no-pointers': 'no OCSP or CRL URL',
  'no-issuer': 'issuer unknown',
  unreachable: 'no usable answer',
  'leaf-unreadable': 'certificate unreadable',
};

/** Always says whether revocation was checked, how, and what it said (or why not). */
function revocationItem(r: Chain['revocation']): Seg[] {
  if (!r) return [seg('revocation not recorded', 'dim')];
  if (!r.checked) return [seg('revocation '), seg(`not checked (${NOT_CHECKED[r.notChecked ?? ''] ?? r.notChecked ?? 'unknown'})`, 'warn')];
  return [seg('revocation '), seg(`${r.status ?? '?'} (${REVOCATION_METHOD[r.method ?? ''] ?? r.method})`, r.status === 'good' ? 'good' : 'bad')];
}

/** One served chain: who, how long, trusted by what (or why not), and its revocation / CT state. */
function chainLine(tls: TlsResult, c: Chain, numbered: boolean): CardLine {
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
