// Cron schedules for the monitor. croner parses the expressions and computes the next run; the
// timers are ours, behind a small Clock, so a test drives hours of ticks with a fake clock without
// waiting. A target whose run is still going when its next tick comes is not started twice: the
// tick is skipped and counted (a slow scan must not pile up scans of the same host).
import { Cron } from 'croner';

export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Node's timers. Unref'd: the monitor lives as long as its signal, not its timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** setTimeout's largest delay; a later run is reached by waking up and waiting again. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function cronOf(expr: string, timezone: string | null): Cron {
  // Without a function croner schedules nothing: it is used as a calculator only.
  return new Cron(expr, { paused: true, ...(timezone ? { timezone } : {}) });
}

/** null when `expr` is a cron expression croner accepts, else why not (one line). */
export function validCron(expr: string, timezone: string | null = null): string | null {
  if (expr.trim() === '') return 'empty';
  try {
    const next = cronOf(expr, timezone).nextRun(new Date());
    return next ? null : 'it never runs';
  } catch (err) {
    return (err as Error).message.replace(/^CronPattern: /, '');
  }
}

/** The first run strictly after `after` (ms since the epoch), or null when there is none. */
export function nextRun(expr: string, timezone: string | null, after: number): number | null {
  return cronOf(expr, timezone).nextRun(new Date(after))?.getTime() ?? null;
}

interface Job {
  id: string;
  expr: string;
  run: () => Promise<void>;
  next: number | null;
  timer: unknown;
  running: Promise<void> | null;
  skipped: number;
  runs: number;
}

export interface SchedulerOptions {
  clock?: Clock;
  timezone?: string | null;
  /** A tick that found the previous run still going (not started twice). */
  onSkip?(id: string, skipped: number): void;
  /** A run that threw (the runner reports its own failures; this is a bug net). */
  onError?(id: string, err: unknown): void;
}

export class CronScheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly clock: Clock;
  private readonly timezone: string | null;
  private started = false;

  constructor(private readonly opts: SchedulerOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.timezone = opts.timezone ?? null;
  }

  add(id: string, expr: string, run: () => Promise<void>): void {
    if (this.jobs.has(id)) throw new Error(`schedule ${id} added twice`);
    const job: Job = { id, expr, run, next: null, timer: null, running: null, skipped: 0, runs: 0 };
    this.jobs.set(id, job);
    if (this.started) this.arm(job, this.clock.now());
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const now = this.clock.now();
    for (const job of this.jobs.values()) this.arm(job, now);
  }

  /** Stops ticking and waits for the runs in flight. */
  async stop(): Promise<void> {
    this.started = false;
    for (const job of this.jobs.values()) {
      if (job.timer !== null) this.clock.clearTimer(job.timer);
      job.timer = null;
      job.next = null;
    }
    await Promise.all([...this.jobs.values()].map((j) => j.running));
  }

  nextRunOf(id: string): number | null {
    return this.jobs.get(id)?.next ?? null;
  }

  stats(id: string): { runs: number; skipped: number; running: boolean } | null {
    const j = this.jobs.get(id);
    return j ? { runs: j.runs, skipped: j.skipped, running: j.running !== null } : null;
  }

  private arm(job: Job, after: number): void {
    job.next = nextRun(job.expr, this.timezone, after);
    if (job.next === null) return;
    this.wait(job);
  }

  private wait(job: Job): void {
    const due = job.next!;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, due - this.clock.now()));
    job.timer = this.clock.setTimer(() => {
      job.timer = null;
      if (!this.started) return;
      // Woken early (a capped delay): wait the rest.
      if (this.clock.now() < due) return this.wait(job);
      this.tick(job);
      // The next run counts from the tick it answered, so a late wake-up never runs one tick twice.
      this.arm(job, Math.max(due, this.clock.now()));
    }, delay);
  }

  private tick(job: Job): void {
    if (job.running) {
      job.skipped++;
      this.opts.onSkip?.(job.id, job.skipped);
      return;
    }
    job.runs++;
    job.running = (async () => {
      try {
        await job.run();
      } catch (err) {
        this.opts.onError?.(job.id, err);
      } finally {
        job.running = null;
      }
    })();
  }
}
