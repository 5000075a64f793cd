import { describe, expect, it } from 'vitest';
import {
  SECURITY_HEADERS,
  SECURITY_HEADERS_GRADE_BY_MISSING,
  SECURITY_HEADERS_WARNING_CAP,
  securityHeadersGrade,
  type SecurityHeaderName,
  type SecurityHeaderState,
} from '../../src/grade/securityheaders.js';

const all = (state: SecurityHeaderState = 'valid') => Object.fromEntries(SECURITY_HEADERS.map((h) => [h, state])) as Record<SecurityHeaderName, SecurityHeaderState>;
const without = (...names: SecurityHeaderName[]) => {
  const h: Partial<Record<SecurityHeaderName, SecurityHeaderState>> = all();
  for (const n of names) delete h[n];
  return h;
};

describe('securityheaders.com-style table is complete', () => {
  it('grades exactly the six documented headers', () => {
    expect([...SECURITY_HEADERS]).toEqual(['Strict-Transport-Security', 'Content-Security-Policy', 'X-Frame-Options', 'X-Content-Type-Options', 'Referrer-Policy', 'Permissions-Policy']);
  });

  it('has a letter for every count of missing headers, never improving as more are missing', () => {
    expect(SECURITY_HEADERS_GRADE_BY_MISSING).toHaveLength(SECURITY_HEADERS.length + 1);
    expect(SECURITY_HEADERS_GRADE_BY_MISSING).toEqual(['A+', 'A', 'B', 'C', 'C', 'D', 'F']);
    const order = ['A+', 'A', 'B', 'C', 'D', 'F'];
    const ranks = SECURITY_HEADERS_GRADE_BY_MISSING.map((g) => order.indexOf(g));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    for (let n = 0; n <= SECURITY_HEADERS.length; n++) {
      const g = securityHeadersGrade({ headers: without(...SECURITY_HEADERS.slice(0, n)), warnings: [] });
      expect(g.grade).toBe(SECURITY_HEADERS_GRADE_BY_MISSING[n]);
      expect(g.missing).toHaveLength(n);
    }
  });
});

describe('securityHeadersGrade', () => {
  it('A+ needs all six headers and no warnings', () => {
    const g = securityHeadersGrade({ headers: all(), warnings: [] });
    expect(g).toMatchObject({ grade: 'A+', missing: [], warnings: [] });
    expect(g.reasons).toEqual(['all six graded headers present and valid, no warnings']);
  });

  it('a warning with every header present gives A (the documented gradeCap)', () => {
    const g = securityHeadersGrade({ headers: all(), warnings: ["'unsafe-inline' in script-src"] });
    expect(g.grade).toBe(SECURITY_HEADERS_WARNING_CAP);
    expect(g.grade).toBe('A');
    expect(g.reasons.join(' ')).toContain("a warning caps the grade at A: 'unsafe-inline' in script-src");
  });

  it('without Permissions-Policy the rest only reach A (Feature-Policy became required for A+)', () => {
    const g = securityHeadersGrade({ headers: without('Permissions-Policy'), warnings: [] });
    expect(g).toMatchObject({ grade: 'A', missing: ['Permissions-Policy'] });
    expect(g.reasons).toContain('Permissions-Policy is missing');
  });

  it('warnings do not lower a letter already below the cap', () => {
    const g = securityHeadersGrade({ headers: without('Content-Security-Policy', 'Permissions-Policy'), warnings: ['x'] });
    expect(g.grade).toBe('B');
    expect(g.warnings).toEqual(['x']);
    expect(g.reasons.some((r) => r.includes('cap'))).toBe(false);
  });

  it('an invalid header counts as missing and says so', () => {
    const g = securityHeadersGrade({ headers: { ...all(), 'X-Content-Type-Options': 'invalid' }, warnings: [] });
    expect(g).toMatchObject({ grade: 'A', missing: ['X-Content-Type-Options'] });
    expect(g.reasons[0]).toBe('X-Content-Type-Options is present but invalid, so it counts as missing');
  });

  it('no headers at all is F; only X-Content-Type-Options and X-Frame-Options is C; four of six is B', () => {
    expect(securityHeadersGrade({ headers: {}, warnings: [] }).grade).toBe('F');
    expect(securityHeadersGrade({ headers: all('missing'), warnings: ['w'] }).grade).toBe('F');
    expect(securityHeadersGrade({ headers: { 'X-Content-Type-Options': 'valid', 'X-Frame-Options': 'valid' }, warnings: [] }).grade).toBe('C');
    expect(securityHeadersGrade({ headers: without('Content-Security-Policy', 'Permissions-Policy'), warnings: [] }).grade).toBe('B');
  });

  it('lists missing headers in table order', () => {
    const g = securityHeadersGrade({ headers: without('Permissions-Policy', 'Strict-Transport-Security'), warnings: [] });
    expect(g.missing).toEqual(['Strict-Transport-Security', 'Permissions-Policy']);
  });
});
