// Observatory test `redirection` (tests/redirection.js in 1.4.8): whether http:// redirects to https, and how.
import { clip, type Outcome } from './evidence.js';
import type { Requests } from './retriever.js';

/** tests/redirection.js redirectionTest. */
export function redirectionTest(r: Requests): Outcome<'redirection'> {
  const response = r.http;
  if (!response) return { result: 'redirection-not-needed-no-http', detail: 'http:// gave no response (nothing listens, or a hop failed).' };
  if (!response.verified) return { result: 'redirection-invalid-cert', detail: 'An https hop of the http:// redirect chain has an invalid certificate.' };
  const route = r.httpHistory.map((h) => new URL(h.url));
  const path = route.map((u) => u.href).join(' → ');
  if (route.every((u) => r.isPreloaded(u.hostname))) return { result: 'redirection-all-redirects-preloaded', detail: `Every host on the route is HSTS-preloaded: ${clip(path, 160)}.` };
  if (route.length === 1) return { result: 'redirection-missing', detail: `${route[0]!.href} answers ${response.status} without redirecting.` };
  const last = route.at(-1)!;
  const second = route[1]!;
  if (last.protocol !== 'https:') return { result: 'redirection-not-to-https', detail: `The redirects end on ${last.href}, not https.` };
  if (second.protocol === 'http:') return { result: 'redirection-not-to-https-on-initial-redirection', detail: `The first redirect goes to ${second.href}, not https.` };
  if (route[0]!.protocol === 'http:' && second.protocol === 'https:' && route[0]!.hostname !== second.hostname) {
    return { result: 'redirection-off-host-from-http', detail: `The first redirect leaves the host: ${second.href}.` };
  }
  return { result: 'redirection-to-https', detail: `http:// redirects to https on the same host first: ${clip(path, 160)}.` };
}
