// Checks about how the policy is written: syntax slips browsers silently ignore (csp_evaluator's
// parser checks), weak nonces, http:// and IP sources, deprecated directives, reporting, and
// frame-ancestors (clickjacking; X-Frame-Options is the caller's business).
import { cspIssue, scoped, type CspIssue } from './issue.js';
import { CSP_KEYWORDS, getDirective, parseHostSource, printable, type CspPolicy, type CspSource } from './parse.js';
import { ignoredInScriptDirectives } from './view.js';

/** Directives browsers know or knew (CSP1-3, Trusted Types, and csp_evaluator's list). */
export const KNOWN_DIRECTIVES: ReadonlySet<string> = new Set([
  'default-src', 'child-src', 'connect-src', 'font-src', 'frame-src', 'img-src', 'manifest-src', 'media-src',
  'object-src', 'prefetch-src', 'script-src', 'script-src-elem', 'script-src-attr', 'style-src', 'style-src-elem',
  'style-src-attr', 'worker-src', 'fenced-frame-src', 'base-uri', 'plugin-types', 'sandbox', 'disown-opener',
  'form-action', 'frame-ancestors', 'navigate-to', 'report-uri', 'report-to', 'block-all-mixed-content',
  'upgrade-insecure-requests', 'reflected-xss', 'referrer', 'require-sri-for', 'trusted-types',
  'require-trusted-types-for', 'webrtc',
]);

const DEPRECATED: Readonly<Record<string, string>> = {
  'reflected-xss': 'reflected-xss was dropped after CSP2 and has no effect; browsers removed their XSS auditors.',
  referrer: 'referrer was dropped after CSP2; use the Referrer-Policy header.',
  'disown-opener': 'disown-opener was dropped from CSP3; use the Cross-Origin-Opener-Policy header.',
  'prefetch-src': 'prefetch-src is deprecated and may stop working at any time.',
};

const OBSOLETE: Readonly<Record<string, string>> = {
  'block-all-mixed-content': 'block-all-mixed-content is obsolete: browsers block or upgrade mixed content by themselves.',
  'plugin-types': 'plugin-types is obsolete: browsers no longer run plugins; use object-src \'none\'.',
  'navigate-to': 'navigate-to was removed from CSP3 and never shipped in a browser.',
  'require-sri-for': 'require-sri-for never shipped by default and was removed from browsers.',
};

/** Quoted tokens valid in directives that take no source list. */
const OTHER_QUOTED: Readonly<Record<string, readonly string[]>> = {
  'require-trusted-types-for': ["'script'"],
  'trusted-types': ["'none'", "'allow-duplicates'"],
  webrtc: ["'allow'", "'block'"],
};

const BARE_KEYWORDS: ReadonlySet<string> = new Set(CSP_KEYWORDS.map((k) => k.slice(1, -1)));

const looksLikeIp = (host: string): boolean => host.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);

export function checkNonces(policy: CspPolicy): CspIssue[] {
  const out: CspIssue[] = [];
  for (const d of policy.directives) {
    for (const s of d.sources ?? []) {
      if (s.kind !== 'nonce') continue;
      if (s.value.length < 8) {
        out.push(cspIssue('csp.nonce-length', d.name,
          `The nonce ${printable(s.raw)} has ${s.value.length} characters; use at least 128 random bits (22 base64 characters), new for every response.`, s.raw));
      }
      if (!s.valid) out.push(cspIssue('csp.nonce-charset', d.name, `The nonce ${printable(s.raw)} is not base64, so browsers ignore it.`, s.raw));
    }
  }
  return out;
}

export function checkInsecureSources(policy: CspPolicy): CspIssue[] {
  const out: CspIssue[] = [];
  const skipped = ignoredInScriptDirectives(policy);
  for (const d of policy.directives) {
    const entries: Array<{ raw: string; source?: CspSource }> = d.sources
      ? d.sources.filter((s) => !skipped.has(s)).map((s) => ({ raw: s.raw, source: s }))
      : d.values.map((raw) => ({ raw }));
    for (const { raw, source } of entries) {
      if (raw.toLowerCase().startsWith('http://')) {
        out.push(cspIssue('csp.src-http', d.name, d.name === 'report-uri'
          ? `Violation reports go to ${printable(raw)} over plain HTTP, readable and alterable on the way; use https://.`
          : `${d.name} allows ${printable(raw)} over plain HTTP, which a network attacker can replace; use https://.`, raw));
      }
      const host = source?.kind === 'host' ? source.host : d.name === 'report-uri' ? parseHostSource(raw).host : null;
      if (host !== null && looksLikeIp(host)) {
        out.push(cspIssue('csp.ip-source', d.name, host === '127.0.0.1'
          ? `${d.name} allows localhost (${printable(raw)}); remove it in production.`
          : `${d.name} names the IP address ${printable(host)}; CSP3 host matching never matches IP addresses, so it has no effect.`, raw));
      }
    }
  }
  return out;
}

export function checkDirectiveNames(policy: CspPolicy): CspIssue[] {
  const out: CspIssue[] = [];
  for (const d of policy.directives) {
    const name = printable(d.name);
    if (!KNOWN_DIRECTIVES.has(d.name)) {
      out.push(cspIssue('csp.unknown-directive', d.name, d.name.endsWith(':')
        ? `"${name}": directive names do not end with a colon; browsers ignore it.`
        : `"${name}" is not a CSP directive; browsers ignore it.`));
    }
    const deprecated = DEPRECATED[d.name];
    if (deprecated) out.push(cspIssue('csp.deprecated-directive', d.name, deprecated));
    const obsolete = OBSOLETE[d.name];
    if (obsolete) out.push(cspIssue('csp.obsolete-directive', d.name, obsolete));
  }
  return out;
}

export function checkValues(policy: CspPolicy): CspIssue[] {
  const out: CspIssue[] = [];
  for (const d of policy.directives) {
    for (const v of d.values) {
      if (KNOWN_DIRECTIVES.has(v.toLowerCase())) {
        out.push(cspIssue('csp.missing-semicolon', d.name,
          `"${printable(v)}" in ${d.name} is a directive name: a missing ";" makes it a source of ${d.name} and leaves ${printable(v.toLowerCase())} unset.`, v));
      }
    }
    if (d.sources) out.push(...checkSourceList(d.name, d.sources));
    else {
      const allowed = OTHER_QUOTED[d.name] ?? [];
      for (const v of d.values) {
        if (v.startsWith("'") && !allowed.includes(v.toLowerCase())) {
          out.push(cspIssue('csp.invalid-keyword', d.name, `${printable(v)} is not a valid value of ${d.name}.`, v));
        }
      }
    }
  }
  return out;
}

function checkSourceList(name: string, sources: readonly CspSource[]): CspIssue[] {
  const out: CspIssue[] = [];
  for (const s of sources) {
    const raw = printable(s.raw);
    if (s.kind === 'invalid' || ((s.kind === 'nonce' || s.kind === 'hash') && !s.valid)) {
      out.push(cspIssue('csp.invalid-keyword', name, `${raw} is not a CSP keyword, nonce or hash; browsers ignore it.`, s.raw));
    } else if (s.kind === 'host') {
      const lower = s.raw.toLowerCase();
      if (BARE_KEYWORDS.has(lower) || lower.startsWith('nonce-') || /^sha(256|384|512)-/.test(lower)) {
        out.push(cspIssue('csp.unquoted-keyword', name, `"${raw}" lacks single quotes, so browsers read it as a host name; write '${raw}'.`, s.raw));
      } else if (!s.valid) {
        out.push(cspIssue('csp.invalid-source', name, `"${raw}" is not a valid source expression; browsers ignore it.`, s.raw));
      }
    }
  }
  const none = sources.some((s) => s.kind === 'keyword' && s.keyword === "'none'");
  if (none && sources.some((s) => !(s.kind === 'keyword' && s.keyword === "'none'"))) {
    out.push(cspIssue('csp.none-with-other-sources', name,
      `${name} lists 'none' with other sources; 'none' is then ignored and the other sources apply.`, "'none'"));
  }
  return out;
}

export function checkReporting(policy: CspPolicy): CspIssue[] {
  const uri = (getDirective(policy, 'report-uri')?.values.length ?? 0) > 0;
  const to = (getDirective(policy, 'report-to')?.values.length ?? 0) > 0;
  if (uri && !to) {
    return [cspIssue('csp.report-uri-only', 'report-uri',
      'report-uri is deprecated in CSP3 in favour of report-to (with a Reporting-Endpoints header); keep both while browsers differ.')];
  }
  if (to && !uri) {
    return [cspIssue('csp.report-to-only', 'report-to',
      'Only report-to names a destination; browsers without the Reporting API send nothing. Add report-uri as well.')];
  }
  if (!uri && !to) {
    return [cspIssue('csp.no-reporting', 'report-uri',
      'The policy sends no violation reports (report-uri / report-to), so breakage and attacks go unnoticed.')];
  }
  return [];
}

/** Clickjacking: a header policy should say who may frame the page (a <meta> one cannot). */
export function checkFrameAncestors(policy: CspPolicy, source: 'header' | 'meta'): CspIssue[] {
  const d = getDirective(policy, 'frame-ancestors');
  if (!d || source === 'meta') {
    return [cspIssue('csp.frame-ancestors-missing', 'frame-ancestors', source === 'meta'
      ? 'A <meta> policy cannot set frame-ancestors; unless X-Frame-Options or a header policy does, any site may frame the page.'
      : "Without frame-ancestors any site may frame the page (unless X-Frame-Options forbids it); set frame-ancestors 'none' or 'self'.")];
  }
  const broad = (d.sources ?? []).find((s) => (s.kind === 'host' && s.host === '*') || (s.kind === 'scheme' && (s.scheme === 'https' || s.scheme === 'http')));
  return broad
    ? [scoped(cspIssue('csp.frame-ancestors-broad', 'frame-ancestors', `frame-ancestors ${printable(broad.raw)} lets any site frame the page (clickjacking).`, broad.raw), ['frame-ancestors'])]
    : [];
}
