import { describe, expect, it } from 'vitest';
import { displayWidth, stripAnsi, truncate } from '../../src/render/style.js';
import { renderText } from '../../src/render/text.js';
import { linesTooWide } from '../helpers/card-width.js';
import { allReports, dualCertReport, emailReport, expiredReport, goodReport, unreachableReport } from './fixtures-reports.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;
const lines = (text: string) => text.split('\n').slice(0, -1);

describe('renderText', () => {
  it('prints the grades, with null grades as "not tested" rather than a letter', () => {
    const out = renderText([goodReport], { color: false });
    expect(out).toContain('good.example:443');
    expect(out).toMatch(/grades\s+overall A {2}tls A\+ {2}http B {2}email – not tested/);
  });

  it('never invents a grade for an unreachable host and shows why the scan failed', () => {
    const out = renderText([unreachableReport], { color: false });
    expect(out).toContain('down.example:8443');
    expect(out).toMatch(/status\s+error: no endpoint reachable: connect ECONNREFUSED/);
    expect(out).toContain('tls         error: connect ECONNREFUSED 203.0.113.9:8443');
    expect(out).not.toMatch(/(overall|tls|http|email|grade) (A\+?|A-|[B-FTM])\b/);
    expect(out.match(/– not tested/g)).toHaveLength(6); // 4 grades + endpoint + HTTP
    expect(out).toContain('Findings  none');
  });

  it('describes each endpoint: negotiated suite, protocols, certificate', () => {
    const out = renderText([goodReport, expiredReport], { color: false });
    expect(out).toContain('Endpoint [2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443  grade A+');
    expect(out).toContain('negotiated  TLSv1.3  TLS_AES_256_GCM_SHA384  alpn h2');
    expect(out).toContain('protocols   accepted TLSv1.3 TLSv1.2  refused TLSv1.1 TLSv1.0 SSLv3 SSLv2');
    expect(out).toContain('protocols   accepted TLSv1.2 TLSv1.1 TLSv1.0  refused TLSv1.3 SSLv3 SSLv2');
    expect(out).toContain('certificate CN=good.example  58 days left  trusted yes  hostname match yes');
    expect(out).toContain('expired 12 days ago');
    expect(out).toContain('trusted no (certificate has expired)');
  });

  it('numbers the chains of a dual-certificate endpoint, with trust, chain, OCSP, revocation and CT per chain; shows CAA', () => {
    const out = renderText([dualCertReport], { color: false }).replace(/\s+/g, ' ');
    expect(out).toContain('cert 1 CN=dual.example EC 256 58 days left trusted yes (ISRG Root X1) hostname match yes chain complete OCSP staple good revocation good (stapled OCSP) CT 2 valid SCTs, compliant');
    expect(out).toContain('cert 2 CN=dual.example RSA 2048 5 days left trusted no (missing-intermediate) hostname match yes chain incomplete OCSP staple none revocation not checked (--no-phone-out) CT 1 valid SCT, not compliant');
    expect(out).toContain('CAA at dual.example issue letsencrypt.org issuer listed yes');
  });

  it('shows the SSL Labs categories as bars, the score, the letter and every reason behind it', () => {
    const ep = goodReport.endpoints[0]!;
    const rating = {
      protocol: 95, keyExchange: 90, cipherStrength: 40, score: 70, scoreLetter: 'B' as const, letter: 'T' as const, ignoringTrust: 'B' as const,
      caps: [{ id: 'ssllabs.cap.cert-untrusted', grade: 'T' as const, reason: 'the certificate chain is not trusted' }, { id: 'ssllabs.cap.tls10-11', grade: 'B' as const, reason: 'TLS 1.0 or TLS 1.1 is supported' }],
      pending: [], warnings: [], notAPlus: null,
    };
    const r = { ...goodReport, endpoints: [{ ...ep, grade: 'T' as const, tls: { ...ep.tls, rating } }] };
    const out = renderText([r], { color: false });
    expect(out).toContain('protocol    █████████░  95');
    expect(out).toContain('cipher      ████░░░░░░  40');
    expect(out).toMatch(/score +70 → B {2}\(30% protocol \+ 30% key exchange \+ 40% cipher\) {2}grade T/);
    // Each cap on its own line with its reason, as the email section lists its caps.
    expect(out).toContain('  grade T     the certificate chain is not trusted\n');
    expect(out).toContain('  cap B       TLS 1.0 or TLS 1.1 is supported\n');
    expect(out).toContain('  if fixed    B if trusted and matching\n');
    // Scores this fixture's evidence does not produce are not explained with invented reasons.
    expect(out).toContain('the reason is not in this report');
  });

  it('shows HTTP status and key headers, and the email summary only when present', () => {
    const good = renderText([goodReport], { color: false });
    expect(good).toContain('response    200  https://www.good.example/  1 redirect');
    expect(good).toContain('headers     strict-transport-security yes  content-security-policy no');
    expect(good).not.toContain('Email');

    const mail = renderText([emailReport], { color: false });
    expect(mail).toContain('Email  grade B');
    expect(mail).toContain('v=spf1 mx include:_spf.mailhost.example ip4:192.0.2.0/24 ~all');
    expect(mail).toContain('DMARC       found  policy quarantine');
    expect(mail).toContain('MX          10 mx1.mail.example STARTTLS DANE mismatch\n');
    expect(mail).toContain('  20 mx2.mail.example STARTTLS\n');
  });

  it('sorts findings by severity and details only critical/high/medium ones', () => {
    const out = lines(renderText([expiredReport], { color: false }));
    const at = (tag: string) => out.findIndex((l) => l.startsWith(`  ${tag}`));
    const order = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(out[at('CRITICAL')]).toBe('  CRITICAL  Certificate expired  tls.cert.expired  198.51.100.7:443');

    const text = out.join('\n');
    expect(text).toContain('            Fix: Renew the certificate and install the new chain;');
    expect(text).toContain('            Ref: RFC 5280 §4.1.2.5');
    expect(text).toContain('Fix: Prefer AEAD suites'); // high
    expect(text).toContain('Ref: RFC 6797'); // medium
    expect(text).not.toContain('Disable TLS 1.0 and 1.1.'); // low: title only
    expect(text).not.toContain('server: nginx'); // info: title only
  });

  it('keeps every line within the width, wrapping long words and values', () => {
    for (const width of [80, 60, 40, 120]) {
      const out = renderText(allReports, { color: false, width });
      expect(linesTooWide(out, width)).toEqual([]);
    }
    // The 90-character crt.sh URL in the critical finding is never broken: at 80 columns it is
    // alone on its line from column 0; at 120 it fits at the detail's indent.
    const url = 'https://crt.sh/?q=7f3a9c0e1d2b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1';
    expect(lines(renderText([expiredReport], { color: false }))).toContain(url);
    expect(renderText([expiredReport], { color: false, width: 120 })).toContain(`\n            ${url}\n`);
    // A URL shorter than the width but too long for the indent moves left just enough, still whole.
    const ref = 'https://developer.mozilla.org/docs/Web/HTTP/Headers/Strict-Transport-Security'; // 77 columns
    const critical = expiredReport.findings.find((f) => f.severity === 'critical')!;
    const r = { ...expiredReport, findings: [{ ...critical, references: [`MDN (${ref})`] }] };
    const out = lines(renderText([r], { color: false }));
    expect(out).toContain(`${' '.repeat(80 - ref.length - 2)}(${ref})`);
  });

  it('emits ANSI colours only when color is true', () => {
    const plain = renderText(allReports, { color: false });
    expect(plain).not.toMatch(ANSI);

    const coloured = renderText(allReports, { color: true });
    expect(coloured).toContain('\u001b[32;1;7m A+ \u001b[0m'); // green badge
    expect(coloured).toContain('\u001b[33;1;7m B \u001b[0m'); // yellow badge
    expect(coloured).toContain('\u001b[31;1;7m T \u001b[0m'); // red badge
    expect(coloured).toContain('\u001b[31mCRITICAL\u001b[0m');
    expect(coloured).toContain('\u001b[33mMEDIUM\u001b[0m');
    expect(coloured).toContain('\u001b[36mLOW\u001b[0m');
    expect(coloured).toContain('\u001b[2mINFO\u001b[0m');
    expect(linesTooWide(coloured, 80)).toEqual([]);
    // Same words either way: colour is decoration only.
    const words = (s: string) => s.replace(/\s+/g, ' ');
    expect(words(stripAnsi(coloured))).toBe(words(plain));
  });

  it('is pure: same output twice, input untouched, blank line between reports', () => {
    const before = JSON.stringify(expiredReport);
    const a = renderText([goodReport, emailReport], { color: false });
    expect(renderText([goodReport, emailReport], { color: false })).toBe(a);
    renderText([expiredReport], { color: true });
    expect(JSON.stringify(expiredReport)).toBe(before);
    expect(a).toContain('\n\nmail.example:443');
    expect(renderText([goodReport], { color: false })).not.toContain('Summary');
    expect(renderText([], { color: false })).toBe('');
  });
});

describe('style helpers', () => {
  it('truncate marks cuts with an ellipsis and respects wide characters', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(displayWidth('証明書')).toBe(6);
    expect(displayWidth(truncate('証明書の有効期限', 7))).toBeLessThanOrEqual(7);
  });
});
