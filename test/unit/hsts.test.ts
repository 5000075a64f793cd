import { describe, expect, it } from 'vitest';
import { parseHsts } from '../../src/http/hsts.js';

describe('parseHsts (RFC 6797 §6.1)', () => {
  it('parses the recommended policy', () => {
    expect(parseHsts('max-age=31536000; includeSubDomains; preload')).toEqual({
      valid: true, error: null, maxAge: 31536000, includeSubDomains: true, preload: true,
    });
  });
  it('accepts quoted values, odd case and empty directives', () => {
    const p = parseHsts(' MAX-AGE="600" ;; includesubdomains ');
    expect(p).toMatchObject({ valid: true, maxAge: 600, includeSubDomains: true, preload: false });
  });
  it('ignores unknown directives', () => {
    expect(parseHsts('max-age=10; foo=bar')).toMatchObject({ valid: true, maxAge: 10 });
  });
  it.each([
    ['includeSubDomains', /missing/],
    ['max-age=abc', /not a number/],
    ['max-age=-1', /not a number/],
    ['max-age=1; max-age=2', /more than once/],
  ])('rejects %j', (header, error) => {
    const p = parseHsts(header);
    expect(p.valid).toBe(false);
    expect(p.error).toMatch(error);
  });
});
