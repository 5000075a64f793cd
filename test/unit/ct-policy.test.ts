import { describe, expect, it } from 'vitest';
import type { CtLog, CtLogState } from '../../src/ct/log-list.js';
import { CHROME_CT_POLICY, evaluateChromePolicy, type PolicySct, type SctSource } from '../../src/ct/policy.js';

const DAY = 86_400_000;
const NOW = new Date('2026-11-01T00:00:00Z');
const LIST_DATE = new Date('2026-10-25T00:00:00Z');

let n = 0;
function log(operator: string, state: CtLogState | null, opts: { stateAt?: string; tiled?: boolean; previous?: Array<{ name: string; endTime: Date }> } = {}): CtLog {
  n++;
  return {
    logId: Buffer.alloc(32, n).toString('base64'),
    description: `log ${n}`,
    operator,
    previousOperators: opts.previous ?? [],
    key: Buffer.alloc(0),
    state,
    stateTimestamp: new Date(opts.stateAt ?? '2025-01-01T00:00:00Z'),
    temporalInterval: null,
    tiled: opts.tiled ?? false,
    logType: null,
    url: null,
  };
}

const sct = (l: CtLog | null, source: SctSource = 'certificate', opts: { valid?: boolean | null; at?: number } = {}): PolicySct => ({
  source,
  valid: opts.valid === undefined ? true : opts.valid,
  timestamp: opts.at ?? NOW.getTime() - 30 * DAY,
  log: l,
});

const evaluate = (scts: PolicySct[], lifetimeDays = 90, over: { now?: Date; listDate?: Date } = {}) => {
  const notBefore = new Date(NOW.getTime() - 30 * DAY);
  return evaluateChromePolicy({ scts, notBefore, notAfter: new Date(notBefore.getTime() + lifetimeDays * DAY), now: over.now ?? NOW, logListTimestamp: over.listDate ?? LIST_DATE });
};

describe('Chrome CT policy', () => {
  it('holds the published numbers', () => {
    expect(CHROME_CT_POLICY).toEqual({
      url: 'https://googlechrome.github.io/CertificateTransparency/ct_policy.html',
      embedded: {
        shortLifetimeMaxDays: 180,
        sctsShortLifetime: 2,
        sctsLongLifetime: 3,
        currentStates: ['qualified', 'usable', 'readonly'],
        countedStates: ['qualified', 'usable', 'readonly', 'retired'],
        minOperators: 2,
      },
      tlsOrOcsp: { minScts: 2, countedStates: ['qualified', 'usable', 'readonly'], minOperators: 2 },
      rfc6962LogRequiredUntil: '2026-04-15T00:00:00Z',
      logListMaxAgeDays: 70,
    });
  });

  it('embedded: two SCTs from two operators suffice up to 180 days of lifetime, three above', () => {
    const two = [sct(log('A', 'usable')), sct(log('B', 'qualified'))];
    expect(evaluate(two, 90)).toMatchObject({ compliant: true, via: 'embedded', requiredEmbeddedScts: 2 });
    expect(evaluate(two, 180)).toMatchObject({ compliant: true, requiredEmbeddedScts: 2 });
    const long = evaluate(two, 180.5);
    expect(long).toMatchObject({ compliant: false, requiredEmbeddedScts: 3 });
    expect(long.reason).toBe('Not compliant: 2 embedded SCTs count (valid, one per log, log in an accepted state); a 180.5-day certificate needs 3.');
    expect(evaluate([...two, sct(log('A', 'readonly'))], 397)).toMatchObject({ compliant: true, requiredEmbeddedScts: 3 });
  });

  it('embedded: needs two distinct operators', () => {
    const result = evaluate([sct(log('A', 'usable')), sct(log('A', 'usable')), sct(log('A', 'usable'))], 90);
    expect(result.compliant).toBe(false);
    expect(result.reason).toBe('Not compliant: the embedded SCTs all come from one operator (A).');
  });

  it('embedded: one log counts once however many SCTs it issued', () => {
    const a = log('A', 'usable');
    expect(evaluate([sct(a), sct(a)]).embedded.counted).toBe(1);
  });

  it('embedded: Retired logs count only for SCTs issued before retirement, and one log must be current', () => {
    const retired = log('B', 'retired', { stateAt: '2026-09-01T00:00:00Z' });
    const before = sct(retired, 'certificate', { at: Date.parse('2026-08-01T00:00:00Z') });
    const after = sct(retired, 'certificate', { at: Date.parse('2026-09-02T00:00:00Z') });
    expect(evaluate([sct(log('A', 'usable')), before]).compliant).toBe(true);
    expect(evaluate([sct(log('A', 'usable')), after]).compliant).toBe(false);
    const allRetired = evaluate([before, sct(log('C', 'retired', { stateAt: '2026-09-01T00:00:00Z' }), 'certificate', { at: Date.parse('2026-08-01T00:00:00Z') })]);
    expect(allRetired.compliant).toBe(false);
    expect(allRetired.reason).toMatch(/no embedded SCT comes from a log that is Qualified, Usable or ReadOnly now/);
  });

  it('pending, rejected and state-less logs, failed and unchecked SCTs do not count', () => {
    const good = sct(log('A', 'usable'));
    for (const other of [sct(log('B', 'pending')), sct(log('B', 'rejected')), sct(log('B', null)), sct(log('B', 'usable'), 'certificate', { valid: false }), sct(log('B', 'usable'), 'certificate', { valid: null })]) {
      expect(evaluate([good, other]).compliant).toBe(false);
    }
    expect(evaluate([good, sct(null, 'certificate', { valid: null })]).reason).toMatch(/1 SCT could not be checked/);
  });

  it('TLS extension / OCSP: two SCTs from current logs of two operators; Retired does not count', () => {
    const ok = evaluate([sct(log('A', 'usable'), 'tls-extension'), sct(log('B', 'readonly'), 'ocsp')]);
    expect(ok).toMatchObject({ compliant: true, via: 'tls-or-ocsp' });
    expect(ok.reason).toBe('Compliant: 2 SCTs delivered by TLS or OCSP from logs run by A, B.');
    const retired = evaluate([sct(log('A', 'usable'), 'tls-extension'), sct(log('B', 'retired', { stateAt: '2026-10-01T00:00:00Z' }), 'tls-extension', { at: Date.parse('2026-09-01T00:00:00Z') })]);
    expect(retired.compliant).toBe(false);
    expect(evaluate([sct(log('A', 'usable'), 'tls-extension'), sct(log('A', 'usable'), 'ocsp')]).reason).toMatch(/all come from one operator \(A\)/);
  });

  it('does not mix embedded and delivered SCTs', () => {
    const result = evaluate([sct(log('A', 'usable')), sct(log('B', 'usable'), 'tls-extension')]);
    expect(result.compliant).toBe(false);
    expect(result.embedded.counted).toBe(1);
    expect(result.tlsOrOcsp.counted).toBe(1);
  });

  it('uses the operator at the SCT time (previous_operators)', () => {
    const moved = log('B', 'usable', { previous: [{ name: 'A', endTime: new Date('2026-06-01T00:00:00Z') }] });
    const a = log('A', 'usable');
    expect(evaluate([sct(a), sct(moved, 'certificate', { at: Date.parse('2026-07-01T00:00:00Z') })]).compliant).toBe(true);
    expect(evaluate([sct(a), sct(moved, 'certificate', { at: Date.parse('2026-05-01T00:00:00Z') })]).compliant).toBe(false);
  });

  it('before 15 April 2026 one counted SCT had to come from an RFC 6962 log', () => {
    const tiledOnly = [sct(log('A', 'usable', { tiled: true }), 'certificate', { at: Date.parse('2026-03-01T00:00:00Z') }), sct(log('B', 'usable', { tiled: true }), 'certificate', { at: Date.parse('2026-03-01T00:00:00Z') })];
    const early = new Date('2026-04-01T00:00:00Z');
    expect(evaluate(tiledOnly, 90, { now: early, listDate: early }).reason).toMatch(/RFC 6962 log/);
    expect(evaluate(tiledOnly, 90).compliant).toBe(true);
  });

  it('says when there are no SCTs at all, and when the log list is stale', () => {
    expect(evaluate([]).reason).toBe('Not compliant: the certificate embeds no SCTs and the server sent none by TLS extension or OCSP.');
    const stale = evaluate([sct(log('A', 'usable')), sct(log('B', 'usable'))], 90, { listDate: new Date(NOW.getTime() - 94 * DAY) });
    expect(stale).toMatchObject({ compliant: true, logListAgeDays: 94, logListStale: true });
    expect(stale.reason).toMatch(/The log list is 94 days old; Chrome stops enforcing CT once its list is 70 days old\.$/);
    expect(evaluate([]).logListStale).toBe(false);
  });
});
