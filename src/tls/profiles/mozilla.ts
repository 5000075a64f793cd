// Mozilla's Server Side TLS configurations (modern, intermediate, old) as rules over the report,
// read from the guidelines JSON vendored in data/. Where the JSON does not say how a rule applies,
// sslyze's checker is followed: versions and suites outside the lists deviate, the certificate
// types and signatures need one deployed leaf that matches, every leaf is held to the curve, key
// size and lifespan limits. secgrade holds `tls_versions` as the exact set (a version the
// configuration enables and the server refuses deviates too) and checks `ocsp_staple` and
// `server_preferred_order: true`, which sslyze leaves out.
import type { ProtocolName } from '../../model/constants.js';
import {
  deviation,
  ecGroupBits,
  groupsUnknown,
  isDheSuite,
  isFfdheGroup,
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
import type { ProfileDefinition, ProfileId, ProfileRule } from './types.js';

/** One configuration of the guidelines JSON (the keys secgrade reads). */
export interface MozillaConfiguration {
  certificate_curves: string[];
  certificate_signatures: string[];
  certificate_types: string[];
  ciphers: { iana: string[]; openssl: string[] };
  ciphersuites: string[];
  dh_param_size: number | null;
  ecdh_param_size: number;
  hsts_min_age: number;
  maximum_certificate_lifespan: number;
  ocsp_staple: boolean;
  rsa_key_size: number | null;
  server_preferred_order: boolean;
  tls_curves: string[];
  tls_versions: string[];
}

export interface MozillaGuidelines {
  version: number;
  href: string;
  configurations: Record<'modern' | 'intermediate' | 'old', MozillaConfiguration>;
}

export const MOZILLA_REFERENCE = 'Mozilla Server Side TLS guidelines (https://wiki.mozilla.org/Security/Server_Side_TLS)';

/** The guideline's protocol names → the report's. */
const VERSION_NAMES: Record<string, ProtocolName> = { SSLv2: 'SSLv2', SSLv3: 'SSLv3', TLSv1: 'TLSv1.0', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' };
/** The report's group names → the guideline's (OpenSSL's) curve names. */
const CURVE_NAMES: Record<string, string> = { x25519: 'X25519', x448: 'X448', secp256r1: 'prime256v1' };
/** The report's key types → the guideline's certificate types. */
const KEY_TYPES: Record<string, string> = { RSA: 'rsa', EC: 'ecdsa' };
/** The report's signature names → the guideline's (OpenSSL's long names). */
const SIGNATURE_NAMES: Record<string, string> = {
  MD5withRSA: 'md5WithRSAEncryption',
  SHA1withRSA: 'sha1WithRSAEncryption',
  SHA224withRSA: 'sha224WithRSAEncryption',
  SHA256withRSA: 'sha256WithRSAEncryption',
  SHA384withRSA: 'sha384WithRSAEncryption',
  SHA512withRSA: 'sha512WithRSAEncryption',
  'RSASSA-PSS': 'rsassaPss',
  SHA1withECDSA: 'ecdsa-with-SHA1',
  SHA224withECDSA: 'ecdsa-with-SHA224',
  SHA256withECDSA: 'ecdsa-with-SHA256',
  SHA384withECDSA: 'ecdsa-with-SHA384',
  SHA512withECDSA: 'ecdsa-with-SHA512',
};

const curveName = (group: string): string => CURVE_NAMES[group.toLowerCase()] ?? group;

function rules(name: 'modern' | 'intermediate' | 'old', c: MozillaConfiguration): ProfileRule[] {
  const generator = `Mozilla's configuration generator, "${name}" (https://ssl-config.mozilla.org/#config=${name})`;
  const wanted = c.tls_versions.map((v) => VERSION_NAMES[v] ?? v);
  const out: ProfileRule[] = [
    {
      id: 'protocols',
      source: 'tls_versions',
      remediation: `Enable exactly ${list(wanted)} (nginx: ssl_protocols ${c.tls_versions.join(' ')};), as ${generator} writes it.`,
      check({ tls }) {
        const { offered, unknown } = protocolsSeen(tls);
        const extra = offered.filter((p) => !wanted.includes(p));
        const missing = wanted.filter((p) => tls.protocols?.[p as ProtocolName] === false);
        const bad = [...(extra.length ? [`offers ${list(extra)}`] : []), ...(missing.length ? [`refuses ${list(missing)}`] : [])];
        return verdict('protocols', `exactly ${list(wanted)}`, bad, unknown.map((p) => `${p} not tested`));
      },
    },
    {
      id: 'cipher-suites',
      source: 'ciphersuites, ciphers.iana',
      remediation: `Offer only the guideline's suites (nginx: ssl_ciphers ${c.ciphers.openssl.join(':') || '…'}; TLS 1.3: ${c.ciphersuites.join(':')}), as ${generator} writes it.`,
      check({ tls }) {
        const { byProtocol, unknown } = suitesSeen(tls);
        const bad = byProtocol.flatMap(([p, suites]) => {
          const allowed = p === 'TLSv1.3' ? c.ciphersuites : c.ciphers.iana;
          const outside = suites.filter((s) => !allowed.includes(s));
          return outside.length ? [`${p}: ${outside.join(', ')}`] : [];
        });
        const expected = `TLS 1.3: ${list(c.ciphersuites)}; TLS 1.2 and below: ${list(c.ciphers.iana)}`;
        return verdict('cipher-suites', expected, bad, unknown);
      },
    },
    {
      id: 'tls-curves',
      source: 'tls_curves',
      remediation: `Offer only ${list(c.tls_curves)} for key exchange (nginx: ssl_ecdh_curve ${c.tls_curves.join(':')};).`,
      check({ tls }) {
        const ec = (tls.groups ?? []).filter((g) => !isFfdheGroup(g));
        const outside = ec.filter((g) => !c.tls_curves.includes(curveName(g)));
        return verdict('tls-curves', `only ${list(c.tls_curves)}`, outside.length ? [`offers ${list(outside)}`] : [], groupsUnknown(tls));
      },
    },
    {
      id: 'ecdh-param-size',
      source: 'ecdh_param_size',
      remediation: `Offer no elliptic curve smaller than ${c.ecdh_param_size} bits.`,
      check({ tls }) {
        const ec = (tls.groups ?? []).filter((g) => !isFfdheGroup(g));
        const small = ec.filter((g) => (ecGroupBits(g) ?? Infinity) < c.ecdh_param_size);
        // A pure post-quantum group (ML-KEM alone) is no elliptic curve: nothing to size.
        const unsized = ec.filter((g) => ecGroupBits(g) === null && !/^(mlkem|kyber)/i.test(g)).map((g) => `size of ${g} unknown`);
        const bad = small.length ? [`offers ${small.map((g) => `${g} (${ecGroupBits(g)} bits)`).join(', ')}`] : [];
        return verdict('ecdh-param-size', `every curve at least ${c.ecdh_param_size} bits`, bad, [...groupsUnknown(tls), ...unsized]);
      },
    },
    {
      id: 'certificate-types',
      source: 'certificate_types',
      remediation: `Deploy a certificate of type ${list(c.certificate_types)}.`,
      check({ tls }) {
        const leaves = leafCertificates(tls);
        if (!leaves.length) return untested('certificate-types', 'no certificate was read');
        const types = leaves.map((l) => KEY_TYPES[l.keyType] ?? l.keyType.toLowerCase());
        return types.some((t) => c.certificate_types.includes(t))
          ? pass('certificate-types')
          : deviation('certificate-types', `at least one of ${list(c.certificate_types)}`, `deployed ${list([...new Set(types)])}`);
      },
    },
    {
      id: 'certificate-curves',
      source: 'certificate_curves',
      remediation: `Use an ECDSA key on ${list(c.certificate_curves)}.`,
      check({ tls }) {
        const ec = leafCertificates(tls).filter((l) => l.keyType === 'EC');
        const bad = ec.filter((l) => l.curve && !c.certificate_curves.includes(l.curve)).map(leafName);
        const unknown = ec.filter((l) => !l.curve).map((l) => `curve of ${l.subject} unknown`);
        return verdict('certificate-curves', `EC keys on ${list(c.certificate_curves)}`, bad, unknown);
      },
    },
    {
      id: 'certificate-signatures',
      source: 'certificate_signatures',
      remediation: `Have the certificate signed with ${list(c.certificate_signatures)}.`,
      check({ tls }) {
        const leaves = leafCertificates(tls);
        if (!leaves.length) return untested('certificate-signatures', 'no certificate was read');
        const sigs = leaves.map((l) => SIGNATURE_NAMES[l.signatureAlgorithm] ?? l.signatureAlgorithm);
        return sigs.some((s) => c.certificate_signatures.includes(s))
          ? pass('certificate-signatures')
          : deviation('certificate-signatures', `at least one of ${list(c.certificate_signatures)}`, `deployed ${list([...new Set(sigs)])}`);
      },
    },
    {
      id: 'certificate-lifespan',
      source: 'maximum_certificate_lifespan',
      remediation: `Use certificates valid for at most ${c.maximum_certificate_lifespan} days (the guideline recommends 90).`,
      check({ tls }) {
        const leaves = leafCertificates(tls);
        if (!leaves.length) return untested('certificate-lifespan', 'no certificate was read');
        const bad = leaves.filter((l) => (lifetimeDays(l) ?? 0) > c.maximum_certificate_lifespan).map((l) => `${leafName(l)}: ${lifetimeDays(l)} days`);
        const unknown = leaves.filter((l) => lifetimeDays(l) === null).map((l) => `validity of ${l.subject} unreadable`);
        return verdict('certificate-lifespan', `at most ${c.maximum_certificate_lifespan} days`, bad, unknown);
      },
    },
  ];
  if (c.rsa_key_size !== null) {
    const min = c.rsa_key_size;
    out.push({
      id: 'rsa-key-size',
      source: 'rsa_key_size',
      remediation: `Use an RSA key of at least ${min} bits.`,
      check({ tls }) {
        const rsa = leafCertificates(tls).filter((l) => l.keyType === 'RSA');
        const bad = rsa.filter((l) => l.keyBits !== null && l.keyBits < min).map(leafName);
        const unknown = rsa.filter((l) => l.keyBits === null).map((l) => `key size of ${l.subject} unknown`);
        return verdict('rsa-key-size', `RSA keys of at least ${min} bits`, bad, unknown);
      },
    });
  }
  if (c.dh_param_size !== null) {
    const min = c.dh_param_size;
    out.push({
      id: 'dh-param-size',
      source: 'dh_param_size',
      remediation: `Use DHE parameters of at least ${min} bits (nginx: ssl_dhparam with the RFC 7919 ffdhe${Math.max(min, 2048)} group).`,
      check({ tls }) {
        const { byProtocol, unknown } = suitesSeen(tls);
        const dhe = byProtocol.some(([, suites]) => suites.some(isDheSuite));
        const bad: string[] = [];
        const open: string[] = [];
        if (dhe) {
          if (typeof tls.dhParameterBits === 'number') {
            if (tls.dhParameterBits < min) bad.push(`DHE parameters of ${tls.dhParameterBits} bits`);
          } else open.push('DHE offered, parameter size not measured');
        } else open.push(...unknown);
        const small = (tls.groups ?? []).filter((g) => isFfdheGroup(g) && Number(g.slice(5)) < min);
        if (small.length) bad.push(`offers ${list(small)}`);
        return verdict('dh-param-size', `DHE parameters of at least ${min} bits`, bad, open);
      },
    });
  }
  if (c.ocsp_staple) {
    out.push({
      id: 'ocsp-staple',
      source: 'ocsp_staple',
      remediation: 'Staple OCSP responses (nginx: ssl_stapling on; ssl_stapling_verify on;).',
      check({ tls }) {
        const stapled = tls.features?.ocspStapling ?? null;
        if (stapled === null) return untested('ocsp-staple', 'OCSP stapling not tested');
        return stapled ? pass('ocsp-staple') : deviation('ocsp-staple', 'an OCSP response stapled', 'none stapled');
      },
    });
  }
  if (c.server_preferred_order) {
    out.push({
      id: 'server-preferred-order',
      source: 'server_preferred_order',
      remediation: 'Make the server choose the suite in its own order (nginx: ssl_prefer_server_ciphers on;).',
      check({ tls }) {
        const { byProtocol, unknown } = suitesSeen(tls);
        // Where one suite is offered there is no order to prefer; TLS 1.3 suites are all strong.
        const ordered = byProtocol.filter(([p, suites]) => p !== 'TLSv1.3' && suites.length > 1);
        const bad = ordered.filter(([p]) => tls.serverPreference?.[p] === false).map(([p]) => `${p}: the client's order`);
        const open = ordered.filter(([p]) => typeof tls.serverPreference?.[p] !== 'boolean').map(([p]) => `${p}: order not tested`);
        return verdict('server-preferred-order', "the server's order below TLS 1.3", bad, [...open, ...(bad.length ? [] : unknown)]);
      },
    });
  }
  out.push({
    id: 'hsts-min-age',
    source: 'hsts_min_age',
    remediation: `Send Strict-Transport-Security with max-age of at least ${c.hsts_min_age} (nginx: add_header Strict-Transport-Security "max-age=${c.hsts_min_age}" always;).`,
    check({ http }) {
      const expected = `Strict-Transport-Security max-age of at least ${c.hsts_min_age}`;
      if (!http || http.status !== 'ok') return untested('hsts-min-age', `the site's HTTP response was not read${http?.reason ? ` (${http.reason})` : ''}`);
      if (!http.hsts) return deviation('hsts-min-age', expected, 'no Strict-Transport-Security header');
      if (http.hsts.maxAge === null) return deviation('hsts-min-age', expected, 'no valid max-age');
      return http.hsts.maxAge < c.hsts_min_age ? deviation('hsts-min-age', expected, `max-age=${http.hsts.maxAge}`) : pass('hsts-min-age');
    },
  });
  return out;
}

/** The three configurations of the guidelines as profiles. */
export function mozillaProfiles(g: MozillaGuidelines): ProfileDefinition[] {
  const version = String(g.version);
  return (['modern', 'intermediate', 'old'] as const).map((name) => ({
    id: `mozilla-${name}` as ProfileId,
    version,
    title: `Mozilla ${name} ${version}`,
    reference: `${MOZILLA_REFERENCE}; guidelines ${version} JSON (https://ssl-config.mozilla.org/guidelines/${version}.json)`,
    rules: rules(name, g.configurations[name]),
    notAssessed: [],
  }));
}
