// How a test points secgrade at a running lab: the scan flags (its DNS server, CA, CT log list and
// ports), and the same as a monitor config's `defaults:` block.
import type { LabInfo } from '../../src/lab/lab.js';

/** --dns, --ca-file, --ct-log-list, --http-port, --smtp-port and --allow-private for the lab. */
export function labFlags(i: LabInfo): string[] {
  return ['--dns', i.dns, '--ca-file', i.caFile, '--ct-log-list', i.ctLogList, '--http-port', String(i.httpPort), '--smtp-port', String(i.smtpPort), '--allow-private'];
}

/** The same settings as monitor.yaml's `defaults:` (YAML, ending with a newline). */
export function labMonitorDefaults(i: LabInfo): string {
  return `defaults:
  dns: "${i.dns}"
  ca-file: ${i.caFile}
  ct-log-list: ${i.ctLogList}
  allow-private: true
  options:
    http-port: ${i.httpPort}
    smtp-port: ${i.smtpPort}
`;
}
