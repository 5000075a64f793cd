// How the active vulnerability probes read the server's answers, and the findings they make:
// pure functions over session events, first flights and evidence.
import { describe, expect, it } from 'vitest';
import type { TlsCiphersEvidence } from '../../src/tls/ciphers.js';
import { judgeCcsAnswer } from '../../src/probes/vuln/ccs-injection.js';
import { combineHeartbleed, judgeHeartbeatAnswer } from '../../src/probes/vuln/heartbleed.js';
import { oracleStrength, planRobot, robotResponse, sameResponses, uniform } from '../../src/probes/vuln/robot.js';
import { judgeTicketAnswer } from '../../src/probes/vuln/ticketbleed.js';
import { checkCcsInjection, type VulnCcsInjectionEvidence } from '../../src/tls/vulns/ccs-injection.js';
import { checkHeartbleed, type HeartbleedAttempt } from '../../src/tls/vulns/heartbleed.js';
import { checkRobot, type RobotRound, type VulnRobotEvidence } from '../../src/tls/vulns/robot.js';
import { checkTicketbleed, type VulnTicketbleedEvidence } from '../../src/tls/vulns/ticketbleed.js';
import { untestedProtocols, type Protocols } from '../../src/model/constants.js';
import type { FlightOutcome, SessionEvent } from '../../src/net/tls/raw-session.js';
import { parseServerHello } from '../../src/net/tls/wire/server-messages.js';
import { Writer } from '../../src/net/tls/wire/bytes.js';

const record = (contentType: number, fragment: number[] | Buffer): SessionEvent => ({
  kind: 'record',
  contentType,
  version: 0x0303,
  fragment: Buffer.isBuffer(fragment) ? fragment : Buffer.from(fragment),
});
const alert = (level: number, description: number) => record(21, [level, description]);
const closed: SessionEvent = { kind: 'closed', reason: 'the server closed the connection', midRecord: false };
const closedMid: SessionEvent = { kind: 'closed', reason: 'the server closed the connection', midRecord: true };
const reset: SessionEvent = { kind: 'reset', reason: 'the server reset the connection', midRecord: false };
const timeout: SessionEvent = { kind: 'timeout', reason: 'no decisive answer within 800 ms' };
const garbage: SessionEvent = { kind: 'garbage', reason: 'not a TLS record: unknown content type 143' };

describe('Heartbleed: what an answer to the two heartbeat requests means', () => {
  const marker = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  const response = (claimed: number, body: Buffer) => record(24, Buffer.concat([Buffer.from([2, claimed >> 8, claimed & 0xff]), body]));

  it('a response with payload we never sent: vulnerable, bytes counted', () => {
    expect(judgeHeartbeatAnswer(response(0x4000, Buffer.alloc(16381, 0x41)), marker)).toEqual({
      verdict: 'vulnerable',
      detail: expect.stringContaining('16384 payload bytes'),
      leakedBytes: 16381,
      decidedBy: 'heartbeat-response',
    });
  });

  it('the echo of our well-formed request: the lying one was dropped, not vulnerable', () => {
    expect(judgeHeartbeatAnswer(response(16, Buffer.concat([marker, Buffer.alloc(16)])), marker)?.verdict).toBe('not-vulnerable');
  });

  it('alerts, closes and silence until the deadline: not vulnerable (as testssl.sh)', () => {
    expect(judgeHeartbeatAnswer(alert(2, 10), marker)).toMatchObject({ verdict: 'not-vulnerable', detail: expect.stringContaining('unexpected_message') });
    expect(judgeHeartbeatAnswer(closed, marker)?.verdict).toBe('not-vulnerable');
    expect(judgeHeartbeatAnswer(reset, marker)?.verdict).toBe('not-vulnerable');
    expect(judgeHeartbeatAnswer(timeout, marker)).toMatchObject({ verdict: 'not-vulnerable', decidedBy: 'deadline' });
    expect(judgeHeartbeatAnswer(closed, marker)?.decidedBy).toBe('close');
  });

  it('garbage, a close mid-record, empty or malformed heartbeats: unknown', () => {
    expect(judgeHeartbeatAnswer(garbage, marker)?.verdict).toBe('unknown');
    expect(judgeHeartbeatAnswer(closedMid, marker)?.verdict).toBe('unknown');
    expect(judgeHeartbeatAnswer(response(0x4000, Buffer.alloc(0)), marker)?.verdict).toBe('unknown');
    expect(judgeHeartbeatAnswer(record(24, [2]), marker)?.verdict).toBe('unknown');
  });

  it('warnings, handshake records and the server\'s own heartbeat requests: read on', () => {
    expect(judgeHeartbeatAnswer(alert(1, 112), marker)).toBeNull();
    expect(judgeHeartbeatAnswer(record(22, [0, 0, 0, 0]), marker)).toBeNull();
    expect(judgeHeartbeatAnswer(record(24, [1, 0, 0]), marker)).toBeNull();
  });

  const attempt = (version: HeartbleedAttempt['version'], verdict: HeartbleedAttempt['verdict'], heartbeat: boolean | null = true): HeartbleedAttempt => ({
    version,
    heartbeat,
    verdict,
    detail: verdict,
  });

  it('one vulnerable version makes the server vulnerable; otherwise unknown wins over not vulnerable', () => {
    expect(combineHeartbleed([attempt('TLSv1.2', 'not-vulnerable'), attempt('TLSv1.0', 'vulnerable')])).toEqual({ verdict: 'vulnerable', reason: 'TLSv1.0: vulnerable' });
    expect(combineHeartbleed([attempt('TLSv1.2', 'not-vulnerable'), attempt('TLSv1.1', 'unknown', null)]).verdict).toBe('unknown');
    expect(combineHeartbleed([attempt('TLSv1.2', 'not-vulnerable', false)])).toEqual({ verdict: 'not-vulnerable', reason: 'the server does not negotiate the heartbeat extension' });
  });

  it('findings: critical when vulnerable, info when untested, none otherwise', () => {
    const [f] = checkHeartbleed({ verdict: 'vulnerable', attempts: [], reason: 'TLSv1.2: leak' });
    expect(f).toMatchObject({ id: 'tls.vuln.heartbleed', severity: 'critical' });
    expect(f?.references).toEqual(expect.arrayContaining(['CVE-2014-0160 (Heartbleed)']));
    expect(f?.remediation).toMatch(/replace the private key/);
    expect(checkHeartbleed({ verdict: 'unknown', attempts: [], reason: 'x' })).toEqual([expect.objectContaining({ id: 'tls.vuln.heartbleed.untested', severity: 'info' })]);
    expect(checkHeartbleed({ verdict: 'not-vulnerable', attempts: [], reason: 'x' })).toEqual([]);
  });
});

describe('CCS injection: what the answer to two early ChangeCipherSpecs means (testssl.sh, nmap)', () => {
  it('bad_record_mac or decryption_failed: the first was accepted, vulnerable', () => {
    expect(judgeCcsAnswer(alert(2, 20))).toMatchObject({ verdict: 'vulnerable', answer: 'alert bad_record_mac' });
    expect(judgeCcsAnswer(alert(2, 21))).toMatchObject({ verdict: 'vulnerable', answer: 'alert decryption_failed' });
  });

  it('unexpected_message and other refusals, or a clean close/reset: not vulnerable', () => {
    expect(judgeCcsAnswer(alert(2, 10))).toMatchObject({ verdict: 'not-vulnerable', answer: 'alert unexpected_message' });
    expect(judgeCcsAnswer(alert(2, 40))?.verdict).toBe('not-vulnerable');
    expect(judgeCcsAnswer(alert(1, 0))?.verdict).toBe('not-vulnerable'); // close_notify
    expect(judgeCcsAnswer(closed)).toMatchObject({ verdict: 'not-vulnerable', answer: 'closed' });
    expect(judgeCcsAnswer(reset)).toMatchObject({ verdict: 'not-vulnerable', answer: 'reset' });
  });

  it('silence, non-alert records, garbage, a close mid-record: unknown, never a guess', () => {
    expect(judgeCcsAnswer(timeout)).toMatchObject({ verdict: 'unknown', answer: 'no answer' });
    expect(judgeCcsAnswer(record(22, [14, 0, 0, 0]))?.verdict).toBe('unknown');
    expect(judgeCcsAnswer(garbage)?.verdict).toBe('unknown');
    expect(judgeCcsAnswer(closedMid)?.verdict).toBe('unknown');
    expect(judgeCcsAnswer(record(21, [2]))?.verdict).toBe('unknown');
  });

  it('a warning alert is read past', () => {
    expect(judgeCcsAnswer(alert(1, 100))).toBeNull();
  });

  it('findings', () => {
    const ev: VulnCcsInjectionEvidence = { verdict: 'vulnerable', version: 'TLSv1.2', answer: 'alert bad_record_mac', reason: 'r' };
    const [f] = checkCcsInjection(ev);
    expect(f).toMatchObject({ id: 'tls.vuln.ccs-injection', severity: 'high', evidence: { verdict: 'vulnerable', version: 'TLSv1.2', answer: 'alert bad_record_mac' } });
    expect(f?.references.join(' ')).toMatch(/CVE-2014-0224.*secadv/);
    expect(checkCcsInjection({ ...ev, verdict: 'unknown' })[0]).toMatchObject({ id: 'tls.vuln.ccs-injection.untested', severity: 'info' });
    expect(checkCcsInjection({ ...ev, verdict: 'not-vulnerable' })).toEqual([]);
  });
});

describe('Ticketbleed: what the answer to a 1-byte session ID with a ticket means', () => {
  const sent = Buffer.from([0x5b]);
  const flight = (sessionId: Buffer, abbreviated: boolean): FlightOutcome => {
    const body = new Writer().u16(0x0303).bytes(Buffer.alloc(32, 1)).vector8(sessionId).u16(0x002f).u8(0).toBuffer();
    const sh = parseServerHello(body);
    if (!sh.ok) throw new Error(sh.error);
    return { kind: 'flight', serverHello: sh.value, certificates: [], helloDone: !abbreviated, abbreviated };
  };

  it('resumed, our byte followed by 31 more: vulnerable', () => {
    const j = judgeTicketAnswer(flight(Buffer.concat([sent, Buffer.alloc(31, 0xee)]), true), sent);
    expect(j).toMatchObject({ verdict: 'vulnerable', resumed: true, sessionIdEchoed: 32 });
    expect(j.reason).toMatch(/31 bytes of server memory/);
  });

  it('resumed with the byte echoed as sent, or with an ID of its own: not vulnerable', () => {
    expect(judgeTicketAnswer(flight(sent, true), sent)).toMatchObject({ verdict: 'not-vulnerable', sessionIdEchoed: 1 });
    expect(judgeTicketAnswer(flight(Buffer.alloc(32, 0x42), true), sent).verdict).toBe('not-vulnerable');
  });

  it('a full handshake (ticket not taken) or no flight: unknown', () => {
    expect(judgeTicketAnswer(flight(Buffer.concat([sent, Buffer.alloc(31)]), false), sent)).toMatchObject({ verdict: 'unknown', resumed: false });
    expect(judgeTicketAnswer({ kind: 'failed', reason: 'garbage' }, sent)).toMatchObject({ verdict: 'unknown', resumed: null });
    expect(judgeTicketAnswer({ kind: 'refused', reason: 'alert handshake_failure', alert: 40 }, sent).reason).toContain('handshake_failure');
  });

  it('findings: the echoed bytes are never part of the evidence', () => {
    const ev: VulnTicketbleedEvidence = { verdict: 'vulnerable', version: 'TLSv1.2', ticketIssued: true, resumed: true, sessionIdSent: 1, sessionIdEchoed: 32, reason: 'r' };
    const [f] = checkTicketbleed(ev);
    expect(f).toMatchObject({ id: 'tls.vuln.ticketbleed', severity: 'high', evidence: { sessionIdSent: 1, sessionIdEchoed: 32 } });
    expect(f?.references).toEqual(expect.arrayContaining(['CVE-2016-9244 (Ticketbleed)']));
    expect(checkTicketbleed({ ...ev, verdict: 'unknown' })[0]?.id).toBe('tls.vuln.ticketbleed.untested');
    expect(checkTicketbleed({ ...ev, verdict: 'not-vulnerable' })).toEqual([]);
  });
});

describe('ROBOT: plan, responses, oracle', () => {
  const protocols = (accepted: Partial<Protocols>): Protocols => ({ ...untestedProtocols(), SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false, ...accepted });
  const ciphers = (suites: TlsCiphersEvidence['suites'], incomplete: TlsCiphersEvidence['incomplete'] = {}): TlsCiphersEvidence => ({ suites, serverPreference: {}, incomplete });

  it('tests the highest version with accepted RSA key-exchange suites, and only those suites', () => {
    const plan = planRobot(
      protocols({ 'TLSv1.2': true, 'TLSv1.0': true }),
      ciphers({ 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], 'TLSv1.0': ['TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'TLS_RSA_PSK_WITH_AES_128_CBC_SHA'] }),
    );
    expect(plan).toEqual({ version: 'TLSv1.0', suites: [0x002f] });
  });

  it('no RSA key exchange, or TLS 1.3 only: not vulnerable without a connection', () => {
    expect(planRobot(protocols({ 'TLSv1.2': true }), ciphers({ 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] }))).toMatchObject({ verdict: 'not-vulnerable' });
    expect(planRobot(protocols({ 'TLSv1.3': true }), undefined)).toMatchObject({ verdict: 'not-vulnerable' });
    expect(planRobot({ ...protocols({ 'TLSv1.3': true }), 'TLSv1.2': null }, undefined)).toMatchObject({ verdict: 'unknown' });
  });

  it('without the cipher list, or when it was cut short: every RSA suite of the registry', () => {
    const all = planRobot(protocols({ 'TLSv1.2': true }), undefined);
    expect('suites' in all && all.suites).toContain(0x002f);
    expect('suites' in all && all.suites).not.toContain(0xc02f);
    const cut = planRobot(protocols({ 'TLSv1.2': true }), ciphers({ 'TLSv1.2': [] }, { 'TLSv1.2': 'timeout' }));
    expect(cut).toMatchObject({ version: 'TLSv1.2' });
  });

  it('robotResponse labels the first reaction; aborts and network errors are no reaction', () => {
    expect(robotResponse(alert(2, 20))).toBe('fatal alert bad_record_mac');
    expect(robotResponse(alert(1, 0))).toBe('warning alert close_notify');
    expect(robotResponse(record(22, [1]))).toBe('record of type 22');
    expect(robotResponse(closed)).toBe('close (FIN)');
    expect(robotResponse(reset)).toBe('reset (RST)');
    expect(robotResponse(closedMid)).toBe('close (FIN) mid-record');
    expect(robotResponse(timeout)).toBe('no answer before the deadline');
    expect(robotResponse({ kind: 'aborted', reason: 'aborted' })).toBeNull();
    expect(robotResponse({ kind: 'network', reason: 'connection refused' })).toBeNull();
  });

  const round = (r: Partial<RobotRound['responses']>, base = 'fatal alert bad_record_mac'): RobotRound => ({
    flow: 'standard',
    responses: { correct: base, 'wrong-first-bytes': base, 'wrong-zero-position': base, 'missing-zero': base, 'wrong-version': base, ...r },
  });

  it('uniform, same, weak and strong oracles (robot-detect\'s rule)', () => {
    expect(uniform(round({}))).toBe(true);
    expect(uniform(round({ correct: 'reset (RST)' }))).toBe(false);
    expect(sameResponses(round({ correct: 'x' }), round({ correct: 'x' }))).toBe(true);
    expect(sameResponses(round({ correct: 'x' }), round({ 'missing-zero': 'x' }))).toBe(false);
    // Only the well-formed blocks (correct, wrong version) stand out: weak.
    expect(oracleStrength(round({ 'wrong-first-bytes': 'a', 'wrong-zero-position': 'a', 'missing-zero': 'a' }))).toBe('weak');
    expect(oracleStrength(round({ 'wrong-first-bytes': 'a' }))).toBe('strong');
  });

  it('findings: critical for a strong oracle, medium for a weak one, info when untested', () => {
    const ev: VulnRobotEvidence = { verdict: 'vulnerable', oracle: 'strong', version: 'TLSv1.2', suites: ['TLS_RSA_WITH_AES_128_CBC_SHA'], rounds: [round({})], reason: 'r' };
    const [strong] = checkRobot(ev);
    expect(strong).toMatchObject({ id: 'tls.vuln.robot', severity: 'critical' });
    expect(strong?.references.join(' ')).toMatch(/robotattack\.org.*CVE-2017/);
    expect(strong?.remediation).toMatch(/TLS_RSA_/);
    expect(checkRobot({ ...ev, oracle: 'weak' })[0]?.severity).toBe('medium');
    expect(checkRobot({ ...ev, verdict: 'unknown', oracle: null })[0]).toMatchObject({ id: 'tls.vuln.robot.untested', severity: 'info' });
    expect(checkRobot({ ...ev, verdict: 'not-vulnerable', oracle: null })).toEqual([]);
  });
});
