// Protocol features beyond versions and suites: ALPN, secure renegotiation (RFC 5746),
// TLS_FALLBACK_SCSV (RFC 7507), extended master secret (RFC 7627), OCSP stapling, the SCT
// extension, heartbeat, session tickets, compression (CRIME) and session resumption.
//
// What a ServerHello tells is asked with raw hellos at the highest accepted TLS ≤ 1.2 version, all
// extensions in one hello (each alone only if that combined hello is refused). What is encrypted
// in TLS 1.3 (ALPN, stapled OCSP) and what needs a completed handshake (resumption) goes through
// Node's TLS client. Handshakes for a TLS 1.2 + 1.3 server: 3 raw hellos and up to 7 Node ones.
import { constants as cryptoConstants } from 'node:crypto';
import tls, { type SecureVersion } from 'node:tls';
import { defineProbe, ProbeFailed, ProbeSkipped, type Endpoint } from '../src/engine/probe.js';
import { finding, REF } from '../src/model/finding.js';
import type { Finding, ProtocolName } from '../src/model/report.js';
import { offerTls, type HelloExtras, type OfferVerdict } from '../src/net/tls/offer.js';
import { classifyTlsError, NO_EXTRA_CA, secureContextFor } from '../src/net/tls/node-client.js';
import { suiteByName } from '../src/net/tls/registry/index.js';
import { MAX_SUITES_PER_HELLO, probeOrder } from '../src/net/tls/suite-order.js';
import { AlertDescription } from '../src/net/tls/wire/constants.js';
import type { TlsCiphersEvidence } from './tls-ciphers.js';
import { helloExtras, offerTarget, protocolsEvidence, WIRE_VERSION_OF } from './tls-protocols.js';

type TlsVersionName = Exclude<ProtocolName, 'SSLv2'>;
type LegacyVersion = Exclude<TlsVersionName, 'TLSv1.3'>;

/** The ALPN protocols asked about, in the order they are reported. */
export const ALPN_PROTOCOLS = ['h2', 'http/1.1'] as const;

export interface TlsFeaturesEvidence {
  /** Supported among ALPN_PROTOCOLS (h2 first); [] when the server negotiates none of them or ALPN could not be tested. */
  alpn: string[];
  secureRenegotiation: boolean | null;
  fallbackScsv: boolean | null;
  extendedMasterSecret: boolean | null;
  ocspStapling: boolean | null;
  sctExtension: boolean | null;
  heartbeat: boolean | null;
  sessionTickets: boolean | null;
  compression: boolean | null;
  resumption: { ids: boolean | null; tickets: boolean | null };
  /** Which versions were asked: the highest accepted TLS ≤ 1.2 one, and whether TLS 1.3 was. */
  versions: { legacy: LegacyVersion | null; tls13: boolean };
  /** Why a value is null, and anything worth knowing about how it was decided. */
  notes: string[];
}

const LEGACY_ORDER: readonly LegacyVersion[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'];
const VERSION_ORDER: readonly TlsVersionName[] = ['TLSv1.3', ...LEGACY_ORDER];

const SCSV_RENEGOTIATION = 0x00ff;
const SCSV_FALLBACK = 0x5600;
const COMPRESSION_DEFLATE = 1;

// ---------------------------------------------------------------------------------------------
// Checks (pure)

const RFC5746 = 'RFC 5746 — TLS Renegotiation Indication Extension (https://www.rfc-editor.org/rfc/rfc5746)';
const RFC7507 = 'RFC 7507 — TLS Fallback SCSV (https://www.rfc-editor.org/rfc/rfc7507)';
const RFC7627 = 'RFC 7627 — TLS Session Hash and Extended Master Secret Extension (https://www.rfc-editor.org/rfc/rfc7627)';
const RFC6066 = 'RFC 6066 §8 — Certificate Status Request (https://www.rfc-editor.org/rfc/rfc6066#section-8)';
const RFC6520 = 'RFC 6520 — TLS Heartbeat Extension (https://www.rfc-editor.org/rfc/rfc6520)';
const RFC7301 = 'RFC 7301 — TLS Application-Layer Protocol Negotiation (https://www.rfc-editor.org/rfc/rfc7301)';
const RFC9113 = 'RFC 9113 — HTTP/2 (https://www.rfc-editor.org/rfc/rfc9113)';

export function checkTlsFeatures(ev: TlsFeaturesEvidence): Finding[] {
  const out: Finding[] = [];
  const at = ev.versions.legacy ? ` (asked at ${ev.versions.legacy})` : '';
  if (ev.secureRenegotiation === false) {
    out.push(
      finding({
        id: 'tls.feature.no-secure-renegotiation',
        severity: 'high',
        title: 'Secure renegotiation (RFC 5746) is not supported',
        detail: `The server answered neither the renegotiation_info extension nor TLS_EMPTY_RENEGOTIATION_INFO_SCSV${at}: if it renegotiates at all, an attacker in the path can splice its own request in front of the client's.`,
        evidence: { secureRenegotiation: false, version: ev.versions.legacy },
        remediation: 'Upgrade the TLS library (every maintained one implements RFC 5746) or disable renegotiation altogether.',
        references: [RFC5746, 'CVE-2009-3555 (TLS renegotiation prefix injection)', REF.ssllabsGuide],
      }),
    );
  }
  if (ev.compression === true) {
    out.push(
      finding({
        id: 'tls.feature.compression',
        severity: 'high',
        title: 'TLS compression is enabled (CRIME)',
        detail: `The server selected DEFLATE compression${at}: secrets such as cookies can be recovered byte by byte from compressed sizes.`,
        evidence: { compression: true, version: ev.versions.legacy },
        remediation: 'Disable TLS-level compression (OpenSSL: SSL_OP_NO_COMPRESSION, the default since 1.1.0).',
        references: ['CVE-2012-4929 (CRIME)', REF.ssllabsGuide],
      }),
    );
  }
  if (ev.fallbackScsv === false) {
    out.push(
      finding({
        id: 'tls.feature.no-fallback-scsv',
        severity: 'low',
        title: 'TLS_FALLBACK_SCSV is not honoured',
        detail: 'A hello at a lower version than the server supports, flagged with TLS_FALLBACK_SCSV, was accepted instead of refused with inappropriate_fallback: clients that retry at lower versions can be downgraded.',
        evidence: { fallbackScsv: false },
        remediation: 'Upgrade the TLS library (OpenSSL ≥ 1.0.1j honours it), or disable the older protocol versions.',
        references: [RFC7507, 'CVE-2014-3566 (POODLE)', REF.ssllabsGuide],
      }),
    );
  }
  if (ev.extendedMasterSecret === false && ev.versions.legacy !== null) {
    out.push(
      finding({
        id: 'tls.feature.no-extended-master-secret',
        severity: 'low',
        title: 'Extended master secret (RFC 7627) is not supported',
        detail: `The server did not answer the extended_master_secret extension${at}: TLS ≤ 1.2 sessions are not bound to their handshake (triple handshake attack).`,
        evidence: { extendedMasterSecret: false, version: ev.versions.legacy },
        remediation: 'Upgrade the TLS library to one that implements RFC 7627, and prefer TLS 1.3.',
        references: [RFC7627, 'Triple Handshake attack (https://mitls.org/pages/attacks/3SHAKE)'],
      }),
    );
  }
  if (ev.heartbeat === true) {
    out.push(
      finding({
        id: 'tls.feature.heartbeat',
        severity: 'info',
        title: 'The heartbeat extension is enabled',
        detail: 'The server answers the TLS heartbeat extension. This alone is not Heartbleed (that needs a vulnerable implementation), but the extension is rarely needed and is attack surface.',
        evidence: { heartbeat: true },
        remediation: 'Disable the heartbeat extension unless DTLS path-MTU discovery needs it.',
        references: [RFC6520, 'CVE-2014-0160 (Heartbleed)'],
      }),
    );
  }
  if (ev.ocspStapling === false) {
    out.push(
      finding({
        id: 'tls.feature.no-ocsp-stapling',
        severity: 'info',
        title: 'OCSP stapling is not offered',
        detail: 'Asked for certificate status, the server stapled no OCSP response: clients must query the CA themselves (slower, and a privacy leak) or skip revocation checks.',
        evidence: { ocspStapling: false },
        remediation: 'Enable OCSP stapling (nginx `ssl_stapling on;`, Apache `SSLUseStapling on`).',
        references: [RFC6066, REF.ssllabsGuide],
      }),
    );
  }
  if (ev.alpn.length > 0 && !ev.alpn.includes('h2')) {
    out.push(
      finding({
        id: 'tls.feature.no-h2',
        severity: 'info',
        title: 'HTTP/2 is not offered through ALPN',
        detail: `The server negotiates ${ev.alpn.join(', ')} through ALPN but not h2.`,
        evidence: { alpn: ev.alpn },
        remediation: 'Enable HTTP/2 (nginx `http2 on;`, Apache `Protocols h2 http/1.1`).',
        references: [RFC7301, RFC9113],
      }),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Node TLS handshakes that keep their session (resumption, and what TLS 1.3 encrypts)

export interface SessionHandshakeOptions {
  ip: string;
  port: number;
  servername: string | null;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  /** OpenSSL cipher string for TLS ≤ 1.2. */
  ciphers?: string;
  /** SSL_OP_NO_TICKET: ask for session-ID resumption only. */
  noTicket?: boolean;
  /** A session from an earlier handshake, to resume. */
  session?: Buffer;
  alpn?: string[];
  requestOCSP?: boolean;
  /** How long to wait, after the handshake, for a session the server may send late (TLS 1.3 tickets). */
  sessionWaitMs: number;
  timeoutMs: number;
  signal: AbortSignal;
}

export type SessionHandshakeOutcome =
  | {
      ok: true;
      protocol: string;
      reused: boolean;
      /** A resumable session: TLS 1.3 only once a NewSessionTicket arrived; null if none came. */
      session: Buffer | null;
      /** TLS ≤ 1.2: the server issued a session ticket. */
      ticket: boolean;
      alpn: string | null;
      ocspResponse: Buffer | null;
    }
  | { ok: false; reason: string };

function contextFor(o: Pick<SessionHandshakeOptions, 'minVersion' | 'maxVersion' | 'ciphers' | 'noTicket'>): tls.SecureContext {
  // Nothing is verified here (the cert probes do that), so no extra trust anchors are needed;
  // servers without RFC 5746 are reported, not refused, so OpenSSL must still talk to them.
  return secureContextFor({
    extraCa: NO_EXTRA_CA,
    minVersion: o.minVersion,
    maxVersion: o.maxVersion,
    ciphers: o.ciphers,
    secureOptions: cryptoConstants.SSL_OP_LEGACY_SERVER_CONNECT | (o.noTicket ? cryptoConstants.SSL_OP_NO_TICKET : 0),
  });
}

/**
 * One complete handshake through Node's TLS, pinned to the IP, ended with close_notify (OpenSSL
 * servers drop a session from their cache when the peer just vanishes). Never throws.
 */
export function sessionHandshake(o: SessionHandshakeOptions): Promise<SessionHandshakeOutcome> {
  return new Promise((resolve) => {
    if (o.signal.aborted) {
      resolve({ ok: false, reason: 'scan deadline reached before connecting' });
      return;
    }
    const options: tls.ConnectionOptions & { requestOCSP?: boolean } = {
      host: o.ip,
      port: o.port,
      servername: o.servername ?? undefined,
      secureContext: contextFor(o),
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      session: o.session,
      ALPNProtocols: o.alpn,
      requestOCSP: o.requestOCSP,
    };
    const socket = tls.connect(options);
    let result: SessionHandshakeOutcome | null = null;
    let session: Buffer | null = null;
    let ocspResponse: Buffer | null = null;
    let settled = false;
    let closing = false;
    let graceTimer: NodeJS.Timeout | undefined;

    const finish = (outcome: SessionHandshakeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      o.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    /** Say goodbye properly, then report (bounded: a server that never closes is not waited for). */
    const close = (): void => {
      if (!result || settled || closing) return;
      closing = true;
      const done = result;
      clearTimeout(graceTimer);
      graceTimer = setTimeout(() => finish(done), Math.min(1000, o.timeoutMs));
      // Drain whatever the server sends (an HTTP answer …) so its close is seen.
      socket.resume();
      socket.end();
    };
    const onAbort = (): void => finish(result ?? { ok: false, reason: 'scan deadline reached' });
    const timer = setTimeout(() => {
      if (result) close();
      else finish({ ok: false, reason: `no TLS handshake within ${o.timeoutMs} ms` });
    }, o.timeoutMs);
    o.signal.addEventListener('abort', onAbort, { once: true });

    socket.on('OCSPResponse', (resp: Buffer | null) => {
      ocspResponse = resp && resp.length > 0 ? resp : null;
    });
    socket.on('session', (s: Buffer) => {
      session = s;
      if (result?.ok && !closing) {
        result = { ...result, session: s };
        close();
      }
    });
    socket.once('secureConnect', () => {
      const protocol = socket.getProtocol() ?? 'unknown';
      const reused = socket.isSessionReused();
      const tls13 = protocol === 'TLSv1.3';
      // TLS ≤ 1.2 sessions are complete at the handshake; TLS 1.3 ones only with a ticket.
      const current = session ?? (tls13 ? null : (socket.getSession() ?? null));
      result = {
        ok: true,
        protocol,
        reused,
        session: current,
        ticket: !tls13 && socket.getTLSTicket() !== undefined,
        alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
        ocspResponse,
      };
      if (current || reused || o.sessionWaitMs <= 0) close();
      else graceTimer = setTimeout(close, o.sessionWaitMs);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (result) finish(result);
      else finish({ ok: false, reason: classifyTlsError(err).reason });
    });
    socket.once('close', () => finish(result ?? { ok: false, reason: 'connection closed before the handshake completed' }));
  });
}

// ---------------------------------------------------------------------------------------------
// Collection

const NODE_VERSION: Record<Exclude<TlsVersionName, 'SSLv3'>, SecureVersion> = {
  'TLSv1.0': 'TLSv1',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};

const NODE_CIPHERS: Partial<Record<TlsVersionName, string>> = {
  // OpenSSL 3 refuses TLS < 1.2 at the default security level.
  'TLSv1.0': 'ALL:@SECLEVEL=0',
  'TLSv1.1': 'ALL:@SECLEVEL=0',
  // Every TLS 1.3 suite OpenSSL has, CCM ones included (off by default), so a CCM-only server answers.
  'TLSv1.3': 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256',
};

type Accepted = Extract<OfferVerdict, { kind: 'accepted' }>;
type Answer = boolean | null;

type AskKey = 'compression' | 'secureRenegotiation' | 'extendedMasterSecret' | 'ocspStapling' | 'sctExtension' | 'heartbeat' | 'sessionTickets' | 'alpn';

/** One question folded into the combined hello, or asked alone if the combined hello is refused. */
interface Ask {
  what: string;
  extras: HelloExtras;
  read(v: Accepted): Answer;
}

/** Accepted suites (code points) of a version from tls-ciphers, else the first probing bundle. */
function suitesFor(ciphers: TlsCiphersEvidence | undefined, p: TlsVersionName): number[] {
  const known = (ciphers?.suites[p] ?? []).map((n) => suiteByName(n)?.code).filter((c): c is number => c !== undefined);
  return (known.length ? known : [...probeOrder(WIRE_VERSION_OF[p])]).slice(0, MAX_SUITES_PER_HELLO - 1);
}

const any = (...xs: Answer[]): Answer => (xs.includes(true) ? true : xs.includes(false) ? false : null);

function verdictText(v: OfferVerdict): string {
  switch (v.kind) {
    case 'accepted':
      return 'accepted';
    case 'other-version':
      return `answered with version 0x${v.selectedVersion.toString(16)}`;
    default:
      return v.reason;
  }
}

export const tlsFeaturesProbe = defineProbe<TlsFeaturesEvidence>({
  id: 'tls-features',
  title: 'TLS features',
  categories: ['tls'],
  scope: 'endpoint',
  section: 'tls',
  after: ['tls-protocols', 'tls-ciphers'],
  async collect(ctx, deps) {
    if (!ctx.endpoint) throw new ProbeFailed('no endpoint to connect to');
    const ep: Endpoint = ctx.endpoint;
    const protocols = protocolsEvidence(deps);
    const ciphers = deps.get('tls-ciphers') as TlsCiphersEvidence | undefined;
    const accepted = VERSION_ORDER.filter((p) => protocols.protocols[p] === true);
    if (accepted.length === 0) throw new ProbeSkipped('no TLS version was accepted');
    const legacy = LEGACY_ORDER.find((p) => protocols.protocols[p] === true) ?? null;
    const tls13 = protocols.protocols['TLSv1.3'] === true;

    const notes: string[] = [];
    if (!ciphers) notes.push('cipher suites unknown (tls-ciphers did not complete): offered the first probing bundle');
    const ev: TlsFeaturesEvidence = {
      alpn: [],
      secureRenegotiation: null,
      fallbackScsv: null,
      extendedMasterSecret: null,
      ocspStapling: null,
      sctExtension: null,
      heartbeat: null,
      sessionTickets: null,
      compression: null,
      resumption: { ids: null, tickets: null },
      versions: { legacy, tls13 },
      notes,
    };
    const offer = (p: TlsVersionName, suites: number[], extras: HelloExtras, readUntil: 'server-hello' | 'server-hello-done' = 'server-hello') =>
      ctx.withConnection(ep.ip, () => offerTls(offerTarget(ctx, ep), WIRE_VERSION_OF[p], suites, extras, readUntil));

    const handshake = (o: SessionHandshakeOptions) => ctx.withConnection(ep.ip, () => sessionHandshake(o));
    // TLS 1.3 tickets come after the handshake; wait this long for one.
    const sessionWaitMs = Math.min(2000, ctx.connectTimeoutMs);
    // ALPN answers: [first offer (h2, http/1.1), second offer (http/1.1)]; undefined = not asked.
    const alpnPicks: Array<string | null | undefined> = [undefined, undefined];
    let legacyAlpn: string | null | undefined;

    await Promise.all([
      legacy ? legacyHellos(legacy) : noLegacy(),
      fallback(),
      tls13 ? tls13Handshakes() : Promise.resolve(),
      legacyResumption(),
    ]);

    if (alpnPicks[0] === undefined && legacyAlpn !== undefined) {
      alpnPicks[0] = legacyAlpn;
      if (tls13) notes.push(`ALPN: answered from the ${legacy} hello, the TLS 1.3 handshake having failed`);
    }
    // ALPN: h2 first, then http/1.1; anything else the server picked is only noted.
    const picks = alpnPicks.filter((p): p is string | null => p !== undefined);
    for (const p of picks) if (p !== null && !(ALPN_PROTOCOLS as readonly string[]).includes(p)) notes.push(`ALPN: server selected ${p}, which was not offered`);
    ev.alpn = ALPN_PROTOCOLS.filter((p) => picks.includes(p));
    if (picks.length > 0 && picks.every((p) => p === null)) notes.push('ALPN: the server selected no protocol');
    if (alpnPicks[0] === 'http/1.1') notes.push('ALPN: offered h2 and http/1.1, the server chose http/1.1');
    return ev;

    /** Everything a TLS ≤ 1.2 ServerHello tells, plus the SCSV form of RFC 5746. */
    async function legacyHellos(p: LegacyVersion): Promise<void> {
      const suites = suitesFor(ciphers, p);
      const base = helloExtras(WIRE_VERSION_OF[p]);
      const ssl3 = p === 'SSLv3';
      const asks: Array<[AskKey, Ask]> = [
        ['compression', { what: 'DEFLATE compression', extras: { compressionMethods: [COMPRESSION_DEFLATE, 0] }, read: (v) => v.serverHello.compressionMethod !== 0 }],
      ];
      if (ssl3) {
        notes.push('SSLv3 hellos carry no extensions: extension-based features were not asked');
      } else {
        asks.push(
          ['secureRenegotiation', { what: 'renegotiation_info', extras: { renegotiationInfo: true }, read: (v) => v.serverHello.renegotiationInfo !== undefined }],
          ['extendedMasterSecret', { what: 'extended_master_secret', extras: { extendedMasterSecret: true }, read: (v) => v.serverHello.extendedMasterSecret }],
          [
            'ocspStapling',
            {
              what: 'status_request',
              extras: { statusRequest: true },
              read: (v) => (v.serverHello.statusRequest || v.raw.certificateStatus !== null ? true : v.raw.helloDone ? false : null),
            },
          ],
          ['sctExtension', { what: 'signed_certificate_timestamp', extras: { sct: true }, read: (v) => v.serverHello.sct !== undefined }],
          ['heartbeat', { what: 'heartbeat', extras: { heartbeat: true }, read: (v) => v.serverHello.heartbeatMode !== undefined }],
          ['sessionTickets', { what: 'session_ticket', extras: { sessionTicket: true }, read: (v) => v.serverHello.sessionTicket }],
        );
        // With TLS 1.3 accepted, ALPN is asked there (see tls13Handshakes); this is the fallback.
        asks.push([
          'alpn',
          {
            what: 'ALPN',
            extras: { alpn: [...ALPN_PROTOCOLS] },
            read: (v) => {
              legacyAlpn = v.serverHello.alpn ?? null;
              return null;
            },
          },
        ]);
      }
      const set = (key: AskKey, value: Answer): void => {
        if (key !== 'alpn') ev[key] = value;
      };

      const ask = async (extras: HelloExtras) => offer(p, suites, { ...base, ...extras }, 'server-hello-done');
      const scsv = offer(p, [...suites, SCSV_RENEGOTIATION], { ...base, renegotiationInfo: false });
      const alpnSecond = !ssl3 && !tls13 ? offer(p, suites, { ...base, alpn: ['http/1.1'] }) : null;
      // Awaited below; if the combined hello throws first (deadline), these must not go unhandled.
      for (const pending of [scsv, alpnSecond]) pending?.catch(() => undefined);

      const combined = await ask(Object.assign({}, ...asks.map(([, a]) => a.extras)) as HelloExtras);
      if (combined.kind === 'accepted') {
        for (const [key, a] of asks) set(key, a.read(combined));
        if (combined.raw.interruptedBy && ev.ocspStapling === null) notes.push(`OCSP stapling: the flight ended early (${combined.raw.interruptedBy})`);
      } else if (combined.kind === 'untestable') {
        notes.push(`${p} hello with every feature extension: ${combined.reason}`);
      } else {
        // Some extension (or DEFLATE) upsets the server: ask each alone so one does not hide the rest.
        notes.push(`${p} hello with every feature extension was refused (${verdictText(combined)}): asked one at a time`);
        await Promise.all(
          asks.map(async ([key, a]) => {
            const v = await ask(a.extras);
            if (v.kind === 'accepted') set(key, a.read(v));
            else notes.push(`${a.what}: the hello offering it was not accepted (${verdictText(v)})`);
          }),
        );
      }

      const viaScsv = await scsv;
      const scsvAnswer: Answer = viaScsv.kind === 'accepted' ? viaScsv.serverHello.renegotiationInfo !== undefined : null;
      if (viaScsv.kind !== 'accepted') notes.push(`renegotiation SCSV: the hello was not accepted (${verdictText(viaScsv)})`);
      if (ev.secureRenegotiation !== null && scsvAnswer !== null && ev.secureRenegotiation !== scsvAnswer) {
        notes.push(`secure renegotiation: ${ev.secureRenegotiation ? 'answered the extension but not the SCSV' : 'answered the SCSV but not the extension'}`);
      }
      // Either RFC 5746 signal answered means the server implements it.
      ev.secureRenegotiation = any(ev.secureRenegotiation, scsvAnswer);

      if (alpnSecond) {
        const v = await alpnSecond;
        if (v.kind === 'accepted') alpnPicks[1] = v.serverHello.alpn ?? null;
        else if (v.kind === 'refused') alpnPicks[1] = null; // e.g. no_application_protocol
        else notes.push(`ALPN (http/1.1 alone): ${verdictText(v)}`);
      }
    }

    /** A TLS 1.3-only server: renegotiation, EMS, compression are built out; the rest is encrypted. */
    async function noLegacy(): Promise<void> {
      ev.compression = false;
      notes.push(
        'only TLS 1.3 is accepted: renegotiation and compression do not exist in it and the master secret is always bound to the handshake; heartbeat, SCT and session_ticket answers are encrypted, so not asked',
      );
    }

    /** RFC 7507: the second-highest accepted version, flagged as a fallback. */
    async function fallback(): Promise<void> {
      const [, second] = accepted;
      if (!second) {
        notes.push('fallback SCSV: only one protocol version is accepted, so there is nothing to fall back to');
        return;
      }
      const v = await offer(second, [...suitesFor(ciphers, second), SCSV_FALLBACK], helloExtras(WIRE_VERSION_OF[second]));
      if (v.kind === 'refused' && v.alert === AlertDescription.inappropriateFallback) ev.fallbackScsv = true;
      else if (v.kind === 'accepted') ev.fallbackScsv = false;
      else notes.push(`fallback SCSV: ${second} hello with TLS_FALLBACK_SCSV: ${verdictText(v)}`);
    }

    function nodeBase(p: Exclude<TlsVersionName, 'SSLv3'>) {
      return {
        ip: ep.ip,
        port: ep.port,
        servername: ctx.target.sni,
        minVersion: NODE_VERSION[p],
        maxVersion: NODE_VERSION[p],
        ...(NODE_CIPHERS[p] ? { ciphers: NODE_CIPHERS[p] } : {}),
        timeoutMs: ctx.connectTimeoutMs,
        signal: ctx.signal,
      };
    }

    /** Resume a session made by `first`; true/false, or null with a note. */
    async function resume(label: string, o: SessionHandshakeOptions, first: Extract<SessionHandshakeOutcome, { ok: true }>): Promise<Answer> {
      if (!first.session) {
        notes.push(`${label}: ${first.protocol === 'TLSv1.3' ? `no session ticket within ${o.sessionWaitMs} ms of the handshake` : 'the server issued no resumable session'}`);
        return false;
      }
      const second = await handshake({ ...o, session: first.session });
      if (!second.ok) {
        notes.push(`${label}: the resuming handshake failed (${second.reason})`);
        return null;
      }
      return second.reused;
    }

    /** TLS 1.3: ALPN and OCSP (encrypted there), and resumption with a ticket (PSK). */
    async function tls13Handshakes(): Promise<void> {
      const o: SessionHandshakeOptions = { ...nodeBase('TLSv1.3'), sessionWaitMs, alpn: [...ALPN_PROTOCOLS], requestOCSP: !legacy };
      const [first, second] = await Promise.all([
        handshake(o),
        handshake({ ...nodeBase('TLSv1.3'), sessionWaitMs: 0, alpn: ['http/1.1'] }),
      ]);
      if (first.ok) {
        alpnPicks[0] = first.alpn;
        if (!legacy) ev.ocspStapling = first.ocspResponse !== null;
      } else {
        notes.push(`TLS 1.3 handshake through Node: ${first.reason}`);
      }
      // A failure here is most often no_application_protocol: http/1.1 is then not supported.
      if (second.ok) alpnPicks[1] = second.alpn;
      else if (first.ok) alpnPicks[1] = null;
      const t13 = first.ok ? await resume('TLS 1.3 resumption', o, first) : null;
      ev.resumption.tickets = any(ev.resumption.tickets, t13);
    }

    /** TLS ≤ 1.2 resumption by session ID (tickets refused) and by ticket, through Node. */
    async function legacyResumption(): Promise<void> {
      if (!legacy) {
        notes.push('session-ID resumption: a TLS ≤ 1.2 mechanism, and only TLS 1.3 is accepted');
        return;
      }
      if (legacy === 'SSLv3') {
        notes.push('resumption: SSLv3 cannot be negotiated through Node');
        return;
      }
      const ids: SessionHandshakeOptions = { ...nodeBase(legacy), noTicket: true, sessionWaitMs: 0 };
      const tickets: SessionHandshakeOptions = { ...nodeBase(legacy), sessionWaitMs: 0 };
      const byId = async (): Promise<void> => {
        const a = await handshake(ids);
        if (a.ok) ev.resumption.ids = await resume(`${legacy} session-ID resumption`, ids, a);
        else notes.push(`${legacy} session-ID resumption: handshake through Node failed (${a.reason})`);
      };
      const byTicket = async (): Promise<void> => {
        const b = await handshake(tickets);
        if (!b.ok) {
          notes.push(`${legacy} ticket resumption: handshake through Node failed (${b.reason})`);
        } else if (!b.ticket) {
          notes.push(`${legacy}: the server issued no session ticket`);
          ev.resumption.tickets = any(ev.resumption.tickets, false);
        } else {
          const resumed = await resume(`${legacy} ticket resumption`, tickets, b);
          ev.resumption.tickets = any(ev.resumption.tickets, resumed);
        }
      };
      await Promise.all([byId(), byTicket()]);
    }
  },
  check: (ev) => checkTlsFeatures(ev),
  report: (ev) => ({
    features: {
      alpn: ev.alpn,
      secureRenegotiation: ev.secureRenegotiation,
      fallbackScsv: ev.fallbackScsv,
      extendedMasterSecret: ev.extendedMasterSecret,
      ocspStapling: ev.ocspStapling,
      sctExtension: ev.sctExtension,
      heartbeat: ev.heartbeat,
      sessionTickets: ev.sessionTickets,
      compression: ev.compression,
      resumption: ev.resumption,
    },
  }),
});
