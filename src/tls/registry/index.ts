// TLS registries: IANA cipher suites, supported groups and signature schemes (generated from
// fixtures/iana by scripts/gen-tls-registry.mjs), SSL 2.0 cipher kinds, and GREASE values.
export {
  CIPHER_SUITES,
  parseCipherSuiteName,
  suiteByCode,
  suiteByName,
  suitesForProtocol,
  type CipherSuiteInfo,
  type TlsProtocol,
} from './cipher-suites.js';
export { GROUPS, groupByCode, groupByName, type GroupInfo, type GroupKind } from './groups.js';
export {
  SIGNATURE_SCHEMES,
  signatureSchemeByCode,
  signatureSchemeByName,
  type SignatureSchemeInfo,
} from './signature-schemes.js';
export { SSLV2_CIPHER_KINDS, sslv2KindByCode, sslv2KindFromBytes, type Sslv2CipherKind } from './sslv2.js';

/**
 * RFC 8701 GREASE values (0x0A0A, 0x1A1A … 0xFAFA): reserved in the cipher suite, group, extension,
 * signature algorithm, version and ALPN spaces so peers must ignore them. Never in the lists above.
 */
export const GREASE_VALUES: readonly number[] = Object.freeze(
  Array.from({ length: 16 }, (_, i) => 0x0a0a + 0x1010 * i),
);

export function isGrease(value: number): boolean {
  return value >= 0 && value <= 0xffff && (value & 0x0f0f) === 0x0a0a && value >> 12 === ((value >> 4) & 0x0f);
}
