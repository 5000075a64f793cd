import { describe, expect, it } from 'vitest';
import { checkTlsFeatures, type TlsFeaturesEvidence } from '../../src/tls/features.js';
import { tlsFeaturesProbe, untestedFeatures } from '../../src/probes/tls/features.js';
import { modernFeatures } from '../helpers/tls-evidence.js';

/** A modern TLS 1.2 + 1.3 server: no finding at all. */
const good = (): TlsFeaturesEvidence => modernFeatures();

/** Everything unknown, as the probe starts out. */
const untested = (): TlsFeaturesEvidence => untestedFeatures({ legacy: 'TLSv1.2', tls13: true }, ['could not test']);

const ids = (ev: TlsFeaturesEvidence) => checkTlsFeatures(ev).map((f) => [f.id, f.severity]);

describe('tls-features checks', () => {
  it('a modern server has no findings', () => {
    expect(ids(good())).toEqual([]);
  });

  it('nothing fires when nothing could be tested (null is not false)', () => {
    expect(ids(untested())).toEqual([]);
    expect(ids({ ...untested(), versions: { legacy: null, tls13: false } })).toEqual([]);
  });

  it('no secure renegotiation: high, RFC 5746 and CVE-2009-3555', () => {
    const [f, ...rest] = checkTlsFeatures({ ...good(), secureRenegotiation: false });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ id: 'tls.feature.no-secure-renegotiation', severity: 'high', evidence: { secureRenegotiation: false, version: 'TLSv1.2' } });
    expect(f!.references.join(' ')).toMatch(/RFC 5746/);
    expect(f!.references.join(' ')).toMatch(/CVE-2009-3555/);
    expect(f!.detail).toContain('TLSv1.2');
  });

  it('compression: high, CRIME', () => {
    const [f, ...rest] = checkTlsFeatures({ ...good(), compression: true });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ id: 'tls.feature.compression', severity: 'high' });
    expect(f!.references.join(' ')).toMatch(/CVE-2012-4929/);
  });

  it('TLS_FALLBACK_SCSV not honoured: low, RFC 7507', () => {
    const [f, ...rest] = checkTlsFeatures({ ...good(), fallbackScsv: false });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ id: 'tls.feature.no-fallback-scsv', severity: 'low' });
    expect(f!.references.join(' ')).toMatch(/RFC 7507/);
  });

  it('no extended master secret: low, only when a TLS ≤ 1.2 version was asked', () => {
    const [f, ...rest] = checkTlsFeatures({ ...good(), extendedMasterSecret: false });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ id: 'tls.feature.no-extended-master-secret', severity: 'low' });
    expect(f!.references.join(' ')).toMatch(/RFC 7627/);
    // A TLS 1.3-only server has the session hash built in.
    expect(ids({ ...good(), extendedMasterSecret: false, versions: { legacy: null, tls13: true } })).toEqual([]);
  });

  it('heartbeat: info, and says it is not Heartbleed', () => {
    const [f, ...rest] = checkTlsFeatures({ ...good(), heartbeat: true });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ id: 'tls.feature.heartbeat', severity: 'info' });
    expect(f!.detail).toMatch(/not Heartbleed/);
  });

  it('no OCSP stapling: info', () => {
    expect(ids({ ...good(), ocspStapling: false })).toEqual([['tls.feature.no-ocsp-stapling', 'info']]);
  });

  it('no h2: info only when ALPN negotiates something else', () => {
    const f = checkTlsFeatures({ ...good(), alpn: ['http/1.1'] });
    expect(f.map((x) => [x.id, x.severity])).toEqual([['tls.feature.no-h2', 'info']]);
    expect(f[0]!.evidence).toEqual({ alpn: ['http/1.1'] });
    // No ALPN at all (or untestable): nothing to say about h2.
    expect(ids({ ...good(), alpn: [] })).toEqual([]);
    expect(ids({ ...good(), alpn: ['h2'] })).toEqual([]);
  });

  it('everything wrong at once, worst first', () => {
    const ev: TlsFeaturesEvidence = {
      ...good(),
      alpn: ['http/1.1'],
      secureRenegotiation: false,
      fallbackScsv: false,
      extendedMasterSecret: false,
      ocspStapling: false,
      heartbeat: true,
      compression: true,
    };
    expect(ids(ev)).toEqual([
      ['tls.feature.no-secure-renegotiation', 'high'],
      ['tls.feature.compression', 'high'],
      ['tls.feature.no-fallback-scsv', 'low'],
      ['tls.feature.no-extended-master-secret', 'low'],
      ['tls.feature.heartbeat', 'info'],
      ['tls.feature.no-ocsp-stapling', 'info'],
      ['tls.feature.no-h2', 'info'],
    ]);
    for (const f of checkTlsFeatures(ev)) {
      expect(f.id).toMatch(/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/);
      expect(f.remediation.length).toBeGreaterThan(0);
      expect(f.references.length).toBeGreaterThan(0);
    }
  });

  it('the report gets the features without notes or versions', () => {
    // The evidence minus what is only for the checks (notes, versions).
    const { notes, versions, ...features } = good();
    expect(tlsFeaturesProbe.fields(good())).toEqual({ features });
    expect(tlsFeaturesProbe).toMatchObject({ id: 'tls-features', categories: ['tls'], scope: 'endpoint', section: 'tls', owns: ['features'] });
    expect(tlsFeaturesProbe.after?.map((p) => p.id)).toEqual(['tls-protocols', 'tls-ciphers']);
  });
});
