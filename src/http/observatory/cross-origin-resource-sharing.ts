// Observatory test `cross-origin-resource-sharing` (tests/cors.js in 1.4.8): what the answer to the CORS request allows.
import { clip, type Outcome } from './evidence.js';
import { nodeHeader, type Requests } from './retriever.js';

/** R10: after a certificate retry the CORS request may have gone to robots.txt instead of the page (a quirk of 1.4.8, reproduced). */
function quirkNote(r: Requests): string {
  const url = r.corsUrl;
  if (!r.retried || !url || !/\/robots\.txt$/.test(url.replace(/[?#].*$/s, ''))) return '';
  return ` The CORS request went to ${clip(url)}, not the page: after a certificate retry Observatory 1.4.8 records robots.txt in the redirect history and asks there — a deliberate reproduction of its quirk.`;
}

/** tests/cors.js crossOriginResourceSharingTest. */
export function corsTest(r: Requests): Outcome<'cross-origin-resource-sharing'> {
  const out = corsOutcome(r);
  return { ...out, detail: out.detail + quirkNote(r) };
}

function corsOutcome(r: Requests): Outcome<'cross-origin-resource-sharing'> {
  const acao = r.cors ? nodeHeader(r.cors.headers, 'access-control-allow-origin') : null;
  if (!r.cors) return { result: 'cross-origin-resource-sharing-not-implemented', detail: 'The CORS request got no 2xx answer.' };
  if (!acao) return { result: 'cross-origin-resource-sharing-not-implemented', detail: 'The answer to the CORS request has no Access-Control-Allow-Origin.' };
  const value = acao.slice(0, 256).trim().toLowerCase();
  if (value === '*') return { result: 'cross-origin-resource-sharing-implemented-with-public-access', detail: 'Access-Control-Allow-Origin: * (public, without credentials).' };
  const credentials = nodeHeader(r.cors.headers, 'access-control-allow-credentials');
  if (r.cors.origin && r.cors.origin === acao && credentials?.toLowerCase().trim() === 'true') {
    return { result: 'cross-origin-resource-sharing-implemented-with-universal-access', detail: `The Origin sent (${r.cors.origin}) is allowed back with credentials.` };
  }
  return { result: 'cross-origin-resource-sharing-implemented-with-restricted-access', detail: `Access-Control-Allow-Origin: ${clip(acao)} (restricted).` };
}
