// The registry of probes, in the order they are planned. A new probe is one file plus one line here.
import type { Probe } from '../src/engine/probe.js';
import { dnsCaaProbe } from './dns-caa.js';
import { emailDnssecProbe } from './email-dnssec.js';
import { emailMxProbe } from './email-mx.js';
import { emailRecordsProbe } from './email-records.js';
import { httpHeadersProbe } from './http-headers.js';
import { tlsCertificatesProbe } from './tls-certificates.js';
import { tlsCiphersProbe } from './tls-ciphers.js';
import { tlsFeaturesProbe } from './tls-features.js';
import { tlsGroupsProbe } from './tls-groups.js';
import { tlsHandshakeProbe } from './tls-handshake.js';
import { tlsProtocolsProbe } from './tls-protocols.js';
import { breachProbe } from './vuln-breach.js';
import { vulnCcsInjectionProbe } from './vuln-ccs-injection.js';
import { clientRenegotiationProbe } from './vuln-client-renegotiation.js';
import { vulnConfigProbe } from './vuln-config.js';
import { vulnHeartbleedProbe } from './vuln-heartbleed.js';
import { vulnRobotProbe } from './vuln-robot.js';
import { vulnTicketbleedProbe } from './vuln-ticketbleed.js';

export const ALL_PROBES: readonly Probe<any>[] = [
  tlsHandshakeProbe,
  tlsProtocolsProbe,
  tlsCertificatesProbe,
  tlsCiphersProbe,
  tlsGroupsProbe,
  tlsFeaturesProbe,
  vulnConfigProbe,
  vulnHeartbleedProbe,
  vulnCcsInjectionProbe,
  vulnTicketbleedProbe,
  vulnRobotProbe,
  clientRenegotiationProbe,
  breachProbe,
  httpHeadersProbe,
  emailRecordsProbe,
  // After email-records: its MX list (with STARTTLS, TLS and DANE) replaces the bare one.
  emailMxProbe,
  emailDnssecProbe,
  dnsCaaProbe,
];
