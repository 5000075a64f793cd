// A clock for the monitor's schedules whose time moves only when the test says: hours of cron
// ticks without waiting. Timers fire in order as time passes them, and what they start settles
// before the next one fires.
import type { Clock } from '../../src/monitor/schedule.js';

export class FakeClock implements Clock {
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private seq = 0;
  constructor(public t: number) {}
  /** An arrow: may be handed on detached (`createMonitorStore(names, clock.now)`). */
  now = (): number => this.t;
  setTimer(fn: () => void, ms: number): unknown {
    this.timers.push({ at: this.t + ms, fn, id: ++this.seq });
    return this.seq;
  }
  clearTimer(h: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  get pending(): number {
    return this.timers.length;
  }
  /** Moves time forward, firing due timers in order and letting the promises they start settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      for (let i = 0; i < 20; i++) await Promise.resolve();
      await new Promise((r) => setImmediate(r));
    }
    this.t = end;
  }
}
