import { describe, expect, it } from 'vitest';
import { exitCodeFor, gateFailure, UsageError } from '../../src/cli/exit.js';
import { FORMATS, IMPLEMENTED_FORMATS, parseScanFlags } from '../../src/cli/options.js';
import { rendererById } from '../../src/render/index.js';
import { DEFAULT_MAX_ENDPOINTS } from '../../src/engine/scan.js';
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
  it('--output - is stdout', () => {
    expect(parseScanFlags(['a.example'], { output: '-' })).toMatchObject({ output: null, format: null });
    expect(parseScanFlags(['a.example'], { output: '-', format: 'json' })).toMatchObject({ output: null, format: 'json' });
  });
  it.each([
    ['r.html', 'html'], ['R.HTM', 'html'], ['r.sarif', 'sarif'], ['r.sarif.json', 'sarif'], ['r.md', 'markdown'],
    ['r.markdown', 'markdown'], ['r.csv', 'csv'], ['r.xml', 'junit'], ['r.junit.xml', 'junit'], ['r.JSON', 'json'],
  ])('--output %s is written as %s (the longest matching extension wins)', (output, format) => {
    expect(parseScanFlags(['a.example'], { output }).format).toBe(format);
  });
  it("every format of the Contract has a renderer (tui is the live view)", () => {
    expect(IMPLEMENTED_FORMATS).toEqual(FORMATS);
    for (const f of FORMATS.filter((x) => x !== 'tui')) expect(rendererById(f)?.id, f).toBe(f);
  });
  it('other extensions stay text; an explicit --format wins over the extension', () => {
    for (const output of ['r.txt', 'r.log', 'report', 'dir.html/report']) expect(parseScanFlags(['a.example'], { output }).format).toBe('text');
    expect(parseScanFlags(['a.example'], { output: 'r.jsonl' }).format).toBe('ndjson');
    expect(parseScanFlags(['a.example'], { output: 'r.html', format: 'json' }).format).toBe('json');
  });
  it('--allow-partial, --allow-private and --max-endpoints are passed on', () => {
    expect(parseScanFlags(['a.example'], {})).toMatchObject({ allowPartial: false, allowPrivate: false, maxEndpoints: DEFAULT_MAX_ENDPOINTS });
    expect(parseScanFlags(['a.example'], { allowPartial: true, allowPrivate: true, maxEndpoints: '1000' })).toMatchObject({
      allowPartial: true, allowPrivate: true, maxEndpoints: 1000,
    });
  });
  it.each([
    [[], {}, /no target/],
    [['bad host'], {}, /bad target/],
    [['a.example'], { ip: ['not-an-ip'] }, /--ip "not-an-ip" is not an IP address/],
    [['a.example'], { dns: 'resolver.example' }, /--dns/],
    [['a.example'], { dns: '127.0.0.1:99999' }, /--dns/],
    [['a.example'], { checks: 'tls,bogus' }, /unknown check "bogus"/],
    [['a.example'], { format: 'xml' }, /unknown --format "xml"/],
    [['a.example'], { severity: 'loud' }, /--severity "loud" is not a severity/],
    [['a.example'], { timeout: '-5' }, /--timeout/],
    [['a.example'], { timeout: '10' }, /--timeout/],
    [['a.example'], { failOn: 'severe' }, /--fail-on/],
    [['a.example'], { failUnder: 'Z' }, /--fail-under/],
    [['a.example'], { failUnder: 'T' }, /--fail-under/],
    [['a.example'], { sni: 'bad name' }, /--sni/],
    [['a.example'], { probes: 'tls-nope' }, /unknown probe "tls-nope"/],
    [['a.example'], { probes: ' , ' }, /no probe named/],
    [['a.example'], { maxEndpoints: '0' }, /--max-endpoints "0"/],
    [['a.example'], { maxEndpoints: '1001' }, /--max-endpoints/],
    [['a.example'], { maxEndpoints: '2.5' }, /--max-endpoints/],
    [['a.example'], { maxEndpoints: 'all' }, /--max-endpoints/],
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
    expect(gateFailure(graded(null), { failOn: null, failUnder: 'F' })).toMatch(/no overall grade, so --fail-under F cannot pass/);
    // Section grades do not stand in for an undecided overall: what is untested could still fail it.
    const undecided = report({ grades: { tls: 'A', http: 'A', email: null, overall: null }, gradeReasons: { overall: 'it could be anything from A to F: email not decided' } });
    expect(gateFailure(undecided, { failOn: null, failUnder: 'F' })).toMatch(/no overall grade \(it could be anything from A to F: email not decided\)/);
  });

  it('a partial or interrupted scan exits 3 whatever the gates say, unless --allow-partial (partial only)', () => {
    const partial = report({ status: 'partial', reason: '1 requested check(s) could not be completed: email-mx (timed out)' });
    const interrupted = report({ status: 'interrupted', reason: 'scan interrupted' });
    expect(exitCodeFor([partial], { failOn: null, failUnder: null })).toMatchObject({ code: 3, messages: [expect.stringMatching(/scan partial: 1 requested check/)] });
    expect(exitCodeFor([partial], { failOn: 'critical', failUnder: null, allowPartial: true }).code).toBe(0);
    expect(exitCodeFor([interrupted], { failOn: null, failUnder: null, allowPartial: true }).code).toBe(3);
    expect(exitCodeFor([report({})], { failOn: null, failUnder: null }).code).toBe(0);
  });
});
