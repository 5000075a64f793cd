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

/**
 * A host the batch connects to slowed it down (fewer connections at once, or none until
 * `pausedUntil` because it sent Retry-After), or recovered from that (cause 'recovered'). Told by
 * the limits every target of a batch shares, not by one target's scan.
 */
export interface HostBackoffEvent {
  type: 'host-backoff';
  /** The address connected to (what the per-host limits count by). */
  host: string;
  /** Connections allowed at once to it now. */
  connections: number;
  /** The cap it recovers to (--max-connections-per-host). */
  maxConnections: number;
  /** No new connection to it before this time (ms since the epoch). */
  pausedUntil?: number;
  cause: 'throttled' | 'reset' | 'timeout' | 'recovered';
  /** A few words for the progress view: "HTTP 429 with Retry-After", "connections reset" … */
  reason: string;
  /** Hosts backing off now, across the batch (this one included unless it recovered). */
  hostsBackingOff: number;
  at: number;
}

/** What a batch's progress view is told: every target's scan events, and the hosts' back-off. */
export type BatchEvent = ScanEvent | HostBackoffEvent;
export type BatchEventListener = (event: BatchEvent) => void;
