// Every certificate chain an endpoint serves, exactly as sent (order, extras and all), with the
// OCSP staple and the SCT list that came with it. A server may hold an RSA and an ECDSA (or
// Ed25519) certificate and pick by what the client can verify, so one hello per signature family:
// TLS 1.3 restricts signature_algorithms (and is decrypted to read the Certificate), TLS ≤ 1.2
// restricts the suites' authentication and signature_algorithms.
import { rawHello, type RawHelloResult } from './raw-client.js';
import { suitesForProtocol } from '../../tls/registry/index.js';
import { MAX_SUITES_PER_HELLO, probeOrder } from './suite-order.js';
import { buildClientHello, type WireVersion } from './wire/client-hello.js';
import { NamedGroup } from './wire/constants.js';
import type { StartTlsOption } from './transport.js';

export type SignatureFamily = 'ECDSA' | 'RSA' | 'EdDSA';
export const SIGNATURE_FAMILIES: readonly SignatureFamily[] = ['ECDSA', 'RSA', 'EdDSA'];

/** signature_algorithms code points per family (RFC 8446 §4.2.3). */
const FAMILY_SCHEMES: Readonly<Record<SignatureFamily, readonly number[]>> = {
  ECDSA: [0x0403, 0x0503, 0x0603, 0x0203],
  RSA: [0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0201],
  EdDSA: [0x0807, 0x0808],
};

/** TLS ≤ 1.2 suites whose certificate authenticates with the family (Ed25519 uses the ECDSA suites, RFC 8422). */
const FAMILY_SUITE_AUTH: Readonly<Record<SignatureFamily, string>> = { ECDSA: 'ECDSA', RSA: 'RSA', EdDSA: 'ECDSA' };

export interface ServedChain {
  family: SignatureFamily;
  protocol: WireVersion;
  cipherSuite: number;
  /** DER certificates in the order the server sent them. */
  certificates: Buffer[];
  ocspStaple: Buffer | null;
  sctList: Buffer | null;
}

export interface ChainAttempt {
  family: SignatureFamily;
  protocol: WireVersion;
  outcome: 'chain' | 'refused' | 'untestable';
  detail: string;
}

export interface FetchChainsOptions {
  ip: string;
  port: number;
  servername: string | null;
  timeoutMs: number;
  signal: AbortSignal;
  /** The highest version the endpoint accepts (from tls-protocols); SSLv2 has no chains to read here. */
  version: WireVersion;
  /** Runs one connection under the engine's connection limits. */
  withConnection?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** A plaintext STARTTLS dialogue before each hello (an MX host); absent = TLS from the first byte. */
  starttls?: StartTlsOption | null;
  ehloName?: string;
}

function helloFor(family: SignatureFamily, version: WireVersion, servername: string | null) {
  const common = { serverName: servername, statusRequest: true, sct: true };
  if (version === 'TLSv1.3') {
    return buildClientHello({
      ...common,
      version,
      supportedVersions: ['TLSv1.3'],
      cipherSuites: [0x1301, 0x1302, 0x1303],
      keyShareGroups: [NamedGroup.x25519, NamedGroup.secp256r1],
      signatureAlgorithms: [...FAMILY_SCHEMES[family]],
    });
  }
  const auth = FAMILY_SUITE_AUTH[family];
  const byCode = new Map(suitesForProtocol(version).map((s) => [s.code, s]));
  const suites = probeOrder(version)
    .filter((code) => byCode.get(code)?.auth === auth)
    .slice(0, MAX_SUITES_PER_HELLO);
  return buildClientHello({
    ...common,
    version,
    cipherSuites: suites,
    renegotiationInfo: true,
    ...(version === 'TLSv1.2' ? { signatureAlgorithms: [...FAMILY_SCHEMES[family]] } : {}),
    ...(version === 'SSLv3' ? { extensions: false } : {}),
  });
}

function attemptOf(family: SignatureFamily, version: WireVersion, r: RawHelloResult): ChainAttempt | ServedChain {
  if (r.kind === 'server-hello') {
    if (r.certificates.length === 0) {
      const why = r.interruptedBy ?? (r.serverHello.isHelloRetryRequest ? 'HelloRetryRequest' : 'no Certificate message');
      return { family, protocol: version, outcome: 'untestable', detail: why };
    }
    return { family, protocol: version, cipherSuite: r.serverHello.cipherSuite, certificates: r.certificates, ocspStaple: r.certificateStatus, sctList: r.sctList };
  }
  if (r.kind === 'alert' || r.kind === 'closed') return { family, protocol: version, outcome: 'refused', detail: r.kind === 'alert' ? `alert ${r.name}` : r.reason };
  return { family, protocol: version, outcome: 'untestable', detail: 'reason' in r ? r.reason : r.kind };
}

/** One hello per signature family; chains with the same leaf are reported once. */
export async function fetchServedChains(opts: FetchChainsOptions): Promise<{ chains: ServedChain[]; attempts: ChainAttempt[] }> {
  const run = opts.withConnection ?? ((fn) => fn());
  const families = opts.version === 'TLSv1.3' || opts.version === 'TLSv1.2' ? SIGNATURE_FAMILIES : (['ECDSA', 'RSA'] as const);
  const chains: ServedChain[] = [];
  const attempts: ChainAttempt[] = [];
  const seenLeaves = new Set<string>();
  for (const family of families) {
    const hello = helloFor(family, opts.version, opts.servername);
    const ask = () =>
      run(() =>
        rawHello({
          ip: opts.ip,
          port: opts.port,
          timeoutMs: opts.timeoutMs,
          signal: opts.signal,
          hello: hello.record,
          readUntil: 'server-hello-done',
          ...(opts.version === 'TLSv1.3' ? { decryptTls13: hello } : {}),
          ...(opts.starttls ? { starttls: opts.starttls, ...(opts.ehloName ? { ehloName: opts.ehloName } : {}) } : {}),
        }),
      );
    let result = await ask();
    // A reset or a record cut off is no answer: asked once more (as offer.ts does).
    if (result.kind === 'reset' || result.kind === 'truncated') result = await ask();
    const outcome = attemptOf(family, opts.version, result);
    if ('certificates' in outcome) {
      attempts.push({ family, protocol: opts.version, outcome: 'chain', detail: `${outcome.certificates.length} certificate(s)` });
      const leafKey = outcome.certificates[0]!.toString('base64');
      if (!seenLeaves.has(leafKey)) {
        seenLeaves.add(leafKey);
        chains.push(outcome);
      }
    } else {
      attempts.push(outcome);
    }
  }
  return { chains, attempts };
}
