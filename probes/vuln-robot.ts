// ROBOT (Böck, Somorovsky, Young, USENIX Security 2018): a server whose answer to an RSA
// ClientKeyExchange depends on whether the decrypted block is valid PKCS#1 v1.5 is a
// Bleichenbacher oracle — enough to decrypt recorded sessions and to sign with its key. Following
// the authors' detection (robot-detect) and testssl.sh: five connections at the highest accepted
// version with an RSA key-exchange suite, each sending one of the paper's premaster secrets
// (bleichenbacher.ts) then ChangeCipherSpec and a garbage Finished, and compare the server's
// first reaction (alert, close, reset, timeout). All the same: again without CCS/Finished (the
// "shortened" flow). Still the same: not vulnerable. Any difference is measured a second time and
// counted only if it repeats. 10 connections on a typical server, 0 without RSA key exchange.
import { defineProbe, ProbeFailed, type Endpoint, type ProbeContext } from '../src/engine/probe.js';
import { finding, untestedFinding } from '../src/model/finding.js';
import type { ProtocolName, VULNERABILITY_VERDICTS } from '../src/model/constants.js';
import type { Finding } from '../src/model/report.js';
import { ROBOT_VARIANTS, robotPlaintext, rsaKeyOf, rsaRaw, type RobotVariant } from '../src/net/tls/bleichenbacher.js';
import { changeCipherSpecRecord, garbageFinished, rsaClientKeyExchange } from '../src/net/tls/probe-records.js';
import { readFlight, withRawSession, type SessionEvent } from '../src/net/tls/raw-session.js';
import { suiteByCode, suiteByName } from '../src/net/tls/registry/index.js';
import { MAX_SUITES_PER_HELLO, probeOrder } from '../src/net/tls/suite-order.js';
import { buildClientHello, WIRE_VERSIONS } from '../src/net/tls/wire/client-hello.js';
import { alertName, ContentType } from '../src/net/tls/wire/constants.js';
import type { TlsCiphersEvidence } from './tls-ciphers.js';
import { helloExtras, protocolsEvidence, WIRE_VERSION_OF, type TlsProtocolsEvidence } from './tls-protocols.js';

type Verdict = (typeof VULNERABILITY_VERDICTS)[number];
type RobotVersion = Extract<ProtocolName, 'TLSv1.2' | 'TLSv1.1' | 'TLSv1.0' | 'SSLv3'>;
const VERSIONS: readonly RobotVersion[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'];

/** standard: ClientKeyExchange, ChangeCipherSpec, Finished; shortened: the ClientKeyExchange alone. */
export type RobotFlow = 'standard' | 'shortened';

export interface RobotRound {
  flow: RobotFlow;
  /** The server's first reaction to each premaster secret. */
  responses: Record<RobotVariant, string>;
}

export interface VulnRobotEvidence {
  verdict: Verdict;
  /** strong: malformed blocks are told apart from each other too; weak: only a well-formed block stands out. */
  oracle: 'strong' | 'weak' | null;
  version: RobotVersion | null;
  /** The RSA key-exchange suites offered (IANA names). */
  suites: string[];
  rounds: RobotRound[];
  reason: string;
}

/** RSA key transport proper: RSA_PSK and export suites (a temporary RSA key) are not this oracle. */
const isRsaKx = (code: number): boolean => {
  const s = suiteByCode(code);
  return s !== undefined && s.kx === 'RSA' && !s.export && !s.scsv;
};

export type RobotPlan = { version: RobotVersion; suites: number[] } | Pick<VulnRobotEvidence, 'verdict' | 'reason'>;

/** Which version and suites to test, or the verdict when there is nothing to test. */
export function planRobot(protocols: TlsProtocolsEvidence['protocols'], ciphers: TlsCiphersEvidence | undefined): RobotPlan {
  const accepted = VERSIONS.filter((v) => protocols[v] === true);
  if (accepted.length === 0) {
    if (VERSIONS.some((v) => protocols[v] === null)) return { verdict: 'unknown', reason: 'no SSLv3–TLS 1.2 version is known to be accepted, and some could not be tested' };
    return { verdict: 'not-vulnerable', reason: 'no SSLv3–TLS 1.2 version is accepted (TLS 1.3 has no RSA key exchange)' };
  }
  const all = (v: RobotVersion): number[] => probeOrder(WIRE_VERSION_OF[v]).filter(isRsaKx).slice(0, MAX_SUITES_PER_HELLO);
  if (!ciphers) return { version: accepted[0]!, suites: all(accepted[0]!) };
  for (const v of accepted) {
    const rsa = (ciphers.suites[v] ?? []).map((n) => suiteByName(n)?.code).filter((c): c is number => c !== undefined && isRsaKx(c));
    if (rsa.length) return { version: v, suites: rsa };
  }
  // An enumeration cut short may have missed them: ask with every RSA suite.
  const partial = accepted.find((v) => ciphers.incomplete[v] !== undefined);
  if (partial) return { version: partial, suites: all(partial) };
  return { verdict: 'not-vulnerable', reason: 'no cipher suite with RSA key exchange is accepted' };
}

/** The server's first reaction to a ClientKeyExchange, as a comparable label; null: not a reaction. */
export function robotResponse(ev: SessionEvent): string | null {
  switch (ev.kind) {
    case 'record': {
      if (ev.contentType !== ContentType.alert) return `record of type ${ev.contentType}`;
      const [level, description] = ev.fragment;
      if (description === undefined) return 'truncated alert';
      return `${level === 2 ? 'fatal' : 'warning'} alert ${alertName(description)}`;
    }
    case 'closed':
      return ev.midRecord ? 'close (FIN) mid-record' : 'close (FIN)';
    case 'reset':
      return ev.midRecord ? 'reset (RST) mid-record' : 'reset (RST)';
    case 'timeout':
      return 'no answer before the deadline';
    case 'garbage':
      return 'bytes that are not TLS';
    default:
      return null; // silent (not asked for), aborted, network: no reaction of the server
  }
}

/** The paper's five responses are all alike. */
export function uniform(round: RobotRound): boolean {
  return new Set(Object.values(round.responses)).size === 1;
}

export function sameResponses(a: RobotRound, b: RobotRound): boolean {
  return ROBOT_VARIANTS.every((v) => a.responses[v] === b.responses[v]);
}

/** robot-detect's rule: if the three malformed paddings look alike, only a valid block stands out (weak). */
export function oracleStrength(round: RobotRound): 'strong' | 'weak' {
  const r = round.responses;
  return r['wrong-first-bytes'] === r['wrong-zero-position'] && r['wrong-zero-position'] === r['missing-zero'] ? 'weak' : 'strong';
}

const REFS = [
  'ROBOT: Return Of Bleichenbacher\'s Oracle Threat, USENIX Security 2018 (https://robotattack.org/)',
  'CVE-2017-13099, CVE-2017-6168, CVE-2017-17382, CVE-2017-17427, CVE-2017-12373 … (the vendor CVEs listed at https://robotattack.org/)',
  'D. Bleichenbacher: Chosen Ciphertext Attacks Against Protocols Based on the RSA Encryption Standard PKCS #1, CRYPTO 1998',
  'RFC 5246 §7.4.7.1 — RSA-Encrypted Premaster Secret Message (https://www.rfc-editor.org/rfc/rfc5246#section-7.4.7.1)',
];

export function checkRobot(ev: VulnRobotEvidence): Finding[] {
  const evidence = { verdict: ev.verdict, oracle: ev.oracle, version: ev.version, rounds: ev.rounds };
  if (ev.verdict === 'vulnerable') {
    const strong = ev.oracle === 'strong';
    return [
      finding({
        id: 'tls.vuln.robot',
        severity: strong ? 'critical' : 'medium',
        title: `Vulnerable to ROBOT (${ev.oracle ?? 'unrated'} Bleichenbacher oracle)`,
        detail: `${ev.reason}. ${
          strong
            ? 'With this oracle an attacker can decrypt recorded RSA key-exchange sessions and sign messages with the server\'s private key.'
            : 'Only well-formed blocks are told apart, so an attack would take very many queries; the implementation is still flawed.'
        }`,
        evidence,
        remediation: 'Disable cipher suites with RSA key exchange (TLS_RSA_*) and prefer (EC)DHE; update the TLS implementation or appliance firmware.',
        references: REFS,
      }),
    ];
  }
  if (ev.verdict === 'unknown') return [untestedFinding('tls.vuln.robot', 'ROBOT', ev.reason, evidence, REFS, 'Re-run the scan; if this persists, test with another tool. Disabling TLS_RSA_* suites removes the question.')];
  return [];
}

type Query = { ok: true; response: string } | { ok: false; refused: boolean; reason: string };

/** One connection: hello, first flight, one premaster secret, the server's first reaction. */
async function query(ctx: ProbeContext, ep: Endpoint, version: RobotVersion, suites: number[], variant: RobotVariant, flow: RobotFlow): Promise<Query> {
  const wire = WIRE_VERSION_OF[version];
  const hello = buildClientHello({ ...helloExtras(wire), version: wire, cipherSuites: suites, serverName: ctx.target.sni });
  return withRawSession({ ip: ep.ip, port: ep.port, timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal }, async (s): Promise<Query> => {
    s.send(hello.record);
    const flight = await readFlight(s);
    if (flight.kind === 'refused') return { ok: false, refused: true, reason: flight.reason };
    if (flight.kind !== 'flight') return { ok: false, refused: false, reason: flight.reason };
    if (!flight.helloDone) return { ok: false, refused: false, reason: 'the first flight did not end with ServerHelloDone' };
    if (!suites.includes(flight.serverHello.cipherSuite)) return { ok: false, refused: false, reason: 'the server chose a suite that was not offered' };
    const leaf = flight.certificates[0];
    if (!leaf) return { ok: false, refused: false, reason: 'no certificate in the first flight' };
    const key = rsaKeyOf(leaf);
    if (!key.ok) return { ok: false, refused: false, reason: key.error };
    if (key.value.size < 59) return { ok: false, refused: false, reason: `an RSA key of ${key.value.size * 8} bits is too small for a premaster secret` };
    // The premaster secret starts with the version the hello offered (RFC 5246 §7.4.7.1).
    const block = robotPlaintext(variant, key.value.size, WIRE_VERSIONS[wire]);
    const v = flight.serverHello.selectedVersion;
    const cke = rsaClientKeyExchange(v, rsaRaw(key.value, block));
    s.send(flow === 'standard' ? Buffer.concat([cke, changeCipherSpecRecord(v), garbageFinished(v)]) : cke);
    // Unlike robot-detect we then half-close: a server that would wait for more (OpenSSL waits
    // for ChangeCipherSpec in the shortened flow) answers the end of input at once, so each
    // answer is one reaction, not a timeout raced against a guess of the server's latency.
    s.halfClose();
    const ev = await s.next();
    const response = robotResponse(ev);
    return response === null ? { ok: false, refused: false, reason: 'reason' in ev ? ev.reason : ev.kind } : { ok: true, response };
  });
}

export const vulnRobotProbe = defineProbe<VulnRobotEvidence>({
  id: 'vuln-robot',
  title: 'ROBOT (Bleichenbacher oracle)',
  categories: ['vulns'],
  scope: 'endpoint',
  section: 'tls',
  after: ['tls-protocols', 'tls-ciphers'],
  async collect(ctx, deps) {
    const ep = ctx.endpoint;
    if (!ep) throw new ProbeFailed('no endpoint to connect to');
    const ciphers = deps.get('tls-ciphers') as TlsCiphersEvidence | undefined;
    const plan = planRobot(protocolsEvidence(deps).protocols, ciphers);
    if (!('suites' in plan)) return { ...plan, oracle: null, version: null, suites: [], rounds: [] };
    const { version, suites } = plan;
    const rounds: RobotRound[] = [];
    const result = (verdict: Verdict, reason: string, oracle: VulnRobotEvidence['oracle'] = null): VulnRobotEvidence => ({
      verdict,
      oracle,
      version,
      suites: suites.map((c) => suiteByCode(c)?.name ?? `0x${c.toString(16).padStart(4, '0')}`),
      rounds,
      reason,
    });

    /** The five premaster secrets, in parallel (the per-host limit still applies); a string is why not. */
    const round = async (flow: RobotFlow): Promise<RobotRound | { failed: string; refused: boolean }> => {
      const answers = await Promise.all(ROBOT_VARIANTS.map((v) => ctx.withConnection(ep.ip, () => query(ctx, ep, version, suites, v, flow))));
      const failures = answers.flatMap((a, i) => (a.ok ? [] : [`${ROBOT_VARIANTS[i]}: ${a.reason}`]));
      if (failures.length) return { failed: failures.join('; '), refused: answers.every((a) => !a.ok && a.refused) };
      const responses = Object.fromEntries(ROBOT_VARIANTS.map((v, i) => [v, (answers[i] as { response: string }).response])) as Record<RobotVariant, string>;
      const r: RobotRound = { flow, responses };
      rounds.push(r);
      return r;
    };

    let differing: RobotRound | null = null;
    for (const flow of ['standard', 'shortened'] as const) {
      const r = await round(flow);
      if ('failed' in r) {
        // Without the cipher list, a refusal of every RSA-only hello is the answer itself.
        if (r.refused && !ciphers) return result('not-vulnerable', `${version}: every hello offering only RSA key exchange was refused (${r.failed})`);
        return result('unknown', `${version}, ${flow} flow: ${r.failed}`);
      }
      if (!uniform(r)) {
        differing = r;
        break;
      }
    }
    if (!differing) return result('not-vulnerable', `${version}: the five premaster secrets got the same answer in both message flows (${rounds[0]?.responses.correct ?? '?'})`);
    // A difference counts only if it repeats (a busy server may time out or reset once).
    const again = await round(differing.flow);
    if ('failed' in again) return result('unknown', `${version}: the answers differed, but the repeat failed (${again.failed})`);
    if (!sameResponses(differing, again)) return result('unknown', `${version}: the answers differed but did not repeat consistently`);
    const strength = oracleStrength(differing);
    const shown = ROBOT_VARIANTS.map((v) => `${v}: ${differing.responses[v]}`).join(', ');
    return result('vulnerable', `${version}, ${differing.flow} message flow: the server answers differently depending on the padding (${shown})`, strength);
  },
  check: (ev) => checkRobot(ev),
  report: (ev) => ({ vulnerabilities: { robot: ev.verdict } }),
});
