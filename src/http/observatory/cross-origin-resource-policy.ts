// Observatory test `cross-origin-resource-policy` (tests/cross-origin-resource-policy.js in 1.4.8): the CORP header's value.
import { clip, type Outcome } from './evidence.js';
import { nodeHeader, type Requests } from './retriever.js';

/** tests/cross-origin-resource-policy.js (no <meta> source exists in 1.4.8). */
export function corpTest(r: Requests): Outcome<'cross-origin-resource-policy'> {
  const header = r.auto ? nodeHeader(r.auto.headers, 'cross-origin-resource-policy') : null;
  if (!header) return { result: 'corp-not-implemented', detail: 'No Cross-Origin-Resource-Policy header.' };
  const v = header.slice(0, 256).trim().toLowerCase();
  if (v === 'same-site') return { result: 'corp-implemented-with-same-site', detail: 'Cross-Origin-Resource-Policy: same-site.' };
  if (v === 'same-origin') return { result: 'corp-implemented-with-same-origin', detail: 'Cross-Origin-Resource-Policy: same-origin.' };
  if (v === 'cross-origin') return { result: 'corp-implemented-with-cross-origin', detail: 'Cross-Origin-Resource-Policy: cross-origin.' };
  return { result: 'corp-header-invalid', detail: `Cross-Origin-Resource-Policy "${clip(header)}" is not same-origin, same-site or cross-origin.` };
}
