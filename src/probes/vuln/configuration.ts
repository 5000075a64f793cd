// The vulnerabilities that follow from the configuration alone (POODLE, BEAST, SWEET32, FREAK,
// Logjam, DROWN, CRIME, Lucky13, RC4, insecure renegotiation, fallback SCSV): no connection, a
// derived probe over the TLS probes' evidence and findings. The rules: src/tls/vulnerabilities.ts.
import { defineDerivedProbe } from '../../engine/probe.js';
import { checkVulnConfig, CONFIG_VULN_KEYS, judgeVulnerabilities, type VulnConfigEvidence } from '../../tls/vulnerabilities.js';
import { tlsCiphersProbe } from '../tls/ciphers.js';
import { tlsFeaturesProbe } from '../tls/features.js';
import { tlsGroupsProbe } from '../tls/groups.js';
import { needProtocols, tlsProtocolsProbe } from '../tls/protocols.js';

const INPUTS = [tlsProtocolsProbe, tlsCiphersProbe, tlsGroupsProbe, tlsFeaturesProbe] as const;

export const vulnConfigProbe = defineDerivedProbe({
  id: 'vuln-config',
  title: 'Vulnerabilities of the configuration',
  categories: ['vulns'],
  scope: 'derived',
  section: 'tls',
  after: INPUTS,
  owns: CONFIG_VULN_KEYS.map((k) => `vulnerabilities.${k}` as const),
  // Protocol versions are the one input every rule needs (skipped without them).
  derive: (deps): VulnConfigEvidence =>
    judgeVulnerabilities(
      {
        protocols: needProtocols(deps),
        ciphers: deps.get(tlsCiphersProbe),
        groups: deps.get(tlsGroupsProbe),
        features: deps.get(tlsFeaturesProbe),
      },
      INPUTS.flatMap((p) => deps.findings(p)),
    ),
  check: (ev: VulnConfigEvidence) => checkVulnConfig(ev),
  fields: (ev) => ({ vulnerabilities: Object.fromEntries(CONFIG_VULN_KEYS.map((k) => [k, ev.verdicts[k].verdict])) }),
});
