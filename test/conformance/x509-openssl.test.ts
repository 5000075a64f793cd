// The certificate-path vectors (test/helpers/x509-vectors*.ts) against independent validators:
// `openssl verify -x509_strict -purpose sslserver` with the vector's anchors, pool, time and host,
// and Node's X509Certificate (signature checks and checkHost/checkIP). Every vector where our
// verdict differs from OpenSSL's is listed in OPENSSL_DIFFERENCES with why the difference is
// intended; an unlisted difference, or a listed one that no longer differs, fails the test.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { access, constants as fsConstants, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCertificate } from '../../src/cert/decode.js';
import { signedBy } from '../../src/cert/signature.js';
import { root } from '../helpers/x509-pki.js';
import { dn, key } from '../helpers/x509-raw.js';
import { allVectors, pathologicalVectors, runVector, type X509Vector } from '../helpers/x509-vectors.js';

const IN_CI = Boolean(process.env.CI);

async function findOpenssl(): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const candidate = path.join(dir, 'openssl');
    try {
      await access(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

const OPENSSL = await findOpenssl();
// Outside CI a machine without openssl skips loudly; in CI nothing is skipped: the test fails.
if (!OPENSSL && !IN_CI) console.warn('conformance: skipping the x509 OpenSSL comparison, openssl not installed (CI would fail here)');

// ---------------------------------------------------------------------------------------------
// Why our verdict differs from `openssl verify -x509_strict` (OpenSSL 3.0). One reason per kind.

const WHY = {
  anchorChecks: 'With -partial_chain OpenSSL takes a trust anchor as name and key, not held to RFC 5280 §4.2.1.1 (an AKI on a certificate that is not self-signed); we hold --ca-file anchors to the whole profile',
  malformed: 'OpenSSL ignores an undecodable, empty or repeating-value non-critical extension it does not process; RFC 5280 §4.2 makes the extnValue the DER of its syntax, and browsers\' parsers refuse the certificate',
  version: 'OpenSSL accepts a v1 server certificate (and matches the host against its CN); BR §7.1.1 requires v3, and without a SAN browsers match no host',
  noSan: 'OpenSSL falls back to the subject CN when the certificate has no SAN DNS names; browsers (and BR §7.1.2.7.12) require the SAN',
  akiKeyId: 'OpenSSL requires a child\'s AKI key identifier to equal its issuer\'s SKI (X509_check_akid); RFC 5280 §6 and browsers use it only to find candidates and decide by the signature',
  policy: 'openssl verify runs no policy processing without -policy_check, so requireExplicitPolicy, inhibitAnyPolicy and policy mappings have no effect; we run RFC 5280 §6.1 policy processing with the initial set anyPolicy',
  policyCritical: 'RFC 5280 §4.2.1.11 and §4.2.1.14 require policyConstraints and inhibitAnyPolicy to be critical; OpenSSL does not check it, even with -x509_strict',
  profile: 'OpenSSL does not apply this certificate-profile rule (RFC 5280 §4.2.1.10: name constraints only in CA certificates; BR §7.1.2.7.12: SAN critical only with an empty subject)',
  nonDer: 'OpenSSL 3.0 refuses to load a certificate whose serial INTEGER is not minimally encoded; browsers accept it (Chrome parses serials leniently), we note the DER slip',
  serial: 'OpenSSL accepts a serial number that is zero, negative or longer than 20 octets; RFC 5280 §4.1.2.2 forbids them and we refuse them (x509-limbo pedantic-serial-number)',
  notAfter: 'OpenSSL counts the notAfter second itself as expired (X509_cmp_time treats equal as earlier) and -attime has whole seconds; RFC 5280 §4.1.2.5 makes the period inclusive',
  ncLeadingPeriod: 'OpenSSL accepts a leading-period dNSName constraint (".example.com" as "subdomains only"); RFC 5280 §4.2.1.10 defines that form for rfc822Name and URI constraints only',
  ncSyntax: 'OpenSSL accepts an iPAddress constraint whose mask is not contiguous; RFC 5280 §4.2.1.10 defines it as a CIDR range (RFC 4632)',
  ncStructure: 'OpenSSL accepts a nameConstraints extension without subtrees or with empty subtree lists; RFC 5280 §4.2.1.10 forbids the empty sequence and GeneralSubtrees is SIZE (1..MAX)',
  ncWildcard: 'OpenSSL compares a wildcard SAN with dNSName constraints as a literal string, so "*.example.com" escapes an excluded "bar.example.com"; it matches that host, so we refuse it (Go CVE-2025-61727)',
  uriHost: 'OpenSSL takes the URI host as everything between "://" and ":" or "/", userinfo included; RFC 5280 §4.2.1.10 constrains the host (RFC 3986 §3.2.2), which is example.com',
  selfIssuedLeaf: 'OpenSSL takes a self-issued leaf whose AKI it cannot compare (no SKI in the leaf) for self-signed and stops ("self-signed certificate"); its signature verifies under the intermediate, so RFC 5280 path building reaches the root',
  key: 'OpenSSL accepts this key (openssl verify sets no auth level); BR §6.1.5 and §7.1.3.1 allow only RSA of at least 2048 bits in multiples of 8 and ECDSA on P-256/P-384/P-521 with a named curve',
  sha1: 'OpenSSL accepts SHA-1 signatures (openssl verify sets no auth level); browsers refuse them below the root (BR §7.1.3.2)',
  rootAki: 'OpenSSL does not check a root\'s AKI; BR §7.1.2.1.3 wants the key identifier only, equal to the SKI, and RFC 5280 §4.2.1.1 issuer and serial together',
  eku: 'OpenSSL\'s -purpose sslserver needs serverAuth (or anyExtendedKeyUsage, or no EKU) in the leaf and ignores the root\'s EKU; the BRs (§7.1.2.7.6, §7.1.2.7.10, §7.1.2.1.2) require a non-critical leaf EKU without forbidden purposes and no EKU in a root',
  icaAny: 'OpenSSL refuses an intermediate whose EKU is only anyExtendedKeyUsage for sslserver; we follow Chrome, which accepts it (a warning only)',
  cn: 'OpenSSL ignores the subject CN when the SAN has names; BR §7.1.4.3 refuses a CN that spells a SAN value differently',
  san: 'OpenSSL does not check the syntax of SAN entries (underscores, partial wildcards, empty or long labels, 8-octet IP addresses, malformed mailboxes); RFC 5280 §4.2.1.6 and BR §7.1.2.7.12 require well-formed entries',
  wildcard: 'OpenSSL matches a wildcard over a multi-label public suffix ("*.co.uk": it only wants two labels after "*."); BR §3.2.2.6 forbids it, browsers use the Public Suffix List',
  trailingDot: 'OpenSSL\'s -verify_hostname keeps a trailing dot in the host; browsers treat "example.com." as "example.com"',
  pathBuilding: 'OpenSSL builds one path and does not backtrack past an issuer that fails later; RFC 4158 path building (as browsers do) tries the alternative that validates',
  ber: 'OpenSSL decodes BER leniently (a BOOLEAN TRUE of 0x01, non-zero padding bits in a BIT STRING, a long-form length where the short form fits); RFC 5280 §4.1 requires DER (X.690 §10.1, §11.1, §11.2.1), and Chrome\'s and Firefox\'s parsers refuse these certificates',
  ecdsaParams: 'OpenSSL accepts NULL parameters in an ECDSA signature AlgorithmIdentifier; RFC 5758 §3.2 says they MUST be absent, so the signature does not verify for us (as for Chrome)',
  caKeyUsage: 'With -x509_strict OpenSSL refuses a CA certificate without a KeyUsage extension; browsers accept it (keyCertSign is implied), and so do we',
  depth: 'OpenSSL allows paths of up to 100 certificates; we bound them at 10, as browsers bound theirs',
} as const;

/** Every vector where our verdict differs from OpenSSL's, and why that is intended. */
const OPENSSL_DIFFERENCES: Array<{ id: string; why: string }> = [
  { id: 'rfc5280/intermediate-anchor/ica-anchor-without-aki', why: WHY.anchorChecks },
  { id: 'rfc5280/aia/not-der', why: WHY.malformed },
  { id: 'rfc5280/aia/empty', why: WHY.malformed },
  { id: 'rfc5280/san/trailing-bytes', why: WHY.malformed },
  { id: 'rfc5280/version/leaf-v1-no-extensions', why: WHY.version },
  { id: 'rfc5280/aki/leaf-key-id-other', why: WHY.akiKeyId },
  { id: 'rfc5280/key-usage/ica-without-ku', why: WHY.caKeyUsage },
  { id: 'rfc5280/policy-constraints/explicit-policy-other', why: WHY.policy },
  { id: 'rfc5280/policy-constraints/explicit-policy-leaf-none', why: WHY.policy },
  { id: 'rfc5280/policy-constraints/non-critical', why: WHY.policyCritical },
  { id: 'rfc5280/policy-constraints/require-after-1-leaf-none', why: WHY.policy },
  { id: 'rfc5280/policy-constraints/policy-listed-twice', why: WHY.malformed },
  { id: 'rfc5280/inhibit-any-policy/any-policy-inhibited', why: WHY.policy },
  { id: 'rfc5280/inhibit-any-policy/non-critical', why: WHY.policyCritical },
  { id: 'rfc5280/policy-mappings/to-any-policy', why: WHY.policy },
  { id: 'rfc5280/policy-mappings/from-any-policy', why: WHY.policy },
  { id: 'rfc5280/policy-mappings/leaf-asserts-issuer-domain-policy', why: WHY.policy },
  { id: 'rfc5280/policy-mappings/inhibited-above', why: WHY.policy },
  { id: 'rfc5280/san/subject-with-critical-san', why: WHY.profile },
  { id: 'rfc5280/san/missing', why: WHY.noSan },
  { id: 'rfc5280/serial/non-minimal', why: WHY.nonDer },
  { id: 'rfc5280/critical-extension/leaf-critical-true-not-ff', why: WHY.ber },
  { id: 'rfc5280/basic-constraints/ica-ca-true-not-ff', why: WHY.ber },
  { id: 'rfc5280/key-usage/leaf-padding-bits-set', why: WHY.ber },
  { id: 'rfc5280/der/length-not-minimal', why: WHY.ber },
  { id: 'rfc5280/signature-algorithm/ecdsa-null-params', why: WHY.ecdsaParams },
  { id: 'rfc5280/serial/21-octets', why: WHY.serial },
  { id: 'rfc5280/serial/22-octets', why: WHY.serial },
  { id: 'rfc5280/serial/zero', why: WHY.serial },
  { id: 'rfc5280/serial/negative', why: WHY.serial },
  { id: 'rfc5280/serial/ica-negative', why: WHY.serial },
  { id: 'rfc5280/validity/notafter-exact', why: WHY.notAfter },
  { id: 'rfc5280/validity/notafter-fractional', why: WHY.notAfter },
  { id: 'nc/dns-syntax/leading-period', why: WHY.ncLeadingPeriod },
  { id: 'nc/ip/constraint-non-contiguous-mask', why: WHY.ncSyntax },
  { id: 'nc/uri/host-userinfo-port', why: WHY.uriHost },
  { id: 'nc/structure/both-absent', why: WHY.ncStructure },
  { id: 'nc/structure/both-empty', why: WHY.ncStructure },
  { id: 'nc/structure/permitted-empty-excluded-set', why: WHY.ncStructure },
  { id: 'nc/structure/permitted-set-excluded-empty', why: WHY.ncStructure },
  { id: 'nc/wildcard/excluded-one-label', why: WHY.ncWildcard },
  { id: 'nc/invalid-san/leading-period-dns', why: WHY.san },
  { id: 'nc/invalid-san/email-two-at', why: WHY.san },
  { id: 'nc/self-issued/leaf-inside', why: WHY.selfIssuedLeaf },
  { id: 'webpki/key-algorithm/p192-leaf', why: WHY.key },
  { id: 'webpki/key-algorithm/p192-root', why: WHY.key },
  { id: 'webpki/key-algorithm/dsa-leaf', why: WHY.key },
  { id: 'webpki/key-algorithm/dsa-root', why: WHY.key },
  { id: 'webpki/key-algorithm/rsa1024-leaf', why: WHY.key },
  { id: 'webpki/key-algorithm/rsa1024-root', why: WHY.key },
  { id: 'webpki/key-algorithm/rsa2052-leaf', why: WHY.key },
  { id: 'webpki/key-algorithm/rsa2052-root', why: WHY.key },
  { id: 'webpki/key-algorithm/ed25519-leaf', why: WHY.key },
  { id: 'webpki/key-algorithm/secp256k1-leaf', why: WHY.key },
  { id: 'webpki/key-algorithm/rsa-pss-spki-leaf', why: WHY.key },
  { id: 'webpki/weak-signature/sha1-rsa-ica', why: WHY.sha1 },
  { id: 'webpki/weak-signature/sha1-ecdsa-leaf', why: WHY.sha1 },
  { id: 'webpki/root-aki/empty', why: WHY.rootAki },
  { id: 'webpki/root-aki/issuer-without-serial', why: WHY.rootAki },
  { id: 'webpki/root-aki/serial-without-issuer', why: WHY.rootAki },
  { id: 'webpki/root-aki/all-fields', why: WHY.rootAki },
  { id: 'webpki/root-aki/ski-mismatch', why: WHY.rootAki },
  { id: 'webpki/leaf-eku/missing', why: WHY.eku },
  { id: 'webpki/leaf-eku/server-auth-and-any', why: WHY.eku },
  { id: 'webpki/leaf-eku/critical', why: WHY.eku },
  { id: 'webpki/leaf-eku/server-auth-and-precertificate', why: WHY.eku },
  { id: 'webpki/leaf-eku/server-auth-and-code-signing', why: WHY.eku },
  { id: 'webpki/leaf-eku/server-auth-and-email', why: WHY.eku },
  { id: 'webpki/leaf-eku/server-auth-and-time-stamping', why: WHY.eku },
  { id: 'webpki/leaf-eku/server-auth-and-ocsp-signing', why: WHY.eku },
  { id: 'webpki/ca-eku/ica-any', why: WHY.icaAny },
  { id: 'webpki/ca-eku/root-with-eku', why: WHY.eku },
  { id: 'webpki/leaf-name-constraints/non-critical', why: WHY.profile },
  { id: 'webpki/leaf-name-constraints/critical', why: WHY.profile },
  { id: 'webpki/cn/ipv4-hex', why: WHY.cn },
  { id: 'webpki/cn/ipv4-leading-zeros', why: WHY.cn },
  { id: 'webpki/cn/ipv6-uppercase', why: WHY.cn },
  { id: 'webpki/cn/ipv6-uncompressed', why: WHY.cn },
  { id: 'webpki/cn/ipv6-non-rfc5952', why: WHY.cn },
  { id: 'webpki/cn/dns-case', why: WHY.cn },
  { id: 'webpki/cn/u-label-of-a-label', why: WHY.cn },
  { id: 'webpki/san-syntax/underscore', why: WHY.san },
  { id: 'webpki/san-syntax/ipv4-in-dns-name', why: WHY.san },
  { id: 'webpki/san-syntax/wildcard-partial-label', why: WHY.san },
  { id: 'webpki/san-syntax/leading-period', why: WHY.san },
  { id: 'webpki/san-syntax/empty-label', why: WHY.san },
  { id: 'webpki/san-syntax/empty', why: WHY.san },
  { id: 'webpki/san-syntax/label-64', why: WHY.san },
  { id: 'webpki/san-syntax/space', why: WHY.san },
  { id: 'webpki/san-syntax/ip-8-octets', why: WHY.san },
  { id: 'webpki/san-syntax/ip-5-octets', why: WHY.san },
  { id: 'webpki/san-syntax/email-two-at', why: WHY.san },
  { id: 'webpki/wildcard-public-suffix/multi-label-suffix', why: WHY.wildcard },
  { id: 'webpki/wildcard-public-suffix/psl-wildcard-rule', why: WHY.wildcard },
  { id: 'webpki/hostname/host-trailing-dot', why: WHY.trailingDot },
  { id: 'webpki/hostname/cn-only', why: WHY.noSan },
  { id: 'path/cross-sign/expired-anchor-cross-signed', why: WHY.pathBuilding },
  { id: 'path/alternate-route/other-issuer-copy', why: WHY.pathBuilding },
  { id: 'path/alternate-route/backtrack-past-constraints', why: WHY.pathBuilding },
  { id: 'path/depth/9-intermediates', why: WHY.depth },
];

/**
 * Vectors in trust-vectors.test.ts KNOWN_BUGS whose agreement with OpenSSL flips when the bug is
 * fixed: documented whether or not they differ today (delete the entry with the fix).
 */
const UNTIL_FIXED: Record<string, string> = {};

/** id → why our signature check differs from Node's X509Certificate.verify for some pair of the vector. */
const NODE_SIGNATURE_DIFFERENCES: Record<string, string> = {
  'rfc5280/signature-algorithm/leaf-mismatch': 'Node (X509_verify) fails when signatureAlgorithm differs from tbsCertificate.signature, before the signature; our signedBy checks the signature and the mismatch is a separate malformed error (RFC 5280 §4.1.1.2): the path is refused all the same',
  'rfc5280/signature-algorithm/rsa-ica-mismatch': 'as rfc5280/signature-algorithm/leaf-mismatch',
  'rfc5280/signature-algorithm/ecdsa-null-params': 'OpenSSL (under Node) accepts NULL parameters for ecdsa-with-SHA256; RFC 5758 §3.2 says they MUST be absent, so our signedBy refuses the signature',
};

/** id → why our host match differs from Node's checkHost({ subject: 'never', partialWildcards: false }) / checkIP. */
const NODE_HOST_DIFFERENCES: Record<string, string> = {
  'rfc5280/der/length-not-minimal': 'OpenSSL reads the BER-encoded SAN and matches it; for us the certificate is not DER, so its SAN names no host (and it is refused)',
  'rfc5280/san/trailing-bytes': 'OpenSSL reads the SAN and ignores the byte after it; for us the extension is malformed, so it names no host (and the certificate is refused)',
  'rfc5280/duplicate-extension/san-twice': 'OpenSSL finds two subjectAltName extensions ambiguous and reads neither; we match against the first (the certificate is refused as malformed either way)',
  'webpki/wildcard-public-suffix/psl-wildcard-rule': 'as webpki/wildcard-public-suffix/multi-label-suffix ("*.foo.ck": the PSL rule "*.ck" makes foo.ck a public suffix)',
  'webpki/wildcard-public-suffix/multi-label-suffix': 'OpenSSL lets "*.co.uk" match example.co.uk (it only wants two labels after "*."); a wildcard never covers a public suffix (BR §3.2.2.6, browsers use the Public Suffix List)',
};

// ---------------------------------------------------------------------------------------------

const pem = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;

function run(file: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}`.trim() });
    });
  });
}

let dir = '';
/** A certificate nothing chains to, for vectors without anchors (openssl needs a CAfile). */
let placeholder = '';

async function opensslVerdict(v: X509Vector, i: number): Promise<{ accepted: boolean; out: string }> {
  const base = path.join(dir, String(i));
  const files = { leaf: `${base}-leaf.pem`, pool: `${base}-pool.pem`, anchors: `${base}-anchors.pem` };
  await writeFile(files.leaf, pem(v.served[0]!));
  await writeFile(files.anchors, v.anchors.length > 0 ? v.anchors.map(pem).join('') : placeholder);
  const pool = v.served.slice(1);
  if (pool.length > 0) await writeFile(files.pool, pool.map(pem).join(''));
  const host = v.host.replace(/^\[|\]$/g, '');
  const args = [
    'verify', '-x509_strict', '-purpose', 'sslserver', '-partial_chain', '-no-CApath', '-no-CAstore',
    '-CAfile', files.anchors, ...(pool.length > 0 ? ['-untrusted', files.pool] : []),
    '-attime', String(Math.floor(v.now.getTime() / 1000)),
    ...(isIP(host) ? ['-verify_ip', host] : ['-verify_hostname', host]),
    files.leaf,
  ];
  const r = await run(OPENSSL!, args);
  return { accepted: r.code === 0 && /: OK\s*$/.test(r.out), out: r.out.split('\n').filter((l) => /error|Error/.test(l)).slice(0, 2).join(' | ') };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  }));
  return out;
}

interface Row {
  id: string;
  ours: boolean;
  openssl: boolean;
  out: string;
}

const vectors = [...allVectors(), ...pathologicalVectors()];
let rows: Row[] = [];

describe.skipIf(!OPENSSL && !IN_CI)('x509 vectors against openssl verify and Node', () => {
  beforeAll(async () => {
    if (!OPENSSL) throw new Error('openssl is not installed (apt-get install -y openssl)');
    dir = await mkdtemp(path.join(tmpdir(), 'secgrade-x509-'));
    placeholder = pem(root({ key: key('p256', 'placeholder'), subject: dn(['CN', 'Placeholder Root']) }).der);
    const verdicts = await mapLimit(vectors, 8, (v, i) => opensslVerdict(v, i));
    rows = vectors.map((v, i) => ({ id: v.id, ours: runVector(v).accepted, openssl: verdicts[i]!.accepted, out: verdicts[i]!.out }));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('openssl runs and accepts the plain chain', () => {
    const plain = rows.find((r) => r.id === 'rfc5280/issuer-name/non-empty');
    expect(plain).toMatchObject({ ours: true, openssl: true });
  });

  it('every verdict that differs from OpenSSL is a documented, intended difference', () => {
    const documented = new Map(OPENSSL_DIFFERENCES.map((d) => [d.id, d.why]));
    expect(documented.size).toBe(OPENSSL_DIFFERENCES.length);
    const differing = rows.filter((r) => r.ours !== r.openssl && !UNTIL_FIXED[r.id]);
    const undocumented = differing.filter((r) => !documented.has(r.id)).map((r) => `${r.id}: ours=${r.ours ? 'trusted' : 'rejected'} openssl=${r.openssl ? 'trusted' : 'rejected'} ${r.out}`);
    const stale = [...documented.keys()].filter((id) => !differing.some((r) => r.id === id));
    console.log(`x509 vectors vs openssl: ${rows.length} vectors, ${differing.length} documented differences`);
    expect(undocumented).toEqual([]);
    expect(stale).toEqual([]);
  });

});

// Node's X509Certificate is OpenSSL underneath, but its verify/checkHost are the calls a Node
// client makes: each signature pair and each host match of every vector is compared.
describe("x509 vectors against Node's X509Certificate", () => {
  it('signatures and host names agree, or the difference is documented', () => {
    const sig = new Map<string, string>();
    const host = new Map<string, string>();
    for (const v of vectors) {
      // The 306-certificate mesh would be 90 000 pairs: its signatures are the same kind as elsewhere.
      if (v.id.startsWith('pathological/')) continue;
      const certs = [...v.served, ...v.anchors].map((der) => ({ der, d: decodeCertificate(der), x: nodeCert(der) }));
      for (const c of certs) {
        for (const p of certs) {
          if (!c.d.ok || !p.d.ok || !c.x || !p.x || c === p || c.d.cert.issuerKey !== p.d.cert.subjectKey) continue;
          let node: boolean;
          try {
            node = c.x.verify(p.x.publicKey);
          } catch {
            node = false;
          }
          const ours = signedBy(c.d.cert, p.d.cert.publicKey);
          if (node !== ours) sig.set(v.id, `ours=${ours} node=${node} (${c.d.cert.subjectText} by ${p.d.cert.subjectText})`);
        }
      }
      const leaf = certs[0]!.x;
      if (!leaf) continue;
      const h = v.host.replace(/\.$/, '');
      const node = isIP(h) ? leaf.checkIP(h) !== undefined : leaf.checkHost(h, { subject: 'never', partialWildcards: false }) !== undefined;
      const ours = runVector(v).hostMatch;
      if (node !== ours) host.set(v.id, `ours=${ours} node=${node}`);
    }
    const report = (found: Map<string, string>, table: Record<string, string>) => ({
      undocumented: [...found].filter(([id]) => !table[id]).map(([id, d]) => `${id}: ${d}`),
      stale: Object.keys(table).filter((id) => !found.has(id)),
    });
    expect(report(sig, NODE_SIGNATURE_DIFFERENCES)).toEqual({ undocumented: [], stale: [] });
    expect(report(host, NODE_HOST_DIFFERENCES)).toEqual({ undocumented: [], stale: [] });
  });
});

function nodeCert(der: Buffer): X509Certificate | null {
  try {
    return new X509Certificate(der);
  } catch {
    return null;
  }
}
