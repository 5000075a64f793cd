// The monitor's Prometheus endpoint: text exposition format 0.0.4 over node:http. Names follow
// blackbox_exporter where it has one, so existing dashboards and alerts work:
//   probe_success{target}                     1 when the last scan completed (status ok), else 0
//   probe_ssl_earliest_cert_expiry{target}    earliest notAfter of the served certificates, unix seconds
//   probe_tls_version_info{target,version}    1 per TLS version negotiated ("TLS 1.3", as blackbox writes it)
// and secgrade's own:
//   secgrade_grade{target,section}            A+ 8, A 7, A- 6, B 5, C 4, D 3, E 2, F 1, T/M 0 (untrusted /
//                                             name mismatch: below F, so `< 1` finds them); no sample when
//                                             the section has no grade (not tested / not decided)
//   secgrade_findings{target,severity}        findings of the last scan, per severity
//   secgrade_scan_duration_seconds{target}    how long the last scan took
//   secgrade_last_scan_timestamp_seconds{target}
//   secgrade_scan_errors_total{target}        counter: scans that did not complete (error or partial)
//   secgrade_schedule_skipped_total{target}   counter: ticks skipped because the previous scan still ran
//   secgrade_alerts_open{target}              alerts open now
// A target not scanned yet has no samples (null is never 0).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SEVERITIES, type GradeLetter, type Report } from '../model/report.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export const GRADE_VALUE: Record<GradeLetter, number> = { 'A+': 8, A: 7, 'A-': 6, B: 5, C: 4, D: 3, E: 2, F: 1, T: 0, M: 0 };
const SECTIONS = ['tls', 'http', 'email', 'ssh', 'overall'] as const;

/** Label values: backslash, double quote and line feed escaped (exposition format). */
export const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** "TLSv1.3" → "TLS 1.3" (blackbox_exporter's probe_tls_version_info labels); SSLv3 → "SSL 3.0". */
export function tlsVersionLabel(p: string): string {
  const m = /^TLSv(\d\.\d)$/.exec(p);
  if (m) return `TLS ${m[1]}`;
  if (p === 'SSLv3') return 'SSL 3.0';
  if (p === 'SSLv2') return 'SSL 2.0';
  return p;
}

interface TargetSample {
  success: number;
  earliestExpiry: number | null;
  tlsVersions: string[];
  grades: Partial<Record<(typeof SECTIONS)[number], number>>;
  findings: Record<string, number>;
  durationSeconds: number;
  lastScan: number;
}

interface Family {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

export class MonitorMetrics {
  private readonly last = new Map<string, TargetSample>();
  private readonly errors = new Map<string, number>();
  private readonly skipped = new Map<string, number>();
  private readonly alerts = new Map<string, number>();

  /** Targets listed from the start: counters show 0 before the first scan (a rate() needs a start). */
  constructor(targets: readonly string[] = []) {
    for (const t of targets) {
      this.errors.set(t, 0);
      this.skipped.set(t, 0);
    }
  }

  /** The target's last report. An interrupted scan (we stopped it) changes nothing. */
  record(target: string, r: Report): void {
    if (r.status === 'interrupted') return;
    if (r.status === 'error' || r.status === 'partial') this.errors.set(target, (this.errors.get(target) ?? 0) + 1);
    const certs = r.endpoints.flatMap((e) => (e.tls.status === 'error' ? [] : e.tls.certificates));
    const expiries = certs.map((c) => Date.parse(c.notAfter)).filter(Number.isFinite);
    const versions = [...new Set(r.endpoints.flatMap((e) => (e.tls.negotiated?.protocol ? [tlsVersionLabel(e.tls.negotiated.protocol)] : [])))].sort();
    const grades: TargetSample['grades'] = {};
    for (const s of SECTIONS) {
      const g = (r.grades as Record<string, GradeLetter | null | undefined>)[s];
      if (g) grades[s] = GRADE_VALUE[g];
    }
    const findings = Object.fromEntries(SEVERITIES.map((s) => [s, r.findings.filter((f) => f.severity === s).length]));
    this.last.set(target, {
      success: r.status === 'ok' ? 1 : 0,
      earliestExpiry: expiries.length ? Math.min(...expiries) / 1000 : null,
      tlsVersions: versions,
      grades,
      findings,
      durationSeconds: r.durationMs / 1000,
      lastScan: Date.parse(r.startedAt) / 1000 + r.durationMs / 1000,
    });
  }

  skippedTick(target: string): void {
    this.skipped.set(target, (this.skipped.get(target) ?? 0) + 1);
  }

  setAlertsOpen(target: string, n: number): void {
    this.alerts.set(target, n);
  }

  render(): string {
    const f = (name: string, type: Family['type'], help: string): Family => ({ name, type, help, samples: [] });
    const success = f('probe_success', 'gauge', 'Whether the last scan of the target completed (1) or not (0)');
    const expiry = f('probe_ssl_earliest_cert_expiry', 'gauge', 'Earliest notAfter of the certificates the target served, in unix seconds');
    const version = f('probe_tls_version_info', 'gauge', 'TLS version negotiated with the target');
    const grade = f('secgrade_grade', 'gauge', 'Grade per section: A+ 8, A 7, A- 6, B 5, C 4, D 3, E 2, F 1, T/M 0; absent when not graded');
    const findings = f('secgrade_findings', 'gauge', 'Findings of the last scan per severity');
    const duration = f('secgrade_scan_duration_seconds', 'gauge', 'Duration of the last scan in seconds');
    const lastScan = f('secgrade_last_scan_timestamp_seconds', 'gauge', 'When the last scan ended, in unix seconds');
    const errors = f('secgrade_scan_errors_total', 'counter', 'Scans that did not complete (error or partial)');
    const skipped = f('secgrade_schedule_skipped_total', 'counter', 'Scheduled scans skipped because the previous scan of the target was still running');
    const alerts = f('secgrade_alerts_open', 'gauge', 'Alerts open for the target');
    for (const [target, s] of [...this.last].sort(([a], [b]) => a.localeCompare(b))) {
      success.samples.push({ labels: { target }, value: s.success });
      if (s.earliestExpiry !== null) expiry.samples.push({ labels: { target }, value: s.earliestExpiry });
      for (const v of s.tlsVersions) version.samples.push({ labels: { target, version: v }, value: 1 });
      for (const [section, value] of Object.entries(s.grades)) grade.samples.push({ labels: { target, section }, value });
      for (const [severity, n] of Object.entries(s.findings)) findings.samples.push({ labels: { target, severity }, value: n });
      duration.samples.push({ labels: { target }, value: s.durationSeconds });
      lastScan.samples.push({ labels: { target }, value: s.lastScan });
    }
    const counter = (fam: Family, m: Map<string, number>): void => {
      for (const [target, n] of [...m].sort(([a], [b]) => a.localeCompare(b))) fam.samples.push({ labels: { target }, value: n });
    };
    counter(errors, this.errors);
    counter(skipped, this.skipped);
    counter(alerts, this.alerts);
    return [success, expiry, version, grade, findings, duration, lastScan, errors, skipped, alerts].map(renderFamily).join('');
  }
}

const number = (v: number): string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

function renderFamily(fam: Family): string {
  let out = `# HELP ${fam.name} ${escapeHelp(fam.help)}\n# TYPE ${fam.name} ${fam.type}\n`;
  for (const s of fam.samples) {
    const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
    out += `${fam.name}${labels ? `{${labels}}` : ''} ${number(s.value)}\n`;
  }
  return out;
}

export interface MetricsServer {
  /** host:port it listens on ([v6]:port). */
  address: string;
  port: number;
  close(): Promise<void>;
}

/** Serves GET /metrics; anything else is 404 (405 for other methods). Bounded: no request body is read. */
export function serveMetrics(metrics: MonitorMetrics, listen: { host: string; port: number }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      const body = metrics.render();
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('secgrade monitor: metrics at /metrics\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      resolve({
        address: a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`,
        port: a.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
