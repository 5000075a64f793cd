// --gentle and --dns-rate: the preset's values, explicit flags over it, bad values as usage errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BATCH_DEFAULTS, GENTLE, parseBatchFlags, refuseBatchOnlyFlags } from '../../src/cli/batch-flags.js';
import { UsageError } from '../../src/cli/exit.js';
import { runInProcess } from '../helpers/cli.js';

describe('--gentle', () => {
  it('sets the polite values; explicit flags override each of them', () => {
    expect(parseBatchFlags({})).toMatchObject({ targetsInFlight: BATCH_DEFAULTS.targetsInFlight, rate: BATCH_DEFAULTS.rate, dnsRate: BATCH_DEFAULTS.dnsRate });
    expect(parseBatchFlags({ gentle: true })).toMatchObject({ targetsInFlight: 2, maxConnectionsPerHost: 1, rate: 10, dnsRate: 20 });
    expect(GENTLE).toEqual({ targetsInFlight: 2, maxConnectionsPerHost: 1, rate: 10, dnsRate: 20 });
    expect(parseBatchFlags({ gentle: true, targetsInFlight: '4', rate: '0', dnsRate: '5.5' })).toMatchObject({
      targetsInFlight: 4,
      maxConnectionsPerHost: 1,
      rate: 0,
      dnsRate: 5.5,
    });
  });

  it('refuses a bad --dns-rate, and both flags on a single scan', () => {
    expect(() => parseBatchFlags({ dnsRate: 'fast' })).toThrow(/--dns-rate "fast" must be a number of DNS queries per second/);
    expect(() => parseBatchFlags({ dnsRate: '-1' })).toThrow(UsageError);
    expect(() => refuseBatchOnlyFlags({ gentle: true })).toThrow(/--gentle applies to a list of targets/);
    expect(() => refuseBatchOnlyFlags({ dnsRate: '3' })).toThrow(/--dns-rate applies to a list of targets/);
  });

  it('a bad value is one line on stderr and exit 2 before anything is scanned', async () => {
    const list = join(mkdtempSync(join(tmpdir(), 'secgrade-gentle-')), 'list.txt');
    writeFileSync(list, 'example.com\n');
    const run = await runInProcess(['batch', list, '--gentle', '--dns-rate', '1e3']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual(['secgrade: --dns-rate "1e3" must be a number of DNS queries per second (0 for no cap, at most 100000)']);
    expect(run.stdout).toBe('');
  });
});
