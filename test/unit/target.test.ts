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
  ])('rejects %j', (input, message) => {
    expect(() => parseTarget(input)).toThrow(TargetParseError);
    expect(() => parseTarget(input)).toThrow(message);
  });
});
