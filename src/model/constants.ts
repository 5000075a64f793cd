// The Contract's closed vocabularies, as plain values: runtime code imports them from here so that
// a scan does not load the schema library (src/model/report.ts builds the JSON Schema from them).

export const REPORT_SCHEMA_ID = 'secgrade/report@1';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const GRADES = ['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F', 'T', 'M'] as const;
export type GradeLetter = (typeof GRADES)[number];

export const PROBE_STATUSES = ['ok', 'error', 'skipped'] as const;
export type ProbeStatus = (typeof PROBE_STATUSES)[number];

export const PROTOCOLS = ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type ProtocolName = (typeof PROTOCOLS)[number];
/** true = accepted, false = refused, null = not tested. */
export type Protocols = Record<ProtocolName, boolean | null>;

export function untestedProtocols(): Protocols {
  return { SSLv2: null, SSLv3: null, 'TLSv1.0': null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null };
}

export const VULNERABILITY_VERDICTS = ['vulnerable', 'not-vulnerable', 'unknown'] as const;

/** The keys of endpoints[].tls.vulnerabilities (the Contract), each filled by a vuln-* probe. */
export const VULNERABILITY_KEYS = [
  'heartbleed',
  'ccsInjection',
  'ticketbleed',
  'robot',
  'poodleSsl',
  'beast',
  'sweet32',
  'freak',
  'logjam',
  'drown',
  'crime',
  'breach',
  'lucky13',
  'rc4',
  'insecureRenegotiation',
  'clientRenegotiation',
  'fallbackScsv',
] as const;
export type VulnerabilityKey = (typeof VULNERABILITY_KEYS)[number];

/**
 * Why a probe could not answer, as a closed list (zgrab2's status idea): what a script or a
 * dashboard can count and alert on, beside the human reason.
 *  - timeout: a connection or the target's deadline ran out; refused: no connection could be made
 *    (refused, unreachable); reset: the peer reset or closed the connection mid-exchange; dns: a
 *    lookup failed (SERVFAIL, timeout, loop, malformed); protocol: the peer's bytes were not what
 *    the protocol allows; tls-alert: the peer ended the handshake with a fatal alert; interrupted:
 *    the user stopped the scan; budget: a limit of ours stopped it (rounds, size, CPU); bug: an
 *    error in secgrade itself.
 */
/** `starttls`: the plaintext dialogue before TLS failed (STARTTLS not offered or refused, injected bytes, not the protocol). */
export const PROBE_ERROR_KINDS = ['timeout', 'refused', 'reset', 'dns', 'protocol', 'tls-alert', 'interrupted', 'budget', 'bug', 'starttls'] as const;
export type ProbeErrorKind = (typeof PROBE_ERROR_KINDS)[number];
