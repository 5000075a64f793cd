import { describe, expect, it } from 'vitest';
import { parseTarget, TargetParseError } from '../../src/model/target.js';

describe('parseTarget', () => {
  it.each([
    ['example.com', { host: 'example.com', port: null, path: '/' }],
    ['Example.COM.', { host: 'example.com', port: null, path: '/' }],
    ['example.com:8443', { host: 'example.com', port: 8443, path: '/' }],
    ['https://example.com', { host: 'example.com', port: null, path: '/' }],
    ['https://example.com:8443/login?next=1', { host: 'example.com', port: 8443, path: '/login?next=1' }],
    ['http://example.com:8080/x', { host: 'example.com', port: null, path: '/x' }],
    ['127.0.0.1', { host: '127.0.0.1', port: null, path: '/' }],
    ['127.0.0.1:4433', { host: '127.0.0.1', port: 4433, path: '/' }],
    ['::1', { host: '::1', port: null, path: '/' }],
    ['[::1]:4433', { host: '::1', port: 4433, path: '/' }],
    ['https://[::1]:4433/', { host: '::1', port: 4433, path: '/' }],
    ['_dmarc.example.com', { host: '_dmarc.example.com', port: null, path: '/' }],
    ['good.secgrade.test', { host: 'good.secgrade.test', port: null, path: '/' }],
    // IDN: the A-label, as the WHATWG URL parser (node:url domainToASCII) gives it.
    ['bücher.example', { host: 'xn--bcher-kva.example', port: null, path: '/' }],
    ['BÜCHER.Example.', { host: 'xn--bcher-kva.example', port: null, path: '/' }],
    ['bücher.example:8443', { host: 'xn--bcher-kva.example', port: 8443, path: '/' }],
    ['https://bücher.example:8443/kaufen?x=1', { host: 'xn--bcher-kva.example', port: 8443, path: '/kaufen?x=1' }],
    ['münchen。example', { host: 'xn--mnchen-3ya.example', port: null, path: '/' }],
    ['xn--bcher-kva.example', { host: 'xn--bcher-kva.example', port: null, path: '/' }],
  ])('%s', (input, expected) => {
    expect(parseTarget(input)).toEqual({ ...expected, input });
  });

  it.each([
    ['', /empty/],
    ['example.com:0', /out of range/],
    ['example.com:70000', /out of range/],
    ['example.com:https', /not a number/],
    ['exa mple.com', /not a host/],
    ['-bad-.com', /not a valid host name/],
    ['ftp://example.com', /only http/],
    ['https://user:pw@example.com', /credentials/],
    ['example.com/path', /not a host/],
    ['[zz::1]:443', /not an IPv6/],
    ['999.1.1.1', /neither a host name nor an IP/],
    ['a'.repeat(64) + '.com', /not a valid host name/],
    // Invalid IDNA: a zero-width joiner out of context, a leading combining mark, a malformed A-label.
    ['a\u200db.example', /not a valid internationalised host name/],
    ['\u0301a.example', /not a valid internationalised host name/],
    ['xn--zz.example', /not a valid internationalised host name/],
    ['https://a\u200db.example/', /not a valid URL/],
  ])('rejects %j', (input, message) => {
    expect(() => parseTarget(input)).toThrow(TargetParseError);
    expect(() => parseTarget(input)).toThrow(message);
  });
});
