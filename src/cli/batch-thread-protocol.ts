// The messages between a batch and its scan threads (batch-threads.ts ⇄ batch-thread.ts). Plain
// data only: everything crosses by structured clone.
import type { BatchEvent, HostBackoffEvent } from '../engine/events.js';
import type { Report } from '../model/report.js';
import type { JobPayload } from '../worker/payload.js';

/** What every thread is started with: how to build its engine, and its share of the batch's limits. */
export interface ScanThreadInit {
  caFile: string | null;
  ctLogListPath: string | null;
  /** This thread's share of the probe slots. */
  concurrency: number;
  /** This thread's share of --max-connections-per-host (at least 1). */
  perHostConnections: number;
  /** This thread's share of --rate (0: no cap). */
  connectionsPerSecond: number;
  /** This thread's share of --dns-rate (0: no cap). */
  dnsRate: number;
}

export type ToThread =
  /** `events`: forward the scan's progress events (only a live view reads them). */
  | { type: 'scan'; id: number; payload: JobPayload; allowPrivate: boolean; events: boolean }
  | { type: 'abort'; id: number; reason: string }
  | { type: 'close' };

export type FromThread =
  | { type: 'event'; id: number; event: Exclude<BatchEvent, { type: 'target-end' } | HostBackoffEvent> }
  | { type: 'backoff'; event: HostBackoffEvent }
  | { type: 'report'; id: number; report: Report }
  /** The engine threw (a bug: it reports every target's failure in the report itself). */
  | { type: 'failed'; id: number; message: string; stack?: string };
