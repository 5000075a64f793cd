// Probe evidence of a modern TLS 1.2 + 1.3 server, for the unit tests of checks that read it.
import type { TlsFeaturesEvidence } from '../../src/tls/features.js';

/** tls-features evidence with nothing to report: secure renegotiation, fallback SCSV, EMS, stapling … */
export const modernFeatures = (over: Partial<TlsFeaturesEvidence> = {}): TlsFeaturesEvidence => ({
  alpn: ['h2', 'http/1.1'],
  secureRenegotiation: true,
  fallbackScsv: true,
  extendedMasterSecret: true,
  ocspStapling: true,
  sctExtension: false,
  heartbeat: false,
  sessionTickets: true,
  compression: false,
  resumption: { ids: true, tickets: true },
  versions: { legacy: 'TLSv1.2', tls13: true },
  notes: [],
  ...over,
});
