// Handshake simulation, judged: what each client profile would get from the server (protocol,
// suite, group, certificate) once its own limits are applied — and the findings: clients that
// cannot connect, and clients that connect only with something weak. Pure: the tls-simulation
// probe replays the hellos and hands over what the server answered. As at SSL Labs, the
// simulation never changes the rating letter.
import { finding, REF, type CheckFinding } from '../model/finding.js';
import type { ProtocolName } from '../model/constants.js';
import type { SimulationEntry } from '../model/report-tls.js';
import { groupByCode, suiteByCode, suiteByName } from './registry/index.js';

export type ClientTier = 'current' | 'legacy' | 'obsolete';

/** One client profile (data/clients/<id>.json): a captured hello and the client's own limits. */
export interface ClientProfile {
  id: string;
  name: string;
  version: string;
  platform: string;
  /** current: maintained today; legacy: still met in the field; obsolete: long dead. */
  tier: ClientTier;
  services: string[];
  helloFormat: 'tls' | 'sslv2';
  /** The captured hello, as hex: TLS record(s), or an SSLv2-format CLIENT-HELLO. */
  hello: string;
  /** The client sent SNI (the replay sends the target's, or none). */
  sni: boolean;
  protocols: { lowest: ProtocolName; highest: ProtocolName };
  limits: {
    minDhBits: number | null;
    maxDhBits: number | null;
    minRsaBits: number | null;
    maxRsaBits: number | null;
    minEcdsaBits: number | null;
    /** The client refuses certificates signed with SHA-1 (or MD5). */
    requiresSha2: boolean;
  };
  source: { kind: 'ssllabs-capture' | 'local-capture'; file: string; package: string; sha256: string; entry: string; label: string };
}

/** What the client offers, decoded from its hello (GREASE left out). */
export interface ClientOffers {
  /** Protocol versions the client accepts: its range, narrowed to supported_versions when it sent one. */
  versions: number[];
  suites: number[];
  /** supported_groups, or null when the hello has none (the server then picks). */
  groups: number[] | null;
}

/** The server's certificate as the client received it. */
export interface SimulatedCertificate {
  keyType: string;
  keyBits: number | null;
  signatureAlgorithm: string;
  fingerprintSha256: string;
}

/** What the server said to one replayed hello (the probe's observation, before the client's limits). */
export type SimulationObservation =
  | {
      kind: 'answer';
      version: number;
      suite: number;
      /** The (EC)DHE group: TLS 1.3 key share, or the named curve of a TLS ≤ 1.2 ServerKeyExchange. */
      group: number | null;
      /** DHE prime bits (TLS ≤ 1.2 ServerKeyExchange). */
      dhBits: number | null;
      certificate: SimulatedCertificate | null;
      /** Why the certificate is unknown (a TLS 1.3 flight that could not be decrypted …). */
      certificateNote?: string;
      /** The server first sent a HelloRetryRequest for this group. */
      helloRetryGroup?: number;
      /** The flight ended before the client could have finished reading it (alert after ServerHello …). */
      interruptedBy?: string;
    }
  /** An SSLv2 SERVER-HELLO: the client would speak SSL 2.0 with this cipher kind. */
  | { kind: 'sslv2'; cipherKind: string }
  /** The server refused the hello (alert, close): the client cannot connect. */
  | { kind: 'refused'; reason: string }
  | { kind: 'untestable'; reason: string };

const VERSION_NAMES: Readonly<Record<number, ProtocolName>> = {
  0x0002: 'SSLv2',
  0x0300: 'SSLv3',
  0x0301: 'TLSv1.0',
  0x0302: 'TLSv1.1',
  0x0303: 'TLSv1.2',
  0x0304: 'TLSv1.3',
};
const VERSION_CODES: Readonly<Record<ProtocolName, number>> = { SSLv2: 0x0002, SSLv3: 0x0300, 'TLSv1.0': 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };

export const versionLabel = (v: number): string => VERSION_NAMES[v] ?? `0x${v.toString(16).padStart(4, '0')}`;
const suiteLabel = (code: number): string => suiteByCode(code)?.name ?? `0x${code.toString(16).padStart(4, '0')}`;
const groupLabel = (code: number): string => groupByCode(code)?.name ?? `0x${code.toString(16).padStart(4, '0')}`;

/** The versions a client accepts: its profile's range, or exactly its supported_versions list. */
export function clientVersions(profile: ClientProfile, supportedVersions: number[] | null): number[] {
  const lo = VERSION_CODES[profile.protocols.lowest];
  const hi = VERSION_CODES[profile.protocols.highest];
  if (supportedVersions) return supportedVersions.filter((v) => v >= 0x0300 && v <= 0x0304);
  return Object.values(VERSION_CODES).filter((v) => v >= lo && v <= hi);
}

const SHA1_OR_WORSE = /^(SHA1|MD5|MD2)with/;

/** Why the client gives up on this answer (its own limits), or null when it would connect. */
function clientRefusal(profile: ClientProfile, offers: ClientOffers, o: Extract<SimulationObservation, { kind: 'answer' }>): string | null {
  const l = profile.limits;
  if (!offers.versions.includes(o.version)) return `the server chose ${versionLabel(o.version)}, which the client does not speak`;
  if (!offers.suites.includes(o.suite)) return `the server chose ${suiteLabel(o.suite)}, which the client did not offer`;
  if (o.group !== null && offers.groups && !offers.groups.includes(o.group)) return `the server chose group ${groupLabel(o.group)}, which the client does not support`;
  if (o.dhBits !== null) {
    if (l.minDhBits !== null && o.dhBits < l.minDhBits) return `DH parameters of ${o.dhBits} bits, below the client's minimum of ${l.minDhBits}`;
    if (l.maxDhBits !== null && o.dhBits > l.maxDhBits) return `DH parameters of ${o.dhBits} bits, above the client's maximum of ${l.maxDhBits}`;
  }
  const c = o.certificate;
  if (c) {
    if (c.keyType === 'RSA' && c.keyBits !== null) {
      if (l.minRsaBits !== null && c.keyBits < l.minRsaBits) return `RSA key of ${c.keyBits} bits, below the client's minimum of ${l.minRsaBits}`;
      if (l.maxRsaBits !== null && c.keyBits > l.maxRsaBits) return `RSA key of ${c.keyBits} bits, above the client's maximum of ${l.maxRsaBits}`;
    }
    if (c.keyType === 'EC' && c.keyBits !== null && l.minEcdsaBits !== null && c.keyBits < l.minEcdsaBits) {
      return `ECDSA key of ${c.keyBits} bits, below the client's minimum of ${l.minEcdsaBits}`;
    }
    if (l.requiresSha2 && SHA1_OR_WORSE.test(c.signatureAlgorithm)) return `certificate signed with ${c.signatureAlgorithm}; the client requires SHA-2`;
  }
  return null;
}

/** One client's line of the report: the observation with the client's limits applied. */
export function simulateClient(profile: ClientProfile, offers: ClientOffers, o: SimulationObservation): SimulationEntry {
  const base = { client: profile.id, name: profile.name, version: profile.version, platform: profile.platform, tier: profile.tier };
  const none = { protocol: null, cipherSuite: null, group: null, certificate: null };
  switch (o.kind) {
    case 'untestable':
      return { ...base, status: 'untested', ...none, reason: o.reason };
    case 'refused':
      return { ...base, status: 'failed', ...none, reason: `the server refused the hello: ${o.reason}` };
    case 'sslv2': {
      const ok = profile.protocols.lowest === 'SSLv2';
      return { ...base, status: ok ? 'ok' : 'failed', protocol: 'SSLv2', cipherSuite: o.cipherKind, group: null, certificate: null, ...(ok ? {} : { reason: 'the server answered in SSL 2.0' }) };
    }
    case 'answer': {
      const group = o.group === null ? null : groupLabel(o.group);
      const bits = o.dhBits ?? (o.group === null ? null : groupByCode(o.group)?.bits || null);
      const entry: SimulationEntry = {
        ...base,
        status: 'ok',
        protocol: versionLabel(o.version),
        cipherSuite: suiteLabel(o.suite),
        group,
        ...(bits ? { keyExchangeBits: bits } : {}),
        certificate: o.certificate,
        ...(o.helloRetryGroup !== undefined ? { helloRetry: groupLabel(o.helloRetryGroup) } : {}),
        ...(o.certificateNote && !o.certificate ? { note: o.certificateNote } : {}),
      };
      const refusal = clientRefusal(profile, offers, o) ?? (o.interruptedBy ? `the handshake broke off: ${o.interruptedBy}` : null);
      return refusal ? { ...entry, status: 'failed', reason: refusal } : entry;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Findings

export const SIMULATION_FINDINGS = {
  fails: 'tls.simulation.fails',
  weak: 'tls.simulation.weak',
} as const;

/** Why what a client negotiated is weak (empty when it is not). */
export function weaknesses(e: SimulationEntry): string[] {
  if (e.status !== 'ok' || !e.protocol) return [];
  const out: string[] = [];
  if (['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1'].includes(e.protocol)) out.push(e.protocol);
  const suite = e.cipherSuite ? suiteByName(e.cipherSuite) : undefined;
  if (suite) {
    if (suite.cipher.startsWith('RC4')) out.push('RC4');
    if (suite.export) out.push('export suite');
    if (suite.nullCipher) out.push('no encryption');
    if (suite.anonymous) out.push('anonymous key exchange');
    if (suite.blockBits === 64) out.push(`64-bit block cipher (${suite.cipher})`);
    if (!suite.forwardSecrecy && !suite.anonymous && !suite.nullCipher) out.push('no forward secrecy');
    if ((suite.kx === 'DHE' || suite.kx === 'DH') && e.keyExchangeBits && e.keyExchangeBits < 2048) out.push(`DH ${e.keyExchangeBits} bits`);
  }
  if (e.group && e.keyExchangeBits && !e.group.startsWith('ffdhe') && e.keyExchangeBits < 224) out.push(`${e.group} (${e.keyExchangeBits} bits)`);
  return out;
}

const TIER_RANK: Record<ClientTier, number> = { current: 2, legacy: 1, obsolete: 0 };
const worstTier = (entries: SimulationEntry[]): ClientTier => entries.reduce<ClientTier>((t, e) => (TIER_RANK[e.tier] > TIER_RANK[t] ? e.tier : t), 'obsolete');
const label = (e: SimulationEntry): string => [e.name, e.version, e.platform ? `(${e.platform})` : ''].filter(Boolean).join(' ');

/**
 * One finding per kind and endpoint (listing the clients), so `id@subject` stays the same while
 * the list changes: clients that cannot connect (high when a current client is among them, low
 * for legacy ones, info when only long-dead clients fail) and clients that connect only with
 * something weak (medium, low, info by the same measure).
 */
export function checkSimulation(entries: readonly SimulationEntry[]): CheckFinding[] {
  const out: CheckFinding[] = [];
  const failed = entries.filter((e) => e.status === 'failed');
  if (failed.length) {
    const tier = worstTier(failed);
    out.push(
      finding({
        id: SIMULATION_FINDINGS.fails,
        severity: tier === 'current' ? 'high' : tier === 'legacy' ? 'low' : 'info',
        title: `${failed.length} simulated client${failed.length > 1 ? 's' : ''} cannot connect`,
        detail: failed.map((e) => `${label(e)}: ${e.reason ?? 'fails'}`).join('; '),
        evidence: { clients: failed.map((e) => ({ client: e.client, tier: e.tier, reason: e.reason ?? null })) },
        remediation:
          tier === 'current'
            ? 'Current clients fail: offer TLS 1.2 and 1.3 with ECDHE + AES-GCM/ChaCha20 suites, the common groups (x25519, P-256), and a certificate key they accept.'
            : 'Only older clients fail; this is expected of a modern configuration. Keep it unless those clients must be served.',
        references: ['SSL Labs handshake simulation (https://www.ssllabs.com/ssltest/clients.html)', REF.ssllabsGuide],
      }),
    );
  }
  const weak = entries.map((e) => ({ e, why: weaknesses(e) })).filter((w) => w.why.length > 0);
  if (weak.length) {
    const tier = worstTier(weak.map((w) => w.e));
    out.push(
      finding({
        id: SIMULATION_FINDINGS.weak,
        severity: tier === 'current' ? 'medium' : tier === 'legacy' ? 'low' : 'info',
        title: `${weak.length} simulated client${weak.length > 1 ? 's' : ''} negotiate weak parameters`,
        detail: weak.map(({ e, why }) => `${label(e)}: ${e.protocol} ${e.cipherSuite} (${why.join(', ')})`).join('; '),
        evidence: { clients: weak.map(({ e, why }) => ({ client: e.client, tier: e.tier, protocol: e.protocol, cipherSuite: e.cipherSuite, weaknesses: why })) },
        remediation: 'Disable TLS 1.0/1.1, RC4, 3DES, export, NULL and anonymous suites, static RSA key exchange and DH groups under 2048 bits; clients that then fail were relying on them.',
        references: [REF.rfc8996, 'RFC 7465 — Prohibiting RC4 (https://www.rfc-editor.org/rfc/rfc7465)', REF.ssllabsGuide],
      }),
    );
  }
  return out;
}
