// A real certificate (edge01.yahoo.co.jp, 2025) with three embedded SCTs from logs in the shipped
// snapshot, checked with the real log keys from data/ct-log-list.json. See fixtures/ct/PROVENANCE.md.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateScts, findEmbeddedSctList } from '../../src/ct/index.js';
import { loadLogList, parseLogList } from '../../src/ct/log-list.js';
import { shippedDataFile } from '../../src/data/paths.js';

const fixture = (name: string) => Buffer.from(new X509Certificate(readFileSync(new URL(`../../fixtures/ct/${name}`, import.meta.url))).raw);
const leafDer = fixture('yahoo-leaf.pem');
const issuerDer = fixture('yahoo-issuer.pem');
const WHILE_VALID = new Date('2025-06-01T00:00:00Z');

describe('real certificate, real logs', () => {
  it('verifies all three embedded SCTs with the snapshot keys', async () => {
    const logList = await loadLogList();
    const result = evaluateScts({ leafDer, issuerDer, tlsExtension: null, ocspSctList: null, logList, now: WHILE_VALID });
    expect(result.parseErrors).toEqual([]);
    expect(result.scts).toEqual([
      { logId: 'DleUvPOuqT4zGyyZB7P3kN+bwj1xMiXdIaklrGHFTiE=', logName: "Google 'Argon2026h1' log", operator: 'Google', logState: 'rejected', source: 'certificate', valid: true, timestamp: '2025-04-15T07:43:33.244Z' },
      { logId: 'lpdkv1VYl633Q4doNwhCd+nwOtX2pPM2bkakPw/KqcY=', logName: "Google 'Xenon2026h1' log", operator: 'Google', logState: 'rejected', source: 'certificate', valid: true, timestamp: '2025-04-15T07:43:35.013Z' },
      { logId: 'GYbUxyiqb/66A294Kk0BkarOLXIxD67OXXBBLSVMx9Q=', logName: "Let's Encrypt 'Oak2026h1'", operator: "Let's Encrypt", logState: 'rejected', source: 'certificate', valid: true, timestamp: '2025-04-15T07:43:36.309Z' },
    ]);
    // In the snapshot these 2026h1 shards are Rejected, so the SCTs no longer count.
    expect(result.policy).toMatchObject({ compliant: false, requiredEmbeddedScts: 3 });
    expect(result.policy.reason).toMatch(/^Not compliant: 0 embedded SCTs count .* needs 3 \(3 valid SCTs left out: log rejected\)\./);
    expect(result.logListDate).toBe('2026-08-20T13:34:57.000Z');
  });

  it('is compliant when those logs were still Usable (three SCTs, two operators, 394-day lifetime)', () => {
    const json = JSON.parse(readFileSync(shippedDataFile('ct-log-list.json'), 'utf8')) as { operators: Array<{ logs?: Array<{ log_id: string; state?: unknown }> }> };
    const ids = new Set(['DleUvPOuqT4zGyyZB7P3kN+bwj1xMiXdIaklrGHFTiE=', 'lpdkv1VYl633Q4doNwhCd+nwOtX2pPM2bkakPw/KqcY=', 'GYbUxyiqb/66A294Kk0BkarOLXIxD67OXXBBLSVMx9Q=']);
    for (const op of json.operators) for (const l of op.logs ?? []) if (ids.has(l.log_id)) l.state = { usable: { timestamp: '2025-01-01T00:00:00Z' } };
    const parsed = parseLogList({ ...json, log_list_timestamp: '2025-05-30T00:00:00Z' }, { source: 'file', path: null });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const result = evaluateScts({ leafDer, issuerDer, tlsExtension: null, ocspSctList: null, logList: parsed.list, now: WHILE_VALID });
    expect(result.policy).toMatchObject({ compliant: true, via: 'embedded', requiredEmbeddedScts: 3, lifetimeDays: 394.3, logListStale: false });
    expect(result.policy.embedded).toEqual({ counted: 3, operators: ["Let's Encrypt", 'Google'].sort(), fromCurrentLog: true });
  });

  it('fails with the wrong issuer or as an x509 entry, as it must', async () => {
    const logList = await loadLogList();
    const wrongIssuer = evaluateScts({ leafDer, issuerDer: leafDer, tlsExtension: null, ocspSctList: null, logList, now: WHILE_VALID });
    expect(wrongIssuer.scts.map((s) => s.valid)).toEqual([false, false, false]);
    const list = findEmbeddedSctList(leafDer);
    if (!list.ok || !list.value) throw new Error('fixture lost its SCTs');
    const asTls = evaluateScts({ leafDer, issuerDer, tlsExtension: list.value, ocspSctList: null, logList, now: WHILE_VALID });
    expect(asTls.scts.filter((s) => s.source === 'tls-extension').map((s) => s.valid)).toEqual([false, false, false]);
  });
});
