/**
 * The DHE modulus beyond its size, against real `openssl s_server -dhparam FILE` on 127.0.0.1:
 * X9.42 parameters (p prime, (p-1)/2 not: `openssl genpkey -genparam -algorithm DHX`, rewritten
 * as PKCS#3 DH PARAMETERS, the only form s_server reads) and a composite modulus written as DH
 * PARAMETERS by the test (OpenSSL 3's s_server serves it; only `openssl dhparam -check` refuses it).
 */
import { generatePrimeSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scanTarget } from '../../src/engine/scan.js';
import { parseTarget } from '../../src/model/target.js';
import { createResolver } from '../../src/net/dns/resolver.js';
import { tlsCiphersProbe } from '../../src/probes/tls/ciphers.js';
import { tlsGroupsProbe } from '../../src/probes/tls/groups.js';
import { tlsProtocolsProbe } from '../../src/probes/tls/protocols.js';
import { checkTlsGroups } from '../../src/tls/groups.js';
import { createTrustStore } from '../../src/trust/store.js';
import { LocalServers } from '../helpers/local-servers.js';
import { loopbackContext, testDeps, testReference } from '../helpers/probe-context.js';
import { expectValidReport } from '../helpers/schema.js';

const local = new LocalServers('dh-prime');
let rsa: { key: string; cert: string };
let x942: string;
let composite: string;

/** DER of a non-negative INTEGER / a SEQUENCE (short and two-byte lengths: enough for DH parameters). */
const der = (tag: number, body: Buffer): Buffer => {
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
};
const integer = (v: bigint): Buffer => {
  let h = v.toString(16);
  if (h.length % 2) h = `0${h}`;
  const b = Buffer.from(h, 'hex');
  return der(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
};

/** PKCS#3 DH PARAMETERS (p, g), the form `s_server -dhparam` reads, as a file in the temp dir. */
function dhParamsFile(name: string, p: bigint, g: bigint): string {
  const b64 = der(0x30, Buffer.concat([integer(p), integer(g)])).toString('base64');
  const path = join(local.dir, name);
  writeFileSync(path, `-----BEGIN DH PARAMETERS-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END DH PARAMETERS-----\n`);
  return path;
}

/** The first two INTEGERs (p, g) of an X9.42 DomainParameters SEQUENCE { p, g, q, … } in PEM. */
function x942pg(pem: string): [bigint, bigint] {
  const d = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const lengthAt = (i: number): [number, number] => {
    const first = d[i]!;
    if (first < 0x80) return [first, i + 1];
    const n = first & 0x7f;
    return [d.subarray(i + 1, i + 1 + n).reduce((a, b) => a * 256 + b, 0), i + 1 + n];
  };
  let [, i] = lengthAt(1); // inside the SEQUENCE
  const ints: bigint[] = [];
  while (ints.length < 2) {
    const [len, start] = lengthAt(i + 1);
    ints.push(BigInt(`0x${d.subarray(start, start + len).toString('hex')}`));
    i = start + len;
  }
  return [ints[0]!, ints[1]!];
}

beforeAll(() => {
  rsa = local.selfSigned('rsa', 'rsa', 'dh.secgrade.test');
  // s_server does not read the X9.42 form ("unexpected parameters type"): rewrite it as PKCS#3.
  local.openssl(['genpkey', '-genparam', '-algorithm', 'DHX', '-pkeyopt', 'dh_paramgen_prime_len:2048', '-pkeyopt', 'dh_paramgen_subprime_len:224', '-out', 'x942.pem']);
  x942 = dhParamsFile('x942-pkcs3.pem', ...x942pg(readFileSync(join(local.dir, 'x942.pem'), 'utf8')));
  // p the product of two 1024-bit primes.
  composite = dhParamsFile('composite.pem', generatePrimeSync(1024, { bigint: true }) * generatePrimeSync(1024, { bigint: true }), 2n);
});
afterAll(() => local.stop());
afterEach(async () => {
  await local.killChildren();
  await local.closeServers();
});

/** s_server with DHE suites only, TLS 1.2, these DH parameters. */
const dheServer = (dhparam: string): Promise<number> =>
  local.sServer(['-www', '-key', rsa.key, '-cert', rsa.cert, '-dhparam', dhparam, '-tls1_2', '-cipher', 'DHE:@SECLEVEL=0']);

async function groupsOf(port: number) {
  const { ctx } = loopbackContext(port, { connectTimeoutMs: 3000 });
  const protocols = await tlsProtocolsProbe.collect(ctx, testDeps());
  const ciphers = await tlsCiphersProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols]]));
  return tlsGroupsProbe.collect(ctx, testDeps([[tlsProtocolsProbe, protocols], [tlsCiphersProbe, ciphers]]));
}

describe('DH parameters served by openssl s_server', () => {
  it('X9.42 parameters (2048-bit p, 224-bit q): prime but not safe → tls.kx.dh-not-safe-prime (medium)', async () => {
    const ev = await groupsOf(await dheServer(x942));
    expect(ev.dhPrimeBits).toBe(2048);
    const f = checkTlsGroups(ev).find((x) => x.id === 'tls.kx.dh-not-safe-prime');
    expect(f).toMatchObject({ severity: 'medium', evidence: { dhPrime: 'not-safe', dhPrimeBits: 2048 } });
    expect(checkTlsGroups(ev).map((x) => x.id)).not.toContain('tls.kx.dh-composite');
    expect(tlsGroupsProbe.fields(ev)).toMatchObject({ dhParameterBits: 2048, dhParameterPrime: 'not-safe' });
  });

  it('a composite 2048-bit modulus: tls.kx.dh-composite (high) and the letter capped at F (our reading)', async () => {
    const port = await dheServer(composite);
    const report = await scanTarget(parseTarget(`127.0.0.1:${port}`), {
      resolver: createResolver({}),
      trust: createTrustStore(),
      reference: testReference(),
      timeoutMs: 30_000,
      connectTimeoutMs: 3000,
      probes: [tlsProtocolsProbe, tlsCiphersProbe, tlsGroupsProbe],
    });
    expectValidReport(report);
    const tls = report.endpoints[0]!.tls;
    expect(tls).toMatchObject({ dhParameterBits: 2048, dhParameterPrime: 'composite' });
    const f = report.findings.find((x) => x.id === 'tls.kx.dh-composite');
    expect(f).toMatchObject({ severity: 'high', evidence: { dhPrime: 'composite', dhPrimeBits: 2048 } });
    expect(String(f?.evidence?.reason)).toMatch(/^p is not prime: /);
    expect(tls.rating?.caps).toContainEqual({ id: 'ssllabs.cap.dh-composite', grade: 'F', reason: 'the DH modulus is not prime (our reading: an insecure key exchange)' });
    expect(tls.rating?.best).toBe('F');
  });
});
