// The batch's progress as one line (stderr, every few seconds when not on a terminal): done/total,
// targets in flight, rate, ETA, what did not end ok, and the hosts backing off.
import type { HostBackoffEvent } from '../engine/events.js';
import { applyBackoff, describeBackoff, NO_BACKOFF, type BackoffView } from './backoff-view.js';
import type { ReportStatus } from './summary.js';

export const DEFAULT_PROGRESS_INTERVAL_MS = 5_000;

/** 27s, 3m05s, 1h02m. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class BatchProgress {
  private done = 0;
  private inFlight = 0;
  private readonly notOk: Record<Exclude<ReportStatus, 'ok'>, number> = { partial: 0, interrupted: 0, error: 0 };
  private readonly started: number;
  private backoff: BackoffView = NO_BACKOFF;

  /** `total`: the targets this session scans (not those a resumed file already holds). */
  constructor(
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  start(): void {
    this.inFlight++;
  }

  finish(status: ReportStatus): void {
    this.inFlight--;
    this.done++;
    if (status !== 'ok') this.notOk[status]++;
  }

  hostBackoff(event: HostBackoffEvent): void {
    this.backoff = applyBackoff(this.backoff, event);
  }

  line(): string {
    const elapsed = this.now() - this.started;
    const pct = this.total ? Math.floor((this.done / this.total) * 100) : 100;
    const rate = elapsed > 0 ? this.done / (elapsed / 1000) : 0;
    const parts = [`${this.done}/${this.total} done (${pct}%)`, `${this.inFlight} in flight`, `${rate.toFixed(rate < 10 ? 2 : 1)} targets/s`];
    if (rate > 0 && this.done < this.total) parts.push(`ETA ${formatDuration(((this.total - this.done) / rate) * 1000)}`);
    const bad = Object.entries(this.notOk).filter(([, n]) => n > 0);
    parts.push(bad.length ? `not ok: ${bad.map(([s, n]) => `${n} ${s}`).join(', ')}` : 'all ok so far');
    const latest = this.backoff.latest[0];
    if (this.backoff.hosts > 0) parts.push(`hosts backing off: ${this.backoff.hosts}${latest ? ` (latest: ${describeBackoff(latest, this.now())})` : ''}`);
    return `secgrade: ${parts.join(', ')}`;
  }
}
