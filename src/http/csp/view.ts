// How browsers read a policy's script directives under CSP3: 'unsafe-inline' is ignored next to a
// nonce or hash (§6.7.3.3), and 'strict-dynamic' drops host and scheme sources, 'self' and
// 'unsafe-inline' for scripts (§8.2). The views keep what is dropped, to explain it.
import { effectiveDirective, getDirective, type CspDirective, type CspKeyword, type CspPolicy, type CspSource } from './parse.js';

export interface ScriptView {
  directive: CspDirective;
  /** The directive names (script-src, script-src-elem, script-src-attr) it governs here. */
  uses: string[];
  /** Sources a CSP3 browser applies to scripts. */
  active: CspSource[];
  ignored: Array<{ source: CspSource; by: 'nonce-or-hash' | 'strict-dynamic' }>;
}

export const sourcesOf = (d: CspDirective | undefined): CspSource[] => d?.sources ?? [];

export const hasKeyword = (list: readonly CspSource[], k: CspKeyword): boolean =>
  list.some((s) => s.kind === 'keyword' && s.keyword === k);

/** A nonce or hash browsers accept (a malformed one is ignored, so it cancels nothing). */
export const hasNonceOrHash = (list: readonly CspSource[]): boolean =>
  list.some((s) => (s.kind === 'nonce' || s.kind === 'hash') && s.valid);

export const hasValidNonce = (list: readonly CspSource[]): boolean => list.some((s) => s.kind === 'nonce' && s.valid);
export const hasValidHash = (list: readonly CspSource[]): boolean => list.some((s) => s.kind === 'hash' && s.valid);

export function scriptView(d: CspDirective, uses: string[] = [d.name]): ScriptView {
  const list = sourcesOf(d);
  const nonceOrHash = hasNonceOrHash(list);
  const strictDynamic = hasKeyword(list, "'strict-dynamic'");
  const view: ScriptView = { directive: d, uses, active: [], ignored: [] };
  for (const s of list) {
    const isInline = s.kind === 'keyword' && s.keyword === "'unsafe-inline'";
    if (isInline && nonceOrHash) view.ignored.push({ source: s, by: 'nonce-or-hash' });
    else if (strictDynamic && (isInline || s.kind === 'host' || s.kind === 'scheme' || (s.kind === 'keyword' && s.keyword === "'self'"))) {
      view.ignored.push({ source: s, by: 'strict-dynamic' });
    } else view.active.push(s);
  }
  return view;
}

/** Distinct governing directives for the given names, in order (default-src may govern several). */
export function governing(policy: CspPolicy, names: readonly string[]): CspDirective[] {
  const out: CspDirective[] = [];
  for (const n of names) {
    const d = effectiveDirective(policy, n);
    if (d && !out.includes(d)) out.push(d);
  }
  return out;
}

export const SCRIPT_DIRECTIVES = ['script-src', 'script-src-elem', 'script-src-attr'] as const;

/** Script views of the directives that govern scripts (elements, attributes). */
export function scriptViews(policy: CspPolicy): ScriptView[] {
  return governing(policy, SCRIPT_DIRECTIVES).map((d) =>
    scriptView(d, SCRIPT_DIRECTIVES.filter((n) => effectiveDirective(policy, n) === d)));
}

/**
 * Where an injected source can lead to script execution: scripts (CSP3 view), plugins
 * (object-src, no script semantics even when default-src governs) and base-uri (no fallback).
 */
export function xssUses(policy: CspPolicy): Array<{ directive: CspDirective; uses: string[]; active: CspSource[] }> {
  const out: Array<{ directive: CspDirective; uses: string[]; active: CspSource[] }> = scriptViews(policy);
  const object = effectiveDirective(policy, 'object-src');
  if (object) out.push({ directive: object, uses: ['object-src'], active: sourcesOf(object) });
  const base = getDirective(policy, 'base-uri');
  if (base) out.push({ directive: base, uses: ['base-uri'], active: sourcesOf(base) });
  return out;
}

/** Sources that script-src* directives make CSP3 browsers skip (by their own nonce or strict-dynamic). */
export function ignoredInScriptDirectives(policy: CspPolicy): Set<CspSource> {
  const out = new Set<CspSource>();
  for (const d of policy.directives) {
    if (d.name.startsWith('script-src')) for (const i of scriptView(d).ignored) out.add(i.source);
  }
  return out;
}

/** 'none' only (or nothing): the list matches nothing. */
export const isNoneList = (list: readonly CspSource[]): boolean =>
  list.every((s) => s.kind === 'keyword' && s.keyword === "'none'");
