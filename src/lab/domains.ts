// The lab's catalogue: what each domain under the reserved `secgrade.test` zone (RFC 2606) serves,
// and what a scan of it should find. Data only; servers.ts and lab.ts turn it into live servers.
import type { LeafKeyType } from './pki.js';

export const LAB_ZONE = 'secgrade.test';
export const LAB_IP = '127.0.0.1';
/** A second loopback address: the MX without STARTTLS listens there, at the same SMTP port as the others. */
export const LAB_SECOND_IP = '127.0.0.2';

export type LabTlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface LabCertificateSpec {
  keyType: LeafKeyType;
  /** DNS SANs. Not necessarily the domain itself (see wrong-host). */
  names: string[];
  /** Validity as whole days relative to lab start-up; negative = in the past. */
  notBeforeDays: number;
  notAfterDays: number;
  /** full: leaf + intermediate (default); leaf-only: the intermediate is left out (its AIA URL points to the lab); self-signed. */
  chain?: 'full' | 'leaf-only' | 'self-signed';
  /** A second certificate of this key type on the same server (dual RSA + ECDSA). */
  alsoKeyType?: LeafKeyType;
  /** Embed SCTs from both lab CT logs. */
  scts?: boolean;
  /** Staple an OCSP response signed by the lab intermediate. */
  staple?: 'good' | 'revoked';
}

export interface LabTlsSpec {
  minVersion: LabTlsVersion;
  maxVersion: LabTlsVersion;
  /** OpenSSL cipher string; `TLS_*` names are the TLS 1.3 suites (Node splits them out). */
  ciphers: string;
  honorCipherOrder: boolean;
  /** DH parameters (PEM) for DHE suites; Node's default is OpenSSL's automatic choice. */
  dhparam?: string;
  /** Refuse renegotiation (SSL_OP_NO_RENEGOTIATION): Node otherwise accepts client-initiated renegotiation. */
  noRenegotiation?: boolean;
  /** Key-exchange groups, colon-separated (Node's ecdhCurve); default OpenSSL's list. */
  groups?: string;
}

export interface LabHttpSpec {
  status: number;
  headers: Readonly<Record<string, string | readonly string[]>>;
  /** The HTML of `/`; default a plain page naming the domain. */
  body?: string;
  /**
   * What plain HTTP (the lab's shared port) does for this name: redirect to https on the same host
   * (default), redirect to another http URL first, or serve the page without redirecting.
   */
  plain?: 'redirect' | 'redirect-http-first' | 'serve';
  /** Answer a request's Origin by echoing it in Access-Control-Allow-Origin, with credentials. */
  corsReflect?: boolean;
  /** Body of /.well-known/security.txt; none = 404. */
  securityTxt?: string;
}

/**
 * DNS data a domain needs besides its own A/HTTPS records (which lab.ts adds once ports exist) and
 * the records derived from its `mail` spec at start-up (DKIM keys, TLSA digests, the MTA-STS host).
 * TXT strings are at most 255 bytes each (use txtStrings); TLSA `data` is hex.
 */
export type LabDnsRecord =
  | { name: string; type: 'A' | 'AAAA'; address: string }
  | { name: string; type: 'MX'; preference: number; exchange: string }
  | { name: string; type: 'TXT'; strings: string[] }
  | { name: string; type: 'CNAME'; target: string }
  | { name: string; type: 'CAA'; flags: number; tag: string; value: string }
  | { name: string; type: 'TLSA'; usage: number; selector: number; matchingType: number; data: string };

/** A DKIM key the lab generates at start-up and publishes at `<selector>._domainkey.<domain>`. */
export interface LabDkimSpec {
  selector: string;
  keyType: 'rsa' | 'ed25519';
  /** RSA modulus bits (ed25519: 256). */
  bits: number;
}

/** One MX host of a mail domain, served by the lab's SMTP servers at the shared SMTP port. */
export interface LabMxSpec {
  host: string;
  preference: number;
  /** Loopback address of its A record; MX hosts with different SMTP behaviour need different addresses. */
  address: string;
  /** STARTTLS offered, with a lab-CA certificate for `host` (picked by SNI). */
  starttls: boolean;
  /** Publish `_25._tcp.<host>` TLSA 3 1 1 (DANE-EE, SPKI, SHA-256) of the served certificate. */
  tlsa?: boolean;
}

/** An MTA-STS policy (RFC 8461), served at https://mta-sts.<domain>/.well-known/mta-sts.txt. */
export interface LabMtaStsSpec {
  /** The `_mta-sts` TXT id (1–32 letters and digits). */
  id: string;
  mode: 'enforce' | 'testing' | 'none';
  /** mx: patterns of the policy. */
  mx: string[];
  maxAge: number;
}

export interface LabMailSpec {
  mx: LabMxSpec[];
  dkim: LabDkimSpec[];
  /** Absent: no MTA-STS (no `_mta-sts` TXT, no policy host). */
  mtaSts?: LabMtaStsSpec;
}

/** Mail facts a scan of the domain should report (email.* of the report). */
export interface LabEmailExpectations {
  /** MX host names, by preference. */
  mx: string[];
  /** The SPF record as the report shows it (several records joined with " | "). */
  spf: string;
  /** The `_dmarc` record text. */
  dmarc: string;
  spfStatus: 'found' | 'multiple' | 'invalid' | 'missing';
  /** email.spf.all: the record's own all ("-all", "~all" …); null when not evaluated (several records). */
  spfAll: string | null;
  /** DNS-querying terms over the include tree (RFC 7208 §4.6.4); null when not evaluated. */
  spfLookups: number | null;
  /** A name under the domain whose SPF include chain loops back to itself. */
  spfLoopAt?: string;
  dmarcStatus: 'found' | 'invalid' | 'missing';
  dmarcPolicy: 'none' | 'quarantine' | 'reject' | null;
  /** Every external rua destination authorises the domain (true), one does not (false), no external rua (null). */
  ruaAuthorized: boolean | null;
  dkim: Array<{ selector: string; keyType: 'rsa' | 'ed25519'; bits: number }>;
  /** MTA-STS policy mode; null = no MTA-STS. */
  mtaSts: 'enforce' | 'testing' | 'none' | null;
  tlsRpt: boolean;
  /** Per MX host: STARTTLS offered (when scanned at the lab's SMTP port). */
  starttls: Record<string, boolean>;
  /** Per MX host: a TLSA record matching the served certificate is published. */
  dane: Record<string, boolean>;
}

/** Facts a scan of the domain should report; used by tests and shown by the demo. */
export interface LabExpectations {
  protocols: LabTlsVersion[];
  certificate: 'valid' | 'expired' | 'name-mismatch' | 'incomplete-chain' | 'self-signed' | 'revoked';
  keyType: LeafKeyType;
  /** Every offered suite uses (EC)DHE. */
  forwardSecrecyOnly: boolean;
  /** Every offered suite is an AEAD. */
  aeadOnly: boolean;
  hsts: boolean;
  csp: boolean;
  /** Session cookie carries Secure and HttpOnly. */
  secureCookie: boolean;
  /** Server / X-Powered-By disclose software versions. */
  versionDisclosure: boolean;
  /** The SSL Labs letter the TLS side deserves (endpoints[].grade), per the rating guide. */
  tlsGrade: 'A+' | 'A' | 'A-' | 'B' | 'C' | 'F' | 'T' | 'M';
  /**
   * The email letter (src/grade/email.ts). Never A+ in the lab: it serves no DNSSEC, and A+ needs
   * every recommended check tested.
   */
  emailGrade: 'A' | 'B' | 'C' | 'D' | 'E' | 'F';
  /** The MDN HTTP Observatory score (1.4.8 algorithm) of the site's headers and redirects. */
  observatoryScore: number;
  email?: LabEmailExpectations;
}

export interface LabDomain {
  name: string;
  /** One line, shown by `secgrade lab` / `secgrade demo`. */
  description: string;
  certificate: LabCertificateSpec;
  tls: LabTlsSpec;
  http: LabHttpSpec;
  dns: LabDnsRecord[];
  /** MX hosts (SMTP), DKIM keys and MTA-STS; their DNS records are derived at start-up. */
  mail?: LabMailSpec;
  expect: LabExpectations;
}

const TLS13_SUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';
const TLS12_ECDSA_AEAD =
  'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305';

/** TLS 1.2 + 1.3, AEAD and forward secrecy only, server order: what a modern config looks like. */
const MODERN_TLS: LabTlsSpec = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  ciphers: `${TLS13_SUITES}:${TLS12_ECDSA_AEAD}`,
  honorCipherOrder: true,
  noRenegotiation: true,
};

/**
 * TLS 1.0–1.2, CBC and static-RSA suites. SECLEVEL=0 because OpenSSL 3 refuses TLS < 1.2 (SHA-1
 * handshake signatures) at the default level 1.
 */
const LEGACY_TLS: LabTlsSpec = {
  minVersion: 'TLSv1',
  maxVersion: 'TLSv1.2',
  ciphers: 'AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-SHA:AES128-GCM-SHA256:@SECLEVEL=0',
  honorCipherOrder: false,
};

const SECURE_HEADERS: LabHttpSpec['headers'] = {
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'Content-Security-Policy': "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Set-Cookie': '__Host-session=5f2b9c0e4d1a; Secure; HttpOnly; SameSite=Lax; Path=/',
};

/** A valid RFC 9116 file; Expires half a year from when the lab starts (RFC 9116 wants less than a year). */
const SECURITY_TXT = `Contact: mailto:security@${LAB_ZONE}\nExpires: ${new Date(Date.now() + 182 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z')}\nPreferred-Languages: en\n`;

/** An HTML page for a lab domain, with extra markup (scripts, images) in its body. */
export function labPage(name: string, extra = ''): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${name}</title></head>\n<body><h1>${name}</h1>${extra}</body></html>\n`;
}

const MODERN_EXPECT: Omit<LabExpectations, 'certificate'> = {
  protocols: ['TLSv1.2', 'TLSv1.3'],
  keyType: 'ecdsa-p256',
  forwardSecrecyOnly: true,
  aeadOnly: true,
  hsts: true,
  csp: true,
  secureCookie: true,
  versionDisclosure: false,
  tlsGrade: 'A+',
  // A web-only domain that says it takes no mail (null MX, SPF -all, DMARC reject): score 100.
  emailGrade: 'A',
  // CSP without unsafe sources +5, secure cookies with SameSite +5, private Referrer-Policy +5,
  // framing through frame-ancestors +5, CORP same-origin +10: every bonus counts at 100.
  observatoryScore: 130,
};
/** The Observatory penalises an invalid certificate twice: on HSTS and on the redirect route (-20 each, no bonus under 90). */
const INVALID_CERT_OBSERVATORY_SCORE = 60;

const VALID_90_DAYS = { notBeforeDays: -1, notAfterDays: 89 };
/** What a well-run public site serves: a 90-day certificate with embedded SCTs and an OCSP staple. */
const CT_AND_STAPLE = { scts: true, staple: 'good' as const };

/**
 * What a domain that sends and receives no mail publishes (RFC 7505 null MX, SPF `-all`, DMARC
 * reject), as internet.nl and M3AAWG ask of parked and web-only domains.
 */
function nullMailDns(name: string): LabDnsRecord[] {
  return [
    { name, type: 'MX', preference: 0, exchange: '.' },
    { name, type: 'TXT', strings: ['v=spf1 -all'] },
    // Reports still tell the owner who forges the name (internet.nl asks for rua).
    { name: `_dmarc.${name}`, type: 'TXT', strings: [`v=DMARC1; p=reject; rua=mailto:dmarc@${name}`] },
  ];
}

/** A modern, correctly configured domain; the others are variations with one (or many) flaws. */
function modernDomain(name: string, description: string, overrides: Partial<LabDomain> = {}): LabDomain {
  return {
    name,
    description,
    certificate: { keyType: 'ecdsa-p256', names: [name], ...VALID_90_DAYS, ...CT_AND_STAPLE },
    tls: MODERN_TLS,
    http: { status: 200, headers: SECURE_HEADERS, securityTxt: SECURITY_TXT },
    dns: nullMailDns(name),
    expect: { ...MODERN_EXPECT, certificate: 'valid' },
    ...overrides,
  };
}

/**
 * The 1024-bit MODP group of RFC 2409 §6.2 ("Oakley group 2"): the common prime that Logjam-era
 * servers shipped, as PKCS#3 DHParameter PEM (prime p, generator 2).
 */
export const RFC2409_GROUP2_PEM = (() => {
  const p = Buffer.from(
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
      'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
      'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF',
    'hex',
  );
  // INTEGER p (a leading 0x00 keeps it positive), INTEGER 2, inside a SEQUENCE (DER, long-form lengths).
  const pInt = Buffer.concat([Buffer.from([0x02, 0x81, p.length + 1, 0x00]), p]);
  const body = Buffer.concat([pInt, Buffer.from([0x02, 0x01, 0x02])]);
  const der = Buffer.concat([Buffer.from([0x30, 0x81, body.length]), body]);
  return `-----BEGIN DH PARAMETERS-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END DH PARAMETERS-----\n`;
})();

/**
 * A second zone the lab's DNS server is authoritative for: the external DMARC report destination
 * (RFC 2606 reserves example.net), so that mail-good's rua authorisation record can resolve.
 */
export const LAB_REPORT_ZONE = 'reports.example.net';

/** Split a TXT value into character-strings of at most 255 bytes (RFC 1035 §3.3.14; receivers join them). */
export function txtStrings(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= 255) return [text];
  if (bytes.length !== text.length) throw new Error('txtStrings: long TXT values must be ASCII');
  return text.match(/[\s\S]{1,255}/g) ?? [];
}

/** The policy file an MTA-STS spec serves (RFC 8461 §3.2, CRLF line ends). */
export function mtaStsPolicyText(spec: LabMtaStsSpec): string {
  return ['version: STSv1', `mode: ${spec.mode}`, ...spec.mx.map((mx) => `mx: ${mx}`), `max_age: ${spec.maxAge}`, ''].join('\r\n');
}

/** Facts shared by the mail domains' expectations, overridden per domain. */
function emailExpect(mail: LabMailSpec, rest: Omit<LabEmailExpectations, 'mx' | 'dkim' | 'mtaSts' | 'starttls' | 'dane'>): LabEmailExpectations {
  const mx = [...mail.mx].sort((a, b) => a.preference - b.preference);
  return {
    mx: mx.map((m) => m.host),
    dkim: mail.dkim.map(({ selector, keyType, bits }) => ({ selector, keyType, bits })),
    mtaSts: mail.mtaSts?.mode ?? null,
    starttls: Object.fromEntries(mx.map((m) => [m.host, m.starttls])),
    dane: Object.fromEntries(mx.map((m) => [m.host, m.starttls && m.tlsa === true])),
    ...rest,
  };
}

const MAIL = `mail.${LAB_ZONE}`;
const MAIL_MX = `mx.${MAIL}`;
const MAIL_SPF = 'v=spf1 mx -all';
const MAIL_DMARC = `v=DMARC1; p=reject; rua=mailto:dmarc@${MAIL}; pct=100`;
const MAIL_SPEC: LabMailSpec = { mx: [{ host: MAIL_MX, preference: 10, address: LAB_IP, starttls: true }], dkim: [] };

/** Every record right: SPF -all, DMARC reject with an authorised external rua, DKIM 2048, MTA-STS enforce, TLS-RPT, DANE. */
const MAIL_GOOD = `mail-good.${LAB_ZONE}`;
const MAIL_GOOD_MX = `mx1.${MAIL_GOOD}`;
const MAIL_GOOD_SPF = 'v=spf1 mx -all';
const MAIL_GOOD_DMARC = `v=DMARC1; p=reject; rua=mailto:dmarc@${LAB_REPORT_ZONE}`;
const MAIL_GOOD_SPEC: LabMailSpec = {
  mx: [{ host: MAIL_GOOD_MX, preference: 10, address: LAB_IP, starttls: true, tlsa: true }],
  dkim: [{ selector: 'selector1', keyType: 'rsa', bits: 2048 }],
  mtaSts: { id: '20250101T000000', mode: 'enforce', mx: [MAIL_GOOD_MX], maxAge: 604_800 },
};

/** Records that work but are weak: SPF ~all over 12 lookups, DMARC p=none, DKIM 1024, no MTA-STS or TLS-RPT. */
const MAIL_WEAK = `mail-weak.${LAB_ZONE}`;
const MAIL_WEAK_MX = `mx1.${MAIL_WEAK}`;
const weakName = (label: string): string => `${label}.${MAIL_WEAK}`;
// mx a include include = 4, _spf1: a a include = 3, _spf2: a mx = 2, _spf3: a a exists = 3: 12 lookups.
const MAIL_WEAK_SPF = `v=spf1 mx a include:${weakName('_spf1')} include:${weakName('_spf2')} ~all`;
const MAIL_WEAK_DMARC = `v=DMARC1; p=none; rua=mailto:dmarc@${MAIL_WEAK}`;
const MAIL_WEAK_SPEC: LabMailSpec = {
  mx: [{ host: MAIL_WEAK_MX, preference: 10, address: LAB_IP, starttls: true }],
  dkim: [{ selector: 'default', keyType: 'rsa', bits: 1024 }],
};

/** Records that receivers reject: two SPF records, an include loop, a DMARC syntax error, an MX without STARTTLS. */
const MAIL_BROKEN = `mail-broken.${LAB_ZONE}`;
const MAIL_BROKEN_MX = `mx1.${MAIL_BROKEN}`;
const MAIL_BROKEN_SPF = [`v=spf1 mx include:loop-a.${MAIL_BROKEN} -all`, `v=spf1 ip4:${LAB_IP} ~all`];
const MAIL_BROKEN_DMARC = 'v=DMARC1; p=rejected; pct=200';
const MAIL_BROKEN_SPEC: LabMailSpec = {
  mx: [{ host: MAIL_BROKEN_MX, preference: 10, address: LAB_SECOND_IP, starttls: false }],
  dkim: [],
};

export const LAB_DOMAINS: readonly LabDomain[] = [
  modernDomain(
    `good.${LAB_ZONE}`,
    'Modern setup: ECDSA certificate with embedded SCTs and an OCSP staple, TLS 1.2/1.3 with AEAD + forward secrecy, HSTS, CSP, a secure cookie; null MX, SPF -all and DMARC reject (no mail)',
  ),
  {
    name: `legacy.${LAB_ZONE}`,
    description: 'Legacy setup: RSA certificate, TLS 1.0/1.1 enabled, CBC and static-RSA suites, no HSTS/CSP, version banners',
    certificate: { keyType: 'rsa-2048', names: [`legacy.${LAB_ZONE}`], ...VALID_90_DAYS, scts: true },
    tls: LEGACY_TLS,
    http: {
      status: 200,
      headers: {
        Server: 'Apache/2.2.15 (CentOS)',
        'X-Powered-By': 'PHP/5.3.3',
        'Set-Cookie': 'PHPSESSID=9d4e1e23bd5b7279; path=/',
      },
      plain: 'serve',
    },
    dns: [],
    expect: {
      protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'],
      certificate: 'valid',
      keyType: 'rsa-2048',
      forwardSecrecyOnly: false,
      aeadOnly: false,
      hsts: false,
      csp: false,
      secureCookie: false,
      versionDisclosure: true,
      // TLS 1.0/1.1 cap the grade at B; no HSTS would only stop an A+.
      tlsGrade: 'B',
      // No CSP -25, session cookie without Secure -40, no redirect -20, no HSTS -20, no XCTO -5, no XFO -20.
      observatoryScore: 0,
      // No MX, no SPF, no DMARC: graded as a domain that takes no mail but does not say so.
      emailGrade: 'F',
    },
  },
  modernDomain(`expired.${LAB_ZONE}`, 'Certificate expired 30 days ago; otherwise a modern setup', {
    certificate: { keyType: 'ecdsa-p256', names: [`expired.${LAB_ZONE}`], notBeforeDays: -120, notAfterDays: -30, scts: true },
    expect: { ...MODERN_EXPECT, certificate: 'expired', tlsGrade: 'T', observatoryScore: INVALID_CERT_OBSERVATORY_SCORE },
  }),
  modernDomain(`wrong-host.${LAB_ZONE}`, `Certificate issued only for other.${LAB_ZONE} (name mismatch); otherwise modern`, {
    certificate: { keyType: 'ecdsa-p256', names: [`other.${LAB_ZONE}`], ...VALID_90_DAYS, ...CT_AND_STAPLE },
    expect: { ...MODERN_EXPECT, certificate: 'name-mismatch', tlsGrade: 'M', observatoryScore: INVALID_CERT_OBSERVATORY_SCORE },
  }),
  modernDomain(`dual.${LAB_ZONE}`, 'Two certificates on one server, ECDSA and RSA, picked by what the client can verify', {
    // No staple: Node's OCSPRequest event names one certificate for both, so it could not staple per key type.
    certificate: { keyType: 'ecdsa-p256', alsoKeyType: 'rsa-2048', names: [`dual.${LAB_ZONE}`], ...VALID_90_DAYS, scts: true },
    tls: { ...MODERN_TLS, ciphers: `${MODERN_TLS.ciphers}:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384` },
  }),
  modernDomain(`incomplete.${LAB_ZONE}`, 'Serves its certificate without the intermediate (downloadable from the AIA URL)', {
    certificate: { keyType: 'ecdsa-p256', names: [`incomplete.${LAB_ZONE}`], ...VALID_90_DAYS, ...CT_AND_STAPLE, chain: 'leaf-only' },
    // The intermediate is downloaded from the AIA URL by default (as SSL Labs does): B, not T.
    expect: { ...MODERN_EXPECT, certificate: 'incomplete-chain', tlsGrade: 'B', observatoryScore: INVALID_CERT_OBSERVATORY_SCORE },
  }),
  modernDomain(`self-signed.${LAB_ZONE}`, 'A self-signed certificate', {
    certificate: { keyType: 'ecdsa-p256', names: [`self-signed.${LAB_ZONE}`], ...VALID_90_DAYS, chain: 'self-signed' },
    expect: { ...MODERN_EXPECT, certificate: 'self-signed', tlsGrade: 'T', observatoryScore: INVALID_CERT_OBSERVATORY_SCORE },
  }),
  modernDomain(`revoked.${LAB_ZONE}`, 'A revoked certificate, and the stapled OCSP response says so', {
    certificate: { keyType: 'ecdsa-p256', names: [`revoked.${LAB_ZONE}`], ...VALID_90_DAYS, scts: true, staple: 'revoked' },
    expect: { ...MODERN_EXPECT, certificate: 'revoked', tlsGrade: 'T' },
  }),
  modernDomain(`tls13.${LAB_ZONE}`, 'TLS 1.3 only, server order with AES-256 first', {
    tls: {
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      ciphers: 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256',
      honorCipherOrder: true,
    },
    expect: { ...MODERN_EXPECT, protocols: ['TLSv1.3'], certificate: 'valid' },
  }),
  modernDomain(`chacha.${LAB_ZONE}`, 'ChaCha20-Poly1305 preferred by the server on TLS 1.2 and 1.3', {
    tls: {
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers:
        'TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256',
      honorCipherOrder: true,
      noRenegotiation: true,
    },
  }),
  modernDomain(`dhe1024.${LAB_ZONE}`, 'TLS 1.2 with DHE only, over the 1024-bit RFC 2409 group (Logjam-era common prime)', {
    certificate: { keyType: 'rsa-2048', names: [`dhe1024.${LAB_ZONE}`], ...VALID_90_DAYS, ...CT_AND_STAPLE },
    tls: {
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0',
      honorCipherOrder: true,
      dhparam: RFC2409_GROUP2_PEM,
      noRenegotiation: true,
    },
    // DH parameters under 2048 bits cap the grade at B.
    expect: { ...MODERN_EXPECT, protocols: ['TLSv1.2'], keyType: 'rsa-2048', certificate: 'valid', tlsGrade: 'B' },
  }),
  modernDomain(`headers-weak.${LAB_ZONE}`, 'Modern TLS, weak HTTP headers: short HSTS, unsafe-inline CSP, leaky Referrer-Policy, X-XSS-Protection, an external script without SRI, http redirects to http first', {
    http: {
      status: 200,
      headers: {
        'Strict-Transport-Security': 'max-age=86400',
        'Content-Security-Policy': "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.example.net; style-src 'self' 'unsafe-inline'",
        'X-Frame-Options': 'SAMEORIGIN',
        'Referrer-Policy': 'no-referrer-when-downgrade',
        'X-XSS-Protection': '1; mode=block',
        Server: 'nginx/1.18.0',
        'Set-Cookie': 'session=0c6d2f9a7e41; Secure; HttpOnly; Path=/',
      },
      body: labPage(`headers-weak.${LAB_ZONE}`, '<script src="https://cdn.example.net/lib/1.2/lib.min.js"></script>'),
      plain: 'redirect-http-first',
    },
    // CSP unsafe-inline -20, http→http first -10, unsafe Referrer-Policy -5, HSTS < 6 months -10,
    // external script without SRI -5, no XCTO -5.
    expect: { ...MODERN_EXPECT, certificate: 'valid', hsts: true, secureCookie: true, versionDisclosure: true, tlsGrade: 'A', observatoryScore: 45 },
  }),
  modernDomain(`headers-broken.${LAB_ZONE}`, 'Modern TLS, broken HTTP: invalid HSTS/XFO/XCTO/CORP, report-only CSP, CORS reflecting any origin with credentials, an insecure session cookie, mixed content, no redirect from http', {
    http: {
      status: 200,
      headers: {
        'Strict-Transport-Security': 'max-age=abc',
        'Content-Security-Policy-Report-Only': "default-src 'self'",
        'X-Frame-Options': 'ALLOWALL',
        'X-Content-Type-Options': 'nosnif',
        'Referrer-Policy': 'no-referrer-please',
        'Cross-Origin-Resource-Policy': 'same-orgin',
        'X-Powered-By': 'PHP/7.4.3',
        'Set-Cookie': 'SESSIONID=77a1c3e09b5d; SameSite=None; Path=/',
      },
      body: labPage(
        `headers-broken.${LAB_ZONE}`,
        '<script src="http://cdn.example.net/lib.js"></script><img src="http://cdn.example.net/logo.png" alt="">',
      ),
      plain: 'serve',
      corsReflect: true,
      securityTxt: 'Expires: 2001-01-01T00:00:00Z\n',
    },
    expect: { ...MODERN_EXPECT, certificate: 'valid', hsts: false, csp: false, secureCookie: false, versionDisclosure: true, tlsGrade: 'A', observatoryScore: 0 },
  }),
  modernDomain(MAIL, 'Modern web setup plus email records: MX (STARTTLS), SPF `-all` and DMARC `p=reject`', {
    dns: [
      { name: MAIL, type: 'TXT', strings: [MAIL_SPF] },
      { name: `_dmarc.${MAIL}`, type: 'TXT', strings: [MAIL_DMARC] },
    ],
    mail: MAIL_SPEC,
    expect: {
      ...MODERN_EXPECT,
      certificate: 'valid',
      emailGrade: 'B',
      email: emailExpect(MAIL_SPEC, {
        spf: MAIL_SPF, dmarc: MAIL_DMARC, spfStatus: 'found', spfAll: '-all', spfLookups: 1,
        dmarcStatus: 'found', dmarcPolicy: 'reject', ruaAuthorized: true, tlsRpt: false,
      }),
    },
  }),
  modernDomain(MAIL_GOOD, 'Mail done right: SPF `-all`, DMARC `p=reject` with an authorised external rua, DKIM RSA-2048, MTA-STS enforce, TLS-RPT, MX with STARTTLS and DANE', {
    dns: [
      { name: MAIL_GOOD, type: 'TXT', strings: [MAIL_GOOD_SPF] },
      { name: `_dmarc.${MAIL_GOOD}`, type: 'TXT', strings: [MAIL_GOOD_DMARC] },
      // RFC 7489 §7.1: the external report destination says it accepts reports for mail-good.
      { name: `${MAIL_GOOD}._report._dmarc.${LAB_REPORT_ZONE}`, type: 'TXT', strings: ['v=DMARC1'] },
      { name: `_smtp._tls.${MAIL_GOOD}`, type: 'TXT', strings: [`v=TLSRPTv1; rua=mailto:tlsrpt@${MAIL_GOOD}`] },
    ],
    mail: MAIL_GOOD_SPEC,
    expect: {
      ...MODERN_EXPECT,
      certificate: 'valid',
      emailGrade: 'A',
      email: emailExpect(MAIL_GOOD_SPEC, {
        spf: MAIL_GOOD_SPF, dmarc: MAIL_GOOD_DMARC, spfStatus: 'found', spfAll: '-all', spfLookups: 1,
        dmarcStatus: 'found', dmarcPolicy: 'reject', ruaAuthorized: true, tlsRpt: true,
      }),
    },
  }),
  modernDomain(MAIL_WEAK, 'Weak mail records: SPF `~all` needing 12 DNS lookups, DMARC `p=none`, DKIM RSA-1024, no MTA-STS or TLS-RPT; MX with STARTTLS', {
    dns: [
      { name: MAIL_WEAK, type: 'TXT', strings: [MAIL_WEAK_SPF] },
      { name: weakName('_spf1'), type: 'TXT', strings: [`v=spf1 a:${weakName('out1')} a:${weakName('out2')} include:${weakName('_spf3')} ~all`] },
      { name: weakName('_spf2'), type: 'TXT', strings: [`v=spf1 a:${weakName('out3')} mx:${MAIL_WEAK} ip4:127.0.0.64/26 ~all`] },
      { name: weakName('_spf3'), type: 'TXT', strings: [`v=spf1 a:${weakName('out4')} a:${weakName('out5')} exists:${weakName('out1')} ~all`] },
      ...[1, 2, 3, 4, 5].map((i) => ({ name: weakName(`out${i}`), type: 'A' as const, address: `127.0.0.${10 + i}` })),
      { name: `_dmarc.${MAIL_WEAK}`, type: 'TXT', strings: [MAIL_WEAK_DMARC] },
    ],
    mail: MAIL_WEAK_SPEC,
    expect: {
      ...MODERN_EXPECT,
      certificate: 'valid',
      emailGrade: 'D',
      email: emailExpect(MAIL_WEAK_SPEC, {
        spf: MAIL_WEAK_SPF, dmarc: MAIL_WEAK_DMARC, spfStatus: 'invalid', spfAll: '~all', spfLookups: 12,
        dmarcStatus: 'found', dmarcPolicy: 'none', ruaAuthorized: true, tlsRpt: false,
      }),
    },
  }),
  modernDomain(MAIL_BROKEN, 'Broken mail records: two SPF records (one including a loop), a DMARC syntax error, an MX without STARTTLS', {
    dns: [
      { name: MAIL_BROKEN, type: 'TXT', strings: [MAIL_BROKEN_SPF[0]!] },
      { name: MAIL_BROKEN, type: 'TXT', strings: [MAIL_BROKEN_SPF[1]!] },
      { name: `loop-a.${MAIL_BROKEN}`, type: 'TXT', strings: [`v=spf1 include:loop-b.${MAIL_BROKEN} -all`] },
      { name: `loop-b.${MAIL_BROKEN}`, type: 'TXT', strings: [`v=spf1 include:loop-a.${MAIL_BROKEN} -all`] },
      { name: `_dmarc.${MAIL_BROKEN}`, type: 'TXT', strings: [MAIL_BROKEN_DMARC] },
    ],
    mail: MAIL_BROKEN_SPEC,
    expect: {
      ...MODERN_EXPECT,
      certificate: 'valid',
      emailGrade: 'F',
      email: emailExpect(MAIL_BROKEN_SPEC, {
        spf: MAIL_BROKEN_SPF.join(' | '), dmarc: MAIL_BROKEN_DMARC, spfStatus: 'multiple', spfAll: null, spfLookups: null,
        spfLoopAt: `loop-a.${MAIL_BROKEN}`, dmarcStatus: 'invalid', dmarcPolicy: null, ruaAuthorized: null, tlsRpt: false,
      }),
    },
  }),
];

export function findLabDomain(name: string): LabDomain | undefined {
  const wanted = name.toLowerCase().replace(/\.$/, '');
  return LAB_DOMAINS.find((d) => d.name === wanted);
}
