import { describe, expect, it } from 'vitest';
import { exitCodeFor, gateFailure, UsageError } from '../../src/cli/exit.js';
import { parseScanFlags } from '../../src/cli/options.js';
import type { Report } from '../../src/model/report.js';

describe('parseScanFlags', () => {
  it('accepts the Contract flags', () => {
    const s = parseScanFlags(['example.com', 'https://b.example:8443/x'], {
      ip: ['127.0.0.1', '[::1]'], sni: 'Other.Example', dns: '127.0.0.1:5353', caFile: '/tmp/ca.pem',
      checks: 'tls,cert', format: 'json', timeout: '5000', failOn: 'HIGH', failUnder: 'b',
    });
    expect(s).toMatchObject({
      ips: ['127.0.0.1', '::1'], sni: 'other.example', dns: { host: '127.0.0.1', port: 5353 }, caFile: '/tmp/ca.pem',
      format: 'json', timeoutMs: 5000, failOn: 'high', failUnder: 'B',
    });
    expect([...(s.checks ?? [])]).toEqual(['tls', 'cert']);
    expect(s.targets.map((t) => [t.host, t.port, t.path])).toEqual([['example.com', null, '/'], ['b.example', 8443, '/x']]);
  });
  it('--probes selects probes by id and adds what they depend on, in registry order', () => {
    const s = parseScanFlags(['a.example'], { probes: 'tls-ciphers' });
    expect(s.probes?.map((p) => p.id)).toEqual(['tls-protocols', 'tls-ciphers']);
    expect(parseScanFlags(['a.example'], {}).probes).toBeNull();
  });

  it('infers the format from --output', () => {
    expect(parseScanFlags(['a.example'], { output: 'r.json' }).format).toBe('json');
    expect(parseScanFlags(['a.example'], { output: 'r.ndjson' }).format).toBe('ndjson');
    expect(parseScanFlags(['a.example'], { output: 'r.txt' }).format).toBe('text');
    expect(parseScanFlags(['a.example'], {}).format).toBeNull();
  });
  it.each([
    [[], {}, /no target/],
    [['bad host'], {}, /bad target/],
    [['a.example'], { ip: ['not-an-ip'] }, /--ip "not-an-ip" is not an IP address/],
    [['a.example'], { dns: 'resolver.example' }, /--dns/],
    [['a.example'], { dns: '127.0.0.1:99999' }, /--dns/],
    [['a.example'], { checks: 'tls,bogus' }, /unknown check "bogus"/],
    [['a.example'], { format: 'xml' }, /unknown --format "xml"/],
    [['a.example'], { format: 'sarif' }, /not available in this version yet/],
    [['a.example'], { timeout: '-5' }, /--timeout/],
    [['a.example'], { timeout: '10' }, /--timeout/],
    [['a.example'], { failOn: 'severe' }, /--fail-on/],
    [['a.example'], { failUnder: 'Z' }, /--fail-under/],
    [['a.example'], { failUnder: 'T' }, /--fail-under/],
    [['a.example'], { sni: 'bad name' }, /--sni/],
    [['a.example'], { probes: 'tls-nope' }, /unknown probe "tls-nope"/],
    [['a.example'], { probes: ' , ' }, /no probe named/],
  ])('rejects %j %j', (targets, flags, message) => {
    expect(() => parseScanFlags(targets, flags)).toThrow(UsageError);
    expect(() => parseScanFlags(targets, flags)).toThrow(message);
  });
});

function report(over: Partial<Report> = {}): Report {
  return {
    schema: 'secgrade/report@1', tool: { name: 'secgrade', version: '0.0.0' }, algorithmVersion: 'x',
    target: { host: 'a.example', port: 443 }, status: 'ok', startedAt: '2026-11-22T00:00:00.000Z', durationMs: 1,
    grades: { tls: null, http: null, email: null, overall: null }, probes: [], endpoints: [], http: null, email: null, findings: [], ...over,
  };
}
const f = (severity: Report['findings'][number]['severity']) =>
  ({ id: `x.${severity}`, subject: 'domain:a.example', severity, title: 't', detail: 'd', evidence: {}, remediation: 'r', references: [] });

describe('exit codes', () => {
  it('0 without a gate, 1 for findings at or above --fail-on, 3 for an incomplete scan', () => {
    const r = report({ findings: [f('medium'), f('low')] });
    expect(exitCodeFor([r], { failOn: null, failUnder: null }).code).toBe(0);
    expect(exitCodeFor([r], { failOn: 'high', failUnder: null }).code).toBe(0);
    expect(exitCodeFor([r], { failOn: 'medium', failUnder: null }).code).toBe(1);
    expect(exitCodeFor([r, report({ status: 'error', reason: 'could not resolve' })], { failOn: 'medium', failUnder: null }).code).toBe(3);
  });
  it('--fail-under compares the overall grade; T and M fail like F; no grade fails the gate', () => {
    const graded = (overall: Report['grades']['overall']) => report({ grades: { tls: null, http: null, email: null, overall } });
    expect(gateFailure(graded('A'), { failOn: null, failUnder: 'B' })).toBeNull();
    expect(gateFailure(graded('B'), { failOn: null, failUnder: 'B' })).toBeNull();
    expect(gateFailure(graded('C'), { failOn: null, failUnder: 'B' })).toMatch(/grade C is below B/);
    expect(gateFailure(graded('T'), { failOn: null, failUnder: 'F' })).toBeNull();
    expect(gateFailure(graded('T'), { failOn: null, failUnder: 'E' })).toMatch(/below/);
    expect(gateFailure(graded(null), { failOn: null, failUnder: 'F' })).toMatch(/no grade was computed/);
  });
});
