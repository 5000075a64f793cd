// ROBOT (Bleichenbacher's oracle), judged. Pure: the vuln-robot probe sends the premasters.
import { finding, untestedFinding, type CheckFinding } from '../../model/finding.js';
import type { ProtocolName, VULNERABILITY_VERDICTS } from '../../model/constants.js';
import type { RobotVariant } from '../../net/tls/bleichenbacher.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const ROBOT_FINDINGS = {
  robot: 'tls.vuln.robot',
} as const;

type Verdict = (typeof VULNERABILITY_VERDICTS)[number];
export type RobotVersion = Extract<ProtocolName, 'TLSv1.2' | 'TLSv1.1' | 'TLSv1.0' | 'SSLv3'>;

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

const REFS = [
  'ROBOT: Return Of Bleichenbacher\'s Oracle Threat, USENIX Security 2018 (https://robotattack.org/)',
  'CVE-2017-13099, CVE-2017-6168, CVE-2017-17382, CVE-2017-17427, CVE-2017-12373 … (the vendor CVEs listed at https://robotattack.org/)',
  'D. Bleichenbacher: Chosen Ciphertext Attacks Against Protocols Based on the RSA Encryption Standard PKCS #1, CRYPTO 1998',
  'RFC 5246 §7.4.7.1 — RSA-Encrypted Premaster Secret Message (https://www.rfc-editor.org/rfc/rfc5246#section-7.4.7.1)',
];

export function checkRobot(ev: VulnRobotEvidence): CheckFinding[] {
  const evidence = { verdict: ev.verdict, oracle: ev.oracle, version: ev.version, rounds: ev.rounds };
  if (ev.verdict === 'vulnerable') {
    const strong = ev.oracle === 'strong';
    return [
      finding({
        id: ROBOT_FINDINGS.robot,
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
  if (ev.verdict === 'unknown') return [untestedFinding(ROBOT_FINDINGS.robot, 'ROBOT', ev.reason, evidence, REFS, 'Re-run the scan; if this persists, test with another tool. Disabling TLS_RSA_* suites removes the question.')];
  return [];
}
