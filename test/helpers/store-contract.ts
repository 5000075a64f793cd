// The history store's contract, one suite run against every backend (SQLite in
// test/unit/store-sqlite.test.ts, PostgreSQL in test/services/store-postgres.test.ts): what diff and
// monitor rely on must mean the same on both.
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import type { AlertRecord } from '../../src/monitor/types.js';
import { MIGRATIONS, PG_SCHEMA, type Migration } from '../../src/store/migrations.js';
import type { OpenStoreOptions } from '../../src/store/open.js';
import { StoreError, type Store } from '../../src/store/types.js';
import { emailReport, expiredReport, goodReport, unreachableReport } from '../unit/fixtures-reports.js';

export interface StoreHarness {
  /** A new, empty store location (a file path, a database URL). */
  fresh(): Promise<string>;
  open(spec: string, opts?: OpenStoreOptions): Promise<Store>;
}

/** A copy of a fixture report that started `minutes` after 2026-01-01T00:00Z (and, optionally, other grades). */
export function at(report: Report, minutes: number, over: Partial<Report> = {}): Report {
  return { ...structuredClone(report), startedAt: new Date(Date.UTC(2026, 0, 1) + minutes * 60_000).toISOString(), ...over };
}

/** An open alert as the monitor's state machine writes it, at fixed times (data, not the clock). */
function alert(key: string, target: string, over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    key,
    rule: 'grade-dropped',
    target,
    subject: 'grade.tls',
    severity: 'medium',
    summary: 'tls grade dropped A → B',
    changes: [{ what: 'grade.tls', before: 'A', after: 'B' }],
    baseline: { before: 'A' },
    openedAt: '2026-01-01T00:00:00.000Z',
    lastSeenAt: '2026-01-01T00:00:00.000Z',
    lastNotifiedAt: null,
    resolvedAt: null,
    ...over,
  };
}

/** A migration after the real ones, in both dialects: a table (a second CREATE would fail) and a change to existing rows. */
function probeMigration(version: number, extra = ''): Migration {
  return {
    version,
    name: 'test: a later migration',
    sqlite: `CREATE TABLE mig_probe (x INTEGER PRIMARY KEY); UPDATE reports SET status = 'partial'; ${extra}`,
    postgres: `CREATE TABLE ${PG_SCHEMA}.mig_probe (x INTEGER PRIMARY KEY); UPDATE ${PG_SCHEMA}.reports SET status = 'partial'; ${extra}`,
  };
}

export function storeContract(name: string, harness: () => StoreHarness): void {
  describe(`history store contract: ${name}`, () => {
    const withStore = async (f: (store: Store, spec: string) => Promise<void>): Promise<void> => {
      const h = harness();
      const spec = await h.fresh();
      const store = await h.open(spec);
      try {
        await f(store, spec);
      } finally {
        await store.close();
      }
    };

    it('gives back every report as saved, and lists runs, targets and a run’s reports', async () => {
      await withStore(async (store) => {
        const reports = [goodReport, expiredReport, emailReport, unreachableReport];
        for (const r of reports) expect((await store.saveReport(r, { runId: 'run-1', source: 'batch' })).saved).toBe(true);
        expect((await store.saveReport(at(goodReport, 10), { runId: 'run-2', source: 'scan' })).saved).toBe(true);

        expect(await store.report('run-1', 'good.example')).toEqual(goodReport);
        expect(await store.report('run-1', 'down.example:8443')).toEqual(unreachableReport);
        expect(await store.report('run-2', 'good.example')).toEqual(at(goodReport, 10));
        expect(await store.report('run-2', 'expired.example')).toBeNull();
        expect(await store.report('no-such-run', 'good.example')).toBeNull();

        // By target name, whatever order they were saved in.
        expect(await store.runReports('run-1')).toEqual([unreachableReport, expiredReport, goodReport, emailReport]);
        expect(await store.runReports('no-such-run')).toEqual([]);

        const last = await store.lastReports('good.example', 5);
        expect(last).toEqual([at(goodReport, 10), goodReport]);
        expect(await store.lastReports('good.example', 1)).toEqual([at(goodReport, 10)]);
        expect(await store.lastReports('nobody.example', 3)).toEqual([]);

        expect((await store.targets()).map((t) => [t.name, t.reports])).toEqual([
          ['down.example:8443', 1],
          ['expired.example', 1],
          ['good.example', 2],
          ['mail.example', 1],
        ]);
        expect(await store.target('good.example')).toEqual({
          name: 'good.example',
          reports: 2,
          firstStartedAt: new Date(goodReport.startedAt).toISOString(),
          lastStartedAt: at(goodReport, 10).startedAt,
        });
        expect(await store.target('nobody.example')).toBeNull();

        const runs = await store.runs();
        expect(runs.map((r) => r.runId)).toEqual(['run-2', 'run-1']);
        expect(runs[1]).toEqual({
          runId: 'run-1',
          source: 'batch',
          // The earliest of its reports.
          startedAt: new Date(Math.min(...reports.map((r) => Date.parse(r.startedAt)))).toISOString(),
          reports: 4,
          targets: 4,
          byStatus: { ok: 3, error: 1 },
        });
        expect(runs[0]).toMatchObject({ source: 'scan', reports: 1, targets: 1, byStatus: { ok: 1 } });
        expect(await store.runs({ limit: 1 })).toHaveLength(1);
      });
    });

    it('keeps one row when the same job is saved again, also when saves race', async () => {
      await withStore(async (store) => {
        const first = await store.saveReport(goodReport, { runId: 'r', source: 'worker', jobKey: 'good.example|abc|r' });
        expect(first).toEqual({ saved: true, key: 'good.example|abc|r', target: 'good.example' });
        // A second result of that job (a retried worker) with other grades: the first stays.
        const again = await store.saveReport(at(goodReport, 5, { grades: { tls: 'F', http: 'F', email: null, overall: 'F' } }), { runId: 'r', source: 'worker', jobKey: 'good.example|abc|r' });
        expect(again.saved).toBe(false);
        expect(await store.history('good.example')).toHaveLength(1);
        expect((await store.report('r', 'good.example'))?.grades.overall).toBe('A');

        // Without a job key: the report's job.key, else target|run.
        const withJob = { ...at(emailReport, 1), job: { key: 'mail.example|h|r2', runId: 'r2', input: 'mail.example' } };
        expect((await store.saveReport(withJob, { runId: 'r2', source: 'batch' })).key).toBe('mail.example|h|r2');
        expect((await store.saveReport(withJob, { runId: 'r2', source: 'batch' })).saved).toBe(false);
        expect((await store.saveReport(expiredReport, { runId: 'r3', source: 'scan' })).key).toBe('expired.example|r3');
        expect((await store.saveReport(expiredReport, { runId: 'r3', source: 'scan' })).saved).toBe(false);

        const raced = await Promise.all(Array.from({ length: 6 }, () => store.saveReport(at(unreachableReport, 7), { runId: 'r4', source: 'worker', jobKey: 'k-race' })));
        expect(raced.filter((r) => r.saved)).toHaveLength(1);
        expect(await store.history('down.example:8443')).toHaveLength(1);
        expect((await store.runs()).find((r) => r.runId === 'r4')?.reports).toBe(1);
      });
    });

    it('lists history newest first with grades per section and findings by severity, by --since and --limit', async () => {
      await withStore(async (store) => {
        // Saved out of order: the order is the reports' start times.
        await store.saveReport(at(expiredReport, 20), { runId: 'b', source: 'monitor' });
        await store.saveReport(at(goodReport, 0), { runId: 'a', source: 'monitor' });
        await store.saveReport(at(unreachableReport, 40, { target: { host: 'expired.example', port: 443 } }), { runId: 'c', source: 'monitor' });
        await store.saveReport(at(goodReport, 30, { target: { host: 'expired.example', port: 443 } }), { runId: 'd', source: 'scan' });
        // Another target: not in this history.
        await store.saveReport(at(emailReport, 50), { runId: 'd', source: 'scan' });

        const all = await store.history('expired.example');
        expect(all.map((h) => h.runId)).toEqual(['c', 'd', 'b']);
        const [down, good, expired] = all;
        expect(expired).toEqual({
          runId: 'b',
          source: 'monitor',
          jobKey: 'expired.example|b',
          target: 'expired.example',
          status: 'ok',
          reason: null,
          startedAt: at(expiredReport, 20).startedAt,
          durationMs: expiredReport.durationMs,
          grades: { tls: 'T', http: 'D', email: null, overall: 'T' },
          findings: {
            critical: expiredReport.findings.filter((f) => f.severity === 'critical').length,
            high: expiredReport.findings.filter((f) => f.severity === 'high').length,
            medium: expiredReport.findings.filter((f) => f.severity === 'medium').length,
            low: expiredReport.findings.filter((f) => f.severity === 'low').length,
            info: expiredReport.findings.filter((f) => f.severity === 'info').length,
          },
          toolVersion: expiredReport.tool.version,
          algorithmVersion: expiredReport.algorithmVersion,
        });
        expect(expired!.findings.critical).toBeGreaterThan(0);
        expect(good).toMatchObject({ source: 'scan', grades: { tls: 'A+', http: 'B', email: null, overall: 'A' }, findings: { critical: 0, high: 0, medium: 0, low: 1, info: 1 } });
        // A scan that tested nothing: every grade null (a gap, never a pass), its reason kept.
        expect(down).toMatchObject({ status: 'error', reason: unreachableReport.reason ?? null, grades: { tls: null, http: null, email: null, overall: null } });

        expect((await store.history('expired.example', { since: new Date(at(goodReport, 30).startedAt) })).map((h) => h.runId)).toEqual(['c', 'd']);
        expect((await store.history('expired.example', { since: new Date(at(goodReport, 31).startedAt) })).map((h) => h.runId)).toEqual(['c']);
        expect(await store.history('expired.example', { since: new Date(at(goodReport, 41).startedAt) })).toEqual([]);
        expect((await store.history('expired.example', { limit: 2 })).map((h) => h.runId)).toEqual(['c', 'd']);
        expect(await store.history('nobody.example')).toEqual([]);
      });
    });

    it('names targets as a batch does: job.input, else host, the port the user gave, the path', async () => {
      await withStore(async (store) => {
        const named = async (over: Partial<Report>) => (await store.saveReport(at(goodReport, 0, over), { runId: `n-${Math.random()}`, source: 'scan' })).target;
        expect(await named({ target: { host: 'a.example', port: 443, portSource: 'default' } })).toBe('a.example');
        expect(await named({ target: { host: 'a.example', port: 443, portSource: 'target' } })).toBe('a.example:443');
        expect(await named({ target: { host: 'a.example', port: 8443, portSource: 'dns-https-record' } })).toBe('a.example');
        expect(await named({ target: { host: 'a.example', port: 8443 } })).toBe('a.example:8443');
        expect(await named({ target: { host: '2001:db8::1', port: 8443, portSource: 'target' } })).toBe('[2001:db8::1]:8443');
        expect(await named({ target: { host: 'a.example', port: 443, portSource: 'default', url: 'https://a.example:443/login?x=1' } })).toBe('a.example/login?x=1');
        expect(await named({ job: { key: 'k', runId: 'r', input: 'listed.example:8443' } })).toBe('listed.example:8443');
        expect((await store.targets()).map((t) => t.name)).toEqual(['[2001:db8::1]:8443', 'a.example', 'a.example/login?x=1', 'a.example:443', 'a.example:8443', 'listed.example:8443']);
      });
    });

    it('keeps the monitor’s alerts: opens once per key, touches, marks notified, resolves, lists the open ones', async () => {
      await withStore(async (store) => {
        const state = store.alertState();
        const a = alert('grade-dropped|a.example|grade.tls', 'a.example');
        // No baseline, a JSON null inside the changes, another target.
        const b = alert('new-finding|b.example|x@y', 'b.example', { rule: 'new-finding', subject: 'x@y', severity: 'high', changes: [{ what: 'x@y', before: null, after: { n: 1 } }] });
        delete b.baseline;
        expect(await state.open(a)).toBe(true);
        expect(await state.open(b)).toBe(true);
        // Opening an open key again writes nothing: the first record stays.
        expect(await state.open({ ...a, summary: 'another wording', openedAt: '2026-01-02T00:00:00.000Z' })).toBe(false);
        expect(await state.openAlerts()).toEqual([a, b]);
        expect(await state.openAlerts('b.example')).toEqual([b]);
        expect('baseline' in (await state.openAlerts('b.example'))[0]!).toBe(false);
        expect(await state.openAlerts('nobody.example')).toEqual([]);

        // Opens that race (two monitors on one store): one wins.
        const c = alert('scan-failing|c.example|scan', 'c.example', { rule: 'scan-failing', subject: 'scan' });
        const raced = await Promise.all(Array.from({ length: 6 }, () => state.open(c)));
        expect(raced.filter(Boolean)).toHaveLength(1);
        expect(await state.openAlerts('c.example')).toHaveLength(1);

        const update = { severity: 'high' as const, summary: 'tls grade dropped A → F', changes: [{ what: 'grade.tls', before: 'A', after: 'F' }] };
        await state.touch(a.key, '2026-01-01T01:00:00.000Z', update);
        await state.markNotified(a.key, '2026-01-01T00:00:05.123Z');
        const touched = { ...a, ...update, lastSeenAt: '2026-01-01T01:00:00.000Z', lastNotifiedAt: '2026-01-01T00:00:05.123Z' };
        expect(await state.openAlerts('a.example')).toEqual([touched]);

        const closed = await state.resolve(a.key, '2026-01-01T02:00:00.000Z');
        expect(closed).toEqual({ ...touched, resolvedAt: '2026-01-01T02:00:00.000Z' });
        expect(await state.resolve(a.key, '2026-01-01T03:00:00.000Z')).toBeNull();
        expect(await state.resolve('no|such|key', '2026-01-01T03:00:00.000Z')).toBeNull();
        // A resolved alert is neither listed, touched nor marked again.
        await state.touch(a.key, '2026-01-01T04:00:00.000Z', update);
        await state.markNotified(a.key, '2026-01-01T04:00:00.000Z');
        expect((await state.openAlerts()).map((x) => x.key)).toEqual([b.key, c.key]);
        // The condition came back: a new episode of the same key opens.
        const again = { ...a, openedAt: '2026-01-01T05:00:00.000Z', lastSeenAt: '2026-01-01T05:00:00.000Z' };
        expect(await state.open(again)).toBe(true);
        expect(await state.openAlerts('a.example')).toEqual([again]);
      });
    });

    it('prunes alerts resolved before a time, never an open one', async () => {
      await withStore(async (store) => {
        const state = store.alertState();
        const old = alert('grade-dropped|old.example|grade.tls', 'old.example');
        const recent = alert('grade-dropped|recent.example|grade.tls', 'recent.example');
        const open = alert('grade-dropped|open.example|grade.tls', 'open.example', { openedAt: '2025-01-01T00:00:00.000Z', lastSeenAt: '2025-01-01T00:00:00.000Z' });
        for (const x of [old, recent, open]) expect(await state.open(x)).toBe(true);
        await state.resolve(old.key, '2026-01-01T00:00:00.000Z');
        await state.resolve(recent.key, '2026-03-01T00:00:00.000Z');
        expect(await state.pruneResolved('2026-02-01T00:00:00.000Z')).toBe(1);
        expect(await state.pruneResolved('2026-02-01T00:00:00.000Z')).toBe(0);
        // The open one (older than both) stays, and the recent episode is still closed (not reopened).
        expect((await state.openAlerts()).map((a) => a.key)).toEqual([open.key]);
        expect(await state.resolve(recent.key, '2026-03-02T00:00:00.000Z')).toBeNull();
        expect(await state.pruneResolved('2026-12-01T00:00:00.000Z')).toBe(1);
        expect((await state.openAlerts()).map((a) => a.key)).toEqual([open.key]);
      });
    });

    it('keeps alert state across close and reopen (a monitor restart)', async () => {
      const h = harness();
      const spec = await h.fresh();
      const first = await h.open(spec);
      const a = alert('grade-dropped|a.example|grade.tls', 'a.example', { lastNotifiedAt: '2026-01-01T00:00:01.000Z' });
      const undelivered = alert('cert-expiry|a.example|endpoint:192.0.2.1:443#cert.0', 'a.example', { rule: 'cert-expiry', subject: 'endpoint:192.0.2.1:443#cert.0', baseline: null });
      const gone = alert('hsts-weakened|a.example|url:https://a.example/', 'a.example', { rule: 'hsts-weakened', subject: 'url:https://a.example/' });
      for (const x of [a, undelivered, gone]) expect(await first.alertState().open(x)).toBe(true);
      await first.alertState().resolve(gone.key, '2026-01-01T00:30:00.000Z');
      await first.close();

      const second = await h.open(spec);
      try {
        // Open, with baselines (a null one too) and whether "firing" was delivered.
        expect(await second.alertState().openAlerts('a.example')).toEqual([a, undelivered]);
        expect(await second.alertState().open(a)).toBe(false);
        expect(await second.alertState().resolve(a.key, '2026-01-01T01:00:00.000Z')).toMatchObject({ key: a.key, lastNotifiedAt: a.lastNotifiedAt, resolvedAt: '2026-01-01T01:00:00.000Z' });
        expect(await second.alertState().openAlerts()).toEqual([undelivered]);
      } finally {
        await second.close();
      }
    });

    it('applies a later migration once, in a transaction, and refuses a store of a newer secgrade', async () => {
      const h = harness();
      const spec = await h.fresh();
      const v1 = await h.open(spec);
      await v1.saveReport(goodReport, { runId: 'old', source: 'scan' });
      await v1.close();

      // A migration that fails half-way leaves the store as it was (its table was not kept).
      await expect(h.open(spec, { migrations: [...MIGRATIONS, probeMigration(MIGRATIONS.length + 1, 'SELECT no_such_function();')] })).rejects.toBeInstanceOf(StoreError);
      const still = await h.open(spec);
      expect((await still.history('good.example'))[0]?.status).toBe('ok');
      await still.close();

      const later = [...MIGRATIONS, probeMigration(MIGRATIONS.length + 1)];
      const v2 = await h.open(spec, { migrations: later });
      // It ran on the rows already there …
      expect((await v2.history('good.example'))[0]?.status).toBe('partial');
      await v2.saveReport(at(goodReport, 1), { runId: 'new', source: 'scan' });
      await v2.close();
      // … and only once: opening again does not run it (its CREATE TABLE would fail, its UPDATE would change the new row).
      const again = await h.open(spec, { migrations: later });
      expect((await again.history('good.example')).map((e) => e.status)).toEqual(['ok', 'partial']);
      await again.close();

      // This secgrade (MIGRATIONS) opening the store a newer one migrated: refused, in one line.
      const refused = await h.open(spec).then(
        () => null,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(StoreError);
      expect((refused as StoreError).kind).toBe('usage');
      expect((refused as StoreError).message).toMatch(new RegExp(`written by a newer secgrade \\(schema version ${later.length}; this version knows up to ${MIGRATIONS.length}\\)`));
      expect((refused as StoreError).message).not.toContain('\n');
    });
  });
}
