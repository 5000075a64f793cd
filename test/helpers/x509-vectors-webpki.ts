// The CA/B Forum profile browsers add to RFC 5280: keys and signature hashes, EKU, CA-as-leaf,
// root AKI, subject CN, SAN syntax and wildcards, and host-name matching (RFC 6125 as browsers
// apply it: SAN only, one-label wildcards, no IDNA conversion).
import { createHash } from 'node:crypto';
import { chain, dn, ext, gn, key, ROOT_NAME, served, vec, type Chain, type CertOpts, type X509Vector } from './x509-pki.js';
import { bits, EKU_OID, extension, oid, seq, type TestKey } from './x509-raw.js';

/** An ML-DSA-44 SubjectPublicKeyInfo (RFC 9881): a leaf key only, so nothing needs to sign with it. */
function mlDsaKey(): TestKey {
  const pub = Buffer.alloc(1312, 0x5a);
  const spki = seq(seq(oid('2.16.840.1.101.3.4.3.17')), bits(pub));
  return { ...key('p256', 'leaf'), spki, keyId: createHash('sha1').update(pub).digest() };
}

export function webPkiVectors(): X509Vector[] {
  const v: X509Vector[] = [];
  const ok = chain();

  // --- keys (BR §6.1.5, §7.1.3.1; RFC 5480 §2.1.1)
  {
    const g = 'webpki/key-algorithm';
    const rule = 'CA/B Forum BR §6.1.5, §7.1.3.1';
    const good = (id: string, c: Chain) => v.push(vec({ id: `${g}/${id}`, group: g, rule, expect: 'trusted', ...served(c) }));
    const bad = (id: string, c: Chain) => v.push(vec({ id: `${g}/${id}`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'key-algorithm', ...served(c) }));
    good('p256', ok);
    good('p384-leaf', chain({ leaf: { key: key('p384', 'leaf') } }));
    good('p521-leaf', chain({ leaf: { key: key('p521', 'leaf') } }));
    good('p384-root', chain({ root: { key: key('p384', 'root') } }));
    good('rsa2048-all', chain({ root: { key: key('rsa2048', 'root') }, ica: { key: key('rsa2048', 'ica') }, leaf: { key: key('rsa2048', 'leaf') } }));
    bad('p192-leaf', chain({ leaf: { key: key('p192', 'leaf') } }));
    bad('p192-root', chain({ root: { key: key('p192', 'root') } }));
    bad('dsa-leaf', chain({ leaf: { key: key('dsa', 'leaf') } }));
    bad('dsa-root', chain({ root: { key: key('dsa', 'root') } }));
    bad('rsa1024-leaf', chain({ leaf: { key: key('rsa1024', 'leaf') } }));
    bad('rsa1024-root', chain({ root: { key: key('rsa1024', 'root') } }));
    bad('rsa2052-leaf', chain({ leaf: { key: key('rsa2052', 'leaf') } }));
    bad('rsa2052-root', chain({ root: { key: key('rsa2052', 'root') } }));
    bad('explicit-curve-leaf', chain({ leaf: { key: key('p256-explicit', 'leaf') } }));
    bad('explicit-curve-root', chain({ root: { key: key('p256-explicit', 'root') } }));
    bad('ed25519-leaf', chain({ leaf: { key: key('ed25519', 'leaf') } }));
    bad('secp256k1-leaf', chain({ leaf: { key: key('secp256k1', 'leaf') } }));
    bad('rsa-pss-spki-leaf', chain({ leaf: { key: key('rsa-pss', 'leaf') } }));
    bad('ml-dsa-44-leaf', chain({ leaf: { key: mlDsaKey() } }));
  }

  // --- signature hashes (BR §7.1.3.2): a root's signature on itself is never checked
  {
    const g = 'webpki/weak-signature';
    const rule = 'CA/B Forum BR §7.1.3.2';
    const rsa = (o: { root?: CertOpts; ica?: CertOpts; leaf?: CertOpts }) => chain({ root: { key: key('rsa2048', 'root'), ...o.root }, ica: { key: key('rsa2048', 'ica'), ...o.ica }, leaf: o.leaf });
    v.push(vec({ id: `${g}/sha256`, group: g, rule, expect: 'trusted', ...served(rsa({})) }));
    v.push(vec({ id: `${g}/sha1-self-signed-root`, group: g, rule, expect: 'trusted', ...served(rsa({ root: { hash: 'sha1' } })) }));
    v.push(vec({ id: `${g}/sha1-rsa-ica`, group: g, rule, expect: 'rejected', code: 'weak-signature', ruleId: 'weak-signature', ...served(rsa({ ica: { hash: 'sha1' } })) }));
    v.push(vec({ id: `${g}/rsa-pss-sha256`, group: g, rule: 'CA/B Forum BR §7.1.3.2.1', expect: 'trusted', ...served(rsa({ ica: { pss: true } })) }));
    v.push(vec({ id: `${g}/sha1-ecdsa-leaf`, group: g, rule, expect: 'rejected', code: 'weak-signature', ruleId: 'weak-signature', ...served(chain({ leaf: { hash: 'sha1' } })) }));
  }

  // --- a root's AKI (BR §7.1.2.1.3): key identifier only, equal to its SKI
  {
    const g = 'webpki/root-aki';
    const rule = 'CA/B Forum BR §7.1.2.1.3';
    const id = key('p256', 'root').keyId;
    const r = (aki: Buffer) => chain({ root: { aki } });
    v.push(vec({ id: `${g}/absent`, group: g, rule, expect: 'trusted', ...served(ok) }));
    v.push(vec({ id: `${g}/key-id-equal`, group: g, rule, expect: 'trusted', ...served(r(ext.authorityKeyId({ keyId: id }))) }));
    v.push(vec({ id: `${g}/empty`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'root-aki', ...served(r(ext.authorityKeyId({}))) }));
    v.push(vec({ id: `${g}/issuer-without-serial`, group: g, rule: 'RFC 5280 §4.2.1.1', expect: 'rejected', code: 'malformed', ...served(r(ext.authorityKeyId({ keyId: id, issuer: [gn.dir(dn(['CN', 'myCN']))] }))) }));
    v.push(vec({ id: `${g}/serial-without-issuer`, group: g, rule: 'RFC 5280 §4.2.1.1', expect: 'rejected', code: 'malformed', ...served(r(ext.authorityKeyId({ keyId: id, serial: Buffer.from([0x04, 0xd2]) }))) }));
    v.push(vec({ id: `${g}/all-fields`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'root-aki', ...served(r(ext.authorityKeyId({ keyId: id, issuer: [gn.dir(ROOT_NAME)], serial: Buffer.from([0x04, 0xd2]) }))) }));
    v.push(vec({ id: `${g}/ski-mismatch`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'root-aki', ...served(r(ext.authorityKeyId({ keyId: key('p256', 'unrelated').keyId }))) }));
  }

  // --- extended key usage (BR §7.1.2.7.6, §7.1.2.7.10, §7.1.2.1.2, §7.1.2.10.6)
  {
    const g = 'webpki/leaf-eku';
    const rule = 'CA/B Forum BR §7.1.2.7.6, §7.1.2.7.10';
    const e = (oids: string[], critical = false) => served(chain({ leaf: { eku: ext.extKeyUsage(oids, critical) } }));
    const { serverAuth, clientAuth } = EKU_OID;
    v.push(vec({ id: `${g}/server-auth`, group: g, rule, expect: 'trusted', ...served(ok) }));
    v.push(vec({ id: `${g}/server-and-client-auth`, group: g, rule, expect: 'trusted', ...e([serverAuth, clientAuth]) }));
    v.push(vec({ id: `${g}/server-auth-and-other`, group: g, rule, expect: 'trusted', note: 'eku-other-purpose', ...e([serverAuth, '1.3.6.1.4.1.59999.3.1']) }));
    const bad = (id: string, x: { served: Buffer[]; anchors: Buffer[] }, code: 'eku' | 'malformed' = 'eku') =>
      v.push(vec({ id: `${g}/${id}`, group: g, rule, expect: 'rejected', code, ...(code === 'eku' ? { ruleId: 'leaf-eku' } : {}), ...x }));
    bad('missing', served(chain({ leaf: { eku: null } })));
    bad('client-auth-only', e([clientAuth]));
    bad('any-only', e([EKU_OID.any]));
    bad('server-auth-and-any', e([serverAuth, EKU_OID.any]));
    bad('critical', e([serverAuth], true));
    bad('precertificate-only', e([EKU_OID.precertSigning]));
    bad('server-auth-and-precertificate', e([serverAuth, EKU_OID.precertSigning]));
    bad('server-auth-and-code-signing', e([serverAuth, EKU_OID.codeSigning]));
    bad('server-auth-and-email', e([serverAuth, EKU_OID.emailProtection]));
    bad('server-auth-and-time-stamping', e([serverAuth, EKU_OID.timeStamping]));
    bad('server-auth-and-ocsp-signing', e([serverAuth, EKU_OID.ocspSigning]));
    bad('empty-sequence', served(chain({ leaf: { eku: extension('2.5.29.37', false, seq()) } })), 'malformed');
  }
  {
    const g = 'webpki/ca-eku';
    const rule = 'CA/B Forum BR §7.1.2.1.2, §7.1.2.10.6';
    const { serverAuth, clientAuth } = EKU_OID;
    v.push(vec({ id: `${g}/ica-server-auth`, group: g, rule, expect: 'trusted', ...served(chain({ ica: { eku: ext.extKeyUsage([serverAuth, clientAuth]) } })) }));
    v.push(vec({ id: `${g}/ica-none`, group: g, rule, expect: 'trusted', ...served(ok) }));
    v.push(vec({ id: `${g}/ica-any`, group: g, rule, expect: 'trusted', ...served(chain({ ica: { eku: ext.extKeyUsage([EKU_OID.any]) } })) }));
    v.push(vec({ id: `${g}/ica-client-auth-only`, group: g, rule, expect: 'rejected', code: 'eku', ruleId: 'intermediate-eku', ...served(chain({ ica: { eku: ext.extKeyUsage([clientAuth]) } })) }));
    v.push(vec({ id: `${g}/ica-email-only`, group: g, rule, expect: 'rejected', code: 'eku', ruleId: 'intermediate-eku', ...served(chain({ ica: { eku: ext.extKeyUsage([EKU_OID.emailProtection]) } })) }));
    v.push(vec({ id: `${g}/root-with-eku`, group: g, rule, expect: 'rejected', code: 'eku', ruleId: 'root-eku', ...served(chain({ root: { eku: ext.extKeyUsage([serverAuth]) } })) }));
    // A store's vetted root is not held to the certificate profile (some predate it).
    v.push(vec({ id: `${g}/vetted-root-with-eku`, group: g, rule, expect: 'trusted', anchorSource: 'mozilla', ...served(chain({ root: { eku: ext.extKeyUsage([serverAuth]) } })) }));
  }

  // --- a CA certificate is never a server certificate (BR §7.1.2.7.8; our web-PKI resolution)
  {
    const g = 'webpki/leaf-ca';
    const rule = 'CA/B Forum BR §7.1.2.7.8';
    const host = 'ca.example.com';
    v.push(vec({ id: `${g}/leaf`, group: g, rule, host, expect: 'trusted', ...served(chain({ leaf: { names: [host] } })) }));
    const caLeaf = chain({ leaf: { names: [host], bc: ext.basicConstraints(true), ku: ext.keyUsage(['keyCertSign']), eku: null } });
    v.push(vec({ id: `${g}/ca-as-leaf`, group: g, rule, host, expect: 'rejected', code: 'leaf-is-ca', ruleId: 'leaf-ca', ...served(caLeaf) }));
    v.push(vec({ id: `${g}/ca-as-leaf-wrong-host`, group: g, rule, host: 'some-other-ca.example.com', hostMatch: false, expect: 'rejected', code: 'leaf-is-ca', ...served(caLeaf) }));
    v.push(vec({ id: `${g}/ca-bit-digital-signature`, group: g, rule, expect: 'rejected', code: 'leaf-is-ca', ruleId: 'leaf-ca', ...served(chain({ leaf: { bc: ext.basicConstraints(true) } })) }));
  }
  {
    const g = 'webpki/leaf-name-constraints';
    const rule = 'RFC 5280 §4.2.1.10';
    const nc = (critical: boolean) => ext.nameConstraints({ permitted: [gn.dns('example.com')] }, critical);
    v.push(vec({ id: `${g}/absent`, group: g, rule, expect: 'trusted', ...served(ok) }));
    v.push(vec({ id: `${g}/non-critical`, group: g, rule, expect: 'rejected', code: 'name-constraints', ruleId: 'leaf-name-constraints', ...served(chain({ leaf: { nc: nc(false) } })) }));
    v.push(vec({ id: `${g}/critical`, group: g, rule, expect: 'rejected', code: 'name-constraints', ruleId: 'leaf-name-constraints', ...served(chain({ leaf: { nc: nc(true) } })) }));
  }

  v.push(...cnVectors(), ...sanVectors(), ...hostVectors());
  return v;
}

/**
 * BR §7.1.4.3: a subject CN is a character-for-character copy of a SAN value. A CN that denotes a
 * SAN identity in another spelling (case, IP text form, U-label) is refused ('cn-spelling'); a CN
 * that names something not in the SAN at all is tolerated with a note ('cn-not-in-san'): browsers
 * ignore the CN, and x509-limbo's own SUCCESS cases carry such CNs.
 */
function cnVectors(): X509Vector[] {
  const v: X509Vector[] = [];
  const g = 'webpki/cn';
  const rule = 'CA/B Forum BR §7.1.4.3';
  const c = (cn: string | null, o: CertOpts = {}) => served(chain({ leaf: { cn, ...o } }));
  const good = (id: string, host: string, x: ReturnType<typeof c>, note?: string) => v.push(vec({ id: `${g}/${id}`, group: g, rule, host, expect: 'trusted', ...(note ? { note } : {}), ...x }));
  const bad = (id: string, host: string, x: ReturnType<typeof c>) => v.push(vec({ id: `${g}/${id}`, group: g, rule, host, expect: 'rejected', code: 'web-pki', ruleId: 'cn-spelling', ...x }));
  const alabel = 'xn--bcher-kva.example.com';
  good('dns-exact', 'example.com', c('example.com'));
  good('no-cn', 'example.com', c(null));
  good('second-san', 'example.com', c('www.example.com', { names: ['example.com', 'www.example.com'] }));
  good('wildcard-exact', 'foo.example.com', c('*.example.com', { names: ['*.example.com'] }));
  good('ipv4-canonical', '192.168.1.1', c('192.168.1.1', { ips: ['192.168.1.1'] }));
  good('ipv6-canonical', '2001:db8::8a2e:370:7334', c('2001:db8::8a2e:370:7334', { ips: ['2001:db8::8a2e:370:7334'] }));
  good('a-label-exact', alabel, c(alabel, { names: [alabel] }));
  bad('ipv4-hex', '192.168.1.1', c('0xC0A80101', { ips: ['192.168.1.1'] }));
  bad('ipv4-leading-zeros', '192.168.1.1', c('192.168.001.001', { ips: ['192.168.1.1'] }));
  bad('ipv6-uppercase', '2001:db8::8a2e:370:7334', c('2001:DB8::8A2E:370:7334', { ips: ['2001:db8::8a2e:370:7334'] }));
  bad('ipv6-uncompressed', '2001:db8::1', c('2001:0db8:0000:0000:0000:0000:0000:0001', { ips: ['2001:db8::1'] }));
  bad('ipv6-non-rfc5952', '2001:db8::1:0:0:1', c('2001:db8:0:0:1:0:0:1', { ips: ['2001:db8::1:0:0:1'] }));
  bad('dns-case', 'example.com', c('Example.COM'));
  bad('u-label-of-a-label', alabel, c('bücher.example.com', { names: [alabel] }));
  // Names nothing in the SAN: a note, not a rejection.
  good('not-in-san', 'valid.example.com', c('notinsan.example.com', { names: ['valid.example.com', 'another.example.com'] }), 'cn-not-in-san');
  good('other-punycode', 'xn--n3h.com', c('xn--nxasmq6b.com', { names: ['xn--n3h.com'] }), 'cn-not-in-san');
  good('apex-with-wildcard-san', 'foo.example.com', c('example.com', { names: ['*.example.com'] }), 'cn-not-in-san');
  good('dns-cn-with-ip-san', '127.0.0.1', c('example.com', { ips: ['127.0.0.1'] }), 'cn-not-in-san');
  return v;
}

/** SAN entries are well-formed (RFC 5280 §4.2.1.6, BR §7.1.2.7.12) and wildcards never cover a public suffix (BR §3.2.2.6). */
function sanVectors(): X509Vector[] {
  const v: X509Vector[] = [];
  const g = 'webpki/san-syntax';
  const rule = 'RFC 5280 §4.2.1.6; CA/B Forum BR §7.1.2.7.12';
  const s = (names: Buffer[], cn: string | null = null) => served(chain({ leaf: { cn, san: ext.subjectAltName(names) } }));
  const good = (id: string, host: string, x: ReturnType<typeof s>) => v.push(vec({ id: `${g}/${id}`, group: g, rule, host, expect: 'trusted', ...x }));
  const bad = (id: string, host: string, x: ReturnType<typeof s>, code: 'web-pki' | 'malformed' = 'web-pki') =>
    v.push(vec({ id: `${g}/${id}`, group: g, rule, host, expect: 'rejected', code, ...(code === 'web-pki' ? { ruleId: 'san-syntax' } : {}), ...x }));
  good('dns', 'example.com', s([gn.dns('example.com')]));
  good('wildcard', 'foo.example.com', s([gn.dns('*.example.com')]));
  good('ipv6', '::1', s([gn.ip('::1')]));
  good('dns-email-uri', 'example.com', s([gn.dns('example.com'), gn.email('admin@example.com'), gn.uri('https://example.com/')]));
  good('digit-label', '1password.example.com', s([gn.dns('1password.example.com')]));
  bad('underscore', '_acme.example.com', s([gn.dns('_acme.example.com')]));
  bad('wildcard-partial-label', 'baz.example.com', s([gn.dns('ba*.example.com')]));
  bad('wildcard-not-leftmost', 'foo.bar.example.com', s([gn.dns('foo.*.example.com')]));
  bad('wildcard-in-a-label', 'xn--bliss-1b3c148a.example.com', s([gn.dns('xn--*-1b3c148a.example.com')]));
  bad('wildcard-alone', 'example.com', s([gn.dns('*')]));
  bad('wildcard-alone-tld', 'com', s([gn.dns('*')]));
  bad('leading-period', 'foo.example.com', s([gn.dns('.example.com'), gn.dns('foo.example.com')]));
  bad('empty-label', 'example.com', s([gn.dns('example..com'), gn.dns('example.com')]));
  bad('empty', 'example.com', s([gn.dns(''), gn.dns('example.com')]));
  bad('label-64', 'example.com', s([gn.dns(`${'a'.repeat(64)}.example.com`), gn.dns('example.com')]));
  bad('space', 'example.com', s([gn.dns('exa mple.com'), gn.dns('example.com')]));
  bad('ipv4-in-dns-name', '192.0.2.1', s([gn.dns('192.0.2.1'), gn.ip('192.0.2.1')]));
  bad('ip-8-octets', '192.0.2.1', s([gn.ip(Buffer.from([192, 0, 2, 0, 255, 255, 255, 0])), gn.ip('192.0.2.1')]));
  bad('ip-5-octets', '192.0.2.1', s([gn.ip(Buffer.from([192, 0, 2, 1, 0])), gn.ip('192.0.2.1')]));
  bad('email-two-at', 'example.com', s([gn.dns('example.com'), gn.email('invalid@address@example.com')]));
  bad('utf8-bytes', 'xn--628h.example.com', s([gn.dns(Buffer.from('😜.example.com', 'utf8'))]), 'malformed');

  const w = 'webpki/wildcard-public-suffix';
  const wr = 'CA/B Forum BR §3.2.2.6';
  v.push(vec({ id: `${w}/registrable`, group: w, rule: wr, host: 'foo.example.co.uk', expect: 'trusted', ...s([gn.dns('*.example.co.uk')]) }));
  // BR §3.2.2.6 points CAs at the PSL's ICANN section; a private-section suffix is a registrable domain
  // whose owner can prove control of the namespace (x509-limbo's PR #620 expects a rejection here).
  v.push(vec({ id: `${w}/private-section`, group: w, rule: wr, host: 'bucket.s3.amazonaws.com', expect: 'trusted', ...s([gn.dns('*.s3.amazonaws.com')]) }));
  // PSL wildcard and exception rules: "*.ck" makes foo.ck a public suffix, "!www.ck" keeps www.ck registrable.
  v.push(vec({ id: `${w}/psl-exception-rule`, group: w, rule: wr, host: 'a.www.ck', expect: 'trusted', ...s([gn.dns('*.www.ck')]) }));
  v.push(vec({ id: `${w}/psl-wildcard-rule`, group: w, rule: wr, host: 'a.foo.ck', hostMatch: false, expect: 'rejected', code: 'web-pki', ruleId: 'wildcard-public-suffix', ...s([gn.dns('*.foo.ck')]) }));
  v.push(vec({ id: `${w}/idn-tld`, group: w, rule: wr, host: 'xn--90a3ac.xn--p1ai', hostMatch: false, expect: 'rejected', code: 'web-pki', ruleId: 'wildcard-public-suffix', ...s([gn.dns('*.xn--p1ai')]) }));
  v.push(vec({ id: `${w}/tld`, group: w, rule: wr, host: 'example.com', hostMatch: false, expect: 'rejected', code: 'web-pki', ruleId: 'wildcard-public-suffix', ...s([gn.dns('*.com')]) }));
  v.push(vec({ id: `${w}/multi-label-suffix`, group: w, rule: wr, host: 'example.co.uk', hostMatch: false, expect: 'rejected', code: 'web-pki', ruleId: 'wildcard-public-suffix', ...s([gn.dns('*.co.uk')]) }));
  return v;
}

/** RFC 6125 §6.4 as browsers apply it, on otherwise valid chains: only the host-name check differs. */
function hostVectors(): X509Vector[] {
  const v: X509Vector[] = [];
  const g = 'webpki/hostname';
  const rule = 'RFC 6125 §6.4; RFC 9525 §6.3';
  const c = (o: CertOpts) => served(chain({ leaf: o }));
  const yes = (id: string, host: string, x: ReturnType<typeof c>) => v.push(vec({ id: `${g}/${id}`, group: g, rule, host, hostMatch: true, expect: 'trusted', ...x }));
  const no = (id: string, host: string, x: ReturnType<typeof c>) => v.push(vec({ id: `${g}/${id}`, group: g, rule, host, hostMatch: false, expect: 'rejected', ...x }));
  yes('exact', 'example.com', c({}));
  yes('san-case', 'example.com', c({ names: ['EXAMPLE.com'] }));
  yes('host-case', 'EXAMPLE.Com', c({}));
  yes('host-trailing-dot', 'example.com.', c({}));
  yes('wildcard-one-label', 'foo.example.com', c({ names: ['*.example.com'] }));
  yes('ipv4', '127.0.0.1', c({ ips: ['127.0.0.1'] }));
  yes('ipv6', '::1', c({ ips: ['::1'] }));
  yes('ipv6-host-spelling', '0:0:0:0:0:0:0:1', c({ ips: ['::1'] }));
  no('other-domain', 'example2.com', c({}));
  no('other-subdomain', 'def.example.com', c({ names: ['abc.example.com'] }));
  no('subdomain-of-apex', 'abc.example.com', c({}));
  no('apex-of-subdomain', 'example.com', c({ names: ['abc.example.com'] }));
  no('wildcard-two-labels', 'foo.bar.example.com', c({ names: ['*.example.com'] }));
  no('wildcard-apex', 'example.com', c({ names: ['*.example.com'] }));
  no('dns-host-ip-san', 'example.com', c({ ips: ['192.0.2.1'] }));
  no('ip-host-dns-san', '192.0.2.1', c({}));
  no('other-ip', '127.0.0.2', c({ ips: ['127.0.0.1'] }));
  no('u-label-host', 'bücher.example.com', c({ names: ['xn--bcher-kva.example.com'] }));
  // No CN fallback: a leaf without a SAN names no host (and is refused by the profile).
  v.push(vec({ id: `${g}/cn-only`, group: g, rule, hostMatch: false, expect: 'rejected', code: 'web-pki', ruleId: 'san-present', ...c({ cn: 'example.com', san: null }) }));
  return v;
}
