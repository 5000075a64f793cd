// The local servers the handshake-simulation tests replay every client profile against (openssl
// s_server configurations and a scripted TLS 1.0 RC4 server), and the simulation of each.
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadClientProfiles } from '../../src/data/client-profiles.js';
import type { SimulationEntry } from '../../src/model/report.js';
import { Writer } from '../../src/net/tls/wire/bytes.js';
import { offerTarget } from '../../src/probes/tls/protocols.js';
import { collectTlsSimulation, type TlsSimulationEvidence } from '../../src/probes/tls/simulation.js';
import { alert, certificate, fakeTlsServer, helloDone, hs, rec } from './fake-tls-server.js';
import type { LocalServers } from './local-servers.js';
import { loopbackContext } from './probe-context.js';

export const SIM_SNI = 'sim.secgrade.test';

/** The s_server configurations every real client is cross-checked against too. */
export const S_SERVERS = ['tls12', 'tls13', 'dhe1024', 'dual', 'p384', 'x448'] as const;

export async function startSimulationServers(local: LocalServers): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  const rsa = local.selfSigned('rsa', 'rsa');
  const ec = local.selfSigned('ec', 'ec');
  const www = ['-cert', rsa.cert, '-key', rsa.key, '-www'];
  ports.tls12 = await local.sServer([...www, '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA']);
  ports.tls13 = await local.sServer([...www, '-tls1_3']);
  ports.dhe1024 = await local.sServer([...www, '-tls1_2', '-cipher', 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-SHA:@SECLEVEL=0', '-dhparam', local.dh1024()]);
  ports.dual = await local.sServer([...www, '-dcert', ec.cert, '-dkey', ec.key]);
  ports.p384 = await local.sServer([...www, '-tls1_3', '-groups', 'secp384r1']);
  ports.x448 = await local.sServer([...www, '-tls1_3', '-groups', 'x448']);
  // OpenSSL 3 cannot serve RC4 or TLS 1.0 with RSA key exchange any more: a scripted server does.
  const der = new X509Certificate(readFileSync(rsa.cert)).raw;
  ports.rc4 = await fakeTlsServer(local, (socket, hello) => {
    if (!hello.suites.includes(0x0005) || hello.version < 0x0301) return void socket.end(alert(40));
    const sh = hs(2, new Writer().u16(0x0301).bytes(randomBytes(32)).vector8(Buffer.alloc(0)).u16(0x0005).u8(0).toBuffer());
    socket.write(rec(22, Buffer.concat([sh, certificate(der), helloDone()]), 0x0301));
  });
  return ports;
}

/** Every profile against the server on `port`, as the probe runs it. */
export async function simulate(port: number): Promise<TlsSimulationEvidence> {
  const { ctx } = loopbackContext(port, { target: { host: SIM_SNI, port, path: '/', sni: SIM_SNI } });
  return collectTlsSimulation(ctx, offerTarget(ctx, ctx.endpoint), loadClientProfiles());
}

/** "<protocol> <IANA suite>" or the status. */
export const outcome = (e: SimulationEntry): string => (e.status === 'ok' ? `${e.protocol} ${e.cipherSuite}` : e.status);

/** "New, TLSv1.2, Cipher is X" in an s_server -www page, as "<protocol> <IANA suite>", or 'failed'. */
export function pageSays(page: string, suiteName: (openssl: string) => string): string {
  const m = /New, (\S+), Cipher is (\S+)/.exec(page);
  return m ? `${m[1]} ${suiteName(m[2]!)}` : 'failed';
}
