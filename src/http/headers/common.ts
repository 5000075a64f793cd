// What the header checks in this folder share: the header map type, the length limits, evidence
// clipping, the references they cite and the header lookup; plus the page-URL helpers that the
// Subresource Integrity and mixed-content checks both use. No check lives here.
import { baseHref, type HtmlScan } from '../html-resources.js';

export type ResponseHeaders = Readonly<Record<string, string>>;

/** Longest header value parsed; real ones are far shorter (servers cap a header block at 8–64 KiB). */
export const MAX_HEADER_CHARS = 64 * 1024;
/** Longest string copied into a finding's evidence. */
const MAX_EVIDENCE_CHARS = 1024;
/** URLs listed per SRI or mixed-content finding. */
export const MAX_LISTED_URLS = 10;

export const clip = (s: string, max = MAX_EVIDENCE_CHARS) => (s.length > max ? `${s.slice(0, max)}…` : s);

// References not in REF, in the same "Title (url)" shape.
export const R = {
  mdnReferrer: 'MDN: Referrer-Policy (https://developer.mozilla.org/docs/Web/HTTP/Headers/Referrer-Policy)',
  referrerSpec: 'W3C Referrer Policy §8.1 — parse a referrer policy from a header (https://w3c.github.io/webappsec-referrer-policy/#parse-referrer-policy-from-header)',
  mdnXcto: 'MDN: X-Content-Type-Options (https://developer.mozilla.org/docs/Web/HTTP/Headers/X-Content-Type-Options)',
  fetchNosniff: 'Fetch Standard — X-Content-Type-Options (https://fetch.spec.whatwg.org/#x-content-type-options-header)',
  mdnXfo: 'MDN: X-Frame-Options (https://developer.mozilla.org/docs/Web/HTTP/Headers/X-Frame-Options)',
  htmlXfo: 'HTML Standard — the X-Frame-Options header (https://html.spec.whatwg.org/multipage/document-lifecycle.html#the-x-frame-options-header)',
  owaspClickjacking: 'OWASP Clickjacking Defense Cheat Sheet (https://cheatsheetseries.owasp.org/cheatsheets/Clickjacking_Defense_Cheat_Sheet.html)',
  permissionsPolicy: 'W3C Permissions Policy (https://w3c.github.io/webappsec-permissions-policy/)',
  mdnPermissionsPolicy: 'MDN: Permissions-Policy (https://developer.mozilla.org/docs/Web/HTTP/Headers/Permissions-Policy)',
  rfc8941: 'RFC 8941 — Structured Field Values for HTTP (https://www.rfc-editor.org/rfc/rfc8941)',
  mdnCoop: 'MDN: Cross-Origin-Opener-Policy (https://developer.mozilla.org/docs/Web/HTTP/Headers/Cross-Origin-Opener-Policy)',
  mdnCoep: 'MDN: Cross-Origin-Embedder-Policy (https://developer.mozilla.org/docs/Web/HTTP/Headers/Cross-Origin-Embedder-Policy)',
  mdnCorp: 'MDN: Cross-Origin-Resource-Policy (https://developer.mozilla.org/docs/Web/HTTP/Headers/Cross-Origin-Resource-Policy)',
  htmlCoop: 'HTML Standard — cross-origin opener policies (https://html.spec.whatwg.org/multipage/browsers.html#cross-origin-opener-policies)',
  fetchCorp: 'Fetch Standard — Cross-Origin-Resource-Policy (https://fetch.spec.whatwg.org/#cross-origin-resource-policy-header)',
  mdnXxss: 'MDN: X-XSS-Protection (https://developer.mozilla.org/docs/Web/HTTP/Headers/X-XSS-Protection)',
  owaspHeaders: 'OWASP HTTP Headers Cheat Sheet (https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Headers_Cheat_Sheet.html)',
  mdnExpectCt: 'MDN: Expect-CT (https://developer.mozilla.org/docs/Web/HTTP/Headers/Expect-CT)',
  rfc9163: 'RFC 9163 — Expect-CT Extension for HTTP (https://www.rfc-editor.org/rfc/rfc9163)',
  fetchCors: 'Fetch Standard — CORS protocol (https://fetch.spec.whatwg.org/#http-cors-protocol)',
  portswiggerCors: 'PortSwigger Web Security Academy: CORS (https://portswigger.net/web-security/cors)',
  owaspCors: 'OWASP WSTG — Testing Cross Origin Resource Sharing (https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/11-Client-side_Testing/07-Testing_Cross_Origin_Resource_Sharing)',
  owaspFingerprint: 'OWASP WSTG — Fingerprint Web Server (https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/01-Information_Gathering/02-Fingerprint_Web_Server)',
  sri: 'W3C Subresource Integrity (https://www.w3.org/TR/SRI/)',
  mdnSri: 'MDN: Subresource Integrity (https://developer.mozilla.org/docs/Web/Security/Subresource_Integrity)',
  mixedContent: 'W3C Mixed Content (https://www.w3.org/TR/mixed-content/)',
  mdnMixedContent: 'MDN: Mixed content (https://developer.mozilla.org/docs/Web/Security/Mixed_content)',
} as const;

/** The header's value, or undefined; values longer than MAX_HEADER_CHARS are cut there. */
export function header(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return v === undefined ? undefined : v.length > MAX_HEADER_CHARS ? v.slice(0, MAX_HEADER_CHARS) : v;
}

// ---------------------------------------------------------------------------------------------
// Page resources: the URL base and URL resolution used by the SRI and mixed-content checks

/** The URL base of the page: the first <base href>, resolved against the page (HTML "document base URL"). */
export function documentBase(scan: HtmlScan, pageUrl: string): URL | null {
  let page: URL;
  try {
    page = new URL(pageUrl);
  } catch {
    return null;
  }
  const href = baseHref(scan);
  if (href === null) return page;
  try {
    const b = new URL(href.trim(), page);
    // data: and javascript: bases are ignored by browsers (HTML "set the frozen base URL").
    return b.protocol === 'data:' || b.protocol === 'javascript:' ? page : b;
  } catch {
    return page;
  }
}

export function resolve(raw: string, base: URL): URL | null {
  try {
    return new URL(raw.trim(), base);
  } catch {
    return null;
  }
}
