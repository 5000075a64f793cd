import { describe, expect, it } from 'vitest';
import { startHeapBudget } from '../../src/cli/heap-budget.js';

describe('startHeapBudget', () => {
  it('collects once the heap in use passes the floor, and stops when told', async () => {
    const budget = startHeapBudget({ floorMb: 1, intervalMs: 10 });
    try {
      // Garbage well past a 1 MB floor (the test process's own heap is already over it).
      let junk: unknown[] = [];
      for (let i = 0; i < 200_000; i++) junk.push({ i, s: `x${i}` });
      junk = [];
      await new Promise((r) => setTimeout(r, 60));
      expect(junk).toHaveLength(0);
      expect(budget.stats.collections).toBeGreaterThan(0);
      expect(budget.stats.ms).toBeGreaterThan(0);
    } finally {
      budget.stop();
    }
    const after = budget.stats.collections;
    await new Promise((r) => setTimeout(r, 40));
    expect(budget.stats.collections).toBe(after);
  });

  it('leaves the heap alone below the floor', async () => {
    const budget = startHeapBudget({ floorMb: 100_000, intervalMs: 10 });
    await new Promise((r) => setTimeout(r, 40));
    budget.stop();
    expect(budget.stats.collections).toBe(0);
  });
});
