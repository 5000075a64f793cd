// A cut-short scan never says more than it saw: scans of the lab stopped at random moments (by the
// user, or by the deadline) end as ok, partial, interrupted or error, and every grade they give is
// either null or the grade of the full scan. Nothing untested leads to a better grade or exit 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/exit.js';
import { createReferenceData } from '../../src/data/reference.js';
import { optionValues } from '../../src/engine/options.js';
import { scanTarget, type ScanOptions } from '../../src/engine/scan.js';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import type { Report } from '../../src/model/report.js';
import { parseTarget } from '../../src/model/target.js';
import { createResolver } from '../../src/net/dns/resolver.js';
import { parseDnsServer } from '../../src/net/dns/resolver.js';
import { smtpPortOption } from '../../src/probes/email/mx-transport.js';
import { httpPortOption } from '../../src/probes/http/site.js';
import { createTrustStore } from '../../src/trust/store.js';
import { expectValidReport } from '../helpers/schema.js';

let lab: RunningLab;
let base: Omit<ScanOptions, 'timeoutMs'>;
const full = new Map<string, Report>();
// A mail domain (its grade needs every MX probe), a legacy server (F caps) and two certificate cases.
const TARGETS = ['mail-weak.secgrade.test', 'legacy.secgrade.test', 'expired.secgrade.test', 'good.secgrade.test'];

beforeAll(async () => {
  lab = await startLab();
  const reference = createReferenceData({ ctLogListPath: lab.info.ctLogList });
  base = {
    resolver: createResolver({ server: parseDnsServer(lab.info.dns) }),
    trust: createTrustStore([lab.caPem], { mozilla: () => reference.mozillaRoots() }),
    reference,
    options: optionValues([
      [httpPortOption, lab.info.httpPort],
      [smtpPortOption, lab.info.smtpPort],
    ]),
  };
  for (const t of TARGETS) full.set(t, await scanTarget(parseTarget(t), { ...base, timeoutMs: 60_000 }));
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

/** Every grade is null or the full scan's; a report that is not ok lists what it misses and never exits 0. */
function expectNoMoreThanSeen(r: Report, target: string): void {
  expectValidReport(r);
  const whole = full.get(target)!;
  expect(whole.status).toBe('ok');
  expect(['ok', 'partial', 'interrupted', 'error']).toContain(r.status);
  for (const k of ['tls', 'http', 'email', 'overall'] as const) {
    if (r.grades[k] !== null) expect(r.grades[k], `${target} ${k} (${r.status})`).toBe(whole.grades[k]);
    else if (whole.grades[k] !== null) expect(r.gradeReasons?.[k], `${target} ${k}: a null grade says why`).toBeTruthy();
  }
  r.endpoints.forEach((e, i) => {
    if (e.grade !== null) expect(e.grade, `${target} endpoint`).toBe(whole.endpoints[i]?.grade);
  });
  if (r.status !== 'ok') {
    expect(exitCodeFor([r], { failOn: null, failUnder: null }).code).toBe(3);
    if (r.status === 'partial') expect(r.incomplete?.length).toBeGreaterThan(0);
  } else {
    // An ok scan is a complete one: it gives exactly the full scan's grades.
    expect(r.grades).toEqual(whole.grades);
  }
}

describe('scans cut short at random moments', () => {
  it('the full scans are complete and graded (the reference)', () => {
    for (const t of TARGETS) {
      const r = full.get(t)!;
      expect(r.status, t).toBe('ok');
      expect(r.grades.overall, t).not.toBeNull();
    }
  });

  it('Ctrl-C at a random moment: interrupted (or done), grades null or the full scan’s (20 runs)', async () => {
    const seen = new Set<string>();
    for (let run = 0; run < 20; run++) {
      const target = TARGETS[run % TARGETS.length]!;
      const stop = new AbortController();
      const at = 50 + Math.floor(Math.random() * Math.max(100, full.get(target)!.durationMs));
      const timer = setTimeout(() => stop.abort(new Error('interrupted')), at);
      const r = await scanTarget(parseTarget(target), { ...base, timeoutMs: 60_000, signal: stop.signal });
      clearTimeout(timer);
      seen.add(r.status);
      expect(['ok', 'interrupted'], `${target} stopped at ${at} ms`).toContain(r.status);
      expectNoMoreThanSeen(r, target);
    }
    expect(seen.has('interrupted')).toBe(true);
  }, 120_000);

  it('a deadline at a random moment: partial (or error, or done), grades null or the full scan’s (20 runs)', async () => {
    const seen = new Set<string>();
    for (let run = 0; run < 20; run++) {
      const target = TARGETS[run % TARGETS.length]!;
      const timeoutMs = 100 + Math.floor(Math.random() * Math.max(200, full.get(target)!.durationMs));
      const r = await scanTarget(parseTarget(target), { ...base, timeoutMs });
      seen.add(r.status);
      expect(['ok', 'partial', 'error'], `${target} with a ${timeoutMs} ms deadline`).toContain(r.status);
      expectNoMoreThanSeen(r, target);
    }
    expect(seen.has('partial')).toBe(true);
  }, 120_000);
});
