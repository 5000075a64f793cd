// The Prometheus endpoint: its text is read back by a real text-format parser
// (parse-prometheus-text-format, prom2json's output shape): names, types, HELP, values, label
// escaping; and served over HTTP on loopback with the 0.0.4 content type.
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { MonitorMetrics, serveMetrics, tlsVersionLabel, type MetricsServer } from '../../src/monitor/metrics.js';
import type { Report } from '../../src/model/report.js';
import { emailReport, unreachableReport } from './fixtures-reports.js';

interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Array<{ value: string; labels?: Record<string, string> }>;
}
// The package ships no types; its default export parses a whole exposition.
const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

const family = (all: Family[], name: string): Family => {
  const f = all.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} in ${all.map((x) => x.name).join(', ')}`);
  return f;
};
const sample = (f: Family, labels: Record<string, string>): number | undefined => {
  const m = f.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  return m ? Number(m.value) : undefined;
};

let server: MetricsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('metrics text', () => {
  it('blackbox_exporter names and secgrade families, parsed by a Prometheus text parser', () => {
    const m = new MonitorMetrics(['mail.example', 'down.example']);
    m.record('mail.example', emailReport);
    m.record('down.example', unreachableReport);
    m.setAlertsOpen('mail.example', 2);
    m.skippedTick('mail.example');
    const all = parse(m.render());

    expect(family(all, 'probe_success').type).toBe('GAUGE');
    expect(sample(family(all, 'probe_success'), { target: 'mail.example' })).toBe(1);
    expect(sample(family(all, 'probe_success'), { target: 'down.example' })).toBe(0);
    const notAfter = Date.parse(emailReport.endpoints[0]!.tls.certificates[0]!.notAfter) / 1000;
    expect(sample(family(all, 'probe_ssl_earliest_cert_expiry'), { target: 'mail.example' })).toBe(notAfter);
    // No certificate seen: no sample (never a 0 that looks like 1970).
    expect(sample(family(all, 'probe_ssl_earliest_cert_expiry'), { target: 'down.example' })).toBeUndefined();
    expect(sample(family(all, 'probe_tls_version_info'), { target: 'mail.example', version: 'TLS 1.3' })).toBe(1);

    const grade = family(all, 'secgrade_grade');
    expect(sample(grade, { target: 'mail.example', section: 'tls' })).toBe(7); // A
    expect(sample(grade, { target: 'mail.example', section: 'email' })).toBe(5); // B
    expect(sample(grade, { target: 'down.example', section: 'tls' })).toBeUndefined(); // null grade: no sample
    expect(sample(family(all, 'secgrade_findings'), { target: 'mail.example', severity: 'medium' })).toBe(1);
    expect(sample(family(all, 'secgrade_findings'), { target: 'mail.example', severity: 'critical' })).toBe(0);
    expect(sample(family(all, 'secgrade_scan_duration_seconds'), { target: 'mail.example' })).toBe(emailReport.durationMs / 1000);
    const errors = family(all, 'secgrade_scan_errors_total');
    expect(errors.type).toBe('COUNTER');
    expect(sample(errors, { target: 'down.example' })).toBe(1);
    expect(sample(errors, { target: 'mail.example' })).toBe(0);
    expect(sample(family(all, 'secgrade_schedule_skipped_total'), { target: 'mail.example' })).toBe(1);
    expect(sample(family(all, 'secgrade_alerts_open'), { target: 'mail.example' })).toBe(2);
    for (const f of all) expect(f.help.length, f.name).toBeGreaterThan(10);
  });

  it('escapes label values (backslash, double quote, line feed) so they parse back unchanged', () => {
    const weird = 'we"ird\\name\nx';
    const m = new MonitorMetrics();
    m.record(weird, emailReport);
    const text = m.render();
    expect(text).toContain('target="we\\"ird\\\\name\\nx"');
    expect(sample(family(parse(text), 'probe_success'), { target: weird })).toBe(1);
  });

  it('an interrupted scan changes nothing; an error counts once more each time', () => {
    const m = new MonitorMetrics(['t']);
    m.record('t', { ...emailReport, status: 'interrupted' } as Report);
    expect(parse(m.render()).find((f) => f.name === 'probe_success')?.metrics ?? []).toEqual([]);
    m.record('t', unreachableReport);
    m.record('t', unreachableReport);
    expect(sample(family(parse(m.render()), 'secgrade_scan_errors_total'), { target: 't' })).toBe(2);
  });

  it('names TLS versions as blackbox_exporter does', () => {
    expect(['TLSv1.3', 'TLSv1.2', 'TLSv1.0', 'SSLv3'].map(tlsVersionLabel)).toEqual(['TLS 1.3', 'TLS 1.2', 'TLS 1.0', 'SSL 3.0']);
  });
});

describe('metrics endpoint', () => {
  it('serves /metrics on loopback with the 0.0.4 content type; other paths 404, other methods 405', async () => {
    const m = new MonitorMetrics();
    m.record('mail.example', emailReport);
    server = await serveMetrics(m, { host: '127.0.0.1', port: 0 });
    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const res = await fetch(`http://${server.address}/metrics`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sample(family(parse(await res.text()), 'secgrade_grade'), { target: 'mail.example', section: 'overall' })).toBe(5);
    expect((await fetch(`http://${server.address}/nope`, { signal: AbortSignal.timeout(5000) })).status).toBe(404);
    expect((await fetch(`http://${server.address}/metrics`, { method: 'POST', body: 'x', signal: AbortSignal.timeout(5000) })).status).toBe(405);
  });
});
