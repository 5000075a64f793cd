// The handshake simulation in the card (text), Markdown and HTML: one row per client with protocol,
// suite, group and certificate, or why it fails; the card keeps within the terminal width.
import { describe, expect, it } from 'vitest';
import type { Report, SimulationEntry } from '../../src/model/report.js';
import { htmlRenderer } from '../../src/render/html/index.js';
import { markdownRenderer } from '../../src/render/markdown.js';
import { DEFAULT_RENDER_OPTIONS, renderToString } from '../../src/render/renderer.js';
import { renderText } from '../../src/render/text.js';
import { linesTooWide } from '../helpers/card-width.js';
import { byHost } from '../helpers/lab-reports.js';

const ec = { keyType: 'EC', keyBits: 256, signatureAlgorithm: 'SHA256withECDSA', fingerprintSha256: 'cd'.repeat(32) };
const SIMULATION: SimulationEntry[] = [
  { client: 'chrome-101-win10', name: 'Chrome', version: '101', platform: 'Windows 10', tier: 'current', status: 'ok', protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', group: 'x25519', keyExchangeBits: 253, certificate: ec },
  { client: 'java-17.0.3', name: 'Java', version: '17.0.3', platform: 'OpenJDK', tier: 'current', status: 'ok', protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_256_GCM_SHA384', group: 'secp384r1', keyExchangeBits: 384, certificate: ec, helloRetry: 'secp384r1' },
  { client: 'ie-8-xp', name: 'IE', version: '8', platform: 'Windows XP', tier: 'obsolete', status: 'ok', protocol: 'TLSv1.0', cipherSuite: 'TLS_RSA_WITH_RC4_128_SHA', group: null, certificate: { ...ec, keyType: 'RSA', keyBits: 2048, fingerprintSha256: 'ef'.repeat(32) } },
  { client: 'ie-8-win7', name: 'IE', version: '8', platform: 'Windows 7', tier: 'obsolete', status: 'failed', protocol: null, cipherSuite: null, group: null, certificate: null, reason: 'the server refused the hello: alert handshake_failure' },
  { client: 'java-7u25', name: 'Java', version: '7u25', platform: '', tier: 'obsolete', status: 'failed', protocol: null, cipherSuite: null, group: null, certificate: null, reason: 'the server refused the hello: alert protocol_version' },
  { client: 'node-20-local', name: 'Node.js', version: '20.20.2', platform: 'OpenSSL 3.0.15', tier: 'current', status: 'untested', protocol: null, cipherSuite: null, group: null, certificate: null, reason: 'connection timed out' },
];

const report = (): Report => {
  const r = byHost('good.secgrade.test');
  r.endpoints[0]!.tls.simulation = SIMULATION;
  return r;
};

describe('handshake simulation in the reports', () => {
  it.each([80, 160])('the card lists each client within %i columns', (width) => {
    const out = renderText([report()], { color: false, width, minSeverity: null });
    expect(linesTooWide(out, width)).toEqual([]);
    expect(out).toMatch(/^ {2}simulation {2}6 clients · 3 connect {2}2 fail {2}1 not tested$/m);
    expect(out).toContain('fails: the server refused the hello: alert protocol_version');
    expect(out).toContain('not tested: connection timed out');
    if (width === 160) {
      // The platform only where two clients share a name and version.
      expect(out).toMatch(/^ {4}Chrome 101 +TLSv1\.3 +TLS_AES_128_GCM_SHA256 +x25519 253 +EC 256$/m);
      expect(out).toMatch(/^ {4}IE 8 Windows XP +TLSv1\.0 +TLS_RSA_WITH_RC4_128_SHA +RSA 2048 +TLSv1\.0; RC4; no forward secrecy$/m);
      expect(out).toMatch(/^ {4}IE 8 Windows 7 +fails: the server refused the hello: alert handshake_failure$/m);
      expect(out).toMatch(/^ {4}Java 17\.0\.3 +TLSv1\.3 +TLS_AES_256_GCM_SHA384 +secp384r1 384 +EC 256 +after a HelloRetryRequest for secp384r1$/m);
    }
  });

  it('Markdown: a table per endpoint', async () => {
    const md = await renderToString(markdownRenderer, [report()], DEFAULT_RENDER_OPTIONS);
    expect(md).toContain('| Client | Result | Protocol | Suite | Key exchange | Certificate | Notes |');
    expect(md).toMatch(/\| Java 7u25 \| \*\*fails\*\* \| +\| +\| +\| +\| the server refused the hello: alert protocol\\?_version \|/);
    expect(md).toContain('`TLS_AES_128_GCM_SHA256`');
  });

  it('HTML: a table under the endpoint, not part of the grade', async () => {
    const html = await renderToString(htmlRenderer, [report()], DEFAULT_RENDER_OPTIONS);
    expect(html).toContain('Handshake simulation (not part of the grade)');
    expect(html).toMatch(/<th scope="row">Chrome 101 Windows 10<\/th><td><span class="tone t-good">connects<\/span><\/td><td>TLSv1\.3<\/td><td><code>TLS_AES_128_GCM_SHA256<\/code><\/td>/);
    expect(html).toContain('<span class="tone t-low">fails</span>');
  });

  it('one certificate for every client: said once, not per row', () => {
    const r = report();
    r.endpoints[0]!.tls.simulation = SIMULATION.filter((e) => e.client !== 'ie-8-xp');
    const out = renderText([r], { color: false, width: 80, minSeverity: null });
    expect(out).toMatch(/^ {2}simulation {2}5 clients · 2 connect {2}2 fail {2}1 not tested {2}certificate EC 256$/m);
    expect(out).toMatch(/^ {4}Chrome 101 +TLSv1\.3 {2}TLS_AES_128_GCM_SHA256 {2}x25519 253$/m);
  });

  it('nothing when the probe did not run', () => {
    const r = byHost('good.secgrade.test');
    expect(renderText([r], { color: false, width: 80, minSeverity: null })).not.toContain('simulation');
  });
});
