// Observatory test `referrer-policy` (tests/referrer-policy.js in 1.4.8): the referrer policy from the header and
// <meta name="referrer">.
import { clip, type Outcome } from './evidence.js';
import { nodeHeader, type Requests } from './retriever.js';

// tests/referrer-policy.js
const REFERRER_PRIVATE = ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'];
const REFERRER_UNSAFE = ['origin', 'origin-when-cross-origin', 'unsafe-url', 'no-referrer-when-downgrade'];

/** tests/referrer-policy.js referrerPolicyTest: header values then <meta>, the last known token wins. */
export function referrerTest(r: Requests): Outcome<'referrer-policy'> {
  if (!r.auto) return { result: 'referrer-policy-not-implemented', detail: 'No response.' };
  const header = nodeHeader(r.auto.headers, 'referrer-policy');
  const values = [...(header === null ? [] : [header]), ...r.equiv.referrer];
  if (values.length === 0) return { result: 'referrer-policy-not-implemented', detail: 'No Referrer-Policy header or <meta name="referrer">.' };
  const data = values.join(', ');
  const known = [...REFERRER_PRIVATE, ...REFERRER_UNSAFE];
  const policy = data.split(',').map((t) => t.toLowerCase().trim()).filter((t) => known.includes(t)).at(-1) ?? '';
  if (REFERRER_PRIVATE.includes(policy)) return { result: 'referrer-policy-private', detail: `Referrer policy "${policy}" (from "${clip(data)}").` };
  if (REFERRER_UNSAFE.includes(policy)) return { result: 'referrer-policy-unsafe', detail: `Referrer policy "${policy}" leaks the URL (from "${clip(data)}").` };
  return { result: 'referrer-policy-header-invalid', detail: `No known policy in "${clip(data)}".` };
}
