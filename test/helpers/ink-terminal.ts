// Import first, before ink loads: the terminal the live views render to in tests. Shared by the
// UI tests so the environment Ink reads at load time is set (and restored) in one place.
import { afterAll, vi } from 'vitest';

// Colour support forced on (so the no-colour assertions mean something) and CI cleared, because Ink
// writes only the final frame when CI is set (is-in-ci), and the live and batch views are only ever
// shown on a terminal, which CI runs never have.
const previousEnv = { FORCE_COLOR: process.env.FORCE_COLOR, CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
process.env.FORCE_COLOR = '1';
process.env.CI = 'false';
delete process.env.CONTINUOUS_INTEGRATION;
afterAll(() => {
  for (const [key, value] of Object.entries(previousEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

/** Ink renders on its own schedule; under a loaded CI machine 1 s (vitest's default) is not enough. */
export const waitLong = <T,>(fn: () => T | Promise<T>) => vi.waitFor(fn, { timeout: 5000, interval: 20 });
