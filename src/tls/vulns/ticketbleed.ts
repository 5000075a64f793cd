// Ticketbleed (CVE-2016-9244), judged. Pure: the vuln-ticketbleed probe replays the ticket.
import { finding, untestedFinding, type CheckFinding } from '../../model/finding.js';
import type { VULNERABILITY_VERDICTS } from '../../model/constants.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const TICKETBLEED_FINDINGS = {
  ticketbleed: 'tls.vuln.ticketbleed',
} as const;

type Verdict = (typeof VULNERABILITY_VERDICTS)[number];
export type TicketVersion = 'TLSv1.2' | 'TLSv1.1' | 'TLSv1.0';

export interface VulnTicketbleedEvidence {
  verdict: Verdict;
  version: TicketVersion | null;
  /** The server issued a session ticket (null: not asked or the handshake failed). */
  ticketIssued: boolean | null;
  /** The hello with the ticket was answered with an abbreviated handshake. */
  resumed: boolean | null;
  /** Session ID bytes sent (1) and echoed back (their contents are not kept: they may be memory). */
  sessionIdSent: number;
  sessionIdEchoed: number | null;
  reason: string;
}

const REFS = [
  'CVE-2016-9244 (Ticketbleed)',
  'Filippo Valsorda: Ticketbleed (https://filippo.io/Ticketbleed/)',
  'F5 K05121675: TLS session ticket vulnerability (https://my.f5.com/manage/s/article/K05121675)',
  'RFC 5077 — TLS Session Resumption without Server-Side State (https://www.rfc-editor.org/rfc/rfc5077)',
];

export function checkTicketbleed(ev: VulnTicketbleedEvidence): CheckFinding[] {
  const evidence = { verdict: ev.verdict, version: ev.version, ticketIssued: ev.ticketIssued, resumed: ev.resumed, sessionIdSent: ev.sessionIdSent, sessionIdEchoed: ev.sessionIdEchoed };
  if (ev.verdict === 'vulnerable') {
    return [
      finding({
        id: TICKETBLEED_FINDINGS.ticketbleed,
        severity: 'high',
        title: 'Vulnerable to Ticketbleed (CVE-2016-9244)',
        detail: `Resuming from a session ticket at ${ev.version ?? 'TLS'}, ${ev.reason}. Each connection leaks up to 31 bytes of memory, which may hold session keys of other clients.`,
        evidence,
        remediation: 'Upgrade the F5 BIG-IP software, or disable session tickets on the client SSL profile until then.',
        references: REFS,
      }),
    ];
  }
  if (ev.verdict === 'unknown') return [untestedFinding(TICKETBLEED_FINDINGS.ticketbleed, 'Ticketbleed', ev.reason, evidence, REFS)];
  return [];
}
