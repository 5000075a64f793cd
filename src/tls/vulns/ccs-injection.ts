// OpenSSL CCS injection (CVE-2014-0224), judged. Pure: the vuln-ccs-injection probe sends the early
// ChangeCipherSpec and reads the answer.
import { finding, untestedFinding, type CheckFinding } from '../../model/finding.js';
import type { ProtocolName, VULNERABILITY_VERDICTS } from '../../model/constants.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const CCS_INJECTION_FINDINGS = {
  ccsInjection: 'tls.vuln.ccs-injection',
} as const;

type Verdict = (typeof VULNERABILITY_VERDICTS)[number];
export type CcsVersion = Extract<ProtocolName, 'TLSv1.2' | 'TLSv1.1' | 'TLSv1.0' | 'SSLv3'>;

export interface VulnCcsInjectionEvidence {
  verdict: Verdict;
  /** The version the early ChangeCipherSpec was sent at; null when nothing was sent. */
  version: CcsVersion | null;
  /** What the server did after the two ChangeCipherSpec records; null when they were not sent. */
  answer: string | null;
  reason: string;
  /** What decided it: an alert, a close, another record, or (never on a well-behaved server) the deadline. */
  decidedBy?: 'alert' | 'close' | 'record' | 'deadline' | 'failure';
  /** Milliseconds from sending the ChangeCipherSpecs to the deciding event (absent when none were sent). */
  answerMs?: number;
}

const REFS = [
  'CVE-2014-0224 (OpenSSL CCS injection)',
  'OpenSSL Security Advisory 2014-06-05 (https://www.openssl.org/news/secadv/20140605.txt)',
  'Masashi Kikuchi: CCS Injection Vulnerability (http://ccsinjection.lepidum.co.jp/)',
];

export function checkCcsInjection(ev: VulnCcsInjectionEvidence): CheckFinding[] {
  const evidence = { verdict: ev.verdict, version: ev.version, answer: ev.answer };
  if (ev.verdict === 'vulnerable') {
    return [
      finding({
        id: CCS_INJECTION_FINDINGS.ccsInjection,
        severity: 'high',
        title: 'Vulnerable to OpenSSL CCS injection (CVE-2014-0224)',
        detail: `At ${ev.version ?? 'TLS'}, ${ev.reason}. A man in the middle can make the server (and a vulnerable OpenSSL client) use keys it can compute, then read and alter the traffic.`,
        evidence,
        remediation: 'Upgrade OpenSSL (0.9.8za, 1.0.0m, 1.0.1h or any later release).',
        references: REFS,
      }),
    ];
  }
  if (ev.verdict === 'unknown') return [untestedFinding(CCS_INJECTION_FINDINGS.ccsInjection, 'CCS injection', ev.reason, evidence, REFS)];
  return [];
}
