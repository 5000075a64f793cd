// When the HSTS fallback over the raw TLS client applies: only when Node's TLS handshake kept the
// target's https page from being read (not a timeout, refusal or reset; not when a page was read).
import { describe, expect, it } from 'vitest';
import type { FetchChainResult, FetchStop } from '../../src/http/fetch-chain.js';
import { nodeHandshakeFailure } from '../../src/http/hsts-raw.js';
import type { HttpSiteEvidence } from '../../src/http/site-evidence.js';

const URL0 = 'https://site.test/';
const site = (stop: FetchStop, hopUrls: string[] = []): HttpSiteEvidence =>
  ({
    host: 'site.test',
    url: URL0,
    https: { url: URL0, hops: hopUrls.map((url) => ({ url })), final: null, stop, downgraded: false, durationMs: 1 } as unknown as FetchChainResult,
  }) as HttpSiteEvidence;
const handshake: FetchStop = { kind: 'error', url: URL0, errorKind: 'tls-handshake', message: 'handshake failed: excessive message size' };

describe('nodeHandshakeFailure', () => {
  it('the HTTP probe failed: only a TLS handshake failure (tls-alert) counts', () => {
    expect(nodeHandshakeFailure(undefined, { reason: 'x: handshake failed', errorKind: 'tls-alert' })).toBe('x: handshake failed');
    for (const errorKind of ['timeout', 'refused', 'reset', 'protocol'] as const) expect(nodeHandshakeFailure(undefined, { reason: 'x', errorKind })).toBeNull();
    expect(nodeHandshakeFailure(undefined, { reason: 'skipped' })).toBeNull();
  });

  it('the HTTP probe completed (from its http page): the https chain stopped at a handshake on the target host', () => {
    expect(nodeHandshakeFailure(site(handshake), undefined)).toBe(`${URL0}: handshake failed: excessive message size`);
    expect(nodeHandshakeFailure(site({ ...handshake, errorKind: 'reset' }), undefined)).toBeNull();
    // Another host's handshake, or a target page already read (its HSTS counts): nothing to recover.
    expect(nodeHandshakeFailure(site({ ...handshake, url: 'https://other.test/' }), undefined)).toBeNull();
    expect(nodeHandshakeFailure(site({ ...handshake, url: 'https://site.test/b' }, [URL0]), undefined)).toBeNull();
    expect(nodeHandshakeFailure(site({ kind: 'done' }, [URL0]), undefined)).toBeNull();
  });
});
