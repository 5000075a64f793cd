// Readings of the report's TLS section the profile rules share: what was offered, what is unknown,
// and the leaf certificates. Each reading keeps "not tested" apart from "absent".
import { PROTOCOLS, type ProtocolName } from '../../model/constants.js';
import type { CertificateInfo, TlsResult } from '../../model/report.js';
import type { RuleOutcome } from './types.js';

export const pass = (rule: string): RuleOutcome => ({ rule, status: 'pass' });
export const deviation = (rule: string, expected: string, actual: string): RuleOutcome => ({ rule, status: 'deviation', expected, actual });
export const untested = (rule: string, reason: string): RuleOutcome => ({ rule, status: 'untested', reason });

/** A rule's verdict from what it saw: a deviation seen stands whatever else is unknown. */
export function verdict(rule: string, expected: string, bad: readonly string[], unknown: readonly string[]): RuleOutcome {
  if (bad.length) return deviation(rule, expected, bad.join('; '));
  if (unknown.length) return untested(rule, unknown.join('; '));
  return pass(rule);
}

export const list = (xs: readonly string[]): string => (xs.length ? xs.join(', ') : 'none');

/** Protocols the server accepted, and those whose answer is unknown. */
export function protocolsSeen(tls: TlsResult): { offered: ProtocolName[]; unknown: ProtocolName[] } {
  const offered: ProtocolName[] = [];
  const unknown: ProtocolName[] = [];
  for (const p of PROTOCOLS) {
    const v = tls.protocols?.[p];
    if (v === true) offered.push(p);
    else if (v !== false) unknown.push(p);
  }
  return { offered, unknown };
}

/**
 * The suites offered under each accepted protocol. A protocol whose acceptance or suite list is
 * unknown, or whose enumeration stopped early (a lower bound), is named in `unknown`: a suite
 * outside a list is still a deviation, but "none outside" cannot be said for it.
 */
export function suitesSeen(tls: TlsResult): { byProtocol: [ProtocolName, string[]][]; unknown: string[] } {
  const byProtocol: [ProtocolName, string[]][] = [];
  const unknown: string[] = [];
  const { offered, unknown: unknownProtocols } = protocolsSeen(tls);
  for (const p of unknownProtocols) unknown.push(`${p} not tested`);
  for (const p of offered) {
    const suites = tls.cipherSuites?.[p];
    if (!suites) {
      unknown.push(`${p} suites not enumerated`);
      continue;
    }
    byProtocol.push([p, suites]);
    const stopped = tls.cipherSuitesIncomplete?.[p];
    if (stopped) unknown.push(`${p} suite list incomplete (${stopped})`);
  }
  return { byProtocol, unknown };
}

/** DHE key exchange among the suites offered (TLS 1.2 and below). */
export const isDheSuite = (name: string): boolean => /^TLS_DHE_/.test(name);

/** The leaf of every served chain (a server may hold RSA and ECDSA certificates). */
export function leafCertificates(tls: TlsResult): CertificateInfo[] {
  const leaves = tls.certificates.filter((c) => c.servedIndex === 0);
  if (leaves.length) return leaves;
  // Reports without chain positions: the first certificate is the leaf.
  const first = tls.certificates[0];
  return first && first.servedIndex === undefined ? [first] : [];
}

const DAY_MS = 86_400_000;

/** notAfter − notBefore in whole days (the report's lifetimeDays, computed for older reports). */
export function lifetimeDays(c: CertificateInfo): number | null {
  if (typeof c.lifetimeDays === 'number') return c.lifetimeDays;
  const ms = Date.parse(c.notAfter) - Date.parse(c.notBefore);
  return Number.isFinite(ms) ? Math.floor(ms / DAY_MS) : null;
}

/** A short name of a leaf for messages: key and subject. */
export function leafName(c: CertificateInfo): string {
  const key = c.keyType === 'EC' ? `EC ${c.curve ?? '?'}` : `${c.keyType} ${c.keyBits ?? '?'}`;
  return `${key} certificate ${c.subject}`;
}

/** Finite-field groups (RFC 7919) among the supported groups. */
export const isFfdheGroup = (g: string): boolean => /^ffdhe\d+$/i.test(g);

/** Size in bits of an elliptic-curve (or hybrid) group's classical part, as sslyze counts it; null when unknown. */
export function ecGroupBits(group: string): number | null {
  const g = group.toLowerCase();
  if (g.includes('x25519') || g.includes('curve25519')) return 256;
  if (g.includes('x448') || g.includes('curve448')) return 448;
  const m = /(?:secp|sect|brainpoolp|prime)(\d{3})/.exec(g);
  return m ? Number(m[1]) : null;
}

/** The groups' unknown parts: not enumerated, or enumeration stopped early. */
export function groupsUnknown(tls: TlsResult): string[] {
  if (!tls.groups) return ['supported groups not enumerated'];
  return tls.groupsIncomplete?.length ? [`group list incomplete (${tls.groupsIncomplete.join(', ')})`] : [];
}
