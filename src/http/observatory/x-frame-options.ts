// Observatory test `x-frame-options` (tests/x-frame-options.js in 1.4.8): the header, or frame-ancestors in the
// policy the CSP test parsed.
import type { CspOutcome } from './content-security-policy.js';
import { clip, type Outcome } from './evidence.js';
import { nodeHeader, type Requests } from './retriever.js';

/** tests/x-frame-options.js: the header, overridden by any frame-ancestors in the parsed CSP. */
export function xfoTest(r: Requests, csp: CspOutcome): Outcome<'x-frame-options'> {
  const header = r.auto ? nodeHeader(r.auto.headers, 'x-frame-options') : null;
  let out: Outcome<'x-frame-options'>;
  if (!header) out = { result: 'x-frame-options-not-implemented', detail: 'No X-Frame-Options header and no CSP frame-ancestors.' };
  else {
    const v = header.slice(0, 1024).trim().toLowerCase();
    if (v === 'deny' || v === 'sameorigin') out = { result: 'x-frame-options-sameorigin-or-deny', detail: `X-Frame-Options: ${v.toUpperCase()}.` };
    else if (v.startsWith('allow-from')) out = { result: 'x-frame-options-allow-from-origin', detail: `X-Frame-Options: ${clip(header)}.` };
    else out = { result: 'x-frame-options-header-invalid', detail: `X-Frame-Options "${clip(header)}" is not DENY, SAMEORIGIN or ALLOW-FROM.` };
  }
  // Any frame-ancestors of the combined policy counts, whatever its value (even from <meta>).
  const fa = csp.data?.get('frame-ancestors');
  if (r.auto && fa) out = { result: 'x-frame-options-implemented-via-csp', detail: `CSP frame-ancestors ${clip([...fa].join(' '))} controls framing.` };
  return out;
}
