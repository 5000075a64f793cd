// tls-features against gnutls-serv, the one installable server that can be configured with the
// heartbeat extension, without RFC 5746 secure renegotiation and without extended master secret.
// (gnutls-serv binds every address, so startGnutlsServer keeps it in a private network namespace.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSecgrade } from './peers.js';
import { missingServerTools, startGnutlsServer } from './servers.js';

const IN_CI = Boolean(process.env.CI);
const missing = await missingServerTools('gnutls-legacy'); // gnutls-serv, unshare, ip
if (missing.length && !IN_CI) console.warn('conformance: skipping gnutls tls-features test, gnutls-serv not installed (CI would fail here)');

describe.skipIf(missing.length > 0 && !IN_CI)('tls-features against gnutls-serv', () => {
  let server: Awaited<ReturnType<typeof startGnutlsServer>>;
  beforeAll(async () => {
    server = await startGnutlsServer({
      priority: 'NORMAL:-VERS-ALL:+VERS-TLS1.2:%DISABLE_SAFE_RENEGOTIATION:%NO_SESSION_HASH',
      extraArgs: ['--heartbeat'],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('heartbeat offered, no RFC 5746, no EMS: each seen and reported', async () => {
    const run = await runSecgrade(server.host, server.port, { probes: ['tls-features'] });
    const tls = run.report.endpoints?.[0]?.tls as { features?: Record<string, unknown> } | undefined;
    expect(tls).toBeDefined();
    expect(tls?.features).toMatchObject({
      secureRenegotiation: false,
      extendedMasterSecret: false,
      heartbeat: true,
      compression: false,
      sessionTickets: true,
    });
    const ids = (run.report as { findings: Array<{ id: string }> }).findings.map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining([
      'tls.feature.heartbeat', 'tls.feature.no-extended-master-secret', 'tls.feature.no-secure-renegotiation',
    ]));
  });
});
