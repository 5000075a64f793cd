// SSL 2.0 cipher kinds: 3-byte codes from the SSL 2.0 specification (Netscape, 1995), which has no
// IANA registry. SSL 2.0 is prohibited outright (RFC 6176); any of these accepted is a finding.

export interface Sslv2CipherKind {
  /** 3-byte CIPHER-KIND, e.g. 0x010080 */
  code: number;
  /** Specification name, e.g. SSL_CK_RC4_128_WITH_MD5 */
  name: string;
  /** 'RC4_128'|'RC2_128_CBC'|'IDEA_128_CBC'|'DES_64_CBC'|'DES_192_EDE3_CBC' */
  cipher: string;
  /** Effective secret key bits: export kinds reveal all but 40 bits; DES 56; 3DES 112. */
  bits: number;
  /** 64 for the block ciphers (RC2, IDEA, DES, 3DES), null for RC4. */
  blockBits: number | null;
  /** Every SSL 2.0 kind uses MD5 for its MAC. */
  mac: 'MD5';
  export: boolean;
}

const kind = (
  code: number,
  name: string,
  cipher: string,
  bits: number,
  blockBits: number | null,
  exportKind: boolean,
): Sslv2CipherKind => Object.freeze({ code, name, cipher, bits, blockBits, mac: 'MD5', export: exportKind });

export const SSLV2_CIPHER_KINDS: readonly Sslv2CipherKind[] = Object.freeze([
  kind(0x010080, 'SSL_CK_RC4_128_WITH_MD5', 'RC4_128', 128, null, false),
  kind(0x020080, 'SSL_CK_RC4_128_EXPORT40_WITH_MD5', 'RC4_128', 40, null, true),
  kind(0x030080, 'SSL_CK_RC2_128_CBC_WITH_MD5', 'RC2_128_CBC', 128, 64, false),
  kind(0x040080, 'SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5', 'RC2_128_CBC', 40, 64, true),
  kind(0x050080, 'SSL_CK_IDEA_128_CBC_WITH_MD5', 'IDEA_128_CBC', 128, 64, false),
  kind(0x060040, 'SSL_CK_DES_64_CBC_WITH_MD5', 'DES_64_CBC', 56, 64, false),
  kind(0x0700c0, 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5', 'DES_192_EDE3_CBC', 112, 64, false),
]);

const BY_CODE = new Map(SSLV2_CIPHER_KINDS.map((k) => [k.code, k]));

export function sslv2KindByCode(code: number): Sslv2CipherKind | undefined {
  return BY_CODE.get(code);
}

/** From the 3 bytes as they appear in a ServerHello's CIPHER-SPECS-DATA. */
export function sslv2KindFromBytes(b0: number, b1: number, b2: number): Sslv2CipherKind | undefined {
  return BY_CODE.get(((b0 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b2 & 0xff));
}
