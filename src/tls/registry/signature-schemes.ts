// TLS SignatureScheme values (RFC 8446 §4.2.3), generated from IANA's registry into
// signature-schemes.data.ts. Only named code points: the "Reserved for backward compatibility"
// TLS 1.2 hash/signature pairs (e.g. 0x0303 ecdsa+sha224) are not in this registry.
import { SIGNATURE_SCHEME_ROWS } from './signature-schemes.data.js';

export interface SignatureSchemeInfo {
  code: number;
  /** IANA description, e.g. rsa_pss_rsae_sha256, ecdsa_secp256r1_sha256, ed25519. */
  name: string;
  /** IANA "Recommended" column is Y. */
  recommended: boolean;
  references: readonly string[];
}

export const SIGNATURE_SCHEMES: readonly SignatureSchemeInfo[] = Object.freeze(
  SIGNATURE_SCHEME_ROWS.map((row) => Object.freeze({ ...row })),
);

const BY_CODE = new Map(SIGNATURE_SCHEMES.map((s) => [s.code, s]));
const BY_NAME = new Map(SIGNATURE_SCHEMES.map((s) => [s.name.toLowerCase(), s]));

export function signatureSchemeByCode(code: number): SignatureSchemeInfo | undefined {
  return BY_CODE.get(code);
}

/** By IANA name, case-insensitive. */
export function signatureSchemeByName(name: string): SignatureSchemeInfo | undefined {
  return BY_NAME.get(name.toLowerCase());
}
