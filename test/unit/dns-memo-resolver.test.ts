import { describe, expect, it } from 'vitest';
import { memoizeResolver } from '../../src/net/dns/memo-resolver.js';
import type { Resolver } from '../../src/net/dns/resolver.js';

describe('memoizeResolver', () => {
  it('asks each distinct question once and shares the answer; DNSSEC bits make it a different question', async () => {
    const asked: string[] = [];
    const inner: Resolver = {
      description: 'counting',
      addresses: async (host) => (asked.push(`addr ${host}`), { status: 'ok', addresses: [{ address: '192.0.2.1', family: 4 }] }),
      query: async (name, type, _signal, opts) => (asked.push(`${name} ${type}${opts?.dnssecOk ? ' +do' : ''}`), { status: 'nodata', authenticated: false, server: 'x', transport: 'udp' }),
    };
    const r = memoizeResolver(inner);
    const [a, b] = await Promise.all([r.query('Example.com', 'MX'), r.query('example.com', 'MX')]);
    expect(a).toBe(b);
    await r.query('example.com', 'MX', undefined, { dnssecOk: true });
    await r.query('example.com', 'TXT');
    await r.addresses('MX.example.com');
    await r.addresses('mx.example.com');
    expect(asked).toEqual(['Example.com MX', 'example.com MX +do', 'example.com TXT', 'addr MX.example.com']);
    expect(r.description).toBe('counting');
  });
});
