// Key exchange groups, judged: weak DHE primes, curves under 224 bits, post-quantum hybrids (and
// their absence). Pure: the tls-groups probe collects the evidence.
import { finding, REF, type CheckFinding } from '../model/finding.js';
import { assessDhPrime } from './dh-prime.js';
import { groupByCode, groupByName, type GroupInfo } from './registry/index.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const GROUP_FINDINGS = {
  dhWeak: 'tls.kx.dh-weak',
  dhComposite: 'tls.kx.dh-composite',
  dhNotSafePrime: 'tls.kx.dh-not-safe-prime',
  weakCurve: 'tls.kx.weak-curve',
  pqHybrid: 'tls.kx.pq-hybrid',
  noPq: 'tls.kx.no-pq',
} as const;

export interface TlsGroupsEvidence {
  /** TLS 1.3 groups in the order the server picks them (registry names, `0x…` for unknown codes). */
  tls13Groups: string[];
  /**
   * Curves used for TLS ≤ 1.2 ECDHE, in the order the server picks them: its own order where it
   * imposes one, else the order we offer (modern curves first). With `tls12Beyond13`, only the
   * curves not already in a complete tls13Groups were asked, so this holds those alone.
   */
  tls12Curves: string[];
  /** tls12Curves lists only the TLS 1.2 curves beyond tls13Groups (the union is still complete). */
  tls12Beyond13?: boolean;
  /** Bits of the DHE prime (dh_p) the server sends to a client that names no FFDHE group. */
  dhPrimeBits: number | null;
  /** That prime (upper-case hex), so a check can recognise a well-known shared one (Logjam); set when read. */
  dhPrime?: string;
  /** Parts that stopped early, each prefixed by the part (see INCOMPLETE); their lists are lower bounds. */
  incomplete: string[];
  /** What else the enumeration learnt, each prefixed by the part (the lists stay complete). */
  notes?: string[];
}

/** Prefixes of `incomplete` entries, so a check can tell which part is a lower bound. */
export const INCOMPLETE = {
  tls13: 'TLS 1.3 groups',
  tls12: 'TLS 1.2 curves',
  dhe: 'DHE parameters',
} as const;

export const groupName = (code: number): string => groupByCode(code)?.name ?? `0x${code.toString(16).padStart(4, '0')}`;

/** TLS 1.3 groups first, then TLS 1.2 curves, without duplicates. */
export function groupsUnion(ev: TlsGroupsEvidence): string[] {
  return [...new Set([...ev.tls13Groups, ...ev.tls12Curves])];
}

const isIncomplete = (ev: TlsGroupsEvidence, part: string): boolean => ev.incomplete.some((s) => s.startsWith(`${part}:`));

const infoOf = (name: string): GroupInfo | undefined => groupByName(name);

const REF_RFC7919 = 'RFC 7919 — Negotiated Finite Field Diffie-Hellman Ephemeral parameters for TLS (https://www.rfc-editor.org/rfc/rfc7919)';

const REF_RFC8422 = 'RFC 8422 — Elliptic Curve Cryptography cipher suites for TLS 1.2 and earlier (https://www.rfc-editor.org/rfc/rfc8422)';

const REF_ECDHE_MLKEM = 'draft-ietf-tls-ecdhe-mlkem — hybrid ECDHE-MLKEM key agreement for TLS 1.3 (https://datatracker.ietf.org/doc/draft-ietf-tls-ecdhe-mlkem/)';

const REF_FIPS203 = 'FIPS 203 — Module-Lattice-Based Key-Encapsulation Mechanism (ML-KEM) (https://doi.org/10.6028/NIST.FIPS.203)';

const REF_SMALL_SUBGROUP =
  'Valenta et al., Measuring small subgroup attacks against Diffie-Hellman (NDSS 2017, https://eprint.iacr.org/2016/995)';

/** What the DHE modulus is beyond its size (src/tls/dh-prime.ts): composite, or prime but not safe. */
function dhPrimeFindings(primeHex: string): CheckFinding[] {
  const a = assessDhPrime(primeHex);
  const evidence = { dhPrimeBits: a.bits, dhPrime: a.kind, reason: a.reason, millerRabinRounds: a.rounds };
  const remediation =
    'Use an RFC 7919 group (ffdhe2048 or larger; OpenSSL 3 picks one itself when no DH parameters are configured) or safe-prime parameters from `openssl dhparam 2048`, or drop DHE suites in favour of ECDHE.';
  switch (a.kind) {
    case 'composite':
      return [
        finding({
          id: GROUP_FINDINGS.dhComposite,
          severity: 'high',
          title: `The Diffie-Hellman modulus is not prime (${a.bits} bits)`,
          detail: `DHE key exchange uses a ${a.bits}-bit modulus that is not prime (${a.reason}): discrete logarithms split over its factors, so the key exchange is insecure whatever its size.`,
          evidence,
          remediation,
          references: [REF_RFC7919, REF_SMALL_SUBGROUP, 'CVE-2016-2217 (socat shipped a composite 1024-bit DH modulus)'],
        }),
      ];
    case 'not-safe':
      return [
        finding({
          id: GROUP_FINDINGS.dhNotSafePrime,
          severity: 'medium',
          title: `The Diffie-Hellman prime is not a safe prime (${a.bits} bits)`,
          detail: `DHE key exchange uses a ${a.bits}-bit prime p for which (p-1)/2 is not prime (${a.reason}), so the group order p-1 may have small factors. TLS 1.2 does not send the subgroup order, so clients cannot check a key's order: a server that reuses its exponent can leak it through small-subgroup attacks.`,
          evidence,
          remediation,
          references: [REF_RFC7919 + ' §8', REF_SMALL_SUBGROUP, 'NIST SP 800-56A Rev. 3 §5.6.2.3 (https://doi.org/10.6028/NIST.SP.800-56Ar3)'],
        }),
      ];
    case 'unchecked':
      return [
        finding({
          id: `${GROUP_FINDINGS.dhNotSafePrime}.untested`,
          severity: 'info',
          title: 'The Diffie-Hellman prime was not tested for primality',
          detail: `The ${a.bits}-bit DHE modulus is ${a.reason}.`,
          evidence,
          remediation: 'Nothing to do unless the parameters are home-made; RFC 7919 groups are known and need no test.',
          references: [REF_RFC7919],
        }),
      ];
    default:
      return [];
  }
}

export function checkTlsGroups(ev: TlsGroupsEvidence): CheckFinding[] {
  const out: CheckFinding[] = [];
  if (ev.dhPrime) out.push(...dhPrimeFindings(ev.dhPrime));
  const bits = ev.dhPrimeBits;
  if (bits !== null && bits < 2048) {
    const broken = bits < 1024;
    out.push(
      finding({
        id: GROUP_FINDINGS.dhWeak,
        severity: broken ? 'high' : 'medium',
        title: `Weak Diffie-Hellman parameters (${bits}-bit prime)`,
        detail: broken
          ? `DHE key exchange uses a ${bits}-bit prime, which can be broken outright (Logjam); SSL Labs fails servers with DH parameters under 1024 bits.`
          : `DHE key exchange uses a ${bits}-bit prime: 1024-bit groups are within reach of precomputation by well-funded attackers (Logjam), and SSL Labs penalises DH parameters under 2048 bits.`,
        evidence: { dhPrimeBits: bits },
        remediation:
          'Use DH parameters of at least 2048 bits (an RFC 7919 group such as ffdhe2048; nginx `ssl_dhparam`, Apache `SSLOpenSSLConfCmd DHParameters`), or drop DHE suites in favour of ECDHE.',
        references: ['CVE-2015-4000 (Logjam)', REF_RFC7919, 'Imperfect Forward Secrecy: How Diffie-Hellman Fails in Practice (https://weakdh.org/)', REF.ssllabsGuide],
      }),
    );
  }

  const weak = groupsUnion(ev).filter((n) => {
    const g = infoOf(n);
    return g !== undefined && g.kind === 'ecdhe' && g.bits > 0 && g.bits < 224;
  });
  if (weak.length) {
    out.push(
      finding({
        id: GROUP_FINDINGS.weakCurve,
        severity: 'medium',
        title: 'Elliptic curves under 224 bits are accepted',
        detail: `The server accepts ${weak.join(', ')} for key exchange: curves under 224 bits give less than 112-bit security, and IANA marks them discouraged.`,
        evidence: { curves: weak, tls12Curves: ev.tls12Curves, tls13Groups: ev.tls13Groups },
        remediation: 'Limit the groups to x25519, secp256r1 and secp384r1 (OpenSSL `Groups` / nginx `ssl_ecdh_curve X25519:P-256:P-384`).',
        references: [REF_RFC8422, 'NIST SP 800-57 Part 1 Rev. 5 — key sizes (https://doi.org/10.6028/NIST.SP.800-57pt1r5)', REF.ssllabsGuide],
      }),
    );
  }

  const hybrid = ev.tls13Groups.filter((n) => infoOf(n)?.kind === 'hybrid-pq');
  const pq = ev.tls13Groups.filter((n) => {
    const kind = infoOf(n)?.kind;
    return kind === 'hybrid-pq' || kind === 'pq';
  });
  if (hybrid.length) {
    out.push(
      finding({
        id: GROUP_FINDINGS.pqHybrid,
        severity: 'info',
        title: 'Hybrid post-quantum key exchange is supported',
        detail: `TLS 1.3 negotiates ${hybrid.join(', ')} (reported as information): traffic recorded today stays protected even against a future quantum computer, while the classical half keeps today's guarantees.`,
        evidence: { groups: hybrid, tls13Groups: ev.tls13Groups },
        remediation: 'Nothing to do; keep the hybrid group ahead of the classical ones.',
        references: [REF_ECDHE_MLKEM, REF_FIPS203],
      }),
    );
  }
  // Only when the TLS 1.3 list is complete: a post-quantum group may rank after where it stopped.
  if (ev.tls13Groups.length > 0 && pq.length === 0 && !isIncomplete(ev, INCOMPLETE.tls13)) {
    out.push(
      finding({
        id: GROUP_FINDINGS.noPq,
        severity: 'info',
        title: 'No post-quantum key exchange',
        detail: `TLS 1.3 supports ${ev.tls13Groups.join(', ')}; none is a hybrid post-quantum group such as X25519MLKEM768, which current browsers offer by default, so traffic recorded today could be decrypted by a future quantum computer.`,
        evidence: { tls13Groups: ev.tls13Groups },
        remediation: 'Enable X25519MLKEM768 ahead of x25519 (OpenSSL ≥ 3.5, BoringSSL, Go ≥ 1.24, recent nginx/Caddy builds).',
        references: [REF_ECDHE_MLKEM, REF_FIPS203, REF.rfc8446],
      }),
    );
  }
  return out;
}
