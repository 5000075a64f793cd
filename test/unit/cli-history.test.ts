// `secgrade history`'s pure parts (--since, the sparkline, the text lines) and the --store flag's
// parsing; the command itself runs against a real store in test/integration/cli-history.test.ts.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/exit.js';
import { parseSince, renderHistoryText, sparkline } from '../../src/cli/history.js';
import { parseScanFlags } from '../../src/cli/options.js';
import { historyEntry } from '../helpers/history-entry.js';

describe('history --since', () => {
  const now = new Date(Date.UTC(2026, 5, 15, 12, 0, 0));
  it('reads a duration back from now, a UTC day, or a date-time with its zone', () => {
    expect(parseSince('30d', now).toISOString()).toBe('2026-05-16T12:00:00.000Z');
    expect(parseSince('12h', now).toISOString()).toBe('2026-06-15T00:00:00.000Z');
    expect(parseSince('90m', now).toISOString()).toBe('2026-06-15T10:30:00.000Z');
    expect(parseSince('2w', now).toISOString()).toBe('2026-06-01T12:00:00.000Z');
    expect(parseSince('2026-11-01', now).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseSince('2026-11-01T08:00:00+02:00', now).toISOString()).toBe('2026-11-01T06:00:00.000Z');
  });
  it('refuses anything else as a usage error', () => {
    for (const bad of ['yesterday', '30', '30y', '-1d', '2026-02-30', '2026-13-01', '2026-11-01T08:00:00', '2026-11-01 08:00Z']) {
      expect(() => parseSince(bad, now), bad).toThrow(UsageError);
    }
  });
});

describe('history text', () => {
  it('maps A+ … F to ▁ … █ (T and M as F) and leaves a gap for a section that was not graded', () => {
    expect(sparkline(['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F', 'T', 'M', null])).toBe('▁▂▃▄▅▆▇███ ');
  });

  const entry = historyEntry;

  it('prints one line per run, newest first, and the timeline oldest first; a failed run shows its reason and gaps', () => {
    const text = renderHistoryText('a.example', '/s/h.db', [
      entry({ startedAt: '2026-06-16T12:00:00.000Z', status: 'error', reason: 'DNS: NXDOMAIN', grades: { tls: null, http: null, email: null, overall: null } }),
      entry({ grades: { tls: 'A+', http: 'F', email: null, overall: 'F' } }),
    ]);
    expect(text.split('\n')).toEqual([
      'a.example: 2 runs, newest first (store /s/h.db)',
      '2026-06-16T12:00:00Z  error        tls —    http —    email —    overall —    DNS: NXDOMAIN',
      '2026-06-15T12:00:00Z  ok           tls A+   http F    email —    overall F    1 high, 2 low',
      '',
      'grades, oldest → newest (▁ A+ ▂ A ▃ A- ▄ B ▅ C ▆ D ▇ E █ F/T/M; a gap: not graded):',
      '  tls      │▁ │',
      '  http     │█ │',
      '  email    │  │',
      '  overall  │█ │',
      '',
    ]);
  });
});

describe('--store on the scan flags', () => {
  it('keeps a file path or a PostgreSQL URL, refuses other schemes, and reads none from a --no-store', () => {
    expect(parseScanFlags(['a.example'], { store: 'h.db' }).store).toBe('h.db');
    expect(parseScanFlags(['a.example'], { store: 'postgresql://db.example/h' }).store).toBe('postgresql://db.example/h');
    expect(parseScanFlags(['a.example'], {}).store).toBeNull();
    expect(parseScanFlags(['a.example'], { store: false }).store).toBeNull();
    expect(() => parseScanFlags(['a.example'], { store: 'redis://127.0.0.1/0' })).toThrow(/^--store "redis:\/\/127\.0\.0\.1\/0": a store is a file path or a postgres:\/\//);
    expect(() => parseScanFlags(['a.example'], { store: 'postgres://' })).toThrow(UsageError);
  });
});
