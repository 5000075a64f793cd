// A history store row (what `secgrade history` lists) for tests that render one: an ok scan of
// a.example with a fixed time, grades and counts, overridden field by field.
import type { HistoryEntry } from '../../src/store/types.js';

export const historyEntry = (over: Partial<HistoryEntry> = {}): HistoryEntry => ({
  runId: 'r',
  source: 'scan',
  jobKey: 'k',
  target: 'a.example',
  status: 'ok',
  reason: null,
  startedAt: '2026-06-15T12:00:00.123Z',
  durationMs: 1000,
  grades: { tls: 'A', http: 'B', email: null, overall: 'B' },
  findings: { critical: 0, high: 1, medium: 0, low: 2, info: 0 },
  toolVersion: '0.1.0',
  algorithmVersion: '1',
  ...over,
});
