// The ten tests of the MDN HTTP Observatory 1.4.8 (npm @mdn/mdn-http-observatory, MPL-2.0, scoring
// algorithm 4) as pure functions over what our HTTP probe collected. Every rule below was read from
// the 1.4.8 package source and rewritten, not copied; each rule names the upstream file it comes
// from. The score itself is src/grade/observatory.ts (observatoryScore).
//
// This folder reproduces the Observatory's own rules on purpose, quirks included, so that our
// results match the real Observatory's score for score (test/conformance compares the two). Where
// its rules differ from ours (src/http/headers, src/http/csp: its own CSP parser, its HSTS and
// X-Frame-Options parsing, its cookie jar …), the difference is deliberate: do not "fix" one side
// towards the other. Our own judgement of the same headers lives in those folders.
//
// Layout: evidence.ts (what goes in and comes out, constants), retriever.ts (how the Observatory
// fetches, R1–R11, and what the tests read), cookie-jar.ts (tough-cookie's rules), csp-policy.ts
// (its CSP parser, and why it is not ours), then one file per test, named after the test.
import { scanHtml, type HtmlParseMode, type HtmlScan } from '../html-resources.js';
import { cspTest } from './content-security-policy.js';
import { cookiesTest } from './cookies.js';
import { corpTest } from './cross-origin-resource-policy.js';
import { corsTest } from './cross-origin-resource-sharing.js';
import type { ObservatoryEvidence, ObservatoryTestResults } from './evidence.js';
import { redirectionTest } from './redirection.js';
import { referrerTest } from './referrer-policy.js';
import { buildRequests, notGradedOf } from './retriever.js';
import { hstsTest } from './strict-transport-security.js';
import { sriTest } from './subresource-integrity.js';
import { xctoTest } from './x-content-type-options.js';
import { xfoTest } from './x-frame-options.js';

export {
  OBSERVATORY_CORS_ORIGIN, OBSERVATORY_CORS_REQUEST_HEADERS, OBSERVATORY_MAX_REDIRECTS, OBSERVATORY_REQUEST_HEADERS,
  OBSERVATORY_USER_AGENT, type ObservatoryEvidence, type ObservatoryTestResults, type PreloadLookup,
} from './evidence.js';
export { jarSetCookie, toughParseCookie, type JarCookie } from './cookie-jar.js';
export {
  CERT_ERROR_CODES, notGradedOf, observatoryCorsUrl, observatoryFollowUps, observatoryHttpEquiv, type ObservatoryFollowUps, type ObservatoryNotGraded,
} from './retriever.js';
export { observatoryScriptView } from './subresource-integrity.js';

// ───────────────────────────────────── Entry point ─────────────────────────────────────

/** The ten Observatory tests over the evidence, in the Observatory's order (constants.js ALL_TESTS). */
export function observatoryResults(ev: ObservatoryEvidence): ObservatoryTestResults {
  // The page is parsed once per mode: as a <template> fragment for <meta> (R7), as a document for SRI.
  const scans = new Map<HtmlParseMode, { html: string; scan: HtmlScan }>();
  const scanPage = (html: string, mode: HtmlParseMode): HtmlScan => {
    const cached = scans.get(mode);
    if (cached && cached.html === html) return cached.scan;
    const scan = scanHtml(html, { mode });
    scans.set(mode, { html, scan });
    return scan;
  };
  const r = buildRequests(ev, scanPage);
  const csp = cspTest(r);
  const hsts = hstsTest(r);
  const cookies = cookiesTest(r, hsts.pass);
  const cors = corsTest(r);
  const redirection = redirectionTest(r);
  const referrer = referrerTest(r);
  const sri = sriTest(r, scanPage);
  const xcto = xctoTest(r);
  const xfo = xfoTest(r, csp);
  const corp = corpTest(r);
  return {
    'content-security-policy': csp.result,
    cookies: cookies.result,
    'cross-origin-resource-sharing': cors.result,
    redirection: redirection.result,
    'referrer-policy': referrer.result,
    'strict-transport-security': hsts.result,
    'subresource-integrity': sri.result,
    'x-content-type-options': xcto.result,
    'x-frame-options': xfo.result,
    'cross-origin-resource-policy': corp.result,
    details: {
      'content-security-policy': csp.detail,
      cookies: cookies.detail,
      'cross-origin-resource-sharing': cors.detail,
      redirection: redirection.detail,
      'referrer-policy': referrer.detail,
      'strict-transport-security': hsts.detail,
      'subresource-integrity': sri.detail,
      'x-content-type-options': xcto.detail,
      'x-frame-options': xfo.detail,
      'cross-origin-resource-policy': corp.detail,
    },
    scanError: notGradedOf(r.auto)?.reason ?? null,
    notGraded: notGradedOf(r.auto),
  };
}
