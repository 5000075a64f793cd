// The registry of probes, in the order they are planned (a probe comes after those it reads). A new
// probe is one file under src/probes/<family>/ plus one line here.
import type { AnyProbe } from '../engine/probe.js';
import { dnsCaaProbe } from './dns/caa.js';
import { emailDnssecProbe } from './email/dnssec.js';
import { emailMxRecordsProbe } from './email/mx-records.js';
import { emailMxProbe } from './email/mx-transport.js';
import { emailRecordsProbe } from './email/records.js';
import { httpSiteProbe } from './http/site.js';
import { tlsCertificatesProbe } from './tls/certificates.js';
import { tlsCiphersProbe } from './tls/ciphers.js';
import { tlsFeaturesProbe } from './tls/features.js';
import { tlsGroupsProbe } from './tls/groups.js';
import { tlsHandshakeProbe } from './tls/handshake.js';
import { tlsHstsRawProbe } from './tls/hsts-raw.js';
import { tlsProtocolsProbe } from './tls/protocols.js';
import { tlsSimulationProbe } from './tls/simulation.js';
import { breachProbe } from './vuln/breach.js';
import { vulnCcsInjectionProbe } from './vuln/ccs-injection.js';
import { clientRenegotiationProbe } from './vuln/client-renegotiation.js';
import { vulnConfigProbe } from './vuln/configuration.js';
import { vulnHeartbleedProbe } from './vuln/heartbleed.js';
import { vulnRobotProbe } from './vuln/robot.js';
import { vulnTicketbleedProbe } from './vuln/ticketbleed.js';

export const ALL_PROBES: readonly AnyProbe[] = [
  tlsHandshakeProbe,
  tlsProtocolsProbe,
  tlsCertificatesProbe,
  tlsCiphersProbe,
  tlsGroupsProbe,
  tlsFeaturesProbe,
  tlsSimulationProbe,
  vulnConfigProbe,
  vulnHeartbleedProbe,
  vulnCcsInjectionProbe,
  vulnTicketbleedProbe,
  vulnRobotProbe,
  clientRenegotiationProbe,
  breachProbe,
  httpSiteProbe,
  tlsHstsRawProbe,
  emailMxRecordsProbe,
  emailRecordsProbe,
  emailMxProbe,
  emailDnssecProbe,
  dnsCaaProbe,
];

/** Every probe option (flag), once, in registry order. */
export const PROBE_OPTIONS = [...new Set(ALL_PROBES.flatMap((p) => p.options ?? []))];
