// SSL 2.0 cipher kinds: 3-byte codes from the SSL 2.0 specification (Netscape, 1995), which has no
// IANA registry, plus the vendor kinds legacy servers also answer with (OpenSSL's ssl2.h: the "v3"
// NULL and SHA variants, Microsoft's RC4_64, SSLeay's DES-CFB; testssl.sh's cipher-mapping.txt
// lists RC4_64). SSL 2.0 is prohibited outright (RFC 6176); any of these accepted is a finding.

export interface Sslv2CipherKind {
  /** 3-byte CIPHER-KIND, e.g. 0x010080 */
  code: number;
  /** Specification name, e.g. SSL_CK_RC4_128_WITH_MD5 */
  name: string;
  /** 'RC4_128'|'RC4_64'|'RC2_128_CBC'|'IDEA_128_CBC'|'DES_64_CBC'|'DES_64_CFB64'|'DES_192_EDE3_CBC'|'NULL' */
  cipher: string;
  /** Effective secret key bits: export kinds reveal all but 40 bits; DES 56; 3DES 112. */
  bits: number;
  /** 64 for the block ciphers (RC2, IDEA, DES, 3DES), null for RC4 and NULL. */
  blockBits: number | null;
  /** The specification's kinds all use MD5; OpenSSL's "v3" DES variants use SHA. */
  mac: 'MD5' | 'SHA';
  export: boolean;
  /**
   * Not in the SSL 2.0 specification (a vendor addition): the SSLv2 counterpart of a non-IANA TLS
   * code point. Named after OpenSSL's SSL2_CK_* constant.
   */
  nonStandard: boolean;
}

const kind = (
  code: number,
  name: string,
  cipher: string,
  bits: number,
  blockBits: number | null,
  exportKind: boolean,
  extra: { mac?: 'MD5' | 'SHA'; nonStandard?: boolean } = {},
): Sslv2CipherKind =>
  Object.freeze({ code, name, cipher, bits, blockBits, mac: extra.mac ?? 'MD5', export: exportKind, nonStandard: extra.nonStandard ?? false });
const vendor = { nonStandard: true } as const;

export const SSLV2_CIPHER_KINDS: readonly Sslv2CipherKind[] = Object.freeze([
  kind(0x010080, 'SSL_CK_RC4_128_WITH_MD5', 'RC4_128', 128, null, false),
  kind(0x020080, 'SSL_CK_RC4_128_EXPORT40_WITH_MD5', 'RC4_128', 40, null, true),
  kind(0x030080, 'SSL_CK_RC2_128_CBC_WITH_MD5', 'RC2_128_CBC', 128, 64, false),
  kind(0x040080, 'SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5', 'RC2_128_CBC', 40, 64, true),
  kind(0x050080, 'SSL_CK_IDEA_128_CBC_WITH_MD5', 'IDEA_128_CBC', 128, 64, false),
  kind(0x060040, 'SSL_CK_DES_64_CBC_WITH_MD5', 'DES_64_CBC', 56, 64, false),
  kind(0x0700c0, 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5', 'DES_192_EDE3_CBC', 112, 64, false),
  // Vendor kinds (OpenSSL ssl2.h). SSL2_CK_NULL (0xff0810, SSLeay) is left out: its MAC is not documented.
  kind(0x080080, 'SSL_CK_RC4_64_WITH_MD5', 'RC4_64', 64, null, false, vendor),
  kind(0x000000, 'SSL_CK_NULL_WITH_MD5', 'NULL', 0, null, false, vendor),
  kind(0x060140, 'SSL_CK_DES_64_CBC_WITH_SHA', 'DES_64_CBC', 56, 64, false, { ...vendor, mac: 'SHA' }),
  kind(0x0701c0, 'SSL_CK_DES_192_EDE3_CBC_WITH_SHA', 'DES_192_EDE3_CBC', 112, 64, false, { ...vendor, mac: 'SHA' }),
  kind(0xff0800, 'SSL_CK_DES_64_CFB64_WITH_MD5_1', 'DES_64_CFB64', 56, 64, false, vendor),
]);

const BY_CODE = new Map(SSLV2_CIPHER_KINDS.map((k) => [k.code, k]));

export function sslv2KindByCode(code: number): Sslv2CipherKind | undefined {
  return BY_CODE.get(code);
}

/** From the 3 bytes as they appear in a ServerHello's CIPHER-SPECS-DATA. */
export function sslv2KindFromBytes(b0: number, b1: number, b2: number): Sslv2CipherKind | undefined {
  return BY_CODE.get(((b0 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b2 & 0xff));
}
