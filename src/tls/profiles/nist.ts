// NIST SP 800-52 Rev. 2 server requirements as rules over the report, from secgrade's own reading
// of the publication (data/nist-sp800-52r2.json, each requirement with its section).
import type { ProtocolName } from '../../model/constants.js';
import type { TlsResult } from '../../model/report.js';
import {
  deviation,
  groupsUnknown,
  isDheSuite,
  leafCertificates,
  leafName,
  lifetimeDays,
  list,
  pass,
  protocolsSeen,
  suitesSeen,
  untested,
  verdict,
} from './evidence.js';
import type { ProfileDefinition, ProfileRule } from './types.js';

export interface NistData {
  profile: string;
  href: string;
  protocols: { section: string; required: ProtocolName[]; forbidden: Partial<Record<ProtocolName, string>> };
  cipherSuites: { section: string; tls12AndEarlier: Record<string, string[]>; tls13: Record<string, string[]> };
  certificate: { section: string; rsaMinBits: number; ecCurves: string[]; keyTypes: string[]; signatures: string[]; maxValidityDays: number };
  keyExchange: { section: string; dhMinBits: number; groups: string[]; requireOneOf: string[] };
  extensions: { section: string; required: Record<'secureRenegotiation' | 'extendedMasterSecret' | 'ocspStapling', string>; notAssessed: Record<string, string> };
  compression: { section: string };
}

export const NIST_REFERENCE = 'NIST SP 800-52 Rev. 2, Guidelines for the Selection, Configuration, and Use of TLS Implementations (https://doi.org/10.6028/NIST.SP.800-52r2)';

const sec = (s: string) => `SP 800-52r2 §${s}`;

/** Only TLS 1.3 is accepted, every older version refused. */
const tls13Only = (tls: TlsResult): boolean =>
  tls.protocols?.['TLSv1.3'] === true && (['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2'] as const).every((p) => tls.protocols?.[p] === false);

function rules(d: NistData): ProfileRule[] {
  const tls12 = new Set(Object.values(d.cipherSuites.tls12AndEarlier).flat());
  const tls13 = new Set(Object.values(d.cipherSuites.tls13).flat());
  const feature = (id: string, key: 'secureRenegotiation' | 'extendedMasterSecret' | 'ocspStapling', what: string, remediation: string): ProfileRule => ({
    id,
    source: sec(d.extensions.required[key]),
    remediation,
    check({ tls }) {
      const v = tls.features?.[key] ?? null;
      // Renegotiation and the master secret's binding are built into TLS 1.3: nothing to negotiate there.
      if (v === null && key !== 'ocspStapling' && tls13Only(tls)) return pass(id);
      if (v === null) return untested(id, `${what} not tested`);
      return v ? pass(id) : deviation(id, `${what} supported`, 'not supported');
    },
  });
  return [
    {
      id: 'protocols',
      source: sec(d.protocols.section),
      remediation: `Enable ${list(d.protocols.required)} and nothing older (nginx: ssl_protocols TLSv1.2 TLSv1.3;).`,
      check({ tls }) {
        const { offered, unknown } = protocolsSeen(tls);
        const bad = [
          ...d.protocols.required.filter((p) => tls.protocols?.[p] === false).map((p) => `${p} refused (shall be supported)`),
          ...offered.filter((p) => d.protocols.forbidden[p]).map((p) => `${p} offered (${d.protocols.forbidden[p]} be used)`),
        ];
        const expected = `${list(d.protocols.required)}; not ${list(Object.keys(d.protocols.forbidden))}`;
        return verdict('protocols', expected, bad, unknown.map((p) => `${p} not tested`));
      },
    },
    {
      id: 'cipher-suites',
      source: sec(d.cipherSuites.section),
      remediation: 'Offer only the suites of SP 800-52r2 §3.3.1 (AES-GCM, AES-CCM and AES-CBC with ECDHE or DHE; TLS 1.3: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_AES_128_CCM_SHA256, TLS_AES_128_CCM_8_SHA256).',
      check({ tls }) {
        const { byProtocol, unknown } = suitesSeen(tls);
        const bad = byProtocol.flatMap(([p, suites]) => {
          const outside = suites.filter((s) => !(p === 'TLSv1.3' ? tls13 : tls12).has(s));
          return outside.length ? [`${p}: ${outside.join(', ')}`] : [];
        });
        return verdict('cipher-suites', `only the suites listed in §3.3.1.1 (TLS 1.2 and below) and §3.3.1.2 (TLS 1.3)`, bad, unknown);
      },
    },
    {
      id: 'certificate-key',
      source: sec(d.certificate.section),
      remediation: `Use an RSA key of at least ${d.certificate.rsaMinBits} bits or an ECDSA key on P-256 or P-384.`,
      check({ tls }) {
        const leaves = leafCertificates(tls);
        if (!leaves.length) return untested('certificate-key', 'no certificate was read');
        const c = d.certificate;
        const bad = leaves
          .filter((l) => !c.keyTypes.includes(l.keyType) || (l.keyType === 'RSA' && l.keyBits !== null && l.keyBits < c.rsaMinBits) || (l.keyType === 'EC' && l.curve && !c.ecCurves.includes(l.curve)))
          .map(leafName);
        const unknown = leaves.filter((l) => (l.keyType === 'RSA' && l.keyBits === null) || (l.keyType === 'EC' && !l.curve)).map((l) => `key of ${l.subject} not fully read`);
        return verdict('certificate-key', `RSA ≥ ${c.rsaMinBits} bits or EC on ${list(c.ecCurves)}`, bad, unknown);
      },
    },
    {
      id: 'certificate-signature',
      source: sec(d.certificate.section),
      remediation: 'Have the certificate signed with SHA-256 or stronger (sha256WithRSAEncryption, RSASSA-PSS, ecdsa-with-SHA256 or stronger).',
      check({ tls }) {
        const leaves = leafCertificates(tls);
        if (!leaves.length) return untested('certificate-signature', 'no certificate was read');
        const bad = leaves.filter((l) => !d.certificate.signatures.includes(l.signatureAlgorithm)).map((l) => `${leafName(l)}: ${l.signatureAlgorithm}`);
        return verdict('certificate-signature', `signed with ${list(d.certificate.signatures)}`, bad, []);
      },
    },
    {
      id: 'certificate-validity',
      source: sec(d.certificate.section),
      remediation: 'Use certificates valid for three years or less.',
      check({ tls }) {
        const leaves = leafCertificates(tls);
        if (!leaves.length) return untested('certificate-validity', 'no certificate was read');
        const max = d.certificate.maxValidityDays;
        const bad = leaves.filter((l) => (lifetimeDays(l) ?? 0) > max).map((l) => `${leafName(l)}: ${lifetimeDays(l)} days`);
        const unknown = leaves.filter((l) => lifetimeDays(l) === null).map((l) => `validity of ${l.subject} unreadable`);
        return verdict('certificate-validity', `at most ${max} days (3 years)`, bad, unknown);
      },
    },
    {
      id: 'dh-parameters',
      source: sec(d.keyExchange.section),
      remediation: `Use DHE parameters of at least ${d.keyExchange.dhMinBits} bits (the RFC 7919 ffdhe${d.keyExchange.dhMinBits} group), or no DHE.`,
      check({ tls }) {
        const { byProtocol, unknown } = suitesSeen(tls);
        const dhe = byProtocol.some(([, suites]) => suites.some(isDheSuite));
        if (!dhe) return unknown.length ? untested('dh-parameters', unknown.join('; ')) : pass('dh-parameters');
        if (typeof tls.dhParameterBits !== 'number') return untested('dh-parameters', 'DHE offered, parameter size not measured');
        return tls.dhParameterBits < d.keyExchange.dhMinBits
          ? deviation('dh-parameters', `at least ${d.keyExchange.dhMinBits} bits`, `${tls.dhParameterBits} bits`)
          : pass('dh-parameters');
      },
    },
    {
      id: 'supported-groups',
      source: sec('3.4.2.2'),
      remediation: `Offer only NIST-approved groups (${list(d.keyExchange.groups)}), P-256 or P-384 among them (nginx: ssl_ecdh_curve prime256v1:secp384r1;).`,
      check({ tls }) {
        const groups = tls.groups ?? [];
        const outside = groups.filter((g) => !d.keyExchange.groups.includes(g.toLowerCase()));
        const bad = outside.length ? [`offers ${list(outside)}`] : [];
        const open = groupsUnknown(tls);
        if (tls.groups && !open.length && !groups.some((g) => d.keyExchange.requireOneOf.includes(g.toLowerCase()))) bad.push(`neither ${list(d.keyExchange.requireOneOf)}`);
        return verdict('supported-groups', `only ${list(d.keyExchange.groups)}, with ${d.keyExchange.requireOneOf.join(' or ')}`, bad, open);
      },
    },
    feature('renegotiation-info', 'secureRenegotiation', 'the renegotiation_info extension (RFC 5746)', 'Enable secure renegotiation (RFC 5746), or upgrade the TLS library.'),
    feature('extended-master-secret', 'extendedMasterSecret', 'the extended_master_secret extension (RFC 7627)', 'Enable the extended master secret (RFC 7627), or upgrade the TLS library.'),
    feature('ocsp-stapling', 'ocspStapling', 'the status_request extension (OCSP stapling)', 'Staple OCSP responses (nginx: ssl_stapling on; ssl_stapling_verify on;).'),
    {
      id: 'compression',
      source: sec(d.compression.section),
      remediation: 'Disable TLS compression.',
      check({ tls }) {
        const v = tls.features?.compression ?? null;
        if (v === null) return untested('compression', 'TLS compression not tested');
        return v ? deviation('compression', 'the null compression method only', 'TLS compression accepted') : pass('compression');
      },
    },
  ];
}

export function nistProfile(d: NistData): ProfileDefinition {
  return {
    id: 'nist-800-52r2',
    version: 'Rev. 2',
    title: 'NIST SP 800-52r2',
    reference: NIST_REFERENCE,
    // Each finding cites the section its rule comes from.
    rules: rules(d).map((r) => ({ ...r, reference: `NIST SP 800-52 Rev. 2, ${r.source.replace('SP 800-52r2 ', '')} (${d.href})` })),
    notAssessed: Object.entries(d.extensions.notAssessed).map(([rule, reason]) => ({ rule, reason })),
  };
}
