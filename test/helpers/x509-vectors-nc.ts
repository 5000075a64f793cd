// Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c), §6.1.4 (g)) in every name form: dNSName,
// iPAddress, rfc822Name, directoryName, URI and otherName; malformed constraints; wildcard SANs
// against constraints (Go's CVE-2025-61727); self-issued exemptions; constraints reaching later CAs.
import { chain, dn, ext, gn, ica, key, leaf, root, served, vec, type CertOpts, type X509Vector } from './x509-pki.js';
import { extension, nul, seq, tlv } from './x509-raw.js';

const RULE = 'RFC 5280 §4.2.1.10, §6.1.3 (b)-(c)';
type Nc = { permitted?: Buffer[]; excluded?: Buffer[] };
type Where = 'root' | 'ica';

/** A standard chain whose root or intermediate carries these name constraints. */
function constrained(where: Where, nc: Nc | Buffer, l: CertOpts = {}, critical = true) {
  const e = Buffer.isBuffer(nc) ? nc : ext.nameConstraints(nc, critical);
  return served(chain({ [where]: { nc: e }, leaf: l }));
}

export function ncVectors(): X509Vector[] {
  const v: X509Vector[] = [];
  type Opt = Partial<Pick<X509Vector, 'code' | 'hostMatch' | 'anchorSource' | 'note' | 'ruleId'>>;
  const add = (g: string, id: string, expect: X509Vector['expect'], host: string, x: { served: Buffer[]; anchors: Buffer[] }, o: Opt = {}, rule = RULE) =>
    v.push(vec({ id: `nc/${g}/${id}`, group: `nc/${g}`, rule, expect, host, ...(expect === 'rejected' && !o.code ? { code: 'name-constraints' as const } : {}), ...o, ...x }));

  // --- dNSName
  {
    const p = (names: string[], l: CertOpts, where: Where = 'root') => constrained(where, { permitted: names.map((n) => gn.dns(n)) }, l);
    const x = (names: string[], l: CertOpts, where: Where = 'ica') => constrained(where, { excluded: names.map((n) => gn.dns(n)) }, l);
    add('dns', 'permitted-match', 'trusted', 'example.com', p(['example.com'], {}));
    add('dns', 'permitted-more-labels', 'trusted', 'foo.bar.example.com', p(['example.com'], { names: ['foo.bar.example.com'] }));
    add('dns', 'permitted-case-insensitive', 'trusted', 'example.com', p(['EXAMPLE.Com'], {}));
    add('dns', 'permitted-second-subtree', 'trusted', 'example.com', p(['example.org', 'example.com'], {}));
    add('dns', 'permitted-mismatch', 'rejected', 'not-example.com', p(['example.com'], { names: ['not-example.com'] }));
    add('dns', 'permitted-not-label-boundary', 'rejected', 'notexample.com', p(['example.com'], { names: ['notexample.com'] }));
    add('dns', 'permitted-second-san-outside', 'rejected', 'example.com', p(['example.com'], { names: ['example.com', 'example.org'] }));
    // A CA's constraints bind the certificates below it, not itself.
    add('dns', 'not-applied-to-holder', 'trusted', 'example.com', served(chain({ ica: { nc: ext.nameConstraints({ permitted: [gn.dns('example.com')] }), san: ext.subjectAltName([gn.dns('ica.example.org')]) } })));
    // The CN is not a name the constraints apply to (the SAN is what browsers match).
    add('dns', 'cn-outside-permitted', 'trusted', 'example.com', p(['example.com'], { cn: 'other.example.org' }), { note: 'cn-not-in-san' });
    add('dns', 'excluded-other', 'trusted', 'example.com', x(['example.org'], {}));
    add('dns', 'excluded-match', 'rejected', 'example.com', x(['example.com'], {}));
    add('dns', 'excluded-case-insensitive', 'rejected', 'example.com', x(['Example.COM'], {}));
    add('dns', 'excluded-parent', 'rejected', 'www.example.com', x(['example.com'], { names: ['www.example.com'] }));
    add('dns', 'excluded-second-san', 'rejected', 'example.com', x(['not-allowed.example.com'], { names: ['example.com', 'not-allowed.example.com'] }, 'root'));
    add('dns', 'permitted-and-excluded', 'rejected', 'example.com', constrained('root', { permitted: [gn.dns('example.com')], excluded: [gn.dns('example.com')] }));
    // A root store's vetted root is exempt from the certificate profile, never from its constraints.
    add('dns', 'vetted-anchor-permitted-mismatch', 'rejected', 'not-example.com', p(['example.com'], { names: ['not-example.com'] }), { anchorSource: 'mozilla' });
    add('dns', 'vetted-anchor-permitted-match', 'trusted', 'example.com', p(['example.com'], {}), { anchorSource: 'mozilla' });
  }
  // --- criticality: the web PKI allows non-critical constraints (BR §7.1.2.10.8) and still applies them
  {
    const nc = { permitted: [gn.dns('example.com')] };
    const rule = 'RFC 5280 §4.2.1.10; CA/B Forum BR §7.1.2.10.8';
    add('critical', 'critical-match', 'trusted', 'example.com', constrained('root', nc), {}, rule);
    add('critical', 'non-critical-match', 'trusted', 'example.com', constrained('root', nc, {}, false), { note: 'name-constraints-critical' }, rule);
    add('critical', 'non-critical-mismatch', 'rejected', 'not-example.com', constrained('root', nc, { names: ['not-example.com'] }, false), {}, rule);
  }
  // --- malformed dNSName constraints: a domain, no wildcard, no leading period
  {
    const p = (base: string) => constrained('root', { permitted: [gn.dns(base)] }, { names: ['foo.example.com'] });
    add('dns-syntax', 'domain', 'trusted', 'foo.example.com', p('example.com'));
    add('dns-syntax', 'wildcard', 'rejected', 'foo.example.com', p('*.example.com'));
    add('dns-syntax', 'leading-period', 'rejected', 'foo.example.com', p('.example.com'));
    add('dns-syntax', 'underscore', 'rejected', 'foo.example.com', p('ex_ample.com'));
  }
  // --- iPAddress: address and mask, 8 or 32 octets, contiguous mask
  {
    const p = (subtrees: Buffer[], ips: string[]) => constrained('root', { permitted: subtrees }, { ips });
    const x = (subtrees: Buffer[], ips: string[]) => constrained('root', { excluded: subtrees }, { ips });
    add('ip', 'permitted-v4-match', 'trusted', '192.0.2.1', p([gn.net('192.0.2.0', 24)], ['192.0.2.1']));
    add('ip', 'permitted-v4-any', 'trusted', '192.0.2.1', p([gn.net('0.0.0.0', 0)], ['192.0.2.1']));
    add('ip', 'permitted-v4-mismatch', 'rejected', '192.0.3.1', p([gn.net('192.0.2.0', 24)], ['192.0.3.1']));
    add('ip', 'excluded-v4-match', 'rejected', '192.0.2.1', x([gn.net('192.0.2.0', 24)], ['192.0.2.1']));
    add('ip', 'excluded-v4-other', 'trusted', '192.0.3.1', x([gn.net('192.0.2.0', 24)], ['192.0.3.1']));
    add('ip', 'permitted-v6-match', 'trusted', '::1', p([gn.net('::1', 128)], ['::1']));
    add('ip', 'permitted-v6-prefix', 'trusted', '2001:db8::5', p([gn.net('2001:db8::', 32)], ['2001:db8::5']));
    add('ip', 'excluded-v6-match', 'rejected', '::1', x([gn.net('::1', 128)], ['::1']));
    add('ip', 'permitted-v4-only-v6-san', 'rejected', '::1', p([gn.net('192.0.2.0', 24)], ['::1']));
    const raw = (octets: number[]) => gn.ip(Buffer.from(octets));
    add('ip', 'constraint-4-octets', 'rejected', '127.0.0.1', p([raw([127, 0, 0, 1])], ['127.0.0.1']));
    add('ip', 'constraint-16-octets', 'rejected', '::1', p([raw([...Array<number>(15).fill(0), 1])], ['::1']));
    add('ip', 'constraint-non-contiguous-mask', 'rejected', '192.0.2.1', p([raw([192, 0, 2, 0, 255, 0, 255, 0])], ['192.0.2.1']));
    // Constraints bind only their own name form.
    add('ip', 'permitted-ip-dns-san', 'trusted', 'example.com', constrained('root', { permitted: [gn.net('192.0.2.0', 24)] }));
    add('ip', 'excluded-ip-dns-san', 'trusted', 'example.com', constrained('root', { excluded: [gn.net('192.0.2.0', 24)] }));
  }
  // --- directoryName: the subject (when not empty) and directoryName SANs, RFC 4518 comparison
  {
    const foo = dn(['O', 'foo']);
    const subj = (o: string) => dn(['O', o], ['CN', 'example.com']);
    const p = (l: CertOpts, base = foo) => constrained('ica', { permitted: [gn.dir(base)] }, l);
    const x = (l: CertOpts) => constrained('ica', { excluded: [gn.dir(foo)] }, l);
    add('dn', 'permitted-match', 'trusted', 'example.com', p({ subject: subj('foo') }));
    add('dn', 'permitted-match-prepared', 'trusted', 'example.com', p({ subject: subj('  FOO ') }));
    add('dn', 'permitted-empty-subject', 'trusted', 'example.com', p({ subject: dn(), san: ext.subjectAltName([gn.dns('example.com')], true) }));
    add('dn', 'permitted-mismatch', 'rejected', 'example.com', p({ subject: subj('not-foo') }));
    add('dn', 'permitted-rdn-order', 'rejected', 'example.com', p({ subject: dn(['CN', 'example.com'], ['O', 'foo']) }));
    add('dn', 'permitted-subject-ok-san-dirname-outside', 'rejected', 'example.com', p({ subject: subj('foo'), san: ext.subjectAltName([gn.dns('example.com'), gn.dir(dn(['O', 'not-foo']))]) }));
    add('dn', 'excluded-match', 'rejected', 'example.com', x({ subject: subj('foo') }));
    add('dn', 'excluded-subject-san-dirname-other', 'rejected', 'example.com', x({ subject: subj('foo'), san: ext.subjectAltName([gn.dns('example.com'), gn.dir(dn(['O', 'not-foo']))]) }));
    add('dn', 'excluded-other', 'trusted', 'example.com', x({ subject: subj('bar') }));
    // A root's directoryName constraint binds the intermediate's subject too.
    const inside = dn(['O', 'secgrade vectors'], ['CN', 'Vector ICA']);
    const rootNc = (icaSubject: Buffer) =>
      served(chain({ root: { nc: ext.nameConstraints({ permitted: [gn.dir(dn(['O', 'secgrade vectors']))] }) }, ica: { subject: icaSubject }, leaf: { subject: dn(), san: ext.subjectAltName([gn.dns('example.com')], true) } }));
    add('dn', 'root-permits-ica-subject', 'trusted', 'example.com', rootNc(inside));
    add('dn', 'root-excludes-ica-subject', 'rejected', 'example.com', rootNc(dn(['CN', 'Vector ICA'], ['O', 'secgrade vectors'])));
  }
  // --- rfc822Name: a mailbox, a host (its mailboxes) or ".domain" (hosts inside it); local parts are case-sensitive
  {
    const e = (base: string, mail: string, o: CertOpts = {}) =>
      constrained('ica', { permitted: [gn.email(base)] }, { san: ext.subjectAltName([gn.dns('example.com'), gn.email(mail)]), ...o });
    add('email', 'mailbox-exact', 'trusted', 'example.com', e('foo@example.com', 'foo@example.com'));
    add('email', 'mailbox-other-user', 'rejected', 'example.com', e('foo@example.com', 'bar@example.com'));
    add('email', 'mailbox-local-part-case', 'rejected', 'example.com', e('Foo@example.com', 'foo@example.com'));
    add('email', 'host', 'trusted', 'example.com', e('example.com', 'foo@example.com'));
    add('email', 'host-case-insensitive', 'trusted', 'example.com', e('EXAMPLE.com', 'foo@example.com'));
    add('email', 'host-not-subdomain', 'rejected', 'example.com', e('example.com', 'foo@sub.example.com'));
    add('email', 'domain', 'trusted', 'example.com', e('.example.com', 'foo@sub.example.com'));
    add('email', 'domain-not-apex', 'rejected', 'example.com', e('.example.com', 'foo@example.com'));
    add('email', 'literal-asterisk-exact', 'trusted', 'example.com', e('*@example.com', '*@example.com'));
    add('email', 'literal-asterisk-not-pattern', 'rejected', 'example.com', e('*@example.com', 'user@example.com'));
    add('email', 'malformed-constraint', 'rejected', 'example.com', e('invalid@invalid@example.com', 'foo@example.com'));
    // The subject's emailAddress attributes count as rfc822Names.
    const subject = (mail: string) => ({ subject: dn(['CN', 'example.com'], ['emailAddress', mail]) });
    add('email', 'subject-email-inside', 'trusted', 'example.com', e('example.com', 'foo@example.com', subject('bar@example.com')));
    add('email', 'subject-email-outside', 'rejected', 'example.com', e('example.com', 'foo@example.com', subject('bar@other.example')));
  }
  // --- URI: the host of the URI, a host or ".domain"; a URI without a host is outside every subtree
  {
    const u = (base: string, uri: string) => constrained('ica', { permitted: [gn.uri(base)] }, { san: ext.subjectAltName([gn.dns('example.com'), gn.uri(uri)]) });
    add('uri', 'host', 'trusted', 'example.com', u('example.com', 'https://example.com/path'));
    add('uri', 'host-userinfo-port', 'trusted', 'example.com', u('example.com', 'https://user@example.com:8443/'));
    add('uri', 'host-not-subdomain', 'rejected', 'example.com', u('example.com', 'https://www.example.com/'));
    add('uri', 'domain', 'trusted', 'example.com', u('.example.com', 'https://www.example.com/'));
    add('uri', 'domain-not-apex', 'rejected', 'example.com', u('.example.com', 'https://example.com/'));
    add('uri', 'no-host', 'rejected', 'example.com', u('example.com', 'urn:example:1'));
    add('uri', 'malformed-constraint', 'rejected', 'example.com', u('https://example.com/', 'https://example.com/'));
  }
  // --- otherName: a critical constraint on a form we cannot process binds only when such a name occurs
  {
    const other = gn.other('1.3.6.1.4.1.59999.9.1', nul());
    const nc = { permitted: [gn.dns('example.com')], excluded: [other] };
    add('othername', 'absent-in-leaf', 'trusted', 'example.com', constrained('ica', nc));
    add('othername', 'present-in-leaf', 'rejected', 'example.com', constrained('ica', nc, { san: ext.subjectAltName([gn.dns('example.com'), other]) }));
  }
  // --- structure: SIZE (1..MAX) subtrees, not both absent, minimum 0 and no maximum
  {
    const raw = (value: Buffer) => extension('2.5.29.30', true, value);
    const subtree = (...fields: Buffer[]) => seq(gn.dns('example.com'), ...fields);
    add('structure', 'permitted-one', 'trusted', 'example.com', constrained('ica', raw(seq(tlv(0xa0, subtree())))));
    add('structure', 'both-absent', 'rejected', 'example.com', constrained('ica', raw(seq())), { code: 'malformed' });
    add('structure', 'both-empty', 'rejected', 'example.com', constrained('ica', raw(seq(tlv(0xa0), tlv(0xa1)))), { code: 'malformed' });
    add('structure', 'permitted-empty-excluded-set', 'rejected', 'example.com', constrained('ica', raw(seq(tlv(0xa0), tlv(0xa1, seq(gn.dns('example.org')))))), { code: 'malformed' });
    add('structure', 'permitted-set-excluded-empty', 'rejected', 'example.com', constrained('ica', raw(seq(tlv(0xa0, subtree()), tlv(0xa1)))), { code: 'malformed' });
    add('structure', 'minimum-1', 'rejected', 'example.com', constrained('ica', raw(seq(tlv(0xa0, subtree(tlv(0x80, Buffer.from([1]))))))));
    add('structure', 'maximum-present', 'rejected', 'example.com', constrained('ica', raw(seq(tlv(0xa0, subtree(tlv(0x81, Buffer.from([3]))))))));
  }
  // --- wildcard SANs: judged by every name they can match
  {
    const w = (nc: Nc) => constrained('ica', nc, { names: ['*.example.com'] });
    add('wildcard', 'within-permitted', 'trusted', 'foo.example.com', w({ permitted: [gn.dns('example.com')] }));
    add('wildcard', 'excluded-deeper-unreachable', 'trusted', 'foo.example.com', w({ excluded: [gn.dns('a.b.example.com')] }));
    add('wildcard', 'excluded-one-label', 'rejected', 'bar.example.com', w({ permitted: [gn.dns('example.com')], excluded: [gn.dns('bar.example.com')] }));
    add('wildcard', 'wider-than-permitted', 'rejected', 'foo.example.com', w({ permitted: [gn.dns('foo.example.com')] }));
  }
  // --- invalid SAN entries under constraints are refused, not waved through as "no match"
  {
    const nc = { permitted: [gn.dns('example.com'), gn.net('192.0.2.0', 24), gn.email('example.com')] };
    const s = (names: Buffer[]) => constrained('ica', nc, { cn: null, san: ext.subjectAltName(names) });
    const o = { code: 'web-pki' as const, ruleId: 'san-syntax' };
    add('invalid-san', 'valid', 'trusted', 'foo.example.com', s([gn.dns('foo.example.com'), gn.ip('192.0.2.1'), gn.email('good@example.com')]));
    add('invalid-san', 'leading-period-dns', 'rejected', 'foo.example.com', s([gn.dns('.example.com'), gn.dns('foo.example.com')]), o);
    add('invalid-san', 'ip-with-mask', 'rejected', '192.0.2.1', s([gn.net('192.0.2.0', 24), gn.ip('192.0.2.1')]), o);
    add('invalid-san', 'email-two-at', 'rejected', 'example.com', s([gn.dns('example.com'), gn.email('invalid@address@example.com')]), o);
  }
  // --- constraints reach every later certificate, intermediates included, and only narrow (§6.1.4 (g))
  v.push(...deeper());
  return v;
}

function deeper(): X509Vector[] {
  const v: X509Vector[] = [];
  const names = (...n: string[]) => n.map((x) => gn.dns(x));
  const four = (nc1: Nc | null, nc2: Nc | null, ica2San: string[] | null, leafName: string, rootNc: Nc | null = null) => {
    const r = root(rootNc ? { nc: ext.nameConstraints(rootNc) } : {});
    const i1 = ica(r, { key: key('p256', 'ica1'), subject: dn(['CN', 'Vector ICA 1']), ...(nc1 ? { nc: ext.nameConstraints(nc1) } : {}) });
    const i2 = ica(i1, { key: key('p256', 'ica2'), subject: dn(['CN', 'Vector ICA 2']), ...(nc2 ? { nc: ext.nameConstraints(nc2) } : {}), ...(ica2San ? { san: ext.subjectAltName(names(...ica2San)) } : {}) });
    const l = leaf(i2, { names: [leafName] });
    return { served: [l.der, i2.der, i1.der], anchors: [r.der] };
  };
  const add = (g: string, id: string, expect: X509Vector['expect'], host: string, x: { served: Buffer[]; anchors: Buffer[] }) =>
    v.push(vec({ id: `nc/${g}/${id}`, group: `nc/${g}`, rule: 'RFC 5280 §4.2.1.10, §6.1.4 (g)', expect, host, ...(expect === 'rejected' ? { code: 'name-constraints' as const } : {}), ...x }));
  const both = { permitted: names('permitted.example.com'), excluded: names('forbidden.example.com') };
  add('intermediates', 'ica-san-permitted', 'trusted', 'permitted.example.com', four(both, null, ['ica.permitted.example.com'], 'permitted.example.com'));
  add('intermediates', 'ica-san-rejected-by-ica-nc', 'rejected', 'permitted.example.com', four(both, null, ['forbidden.example.com'], 'permitted.example.com'));
  add('intermediates', 'ica-san-rejected-by-root-nc', 'rejected', 'permitted.example.com', four(null, null, ['forbidden.example.com'], 'permitted.example.com', both));
  add('narrowing', 'inner-permits-subset', 'trusted', 'bar.example.com', four({ permitted: names('foo.example.com', 'bar.example.com') }, { permitted: names('bar.example.com') }, null, 'bar.example.com'));
  add('narrowing', 'inner-narrows', 'rejected', 'foo.example.com', four({ permitted: names('foo.example.com', 'bar.example.com') }, { permitted: names('bar.example.com') }, null, 'foo.example.com'));
  add('narrowing', 'inner-cannot-widen', 'rejected', 'foo.example.com', four({ permitted: names('bar.example.com') }, { permitted: names('foo.example.com', 'bar.example.com') }, null, 'foo.example.com'));

  // Self-issued intermediates are exempt (§6.1.3 (b)); a self-issued leaf is not.
  const self = 'RFC 5280 §6.1.3 (b)';
  const n = dn(['CN', 'not-example.com']);
  const r = root({ subject: n, nc: ext.nameConstraints({ permitted: names('example.com') }), san: ext.subjectAltName(names('not-example.com')) });
  const selfIssued = ica(r, { subject: n, san: ext.subjectAltName(names('not-example.com')) });
  const l = leaf(selfIssued);
  v.push(vec({ id: 'nc/self-issued/intermediate-exempt', group: 'nc/self-issued', rule: self, expect: 'trusted', served: [l.der, selfIssued.der], anchors: [r.der] }));
  const notSelf = ica(r, { subject: dn(['CN', 'Vector ICA']), san: ext.subjectAltName(names('not-example.com')) });
  v.push(vec({ id: 'nc/self-issued/intermediate-not-self-issued', group: 'nc/self-issued', rule: self, expect: 'rejected', code: 'name-constraints', served: [leaf(notSelf).der, notSelf.der], anchors: [r.der] }));
  const ca = dn(['O', 'Self-issued CA']);
  const r2 = root({ nc: ext.nameConstraints({ permitted: names('example.com') }) });
  const i = ica(r2, { subject: ca });
  const selfLeaf = (name: string) => leaf(i, { subject: ca, issuer: ca, names: [name], cn: null });
  v.push(vec({ id: 'nc/self-issued/leaf-inside', group: 'nc/self-issued', rule: self, expect: 'trusted', served: [selfLeaf('example.com').der, i.der], anchors: [r2.der] }));
  v.push(vec({ id: 'nc/self-issued/leaf-outside', group: 'nc/self-issued', rule: self, host: 'not-example.com', expect: 'rejected', code: 'name-constraints', served: [selfLeaf('not-example.com').der, i.der], anchors: [r2.der] }));
  return v;
}
