// Security-relevant response headers and page resources, judged one check at a time: each export
// is a pure function from what a response showed (headers with lower-cased names, repeated headers
// joined with ", "; the page URL; the HtmlScan of its body) to findings with stable `http.*` ids.
// Values are parsed the way browsers parse them (the spec algorithm each check cites), because a
// header a browser ignores protects nobody, whatever a grep for it says. Every parser here is
// linear and bounded: header values are checked up to MAX_HEADER_CHARS, evidence is clipped.
//
// One file per check in this folder (referrer-policy.ts, x-frame-options.ts, cross-origin.ts for
// COOP/COEP/CORP …; subresource-integrity.ts and mixed-content.ts read the page rather than a
// header), shared pieces in common.ts, the RFC 8941 parser in ../structured-fields.ts and the HSTS
// parser in ../hsts.ts. This file exports all of them and holds the two entry points that combine
// them: checkResponseHeaders (every check on one response).
import type { CheckFinding } from '../../model/finding.js';
import type { HtmlScan } from '../html-resources.js';
import type { ResponseHeaders } from './common.js';
import { checkCrossOriginPolicies } from './cross-origin.js';
import { checkExpectCt } from './expect-ct.js';
import { checkMixedContent } from './mixed-content.js';
import { checkPermissionsPolicy } from './permissions-policy.js';
import { checkReferrerPolicy } from './referrer-policy.js';
import { checkSri } from './subresource-integrity.js';
import { checkVersionDisclosure } from './version-disclosure.js';
import { checkXContentTypeOptions } from './x-content-type-options.js';
import { checkFraming } from './x-frame-options.js';
import { checkXXssProtection } from './x-xss-protection.js';

export { header, MAX_HEADER_CHARS, MAX_LISTED_URLS, type ResponseHeaders } from './common.js';
export { checkCors } from './cors.js';
export { checkCrossOriginPolicies } from './cross-origin.js';
export { checkExpectCt } from './expect-ct.js';
export { checkHstsOverHttp } from './hsts-over-http.js';
export { checkMixedContent } from './mixed-content.js';
export { checkPermissionsPolicy } from './permissions-policy.js';
export { checkReferrerPolicy, effectiveReferrerPolicy, REFERRER_POLICIES, type ReferrerPolicyToken } from './referrer-policy.js';
export { checkSri, validIntegrity, type SriOptions } from './subresource-integrity.js';
export { checkVersionDisclosure } from './version-disclosure.js';
export { checkXContentTypeOptions, isNosniff } from './x-content-type-options.js';
export { checkFraming, xfoVerdict, type XfoVerdict } from './x-frame-options.js';
export { checkXXssProtection } from './x-xss-protection.js';
export {
  parseSfDictionary, parseSfItem, type SfBareItem, type SfInnerList, type SfItem, type SfResult,
} from '../structured-fields.js';

// ---------------------------------------------------------------------------------------------
// Aggregates

export interface HeaderCheckInput {
  headers: ResponseHeaders;
  pageUrl: string;
  /** The enforced CSP's frame-ancestors sources, or null when it has none. */
  frameAncestors: string[] | null;
  /** The page body's scan, when the response was HTML. */
  scan?: HtmlScan | null;
}

/** Every header check on one HTTPS response (CORS and HSTS-over-HTTP need other requests). */
export function checkResponseHeaders(input: HeaderCheckInput): CheckFinding[] {
  const { headers, pageUrl, frameAncestors, scan } = input;
  return [
    ...checkReferrerPolicy(headers, pageUrl, scan),
    ...checkXContentTypeOptions(headers, pageUrl),
    ...checkFraming(headers, pageUrl, frameAncestors),
    ...checkPermissionsPolicy(headers, pageUrl),
    ...checkCrossOriginPolicies(headers, pageUrl),
    ...checkXXssProtection(headers, pageUrl),
    ...checkExpectCt(headers, pageUrl),
    ...checkVersionDisclosure(headers, pageUrl),
    ...(scan ? [...checkSri(scan, pageUrl), ...checkMixedContent(scan, pageUrl)] : []),
  ];
}
