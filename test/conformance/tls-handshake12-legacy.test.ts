// The raw TLS 1.0–1.2 handshake client (src/net/tls/handshake12/) and the Ticketbleed probe built
// on it, against servers Node's OpenSSL cannot talk to: gnutls-serv RC4-only, 3DES-only and DHE
// with 512- and 480-bit groups, and SunJSSE (`sunjsse-legacy`) for every legacy suite it has:
// export RSA (a 512-bit ServerKeyExchange key) and DHE, single DES, RC4, NULL, anonymous (EC)DH.
// Debian's libssl has no RC4, DES or export suites, and OpenSSL 3 refuses DH groups under 1024 bits
// even at security level 0, so no loopback openssl s_server can stand in for these.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullHandshake12 } from '../../src/net/tls/handshake12/client.js';
import { fetchSessionTicket } from '../../src/net/tls/session-ticket.js';
import { tlsProtocolsProbe } from '../../src/probes/tls/protocols.js';
import { vulnTicketbleedProbe } from '../../src/probes/vuln/ticketbleed.js';
import { loopbackContext, testDeps } from '../helpers/probe-context.js';
import { handshakeSuite } from '../../src/net/tls/handshake12/suites.js';
import { suiteByName } from '../../src/tls/registry/index.js';
import { missingServerTools, SERVER_SPECS, startGnutlsServer, startServer, type StartedServer } from './servers.js';

const IN_CI = Boolean(process.env.CI);
const missing = await missingServerTools('gnutls-legacy');
const missingJava = await missingServerTools('sunjsse-legacy');
if (missing.length && !IN_CI) console.warn('conformance: skipping the raw handshake against gnutls-serv, gnutls-serv not installed (CI would fail here)');

/** Safe primes from `openssl prime -generate -safe`: 480 and 512 bits, generator 2. */
const PRIMES = {
  480: 'FD66AE523AD7D25BBFCD3C3F2024495734372EF0063EB25A2E2B420A644E89CEC2D037AA9E5FD9AEAB84F981EDDF81298E6D15CF930CFBEBC4CD9B8B',
  512: 'C526C02A5DCD073C8774A523B33BE3D5CD3826FD93F03E2F2B19EB8DF54CBCC446401E149CFED5934D7B23716E96B190BADD15881D935C45422ACAE622BC273F',
};

/** DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER } as PEM, for gnutls-serv --dhparams. */
function dhParamsPem(primeHex: string, g = 2): string {
  const len = (n: number): Buffer => (n < 0x80 ? Buffer.from([n]) : Buffer.from([0x81, n]));
  const int = (hex: string): Buffer => {
    let b = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
    if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return Buffer.concat([Buffer.from([0x02]), len(b.length), b]);
  };
  const body = Buffer.concat([int(primeHex), int(g.toString(16))]);
  const der = Buffer.concat([Buffer.from([0x30]), len(body.length), body]);
  return `-----BEGIN DH PARAMETERS-----\n${der.toString('base64')}\n-----END DH PARAMETERS-----\n`;
}

const dir = mkdtempSync(join(tmpdir(), 'secgrade-hs12-gnutls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = 'NONE:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:+COMP-NULL:+SIGN-ALL:+CURVE-ALL';

async function withServer<T>(priority: string, extraArgs: string[], fn: (port: number) => Promise<T>): Promise<T> {
  const server = await startGnutlsServer({ priority, extraArgs });
  try {
    return await fn(server.port);
  } finally {
    await server.stop();
  }
}

async function ticketbleed(port: number) {
  const { ctx } = loopbackContext(port, { connectTimeoutMs: 3000 });
  const protocols = await tlsProtocolsProbe.collect(ctx, testDeps());
  return vulnTicketbleedProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols]]));
}

const signal = new AbortController().signal;

describe.skipIf(missing.length > 0 && !IN_CI)('raw handshake and Ticketbleed against gnutls-serv', () => {
  const cases: Array<[string, string, RegExp, string[]]> = [
    ['RC4-128 only (RSA, SHA-1)', `${BASE}:+ARCFOUR-128:+RSA:+SHA1`, /^TLS_RSA_WITH_RC4_128_SHA$/, []],
    ['RC4-128 only (RSA, MD5)', `${BASE}:+ARCFOUR-128:+RSA:+MD5`, /^TLS_RSA_WITH_RC4_128_MD5$/, []],
    ['3DES only (ECDHE-RSA and RSA)', `${BASE}:+3DES-CBC:+ECDHE-RSA:+RSA:+SHA1`, /^TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA$/, []],
  ];
  it.each(cases)('%s: the raw client completes it; Ticketbleed decides', async (_name, priority, suite) => {
    await withServer(priority, [], async (port) => {
      const raw = await fullHandshake12({ ip: '127.0.0.1', port, timeoutMs: 5000, signal, serverName: null, version: 'TLSv1.2' });
      if (!raw.ok) throw new Error(raw.reason);
      expect(raw.session.suiteName).toMatch(suite);
      expect(raw.session.ticket).not.toBeNull();
      const node = await fetchSessionTicket({ ip: '127.0.0.1', port, servername: null, version: 'TLSv1.2', timeoutMs: 3000, signal });
      expect(node.ok).toBe(false);
      expect(await ticketbleed(port)).toMatchObject({ verdict: 'not-vulnerable', ticketIssued: true, resumed: true, sessionIdEchoed: 1 });
    });
  });

  it.each([480, 512] as const)('DHE with a %i-bit group: completed, Ticketbleed decides', async (bits) => {
    const file = join(dir, `dh${bits}.pem`);
    writeFileSync(file, dhParamsPem(PRIMES[bits]));
    await withServer(`${BASE}:+AES-128-CBC:+DHE-RSA:+SHA1`, ['--dhparams', file], async (port) => {
      const raw = await fullHandshake12({ ip: '127.0.0.1', port, timeoutMs: 5000, signal, serverName: null, version: 'TLSv1.2' });
      if (!raw.ok) throw new Error(raw.reason);
      expect(raw.session).toMatchObject({ suiteName: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', keyExchange: `DH ${bits}` });
      expect(await ticketbleed(port)).toMatchObject({ verdict: 'not-vulnerable', resumed: true });
    });
  });
});

describe.skipIf(missingJava.length > 0 && !IN_CI)('raw handshake against SunJSSE, every legacy suite it accepts', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServer('sunjsse-legacy');
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  const expected = SERVER_SPECS['sunjsse-legacy'].expected.cipherSuites;
  const cases = (['TLSv1.0', 'TLSv1.1', 'TLSv1.2'] as const).flatMap((version) =>
    (expected?.[version] ?? [])
      // Only what the raw client offers (today every suite SunJSSE has here; the next test pins the legacy ones).
      .filter((name) => handshakeSuite(suiteByName(name)?.code ?? -1) !== null)
      .map((name) => [version, name] as const),
  );

  it('covers export, single DES, RC4, NULL and anonymous suites', () => {
    const names = cases.map(([, n]) => n);
    for (const s of ['TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA', 'TLS_RSA_WITH_DES_CBC_SHA', 'TLS_RSA_WITH_RC4_128_SHA', 'TLS_RSA_WITH_NULL_SHA256', 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA']) {
      expect(names).toContain(s);
    }
  });

  it.each(cases)('%s %s: completed, the server\'s Finished verified', async (version, name) => {
    const r = await fullHandshake12({ ip: '127.0.0.1', port: server.port, timeoutMs: 10_000, signal, serverName: null, version, cipherSuites: [suiteByName(name)!.code] });
    if (!r.ok) throw new Error(`${version} ${name}: ${r.reason}`);
    expect(r.session).toMatchObject({ protocol: version, suiteName: name });
    // Export RSA encrypts to the server's temporary 512-bit key, not to the 2048-bit certificate.
    if (/^TLS_RSA_EXPORT_/.test(name)) expect(r.session.keyExchange).toBe('RSA 512');
  });
});
