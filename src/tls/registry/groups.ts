// TLS Supported Groups (named curves, FFDHE groups, post-quantum KEMs). Rows are generated from
// IANA's registry into groups.data.ts; kind and size are derived here from the IANA name.
import { GROUP_ROWS } from './groups.data.js';

/** 'unknown' only for a future registry name this file does not know yet (the unit test keeps it out). */
export type GroupKind = 'ecdhe' | 'ffdhe' | 'hybrid-pq' | 'pq' | 'unknown';

export interface GroupInfo {
  code: number;
  /** IANA description without its "(OBSOLETE)" marker, e.g. secp256r1, x25519, ffdhe2048, X25519MLKEM768. */
  name: string;
  kind: GroupKind;
  /**
   * Classical security size: curve bits or FF prime bits. X25519/X448 use 253/448, the sizes OpenSSL
   * and Node report for their keys; hybrids carry their classical curve's size; pure ML-KEM and the
   * unspecified "arbitrary_explicit_*" curves have none (0).
   */
  bits: number;
  /** IANA "Recommended" column is Y. */
  recommended: boolean;
  /** IANA "Recommended" column is D (discouraged, RFC 8447bis). */
  discouraged: boolean;
  /** IANA marks the entry "(OBSOLETE)" (pre-standard Kyber hybrids). */
  obsolete: boolean;
  references: readonly string[];
}

const X25519_BITS = 253;
const X448_BITS = 448;

function classify(name: string): { kind: GroupKind; bits: number } {
  let m: RegExpExecArray | null;
  if ((m = /^(?:sect|secp)(\d+)[kr][12]$/.exec(name))) return { kind: 'ecdhe', bits: Number(m[1]) };
  if ((m = /^brainpoolP(\d+)r1(?:tls13)?$/.exec(name))) return { kind: 'ecdhe', bits: Number(m[1]) };
  if (name === 'x25519') return { kind: 'ecdhe', bits: X25519_BITS };
  if (name === 'x448') return { kind: 'ecdhe', bits: X448_BITS };
  // RFC 9189 GOST twisted Edwards / Weierstrass curves: GC256A-D, GC512A-C.
  if ((m = /^GC(256|512)[A-D]$/.exec(name))) return { kind: 'ecdhe', bits: Number(m[1]) };
  if (name === 'curveSM2') return { kind: 'ecdhe', bits: 256 };
  if (/^arbitrary_explicit_(prime|char2)_curves$/.test(name)) return { kind: 'ecdhe', bits: 0 };
  if ((m = /^ffdhe(\d+)$/.exec(name))) return { kind: 'ffdhe', bits: Number(m[1]) };
  if (/^MLKEM(512|768|1024)$/.test(name)) return { kind: 'pq', bits: 0 };
  // ECDHE + ML-KEM (draft-kwiatkowski-tls-ecdhe-mlkem) and the pre-standard Kyber drafts.
  if ((m = /^(X25519|SecP(\d+)r1)(?:MLKEM\d+|Kyber\d+Draft00)$/.exec(name))) {
    return { kind: 'hybrid-pq', bits: m[2] ? Number(m[2]) : X25519_BITS };
  }
  return { kind: 'unknown', bits: 0 };
}

export const GROUPS: readonly GroupInfo[] = Object.freeze(
  GROUP_ROWS.map((row) =>
    Object.freeze({
      code: row.code,
      name: row.name,
      ...classify(row.name),
      recommended: row.recommended,
      discouraged: row.discouraged,
      obsolete: row.obsolete,
      references: row.references,
    }),
  ),
);

const BY_CODE = new Map(GROUPS.map((g) => [g.code, g]));
// Names differ only in case across tools (x25519 / X25519, secp256r1 / SECP256R1); match loosely.
const BY_NAME = new Map(GROUPS.map((g) => [g.name.toLowerCase(), g]));

export function groupByCode(code: number): GroupInfo | undefined {
  return BY_CODE.get(code);
}

/** By IANA name, case-insensitive. */
export function groupByName(name: string): GroupInfo | undefined {
  return BY_NAME.get(name.toLowerCase());
}
