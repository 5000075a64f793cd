// `secgrade monitor --once` run after run on one --store, as cron runs it: the alert state is in
// the store, so the expired certificate's alert fires on the first run, is NOT sent again by the
// second (still open, exit 1), and when the certificate was renewed — a second lab serving
// expired.secgrade.test at the same port with a valid certificate — "resolved" is sent once,
// carrying the diff, and the run after it sends nothing and exits 0.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findLabDomain } from '../../src/lab/domains.js';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import { openStore } from '../../src/store/open.js';
import { runBinary } from '../helpers/cli.js';
import { labMonitorDefaults } from '../helpers/lab-flags.js';

const NAME = 'expired.secgrade.test';
const dir = mkdtempSync(join(tmpdir(), 'secgrade-monitor-state-it-'));
const store = join(dir, 'history.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A config over this lab (its DNS server, CA, CT log list): one target, the cert-expiry rule, stdout. */
function config(lab: RunningLab): string {
  const i = lab.info;
  const path = join(dir, 'monitor.yaml');
  writeFileSync(
    path,
    `${labMonitorDefaults(i)}targets:
  - target: ${NAME}
    checks: [tls, cert]
rules:
  - rule: cert-expiry
    days: 21
notify:
  - type: stdout
`,
  );
  return path;
}

const lines = (text: string): Array<Record<string, any>> => (text === '' ? [] : text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>));
const once = (lab: RunningLab) => runBinary(['monitor', config(lab), '--once', '--store', store], { timeoutMs: 90_000 });
const summary = (open: number, fired: number, resolved: number): RegExp =>
  new RegExp(`^secgrade: monitor: 1 target\\(s\\) scanned; ${open} alert\\(s\\) open \\(${fired} fired, ${resolved} resolved this run\\)\\n$`);

describe('secgrade monitor --once: alert state kept in the store between runs', () => {
  it('fires once, stays quiet while open, resolves once after the certificate is renewed', async () => {
    let port: number;
    let key: string;
    const before = await startLab();
    try {
      port = before.info.domains[NAME]!.port;
      const first = await once(before);
      expect(first.code, first.stderr).toBe(1);
      expect(first.stderr).toMatch(summary(1, 1, 0));
      const fired = lines(first.stdout);
      expect(fired).toHaveLength(1);
      expect(fired[0]).toMatchObject({ type: 'alert', state: 'firing', alert: { rule: 'cert-expiry', target: NAME, subject: `endpoint:127.0.0.1:${port}#cert.0`, lastNotifiedAt: null } });
      key = fired[0]!['alert'].key as string;

      // A new process, the same store: the alert is still open and is not sent again.
      const second = await once(before);
      expect(second.code, second.stderr).toBe(1);
      expect(second.stderr).toMatch(summary(1, 0, 0));
      expect(second.stdout).toBe('');
    } finally {
      await before.stop();
    }

    const spec = findLabDomain(NAME)!;
    const after = await startLab({ ports: { [NAME]: port }, overrides: { [NAME]: { certificate: { ...spec.certificate, notBeforeDays: -1, notAfterDays: 90 } } } });
    try {
      expect(after.info.domains[NAME]!.port).toBe(port);
      const third = await once(after);
      expect(third.code, third.stderr).toBe(0);
      expect(third.stderr).toMatch(summary(0, 0, 1));
      const resolved = lines(third.stdout);
      expect(resolved).toHaveLength(1);
      expect(resolved[0]).toMatchObject({ type: 'alert', state: 'resolved', alert: { key, lastNotifiedAt: expect.any(String), resolvedAt: expect.any(String) } });
      // It carries the diff against the last stored report: the certificate changed.
      expect(resolved[0]!['diff']).toMatchObject({ target: NAME, status: 'changed' });

      const fourth = await once(after);
      expect(fourth.code, fourth.stderr).toBe(0);
      expect(fourth.stderr).toMatch(summary(0, 0, 0));
      expect(fourth.stdout).toBe('');
    } finally {
      await after.stop();
    }

    const s = await openStore(store, { mustExist: true });
    try {
      expect(await s.alertState().openAlerts()).toEqual([]);
      expect((await s.history(NAME)).map((e) => e.source)).toEqual(['monitor', 'monitor', 'monitor', 'monitor']);
    } finally {
      await s.close();
    }
  }, 300_000);
});
