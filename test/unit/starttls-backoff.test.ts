// A STARTTLS server saying "too many connections" (421, `* BYE`, LDAP busy …) makes the TLS
// clients mark their result `starttls: 'throttled'` (offer verdicts: `throttled: true`); the
// connection limits read that without the probe's help and slow the host down like an HTTP 429.
import { describe, expect, it } from 'vitest';
import type { HostBackoffEvent } from '../../src/engine/events.js';
import { createLimits } from '../../src/engine/limits.js';

describe('throttled STARTTLS dialogues and the per-host back-off', () => {
  it('a rawHello/Node result marked starttls: throttled lowers the host\'s connections', async () => {
    const events: HostBackoffEvent[] = [];
    const limits = createLimits({ concurrency: 8, perHostConnections: 4, onBackoff: (e) => events.push(e) });
    expect(limits.hostConnections('192.0.2.1')).toBe(4);
    await limits.connect('192.0.2.1', async () => ({ kind: 'network', reason: 'STARTTLS: the server greeted with 421 too busy', starttls: 'throttled' }));
    expect(limits.hostConnections('192.0.2.1')).toBeLessThan(4);
    expect(events.map((e) => [e.host, e.cause])).toEqual([['192.0.2.1', 'throttled']]);
  });

  it('an offer verdict marked throttled counts too; other STARTTLS failures do not', async () => {
    const limits = createLimits({ concurrency: 8, perHostConnections: 4 });
    await limits.connect('192.0.2.2', async () => ({ kind: 'network', reason: 'STARTTLS: not offered', starttls: 'no-starttls' }));
    expect(limits.hostConnections('192.0.2.2')).toBe(4);
    await limits.connect('192.0.2.2', async () => ({ kind: 'untestable', reason: 'STARTTLS: * BYE Too many connections', failure: 'refused', throttled: true }));
    expect(limits.hostConnections('192.0.2.2')).toBeLessThan(4);
  });
});
