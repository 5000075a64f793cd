// RFC 5280 structure and §6 processing: names, extensions (presence, criticality, encoding),
// versions, serials, validity, AKI/SKI, basic constraints, key usage, policies.
import { chain, dn, ext, gn, ica, key, leaf, root, ROOT_NAME, served, vec, type X509Vector } from './x509-pki.js';
import { extension, generalizedTime, oid, seq, SIG_OID, tlv, utcTime } from './x509-raw.js';

/** A private-arc OID no validator knows. */
export const UNKNOWN_EXT = '1.3.6.1.4.1.59999.7.1';
const P1 = '1.3.6.1.4.1.59999.1.1';
const P2 = '1.3.6.1.4.1.59999.1.2';
const ANY = '2.5.29.32.0';

export function rfc5280Vectors(): X509Vector[] {
  const v: X509Vector[] = [];
  const ok = chain();

  // --- names (§4.1.2.4, §4.1.2.6)
  {
    const g = 'rfc5280/issuer-name';
    const rule = 'RFC 5280 §4.1.2.4';
    v.push(vec({ id: `${g}/non-empty`, group: g, rule, expect: 'trusted', ...served(ok) }));
    const l = leaf(ok.ica, { issuer: dn() });
    v.push(vec({ id: `${g}/leaf-empty-issuer`, group: g, rule, expect: 'rejected', code: 'malformed', ruleId: 'issuer-name', served: [l.der, ok.ica.der], anchors: ok.anchors }));
  }
  {
    const g = 'rfc5280/ca-subject';
    const rule = 'RFC 5280 §4.1.2.6';
    v.push(vec({ id: `${g}/non-empty`, group: g, rule, expect: 'trusted', ...served(ok) }));
    const c = chain({ root: { subject: dn() } });
    v.push(vec({ id: `${g}/root-empty-subject`, group: g, rule, expect: 'rejected', code: 'malformed', ruleId: 'ca-subject', ...served(c) }));
    const i = chain({ ica: { subject: dn() } });
    v.push(vec({ id: `${g}/ica-empty-subject`, group: g, rule, expect: 'rejected', code: 'malformed', ruleId: 'ca-subject', ...served(i) }));
  }

  // --- unknown critical extensions (§4.2, §6.1.4 (o), §6.1.5 (f))
  {
    const g = 'rfc5280/critical-extension';
    const rule = 'RFC 5280 §4.2, §6.1.4 (o)';
    const unknown = (critical: boolean) => extension(UNKNOWN_EXT, critical, Buffer.alloc(0));
    v.push(vec({ id: `${g}/leaf-non-critical`, group: g, rule, expect: 'trusted', ...served(chain({ leaf: { extra: [unknown(false)] } })) }));
    v.push(vec({ id: `${g}/leaf-critical`, group: g, rule, expect: 'rejected', code: 'critical-extension', ...served(chain({ leaf: { extra: [unknown(true)] } })) }));
    // critical TRUE as 0x01 is BER, not DER (X.690 §11.1): Chrome's and Firefox's parsers refuse it.
    const berTrue = seq(oid('2.5.29.15'), Buffer.from([1, 1, 1]), Buffer.from([4, 4, 3, 2, 7, 0x80]));
    v.push(vec({ id: `${g}/leaf-critical-true-not-ff`, group: g, rule: 'RFC 5280 §4.1; X.690 §11.1', expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { ku: berTrue } })) }));
    // critical FALSE written out (DER omits the default): tolerated, with a note.
    const explicitFalse = seq(oid(UNKNOWN_EXT), Buffer.from([1, 1, 0]), Buffer.from([4, 0]));
    v.push(vec({ id: `${g}/leaf-explicit-false`, group: g, rule, expect: 'trusted', note: 'der-encoding', ...served(chain({ leaf: { extra: [explicitFalse] } })) }));
    v.push(vec({ id: `${g}/ica-critical`, group: g, rule, expect: 'rejected', code: 'critical-extension', ...served(chain({ ica: { extra: [unknown(true)] } })) }));
    v.push(vec({ id: `${g}/root-critical`, group: g, rule, expect: 'rejected', code: 'critical-extension', ...served(chain({ root: { extra: [unknown(true)] } })) }));
    // Off the path, a certificate with an unknown critical extension changes nothing.
    const otherRoot = root({ key: key('p256', 'other-root'), subject: dn(['CN', 'Unrelated Root']), extra: [unknown(true)] });
    v.push(vec({ id: `${g}/unrelated-anchor-critical`, group: g, rule, expect: 'trusted', served: ok.served, anchors: [otherRoot.der, ...ok.anchors] }));
    const otherIca = ica(ok.root, { key: key('p256', 'other-ica'), subject: dn(['CN', 'Unrelated ICA']), extra: [unknown(true)] });
    v.push(vec({ id: `${g}/unrelated-ica-critical`, group: g, rule, expect: 'trusted', served: [...ok.served, otherIca.der], anchors: ok.anchors }));
  }

  // --- the path must end at an anchor (§6.1): a self-signed certificate in the pool is not one
  {
    const g = 'rfc5280/anchor';
    const rule = 'RFC 5280 §6.1';
    const other = root({ key: key('p256', 'other-root'), subject: dn(['CN', 'Unrelated Root']) });
    v.push(vec({ id: `${g}/root-trusted`, group: g, rule, expect: 'trusted', served: [...ok.served, ok.root.der], anchors: ok.anchors }));
    v.push(vec({ id: `${g}/root-only-served`, group: g, rule, expect: 'rejected', code: 'unknown-issuer', served: [...ok.served, ok.root.der], anchors: [other.der] }));
    v.push(vec({ id: `${g}/no-anchors`, group: g, rule, expect: 'rejected', code: 'unknown-issuer', served: ok.served, anchors: [] }));
  }
  {
    // An anchor need not be self-signed (the intermediate as anchor), but as a non-self-signed
    // certificate it must carry an AKI (§4.2.1.1).
    const g = 'rfc5280/intermediate-anchor';
    const rule = 'RFC 5280 §4.2.1.1, §6.1';
    v.push(vec({ id: `${g}/ica-anchor`, group: g, rule, expect: 'trusted', served: [ok.leaf.der, ok.root.der], anchors: [ok.ica.der] }));
    const c = chain({ ica: { aki: null } });
    v.push(vec({ id: `${g}/ica-anchor-without-aki`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'aki-present', served: [c.leaf.der], anchors: [c.ica.der] }));
  }

  // --- basic constraints (§4.2.1.9, §6.1.4 (k))
  {
    const g = 'rfc5280/basic-constraints';
    const rule = 'RFC 5280 §4.2.1.9, §6.1.4 (k)';
    v.push(vec({ id: `${g}/ca-critical`, group: g, rule, expect: 'trusted', ...served(ok) }));
    v.push(vec({ id: `${g}/ica-ca-false`, group: g, rule, expect: 'rejected', code: 'not-a-ca', ...served(chain({ ica: { bc: ext.basicConstraints(false) } })) }));
    v.push(vec({ id: `${g}/ica-missing`, group: g, rule, expect: 'rejected', code: 'not-a-ca', ...served(chain({ ica: { bc: null } })) }));
    v.push(vec({ id: `${g}/root-missing`, group: g, rule, expect: 'rejected', code: 'not-a-ca', ...served(chain({ root: { bc: null } })) }));
    v.push(vec({ id: `${g}/root-non-critical`, group: g, rule, expect: 'rejected', code: 'not-a-ca', ruleId: 'basic-constraints-critical', ...served(chain({ root: { bc: ext.basicConstraints(true, undefined, false) } })) }));
    v.push(vec({ id: `${g}/ica-non-critical`, group: g, rule, expect: 'rejected', code: 'not-a-ca', ruleId: 'basic-constraints-critical', ...served(chain({ ica: { bc: ext.basicConstraints(true, undefined, false) } })) }));
    v.push(vec({ id: `${g}/leaf-ca-false`, group: g, rule, expect: 'trusted', ...served(chain({ leaf: { bc: ext.basicConstraints(false) } })) }));
    v.push(vec({ id: `${g}/ica-negative-pathlen`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ ica: { bc: extension('2.5.29.19', true, seq(Buffer.from([1, 1, 0xff]), Buffer.from([2, 1, 0xff]))) } })) }));
    // DER: TRUE is 0xFF (X.690 §11.1); browsers' DER parsers refuse any other non-zero octet.
    v.push(vec({ id: `${g}/ica-ca-true-not-ff`, group: g, rule: 'RFC 5280 §4.1; X.690 §11.1', expect: 'rejected', code: 'malformed', ...served(chain({ ica: { bc: extension('2.5.29.19', true, seq(Buffer.from([1, 1, 0x01]))) } })) }));
    // "CAs MUST NOT include the pathLenConstraint field unless the cA boolean is asserted."
    v.push(vec({ id: `${g}/leaf-pathlen-without-ca`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { bc: ext.basicConstraints(false, 0) } })) }));
  }

  // --- key usage (§4.2.1.3, §6.1.4 (n))
  {
    const g = 'rfc5280/key-usage';
    const rule = 'RFC 5280 §4.2.1.3, §6.1.4 (n)';
    v.push(vec({ id: `${g}/ca-keycertsign`, group: g, rule, expect: 'trusted', ...served(ok) }));
    v.push(vec({ id: `${g}/leaf-without-ku`, group: g, rule, expect: 'trusted', ...served(chain({ leaf: { ku: null } })) }));
    // A CA without a KeyUsage extension: RFC 5280 and BR §7.1.2.10.7 want one, browsers accept its absence.
    v.push(vec({ id: `${g}/ica-without-ku`, group: g, rule, expect: 'trusted', ...served(chain({ ica: { ku: null } })) }));
    v.push(vec({ id: `${g}/ica-without-keycertsign`, group: g, rule, expect: 'rejected', code: 'key-usage', ...served(chain({ ica: { ku: ext.keyUsage(['digitalSignature', 'cRLSign']) } })) }));
    v.push(vec({ id: `${g}/root-without-keycertsign`, group: g, rule, expect: 'rejected', code: 'key-usage', ...served(chain({ root: { ku: ext.keyUsage(['cRLSign']) } })) }));
    v.push(vec({ id: `${g}/root-no-bits`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ root: { ku: ext.keyUsage([], false) } })) }));
    // Bits past the named ones (in the unused-bits padding) must be zero (X.690 §11.2.1).
    v.push(vec({ id: `${g}/leaf-padding-bits-set`, group: g, rule: 'RFC 5280 §4.1; X.690 §11.2.1', expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { ku: extension('2.5.29.15', true, Buffer.from([3, 2, 7, 0x81])) } })) }));
    v.push(vec({ id: `${g}/leaf-no-bits`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { key: key('rsa2048', 'leaf'), ku: ext.keyUsage([]) } })) }));
    const kcs = chain({ leaf: { bc: ext.basicConstraints(false), ku: ext.keyUsage(['digitalSignature', 'keyCertSign']) } });
    v.push(vec({ id: `${g}/leaf-keycertsign-no-bc`, group: g, rule: 'RFC 5280 §4.2.1.3; CA/B Forum BR §7.1.2.7.11', expect: 'rejected', code: 'leaf-is-ca', ruleId: 'leaf-ca', ...served(chain({ leaf: { ku: ext.keyUsage(['digitalSignature', 'keyCertSign']) } })) }));
    v.push(vec({ id: `${g}/leaf-keycertsign`, group: g, rule: 'RFC 5280 §4.2.1.9; CA/B Forum BR §7.1.2.7.11', expect: 'rejected', code: 'leaf-is-ca', ruleId: 'leaf-ca', ...served(kcs) }));
  }

  // --- authority information access (§4.2.2.1)
  {
    const g = 'rfc5280/aia';
    const rule = 'RFC 5280 §4.2.2.1';
    const aia = (critical: boolean) => ext.authorityInfoAccess([['1.3.6.1.5.5.7.48.2', gn.dns('example.com')]], critical);
    v.push(vec({ id: `${g}/non-critical`, group: g, rule, expect: 'trusted', ...served(chain({ leaf: { extra: [aia(false)] } })) }));
    v.push(vec({ id: `${g}/uri`, group: g, rule, expect: 'trusted', ...served(chain({ leaf: { extra: [ext.authorityInfoAccess([['1.3.6.1.5.5.7.48.2', gn.uri('http://ca.example/ica.der')]])] } })) }));
    v.push(vec({ id: `${g}/critical`, group: g, rule, expect: 'rejected', code: 'malformed', ruleId: 'must-be-non-critical', ...served(chain({ leaf: { extra: [aia(true)] } })) }));
    const raw = extension('1.3.6.1.5.5.7.1.1', false, Buffer.from('malformed'));
    v.push(vec({ id: `${g}/not-der`, group: g, rule: 'RFC 5280 §4.2.2.1; CA/B Forum BR §7.1.2.7.7', expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { extra: [raw] } })) }));
    v.push(vec({ id: `${g}/empty`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { extra: [extension('1.3.6.1.5.5.7.1.1', false, seq())] } })) }));
  }

  // --- one instance per extension (§4.2)
  {
    const g = 'rfc5280/duplicate-extension';
    const rule = 'RFC 5280 §4.2';
    const san = ext.subjectAltName([gn.dns('example.com')]);
    v.push(vec({ id: `${g}/san-once`, group: g, rule, expect: 'trusted', ...served(chain({ leaf: { san } })) }));
    v.push(vec({ id: `${g}/san-twice`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { san, extra: [san] } })) }));
    v.push(vec({ id: `${g}/ica-bc-twice`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ ica: { extra: [ext.basicConstraints(true)] } })) }));
  }

  // --- signatureAlgorithm equals tbsCertificate.signature (§4.1.1.2)
  {
    const g = 'rfc5280/signature-algorithm';
    const rule = 'RFC 5280 §4.1.1.2';
    v.push(vec({ id: `${g}/equal`, group: g, rule, expect: 'trusted', ...served(ok) }));
    const mismatch = { innerAlg: seq(oid(SIG_OID.ecdsaSha256)), outerAlg: seq(oid(SIG_OID.ecdsaSha384)), outerHash: 'sha384' as const };
    v.push(vec({ id: `${g}/leaf-mismatch`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: mismatch })) }));
    v.push(vec({ id: `${g}/root-mismatch`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ root: mismatch })) }));
    // RFC 5758 §3.2: ECDSA AlgorithmIdentifiers have no parameters (not even NULL).
    const withNull = seq(oid(SIG_OID.ecdsaSha256), Buffer.from([5, 0]));
    v.push(vec({ id: `${g}/ecdsa-null-params`, group: g, rule: 'RFC 5758 §3.2', expect: 'rejected', code: 'bad-signature', ...served(chain({ leaf: { outerAlg: withNull, outerHash: 'sha256' } })) }));
    const r = root({ key: key('rsa2048', 'root') });
    const rsaIca = ica(r);
    const sameSha384 = ica(r, { hash: 'sha384' });
    const rsaMismatch = ica(r, { innerAlg: seq(oid(SIG_OID.rsaSha256), Buffer.from([5, 0])), outerAlg: seq(oid(SIG_OID.rsaSha384), Buffer.from([5, 0])), outerHash: 'sha384' });
    const l = (i: typeof rsaIca) => leaf(i);
    v.push(vec({ id: `${g}/rsa-equal`, group: g, rule, expect: 'trusted', served: [l(rsaIca).der, rsaIca.der], anchors: [r.der] }));
    v.push(vec({ id: `${g}/rsa-sha384-equal`, group: g, rule, expect: 'trusted', served: [l(sameSha384).der, sameSha384.der], anchors: [r.der] }));
    v.push(vec({ id: `${g}/rsa-ica-mismatch`, group: g, rule, expect: 'rejected', code: 'malformed', served: [l(rsaMismatch).der, rsaMismatch.der], anchors: [r.der] }));
  }

  // --- version (§4.1.2.1; CA/B Forum BR §7.1.1)
  {
    const g = 'rfc5280/version';
    const rule = 'RFC 5280 §4.1.2.1; CA/B Forum BR §7.1.1';
    v.push(vec({ id: `${g}/v3`, group: g, rule, expect: 'trusted', ...served(ok) }));
    v.push(vec({ id: `${g}/leaf-v1-no-extensions`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'version', ...served(chain({ leaf: { version: 1, extensions: null } })) }));
    v.push(vec({ id: `${g}/leaf-v1-with-extensions`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { version: 1 } })) }));
    v.push(vec({ id: `${g}/leaf-v2-with-extensions`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { version: 2 } })) }));
    v.push(vec({ id: `${g}/leaf-explicit-v1-with-extensions`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { version: 'explicit-v1' } })) }));
    v.push(vec({ id: `${g}/leaf-v3-empty-extensions`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { extensions: [] } })) }));
  }

  // --- authority and subject key identifiers (§4.2.1.1, §4.2.1.2)
  {
    const g = 'rfc5280/aki';
    const rule = 'RFC 5280 §4.2.1.1';
    v.push(vec({ id: `${g}/present-below-root`, group: g, rule, expect: 'trusted', ...served(ok) }));
    v.push(vec({ id: `${g}/leaf-missing`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'aki-present', ...served(chain({ leaf: { aki: null } })) }));
    v.push(vec({ id: `${g}/ica-missing`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'aki-present', ...served(chain({ ica: { aki: null } })) }));
    const issuerSerial = ext.authorityKeyId({ issuer: [gn.dir(ROOT_NAME)], serial: Buffer.from([1]) });
    v.push(vec({ id: `${g}/leaf-issuer-serial-only`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'aki-present', ...served(chain({ leaf: { aki: issuerSerial } })) }));
    const crit = (k: Buffer) => ext.authorityKeyId({ keyId: k }, true);
    v.push(vec({ id: `${g}/leaf-critical`, group: g, rule, expect: 'rejected', code: 'malformed', ruleId: 'aki-critical', ...served(chain({ leaf: { aki: crit(key('p256', 'ica').keyId) } })) }));
    v.push(vec({ id: `${g}/root-critical`, group: g, rule, expect: 'rejected', code: 'malformed', ruleId: 'aki-critical', ...served(chain({ root: { aki: crit(key('p256', 'root').keyId) } })) }));
    // Below the root an AKI only helps find the issuer: the signature decides (RFC 5280 §6 does not use it).
    v.push(vec({ id: `${g}/leaf-key-id-other`, group: g, rule, expect: 'trusted', ...served(chain({ leaf: { aki: ext.authorityKeyId({ keyId: key('p256', 'unrelated').keyId }) } })) }));
    v.push(vec({ id: `${g}/root-equal-to-ski`, group: g, rule, expect: 'trusted', ...served(chain({ root: { aki: ext.authorityKeyId({ keyId: key('p256', 'root').keyId }) } })) }));
  }
  {
    const g = 'rfc5280/ski';
    const rule = 'RFC 5280 §4.2.1.2';
    v.push(vec({ id: `${g}/present-on-cas`, group: g, rule, expect: 'trusted', ...served(ok) }));
    v.push(vec({ id: `${g}/leaf-with-ski`, group: g, rule, expect: 'trusted', ...served(chain({ leaf: { ski: ext.subjectKeyId(key('p256', 'leaf').keyId) } })) }));
    v.push(vec({ id: `${g}/root-missing`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'ski-present', ...served(chain({ root: { ski: null } })) }));
    v.push(vec({ id: `${g}/ica-missing`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'ski-present', ...served(chain({ ica: { ski: null } })) }));
    v.push(vec({ id: `${g}/ica-not-octet-string`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ ica: { ski: extension('2.5.29.14', false, seq(oid('1.2.3'))) } })) }));
    v.push(vec({ id: `${g}/root-critical`, group: g, rule, expect: 'rejected', code: 'malformed', ruleId: 'ski-critical', ...served(chain({ root: { ski: ext.subjectKeyId(key('p256', 'root').keyId, true) } })) }));
  }

  // --- policies (§4.2.1.4-§4.2.1.5, §4.2.1.11, §4.2.1.14, §6.1.3-§6.1.5)
  {
    const g = 'rfc5280/policy-constraints';
    const rule = 'RFC 5280 §4.2.1.11, §6.1.3 (f)';
    const pc = (critical = true) => ext.policyConstraints({ requireExplicitPolicy: 0 }, critical);
    const with1 = ext.certificatePolicies([P1]);
    v.push(vec({ id: `${g}/explicit-policy-carried`, group: g, rule, expect: 'trusted', ...served(chain({ ica: { policies: with1, extra: [pc()] }, leaf: { policies: with1 } })) }));
    v.push(vec({ id: `${g}/explicit-policy-other`, group: g, rule, expect: 'rejected', code: 'policy', ...served(chain({ ica: { policies: with1, extra: [pc()] }, leaf: { policies: ext.certificatePolicies([P2]) } })) }));
    v.push(vec({ id: `${g}/explicit-policy-leaf-none`, group: g, rule, expect: 'rejected', code: 'policy', ...served(chain({ ica: { policies: with1, extra: [pc()] } })) }));
    v.push(vec({ id: `${g}/non-critical`, group: g, rule: 'RFC 5280 §4.2.1.11', expect: 'rejected', code: 'malformed', ruleId: 'must-be-non-critical', ...served(chain({ ica: { policies: with1, extra: [pc(false)] }, leaf: { policies: with1 } })) }));
    v.push(vec({ id: `${g}/no-constraint-no-policies`, group: g, rule, expect: 'trusted', ...served(chain({ ica: { policies: with1 } })) }));
    // requireExplicitPolicy skip counts: the leaf is the one certificate "1" lets pass, yet the
    // wrap-up (§6.1.5 (a), (g)) still needs a valid policy; "2" lets the path end without one.
    const skip = (n: number) => chain({ ica: { policies: with1, extra: [ext.policyConstraints({ requireExplicitPolicy: n })] } });
    v.push(vec({ id: `${g}/require-after-1-leaf-none`, group: g, rule: 'RFC 5280 §6.1.4 (i), §6.1.5 (a), (g)', expect: 'rejected', code: 'policy', ...served(skip(1)) }));
    v.push(vec({ id: `${g}/require-after-2-leaf-none`, group: g, rule: 'RFC 5280 §6.1.4 (i), §6.1.5 (a), (g)', expect: 'trusted', ...served(skip(2)) }));
    const qualified = extension('2.5.29.32', false, seq(seq(oid(P1), seq(seq(oid('1.3.6.1.5.5.7.2.1'), Buffer.concat([Buffer.from([0x16, 22]), Buffer.from('https://cps.example/1/')]))))));
    v.push(vec({ id: `${g}/explicit-policy-with-qualifiers`, group: g, rule, expect: 'trusted', ...served(chain({ ica: { policies: with1, extra: [pc()] }, leaf: { policies: qualified } })) }));
    v.push(vec({ id: `${g}/policy-listed-twice`, group: g, rule: 'RFC 5280 §4.2.1.4', expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { policies: ext.certificatePolicies([P1, P1]) } })) }));
  }
  {
    const g = 'rfc5280/inhibit-any-policy';
    const rule = 'RFC 5280 §4.2.1.14, §6.1.3 (d)(2)';
    const pc = ext.policyConstraints({ requireExplicitPolicy: 0 });
    const any = ext.certificatePolicies([ANY]);
    v.push(vec({ id: `${g}/any-policy-allowed`, group: g, rule, expect: 'trusted', ...served(chain({ ica: { policies: any, extra: [pc] }, leaf: { policies: any } })) }));
    v.push(vec({ id: `${g}/any-policy-inhibited`, group: g, rule, expect: 'rejected', code: 'policy', ...served(chain({ ica: { policies: any, extra: [pc, ext.inhibitAnyPolicy(0)] }, leaf: { policies: any } })) }));
    v.push(vec({ id: `${g}/explicit-under-inhibited-any`, group: g, rule, expect: 'trusted', ...served(chain({ ica: { policies: any, extra: [pc, ext.inhibitAnyPolicy(0)] }, leaf: { policies: ext.certificatePolicies([P1]) } })) }));
    v.push(vec({ id: `${g}/non-critical`, group: g, rule: 'RFC 5280 §4.2.1.14', expect: 'rejected', code: 'malformed', ruleId: 'must-be-non-critical', ...served(chain({ ica: { policies: any, extra: [ext.inhibitAnyPolicy(1, false)] } })) }));
  }
  {
    const g = 'rfc5280/policy-mappings';
    const rule = 'RFC 5280 §4.2.1.5, §6.1.4 (a)-(b)';
    const pc = ext.policyConstraints({ requireExplicitPolicy: 0 });
    const mapped = (pairs: Array<[string, string]>) => chain({ ica: { policies: ext.certificatePolicies([P1]), extra: [pc, ext.policyMappings(pairs)] }, leaf: { policies: ext.certificatePolicies([P2]) } });
    v.push(vec({ id: `${g}/mapped`, group: g, rule, expect: 'trusted', ...served(mapped([[P1, P2]])) }));
    v.push(vec({ id: `${g}/to-any-policy`, group: g, rule, expect: 'rejected', code: 'policy', ...served(mapped([[P1, ANY]])) }));
    v.push(vec({ id: `${g}/from-any-policy`, group: g, rule, expect: 'rejected', code: 'policy', ...served(mapped([[ANY, P2]])) }));
    // After P1 → P2 the leaf must assert P2: the issuer-domain policy no longer applies below.
    const unmapped = chain({ ica: { policies: ext.certificatePolicies([P1]), extra: [pc, ext.policyMappings([[P1, P2]])] }, leaf: { policies: ext.certificatePolicies([P1]) } });
    v.push(vec({ id: `${g}/leaf-asserts-issuer-domain-policy`, group: g, rule, expect: 'rejected', code: 'policy', ...served(unmapped) }));
    // A CA above inhibits mapping: the mapped policy no longer reaches the leaf.
    const r = root();
    const top = (inhibit: boolean) =>
      ica(r, { key: key('p256', 'ica-top'), subject: dn(['CN', 'Vector ICA top']), policies: ext.certificatePolicies([ANY]), extra: [ext.policyConstraints({ requireExplicitPolicy: 0, ...(inhibit ? { inhibitPolicyMapping: 0 } : {}) })] });
    for (const inhibit of [false, true]) {
      const t = top(inhibit);
      const i = ica(t, { policies: ext.certificatePolicies([P1]), extra: [ext.policyMappings([[P1, P2]])] });
      const l = leaf(i, { policies: ext.certificatePolicies([P2]) });
      v.push(vec({ id: `${g}/${inhibit ? 'inhibited-above' : 'allowed-above'}`, group: g, rule: 'RFC 5280 §4.2.1.11, §6.1.4 (b)(2)', expect: inhibit ? 'rejected' : 'trusted', ...(inhibit ? { code: 'policy' as const } : {}), served: [l.der, i.der, t.der], anchors: [r.der] }));
    }
  }

  // --- subjectAltName structure (§4.2.1.6)
  {
    const g = 'rfc5280/san';
    const rule = 'RFC 5280 §4.2.1.6';
    v.push(vec({ id: `${g}/well-formed`, group: g, rule, expect: 'trusted', ...served(ok) }));
    v.push(vec({ id: `${g}/not-der`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { san: extension('2.5.29.17', false, Buffer.from('example.com')) } })) }));
    v.push(vec({ id: `${g}/trailing-bytes`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { san: extension('2.5.29.17', false, Buffer.concat([seq(gn.dns('example.com')), Buffer.from([0])])) } })) }));
    v.push(vec({ id: `${g}/empty-sequence`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { san: extension('2.5.29.17', false, seq()) } })) }));
    v.push(vec({ id: `${g}/empty-subject-critical`, group: g, rule, expect: 'trusted', ...served(chain({ leaf: { subject: dn(), san: ext.subjectAltName([gn.dns('example.com')], true) } })) }));
    v.push(vec({ id: `${g}/empty-subject-non-critical`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'san-critical', ...served(chain({ leaf: { subject: dn() } })) }));
    v.push(vec({ id: `${g}/subject-with-critical-san`, group: g, rule: 'CA/B Forum BR §7.1.2.7.12', expect: 'rejected', code: 'web-pki', ruleId: 'san-critical', ...served(chain({ leaf: { san: ext.subjectAltName([gn.dns('example.com')], true) } })) }));
    v.push(vec({ id: `${g}/missing`, group: g, rule: 'CA/B Forum BR §7.1.2.7.12', expect: 'rejected', code: 'web-pki', ruleId: 'san-present', ...served(chain({ leaf: { san: null } })) }));
  }

  // --- serial numbers (§4.1.2.2)
  {
    const g = 'rfc5280/serial';
    const rule = 'RFC 5280 §4.1.2.2';
    const s = (hex: string) => chain({ leaf: { serial: Buffer.from(hex, 'hex') } });
    v.push(vec({ id: `${g}/one-octet`, group: g, rule, expect: 'trusted', ...served(s('01')) }));
    v.push(vec({ id: `${g}/20-octets`, group: g, rule, expect: 'trusted', ...served(s('7f'.padEnd(40, 'a'))) }));
    v.push(vec({ id: `${g}/20-octets-sign-byte`, group: g, rule, expect: 'trusted', ...served(s(`00${'ff'.padEnd(40, 'a')}`)) }));
    v.push(vec({ id: `${g}/non-minimal`, group: g, rule, expect: 'trusted', note: 'der-encoding', ...served(s('0001')) }));
    v.push(vec({ id: `${g}/21-octets`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'serial-number', ...served(s('7f'.padEnd(42, 'b'))) }));
    v.push(vec({ id: `${g}/22-octets`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'serial-number', ...served(s('7f'.padEnd(44, 'c'))) }));
    v.push(vec({ id: `${g}/zero`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'serial-number', ...served(s('00')) }));
    v.push(vec({ id: `${g}/negative`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'serial-number', ...served(s('ff01')) }));
    v.push(vec({ id: `${g}/ica-negative`, group: g, rule, expect: 'rejected', code: 'web-pki', ruleId: 'serial-number', ...served(chain({ ica: { serial: Buffer.from('80', 'hex') } })) }));
  }

  // --- DER (RFC 5280 §4.1, X.690 §10): one encoding per value; browsers' parsers refuse the others
  {
    const g = 'rfc5280/der';
    const rule = 'RFC 5280 §4.1; X.690 §8.1.3.5, §8.19.2, §10.1';
    v.push(vec({ id: `${g}/minimal`, group: g, rule, expect: 'trusted', ...served(ok) }));
    // basicConstraints' OID with a padded arc (55 80 1D 13): not DER, and not 2.5.29.19 to a byte-comparing parser.
    const paddedOid = seq(tlv(0x06, Buffer.from([0x55, 0x80, 0x1d, 0x13])), Buffer.from([1, 1, 0xff]), Buffer.concat([Buffer.from([4, 5]), seq(Buffer.from([1, 1, 0xff]))]));
    v.push(vec({ id: `${g}/oid-padded-arc`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ ica: { bc: paddedOid } })) }));
    // The SAN's GeneralNames with a long-form length (81 0F) where the short form fits.
    const name = gn.dns('www.example.com');
    const longLength = extension('2.5.29.17', false, Buffer.concat([Buffer.from([0x30, 0x81, name.length]), name]));
    v.push(vec({ id: `${g}/length-not-minimal`, group: g, rule, host: 'www.example.com', expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { names: ['www.example.com'], san: longLength } })) }));
  }

  // --- name chaining (§7.1): RFC 4518-prepared comparison, whatever the string type
  {
    const g = 'rfc5280/name-chaining';
    const rule = 'RFC 5280 §7.1, §6.1.3 (a)(4)';
    const printable = (s: string) => Buffer.concat([Buffer.from([0x13, s.length]), Buffer.from(s)]);
    const atv = (o: string, value: Buffer) => seq(oid(o), value);
    const set = (...a: Buffer[]) => Buffer.concat([Buffer.from([0x31, a.reduce((n, b) => n + b.length, 0)]), ...a]);
    const spelled = seq(set(atv('2.5.4.3', printable('vector  ROOT'))), set(atv('2.5.4.10', printable(' Secgrade Vectors '))));
    v.push(vec({ id: `${g}/same-bytes`, group: g, rule, expect: 'trusted', ...served(ok) }));
    v.push(vec({ id: `${g}/case-space-and-string-type`, group: g, rule, expect: 'trusted', ...served(chain({ ica: { issuer: spelled } })) }));
    v.push(vec({ id: `${g}/other-name`, group: g, rule, expect: 'rejected', code: 'unknown-issuer', ...served(chain({ ica: { issuer: dn(['CN', 'Vector Root 2'], ['O', 'secgrade vectors']) } })) }));
    v.push(vec({ id: `${g}/rdns-reordered`, group: g, rule, expect: 'rejected', code: 'unknown-issuer', ...served(chain({ ica: { issuer: dn(['O', 'secgrade vectors'], ['CN', 'Vector Root']) } })) }));
  }

  // --- undecodable non-critical extensions are still refused (a browser's parser fails on them)
  {
    const g = 'rfc5280/crl-distribution-points';
    const rule = 'RFC 5280 §4.2.1.13';
    const dp = (value: Buffer) => extension('2.5.29.31', false, value);
    const uri = tlv(0xa0, tlv(0xa0, gn.uri('http://crl.example/ica.crl')));
    v.push(vec({ id: `${g}/well-formed`, group: g, rule, expect: 'trusted', ...served(chain({ leaf: { extra: [dp(seq(seq(uri)))] } })) }));
    v.push(vec({ id: `${g}/not-der`, group: g, rule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { extra: [dp(Buffer.from('http://crl.example/'))] } })) }));
  }

  v.push(...validityVectors());
  return v;
}

/** Validity (§4.1.2.5, §6.1.3 (a)(2)) at whole-second precision, on every certificate including the anchor. */
function validityVectors(): X509Vector[] {
  const v: X509Vector[] = [];
  const g = 'rfc5280/validity';
  const rule = 'RFC 5280 §4.1.2.5, §6.1.3 (a)(2)';
  const t0 = new Date('2024-03-01T00:00:00Z');
  const t1 = new Date('2024-04-01T00:00:00Z');
  const all = (nb: Date, na: Date) => chain({ root: { notBefore: nb, notAfter: na }, ica: { notBefore: nb, notAfter: na }, leaf: { notBefore: nb, notAfter: na } });
  const exact = all(t0, t1);
  v.push(vec({ id: `${g}/notbefore-exact`, group: g, rule, expect: 'trusted', ...served(exact), now: t0 }));
  v.push(vec({ id: `${g}/notafter-exact`, group: g, rule, expect: 'trusted', ...served(exact), now: t1 }));
  v.push(vec({ id: `${g}/notafter-fractional`, group: g, rule, expect: 'trusted', ...served(exact), now: new Date(t1.getTime() + 5) }));
  v.push(vec({ id: `${g}/notafter-plus-one-second`, group: g, rule, expect: 'rejected', code: 'expired', ...served(exact), now: new Date(t1.getTime() + 1000) }));
  const late = all(new Date(t0.getTime() + 1000), t1);
  v.push(vec({ id: `${g}/notbefore-fractional`, group: g, rule, expect: 'rejected', code: 'not-yet-valid', ...served(late), now: new Date(t0.getTime() + 999) }));
  v.push(vec({ id: `${g}/notbefore-minus-one-second`, group: g, rule, expect: 'rejected', code: 'not-yet-valid', ...served(exact), now: new Date(t0.getTime() - 1000) }));

  const when = new Date('2022-01-01T00:00:00Z');
  const span = (a: string, b: string) => ({ notBefore: new Date(`${a}-01-01T00:00:00Z`), notAfter: new Date(`${b}-01-01T00:00:00Z`) });
  const dated = (r: [string, string], i: [string, string], l: [string, string]) => chain({ root: span(...r), ica: span(...i), leaf: span(...l) });
  v.push(vec({ id: `${g}/all-current`, group: g, rule, expect: 'trusted', ...served(dated(['2016', '2026'], ['2016', '2026'], ['2018', '2023'])), now: when }));
  v.push(vec({ id: `${g}/expired-root`, group: g, rule, expect: 'rejected', code: 'expired', ...served(dated(['2016', '2020'], ['2016', '2026'], ['2018', '2023'])), now: when }));
  const mozillaExpired = dated(['2016', '2020'], ['2016', '2026'], ['2018', '2023']);
  v.push(vec({ id: `${g}/expired-vetted-root`, group: g, rule, expect: 'rejected', code: 'expired', ...served(mozillaExpired), anchorSource: 'mozilla', now: when }));
  v.push(vec({ id: `${g}/expired-intermediate`, group: g, rule, expect: 'rejected', code: 'expired', ...served(dated(['2016', '2026'], ['2016', '2020'], ['2018', '2023'])), now: when }));
  v.push(vec({ id: `${g}/expired-leaf`, group: g, rule, expect: 'rejected', code: 'expired', ...served(dated(['2016', '2026'], ['2016', '2026'], ['2018', '2021'])), now: when }));
  v.push(vec({ id: `${g}/future-leaf`, group: g, rule, expect: 'rejected', code: 'not-yet-valid', ...served(dated(['2016', '2026'], ['2016', '2026'], ['2023', '2024'])), now: when }));

  // Encodings: GeneralizedTime before 2050 is tolerated (a note); a time that is not a time is malformed.
  const enc = 'rfc5280/validity-encoding';
  const encRule = 'RFC 5280 §4.1.2.5.1-§4.1.2.5.2';
  v.push(vec({ id: `${enc}/utctime`, group: enc, rule: encRule, expect: 'trusted', ...served(chain({ leaf: { notBefore: utcTime(new Date('2025-01-01T00:00:00Z')) } })) }));
  v.push(vec({ id: `${enc}/generalizedtime-2049`, group: enc, rule: encRule, expect: 'trusted', note: 'der-encoding', ...served(chain({ leaf: { notBefore: generalizedTime(new Date('2025-01-01T00:00:00Z')) } })) }));
  v.push(vec({ id: `${enc}/generalizedtime-2050`, group: enc, rule: encRule, expect: 'trusted', ...served(chain({ root: { notAfter: new Date('2050-01-01T00:00:00Z') } })) }));
  const bad = (s: string, tag = 0x17) => Buffer.concat([Buffer.from([tag, s.length]), Buffer.from(s)]);
  v.push(vec({ id: `${enc}/utctime-without-seconds`, group: enc, rule: encRule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { notBefore: bad('2501010000Z') } })) }));
  v.push(vec({ id: `${enc}/utctime-with-offset`, group: enc, rule: encRule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { notBefore: bad('250101000000+0100') } })) }));
  v.push(vec({ id: `${enc}/generalizedtime-fraction`, group: enc, rule: encRule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { notBefore: bad('20250101000000.5Z', 0x18) } })) }));
  // A date must exist: no 29 February outside leap years, no 31st in a 30-day month.
  v.push(vec({ id: `${enc}/february-29-leap-year`, group: enc, rule: encRule, expect: 'trusted', ...served(chain({ leaf: { notBefore: bad('240229000000Z') } })) }));
  v.push(vec({ id: `${enc}/february-29-common-year`, group: enc, rule: encRule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { notBefore: bad('250229000000Z') } })) }));
  v.push(vec({ id: `${enc}/april-31`, group: enc, rule: encRule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { notBefore: bad('250431000000Z') } })) }));
  v.push(vec({ id: `${enc}/month-13`, group: enc, rule: encRule, expect: 'rejected', code: 'malformed', ...served(chain({ leaf: { notBefore: bad('251301000000Z') } })) }));
  return v;
}
