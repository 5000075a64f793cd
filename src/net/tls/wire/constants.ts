// Wire numbers from RFC 5246, RFC 8446 and the IANA TLS registries: only what the raw hello
// client builds and parses. (Cipher suite names live elsewhere; here suites are plain numbers.)

export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
  heartbeat: 24,
} as const;

export const HandshakeType = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  newSessionTicket: 4,
  endOfEarlyData: 5,
  encryptedExtensions: 8,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
  certificateUrl: 21,
  certificateStatus: 22,
  supplementalData: 23,
  keyUpdate: 24,
  messageHash: 254,
} as const;

const HANDSHAKE_NAMES = new Map<number, string>(Object.entries(HandshakeType).map(([k, v]) => [v, k]));

export function handshakeTypeName(type: number): string {
  return HANDSHAKE_NAMES.get(type) ?? `handshake type ${type}`;
}

export const AlertLevel = { warning: 1, fatal: 2 } as const;

/** Every alert of RFC 5246 §7.2 and RFC 8446 §6 (plus the later registry entries), by number. */
export const ALERT_NAMES: Readonly<Record<number, string>> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  111: 'certificate_unobtainable',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  114: 'bad_certificate_hash_value',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
  121: 'ech_required',
};

export const AlertDescription = {
  closeNotify: 0,
  unexpectedMessage: 10,
  handshakeFailure: 40,
  illegalParameter: 47,
  decodeError: 50,
  protocolVersion: 70,
  insufficientSecurity: 71,
  internalError: 80,
  inappropriateFallback: 86,
  unrecognizedName: 112,
} as const;

export function alertName(description: number): string {
  return ALERT_NAMES[description] ?? `unknown_alert_${description}`;
}

export const ExtensionType = {
  serverName: 0,
  maxFragmentLength: 1,
  statusRequest: 5,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  useSrtp: 14,
  heartbeat: 15,
  alpn: 16,
  statusRequestV2: 17,
  signedCertificateTimestamp: 18,
  clientCertificateType: 19,
  serverCertificateType: 20,
  padding: 21,
  encryptThenMac: 22,
  extendedMasterSecret: 23,
  compressCertificate: 27,
  recordSizeLimit: 28,
  sessionTicket: 35,
  preSharedKey: 41,
  earlyData: 42,
  supportedVersions: 43,
  cookie: 44,
  pskKeyExchangeModes: 45,
  certificateAuthorities: 47,
  oidFilters: 48,
  postHandshakeAuth: 49,
  signatureAlgorithmsCert: 50,
  keyShare: 51,
  renegotiationInfo: 0xff01,
} as const;

export const ProtocolVersion = {
  SSLv2: 0x0002,
  SSLv3: 0x0300,
  TLSv1_0: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;

export function versionName(v: number): string {
  switch (v) {
    case 0x0002:
      return 'SSLv2';
    case 0x0300:
      return 'SSLv3';
    case 0x0301:
      return 'TLSv1.0';
    case 0x0302:
      return 'TLSv1.1';
    case 0x0303:
      return 'TLSv1.2';
    case 0x0304:
      return 'TLSv1.3';
  }
  return `0x${v.toString(16).padStart(4, '0')}`;
}

/** RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest (SHA-256 of "HelloRetryRequest"). */
export const HELLO_RETRY_REQUEST_RANDOM = Buffer.from(
  'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c',
  'hex',
);

/** RFC 8446 §4.1.3 downgrade sentinels in the last 8 bytes of a TLS 1.3 server's random. */
export const DOWNGRADE_TLS12 = Buffer.from('444f574e47524401', 'hex');
export const DOWNGRADE_TLS11 = Buffer.from('444f574e47524400', 'hex');

export const NamedGroup = {
  secp256r1: 23,
  secp384r1: 24,
  secp521r1: 25,
  x25519: 29,
  x448: 30,
  ffdhe2048: 256,
  ffdhe3072: 257,
  ffdhe4096: 258,
  ffdhe6144: 259,
  ffdhe8192: 260,
} as const;

/** Signalling cipher suite values (RFC 5746, RFC 7507). */
export const SCSV = { emptyRenegotiationInfo: 0x00ff, fallback: 0x5600 } as const;

/** Record and message caps: a hostile server cannot make us buffer more than this. */
export const LIMITS = {
  /** RFC 5246 §6.2.3: TLSCompressed/TLSCiphertext fragments are at most 2^14 + 2048. */
  maxRecordFragment: 16384 + 2048,
  /**
   * Certificate chains are the largest first-flight messages. Browsers differ: Chrome (BoringSSL's
   * SSL_MAX_CERT_LIST_DEFAULT) reads 100 KiB, Firefox (NSS's MAX_HANDSHAKE_MSG_LEN) 128 KiB − 1,
   * Safari more (it loads badssl.com's 10000-sans, a 284 KB chain). 1 MiB covers every chain a
   * browser loads, as our DER reader's own cap (MAX_DER_BYTES) does for one certificate.
   */
  maxHandshakeMessage: 1024 * 1024,
  /** The largest Certificate message plus the rest of a flight, with room to spare. */
  maxBytesPerConnection: 2 * 1024 * 1024,
  maxCertificates: 64,
} as const;
