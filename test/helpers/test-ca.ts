// The CA hierarchy (root → intermediate, valid around now) and the no-DNS resolver that the
// certificate and revocation integration tests scan with: one setup for the tests that serve leaves.
import type { Resolver } from '../../src/net/dns/resolver.js';
import { makeCert, type TestCert } from './certs.js';

const DAY = 86_400_000;

/** For scans that pin their addresses (ips: ['127.0.0.1']): any DNS question is an error. */
export const noDns: Resolver = {
  description: 'none (tests pin addresses)',
  addresses: async () => ({ status: 'error', reason: 'no DNS in this test' }),
  query: async () => ({ status: 'error', reason: 'no DNS in this test' }),
};

/** A root (valid 400 days ago to 10 years on) and an intermediate under it, named "CN=secgrade <label> root/intermediate". */
export async function makeTestCa(label: string): Promise<{ root: TestCert; intermediate: TestCert }> {
  const now = Date.now();
  const root = await makeCert({ subject: `CN=secgrade ${label} root`, ca: true, notBefore: new Date(now - 400 * DAY), notAfter: new Date(now + 3650 * DAY) });
  const intermediate = await makeCert({ subject: `CN=secgrade ${label} intermediate`, ca: true, issuer: root, notBefore: new Date(now - 300 * DAY), notAfter: new Date(now + 1000 * DAY) });
  return { root, intermediate };
}
