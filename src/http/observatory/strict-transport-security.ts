// Observatory test `strict-transport-security` (tests/strict-transport-security.js in 1.4.8): HSTS on the https response,
// parsed the Observatory's way (not src/http/hsts.ts), and the preload list.
import { clip, type Outcome } from './evidence.js';
import { nodeHeader, type Requests } from './retriever.js';

/** tests/strict-transport-security.js: 15552000 s passes as six months ("a white lie"). */
const SIX_MONTHS = 15_552_000;

/** tests/strict-transport-security.js strictTransportSecurityTest; `pass` feeds the cookies test. */
export function hstsTest(r: Requests): Outcome<'strict-transport-security'> & { pass: boolean } {
  const resp = r.https;
  let out: Outcome<'strict-transport-security'>;
  if (!resp) out = { result: 'hsts-not-implemented-no-https', detail: 'https:// gave no response, so no HSTS.' };
  else if (!resp.verified) out = { result: 'hsts-invalid-cert', detail: 'The https certificate chain is invalid, so HSTS cannot apply.' };
  else {
    const header = nodeHeader(resp.headers, 'strict-transport-security');
    if (header === null) out = { result: 'hsts-not-implemented', detail: 'No Strict-Transport-Security header on the final https response.' };
    else out = parseObservatoryHsts(header.slice(0, 1024));
  }
  // Preloading overrides everything once there is an https response (even with a bad certificate).
  if (resp && r.isPreloaded(r.host)) out = { result: 'hsts-preloaded', detail: `${r.host} is on the HSTS preload list.` };
  return { ...out, pass: out.result === 'hsts-implemented-max-age-at-least-six-months' || out.result === 'hsts-preloaded' };
}

/**
 * The Observatory's HSTS parse: a comma (the header repeated, R6) is invalid; directives split on
 * ";", trimmed and lower-cased; "max-age=" exactly (no spaces) read with parseInt of up to 120
 * characters, the last one winning; no max-age is invalid. parseInt yields NaN for a quoted or
 * non-numeric value, which is not "less than six months": such a header passes.
 */
function parseObservatoryHsts(value: string): Outcome<'strict-transport-security'> {
  if (value.includes(',')) return { result: 'hsts-header-invalid', detail: `Strict-Transport-Security is set more than once: "${clip(value)}".` };
  let maxAge: number | null = null;
  for (const d of value.split(';').map((p) => p.trim().toLowerCase())) {
    if (d.startsWith('max-age=')) maxAge = parseInt(d.slice(8, 128), 10);
  }
  if (maxAge === null) return { result: 'hsts-header-invalid', detail: `Strict-Transport-Security has no max-age: "${clip(value)}".` };
  if (maxAge < SIX_MONTHS) return { result: 'hsts-implemented-max-age-less-than-six-months', detail: `HSTS max-age=${maxAge}, under six months.` };
  return { result: 'hsts-implemented-max-age-at-least-six-months', detail: `HSTS max-age=${Number.isNaN(maxAge) ? 'not a number (passes upstream)' : maxAge}.` };
}
