// Findings from a site's HTTP evidence (pure): redirects and the http → https upgrade, HSTS, the
// CSP (header and <meta>), every cookie on either chain, the other security headers, CORS, SRI and
// mixed content, security.txt. The grades (Observatory score, securityheaders letter) are in
// site-report.ts; both read the same evidence.
import { analyseCookies, type CookieAnalysis } from './cookies.js';
import { evaluateCsp, extractMetaCsp, parseCsp, parseMetaCsp, getDirective } from './csp/index.js';
import { headerValue, type FetchChainResult, type FetchStop, type FinalResponse } from './fetch-chain.js';
import { checkCors, checkHstsOverHttp, checkResponseHeaders } from './headers/index.js';
import { parseHsts, type HstsPolicy } from './hsts.js';
import { scanHtml, type HtmlScan } from './html-resources.js';
import type { HttpSiteEvidence } from './site-evidence.js';
import { finding, REF, untestedFinding, type CheckFinding } from '../model/finding.js';

/** Finding ids this module makes: stable across runs (with the subject, a finding's identity). */
export const SITE_FINDINGS = {
  hstsMissing: 'http.hsts.missing',
  hstsInvalid: 'http.hsts.invalid',
  hstsDisabled: 'http.hsts.disabled',
  hstsShortMaxAge: 'http.hsts.short-max-age',
  hstsUnderOneYear: 'http.hsts.under-one-year',
  hstsNoIncludeSubdomains: 'http.hsts.no-include-subdomains',
  hstsPreloadNotListed: 'http.hsts.preload-not-listed',
  cspMissing: 'http.csp.missing',
  redirectDowngrade: 'http.redirect.downgrade',
  redirectNoHttp: 'http.redirect.no-http',
  redirectMissing: 'http.redirect.missing',
  redirectNotToHttps: 'http.redirect.not-to-https',
  redirectNotFirstToHttps: 'http.redirect.not-first-to-https',
  redirectOffHostFirst: 'http.redirect.off-host-first',
  redirectInvalidCert: 'http.redirect.invalid-cert',
} as const;

const SIX_MONTHS = 15_768_000;
const ONE_YEAR = 31_536_000;
const REF_OBSERVATORY = 'MDN HTTP Observatory: tests and scoring (https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring)';
const REF_HSTS_PRELOAD = 'HSTS preload list submission requirements (https://hstspreload.org/)';

const bare = (host: string) => host.replace(/^\[|\]$/g, '');
const hostOf = (url: string): string | null => {
  try {
    return bare(new URL(url).hostname);
  } catch {
    return null;
  }
};

/** Response headers as one record: lower-case names, repeats joined with ", ", Set-Cookie left out. */
export function headerRecord(headers: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name === 'set-cookie') continue;
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

/**
 * The page: the last response of the https chain; when https gave no response at all (an http-only
 * site, nothing on its https port), the last response of the http chain, as the Observatory reads it.
 */
export function pageResponse(ev: HttpSiteEvidence): FinalResponse | null {
  return ev.https.final ?? ev.http?.final ?? null;
}

export function pageHeaders(ev: HttpSiteEvidence): Record<string, string> {
  return headerRecord(pageResponse(ev)?.headers ?? []);
}

export function pageUrl(ev: HttpSiteEvidence): string {
  return pageResponse(ev)?.url ?? ev.url;
}

/** The page is HTML we read (SRI, mixed content and <meta> CSP apply). */
export function pageHtml(ev: HttpSiteEvidence): string | null {
  const final = pageResponse(ev);
  if (!final || final.body.length === 0) return null;
  if (!/^\s*(text\/html|application\/xhtml\+xml)/i.test(final.contentType ?? '')) return null;
  return final.body.toString('utf8');
}

/** The page's elements for the SRI and mixed-content checks; null when the page is not HTML. */
export function pageScan(ev: HttpSiteEvidence): HtmlScan | null {
  const html = pageHtml(ev);
  return html === null ? null : scanHtml(html);
}

/** The HSTS header that applies: the first one an https response of the target's own host sent. */
export function hstsOf(ev: HttpSiteEvidence): { header: string; url: string; policy: HstsPolicy } | null {
  for (const hop of ev.https.hops) {
    if (!hop.url.startsWith('https:') || hostOf(hop.url) !== ev.host) continue;
    const header = headerValue(hop.headers, 'strict-transport-security');
    if (header !== null) return { header, url: hop.url, policy: parseHsts(header) };
  }
  return null;
}

/**
 * Every Set-Cookie of the https chain, plus those sent over plain HTTP on the http chain (the https
 * end of that chain is the same site answering twice: counted once).
 */
export function siteCookies(ev: HttpSiteEvidence): CookieAnalysis {
  const plain = (ev.http?.hops ?? []).filter((h) => h.url.startsWith('http:'));
  const seen = new Set<string>();
  const all = [...plain, ...ev.https.hops]
    .flatMap((h) => h.setCookies.map((value) => ({ url: h.url, value })))
    .filter((c) => !seen.has(`${c.url}\n${c.value}`) && (seen.add(`${c.url}\n${c.value}`), true));
  return analyseCookies(all, { scheme: 'https', host: ev.host, now: new Date(ev.at) });
}

function hstsFindings(ev: HttpSiteEvidence): CheckFinding[] {
  const refs = [REF.rfc6797, REF.mdnHsts];
  const hsts = hstsOf(ev);
  const url = pageUrl(ev);
  if (!url.startsWith('https:')) return [];
  if (hsts === null) {
    return [finding({
      id: SITE_FINDINGS.hstsMissing,
      severity: 'medium',
      title: 'Strict-Transport-Security header is missing',
      detail: `${ev.url} does not send HSTS, so a first visit over plain HTTP can be downgraded or intercepted.`,
      evidence: { url: ev.url, header: null },
      remediation: 'Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every HTTPS response.',
      references: refs,
    })];
  }
  const { policy, header } = hsts;
  if (!policy.valid) {
    return [finding({
      id: SITE_FINDINGS.hstsInvalid,
      severity: 'medium',
      title: 'Strict-Transport-Security header is invalid',
      detail: `Browsers ignore this HSTS header: ${policy.error}.`,
      evidence: { url: hsts.url, header },
      remediation: 'Send `Strict-Transport-Security: max-age=31536000; includeSubDomains`.',
      references: refs,
    })];
  }
  const out: CheckFinding[] = [];
  const maxAge = policy.maxAge ?? 0;
  if (maxAge === 0) {
    out.push(finding({
      id: SITE_FINDINGS.hstsDisabled,
      severity: 'medium',
      title: 'HSTS is switched off (max-age=0)',
      detail: 'max-age=0 tells browsers to forget the host\'s HSTS policy (RFC 6797 §6.1.1).',
      evidence: { url: hsts.url, header, maxAge },
      remediation: 'Raise max-age to 31536000 (one year) once HTTPS works everywhere on the host.',
      references: refs,
    }));
  } else if (maxAge < SIX_MONTHS) {
    out.push(finding({
      id: SITE_FINDINGS.hstsShortMaxAge,
      severity: 'low',
      title: 'HSTS max-age is shorter than six months',
      detail: `max-age=${maxAge} s; SSL Labs (A+) and the Observatory expect at least six months (15768000 s), one year is recommended.`,
      evidence: { url: hsts.url, header, maxAge },
      remediation: 'Raise max-age to 31536000 (one year).',
      references: refs,
    }));
  } else if (maxAge < ONE_YEAR) {
    out.push(finding({
      id: SITE_FINDINGS.hstsUnderOneYear,
      severity: 'info',
      title: 'HSTS max-age is under one year',
      detail: `max-age=${maxAge} s is enough for SSL Labs and the Observatory; one year (31536000 s) is what the preload list and most guides ask for.`,
      evidence: { url: hsts.url, header, maxAge },
      remediation: 'Raise max-age to 31536000.',
      references: refs,
    }));
  }
  if (maxAge > 0 && !policy.includeSubDomains) {
    out.push(finding({
      id: SITE_FINDINGS.hstsNoIncludeSubdomains,
      severity: 'info',
      title: 'HSTS does not cover subdomains',
      detail: 'Without includeSubDomains, an attacker on the path can still plant cookies for the domain through a plain-HTTP subdomain.',
      evidence: { url: hsts.url, header },
      remediation: 'Add includeSubDomains once every subdomain serves HTTPS.',
      references: refs,
    }));
  }
  const preloaded = ev.preload[ev.host] === 'preloaded';
  if (policy.preload && !preloaded) {
    const unmet = [
      ...(maxAge < ONE_YEAR ? ['max-age of at least 31536000'] : []),
      ...(!policy.includeSubDomains ? ['includeSubDomains'] : []),
    ];
    out.push(finding({
      id: SITE_FINDINGS.hstsPreloadNotListed,
      severity: 'info',
      title: 'HSTS asks for preloading, but the host is not on the preload list',
      detail: unmet.length
        ? `The preload directive is set, but the list's requirements are not met: ${unmet.join(', ')}.`
        : `The preload directive is set and the header qualifies, but ${ev.host} is not in the list snapshot${ev.preloadList ? ` of ${ev.preloadList.date}` : ''}.`,
      evidence: { url: hsts.url, header, preloadList: ev.preloadList?.date ?? null },
      remediation: unmet.length ? `Meet the requirements (${unmet.join(', ')}) and submit the domain at hstspreload.org.` : 'Submit the domain at hstspreload.org (or drop `preload` if that is not intended).',
      references: [...refs, REF_HSTS_PRELOAD],
    }));
  }
  return out;
}

export function cspFindings(ev: HttpSiteEvidence, headers: Record<string, string>): CheckFinding[] {
  const enforced = headers['content-security-policy'];
  const reportOnly = headers['content-security-policy-report-only'];
  const html = pageHtml(ev);
  const meta = html === null ? null : extractMetaCsp(html);
  const metaPolicies = meta?.policies ?? [];
  const url = pageUrl(ev);
  const issues = (value: string | null, source: 'header' | 'meta', ro: boolean) =>
    evaluateCsp(source === 'header' ? parseCsp(value ?? '') : parseMetaCsp(metaPolicies), { reportOnly: ro, source }).map((issue) =>
      finding({
        id: `http.${issue.id}`,
        severity: issue.severity,
        title: issue.title,
        detail: issue.detail,
        evidence: {
          url,
          directive: issue.directive,
          ...(issue.value !== undefined ? { value: issue.value } : {}),
          source: source === 'meta' ? 'meta' : ro ? 'content-security-policy-report-only' : 'content-security-policy',
        },
        remediation: "Tighten the policy where the detail says; a strict policy (script-src 'nonce-…' 'strict-dynamic'; object-src 'none'; base-uri 'none') avoids most of these.",
        references: [REF.csp3, REF.mdnCsp],
      }),
    );
  if (enforced !== undefined) return issues(enforced, 'header', false);
  if (metaPolicies.length > 0) return issues(null, 'meta', false);
  const out: CheckFinding[] = [
    finding({
      id: SITE_FINDINGS.cspMissing,
      severity: 'medium',
      title: 'Content-Security-Policy header is missing',
      detail:
        reportOnly !== undefined
          ? 'Only Content-Security-Policy-Report-Only is sent: violations are reported, nothing is blocked.'
          : `${url} sends no Content-Security-Policy, the main defence in depth against XSS and injection.`,
      evidence: { url, header: null, reportOnly: reportOnly ?? null },
      remediation: "Start with `default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'` and tighten.",
      references: [REF.csp3, REF.mdnCsp],
    }),
  ];
  if (reportOnly !== undefined) out.push(...issues(reportOnly, 'header', true));
  return out;
}

/** The CSP's frame-ancestors sources (header policies only: <meta> cannot carry it); null when unset. */
export function frameAncestors(headers: Record<string, string>): string[] | null {
  const value = headers['content-security-policy'];
  if (value === undefined) return null;
  for (const policy of parseCsp(value).policies) {
    const d = getDirective(policy, 'frame-ancestors');
    if (d) return d.values;
  }
  return null;
}

function stopDetail(stop: FetchStop): string {
  switch (stop.kind) {
    case 'done':
      return 'ended normally';
    case 'loop':
      return `redirects loop back to ${stop.url}`;
    case 'too-many-redirects':
      return `more than ${stop.limit} redirects`;
    case 'unsupported-scheme':
      return `redirects to a ${stop.scheme}: URL (${stop.location})`;
    case 'invalid-location':
      return `a Location that is not a URL (${JSON.stringify(stop.location.slice(0, 200))})`;
    case 'unresolvable-host':
      return stop.reason ? `redirects to ${stop.host}, which was not followed: ${stop.reason}` : `redirects to ${stop.host}, which could not be resolved`;
    case 'error':
      return `${stop.url}: ${stop.message}`;
  }
}

/** A chain that ended by something other than a final answer. */
function chainStopFinding(chain: FetchChainResult, which: 'https' | 'http'): CheckFinding | null {
  const stop = chain.stop;
  if (stop.kind === 'done') return null;
  const evidence = { url: chain.url, hops: chain.hops.map((h) => ({ url: h.url, status: h.status, location: h.location })), stop: stop.kind };
  if (stop.kind === 'error' || stop.kind === 'unresolvable-host') {
    // The route exists but we could not follow it to its end: that is not a verdict on the site.
    return untestedFinding(`http.redirect.${which}-route`, `the ${which}:// redirect route`, stopDetail(stop), evidence, [REF_OBSERVATORY]);
  }
  return finding({
    id: `http.redirect.${stop.kind}`,
    severity: 'medium',
    title: stop.kind === 'loop' ? 'Redirect loop' : stop.kind === 'too-many-redirects' ? 'Too many redirects' : stop.kind === 'unsupported-scheme' ? 'Redirect to a non-HTTP scheme' : 'Redirect with an invalid Location',
    detail: `The ${which}:// route from ${chain.url} ${stopDetail(stop)}; browsers give up there.`,
    evidence,
    remediation: 'Make every redirect lead, in a few hops, to a page that answers 200 over HTTPS.',
    references: [REF_OBSERVATORY],
  });
}

/**
 * Another host on either redirect route whose certificate Node rejects (FetchHop.tls): a browser
 * following the route stops there on a certificate error (the Observatory says
 * redirection-invalid-cert / hsts-invalid-cert). The target's own certificate is judged by the
 * certificate checks, so its hops are left out here.
 */
function invalidCertOnRoute(ev: HttpSiteEvidence): CheckFinding | null {
  const bad = [...ev.https.hops, ...(ev.http?.hops ?? [])].filter((h) => h.tls && !h.tls.authorized && hostOf(h.url) !== ev.host);
  const first = bad[0];
  if (!first) return null;
  const hosts = [...new Set(bad.map((h) => hostOf(h.url) ?? h.url))];
  return finding({
    id: SITE_FINDINGS.redirectInvalidCert,
    severity: 'high',
    title: 'A redirect leads to a host with an invalid certificate',
    detail: `The redirect route reaches ${first.url}, whose certificate browsers reject (${first.tls!.error ?? 'not trusted'}): visitors stop on a certificate error.`,
    evidence: { hosts, hops: bad.slice(0, 5).map((h) => ({ url: h.url, error: h.tls!.error })) },
    remediation: `Give ${hosts.join(', ')} a valid certificate for its name, or redirect to a host that has one.`,
    references: [REF_OBSERVATORY, REF.rfc6797],
  });
}

function redirectFindings(ev: HttpSiteEvidence): CheckFinding[] {
  const out: CheckFinding[] = [];
  const httpsStop = chainStopFinding(ev.https, 'https');
  if (httpsStop) out.push(httpsStop);
  const invalidCert = invalidCertOnRoute(ev);
  if (invalidCert) out.push(invalidCert);
  if (ev.https.downgraded) {
    const hop = ev.https.hops.find((h) => h.schemeChange === 'https-to-http');
    out.push(finding({
      id: SITE_FINDINGS.redirectDowngrade,
      severity: 'high',
      title: 'HTTPS redirects to plain HTTP',
      detail: `${hop?.url ?? ev.url} redirects to ${hop?.next ?? 'an http:// URL'}: the visit continues unencrypted.`,
      evidence: { url: hop?.url ?? ev.url, location: hop?.location ?? null },
      remediation: 'Redirect only to https:// URLs.',
      references: [REF_OBSERVATORY, REF.rfc6797],
    }));
  }
  const http = ev.http;
  if (!http) return out;
  const port = ev.httpPort ?? 80;
  const hops = http.hops.map((h) => ({ url: h.url, status: h.status, location: h.location }));
  const evidence = { url: http.url, port, hops };
  const refs = [REF_OBSERVATORY, REF.rfc6797];
  switch (http.status) {
    case 'redirects-to-https-same-host':
      break;
    case 'no-http':
      out.push(finding({
        id: SITE_FINDINGS.redirectNoHttp,
        severity: 'info',
        title: `Nothing answers plain HTTP on port ${port}`,
        detail: `${http.url}: ${http.reason ?? 'refused'}. Browsers typing the bare name try http:// first and get an error instead of a redirect.`,
        evidence,
        remediation: `Serve a 301 redirect to https://${ev.host}/ on port 80 (or rely on the HSTS preload list).`,
        references: refs,
      }));
      break;
    case 'error': {
      const stop = chainStopFinding({ url: http.url, hops: http.hops, final: null, stop: http.stop, downgraded: false, durationMs: 0 }, 'http');
      out.push(stop ?? untestedFinding('http.redirect.http-route', 'the http:// redirect', http.reason ?? 'failed', evidence, refs));
      break;
    }
    case 'no-redirect':
      out.push(finding({
        id: SITE_FINDINGS.redirectMissing,
        severity: 'medium',
        title: 'Plain HTTP does not redirect to HTTPS',
        detail: `${http.url} answers ${http.hops[0]?.status ?? '?'} over plain HTTP instead of redirecting to https://.`,
        evidence,
        remediation: `Answer every plain-HTTP request with a 301 to the same URL on https://${ev.host}.`,
        references: refs,
      }));
      break;
    case 'redirects-not-to-https':
      out.push(chainStopFinding({ url: http.url, hops: http.hops, final: null, stop: http.stop, downgraded: false, durationMs: 0 }, 'http') ??
        finding({
          id: SITE_FINDINGS.redirectNotToHttps,
          severity: 'medium',
          title: 'Plain HTTP redirects, but never to HTTPS',
          detail: `The route from ${http.url} stays on http:// (${hops.map((h) => `${h.status} ${h.location ?? ''}`.trim()).join(' → ')}).`,
          evidence,
          remediation: `Redirect to https://${ev.host}/ directly.`,
          references: refs,
        }));
      break;
    case 'redirects-to-https-not-first':
      out.push(finding({
        id: SITE_FINDINGS.redirectNotFirstToHttps,
        severity: 'low',
        title: 'The first redirect from plain HTTP stays on HTTP',
        detail: `${http.url} first redirects to ${http.hops[0]?.next ?? '?'}; the extra plain-HTTP hop can be intercepted.`,
        evidence,
        remediation: `Make the first redirect go to https://${ev.host}/ (same host, https).`,
        references: refs,
      }));
      break;
    case 'redirects-to-https-other-host-first':
      out.push(finding({
        id: SITE_FINDINGS.redirectOffHostFirst,
        severity: 'low',
        title: 'Plain HTTP redirects to another host before HTTPS',
        detail: `${http.url} redirects to ${http.hops[0]?.next ?? '?'}; ${ev.host} itself never sets HSTS for browsers that arrived over http.`,
        evidence,
        remediation: `Redirect first to https://${ev.host}/, then to the other host.`,
        references: refs,
      }));
      break;
  }
  return out;
}

function securityTxtFindings(ev: HttpSiteEvidence): CheckFinding[] {
  const s = ev.securityTxt;
  if (!s) return [];
  if (s.status === 'error') {
    return [untestedFinding('http.security-txt', 'security.txt', s.reason ?? 'could not fetch', { url: s.url }, ['RFC 9116 — security.txt (https://www.rfc-editor.org/rfc/rfc9116)'])];
  }
  return s.issues;
}

export function checkHttpSite(ev: HttpSiteEvidence): CheckFinding[] {
  const headers = pageHeaders(ev);
  const url = pageUrl(ev);
  const scan = pageScan(ev);
  const httpHeaders = ev.http?.hops[0] ? headerRecord(ev.http.hops[0].headers) : null;
  return [
    ...redirectFindings(ev),
    ...hstsFindings(ev),
    ...cspFindings(ev, headers),
    ...siteCookies(ev).issues,
    ...checkResponseHeaders({ headers, pageUrl: url, frameAncestors: frameAncestors(headers), ...(scan ? { scan } : {}) }),
    ...(httpHeaders ? checkHstsOverHttp(httpHeaders, ev.http!.url) : []),
    ...(ev.cors?.headers ? checkCors({ headers: headerRecord(ev.cors.headers), url: ev.cors.url }, ev.cors.origin) : []),
    ...securityTxtFindings(ev),
  ];
}
