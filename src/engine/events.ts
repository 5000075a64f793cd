// Progress events: the only thing the UI and the batch runner learn from the engine while it runs.
import type { ProbeStatus, Report } from '../model/report.js';

/** "ip:port" of an endpoint, or null for probes that run once per target (http, email). */
export type EndpointKey = string | null;

export interface PlannedTask {
  probeId: string;
  title: string;
  endpoint: EndpointKey;
}

export type ScanEvent =
  | { type: 'target-start'; target: string; at: number }
  /** Resolution done: the endpoints that will be scanned (empty when resolution failed). */
  | { type: 'target-resolved'; target: string; endpoints: string[]; at: number }
  /** Every task that will run for this target, before the first starts. */
  | { type: 'target-planned'; target: string; tasks: PlannedTask[]; at: number }
  | { type: 'probe-start'; target: string; probeId: string; endpoint: EndpointKey; at: number }
  | {
      type: 'probe-end';
      target: string;
      probeId: string;
      endpoint: EndpointKey;
      status: ProbeStatus;
      reason?: string;
      durationMs: number;
      at: number;
    }
  | { type: 'target-end'; target: string; report: Report; at: number };

export type ScanEventListener = (event: ScanEvent) => void;
