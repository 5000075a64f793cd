// The MX hosts' transport security, judged: for each MX host, was STARTTLS offered (RFC 3207), which
// protocol versions and cipher suites it accepts behind it, the certificate chain(s) it serves
// (trust path, name against the MX host), and whether the chain matches the host's DANE TLSA
// records (RFC 7672). Pure: the email-mx probe collects the evidence; this turns it into the
// report's `email.mx` entries and the findings. No I/O. Each host's letter is src/grade/mx.ts's.
//
// Choices, said once:
//  - The TLS checks of the tls-protocols, tls-ciphers and tls-groups probes run unchanged on each
//    MX host's evidence; their ids are re-prefixed `email.mx.` (tls.protocol.tls10 →
//    email.mx.tls.protocol.tls10) and their evidence names the MX host.
//  - The configuration verdicts (DROWN, POODLE, SWEET32 …) that follow from the suites are filled
//    in, so the letter can apply their caps; the active vulnerability probes are not run on MX hosts.
//  - DANE: a server that serves several chains (RSA and ECDSA) must match with each, since a DANE
//    sender may be handed any of them; usable TLSA records on a host that does not offer STARTTLS
//    is a mismatch (DANE senders defer the mail, RFC 7672 §2.2). The TLSA name is
//    `_25._tcp.<mx>` whatever port --smtp-port connects to: senders deliver to port 25 and look
//    there (RFC 7672 §2.2).
//  - DANE counts only on DNSSEC-validated TLSA records (RFC 7672 §2.2, RFC 6698 §4.1): secure when
//    the resolver set the AD bit on the TLSA answer; otherwise the zone holding the TLSA name is
//    looked at (src/email/dnssec.ts): not signed, an island, or not reached by a chain of trust
//    the resolver validates is insecure (the records are ignored: no credit, no mismatch); a
//    resolver that does not validate, or a failed lookup, leaves it unknown (DANE untested) —
//    AD=0 alone never means "not signed".
import { finding, REF, SUBJECT, type CheckFinding } from '../model/finding.js';
import type { CertificateInfo, ChainInfo, EmailResult, TlsResult } from '../model/report.js';
import { endpointKey } from '../model/target.js';
import { assessDhPrime } from '../tls/dh-prime.js';
import { checkTlsCiphers, nonIanaField, type TlsCiphersEvidence } from '../tls/ciphers.js';
import { checkTlsGroups, type TlsGroupsEvidence } from '../tls/groups.js';
import { checkTlsProtocols, type TlsProtocolsEvidence } from '../tls/protocols.js';
import { CONFIG_VULN_KEYS, judgeVulnerabilities } from '../tls/vulnerabilities.js';
import { daneFindings, matchTlsa, requireSecureTlsa, tlsaText, type DaneResult, type DaneStatus, type TlsaRecordData, type TlsaSecurity } from './dane.js';
import { zoneVerdict, type ZoneEvidence } from './dnssec.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const MX_FINDINGS = {
  starttlsUntested: 'email.mx.starttls-untested',
  noStarttls: 'email.mx.no-starttls',
  tlsUntested: 'email.mx.tls.untested',
  certUntested: 'email.mx.cert-untested',
  certInvalid: 'email.mx.cert-invalid',
} as const;

/** What the plaintext SMTP dialogue showed (greeting, EHLO). */
export interface MxSmtpEvidence {
  /** The 220 greeting's text (lines joined), null when none came. */
  banner: string | null;
  /** EHLO keywords as advertised (upper-case), e.g. ["PIPELINING","SIZE","STARTTLS"]. */
  extensions: string[];
  starttlsAdvertised: boolean;
  ehloName: string;
}

/** One served chain, as sent, with its judgement against the MX host name. */
export interface MxChainEvidence {
  /** Signature family asked for (ECDSA, RSA, EdDSA) and the protocol of that handshake. */
  family: string;
  protocol: string;
  /** The certificates as sent (base64 DER, leaf first): what TLSA records are matched against. */
  der: string[];
  certificates: CertificateInfo[];
  chain: ChainInfo;
}

/** What the TLS engine saw behind STARTTLS. */
export interface MxTlsEvidence {
  /** Why the TLS part could not be tested (then protocols is null), or is incomplete (chains). */
  reason: string | null;
  protocols: TlsProtocolsEvidence | null;
  ciphers: TlsCiphersEvidence | null;
  /** The DHE prime (bits, hex) when DHE suites are accepted; null otherwise or when not read. */
  dhPrimeBits: number | null;
  dhPrime: string | null;
  chains: MxChainEvidence[];
  /** One line per chain hello: `ECDSA TLSv1.3: 2 certificate(s)`, `RSA TLSv1.2: alert handshake_failure` … */
  chainAttempts: string[];
}

export interface MxTlsaEvidence {
  /** `_<port>._tcp.<mx>`. */
  name: string;
  /** ok: answered (records may be empty: NODATA/NXDOMAIN); error: the lookup failed. */
  status: 'ok' | 'error';
  records: TlsaRecordData[];
  /** The resolver set the AD bit (DNSSEC-validated). */
  authenticated: boolean;
  reason?: string;
  /**
   * DNSSEC of the zone holding the TLSA name, looked up when records came back without AD (to tell
   * an unsigned zone from a resolver that does not validate). Absent: not looked up.
   */
  dnssec?: ZoneEvidence;
}

export interface MxHostEvidence {
  /** The MX exchange, lower-case, without the trailing dot. */
  host: string;
  preference: number;
  port: number;
  /** The address connected to (first IPv4, else first IPv6); null when the name did not resolve. */
  ip: string | null;
  /** true: advertised; false: not advertised (or only HELO); null: could not tell (reason). */
  starttls: boolean | null;
  /** Why the host (or its STARTTLS) could not be tested. */
  reason: string | null;
  smtp: MxSmtpEvidence | null;
  /** Present when STARTTLS was offered. */
  tls: MxTlsEvidence | null;
  tlsa: MxTlsaEvidence;
}

export interface EmailMxEvidence {
  domain: string;
  /** The SMTP port connected to (25 unless --smtp-port). */
  port: number;
  /** RFC 7505 null MX: the domain accepts no mail, nothing to test. */
  nullMx: boolean;
  /** MX hosts tested (at most MAX_MX_HOSTS, by preference). */
  mx: MxHostEvidence[];
  /** MX records beyond the limit, not tested. */
  omitted: Array<{ host: string; preference: number }>;
}

/** The report's entry per MX host, before grading (src/grade/mx.ts adds `grade`, `gradeNote`, `tls.rating`). */
export type MxReport = EmailResult['mx'][number];

export const MX_REF = {
  rfc3207: 'RFC 3207 — SMTP service extension for secure SMTP over TLS (STARTTLS) (https://www.rfc-editor.org/rfc/rfc3207)',
  rfc7672: 'RFC 7672 — SMTP security via opportunistic DANE TLS (https://www.rfc-editor.org/rfc/rfc7672)',
  rfc8461: 'RFC 8461 — SMTP MTA Strict Transport Security (MTA-STS) (https://www.rfc-editor.org/rfc/rfc8461)',
  rfc8314: 'RFC 8314 — Cleartext considered obsolete: use of TLS for email (https://www.rfc-editor.org/rfc/rfc8314)',
} as const;

const endpointOf = (mx: MxHostEvidence): string | undefined => (mx.ip ? endpointKey({ ip: mx.ip, port: mx.port }) : undefined);

/** The tls-groups evidence an MX host yields: only the DHE prime is asked (groups cost a handshake each). */
function groupsOf(tls: MxTlsEvidence): TlsGroupsEvidence {
  return {
    tls13Groups: [],
    tls12Curves: [],
    dhPrimeBits: tls.dhPrimeBits,
    ...(tls.dhPrime ? { dhPrime: tls.dhPrime } : {}),
    incomplete: ['TLS 1.3 groups: not enumerated on MX hosts', 'TLS 1.2 curves: not enumerated on MX hosts'],
  };
}

/** The configuration vulnerability verdicts that follow from protocols and suites (vuln-config's table). */
function configVulnerabilities(tls: MxTlsEvidence): TlsResult['vulnerabilities'] {
  if (!tls.protocols) return {};
  const judged = judgeVulnerabilities({ protocols: tls.protocols, ...(tls.ciphers ? { ciphers: tls.ciphers } : {}), groups: groupsOf(tls) });
  return Object.fromEntries(CONFIG_VULN_KEYS.map((k) => [k, judged.verdicts[k].verdict]));
}

/** The MX host's TLS evidence as a whole TlsResult (what the SSL Labs rating reads). */
export function mxTlsResult(tls: MxTlsEvidence): TlsResult {
  const tested = tls.protocols !== null;
  return {
    status: tested ? 'ok' : 'error',
    ...(tls.reason ? { reason: tls.reason } : {}),
    protocols: tls.protocols?.protocols ?? { SSLv2: null, SSLv3: null, 'TLSv1.0': null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null },
    cipherSuites: (tls.ciphers?.suites ?? {}) as Record<string, string[]>,
    serverPreference: (tls.ciphers?.serverPreference ?? {}) as Record<string, boolean | null>,
    ...(tls.ciphers ? nonIanaField(tls.ciphers) : {}),
    groups: null,
    certificates: tls.chains.flatMap((c) => c.certificates),
    ...(tls.chains.length ? { chains: tls.chains.map((c) => c.chain) } : {}),
    vulnerabilities: configVulnerabilities(tls),
    dhParameterBits: tls.dhPrimeBits,
    ...(tls.dhPrime ? { dhParameterPrime: assessDhPrime(tls.dhPrime).kind } : {}),
    probes: {},
  };
}

/** The `tls` object of the report (a Partial of endpoints[].tls, without the per-probe list). */
export function mxTlsReport(tls: MxTlsEvidence): Partial<TlsResult> {
  const { probes: _probes, ...rest } = mxTlsResult(tls);
  return rest;
}

const worstDane: readonly DaneStatus[] = ['no-match', 'error', 'unusable', 'insecure', 'match', 'no-tlsa'];

/**
 * Whether the TLSA answer is DNSSEC-validated (see the header): the AD bit, else the verdict on the
 * zone holding the TLSA name. Only meaningful when there are records.
 */
export function tlsaSecurity(tlsa: MxTlsaEvidence): TlsaSecurity {
  if (tlsa.authenticated) return { status: 'secure', reason: 'the resolver validated the TLSA answer (AD bit set)' };
  if (!tlsa.dnssec) return { status: 'unknown', reason: 'the answer was not authenticated (no AD bit) and the zone was not examined' };
  const z = zoneVerdict(tlsa.dnssec);
  const zone = z.zone ?? tlsa.name;
  switch (z.status) {
    case 'secure':
      return { status: 'secure', reason: z.reason };
    case 'insecure':
      return { status: 'insecure', reason: `${zone} is not DNSSEC-signed` };
    case 'island':
      return { status: 'insecure', reason: `${zone} is signed, but its parent has no DS record for it, so no chain of trust reaches it` };
    case 'bogus':
      return { status: 'bogus', reason: z.reason };
    case 'unvalidated':
      // A validating resolver that does not validate the zone treats it as insecure; one that does
      // not validate at all cannot tell.
      return z.resolverValidates === true ? { status: 'insecure', reason: z.reason } : { status: 'unknown', reason: z.reason };
    case 'untested':
      return { status: 'unknown', reason: z.reason };
  }
}

/** The DANE verdict for one MX host (see the header for several chains, for no STARTTLS and for DNSSEC). */
export function mxDane(mx: MxHostEvidence): DaneResult {
  const { tlsa } = mx;
  if (tlsa.status === 'error') {
    return { status: 'error', matched: [], details: [], summary: `the TLSA lookup for ${tlsa.name} failed (${tlsa.reason ?? 'error'})` };
  }
  const records = tlsa.records;
  if (records.length === 0) return matchTlsa(records, []);
  return requireSecureTlsa(matchChains(mx), tlsaSecurity(tlsa), tlsa.name);
}

/** How the TLSA records fare against the served chains, DNSSEC aside. */
function matchChains(mx: MxHostEvidence): DaneResult {
  const records = mx.tlsa.records;
  const chains = mx.tls?.chains ?? [];
  if (chains.length === 0) {
    const none = matchTlsa(records, []);
    if (mx.starttls === false && none.status !== 'unusable') {
      return {
        ...none,
        status: 'no-match',
        summary: 'the host does not offer STARTTLS, so no certificate can match: DANE senders defer all mail to it',
      };
    }
    if (none.status === 'error') {
      const why = mx.reason ?? mx.tls?.reason ?? 'no certificate chain was read';
      return { ...none, summary: `no certificate to match (${why})` };
    }
    return none;
  }
  const results = chains.map((c) => matchTlsa(records, c.der.map((b) => Buffer.from(b, 'base64'))));
  const worst = worstDane.find((s) => results.some((r) => r.status === s)) ?? 'error';
  const pick = results.find((r) => r.status === worst)!;
  if (chains.length > 1 && worst === 'no-match' && results.some((r) => r.status === 'match')) {
    const bad = chains.filter((_, i) => results[i]!.status === 'no-match').map((c) => `${c.family} (${c.protocol})`);
    return { ...pick, summary: `${pick.summary}: the ${bad.join(', ')} chain matches no record, although another chain does` };
  }
  return pick;
}

/** `dane` as the contract has it. */
export const daneFlag = (status: DaneStatus): boolean | null => (status === 'match' ? true : status === 'no-match' ? false : null);

export function mxReport(mx: MxHostEvidence): MxReport {
  const dane = mxDane(mx);
  const security = mx.tlsa.status === 'ok' && mx.tlsa.records.length > 0 ? tlsaSecurity(mx.tlsa) : null;
  return {
    host: mx.host,
    preference: mx.preference,
    starttls: mx.starttls,
    tls: mx.tls ? mxTlsReport(mx.tls) : null,
    dane: daneFlag(dane.status),
    ip: mx.ip,
    port: mx.port,
    ...(mx.reason ? { reason: mx.reason } : {}),
    smtp: mx.smtp,
    daneStatus: dane.status,
    daneSummary: dane.summary,
    tlsa: mx.tlsa.records.map((r) => tlsaText(r, 64)),
    ...(security ? { tlsaDnssec: security } : {}),
  };
}

/** The email section's fragment: `{ mx: [...] }`. */
export function emailMxReport(ev: EmailMxEvidence): { mx: MxReport[] } {
  return { mx: ev.mx.map(mxReport) };
}

/** Re-prefix a TLS finding for an MX host: `tls.x` → `email.mx.tls.x`, evidence and title name the host. */
function forMx(f: CheckFinding, mx: MxHostEvidence): CheckFinding {
  const endpoint = endpointOf(mx);
  return {
    ...f,
    id: `email.mx.${f.id}`,
    title: `MX ${mx.host}: ${f.title}`,
    subject: SUBJECT.mx(mx.host),
    evidence: { host: mx.host, ...(mx.ip ? { ip: mx.ip } : {}), port: mx.port, ...f.evidence },
    ...(endpoint ? { endpoint } : {}),
  };
}

function certificateProblems(mx: MxHostEvidence): { chain: number; family: string; problems: string[] }[] {
  const out: { chain: number; family: string; problems: string[] }[] = [];
  for (const [i, c] of (mx.tls?.chains ?? []).entries()) {
    const problems: string[] = [];
    const leaf = c.certificates[0];
    if (!c.chain.trusted) {
      const why = c.chain.trustErrors.map((e) => e.detail).join(' ') || 'no path to a trusted root';
      problems.push(`not trusted: ${why}`);
    }
    if (c.chain.hostnameMatch === false) {
      problems.push(`issued for ${leaf?.sans.length ? leaf.sans.join(', ') : (leaf?.subject ?? 'another name')}, not ${mx.host}`);
    }
    if (problems.length) out.push({ chain: i, family: c.family, problems });
  }
  return out;
}

/** Every finding for the MX hosts; each names its host in `evidence.host`. */
export function checkEmailMx(ev: EmailMxEvidence): CheckFinding[] {
  const out: CheckFinding[] = [];
  for (const mx of ev.mx) {
    const endpoint = endpointOf(mx);
    const at = { subject: SUBJECT.mx(mx.host), ...(endpoint ? { endpoint } : {}) };
    const base = { host: mx.host, preference: mx.preference, ip: mx.ip, port: mx.port };
    if (mx.starttls === null) {
      out.push(
        finding({
          id: MX_FINDINGS.starttlsUntested,
          severity: 'info',
          title: `MX ${mx.host}: STARTTLS could not be tested`,
          detail: `No verdict for ${mx.host}: ${mx.reason ?? 'unknown reason'}.`,
          evidence: { ...base, reason: mx.reason, banner: mx.smtp?.banner ?? null },
          remediation: 'Check that the MX name resolves and that its SMTP port answers; re-run the scan.',
          references: [MX_REF.rfc3207],
          ...at,
        }),
      );
    } else if (mx.starttls === false) {
      // Only TLSA records senders use (DNSSEC-validated) make them defer the mail.
      const tlsa = mx.tlsa.records.length > 0 && mxDane(mx).status === 'no-match';
      out.push(
        finding({
          id: MX_FINDINGS.noStarttls,
          severity: 'high',
          title: `MX ${mx.host} does not offer STARTTLS`,
          detail:
            `${mx.host} (port ${mx.port}) does not advertise STARTTLS in its EHLO reply, so mail to it travels in clear text and can be read or altered by anyone on the path.` +
            (tlsa ? ' It also publishes TLSA records, so DANE senders defer all mail to it.' : ''),
          evidence: { ...base, banner: mx.smtp?.banner ?? null, extensions: mx.smtp?.extensions ?? [] },
          remediation: 'Enable STARTTLS on the MX (Postfix `smtpd_tls_security_level = may` with a certificate for the MX name; Exim `tls_advertise_hosts = *`).',
          references: [MX_REF.rfc3207, MX_REF.rfc8314],
          ...at,
        }),
      );
    }
    const tls = mx.tls;
    if (tls) {
      if (tls.protocols === null) {
        out.push(
          finding({
            id: MX_FINDINGS.tlsUntested,
            severity: 'info',
            title: `MX ${mx.host}: TLS behind STARTTLS could not be tested`,
            detail: `STARTTLS is offered, but no TLS handshake could be tested: ${tls.reason ?? 'unknown reason'}.`,
            evidence: { ...base, reason: tls.reason },
            remediation: 'Re-run the scan; if this persists, test the host with another tool (e.g. `openssl s_client -starttls smtp`).',
            references: [MX_REF.rfc3207],
            ...at,
          }),
        );
      } else {
        const found = [
          ...checkTlsProtocols(tls.protocols),
          ...(tls.ciphers ? checkTlsCiphers(tls.ciphers) : []),
          ...(tls.dhPrimeBits !== null ? checkTlsGroups(groupsOf(tls)) : []),
        ];
        out.push(...found.map((f) => forMx(f, mx)));
        if (tls.chains.length === 0) {
          out.push(
            finding({
              id: MX_FINDINGS.certUntested,
              severity: 'info',
              title: `MX ${mx.host}: no certificate chain could be read`,
              detail: `The certificate served behind STARTTLS could not be read: ${tls.chainAttempts.join('; ') || tls.reason || 'no attempt'}.`,
              evidence: { ...base, attempts: tls.chainAttempts },
              remediation: 'Re-run the scan; if this persists, test the host with another tool.',
              references: [MX_REF.rfc3207],
              ...at,
            }),
          );
        }
      }
      const problems = certificateProblems(mx);
      if (problems.length) {
        out.push(
          finding({
            id: MX_FINDINGS.certInvalid,
            severity: 'medium',
            title: `MX ${mx.host}: the certificate does not validate`,
            detail:
              `${problems.map((p) => `${p.family} chain: ${p.problems.join('; ')}`).join('. ')}. ` +
              'Opportunistic STARTTLS still encrypts, but senders that authenticate the MX (MTA-STS in enforce mode, and DANE without a matching DANE-EE record) will not deliver to it.',
            evidence: {
              ...base,
              chains: problems,
              certificates: tls.chains.map((c) => ({ subject: c.certificates[0]?.subject ?? null, issuer: c.certificates[0]?.issuer ?? null, sans: c.certificates[0]?.sans ?? [], notAfter: c.certificates[0]?.notAfter ?? null })),
            },
            remediation: `Serve a certificate from a public CA whose subjectAltName includes ${mx.host}, with its intermediates, and renew it before it expires.`,
            references: [MX_REF.rfc8461, MX_REF.rfc7672, REF.rfc6125, REF.rfc5280],
            ...at,
          }),
        );
      }
    }
    out.push(...mxDaneFindings(mx));
  }
  return out;
}

/** daneFindings for one MX host, with the TLSA name it really queried (daneFindings writes `_25._tcp`). */
function mxDaneFindings(mx: MxHostEvidence): CheckFinding[] {
  const result = mxDane(mx);
  const endpoint = endpointOf(mx);
  const findings = daneFindings(result, mx.tlsa.records, { host: mx.host, ...(endpoint ? { endpoint } : {}) });
  const written = `_25._tcp.${mx.host}`;
  const subject = SUBJECT.mx(mx.host);
  if (mx.tlsa.name === written) return findings.map((f) => ({ ...f, subject }));
  const fix = (s: string): string => s.split(written).join(mx.tlsa.name);
  return findings.map((f) => ({ ...f, subject, detail: fix(f.detail), remediation: fix(f.remediation), evidence: { ...f.evidence, tlsaName: mx.tlsa.name } }));
}
