// Heartbleed (CVE-2014-0160), judged. Pure: the vuln-heartbleed probe sends the heartbeats.
import { finding, untestedFinding, type CheckFinding } from '../../model/finding.js';
import type { VULNERABILITY_VERDICTS } from '../../model/constants.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const HEARTBLEED_FINDINGS = {
  heartbleed: 'tls.vuln.heartbleed',
} as const;

type Verdict = (typeof VULNERABILITY_VERDICTS)[number];
/** Heartbeat is an extension: SSLv3 hellos carry none, TLS 1.3 has no heartbeat. */
export type HeartbeatVersion = 'TLSv1.2' | 'TLSv1.1' | 'TLSv1.0';

/**
 * What decided an attempt. On a well-behaved server it is always something the server did
 * (a heartbeat response, an alert, a close); `deadline` means it did nothing until the
 * connection's deadline, and `no-heartbeat` that the extension was never negotiated.
 */
export type HeartbeatDecision = 'no-heartbeat' | 'heartbeat-response' | 'alert' | 'close' | 'deadline' | 'failure';

export interface HeartbleedAttempt {
  version: HeartbeatVersion;
  /** The ServerHello answered the heartbeat extension; null when no ServerHello came. */
  heartbeat: boolean | null;
  verdict: Verdict;
  detail: string;
  /** Bytes of server memory in the answer (counted, never kept). */
  leakedBytes?: number;
  decidedBy?: HeartbeatDecision;
  /** Milliseconds from sending the heartbeat requests to the deciding event (absent when none were sent). */
  answerMs?: number;
}

export interface VulnHeartbleedEvidence {
  verdict: Verdict;
  attempts: HeartbleedAttempt[];
  reason: string;
}

const REFS = [
  'CVE-2014-0160 (Heartbleed)',
  'The Heartbleed Bug (https://heartbleed.com/)',
  'OpenSSL Security Advisory 2014-04-07 (https://www.openssl.org/news/secadv/20140407.txt)',
  'RFC 6520 — TLS Heartbeat Extension (https://www.rfc-editor.org/rfc/rfc6520)',
];

export function checkHeartbleed(ev: VulnHeartbleedEvidence): CheckFinding[] {
  if (ev.verdict === 'vulnerable') {
    return [
      finding({
        id: HEARTBLEED_FINDINGS.heartbleed,
        severity: 'critical',
        title: 'Vulnerable to Heartbleed (CVE-2014-0160)',
        detail: `The server answered a heartbeat request with more bytes than it carried, read from its own memory (${ev.reason}). Anyone can read up to 64 KiB of process memory per request: private keys, session keys, passwords.`,
        evidence: { verdict: ev.verdict, attempts: ev.attempts },
        remediation: 'Upgrade OpenSSL (1.0.1g or later; every maintained release has no heartbeat at all), then replace the private key, revoke the certificate and invalidate sessions and passwords.',
        references: REFS,
      }),
    ];
  }
  if (ev.verdict === 'unknown') return [untestedFinding(HEARTBLEED_FINDINGS.heartbleed, 'Heartbleed', ev.reason, { verdict: ev.verdict, attempts: ev.attempts }, REFS)];
  return [];
}
