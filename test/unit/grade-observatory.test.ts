import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  OBSERVATORY_BASELINE,
  OBSERVATORY_GRADE_CHART,
  OBSERVATORY_MINIMUM_SCORE,
  OBSERVATORY_MINIMUM_SCORE_FOR_EXTRA_CREDIT,
  OBSERVATORY_TEST_NAMES,
  OBSERVATORY_TESTS,
  observatoryGradeAsLetter,
  observatoryGradeForScore,
  observatoryScore,
  type ObservatoryResults,
} from '../../src/grade/observatory.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/observatory');

/** Every test, result and modifier of SCORE_TABLE in src/grader/charts.js of 1.4.8, written out. */
const EXPECTED: Record<string, Record<string, number>> = {
  'content-security-policy': {
    'csp-implemented-with-no-unsafe-default-src-none': 10,
    'csp-implemented-with-no-unsafe': 5,
    'csp-implemented-with-unsafe-inline-in-style-src-only': 0,
    'csp-implemented-with-insecure-scheme-in-passive-content-only': -10,
    'csp-implemented-with-unsafe-eval': -10,
    'csp-implemented-with-unsafe-inline': -20,
    'csp-implemented-with-insecure-scheme': -20,
    'csp-implemented-but-duplicate-directives': 0,
    'csp-header-invalid': -25,
    'csp-not-implemented': -25,
    'csp-not-implemented-but-reporting-enabled': -25,
  },
  cookies: {
    'cookies-secure-with-httponly-sessions-and-samesite': 5,
    'cookies-secure-with-httponly-sessions': 0,
    'cookies-not-found': 0,
    'cookies-without-secure-flag-but-protected-by-hsts': -5,
    'cookies-session-without-secure-flag-but-protected-by-hsts': -10,
    'cookies-without-secure-flag': -20,
    'cookies-samesite-flag-invalid': -20,
    'cookies-anticsrf-without-samesite-flag': -20,
    'cookies-session-without-httponly-flag': -30,
    'cookies-session-without-secure-flag': -40,
  },
  'cross-origin-resource-sharing': {
    'cross-origin-resource-sharing-not-implemented': 0,
    'cross-origin-resource-sharing-implemented-with-public-access': 0,
    'cross-origin-resource-sharing-implemented-with-restricted-access': 0,
    'cross-origin-resource-sharing-implemented-with-universal-access': -50,
  },
  redirection: {
    'redirection-all-redirects-preloaded': 0,
    'redirection-to-https': 0,
    'redirection-not-needed-no-http': 0,
    'redirection-off-host-from-http': -5,
    'redirection-not-to-https-on-initial-redirection': -10,
    'redirection-not-to-https': -20,
    'redirection-missing': -20,
    'redirection-invalid-cert': -20,
  },
  'referrer-policy': {
    'referrer-policy-private': 5,
    'referrer-policy-not-implemented': 0,
    'referrer-policy-unsafe': -5,
    'referrer-policy-header-invalid': -5,
  },
  'strict-transport-security': {
    'hsts-preloaded': 5,
    'hsts-implemented-max-age-at-least-six-months': 0,
    'hsts-implemented-max-age-less-than-six-months': -10,
    'hsts-not-implemented': -20,
    'hsts-header-invalid': -20,
    'hsts-not-implemented-no-https': -20,
    'hsts-invalid-cert': -20,
  },
  'subresource-integrity': {
    'sri-implemented-and-all-scripts-loaded-securely': 5,
    'sri-implemented-and-external-scripts-loaded-securely': 5,
    'sri-not-implemented-response-not-html': 0,
    'sri-not-implemented-but-no-scripts-loaded': 0,
    'sri-not-implemented-but-all-scripts-loaded-from-secure-origin': 0,
    'sri-not-implemented-but-external-scripts-loaded-securely': -5,
    'sri-implemented-but-external-scripts-not-loaded-securely': -20,
    'sri-not-implemented-and-external-scripts-not-loaded-securely': -50,
    'html-not-parseable': -20,
  },
  'x-content-type-options': {
    'x-content-type-options-nosniff': 0,
    'x-content-type-options-not-implemented': -5,
    'x-content-type-options-header-invalid': -5,
  },
  'x-frame-options': {
    'x-frame-options-implemented-via-csp': 5,
    'x-frame-options-sameorigin-or-deny': 0,
    'x-frame-options-allow-from-origin': 0,
    'x-frame-options-not-implemented': -20,
    'x-frame-options-header-invalid': -20,
  },
  'cross-origin-resource-policy': {
    'corp-not-implemented': 0,
    'corp-implemented-with-same-origin': 10,
    'corp-implemented-with-same-site': 10,
    'corp-implemented-with-cross-origin': 0,
    'corp-header-invalid': -5,
  },
};

/** The result of each test that changes nothing (0), to vary one test at a time. */
const NEUTRAL: ObservatoryResults = {
  'content-security-policy': 'csp-implemented-with-unsafe-inline-in-style-src-only',
  cookies: 'cookies-not-found',
  'cross-origin-resource-sharing': 'cross-origin-resource-sharing-not-implemented',
  redirection: 'redirection-to-https',
  'referrer-policy': 'referrer-policy-not-implemented',
  'strict-transport-security': 'hsts-implemented-max-age-at-least-six-months',
  'subresource-integrity': 'sri-not-implemented-but-no-scripts-loaded',
  'x-content-type-options': 'x-content-type-options-nosniff',
  'x-frame-options': 'x-frame-options-sameorigin-or-deny',
  'cross-origin-resource-policy': 'corp-not-implemented',
};

describe('Observatory tables are complete (1.4.8)', () => {
  it('every test, in the Observatory order, with every result and its modifier', () => {
    expect(OBSERVATORY_TEST_NAMES).toEqual(Object.keys(EXPECTED));
    const ours = Object.fromEntries(Object.entries(OBSERVATORY_TESTS).map(([t, rs]) => [t, Object.fromEntries(Object.entries(rs).map(([r, i]) => [r, i.modifier]))]));
    expect(ours).toEqual(EXPECTED);
    for (const rs of Object.values(OBSERVATORY_TESTS)) for (const i of Object.values(rs)) expect(i.description.length).toBeGreaterThan(0);
  });

  it('the grade chart has every multiple of 5 from 100 down to 0, in order', () => {
    expect(OBSERVATORY_GRADE_CHART.map((r) => r.score)).toEqual(Array.from({ length: 21 }, (_, i) => 100 - 5 * i));
    expect(OBSERVATORY_GRADE_CHART.map((r) => r.grade).join(' ')).toBe('A+ A A A- B+ B B B- C+ C C C- D+ D D D- F F F F F');
  });

  it('constants: baseline 100, extra credit from 90, floor 0', () => {
    expect([OBSERVATORY_BASELINE, OBSERVATORY_MINIMUM_SCORE_FOR_EXTRA_CREDIT, OBSERVATORY_MINIMUM_SCORE]).toEqual([100, 90, 0]);
  });

  it('the neutral set scores exactly the baseline', () => {
    const s = observatoryScore(NEUTRAL);
    expect(s.modifiers.every((m) => m.modifier === 0)).toBe(true);
    expect(s).toMatchObject({ score: 100, grade: 'A+', extraCredit: true });
  });

  it('every result alone moves the score by its modifier (below 90, a bonus does not count)', () => {
    for (const test of OBSERVATORY_TEST_NAMES) {
      for (const [result, modifier] of Object.entries(EXPECTED[test]!)) {
        const s = observatoryScore({ ...NEUTRAL, [test]: result } as ObservatoryResults);
        expect(s.score, `${test}=${result}`).toBe(Math.max(0, 100 + modifier));
        expect(s.modifiers.find((m) => m.test === test)).toMatchObject({ result, modifier });
      }
    }
  });
});

describe('observatoryGradeForScore (getGradeForScore)', () => {
  it('the upstream grader tests: 100 → A+, 0 → F, 120 → A+, −10 → F', () => {
    expect([100, 0, 120, -10].map(observatoryGradeForScore)).toEqual(['A+', 'F', 'A+', 'F']);
  });

  it('rounds down to a multiple of 5 at every score', () => {
    for (let s = 0; s <= 150; s++) {
      const key = Math.min(s - (s % 5), 100);
      expect(observatoryGradeForScore(s)).toBe(OBSERVATORY_GRADE_CHART.find((r) => r.score === key)!.grade);
    }
    expect([99, 94, 89, 84, 79, 64, 59, 44, 39, 24, 19].map(observatoryGradeForScore)).toEqual(['A', 'A', 'A-', 'B+', 'B', 'C+', 'C', 'D+', 'D', 'F', 'F']);
  });

  it('maps onto our letters', () => {
    expect((['A+', 'A', 'A-', 'B+', 'B-', 'C+', 'D-', 'F'] as const).map(observatoryGradeAsLetter)).toEqual(['A+', 'A', 'A-', 'B', 'B', 'C', 'D', 'F']);
  });
});

describe('observatoryScore, worked by hand', () => {
  it('bonuses count when the penalties leave exactly 90', () => {
    const s = observatoryScore({ ...NEUTRAL, 'x-content-type-options': 'x-content-type-options-not-implemented', 'referrer-policy': 'referrer-policy-unsafe', 'cross-origin-resource-policy': 'corp-implemented-with-same-origin' });
    expect(s).toMatchObject({ score: 100, grade: 'A+', extraCredit: true });
  });

  it('bonuses are dropped at 85, and the letter follows the penalties alone', () => {
    const s = observatoryScore({
      ...NEUTRAL,
      'strict-transport-security': 'hsts-implemented-max-age-less-than-six-months',
      'referrer-policy': 'referrer-policy-unsafe',
      'content-security-policy': 'csp-implemented-with-no-unsafe-default-src-none',
      'x-frame-options': 'x-frame-options-implemented-via-csp',
    });
    expect(s).toMatchObject({ score: 85, grade: 'A-', extraCredit: false });
  });

  it('every bonus together: 145, the highest score, no cap above 100', () => {
    const best = Object.fromEntries(OBSERVATORY_TEST_NAMES.map((t) => [t, Object.entries(EXPECTED[t]!).sort((a, b) => b[1] - a[1])[0]![0]])) as ObservatoryResults;
    expect(observatoryScore(best)).toMatchObject({ score: 145, grade: 'A+' });
  });

  it('every worst result: floored at 0, F', () => {
    const worst = Object.fromEntries(OBSERVATORY_TEST_NAMES.map((t) => [t, Object.entries(EXPECTED[t]!).sort((a, b) => a[1] - b[1])[0]![0]])) as ObservatoryResults;
    expect(observatoryScore(worst)).toMatchObject({ score: 0, grade: 'F', extraCredit: false });
  });

  it('an unknown result is an error, not a silent 0', () => {
    expect(() => observatoryScore({ ...NEUTRAL, cookies: 'cookies-delicious' } as unknown as ObservatoryResults)).toThrow(/unknown Observatory result "cookies-delicious"/);
  });
});

interface Fixture {
  id: string;
  observatory: { score: number; grade: string; tests: Record<string, { result: string; scoreModifier: number; pass: boolean }> };
}
const fixtures: Fixture[] = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')) as Fixture);

describe('observatoryScore against recorded runs of the Observatory 1.4.8 (fixtures/observatory)', () => {
  it('has the recorded runs', () => {
    expect(fixtures.map((f) => f.id)).toEqual(['bare-untrusted', 'extra-credit-at-90', 'middling', 'no-extra-credit-at-85', 'strong']);
  });

  it.each(fixtures.map((f) => [f.id, f] as const))('%s: same score, letter and modifiers', (_id, f) => {
    expect(Object.keys(f.observatory.tests).sort()).toEqual([...OBSERVATORY_TEST_NAMES].sort());
    const results = Object.fromEntries(Object.entries(f.observatory.tests).map(([t, r]) => [t, r.result])) as ObservatoryResults;
    const ours = observatoryScore(results);
    expect({ score: ours.score, grade: ours.grade }).toEqual({ score: f.observatory.score, grade: f.observatory.grade });
    for (const m of ours.modifiers) expect(m.modifier, `${f.id} ${m.test}`).toBe(f.observatory.tests[m.test]!.scoreModifier);
  });
});
