// The card over the lab's real reports (test/fixtures/reports/lab.ndjson): every accepted suite
// with its key exchange and strength, every point the TLS score lost explained with the grader's
// own table, one labelled HTTP letter, --severity hiding with a count, unbroken URLs, and the
// summary that ends a run of several targets.
import { describe, expect, it } from 'vitest';
import { sslLabsComponents } from '../../src/grade/ssllabs.js';
import { PROTOCOLS } from '../../src/model/constants.js';
import type { Report } from '../../src/model/report.js';
import { arraySource, DEFAULT_RENDER_OPTIONS } from '../../src/render/renderer.js';
import { renderText, textRenderer } from '../../src/render/text.js';
import { linesTooWide } from '../helpers/card-width.js';
import { LAB } from '../helpers/lab-reports.js';

const lab = (prefix: string): Report => LAB.find((r) => r.target.host.startsWith(`${prefix}.`))!;
const text = (reports: Report[], width = 80, minSeverity: Report['findings'][number]['severity'] | null = null) =>
  renderText(reports, { color: false, width, minSeverity });

describe('the text renderer', () => {
  it('streams a batch card by card, ending with the same summary as in memory', async () => {
    const opts = { ...DEFAULT_RENDER_OPTIONS, minSeverity: 'low' as const };
    let streamed = '';
    for await (const chunk of textRenderer.stream!(arraySource(LAB), opts)) streamed += chunk;
    expect(streamed).toBe(textRenderer.render!(LAB, opts));
    expect(streamed).toContain('Summary  17 targets');
  });
});

describe('the card over the lab reports', () => {
  it('has the lab reports to work with', () => {
    expect(LAB.length).toBe(17);
  });

  it.each([80, 160])('lists every accepted suite per protocol with its key exchange and strength (%i columns)', (width) => {
    for (const r of LAB) {
      const out = text([r], width);
      for (const e of r.endpoints) {
        for (const p of [...PROTOCOLS].reverse()) {
          const suites = e.tls.cipherSuites[p] ?? [];
          if (!suites.length) continue;
          const block = out.slice(out.indexOf(`  ${p}     ${suites.length} suite`));
          for (const name of suites) {
            // The suite's row: name, key exchange (with its size, or "kx size unknown"), cipher.
            const row = new RegExp(`^ {4}${name}\\s+(?:ECDHE|DHE|RSA|ECDH)[^\\n]*?(?:\\d+ bits|kx size unknown)\\s+[A-Z0-9-]+`, 'm');
            expect(block, `${r.target.host} ${p} ${name}`).toMatch(row);
          }
        }
      }
      expect(linesTooWide(out, width)).toEqual([]);
    }
    // At 160 columns a protocol's suites are a table: one row each, aligned.
    const legacy = text([lab('legacy')], 160);
    expect(legacy).toMatch(/^ {4}TLS_RSA_WITH_AES_128_CBC_SHA {8}RSA 2048 bits {7}AES-128-CBC {2}no FS$/m);
    expect(legacy).toMatch(/^ {4}TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA {2}ECDHE 253-521 bits {2}AES-128-CBC {2}FS$/m);
    const dhe = text([lab('dhe1024')], 80);
    expect(dhe).toMatch(/^ {4}TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 {2}DHE 1024 bits {2}AES-256-GCM {2}FS$/m);
    expect(dhe).toContain('  DH params   1024 bits  a published group');
    // TLS 1.3 suites negotiate any accepted group: the card says which sizes, not one it cannot know.
    expect(text([lab('good')], 160)).toMatch(/^ {4}TLS_CHACHA20_POLY1305_SHA256 +ECDHE 253-521, FFDHE 2048-8192 bits +CHACHA20-POLY1305 256 bits +FS$/m);
  });

  it('says "kx size unknown" when the report lacks the size, never a guess', () => {
    const r = lab('dhe1024');
    const ep = r.endpoints[0]!;
    const out = text([{ ...r, endpoints: [{ ...ep, tls: { ...ep.tls, dhParameterBits: null } }] }], 160);
    expect(out).toMatch(/^ {4}TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 +DHE, kx size unknown +AES-128-GCM +FS$/m);
    const legacy = lab('legacy');
    const lep = legacy.endpoints[0]!;
    const noGroups = text([{ ...legacy, endpoints: [{ ...lep, tls: { ...lep.tls, groups: null } }] }], 160);
    expect(noGroups).toMatch(/TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA +ECDHE, kx size unknown \(groups not enumerated\)/);
  });

  it('explains every point lost in each TLS category with the grader’s own table', () => {
    for (const r of LAB) {
      const out = text([r], 160);
      for (const e of r.endpoints) {
        const rating = e.tls.rating!;
        // The fixture's scores are what the grader's table gives for its evidence today.
        const again = sslLabsComponents(e.tls);
        expect([again.protocol, again.keyExchange, again.cipherStrength]).toEqual([rating.protocol, rating.keyExchange, rating.cipherStrength]);
        const explained = (label: string, score: number | null) => {
          if (score === null || score === 100) return;
          expect(out, `${r.target.host} ${label}`).toMatch(new RegExp(`^  ${label} +[█░]+ +${score}  -${100 - score}: `, 'm'));
        };
        explained('protocol', rating.protocol);
        explained('key exch\\.', rating.keyExchange);
        explained('cipher', rating.cipherStrength);
        for (const c of rating.caps) expect(out).toContain(`  ${c.grade === 'T' || c.grade === 'M' ? `grade ${c.grade}` : `cap ${c.grade}`}`.padEnd(14) + c.reason);
        if (rating.notAPlus) expect(out).toContain(`  not A+      ${rating.notAPlus}`);
      }
      expect(out).not.toContain('the reason is not in this report');
    }
    const legacy = text([lab('legacy')], 160);
    expect(legacy).toContain('-5: TLSv1.0 (90), TLSv1.1 (95) accepted; (best TLSv1.2 100 + worst 90) / 2');
    expect(legacy).toContain('-10: RSA 2048-bit key (under 4096 bits: 90)');
    expect(legacy).toContain('-10: 128-bit ciphers accepted (AES-128-CBC, AES-128-GCM): 80; strongest 256-bit: 100; (100 + 80) / 2');
    expect(legacy).toContain('  cap B       TLS 1.0 or TLS 1.1 is supported');
    expect(text([lab('dhe1024')], 160)).toContain('-20: DHE 1024-bit parameters (under 2048 bits: 80)');
    expect(text([lab('good')], 160)).toContain('-10: group ffdhe2048, group ffdhe3072 (under 4096 bits: 90)');
    expect(text([lab('expired')], 160)).toContain('  grade T     the certificate chain is not trusted');
  });

  it('shows one HTTP letter and names the other', () => {
    const out = text([lab('expired')], 160);
    const head = out.split('\n').find((l) => l.startsWith('HTTP '))!;
    expect(head).toBe('HTTP  grade C  MDN Observatory score 60, its letter C+');
    expect(out).toContain('(securityheaders.com-style letter A+, not part of the grade)');
    expect(out).not.toContain('securityheaders-style A+');
  });

  it('--severity hides the findings below it and says how many', () => {
    const r = lab('headers-broken');
    const n = (s: string) => r.findings.filter((f) => f.severity === s).length;
    expect(n('low')).toBeGreaterThan(0);
    expect(n('info')).toBeGreaterThan(0);
    const out = text([r], 80, 'medium');
    expect(out).toContain(`  ${n('low')} low and ${n('info')} info findings hidden (--severity medium)\n`);
    expect(out).not.toMatch(/^ {2}(LOW|INFO) /m);
    expect(out.match(/^ {2}(HIGH|MEDIUM) /gm)).toHaveLength(n('high') + n('medium'));
    // The heading still counts every finding.
    expect(out).toContain(`Findings  ${n('high')} high · ${n('medium')} medium · ${n('low')} low · ${n('info')} info`);
    const info = text([r], 80, 'low');
    expect(info).toContain(`  ${n('info')} info findings hidden (--severity low)\n`);
    expect(text([r], 80, 'info')).not.toContain('hidden');
  });

  it('never breaks a reference URL mid-word at 80 columns', () => {
    for (const r of LAB) {
      const lines = text([r], 80).split('\n');
      const shown = r.findings.filter((f) => ['critical', 'high', 'medium'].includes(f.severity));
      for (const url of shown.flatMap((f) => f.references.flatMap((ref) => ref.match(/https?:\/\/[^\s)]+/g) ?? []))) {
        expect(lines.some((l) => l.includes(url)), url).toBe(true);
      }
    }
  });

  it('ends a run of several targets with the summary table', () => {
    const out = text(LAB, 80);
    const summary = out.slice(out.lastIndexOf('\nSummary  ') + 1).trimEnd().split('\n');
    expect(summary[0]).toBe('Summary  17 targets · 17 ok  findings: critical/high/medium/low/info');
    expect(summary[1]).toMatch(/^ {2}target +overall +tls +http +email +findings$/);
    expect(summary).toHaveLength(2 + LAB.length);
    LAB.forEach((r, i) => {
      const g = (x: string | null) => (x ?? '–').replace('+', '\\+');
      const counts = ['critical', 'high', 'medium', 'low', 'info'].map((s) => r.findings.filter((f) => f.severity === s).length).join('/');
      expect(summary[2 + i]).toMatch(new RegExp(`^ {2}${r.target.host}:${r.target.port} +${g(r.grades.overall)} +${g(r.grades.tls)} +${g(r.grades.http)} +${g(r.grades.email)} +${counts}$`));
    });
    // A failed scan gets a status column.
    const failed = { ...lab('good'), status: 'error' as const, reason: 'no endpoint reachable' };
    expect(text([lab('legacy'), failed], 80)).toMatch(/Summary {2}2 targets · 1 ok · 1 failed[^\n]*\n {2}target +overall +tls +http +email +status +findings\n[^\n]*ok[^\n]*\n[^\n]*failed/);
  });
});
