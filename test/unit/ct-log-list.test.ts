import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CtLogListError, loadLogList, operatorAt, parseLogList } from '../../src/ct/log-list.js';
import { createReferenceData } from '../../src/data/reference.js';

const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
const entry = (over: Record<string, unknown> = {}) => ({
  description: 'Test log',
  log_id: createHash('sha256').update(spki).digest('base64'),
  key: spki.toString('base64'),
  url: 'https://log.test/',
  mmd: 86400,
  state: { usable: { timestamp: '2025-01-01T00:00:00Z' } },
  temporal_interval: { start_inclusive: '2026-01-01T00:00:00Z', end_exclusive: '2027-01-01T00:00:00Z' },
  ...over,
});
const doc = (operators: unknown) => ({ version: '7.1', log_list_timestamp: '2026-10-01T00:00:00Z', operators });
const tmp = mkdtempSync(join(tmpdir(), 'secgrade-ct-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('CT log list (v3)', () => {
  it('loads the shipped snapshot once, with its date and version', async () => {
    const list = await loadLogList();
    expect(list).toMatchObject({ source: 'snapshot', version: '89.25' });
    expect(list.logListTimestamp.toISOString()).toBe('2026-08-20T13:34:57.000Z');
    expect(list.warnings).toEqual([]);
    // Read once: the process's ReferenceData keeps the list until refresh(), then reads it again.
    const reference = createReferenceData();
    const first = await reference.ctLogList();
    expect(first).toMatchObject({ ok: true, list: { source: 'snapshot', version: '89.25' } });
    expect(await reference.ctLogList()).toBe(first);
    reference.refresh();
    const again = await reference.ctLogList();
    expect(again).not.toBe(first);
    expect(again.ok && first.ok && again.list !== first.list).toBe(true);
    expect(again).toEqual(first);
    const argon = list.byId.get('DleUvPOuqT4zGyyZB7P3kN+bwj1xMiXdIaklrGHFTiE=');
    expect(argon).toMatchObject({ description: "Google 'Argon2026h1' log", operator: 'Google', state: 'rejected', tiled: false });
    expect(argon!.stateTimestamp!.toISOString()).toBe('2026-07-09T13:40:00.000Z');
    expect(argon!.temporalInterval!.endExclusive.toISOString()).toBe('2026-07-01T00:00:00.000Z');
    const states = new Set(list.logs.map((l) => l.state));
    expect(states).toEqual(new Set(['usable', 'qualified', 'readonly', 'retired', 'pending', 'rejected', null]));
    expect(list.logs.some((l) => l.tiled && l.state === 'usable')).toBe(true);
    expect(list.logs.find((l) => l.description === "Google 'Testtube' log")).toMatchObject({ state: null, logType: 'test' });
  });

  it('reads a given file as source "file"', async () => {
    const path = join(tmp, 'list.json');
    writeFileSync(path, JSON.stringify(doc([{ name: 'Op', logs: [entry()] }])));
    const list = await loadLogList({ path });
    expect(list).toMatchObject({ source: 'file', path, version: '7.1' });
    expect(list.logs).toHaveLength(1);
    expect(list.logs[0]!.key.equals(spki)).toBe(true);
    // --ct-log-list is ReferenceData's path.
    expect(await createReferenceData({ ctLogListPath: path }).ctLogList()).toMatchObject({ ok: true, list: { source: 'file', path, version: '7.1' } });
  });

  it('refuses unreadable, non-JSON and shapeless files with CtLogListError', async () => {
    await expect(loadLogList({ path: join(tmp, 'missing.json') })).rejects.toBeInstanceOf(CtLogListError);
    writeFileSync(join(tmp, 'bad.json'), '{');
    await expect(loadLogList({ path: join(tmp, 'bad.json') })).rejects.toThrow(/not JSON/);
    writeFileSync(join(tmp, 'shape.json'), '[]');
    await expect(loadLogList({ path: join(tmp, 'shape.json') })).rejects.toThrow(/not a JSON object/);
    // Through ReferenceData: no list, with the reason (CT is then "could not test").
    expect(await createReferenceData({ ctLogListPath: join(tmp, 'bad.json') }).ctLogList()).toMatchObject({ ok: false, reason: expect.stringMatching(/not JSON/) });
  });

  it('rejects lists without a timestamp or operators', () => {
    const origin = { source: 'file' as const, path: null };
    expect(parseLogList({ operators: [] }, origin)).toEqual({ ok: false, error: 'log list has no valid log_list_timestamp' });
    expect(parseLogList({ log_list_timestamp: 'yesterday', operators: [] }, origin)).toMatchObject({ ok: false });
    expect(parseLogList({ log_list_timestamp: '2026-01-01T00:00:00Z', operators: {} }, origin)).toEqual({ ok: false, error: 'log list has no operators array' });
  });

  it('skips malformed logs with a warning and keeps the good ones', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    const parsed = parseLogList(
      doc([
        { name: 'Op', logs: [entry(), entry({ description: 'dup' }), entry({ log_id: 'not base64!' }), entry({ key: other.toString('base64'), description: 'mismatch' }), 42] },
        { name: 'Weird', tiled_logs: [entry({ key: other.toString('base64'), log_id: createHash('sha256').update(other).digest('base64'), state: { frozen: {} } })], logs: 'nope' },
        { email: [] },
      ]),
      { source: 'file', path: null },
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.list.logs.map((l) => [l.operator, l.tiled, l.state])).toEqual([
      ['Op', false, 'usable'],
      ['Weird', true, null],
    ]);
    expect(parsed.list.warnings).toEqual([
      'Op / dup: duplicate log_id; first entry kept',
      'Op / Test log: log_id is not 32 bytes of base64',
      'Op / mismatch: log_id is not SHA-256 of its key',
      'Op: a log entry is not an object',
      'Weird: logs is not an array; skipped',
      'Weird / Test log: unrecognised state ["frozen"], treated as none',
      'an operator entry has no name; skipped',
    ]);
  });

  it('knows a log\'s earlier operators', () => {
    const parsed = parseLogList(doc([{ name: 'New', logs: [entry({ previous_operators: [{ name: 'Old', end_time: '2026-03-01T00:00:00Z' }, { name: 'Older' }] })] }]), { source: 'file', path: null });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const log = parsed.list.logs[0]!;
    expect(log.previousOperators.map((p) => p.name)).toEqual(['Old']);
    expect(operatorAt(log, Date.parse('2026-02-01T00:00:00Z'))).toBe('Old');
    expect(operatorAt(log, Date.parse('2026-04-01T00:00:00Z'))).toBe('New');
  });
});
