// ROBOT (Böck, Somorovsky, Young, USENIX Security 2018): a server whose answer to an RSA
// ClientKeyExchange depends on whether the decrypted block is valid PKCS#1 v1.5 is a
// Bleichenbacher oracle — enough to decrypt recorded sessions and to sign with its key. Following
// the authors' detection (robot-detect) and testssl.sh: five connections at the highest accepted
// version with an RSA key-exchange suite, each sending one of the paper's premaster secrets
// (bleichenbacher.ts) then ChangeCipherSpec and a garbage Finished, and compare the server's
// first reaction (alert, close, reset, timeout). All the same: again without CCS/Finished (the
// "shortened" flow). Still the same: not vulnerable. Any difference is measured a second time and
// counted only if it repeats. 10 connections on a typical server, 0 without RSA key exchange.
import { defineEndpointProbe, preambleOf, type Endpoint, type ProbeContext } from '../../engine/probe.js';
import type { VULNERABILITY_VERDICTS } from '../../model/constants.js';
import { ROBOT_VARIANTS, robotPlaintext, rsaKeyOf, rsaRaw, type RobotVariant } from '../../net/tls/bleichenbacher.js';
import { changeCipherSpecRecord, garbageFinished, rsaClientKeyExchange } from '../../net/tls/probe-records.js';
import { readFlight, TIMED_OUT, withRawSession, type SessionEvent } from '../../net/tls/raw-session.js';
import { suiteByCode, suiteByName } from '../../tls/registry/index.js';
import { MAX_SUITES_PER_HELLO, probeOrder } from '../../net/tls/suite-order.js';
import { buildClientHello, WIRE_VERSIONS } from '../../net/tls/wire/client-hello.js';
import { alertName, ContentType } from '../../net/tls/wire/constants.js';
import type { TlsCiphersEvidence } from '../../tls/ciphers.js';
import type { TlsProtocolsEvidence } from '../../tls/protocols.js';
import { tlsCiphersProbe } from '../tls/ciphers.js';
import { checkRobot, type RobotFlow, type RobotRound, type RobotVersion, type VulnRobotEvidence } from '../../tls/vulns/robot.js';
import { helloExtras, needProtocols, tlsProtocolsProbe, WIRE_VERSION_OF } from '../tls/protocols.js';

type Verdict = (typeof VULNERABILITY_VERDICTS)[number];
const VERSIONS: readonly RobotVersion[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'];

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

type Query = { ok: true; response: string } | { ok: false; refused: boolean; reason: string };

/** One connection: hello, first flight, one premaster secret, the server's first reaction. */
async function query(ctx: ProbeContext, ep: Endpoint, version: RobotVersion, suites: number[], variant: RobotVariant, flow: RobotFlow): Promise<Query> {
  const wire = WIRE_VERSION_OF[version];
  const hello = buildClientHello({ ...helloExtras(wire), version: wire, cipherSuites: suites, serverName: ctx.target.sni });
  return withRawSession({ ip: ep.ip, port: ep.port, timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal, ...preambleOf(ctx.target) }, async (s): Promise<Query> => {
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

export const vulnRobotProbe = defineEndpointProbe({
  id: 'vuln-robot',
  title: 'ROBOT (Bleichenbacher oracle)',
  categories: ['vulns'],
  scope: 'endpoint',
  section: 'tls',
  after: [tlsProtocolsProbe, tlsCiphersProbe],
  owns: ['vulnerabilities.robot'],
  async collect(ctx, deps): Promise<VulnRobotEvidence> {
    const ep = ctx.endpoint;
    const ciphers = deps.get(tlsCiphersProbe);
    const plan = planRobot(needProtocols(deps).protocols, ciphers);
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
      const answers = await Promise.all(
        ROBOT_VARIANTS.map((v) => ctx.withConnection(ep.ip, () => query(ctx, ep, version, suites, v, flow), { retryAlone: (q) => !q.ok && TIMED_OUT.test(q.reason) })),
      );
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
  check: (ev: VulnRobotEvidence) => checkRobot(ev),
  fields: (ev) => ({ vulnerabilities: { robot: ev.verdict } }),
});
