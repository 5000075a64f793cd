// Observatory test `x-content-type-options` (tests/x-content-type-options.js in 1.4.8): exactly `nosniff`, or not.
import { clip, type Outcome } from './evidence.js';
import { nodeHeader, type Requests } from './retriever.js';

/** tests/x-content-type-options.js. */
export function xctoTest(r: Requests): Outcome<'x-content-type-options'> {
  const header = r.auto ? nodeHeader(r.auto.headers, 'x-content-type-options') : null;
  if (!header) return { result: 'x-content-type-options-not-implemented', detail: 'No X-Content-Type-Options header.' };
  if (header.slice(0, 256).trim().toLowerCase() === 'nosniff') return { result: 'x-content-type-options-nosniff', detail: 'X-Content-Type-Options: nosniff.' };
  return { result: 'x-content-type-options-header-invalid', detail: `X-Content-Type-Options is "${clip(header)}", not exactly nosniff.` };
}
