// "Stays linear on hostile input", tested without asserting an absolute time (the project's rule:
// benchmarks are scripts, not timed tests). The cost of an input is compared with the cost of one
// `factor` times larger: linear work grows ~factor×, quadratic work factor²× (64× for 8×), so a
// bound well between the two (e.g. 30 for 8×) tells them apart on any machine, fast or slow.
//
// Robust under load: each round measures the two sizes back to back (alternating which goes
// first), so a slow spell of the machine (other processes, cache contention, a GC) hits both; a
// measurement is a batch of calls lasting at least `minBatchMs` (timer resolution does not
// matter) and is timed both by the wall clock and by the process's CPU time (which other processes
// do not inflate); a round's growth is the smaller of its two ratios, and the test's the smaller of
// the median over the rounds and the ratio of the best times. Work that really grows
// quadratically shows in every round and in the best times, by both clocks.
import { expect } from 'vitest';

export interface Growth {
  /** Best per-call milliseconds of the small input (wall clock, CPU). */
  small: { wall: number; cpu: number };
  /** Best per-call milliseconds of the large input (wall clock, CPU). */
  large: { wall: number; cpu: number };
  /** large / small: the smaller of the rounds' median (each round: the smaller of the wall-clock and CPU ratios) and the best times' ratio. */
  ratio: number;
  /** Each round's ratio. */
  rounds: number[];
}

export interface GrowthOptions {
  /** Rounds (pairs of measurements); the median counts. Default 9. */
  rounds?: number;
  /** A measurement repeats the call until it took this long (wall clock). Default 10 ms. */
  minBatchMs?: number;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

type PerCall = { wall: number; cpu: number };

/** Per-call milliseconds of `fn`, over a batch of at least `minBatchMs`. */
async function batch(fn: () => unknown, minBatchMs: number): Promise<PerCall> {
  let n = 0;
  const wall0 = performance.now();
  const cpu0 = cpuMs();
  let wall = 0;
  do {
    const out = fn();
    if (out instanceof Promise) await out;
    n++;
    wall = performance.now() - wall0;
  } while (wall < minBatchMs);
  return { wall: wall / n, cpu: (cpuMs() - cpu0) / n };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Measure `small` and `large` (sync or async); see the file's comment. */
export async function measureGrowth(small: () => unknown, large: () => unknown, opts: GrowthOptions = {}): Promise<Growth> {
  const rounds = opts.rounds ?? 9;
  const minBatchMs = opts.minBatchMs ?? 10;
  const best = { small: { wall: Infinity, cpu: Infinity }, large: { wall: Infinity, cpu: Infinity } };
  const ratios: number[] = [];
  // One unmeasured call of each first: compiling the code is not what is measured.
  for (const fn of [small, large]) {
    const out = fn();
    if (out instanceof Promise) await out;
  }
  for (let i = 0; i < rounds; i++) {
    let s: PerCall;
    let l: PerCall;
    if (i % 2 === 0) {
      s = await batch(small, minBatchMs);
      l = await batch(large, minBatchMs);
    } else {
      l = await batch(large, minBatchMs);
      s = await batch(small, minBatchMs);
    }
    for (const [b, m] of [[best.small, s], [best.large, l]] as const) {
      b.wall = Math.min(b.wall, m.wall);
      b.cpu = Math.min(b.cpu, m.cpu);
    }
    // A CPU time of 0 (below the clock's resolution) says nothing: only the wall clock counts then.
    const r = [l.wall / s.wall];
    if (s.cpu > 0 && l.cpu > 0) r.push(l.cpu / s.cpu);
    ratios.push(Math.min(...r));
  }
  // Noise (GC, other processes) only ever inflates a measurement, so the smaller of two estimates
  // is the truer one: the median of the rounds' ratios, and the ratio of the best times. A
  // quadratic cost inflates both.
  const bestRatios = [best.large.wall / best.small.wall];
  if (best.small.cpu > 0 && best.large.cpu > 0) bestRatios.push(best.large.cpu / best.small.cpu);
  return { ...best, ratio: Math.min(median(ratios), ...bestRatios), rounds: ratios };
}

/**
 * Expect the cost of `large` (an input `factor` times the size of `small`'s) to grow by less than
 * `maxRatio`: well below factor² (quadratic), well above factor (linear).
 */
export async function expectGrowthBelow(
  what: string,
  maxRatio: number,
  small: () => unknown,
  large: () => unknown,
  opts: GrowthOptions = {},
): Promise<Growth> {
  const g = await measureGrowth(small, large, opts);
  const ms = (b: PerCall) => `${b.wall.toFixed(3)} ms (CPU ${b.cpu.toFixed(3)} ms)`;
  const detail = `×${g.ratio.toFixed(1)} (rounds ${g.rounds.map((r) => r.toFixed(1)).join(' ')}); best ${ms(g.small)} → ${ms(g.large)}`;
  // GROWTH_LOG=1 prints every measurement, to see the margins on a given machine.
  if (process.env['GROWTH_LOG']) console.info(`growth ${what}: bound ${maxRatio}, ${detail}`);
  expect(g.ratio, `${what}: ${detail}`).toBeLessThan(maxRatio);
  return g;
}
