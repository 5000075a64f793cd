import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

// Ink colours through chalk, which turns itself off when stdout is not a TTY; force it on (before
// ink is imported) so "no ANSI when color=false" is really tested against a chalk that would colour.
const previousForceColor = vi.hoisted(() => {
  const previous = process.env.FORCE_COLOR;
  process.env.FORCE_COLOR = '1';
  return previous;
});
afterAll(() => {
  if (previousForceColor === undefined) delete process.env.FORCE_COLOR;
  else process.env.FORCE_COLOR = previousForceColor;
});

import { cleanup, render } from 'ink-testing-library';
import { renderText } from '../../src/render/text.js';
import { linesTooWide } from '../helpers/card-width.js';
import { ReportCard, ReportCards } from '../../ui/ReportCard.js';
import { allReports, emailReport, expiredReport, goodReport, unreachableReport } from './fixtures-reports.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

afterEach(() => cleanup());

function frame(node: React.ReactElement): string {
  const { lastFrame } = render(node);
  return lastFrame() ?? '';
}

describe('ReportCard', () => {
  it('shows host:port, letter grades and "not tested" for null grades', () => {
    const out = frame(<ReportCard report={goodReport} color={false} columns={80} />);
    expect(out).toContain('good.example:443');
    expect(out).toMatch(/grades\s+overall A {2}tls A\+ {2}http B {2}email – not tested/);
  });

  it('shows the scan error and invents no grade for an unreachable host', () => {
    const out = frame(<ReportCard report={unreachableReport} color={false} columns={80} />);
    expect(out).toMatch(/status\s+error: no endpoint reachable/);
    expect(out).toContain('error: connect ECONNREFUSED 203.0.113.9:8443');
    expect(out).not.toMatch(/(overall|tls|http|email|grade) (A\+?|A-|[B-FTM])\b/);
    expect(out.match(/not tested/g)).toHaveLength(6);
  });

  it('lists endpoint, HTTP and email details', () => {
    const out = frame(<ReportCards reports={[goodReport, emailReport]} color={false} columns={80} />);
    expect(out).toContain('negotiated  TLSv1.3  TLS_AES_256_GCM_SHA384  alpn h2');
    expect(out).toContain('accepted TLSv1.3 TLSv1.2  refused TLSv1.1 TLSv1.0 SSLv3 SSLv2');
    expect(out).toContain('certificate CN=good.example  58 days left  trusted yes  hostname match yes');
    expect(out).toContain('headers     strict-transport-security yes  content-security-policy no');
    expect(out).toContain('DMARC       found  policy quarantine');
    expect(out).toContain('MX          10 mx1.mail.example STARTTLS DANE mismatch\n');
    expect(out).toContain('  20 mx2.mail.example STARTTLS\n');
    expect(out.split('Email  grade B')).toHaveLength(2); // only the report that has email data
  });

  it('orders findings by severity with detail and remediation for the serious ones', () => {
    const out = frame(<ReportCard report={expiredReport} color={false} columns={80} />);
    const positions = ['CRITICAL  Certificate expired', 'HIGH', 'MEDIUM', 'LOW       TLS 1.0', 'INFO'].map((t) =>
      out.indexOf(`  ${t}`),
    );
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(out).toContain('            Fix: Renew the certificate');
    expect(out).not.toContain('Disable TLS 1.0 and 1.1.');
  });

  it('fits the given width, wrapping long values instead of overflowing', () => {
    for (const columns of [80, 50]) {
      const out = frame(<ReportCards reports={allReports} color={false} columns={columns} />);
      const lines = out.split('\n');
      expect(lines.length).toBeGreaterThan(50);
      expect(linesTooWide(out, columns)).toEqual([]);
    }
  });

  it('hides findings below --severity and says how many; ends several cards with the summary table', () => {
    const out = frame(<ReportCards reports={[goodReport, expiredReport]} color={false} columns={80} minSeverity="high" />);
    expect(out).toContain('CRITICAL  Certificate expired');
    expect(out).not.toContain('LOW       TLS 1.0');
    const n = (s: string) => expiredReport.findings.filter((f) => f.severity === s).length;
    expect(out).toContain(`${n('medium')} medium, ${n('low')} low and ${n('info')} info findings hidden (--severity high)`);
    // The summary is the last thing printed: one row per target.
    const summary = out.slice(out.indexOf('Summary  2 targets'));
    expect(summary).toMatch(/good\.example:443 +A +A\+ +B +– +0\/0\/\d+\/\d+\/\d+/);
    expect(summary).toMatch(/expired\.example:443 +/);
    expect(out.trimEnd().endsWith(summary.trimEnd())).toBe(true);
  });

  it('says the same as the text renderer', () => {
    for (const report of [goodReport, emailReport, unreachableReport]) {
      const ink = frame(<ReportCard report={report} color={false} columns={80} />)
        .split('\n')
        .map((l) => l.trimEnd());
      const text = renderText([report], { color: false }).trimEnd().split('\n');
      expect(ink).toEqual(text);
    }
  });

  it('uses no ANSI codes at all when color is false, and colours when true', () => {
    const plain = frame(<ReportCards reports={allReports} color={false} columns={80} />);
    expect(plain).not.toMatch(ANSI);

    const coloured = frame(<ReportCard report={expiredReport} color={true} columns={80} />);
    expect(coloured).toMatch(ANSI);
    expect(coloured).toMatch(/\u001b\[31m[^\u001b]*CRITICAL/); // red critical tag
    expect(coloured).toMatch(/\u001b\[36m[^\u001b]*LOW/); // blue-ish low tag
    expect(coloured).toMatch(/\u001b\[7m(\u001b\[[\d;]*m)* T /); // inverse grade badge
    expect(linesTooWide(coloured, 80)).toEqual([]);
  });
});
