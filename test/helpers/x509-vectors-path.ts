// Path building and the path-level rules: pathLenConstraint (self-issued certificates not counted),
// alternatives (cross-signs, expired alternatives, constraints forcing another route), cycles,
// signatures, incomplete chains, depth; and the pathological inputs a work budget must stop.
import { chain, dn, ext, gn, ica, key, leaf, root, served, vec, type Cert, type CertOpts, type X509Vector } from './x509-pki.js';
import { bits, nul, oid, seq } from './x509-raw.js';

const name = (cn: string) => dn(['CN', cn], ['O', 'secgrade vectors']);

export function pathVectors(): X509Vector[] {
  const v: X509Vector[] = [];
  const ok = chain();

  // --- pathLenConstraint (§4.2.1.9, §6.1.4 (l)-(m))
  {
    const g = 'path/pathlen';
    const rule = 'RFC 5280 §4.2.1.9, §6.1.4 (l)-(m)';
    /** root → ICAs with these pathLen values (undefined = none) → leaf. */
    const cas = (lens: Array<number | undefined>, rootLen?: number, o: { leaf?: CertOpts; selfIssuedAt?: number } = {}) => {
      const r = root(rootLen === undefined ? {} : { bc: ext.basicConstraints(true, rootLen) });
      let parent: Cert = r;
      const pool: Buffer[] = [];
      lens.forEach((len, i) => {
        const self = o.selfIssuedAt === i;
        parent = ica(parent, { key: key('p256', `ica${i}`), subject: self ? parent.subject : name(`Vector ICA ${i}`), bc: ext.basicConstraints(true, len) });
        pool.unshift(parent.der);
      });
      return { served: [leaf(parent, o.leaf).der, ...pool], anchors: [r.der] };
    };
    const good = (id: string, x: ReturnType<typeof cas>) => v.push(vec({ id: `${g}/${id}`, group: g, rule, expect: 'trusted', ...x }));
    const bad = (id: string, x: ReturnType<typeof cas>) => v.push(vec({ id: `${g}/${id}`, group: g, rule, expect: 'rejected', code: 'path-length', ...x }));
    good('ica-0', cas([0]));
    good('ica-1', cas([1]));
    good('ica-2', cas([2]));
    good('may-increase', cas([1, 2]));
    good('root-1', cas([undefined], 1));
    bad('ica-0-with-ica-below', cas([0, 0]));
    bad('too-long', cas([1, 0, 0]));
    bad('root-0', cas([undefined], 0));
    good('root-0-issues-leaf', cas([], 0));
    // Self-issued intermediates (a key rollover) are not counted; the same chain with a new name is.
    good('self-issued-not-counted', cas([1, 1, 0], undefined, { selfIssuedAt: 1 }));
    bad('renamed-counted', cas([1, 1, 0]));
    // A CA in leaf position is refused by the web-PKI profile, whatever its pathLen says.
    const caLeaf = cas([0], undefined, { leaf: { bc: ext.basicConstraints(true, 0), ku: ext.keyUsage(['keyCertSign']), eku: null } });
    v.push(vec({ id: `${g}/ca-leaf-under-pathlen-0`, group: g, rule: 'RFC 5280 §4.2.1.9; CA/B Forum BR §7.1.2.7.8', expect: 'rejected', code: 'leaf-is-ca', ruleId: 'leaf-ca', ...caLeaf }));
  }

  // --- alternatives: an expired cross-sign next to a valid root ("chain of pain")
  {
    const g = 'path/cross-sign';
    const rule = 'RFC 5280 §6.1; RFC 4158';
    const other = root({ key: key('p256', 'root2'), subject: name('Vector Root 2') });
    const cross = ica(other, { key: key('p256', 'root'), subject: ok.root.subject, notBefore: new Date('2010-01-01T00:00:00Z'), notAfter: new Date('2020-01-01T00:00:00Z'), bc: ext.basicConstraints(true, 1) });
    v.push(vec({ id: `${g}/expired-cross-sign-bypassed`, group: g, rule, expect: 'trusted', served: [...ok.served, cross.der], anchors: [ok.root.der, other.der] }));
    v.push(vec({ id: `${g}/only-expired-cross-sign`, group: g, rule, expect: 'rejected', code: 'expired', served: [...ok.served, cross.der], anchors: [other.der] }));
    const valid = ica(other, { key: key('p256', 'root'), subject: ok.root.subject });
    // The root itself expired, but a valid root cross-signed its key: the path goes on to that root.
    const oldRoot = root({ notBefore: new Date('2000-01-01T00:00:00Z'), notAfter: new Date('2020-05-30T10:48:38Z') });
    v.push(vec({ id: `${g}/expired-anchor-cross-signed`, group: g, rule, expect: 'trusted', served: [...ok.served, valid.der], anchors: [oldRoot.der, other.der] }));
    v.push(vec({ id: `${g}/expired-anchor-only`, group: g, rule, expect: 'rejected', code: 'expired', served: ok.served, anchors: [oldRoot.der] }));
    // A renewed intermediate (same name and key) next to the expired one.
    const expiredIca = ica(ok.root, { notBefore: new Date('2015-01-01T00:00:00Z'), notAfter: new Date('2020-01-01T00:00:00Z') });
    v.push(vec({ id: `${g}/expired-and-renewed-ica`, group: g, rule, expect: 'trusted', served: [ok.leaf.der, expiredIca.der, ok.ica.der], anchors: ok.anchors }));
    v.push(vec({ id: `${g}/only-expired-ica`, group: g, rule, expect: 'rejected', code: 'expired', served: [ok.leaf.der, expiredIca.der], anchors: ok.anchors }));
    v.push(vec({ id: `${g}/valid-cross-sign`, group: g, rule, expect: 'trusted', served: [...ok.served, valid.der], anchors: [other.der] }));
  }

  // --- constraints on one route force another (backtracking)
  {
    const g = 'path/alternate-route';
    const rule = 'RFC 5280 §6.1; RFC 4158 §2.4';
    const k = key('p256', 'an-intermediate');
    const an = name('an-intermediate');
    const nc = ext.nameConstraints({ permitted: [gn.dns('permitted.example.com')], excluded: [gn.dns('forbidden.example.com')] });
    const icaA = ica(ok.root, { key: key('p256', 'ica-a'), subject: name('ICA A'), nc });
    const stray = root({ key: key('p256', 'stray-root'), subject: name('Stray Root') });
    const viaStray = ica(stray, { key: k, subject: an, san: ext.subjectAltName([gn.dns('forbidden.example.com')]) });
    const viaA = ica(icaA, { key: k, subject: an });
    const l = leaf(viaStray, { names: ['permitted.example.com'] });
    const host = 'permitted.example.com';
    v.push(vec({ id: `${g}/other-issuer-copy`, group: g, rule, host, expect: 'trusted', served: [l.der, viaStray.der, viaA.der, icaA.der], anchors: [ok.root.der] }));
    v.push(vec({ id: `${g}/only-dead-end`, group: g, rule, host, expect: 'rejected', code: 'unknown-issuer', served: [l.der, viaStray.der, icaA.der], anchors: [ok.root.der] }));
    // The first route validates as a path but breaks the constraints; a second root is another way out.
    const rootB = root({ key: key('p256', 'root-b'), subject: name('Root B') });
    const icaX = ica(ok.root, { key: key('p256', 'ica-a'), subject: name('ICA A'), nc: ext.nameConstraints({ excluded: [gn.dns('forbidden.example.com')] }) });
    const constrainedCopy = ica(icaX, { key: k, subject: an, san: ext.subjectAltName([gn.dns('forbidden.example.com')]) });
    const freeCopy = ica(rootB, { key: k, subject: an, san: ext.subjectAltName([gn.dns('unconstrained-ica.example.com')]) });
    const l2 = leaf(constrainedCopy, { names: ['unconstrained.example.com'] });
    const h2 = 'unconstrained.example.com';
    v.push(vec({ id: `${g}/backtrack-past-constraints`, group: g, rule, host: h2, expect: 'trusted', served: [l2.der, constrainedCopy.der, icaX.der, freeCopy.der], anchors: [ok.root.der, rootB.der] }));
    v.push(vec({ id: `${g}/constraints-only-route`, group: g, rule, host: h2, expect: 'rejected', code: 'name-constraints', served: [l2.der, constrainedCopy.der, icaX.der, freeCopy.der], anchors: [ok.root.der] }));
  }

  // --- cycles end, and do not hide a real way out
  {
    const g = 'path/cycle';
    const rule = 'RFC 4158 §5.2 (loop detection)';
    const k1 = key('p256', 'cycle1');
    const k2 = key('p256', 'cycle2');
    const n1 = name('cycle CA 1');
    const n2 = name('cycle CA 2');
    const fake = (subject: Buffer, k: typeof k1) => ({ der: Buffer.alloc(0), key: k, subject });
    const ca1 = ica(fake(n2, k2), { key: k1, subject: n1 });
    const ca2 = ica(fake(n1, k1), { key: k2, subject: n2 });
    const l = leaf(ca1);
    v.push(vec({ id: `${g}/distinct-cas`, group: g, rule, expect: 'rejected', code: 'unknown-issuer', served: [l.der, ca1.der, ca2.der], anchors: ok.anchors }));
    const exit = ica(ok.root, { key: k1, subject: n1 });
    v.push(vec({ id: `${g}/distinct-cas-with-exit`, group: g, rule, expect: 'trusted', served: [l.der, ca1.der, ca2.der, exit.der], anchors: ok.anchors }));
    const same = name('cycle same CA');
    const s1 = ica(fake(same, k2), { key: k1, subject: same, ku: null });
    const s2 = ica(fake(same, k1), { key: k2, subject: same, ku: null });
    v.push(vec({ id: `${g}/same-name`, group: g, rule, expect: 'rejected', code: 'unknown-issuer', served: [leaf(s1).der, s1.der, s2.der], anchors: ok.anchors }));
  }

  // --- cross-sign mesh with an anchor that is self-signed but not self-issued (GnuTLS CVE-2024-0567)
  {
    const g = 'path/cross-sign-mesh';
    const rule = 'RFC 5280 §6.1; RFC 4158';
    const ka = key('p256', 'mesh-a');
    const kb = key('p256', 'mesh-b');
    const kc = key('p256', 'mesh-c');
    const [na, nb, nc] = [name('Root A'), name('Root B'), name('Root C')];
    const rootA = root({ key: ka, subject: na, issuer: name('Another Name'), aki: ext.authorityKeyId({ keyId: ka.keyId }) });
    const as = (k: typeof ka, n: Buffer) => ({ der: Buffer.alloc(0), key: k, subject: n });
    const A = as(ka, na);
    const B = as(kb, nb);
    const C = as(kc, nc);
    const a1 = ica(A, { key: key('p256', 'mesh-a1'), subject: name('A1') });
    const pool = [
      a1,
      ica(B, { key: ka, subject: na }),
      ica(C, { key: ka, subject: na }),
      ica(B, { key: key('p256', 'mesh-b1'), subject: name('B1') }),
      ica(A, { key: kb, subject: nb }),
      ica(C, { key: kb, subject: nb }),
      ica(C, { key: key('p256', 'mesh-c1'), subject: name('C1') }),
      ica(A, { key: kc, subject: nc }),
      ica(B, { key: kc, subject: nc }),
    ].map((c) => c.der);
    const l = leaf(a1, { subject: dn(), names: ['cve-2024-0567.example.com'], san: ext.subjectAltName([gn.dns('cve-2024-0567.example.com')], true) });
    const host = 'cve-2024-0567.example.com';
    v.push(vec({ id: `${g}/anchor-a`, group: g, rule, host, expect: 'trusted', served: [l.der, ...pool], anchors: [rootA.der] }));
    v.push(vec({ id: `${g}/no-anchor`, group: g, rule, host, expect: 'rejected', code: 'unknown-issuer', served: [l.der, ...pool], anchors: [] }));
  }

  // --- signatures
  {
    const g = 'path/signature';
    const rule = 'RFC 5280 §6.1.3 (a)(1)';
    v.push(vec({ id: `${g}/valid`, group: g, rule, expect: 'trusted', ...served(ok) }));
    const flipped = Buffer.from(ok.leaf.der);
    flipped[flipped.length - 3]! ^= 0x01;
    v.push(vec({ id: `${g}/leaf-flipped`, group: g, rule, expect: 'rejected', code: 'bad-signature', served: [flipped, ok.ica.der], anchors: ok.anchors }));
    // Signed by an impostor key that claims the real root's name and key id.
    const impostor = ica({ der: Buffer.alloc(0), key: key('p256', 'impostor'), subject: ok.root.subject }, { aki: ext.authorityKeyId({ keyId: key('p256', 'root').keyId }) });
    v.push(vec({ id: `${g}/impostor-root-key`, group: g, rule, expect: 'rejected', code: 'bad-signature', served: [leaf(impostor).der, impostor.der], anchors: ok.anchors }));
    // An issuer whose key cannot be read at all (an RSA SPKI with an empty BIT STRING).
    const broken = { ...key('p256', 'broken'), spki: seq(seq(oid('1.2.840.113549.1.1.1'), nul()), bits(Buffer.alloc(0))) };
    const stray = root({ key: key('p256', 'stray-root'), subject: name('Stray Root') });
    const badIca = ica(stray, { key: broken });
    v.push(vec({ id: `${g}/issuer-key-unreadable`, group: g, rule, expect: 'rejected', code: 'bad-signature', served: [leaf(badIca).der, badIca.der], anchors: ok.anchors }));
  }

  // --- incomplete chains and what a server may add
  {
    const g = 'path/served';
    const rule = 'RFC 5280 §6.1; RFC 8446 §4.4.2';
    v.push(vec({ id: `${g}/in-order`, group: g, rule, expect: 'trusted', ...served(ok) }));
    v.push(vec({ id: `${g}/missing-intermediate`, group: g, rule, expect: 'rejected', code: 'missing-intermediate', served: [ok.leaf.der], anchors: ok.anchors }));
    v.push(vec({ id: `${g}/with-root`, group: g, rule, expect: 'trusted', served: [...ok.served, ok.root.der], anchors: ok.anchors }));
    const other = chain({ root: { key: key('p256', 'other-root'), subject: name('Other Root') }, ica: { key: key('p256', 'other-ica'), subject: name('Other ICA') } });
    v.push(vec({ id: `${g}/unrelated-extra`, group: g, rule, expect: 'trusted', served: [ok.leaf.der, other.ica.der, ok.ica.der, other.leaf.der], anchors: ok.anchors }));
    v.push(vec({ id: `${g}/intermediate-is-anchor`, group: g, rule, expect: 'trusted', served: ok.served, anchors: [ok.root.der, ok.ica.der] }));
    v.push(vec({ id: `${g}/duplicate-intermediate`, group: g, rule, expect: 'trusted', served: [ok.leaf.der, ok.ica.der, ok.ica.der], anchors: ok.anchors }));
    // A self-signed server certificate: trusted only when it is itself an anchor.
    const k = key('p256', 'pinned');
    const pinned = leaf({ der: Buffer.alloc(0), key: k, subject: dn(['CN', 'example.com']) }, { key: k });
    v.push(vec({ id: `${g}/self-signed-anchor`, group: g, rule, expect: 'trusted', served: [pinned.der], anchors: [pinned.der] }));
    v.push(vec({ id: `${g}/self-signed-not-anchor`, group: g, rule, expect: 'rejected', code: 'self-signed', served: [pinned.der], anchors: ok.anchors }));
  }

  // --- depth: at most 10 certificates, anchor included
  {
    const g = 'path/depth';
    const rule = 'secgrade path building (maxDepth 10, as browsers bound it)';
    const deep = (n: number) => {
      let parent: Cert = ok.root;
      const pool: Buffer[] = [];
      for (let i = 0; i < n; i++) {
        parent = ica(parent, { key: key('p256', `deep${i}`), subject: name(`Deep ICA ${i}`) });
        pool.push(parent.der);
      }
      return { served: [leaf(parent).der, ...pool], anchors: ok.anchors };
    };
    v.push(vec({ id: `${g}/8-intermediates`, group: g, rule, expect: 'trusted', ...deep(8) }));
    v.push(vec({ id: `${g}/9-intermediates`, group: g, rule, expect: 'rejected', code: 'path-building-limit', ...deep(9) }));
  }
  return v;
}

/** Inputs that must end within the work budget with a typed error. */
export function pathologicalVectors(): X509Vector[] {
  const v: X509Vector[] = [];
  const ok = chain();
  // 18 keys, each certified by every other under one name: 306 candidate issuers at every step.
  const meshName = name('Mesh CA');
  const keys = Array.from({ length: 18 }, (_, i) => key('p256', `mesh${i}`));
  const pool: Buffer[] = [];
  for (const subjectKey of keys) {
    for (const signer of keys) {
      if (signer !== subjectKey) pool.push(ica({ der: Buffer.alloc(0), key: signer, subject: meshName }, { key: subjectKey, subject: meshName }).der);
    }
  }
  const meshLeaf = leaf({ der: Buffer.alloc(0), key: keys[0]!, subject: meshName });
  v.push(vec({ id: 'pathological/same-name-mesh', group: 'pathological', rule: 'RFC 4158 (bounded path building)', expect: 'rejected', code: 'path-building-limit', served: [meshLeaf.der, ...pool], anchors: ok.anchors }));

  // 1024 permitted + 1024 excluded subtrees against 1024 SANs: over a million comparisons.
  const n = 1024;
  const permitted = Array.from({ length: n }, (_, i) => gn.dns(`t${i}.test`));
  const excluded = Array.from({ length: n }, (_, i) => gn.dns(`x${i}.test`));
  const dos = chain({ root: { nc: ext.nameConstraints({ permitted, excluded }) }, leaf: { names: Array.from({ length: n }, (_, i) => `t${i}.test`) } });
  v.push(vec({ id: 'pathological/name-constraints-work', group: 'pathological', rule: 'RFC 5280 §6.1.3 (b), bounded', host: 't0.test', expect: 'rejected', code: 'name-constraints', ...served(dos) }));
  return v;
}
