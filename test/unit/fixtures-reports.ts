// Sample reports for the renderer and UI tests. Typed as Report so tsc keeps them in step with the contract.
import { REPORT_SCHEMA_ID, type CertificateInfo, type Protocols, type Report, type TlsResult } from '../../src/model/report.js';

const tool = { name: 'secgrade', version: '0.1.0' } as const;

const modernProtocols: Protocols = {
  SSLv2: false,
  SSLv3: false,
  'TLSv1.0': false,
  'TLSv1.1': false,
  'TLSv1.2': true,
  'TLSv1.3': true,
};

const untested: Protocols = {
  SSLv2: null,
  SSLv3: null,
  'TLSv1.0': null,
  'TLSv1.1': null,
  'TLSv1.2': null,
  'TLSv1.3': null,
};

function cert(overrides: Partial<CertificateInfo>): CertificateInfo {
  return {
    subject: 'CN=good.example',
    issuer: 'CN=R11,O=Let\'s Encrypt,C=US',
    sans: ['good.example', 'www.good.example'],
    serialNumber: '04d2a1c3f1e0b2a9',
    fingerprintSha256: 'a1'.repeat(32),
    notBefore: '2025-01-01T00:00:00Z',
    notAfter: '2025-04-01T00:00:00Z',
    daysRemaining: 58,
    keyType: 'EC',
    keyBits: 256,
    curve: 'P-256',
    signatureAlgorithm: 'sha256WithRSAEncryption',
    trusted: true,
    trustError: null,
    hostnameMatch: true,
    chainComplete: true,
    selfSigned: false,
    ocspStapled: false,
    scts: [],
    ...overrides,
  };
}

function tls(overrides: Partial<TlsResult>): TlsResult {
  return {
    status: 'ok',
    negotiated: { protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_256_GCM_SHA384', alpn: 'h2' },
    protocols: modernProtocols,
    cipherSuites: { 'TLSv1.3': ['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'] },
    serverPreference: { 'TLSv1.2': true },
    groups: ['x25519', 'secp256r1'],
    certificates: [cert({})],
    vulnerabilities: { heartbleed: 'not-vulnerable', robot: 'not-vulnerable' },
    probes: {
      protocols: { status: 'ok', durationMs: 820, connections: 6 },
      certificate: { status: 'ok', durationMs: 140, connections: 1 },
    },
    ...overrides,
  };
}

/** A well-configured host: only low/info findings; email not tested (grade null, email null). */
export const goodReport: Report = {
  schema: REPORT_SCHEMA_ID,
  tool,
  algorithmVersion: '2025.1',
  target: { host: 'good.example', port: 443, portSource: 'default' },
  status: 'ok',
  startedAt: '2025-02-01T10:00:00.123Z',
  durationMs: 4210,
  grades: { tls: 'A+', http: 'B', email: null, overall: 'A' },
  probes: [
    { id: 'tls-protocols', subject: 'endpoint:93.184.215.14:443', status: 'ok', durationMs: 820, connections: 6 },
    { id: 'tls-certificates', subject: 'endpoint:93.184.215.14:443', status: 'ok', durationMs: 140, connections: 1 },
    { id: 'tls-protocols', subject: 'endpoint:[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443', status: 'ok', durationMs: 790, connections: 6 },
    { id: 'tls-certificates', subject: 'endpoint:[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443', status: 'ok', durationMs: 150, connections: 1 },
    { id: 'http-headers', subject: 'url:https://good.example/', status: 'ok', durationMs: 610, connections: 2 },
  ],
  endpoints: [
    { ip: '93.184.215.14', port: 443, tls: tls({}), grade: 'A+' },
    { ip: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', port: 443, tls: tls({}), grade: 'A+' },
  ],
  http: {
    status: 'ok',
    url: 'https://good.example/',
    finalUrl: 'https://www.good.example/',
    statusCode: 200,
    redirects: [{ url: 'https://good.example/', status: 301, location: 'https://www.good.example/' }],
    headers: {
      'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
      'content-type': 'text/html; charset=utf-8',
    },
    cookies: [],
    hsts: { maxAge: 63072000, includeSubDomains: true, preload: true, preloaded: true },
    score: 80,
    grade: 'B',
  },
  email: null,
  findings: [
    {
      id: 'http.csp.missing',
      subject: 'url:https://good.example/',
      severity: 'low',
      title: 'No Content-Security-Policy header',
      detail: 'The response sets no Content-Security-Policy, so injected scripts run unrestricted.',
      evidence: { header: null },
      remediation: "Add a Content-Security-Policy, starting with default-src 'self'.",
      references: ['https://developer.mozilla.org/en-US/docs/Web/HTTP/CSP'],
    },
    {
      id: 'tls.ocsp.not-stapled',
      subject: 'endpoint:93.184.215.14:443',
      severity: 'info',
      title: 'OCSP response not stapled',
      detail: 'Clients must contact the CA to check revocation.',
      evidence: {},
      remediation: 'Enable OCSP stapling.',
      references: ['RFC 6066 §8'],
      endpoint: '93.184.215.14:443',
    },
  ],
};

const LONG_DETAIL =
  'The leaf certificate for expired.example expired 12 days ago (notAfter 2025-01-20T00:00:00Z). Every browser ' +
  'refuses the connection with a full-page warning, and automated clients fail outright. ' +
  'Evidence: https://crt.sh/?q=7f3a9c0e1d2b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1';

/** An expired certificate (critical), plus findings of every other severity, listed out of order. */
export const expiredReport: Report = {
  schema: REPORT_SCHEMA_ID,
  tool,
  algorithmVersion: '2025.1',
  target: { host: 'expired.example', port: 443 },
  status: 'ok',
  startedAt: '2025-02-01T10:00:00Z',
  durationMs: 2950,
  grades: { tls: 'T', http: 'D', email: null, overall: 'T' },
  probes: [
    { id: 'tls-protocols', subject: 'endpoint:198.51.100.7:443', status: 'ok', durationMs: 820, connections: 6 },
    { id: 'tls-certificates', subject: 'endpoint:198.51.100.7:443', status: 'ok', durationMs: 140, connections: 1 },
    { id: 'http-headers', subject: 'url:https://expired.example/', status: 'ok', durationMs: 430, connections: 1 },
  ],
  endpoints: [
    {
      ip: '198.51.100.7',
      port: 443,
      grade: 'T',
      tls: tls({
        negotiated: { protocol: 'TLSv1.2', cipherSuite: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', alpn: null },
        protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': true, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': false },
        certificates: [
          cert({
            subject: 'CN=expired.example,O=Expired Example Holdings International Incorporated,L=Springfield,C=US',
            notAfter: '2025-01-20T00:00:00Z',
            daysRemaining: -12,
            trusted: false,
            trustError: 'certificate has expired',
            hostnameMatch: true,
          }),
        ],
      }),
    },
  ],
  http: {
    status: 'ok',
    url: 'https://expired.example/',
    finalUrl: null,
    statusCode: 200,
    redirects: [],
    headers: { server: 'nginx' },
    cookies: [],
    hsts: null,
    score: 30,
    grade: 'D',
  },
  email: null,
  findings: [
    {
      id: 'tls.protocol.tls10',
      subject: 'endpoint:198.51.100.7:443',
      severity: 'low',
      title: 'TLS 1.0 accepted',
      detail: 'TLS 1.0 is deprecated (RFC 8996).',
      evidence: { protocol: 'TLSv1.0' },
      remediation: 'Disable TLS 1.0 and 1.1.',
      references: ['RFC 8996'],
      endpoint: '198.51.100.7:443',
    },
    {
      id: 'tls.cert.expired',
      subject: 'endpoint:198.51.100.7:443',
      severity: 'critical',
      title: 'Certificate expired',
      detail: LONG_DETAIL,
      evidence: { notAfter: '2025-01-20T00:00:00Z', daysRemaining: -12 },
      remediation: 'Renew the certificate and install the new chain; automate renewal (ACME) so it cannot lapse again.',
      references: ['RFC 5280 §4.1.2.5', 'https://letsencrypt.org/docs/integration-guide/'],
      endpoint: '198.51.100.7:443',
    },
    {
      id: 'http.hsts.missing',
      subject: 'url:https://expired.example/',
      severity: 'medium',
      title: 'No Strict-Transport-Security header',
      detail: 'Without HSTS a network attacker can downgrade the first visit to plain HTTP.',
      evidence: {},
      remediation: 'Send Strict-Transport-Security: max-age=31536000; includeSubDomains.',
      references: ['RFC 6797'],
    },
    {
      id: 'tls.cipher.cbc',
      subject: 'endpoint:198.51.100.7:443',
      severity: 'high',
      title: 'CBC cipher suites preferred',
      detail: 'The server prefers CBC-mode suites, exposed to padding-oracle attacks such as Lucky13.',
      evidence: { suite: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA' },
      remediation: 'Prefer AEAD suites (AES-GCM, ChaCha20-Poly1305).',
      references: [],
      endpoint: '198.51.100.7:443',
    },
    {
      id: 'http.server.banner',
      subject: 'url:https://expired.example/',
      severity: 'info',
      title: 'Server header discloses software',
      detail: 'server: nginx',
      evidence: { server: 'nginx' },
      remediation: '',
      references: [],
    },
  ],
};

/** Nothing reachable: the scan itself failed, every grade is null. */
export const unreachableReport: Report = {
  schema: REPORT_SCHEMA_ID,
  tool,
  algorithmVersion: '2025.1',
  target: { host: 'down.example', port: 8443, portSource: 'target' },
  status: 'error',
  reason: 'no endpoint reachable: connect ECONNREFUSED 203.0.113.9:8443',
  startedAt: '2025-02-01T10:00:00Z',
  durationMs: 10_012,
  grades: { tls: null, http: null, email: null, overall: null },
  probes: [
    { id: 'tls-protocols', subject: 'endpoint:203.0.113.9:8443', status: 'error', errorKind: 'refused', reason: 'connect ECONNREFUSED', durationMs: 3, connections: 1 },
    { id: 'http-headers', subject: 'url:https://down.example:8443/', status: 'error', errorKind: 'refused', reason: 'connect ECONNREFUSED 203.0.113.9:8443', durationMs: 2, connections: 1 },
  ],
  endpoints: [
    {
      ip: '203.0.113.9',
      port: 8443,
      grade: null,
      tls: {
        status: 'error',
        reason: 'connect ECONNREFUSED 203.0.113.9:8443',
        negotiated: null,
        protocols: untested,
        cipherSuites: {},
        serverPreference: {},
        groups: null,
        certificates: [],
        vulnerabilities: {},
        probes: { protocols: { status: 'error', reason: 'connect ECONNREFUSED', durationMs: 3, connections: 1 } },
      },
    },
  ],
  http: {
    status: 'error',
    reason: 'connect ECONNREFUSED 203.0.113.9:8443',
    url: 'https://down.example:8443/',
    finalUrl: null,
    statusCode: null,
    redirects: [],
    headers: {},
    cookies: [],
    hsts: null,
    score: null,
    grade: null,
  },
  email: null,
  findings: [],
};

/** A mail domain: email graded, with SPF, DMARC and MX details. */
export const emailReport: Report = {
  schema: REPORT_SCHEMA_ID,
  tool,
  algorithmVersion: '2025.1',
  target: { host: 'mail.example', port: 443 },
  status: 'ok',
  startedAt: '2025-02-01T10:00:00Z',
  durationMs: 6100,
  grades: { tls: 'A', http: 'C', email: 'B', overall: 'B' },
  probes: [
    { id: 'tls-protocols', subject: 'endpoint:192.0.2.25:443', status: 'ok', durationMs: 820, connections: 6 },
    { id: 'http-headers', subject: 'url:https://mail.example/', status: 'ok', durationMs: 520, connections: 1 },
    { id: 'email-mx-records', subject: 'domain:mail.example', status: 'ok', durationMs: 12, connections: 0 },
    { id: 'email-records', subject: 'domain:mail.example', status: 'ok', durationMs: 95, connections: 0 },
    { id: 'email-mx', subject: 'domain:mail.example', status: 'ok', durationMs: 2300, connections: 4 },
  ],
  endpoints: [{ ip: '192.0.2.25', port: 443, tls: tls({ certificates: [cert({ subject: 'CN=mail.example' })] }), grade: 'A' }],
  http: {
    status: 'ok',
    url: 'https://mail.example/',
    finalUrl: 'https://mail.example/',
    statusCode: 200,
    redirects: [],
    headers: { 'content-security-policy': "default-src 'self'" },
    cookies: [],
    hsts: null,
    score: 55,
    grade: 'C',
  },
  email: {
    status: 'ok',
    spf: {
      status: 'found',
      record: 'v=spf1 mx include:_spf.mailhost.example ip4:192.0.2.0/24 ~all',
      lookups: 3,
      voidLookups: 0,
      all: '~all',
      errors: [],
    },
    dmarc: {
      status: 'found',
      record: 'v=DMARC1; p=quarantine; rua=mailto:dmarc@mail.example',
      policy: 'quarantine',
      subdomainPolicy: null,
      pct: 100,
      rua: ['mailto:dmarc@mail.example'],
      ruaAuthorized: true,
    },
    dkim: { selectorsTried: ['default', 'google'], selectors: [] },
    mtaSts: null,
    tlsRpt: null,
    mx: [
      { host: 'mx2.mail.example', preference: 20, starttls: true, tls: null, dane: null },
      { host: 'mx1.mail.example', preference: 10, starttls: true, tls: null, dane: false },
    ],
    dnssec: false,
    grade: 'B',
  },
  findings: [
    {
      id: 'email.spf.softfail',
      subject: 'domain:mail.example',
      severity: 'medium',
      title: 'SPF ends in ~all (soft fail)',
      detail: 'Mail from unlisted servers is only marked, not rejected.',
      evidence: { all: '~all' },
      remediation: 'End the SPF record with -all once every sender is listed.',
      references: ['RFC 7208 §5.1'],
    },
  ],
};

export const allReports: Report[] = [goodReport, expiredReport, unreachableReport, emailReport];

/** A dual-certificate endpoint as tls-certificates reports it, plus the domain's CAA records. */
export const dualCertReport: Report = {
  ...goodReport,
  target: { host: 'dual.example', port: 443 },
  probes: [
    { id: 'tls-certificates', subject: 'endpoint:192.0.2.44:443', status: 'ok', durationMs: 310, connections: 2 },
    { id: 'dns-caa', subject: 'domain:dual.example', status: 'ok', durationMs: 20, connections: 0 },
  ],
  endpoints: [
    {
      ip: '192.0.2.44',
      port: 443,
      grade: null,
      tls: tls({
        certificates: [
          cert({ subject: 'CN=dual.example', chain: 0, servedIndex: 0 }),
          cert({ subject: 'CN=R11', chain: 0, servedIndex: 1, trusted: null, hostnameMatch: null }),
          cert({ subject: 'CN=dual.example', keyType: 'RSA', keyBits: 2048, chain: 1, servedIndex: 0, daysRemaining: 5 }),
        ],
        chains: [
          {
            index: 0, requested: 'ECDSA', protocol: 'TLSv1.3', leafKeyType: 'EC 256', certificates: 2, trusted: true, trustErrors: [],
            anchor: { subject: 'CN=ISRG Root X1', label: 'ISRG Root X1', source: 'mozilla' }, chainComplete: true, fetchedIntermediates: 0,
            extraCertificates: [], misordered: false, anchorServed: false, hostnameMatch: true,
            ocsp: [{ source: 'stapled', status: 'good', revokedAt: null, thisUpdate: null, nextUpdate: null, fresh: true, signatureValid: true, detail: 'good' }],
            revocation: { checked: true, method: 'stapled', status: 'good', revokedAt: null, notChecked: null, detail: 'checked with the stapled OCSP response: good', crl: null },
            ct: { compliant: true, reason: 'ok', validScts: 2, logListDate: '2026-08-20T13:34:57.000Z' },
          },
          {
            index: 1, requested: 'RSA', protocol: 'TLSv1.3', leafKeyType: 'RSA 2048', certificates: 1, trusted: false,
            trustErrors: [{ code: 'missing-intermediate', subject: 'CN=dual.example', detail: 'The chain is incomplete.' }],
            anchor: null, chainComplete: false, fetchedIntermediates: 0, extraCertificates: [], misordered: false, anchorServed: false,
            hostnameMatch: true, ocsp: [],
            revocation: { checked: false, method: null, status: null, revokedAt: null, notChecked: 'phone-out-disabled', detail: 'not checked: --no-phone-out', crl: null },
            ct: { compliant: false, reason: 'only 1 SCT', validScts: 1, logListDate: '2026-08-20T13:34:57.000Z' },
          },
        ],
      }),
    },
  ],
  dns: { status: 'ok', caa: { status: 'ok', foundAt: 'dual.example', records: [{ flags: 0, tag: 'issue', value: 'letsencrypt.org' }], issue: ['letsencrypt.org'], issuewild: [], iodef: [], issuerPlausible: true } },
  findings: [],
};
