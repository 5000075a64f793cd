// Checks about what can run script despite the policy: csp_evaluator's security and strict-CSP
// checks, applied to what a CSP3 browser enforces (see view.ts).
import { ANGULAR_URLS, FLASH_URLS, JSONP_NEEDS_EVAL, JSONP_URLS } from './bypass-data.js';
import { cspIssue, scoped, type CspIssue } from './issue.js';
import { effectiveDirective, getDirective, type CspPolicy } from './parse.js';
import {
  governing, hasKeyword, hasNonceOrHash, hasValidHash, hasValidNonce, isNoneList, scriptViews, sourcesOf, xssUses,
} from './view.js';

const XSS_SCHEMES = new Set(['data', 'http', 'https']);

export function checkScriptInline(policy: CspPolicy): CspIssue[] {
  const out: CspIssue[] = [];
  for (const v of scriptViews(policy)) {
    const n = v.directive.name;
    if (hasKeyword(v.active, "'unsafe-inline'")) {
      out.push(scoped(cspIssue('csp.script-unsafe-inline', n,
        `${n} allows 'unsafe-inline' with no nonce, hash or 'strict-dynamic' to cancel it, so an injected <script> or event handler runs.`,
        "'unsafe-inline'"), v.uses));
    }
    if (hasKeyword(v.active, "'unsafe-hashes'")) {
      out.push(scoped(cspIssue('csp.script-unsafe-hashes', n,
        `${n} has 'unsafe-hashes': inline event handlers and javascript: URLs whose hash is listed run; move them to script files.`,
        "'unsafe-hashes'"), v.uses));
    }
    if (hasKeyword(v.active, "'unsafe-eval'")) {
      out.push(scoped(cspIssue('csp.script-unsafe-eval', n,
        `${n} has 'unsafe-eval': strings reaching eval(), new Function() or setTimeout("…") run as code (DOM XSS).`,
        "'unsafe-eval'"), v.uses));
    }
  }
  return out;
}

export function checkBroadSources(policy: CspPolicy): CspIssue[] {
  const out: CspIssue[] = [];
  for (const use of xssUses(policy)) {
    const n = use.directive.name;
    const what = use.uses[0] === 'object-src' ? 'plugin content' : use.uses[0] === 'base-uri' ? 'a <base> URL' : 'script';
    const via = use.uses.includes(n) ? n : `${n} (governing ${use.uses.join(', ')})`;
    for (const s of use.active) {
      if (s.kind === 'scheme' && XSS_SCHEMES.has(s.scheme)) {
        out.push(scoped(cspIssue('csp.plain-scheme', n,
          `${s.scheme}: in ${via} allows ${s.scheme === 'data' ? 'any data: URL' : `any ${s.scheme} URL on any host`}, so an attacker can supply their own ${what}.`,
          s.raw), use.uses));
      } else if (s.kind === 'host' && s.host === '*') {
        out.push(scoped(cspIssue('csp.wildcard', n, `${s.raw} in ${via} allows any host, so an attacker can supply ${what} from a host they control.`, s.raw), use.uses));
      }
    }
  }
  return out;
}

export function checkMissingDirectives(policy: CspPolicy): CspIssue[] {
  const out: CspIssue[] = [];
  if (!effectiveDirective(policy, 'object-src')) {
    out.push(cspIssue('csp.object-src-missing', 'object-src',
      "Without object-src (or default-src) <object> and <embed> may load plugins or documents from anywhere; set object-src 'none'."));
  }
  if (!effectiveDirective(policy, 'script-src')) {
    out.push(cspIssue('csp.script-src-missing', 'script-src',
      'Without script-src or default-src any script runs, inline or from any host: the policy does not mitigate XSS.'));
  }
  // <base href> can point relative script URLs at the attacker; that matters when trust comes from
  // nonces (or hashes propagated by 'strict-dynamic') rather than from the scripts' hosts.
  const lists = governing(policy, ['script-src', 'script-src-elem']).map(sourcesOf);
  const needsBase = lists.some(hasValidNonce) || lists.some((l) => hasValidHash(l) && hasKeyword(l, "'strict-dynamic'"));
  if (needsBase && !getDirective(policy, 'base-uri')) {
    out.push(cspIssue('csp.base-uri-missing', 'base-uri',
      "A <base> tag injected by an attacker would resolve nonced relative script URLs against their host; set base-uri 'none' or 'self'."));
  }
  return out;
}

interface HostSource { host: string; path: string | null }

function splitUrl(u: string): { host: string; path: string } {
  const rest = u.replace(/^\/\//, '');
  const slash = rest.indexOf('/');
  return slash < 0 ? { host: rest.toLowerCase(), path: '/' } : { host: rest.slice(0, slash).toLowerCase(), path: rest.slice(slash) };
}

/** CSP3 host and path matching (§6.7.2.7-8) of a source against known URLs; ports are ignored. */
export function matchKnownUrl(src: HostSource, urls: readonly string[], accept: (host: string) => boolean = () => true): string | null {
  const host = src.host.replace(/\.$/, '');
  const wildcard = host.startsWith('*.');
  const suffix = wildcard ? host.slice(1) : host;
  const path = src.path ?? '/';
  for (const u of urls) {
    const url = splitUrl(u);
    if (wildcard ? !url.host.endsWith(suffix) : url.host !== host) continue;
    if (path !== '/' && (path.endsWith('/') ? !url.path.startsWith(path) : url.path !== path)) continue;
    if (accept(url.host)) return url.host;
  }
  return null;
}

export function checkScriptAllowlist(policy: CspPolicy): CspIssue[] {
  const out: CspIssue[] = [];
  for (const v of scriptViews(policy)) {
    const n = v.directive.name;
    if (v.directive !== effectiveDirective(policy, 'script-src') && v.directive !== effectiveDirective(policy, 'script-src-elem')) continue;
    const evalAllowed = hasKeyword(sourcesOf(v.directive), "'unsafe-eval'");
    for (const s of v.active) {
      if (s.kind === 'keyword' && s.keyword === "'self'") {
        out.push(scoped(cspIssue('csp.script-self', n,
          `${n} trusts every script on this origin: a JSONP endpoint, an AngularJS copy or a user upload here would bypass the policy.`, s.raw), v.uses));
        continue;
      }
      if (s.kind !== 'host' || s.host === '*' || !s.raw.includes('.')) continue;
      const jsonp = matchKnownUrl(s, JSONP_URLS, (h) => evalAllowed || !JSONP_NEEDS_EVAL.includes(h));
      const angular = matchKnownUrl(s, ANGULAR_URLS);
      if (jsonp || angular) {
        const what = [jsonp ? `JSONP endpoints (${jsonp})` : '', angular ? `AngularJS (${angular})` : ''].filter(Boolean).join(' and ');
        out.push(scoped(cspIssue('csp.script-allowlist-bypass', n,
          `${s.raw} in ${n} is known to host ${what}, which let an attacker run script while staying inside the allowlist.`, s.raw), v.uses));
      } else {
        out.push(scoped(cspIssue('csp.script-allowlist-host', n,
          `No known bypass on ${s.raw}; make sure it serves no JSONP endpoint, AngularJS or user content.`, s.raw), v.uses));
      }
    }
  }
  return out;
}

export function checkObjectAllowlist(policy: CspPolicy): CspIssue[] {
  const d = effectiveDirective(policy, 'object-src');
  if (!d) return [];
  const list = sourcesOf(d);
  const pluginTypes = getDirective(policy, 'plugin-types');
  if (isNoneList(list) || (pluginTypes && !pluginTypes.values.includes('application/x-shockwave-flash'))) return [];
  const out: CspIssue[] = [];
  for (const s of list) {
    if (s.kind === 'keyword' && s.keyword === "'none'") continue;
    const flash = s.kind === 'host' && s.host !== '*' ? matchKnownUrl(s, FLASH_URLS) : null;
    if (flash) {
      out.push(scoped(cspIssue('csp.object-allowlist-bypass', d.name,
        `${s.raw} hosts a Flash file (${flash}) that bypasses the policy in browsers that still run Flash.`, s.raw), ['object-src']));
    } else if (d.name === 'object-src') {
      out.push(scoped(cspIssue('csp.object-src-not-none', d.name, `object-src allows ${s.raw}; plugins are rarely needed, so 'none' is safest.`, s.raw), ['object-src']));
    }
  }
  return out;
}

/** csp_evaluator's strict-CSP checks, on the policy as written (they are about older browsers too). */
export function checkStrictCsp(policy: CspPolicy): CspIssue[] {
  const out: CspIssue[] = [];
  const d = effectiveDirective(policy, 'script-src');
  if (d) {
    const list = sourcesOf(d);
    const strictDynamic = hasKeyword(list, "'strict-dynamic'");
    const nonceOrHash = hasNonceOrHash(list);
    if (!strictDynamic && list.some((s) => s.kind === 'host' || s.kind === 'scheme')) {
      out.push(scoped(cspIssue('csp.allowlist-without-strict-dynamic', d.name,
        `${d.name} trusts hosts or schemes; such allowlists are usually bypassable. Prefer nonces or hashes with 'strict-dynamic'.`), ['script-src']));
    }
    if (strictDynamic && !nonceOrHash) {
      out.push(cspIssue('csp.strict-dynamic-without-nonce', d.name,
        `${d.name} has 'strict-dynamic' but no valid nonce or hash, so CSP3 browsers run no script at all.`));
    }
    if (nonceOrHash && !hasKeyword(list, "'unsafe-inline'")) {
      out.push(cspIssue('csp.no-unsafe-inline-fallback', d.name,
        `Adding 'unsafe-inline' to ${d.name} (ignored next to a nonce or hash) keeps very old browsers working.`));
    }
    if (strictDynamic && !list.some((s) => (s.kind === 'scheme' && (s.scheme === 'http' || s.scheme === 'https')) || (s.kind === 'host' && (s.host === '*' || s.raw.includes('.'))))) {
      out.push(cspIssue('csp.no-allowlist-fallback', d.name,
        `Adding https: to ${d.name} (ignored next to 'strict-dynamic') keeps browsers without 'strict-dynamic' working.`));
    }
  }
  const tt = getDirective(policy, 'require-trusted-types-for');
  if (!tt || !tt.values.some((v) => v.toLowerCase() === "'script'")) {
    out.push(cspIssue('csp.no-trusted-types', 'require-trusted-types-for',
      "require-trusted-types-for 'script' would lock DOM XSS sinks (innerHTML, eval …) to vetted Trusted Types."));
  }
  return out;
}

export function checkIgnoredSources(policy: CspPolicy): CspIssue[] {
  const out: CspIssue[] = [];
  for (const v of scriptViews(policy)) {
    for (const { source, by } of v.ignored) {
      out.push(cspIssue('csp.source-ignored', v.directive.name, by === 'nonce-or-hash'
        ? `'unsafe-inline' in ${v.directive.name} is ignored because a nonce or hash is present (CSP2 and later).`
        : `${source.raw} in ${v.directive.name} is ignored for scripts because of 'strict-dynamic' (CSP3).`, source.raw));
    }
  }
  return out;
}
