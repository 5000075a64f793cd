import { describe, expect, it } from 'vitest';
import { analyseSecurityTxt, parseRfc3339, parseSecurityTxt } from '../../src/http/security-txt.js';

const now = new Date('2021-06-01T00:00:00Z');
const URL_ = 'https://example.com/.well-known/security.txt';

// RFC 9116 Appendix A (Expires as in the RFC: 2021-12-31, seven months after `now`).
const RFC_EXAMPLE = `# Our security address
Contact: mailto:security@example.com

# Our OpenPGP key
Encryption: https://example.com/pgp-key.txt

# Our security policy
Policy: https://example.com/security-policy.html

# Our security acknowledgments page
Acknowledgments: https://example.com/hall-of-fame.html

Expires: 2021-12-31T18:37:07.000Z
`;

// RFC 9116 §2.3, an OpenPGP cleartext-signed file (Contact dash-escaped, which RFC 4880 §7.1 allows on any line).
const SIGNED = `-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA256

# Canonical URI
Canonical: https://example.com/.well-known/security.txt

# Our security address
- Contact: mailto:security@example.com

# Our OpenPGP key
Encryption: https://example.com/pgp-key.txt

Expires: 2021-12-31T18:37:07.000Z
-----BEGIN PGP SIGNATURE-----
Version: GnuPG v2.2

[signature]
-----END PGP SIGNATURE-----
`;

const ids = (text: string, url = URL_) => parseSecurityTxt(text, { now, url }).issues.map((i) => i.id).sort();
const ok = (body: string, extra: Partial<Parameters<typeof analyseSecurityTxt>[0]> = {}) =>
  analyseSecurityTxt({ url: URL_, finalUrl: URL_, status: 200, contentType: 'text/plain; charset=utf-8', body: Buffer.from(body), truncated: false, ...extra }, { now });

describe('parseSecurityTxt (RFC 9116)', () => {
  it('parses the RFC example without issues', () => {
    const p = parseSecurityTxt(RFC_EXAMPLE, { now, url: URL_ });
    expect(p.issues).toEqual([]);
    expect(p.signed).toBe(false);
    expect(p.expiresAt).toBe('2021-12-31T18:37:07.000Z');
    expect(p.fields).toMatchObject({
      contact: ['mailto:security@example.com'],
      encryption: ['https://example.com/pgp-key.txt'],
      policy: ['https://example.com/security-policy.html'],
      acknowledgments: ['https://example.com/hall-of-fame.html'],
      expires: '2021-12-31T18:37:07.000Z',
    });
  });

  it('unwraps a cleartext-signed file (not verified) and checks Canonical', () => {
    const p = parseSecurityTxt(SIGNED.replace(/\n/g, '\r\n'), { now, url: URL_ });
    expect(p.signed).toBe(true);
    expect(p.issues).toEqual([]);
    expect(p.fields.canonical).toEqual([URL_]);
    expect(p.fields.contact).toEqual(['mailto:security@example.com']);
    expect(ids(SIGNED, 'https://www.example.com/.well-known/security.txt')).toEqual(['http.security-txt.canonical-mismatch']);
    expect(ids(SIGNED.replace(/-----END PGP SIGNATURE-----\n/, ''))).toEqual(['http.security-txt.invalid-signature-block']);
  });

  it('accepts every URI form of the RFC, field names in any case, repeated fields', () => {
    const text = [
      'contact: tel:+1-201-555-0123',
      'CONTACT: https://example.com/security-contact.html',
      'Encryption: dns:5d2d37ab76d47d36._openpgpkey.example.com?type=OPENPGPKEY',
      'Encryption: openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f',
      'Preferred-Languages: en, es, fr',
      'Hiring: https://example.com/jobs.html',
      'CSAF: https://example.com/.well-known/csaf/provider-metadata.json',
      'X-Extension: anything at all',
      'Expires: 2021-12-31T18:37:07+01:00',
    ].join('\n');
    const p = parseSecurityTxt(text, { now });
    expect(p.issues).toEqual([]);
    expect(p.fields.contact).toHaveLength(2);
    expect(p.fields.preferredLanguages).toEqual(['en', 'es', 'fr']);
    expect(p.fields.other).toEqual([{ name: 'X-Extension', value: 'anything at all' }]);
    expect(p.expiresAt).toBe('2021-12-31T17:37:07.000Z');
  });

  it('requires Contact and exactly one valid, future Expires', () => {
    expect(ids('')).toEqual(['http.security-txt.no-contact', 'http.security-txt.no-expires']);
    expect(ids('Contact: mailto:a@b.c\nExpires: 2021-12-31T00:00:00Z\nExpires: 2021-11-30T00:00:00Z')).toEqual(['http.security-txt.multiple-expires']);
    expect(ids('Contact: mailto:a@b.c\nExpires: 2020-12-31T00:00:00Z')).toEqual(['http.security-txt.expired']);
    expect(ids('Contact: mailto:a@b.c\nExpires: 2030-12-31T00:00:00Z')).toEqual(['http.security-txt.expires-too-far']);
    for (const bad of ['Thu, 31 Dec 2021 00:00:00 GMT', '2021-12-31', '2021-02-30T00:00:00Z', '2021-12-31T24:00:00Z', '2021-12-31T00:00:00']) {
      expect(ids(`Contact: mailto:a@b.c\nExpires: ${bad}`), bad).toEqual(['http.security-txt.invalid-expires']);
    }
  });

  it('flags values that are not URIs and web URIs over http', () => {
    expect(ids('Contact: security@example.com\nExpires: 2021-12-31T00:00:00Z')).toEqual(['http.security-txt.invalid-uri']);
    expect(ids('Contact: http://example.com/contact\nPolicy: http://example.com/p\nExpires: 2021-12-31T00:00:00Z')).toEqual(['http.security-txt.insecure-uri']);
  });

  it('reports malformed lines by number and keeps parsing', () => {
    const p = parseSecurityTxt('Contact mailto:a@b.c\nContact: mailto:a@b.c\n: no name\nBad Name: x\n\u0000\u0001garbage\nExpires: 2021-12-31T00:00:00Z', { now });
    expect(p.issues.map((i) => i.id)).toEqual(['http.security-txt.invalid-line']);
    expect(p.issues[0]?.evidence['lines']).toEqual([
      { line: 1, text: 'Contact mailto:a@b.c' },
      { line: 3, text: ': no name' },
      { line: 4, text: 'Bad Name: x' },
      { line: 5, text: '\u0000\u0001garbage' },
    ]);
    expect(p.fields.contact).toEqual(['mailto:a@b.c']);
  });

  it('checks Preferred-Languages: once, language tags', () => {
    expect(ids('Contact: mailto:a@b.c\nExpires: 2021-12-31T00:00:00Z\nPreferred-Languages: en\nPreferred-Languages: fr')).toEqual(['http.security-txt.multiple-preferred-languages']);
    expect(ids('Contact: mailto:a@b.c\nExpires: 2021-12-31T00:00:00Z\nPreferred-Languages: en, english language')).toEqual(['http.security-txt.invalid-language']);
  });

  it('parseRfc3339 accepts offsets, fractions and lower-case t/z', () => {
    expect(parseRfc3339('2021-12-31t18:37:07.5z')?.toISOString()).toBe('2021-12-31T18:37:07.500Z');
    expect(parseRfc3339('2021-12-31T18:37:07-05:30')?.toISOString()).toBe('2022-01-01T00:07:07.000Z');
    expect(parseRfc3339('2021-12-31T18:37:07+24:00')).toBeNull();
  });
});

describe('analyseSecurityTxt', () => {
  it('a good file is found and valid', () => {
    const r = ok(RFC_EXAMPLE);
    expect(r).toMatchObject({ status: 'found', valid: true, issues: [], signed: false, expiresAt: '2021-12-31T18:37:07.000Z' });
  });

  it('404, an HTML soft 404 and an empty file are missing (info)', () => {
    for (const r of [ok('', { status: 404 }), ok('<!doctype html><p>Not found', { contentType: 'text/html' }), ok('')]) {
      expect(r.status).toBe('missing');
      expect(r.issues.map((i) => [i.id, i.severity])).toEqual([['http.security-txt.missing', 'info']]);
    }
  });

  it('checks https, Content-Type and UTF-8', () => {
    const http = ok(RFC_EXAMPLE, { finalUrl: 'http://example.com/.well-known/security.txt' });
    expect(http.valid).toBe(false);
    expect(http.issues.map((i) => i.id)).toEqual(['http.security-txt.not-https']);
    expect(ok(RFC_EXAMPLE, { contentType: 'text/plain' }).issues.map((i) => [i.id, i.severity])).toEqual([['http.security-txt.content-type', 'info']]);
    expect(ok(RFC_EXAMPLE, { contentType: 'application/octet-stream' }).issues.map((i) => [i.id, i.severity])).toEqual([['http.security-txt.content-type', 'low']]);
    expect(ok(RFC_EXAMPLE, { contentType: 'text/plain;charset="UTF-8"' }).issues).toEqual([]);
    const latin1 = Buffer.concat([Buffer.from(RFC_EXAMPLE), Buffer.from('# caf\xe9\n', 'latin1')]);
    expect(analyseSecurityTxt({ url: URL_, finalUrl: URL_, status: 200, contentType: 'text/plain; charset=utf-8', body: latin1, truncated: false }, { now }).issues.map((i) => i.id)).toEqual([
      'http.security-txt.not-utf8',
    ]);
  });

  it('a truncated file is checked on its whole lines and flagged', () => {
    const body = Buffer.from(`${RFC_EXAMPLE}# ${'x'.repeat(40_000)}`).subarray(0, 32 * 1024);
    const r = ok('', { body, truncated: true });
    expect(r.status).toBe('found');
    expect(r.issues.map((i) => i.id)).toEqual(['http.security-txt.too-large']);
  });
});
