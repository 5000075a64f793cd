import { describe, expect, it } from 'vitest';
import { expectGrowthBelow } from '../helpers/growth.js';
import {
  CSP_ISSUES, CSP_LIMITS, classifySource, effectiveDirective, evaluateCsp, extractMetaCsp, getDirective, META_SCAN_MAX_LENGTH,
  parseCsp, parseMetaCsp, type CspIssue, type EvaluateCspOptions, type ParsedCsp,
} from '../../src/http/csp/index.js';

const only = (p: ParsedCsp) => {
  expect(p.policies).toHaveLength(1);
  return p.policies[0]!;
};
const issues = (value: string, opts: EvaluateCspOptions = {}): CspIssue[] => evaluateCsp(parseCsp(value), opts);
/** "id directive value" lines, for compact expectations. */
const lines = (value: string, opts: EvaluateCspOptions = {}): string[] =>
  issues(value, opts).map((i) => `${i.id} ${i.directive} ${i.value ?? ''}`.trim());
const has = (value: string, line: string, opts: EvaluateCspOptions = {}): boolean => lines(value, opts).includes(line);
const ids = (value: string, opts: EvaluateCspOptions = {}): string[] => issues(value, opts).map((i) => i.id);

describe('parseCsp (CSP3 §2.2)', () => {
  it('splits directives on ";", lowercases names, keeps values as written', () => {
    const p = only(parseCsp("Script-Src 'SELF' https://CDN.example.com:443/js/ ; OBJECT-SRC 'none';;  "));
    expect(p.directives.map((d) => d.name)).toEqual(['script-src', 'object-src']);
    expect(getDirective(p, 'script-src')?.values).toEqual(["'SELF'", 'https://CDN.example.com:443/js/']);
    expect(getDirective(p, 'script-src')?.sources).toEqual([
      { kind: 'keyword', raw: "'SELF'", keyword: "'self'" },
      { kind: 'host', raw: 'https://CDN.example.com:443/js/', scheme: 'https', host: 'cdn.example.com', port: '443', path: '/js/', valid: true },
    ]);
  });

  it('splits on ASCII whitespace only (tab, form feed, CR, LF)', () => {
    const d = getDirective(only(parseCsp("script-src\t'self'\fhttps:\r\n'unsafe-eval'")), 'script-src');
    expect(d?.values).toEqual(["'self'", 'https:', "'unsafe-eval'"]);
  });

  it('keeps the first of duplicate directives and notes the others', () => {
    const parsed = parseCsp("script-src 'none'; SCRIPT-SRC *; img-src 'self'");
    expect(getDirective(only(parsed), 'script-src')?.values).toEqual(["'none'"]);
    expect(parsed.notes).toEqual([expect.objectContaining({ code: 'duplicate-directive', directive: 'script-src', policy: 0 })]);
  });

  it('splits several policies on "," and skips empty ones', () => {
    const parsed = parseCsp("script-src 'self', , object-src 'none',");
    expect(parsed.policies.map((p) => p.directives.map((d) => d.name))).toEqual([['script-src'], ['object-src']]);
  });

  it('classifies every kind of source expression', () => {
    const kinds = (s: string) => {
      const c = classifySource(s);
      return c.kind === 'host' ? `host:${c.valid}` : c.kind === 'nonce' || c.kind === 'hash' ? `${c.kind}:${c.valid}` : c.kind;
    };
    for (const k of ["'self'", "'none'", "'unsafe-inline'", "'unsafe-eval'", "'strict-dynamic'", "'unsafe-hashes'",
      "'wasm-unsafe-eval'", "'report-sample'", "'unsafe-allow-redirects'", "'UNSAFE-INLINE'"]) expect(kinds(k)).toBe('keyword');
    expect(kinds("'nonce-r4nd0m+/_-=='")).toBe('nonce:true');
    expect(kinds("'nonce-abc!'")).toBe('nonce:false');
    expect(classifySource("'sha384-AbC='")).toMatchObject({ kind: 'hash', algorithm: 'sha384', value: 'AbC=', valid: true });
    expect(kinds("'SHA256-x y'")).toBe('hash:false');
    for (const s of ['https:', 'HTTP:', 'data:', 'blob:', 'filesystem:', 'ws:', 'chrome-extension:']) expect(kinds(s)).toBe('scheme');
    expect(classifySource('HTTPS:')).toMatchObject({ scheme: 'https' });
    for (const s of ['*', 'example.com', '*.example.com', 'https://*', 'https://*.example.com:*/a/b', 'example.com.', 'localhost:8080', '127.0.0.1']) {
      expect(kinds(s)).toBe('host:true');
    }
    expect(kinds('example.com:')).toBe('scheme'); // the grammar allows dots in schemes
    for (const s of ['[::1]', 'exa_mple.com', 'example.com:abc', 'a.*.com', 'https://', 'data:text/html']) {
      expect(kinds(s), s).toBe('host:false');
    }
    expect(classifySource("'unsafe-foo'")).toMatchObject({ kind: 'invalid' });
    expect(classifySource("'self")).toMatchObject({ kind: 'invalid' });
  });

  it('classifies sources only for source-list directives', () => {
    const p = only(parseCsp('sandbox allow-scripts; report-uri /csp; upgrade-insecure-requests; img-src data:'));
    expect(getDirective(p, 'sandbox')?.sources).toBeNull();
    expect(getDirective(p, 'report-uri')?.sources).toBeNull();
    expect(getDirective(p, 'upgrade-insecure-requests')?.values).toEqual([]);
    expect(getDirective(p, 'img-src')?.sources?.[0]?.kind).toBe('scheme');
  });

  it('follows the CSP3 fallback lists', () => {
    const p = only(parseCsp("default-src 'self'; child-src c.example; script-src s.example"));
    expect(effectiveDirective(p, 'script-src-elem')?.name).toBe('script-src');
    expect(effectiveDirective(p, 'worker-src')?.name).toBe('child-src');
    expect(effectiveDirective(p, 'frame-src')?.name).toBe('child-src');
    expect(effectiveDirective(p, 'object-src')?.name).toBe('default-src');
    expect(effectiveDirective(p, 'base-uri')).toBeUndefined();
    expect(effectiveDirective(p, 'frame-ancestors')).toBeUndefined();
  });

  it('drops a directive with non-ASCII characters whole (CSP3 §2.2.1), so fallback applies', () => {
    const parsed = parseCsp("default-src 'self'; script-src https://exämple.com");
    expect(getDirective(only(parsed), 'script-src')).toBeUndefined();
    expect(parsed.notes[0]).toMatchObject({ code: 'non-ascii-directive', directive: 'script-src' });
    expect(effectiveDirective(only(parsed), 'script-src')?.name).toBe('default-src');
  });

  it('notes control characters and treats such sources as malformed', () => {
    const parsed = parseCsp("script-src 'self' exa\u0000mple.com");
    expect(parsed.notes).toEqual([expect.objectContaining({ code: 'control-characters', directive: 'script-src' })]);
    expect(getDirective(only(parsed), 'script-src')?.sources?.[1]).toMatchObject({ kind: 'host', valid: false });
  });

  it('never throws, whatever it gets', () => {
    for (const v of ['', ';', ',', ' , ; , ', "'", '\u0000', '\uffff\ud800', '🙂; script-src 🙂', 'a'.repeat(70_000)]) {
      expect(() => evaluateCsp(parseCsp(v))).not.toThrow();
    }
    expect(parseCsp(undefined as unknown as string).policies).toEqual([]);
  });

  describe('hostile input stays bounded', () => {
    it('a 1 MB value is cut at the last complete directive within 64 KiB', () => {
      const directive = 'img-src https://a.example.com; ';
      const value = `script-src 'self'; ${directive.repeat(40_000)}`;
      expect(value.length).toBeGreaterThan(1_000_000);
      const parsed = parseCsp(value);
      expect(parsed.length).toBe(value.length);
      // Only the first 64 KiB are read, cut after the last complete directive there …
      const head = value.slice(0, CSP_LIMITS.maxLength);
      const read = head.slice(0, head.lastIndexOf(';'));
      expect(parsed.notes[0]).toMatchObject({ code: 'truncated', message: `the value is ${value.length} characters; only the first ${read.length} were read` });
      expect(getDirective(only(parsed), 'script-src')?.values).toEqual(["'self'"]);
      // … so the work done is that of ~2,100 directives, not of the 40,000 in the value: every
      // repeated img-src is one duplicate note (kept or counted), and the rest were never seen.
      const duplicates = (read.match(/img-src/g) ?? []).length - 1;
      expect(parsed.notes.length + parsed.notesDropped).toBe(1 + duplicates);
      expect(1 + duplicates).toBeLessThan(40_000 / 10);
      expect(evaluateCsp(parsed).length).toBeLessThan(100);
    });

    it('a single 1 MB directive is cut at a token boundary', () => {
      const parsed = parseCsp(`script-src ${'https://a.example.com '.repeat(50_000)}`);
      const values = getDirective(only(parsed), 'script-src')!.values;
      expect(values.length).toBe(CSP_LIMITS.maxSourcesPerDirective);
      expect(values.every((v) => v === 'https://a.example.com')).toBe(true);
      expect(parsed.notes.map((n) => n.code)).toEqual(['truncated', 'too-many-sources']);
    });

    it('10,000 directives: the first 128 are read, notes stay bounded', () => {
      const distinct = parseCsp(Array.from({ length: 10_000 }, (_, i) => `x${i}-src 'self'`).join(';'));
      expect(only(distinct).directives).toHaveLength(CSP_LIMITS.maxDirectivesPerPolicy);
      expect(distinct.notes.filter((n) => n.code === 'too-many-directives')).toHaveLength(1);
      const same = parseCsp("script-src 'self';".repeat(10_000));
      expect(only(same).directives).toHaveLength(1);
      expect(same.notes.length).toBe(CSP_LIMITS.maxNotes);
      expect(same.notesDropped).toBeGreaterThan(1000);
      const list = evaluateCsp(same);
      expect(list.length).toBeLessThan(100);
      expect(list.some((i) => i.id === 'csp.truncated' && /further parser notes/.test(i.detail))).toBe(true);
    });

    it('16 policies of 256 hosts each: the cost grows linearly with policies and hosts, with bounded text', async () => {
      const policy = (hosts: number) => `script-src ${Array.from({ length: hosts }, (_, i) => `h${i}.example.com`).join(' ')}`;
      const header = (policies: number, hosts: number) => Array(policies).fill(policy(hosts)).join(',');
      const list = evaluateCsp(parseCsp(header(16, 256)));
      expect(list.filter((i) => i.id === 'csp.script-allowlist-host')).toHaveLength(256);
      // 8× the policies, then 8× the hosts: linear work grows ~8×, work comparing every policy's or
      // every host's sources with each other's 64× (the bound is between; no absolute time).
      const [p2, p16, h32, h256] = [header(2, 32), header(16, 32), header(2, 32), header(2, 256)];
      await expectGrowthBelow('policies 2 → 16', 30, () => evaluateCsp(parseCsp(p2)), () => evaluateCsp(parseCsp(p16)));
      await expectGrowthBelow('hosts 32 → 256', 30, () => evaluateCsp(parseCsp(h32)), () => evaluateCsp(parseCsp(h256)));
      const long = evaluateCsp(parseCsp(`script-src https://${'a'.repeat(60_000)}.com`));
      for (const i of long) expect(i.detail.length + (i.value?.length ?? 0)).toBeLessThan(1_300);
    });

    it('10,000 policies: the first 16 are read', () => {
      const parsed = parseCsp("img-src 'self',".repeat(10_000));
      expect(parsed.policies).toHaveLength(CSP_LIMITS.maxPolicies);
      expect(parsed.notes.some((n) => n.code === 'too-many-policies')).toBe(true);
    });

    it('escapes control and bidi characters in the text it reports', () => {
      const list = issues("scr\u202eipt-src 'self'; \u0007bell 'self'");
      const unknown = list.filter((i) => i.id === 'csp.unknown-directive');
      expect(unknown.map((i) => i.detail).join(' ')).not.toMatch(/[\u0000-\u001f\u202e]/);
      expect(unknown.map((i) => i.detail).join(' ')).toContain('\\u{7}');
    });

    it('survives random garbage (seeded)', () => {
      const alphabet = ["'", ';', ',', ' ', '\t', '*', ':', '/', '.', '-', 'a', 'Z', '0', '\u0000', 'é', '🙂', "'self'", "'nonce-", 'script-src', 'default-src', 'https:', 'object-src'];
      let seed = 42;
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
      for (let n = 0; n < 500; n++) {
        const s = Array.from({ length: rnd(200) }, () => alphabet[rnd(alphabet.length)]).join('');
        for (const source of ['header', 'meta'] as const) {
          const list = evaluateCsp(parseCsp(s, { source }), { reportOnly: n % 2 === 0 });
          for (const i of list) expect(CSP_ISSUES[i.id].title).toBe(i.title);
        }
      }
    });
  });
});

describe('extractMetaCsp / parseMetaCsp', () => {
  it('finds meta CSP in <head>, decodes entities and unquoted values', () => {
    const html = `<!doctype html><html><head><meta charset=utf-8><title>x</title>
      <META HTTP-EQUIV="content-security-policy" CONTENT="script-src &#39;self&#39; &apos;nonce-abcdefgh12&apos;; object-src &#x27;none&#x27;">
      <meta http-equiv=Content-Security-Policy content=img-src>
    </head><body><p>hi</p></body></html>`;
    expect(extractMetaCsp(html)).toEqual({
      policies: ["script-src 'self' 'nonce-abcdefgh12'; object-src 'none'", 'img-src'], ignored: [], truncated: false,
    });
  });

  it('ignores what browsers ignore: report-only, empty content, meta in the body', () => {
    const html = `<head><meta http-equiv="Content-Security-Policy-Report-Only" content="default-src 'none'">
      <meta http-equiv="Content-Security-Policy" content=""></head>
      <body><meta http-equiv="Content-Security-Policy" content="default-src *"></body>`;
    const m = extractMetaCsp(html);
    expect(m.policies).toEqual([]);
    expect(m.ignored.map((i) => i.reason)).toEqual([
      expect.stringMatching(/Report-Only/), expect.stringMatching(/no content/), expect.stringMatching(/not in <head>/),
    ]);
  });

  it('the head ends at the first body content, as the HTML parser decides', () => {
    const text = extractMetaCsp(`<head><title>t</title></head>hello<meta http-equiv="Content-Security-Policy" content="a">`);
    expect(text.policies).toEqual([]);
    const div = extractMetaCsp(`<div></div><meta http-equiv="Content-Security-Policy" content="a">`);
    expect(div.ignored).toHaveLength(1);
    const afterHead = extractMetaCsp(`<head></head>\n<meta http-equiv="Content-Security-Policy" content="a"><body>`);
    expect(afterHead.policies).toEqual(['a']); // "after head" mode still puts meta in <head>
  });

  it('is not fooled by comments, scripts, templates or quoted ">"', () => {
    const html = `<head>
      <!-- <meta http-equiv="Content-Security-Policy" content="comment"> -->
      <script>document.write('<meta http-equiv="Content-Security-Policy" content="script">')</script>
      <template><meta http-equiv="Content-Security-Policy" content="template"></template>
      <noscript><meta http-equiv="Content-Security-Policy" content="noscript"></noscript>
      <meta data-x="a>b" http-equiv="Content-Security-Policy" content="real">
    </head>`;
    expect(extractMetaCsp(html).policies).toEqual(['real']);
  });

  it('is bounded and says when it stopped early', () => {
    const big = `<head>${'<link rel=x>'.repeat(500_000)}<meta http-equiv="Content-Security-Policy" content="late">`;
    const m = extractMetaCsp(big);
    expect(m).toMatchObject({ policies: [], truncated: true });
    // Unterminated constructs are not a cut: the parser decides (a comment runs to the end, a tag cut by the end is dropped).
    expect(extractMetaCsp('<head><!-- never closed <meta http-equiv="Content-Security-Policy" content="x">')).toEqual({ policies: [], ignored: [], truncated: false });
    expect(extractMetaCsp('<head><meta http-equiv="Content-Security-Policy" content="unterminated')).toEqual({ policies: [], ignored: [], truncated: false });
    expect(extractMetaCsp('<head><meta http-equiv="Content-Security-Policy" content="a">', 10).truncated).toBe(true);
    expect(extractMetaCsp(null as unknown as string).policies).toEqual([]);
  });

  it('the bound is the scan\'s cap: a meta ending at META_SCAN_MAX_LENGTH is read, one 4 MB later is not', () => {
    // So what lies beyond the cap costs nothing, however long the page.
    const meta = (content: string) => `<meta http-equiv="Content-Security-Policy" content="${content}">`;
    const filler = (chars: number) => `<!--${'x'.repeat(chars - 7)}-->`;
    const early = meta('early');
    const html = `<head>${filler(META_SCAN_MAX_LENGTH - 6 - early.length)}${early}${filler(4 * 1024 * 1024)}${meta('late')}`;
    expect(html.indexOf(early) + early.length).toBe(META_SCAN_MAX_LENGTH);
    expect(extractMetaCsp(html)).toEqual({ policies: ['early'], ignored: [], truncated: true });
  });

  it('parses each meta as one policy without splitting on ",", dropping frame-ancestors, report-uri and sandbox', () => {
    const parsed = parseMetaCsp(["script-src 'self', https://a.example; frame-ancestors 'none'; report-uri /r", 'sandbox; img-src data:']);
    expect(parsed.source).toBe('meta');
    expect(parsed.policies.map((p) => p.directives.map((d) => d.name))).toEqual([['script-src'], ['img-src']]);
    expect(getDirective(parsed.policies[0]!, 'script-src')?.values).toEqual(["'self',", 'https://a.example']);
    expect(parsed.notes.map((n) => `${n.code} ${n.directive} ${n.policy}`)).toEqual([
      'meta-ignored-directive frame-ancestors 0', 'meta-ignored-directive report-uri 0', 'meta-ignored-directive sandbox 1',
    ]);
  });
});

describe('evaluateCsp: script execution', () => {
  it("flags 'unsafe-inline' unless a nonce, hash or 'strict-dynamic' cancels it (CSP3 §6.7.3.3, §8.2)", () => {
    expect(has("script-src 'unsafe-inline'", "csp.script-unsafe-inline script-src 'unsafe-inline'")).toBe(true);
    expect(has("default-src 'unsafe-inline'", "csp.script-unsafe-inline default-src 'unsafe-inline'")).toBe(true);
    expect(ids("script-src 'unsafe-inline' 'nonce-abcdefgh12'")).not.toContain('csp.script-unsafe-inline');
    expect(ids("script-src 'unsafe-inline' 'sha256-AbCd='")).not.toContain('csp.script-unsafe-inline');
    expect(ids("script-src 'unsafe-inline' 'strict-dynamic'")).not.toContain('csp.script-unsafe-inline');
    // a malformed nonce is ignored by browsers, so it cancels nothing
    expect(ids("script-src 'unsafe-inline' 'nonce-bad!value'")).toContain('csp.script-unsafe-inline');
    // event handlers follow script-src-attr, which has its own list
    expect(has("script-src 'nonce-abcdefgh12'; script-src-attr 'unsafe-inline'", "csp.script-unsafe-inline script-src-attr 'unsafe-inline'")).toBe(true);
    expect(issues("script-src 'unsafe-inline'")[0]).toMatchObject({ severity: 'high', title: CSP_ISSUES['csp.script-unsafe-inline'].title });
  });

  it("reports ignored sources, as csp_evaluator's IGNORED findings", () => {
    expect(lines("script-src 'nonce-abcdefgh12' 'strict-dynamic' 'unsafe-inline' https: 'self'").filter((l) => l.startsWith('csp.source-ignored'))).toEqual([
      "csp.source-ignored script-src 'unsafe-inline'", 'csp.source-ignored script-src https:', "csp.source-ignored script-src 'self'",
    ]);
  });

  it("flags 'unsafe-eval' and 'unsafe-hashes'", () => {
    expect(issues("script-src 'self' 'unsafe-eval'").find((i) => i.id === 'csp.script-unsafe-eval')).toMatchObject({ severity: 'medium', value: "'unsafe-eval'" });
    expect(issues("script-src-attr 'unsafe-hashes' 'sha256-AbCd='; script-src 'self'").find((i) => i.id === 'csp.script-unsafe-hashes'))
      .toMatchObject({ severity: 'low', directive: 'script-src-attr' });
  });

  it('flags whole schemes and wildcards where script can run (scripts, objects, base-uri)', () => {
    const l = lines("script-src https: data: blob:; object-src *; base-uri http:");
    expect(l).toEqual(expect.arrayContaining([
      'csp.plain-scheme script-src https:', 'csp.plain-scheme script-src data:', 'csp.wildcard object-src *', 'csp.plain-scheme base-uri http:',
    ]));
    expect(l.join()).not.toContain('blob:');
    expect(has("script-src https://*; object-src 'none'", 'csp.wildcard script-src https://*')).toBe(true);
    expect(ids("script-src https: 'nonce-abcdefgh12' 'strict-dynamic'; object-src 'none'")).not.toContain('csp.plain-scheme');
  });

  it("applies 'strict-dynamic' to scripts only: default-src https: still governs object-src (divergence from csp_evaluator)", () => {
    expect(lines("default-src 'nonce-abcdefgh12' 'strict-dynamic' https:; base-uri 'none'")).toContain('csp.plain-scheme default-src https:');
  });

  it('requires object-src, script-src (or default-src) and, with nonces, base-uri', () => {
    expect(ids("img-src 'self'")).toEqual(expect.arrayContaining(['csp.object-src-missing', 'csp.script-src-missing']));
    expect(ids("default-src 'self'")).not.toContain('csp.object-src-missing');
    // an empty source list matches nothing, like 'none' (divergence from csp_evaluator)
    expect(ids("object-src; script-src 'self'")).not.toContain('csp.object-src-missing');
    expect(ids("script-src 'nonce-abcdefgh12'; object-src 'none'")).toContain('csp.base-uri-missing');
    expect(ids("script-src 'sha256-AbCd=' 'strict-dynamic'; object-src 'none'")).toContain('csp.base-uri-missing');
    expect(ids("script-src 'sha256-AbCd='; object-src 'none'")).not.toContain('csp.base-uri-missing');
    expect(ids("script-src 'nonce-abcdefgh12'; object-src 'none'; base-uri 'none'")).not.toContain('csp.base-uri-missing');
  });

  it('finds JSONP and AngularJS hosts in script allowlists (CSP3 host and path matching)', () => {
    const l = (p: string) => lines(`${p}; object-src 'none'`);
    expect(l('script-src www.google.com')).toContain('csp.script-allowlist-bypass script-src www.google.com');
    expect(l('script-src https://*.google.com')).toContain('csp.script-allowlist-bypass script-src https://*.google.com');
    expect(l('script-src google.com')).toContain('csp.script-allowlist-host script-src google.com'); // *.x never matches x
    expect(l('script-src https://ajax.googleapis.com/ajax/libs/')).toContain('csp.script-allowlist-bypass script-src https://ajax.googleapis.com/ajax/libs/');
    expect(l('script-src cdnjs.cloudflare.com/ajax/libs/jquery/')).toContain('csp.script-allowlist-host script-src cdnjs.cloudflare.com/ajax/libs/jquery/');
    // some JSONP endpoints need eval
    expect(l('script-src www.googletagmanager.com')).toContain('csp.script-allowlist-host script-src www.googletagmanager.com');
    expect(l("script-src www.googletagmanager.com 'unsafe-eval'")).toContain('csp.script-allowlist-bypass script-src www.googletagmanager.com');
    expect(l("script-src 'self'")).toContain("csp.script-self script-src 'self'");
    expect(issues("script-src www.google.com; object-src 'none'").find((i) => i.id === 'csp.script-allowlist-bypass')?.detail).toMatch(/JSONP/);
    expect(ids("script-src 'nonce-abcdefgh12' 'strict-dynamic' www.google.com 'self'; object-src 'none'")).not.toContain('csp.script-allowlist-bypass');
  });

  it("does not let 'none' hide other sources (divergence from csp_evaluator, which skips the directive)", () => {
    expect(lines("script-src 'none' www.google.com; object-src 'none'")).toEqual(expect.arrayContaining([
      'csp.script-allowlist-bypass script-src www.google.com', "csp.none-with-other-sources script-src 'none'",
    ]));
  });

  it('checks object-src allowlists (Flash bypasses, anything but none)', () => {
    expect(lines("object-src https://vk.com/swf/video.swf; script-src 'none'")).toContain('csp.object-allowlist-bypass object-src https://vk.com/swf/video.swf');
    expect(lines("object-src 'self'; script-src 'none'")).toContain("csp.object-src-not-none object-src 'self'");
    expect(ids("object-src vk.com; plugin-types application/pdf; script-src 'none'")).not.toContain('csp.object-allowlist-bypass');
    expect(ids("default-src 'self'")).not.toContain('csp.object-src-not-none'); // only an explicit object-src
  });
});

describe('evaluateCsp: strict CSP advice', () => {
  it('recommends strict-dynamic over allowlists, and fallbacks for old browsers', () => {
    expect(ids("script-src https://cdn.example.com; object-src 'none'")).toContain('csp.allowlist-without-strict-dynamic');
    expect(ids("script-src 'strict-dynamic'; object-src 'none'")).toContain('csp.strict-dynamic-without-nonce');
    expect(ids("script-src 'nonce-abcdefgh12' 'strict-dynamic'; object-src 'none'; base-uri 'none'"))
      .toEqual(expect.arrayContaining(['csp.no-unsafe-inline-fallback', 'csp.no-allowlist-fallback']));
    expect(ids("script-src 'nonce-abcdefgh12' 'strict-dynamic' 'unsafe-inline' https:; object-src 'none'; base-uri 'none'"))
      .not.toEqual(expect.arrayContaining(['csp.no-unsafe-inline-fallback']));
  });

  it('asks for Trusted Types', () => {
    expect(issues("script-src 'self'").find((i) => i.id === 'csp.no-trusted-types')).toMatchObject({ severity: 'info' });
    expect(ids("script-src 'self'; require-trusted-types-for 'script'")).not.toContain('csp.no-trusted-types');
  });
});

describe('evaluateCsp: how the policy is written', () => {
  it('checks nonces', () => {
    expect(lines("script-src 'nonce-abc'")).toContain("csp.nonce-length script-src 'nonce-abc'");
    expect(lines("script-src 'nonce-abcdefgh!'")).toEqual(expect.arrayContaining([
      "csp.nonce-charset script-src 'nonce-abcdefgh!'", "csp.invalid-keyword script-src 'nonce-abcdefgh!'",
    ]));
  });

  it('flags http:// sources and report URLs, and IP addresses', () => {
    expect(lines('img-src http://cdn.example.com; report-uri http://r.example.com/csp')).toEqual(expect.arrayContaining([
      'csp.src-http img-src http://cdn.example.com', 'csp.src-http report-uri http://r.example.com/csp',
    ]));
    const ip = issues('img-src 127.0.0.1:8080 10.0.0.1 [::1]; report-uri https://192.0.2.1/r').filter((i) => i.id === 'csp.ip-source');
    expect(ip.map((i) => i.value)).toEqual(['127.0.0.1:8080', '10.0.0.1', '[::1]', 'https://192.0.2.1/r']);
    expect(ip[0]?.detail).toMatch(/localhost/);
    // ignored by 'strict-dynamic' for scripts: nothing to say
    expect(ids("script-src 'nonce-abcdefgh12' 'strict-dynamic' http://1.2.3.4")).not.toContain('csp.src-http');
  });

  it('names deprecated and obsolete directives', () => {
    expect(lines('referrer origin; reflected-xss block; disown-opener; prefetch-src x; block-all-mixed-content; plugin-types a/b; navigate-to x; require-sri-for script'))
      .toEqual(expect.arrayContaining([
        'csp.deprecated-directive referrer', 'csp.deprecated-directive reflected-xss', 'csp.deprecated-directive disown-opener',
        'csp.deprecated-directive prefetch-src', 'csp.obsolete-directive block-all-mixed-content', 'csp.obsolete-directive plugin-types',
        'csp.obsolete-directive navigate-to', 'csp.obsolete-directive require-sri-for',
      ]));
  });

  it('checks reporting', () => {
    expect(ids("default-src 'self'")).toContain('csp.no-reporting');
    expect(ids("default-src 'self'; report-to csp")).toContain('csp.report-to-only');
    expect(ids("default-src 'self'; report-uri /r")).toContain('csp.report-uri-only');
    expect(ids("default-src 'self'; report-uri /r; report-to csp")).not.toEqual(expect.arrayContaining(['csp.no-reporting']));
  });

  it('catches syntax slips browsers silently ignore', () => {
    expect(lines("scirpt-src 'self'; script-src: 'self'; default-src 'self' object-src 'none'")).toEqual(expect.arrayContaining([
      'csp.unknown-directive scirpt-src', 'csp.unknown-directive script-src:', 'csp.missing-semicolon default-src object-src',
    ]));
    expect(lines("script-src self nonce-abcdefgh12 sha256-abc 'unsafe-foo' example.com:abc; require-trusted-types-for 'scripts'"))
      .toEqual(expect.arrayContaining([
        'csp.unquoted-keyword script-src self', 'csp.unquoted-keyword script-src nonce-abcdefgh12', 'csp.unquoted-keyword script-src sha256-abc',
        "csp.invalid-keyword script-src 'unsafe-foo'", 'csp.invalid-source script-src example.com:abc',
        "csp.invalid-keyword require-trusted-types-for 'scripts'",
      ]));
    expect(ids("trusted-types default 'allow-duplicates'; webrtc 'block'")).not.toContain('csp.invalid-keyword');
  });

  it('turns parser notes into issues', () => {
    expect(ids("script-src 'self'; script-src *")).toContain('csp.duplicate-directive');
    expect(ids("default-src 'self'; img-src ünïcode")).toContain('csp.non-ascii-directive');
    expect(ids("default-src 'self' \u0001")).toContain('csp.control-characters');
    expect(ids(`default-src 'self'; ${'a;'.repeat(40_000)}`)).toContain('csp.truncated');
    expect(issues('').map((i) => `${i.id} ${i.severity}`)).toEqual(['csp.empty-policy medium']);
    expect(issues('   ;  ;').map((i) => i.id)).toEqual(['csp.empty-policy']);
  });
});

describe('evaluateCsp: clickjacking, report-only, <meta>', () => {
  it('checks frame-ancestors (X-Frame-Options is left to the caller)', () => {
    expect(issues("default-src 'self'").find((i) => i.id === 'csp.frame-ancestors-missing')).toMatchObject({ severity: 'medium' });
    expect(ids("default-src 'self'; frame-ancestors 'none'")).not.toContain('csp.frame-ancestors-missing');
    expect(lines("default-src 'self'; frame-ancestors https:")).toContain('csp.frame-ancestors-broad frame-ancestors https:');
    expect(lines("default-src 'self'; frame-ancestors *")).toContain('csp.frame-ancestors-broad frame-ancestors *');
    expect(ids("default-src 'self'; frame-ancestors 'self' https://partner.example")).not.toContain('csp.frame-ancestors-broad');
  });

  it('a report-only policy enforces nothing: advice only, capped at low', () => {
    const list = issues("script-src 'unsafe-inline'", { reportOnly: true });
    expect(list.map((i) => i.id)).toEqual(expect.arrayContaining(['csp.report-only-no-reporting', 'csp.report-only']));
    expect(list.every((i) => i.severity === 'low' || i.severity === 'info')).toBe(true);
    expect(list.find((i) => i.id === 'csp.script-unsafe-inline')?.detail).toMatch(/^Report-only, once enforced/);
    expect(ids("script-src 'self'; report-uri /r", { reportOnly: true })).not.toContain('csp.report-only-no-reporting');
  });

  it('a <meta> policy cannot carry frame-ancestors, report-uri or sandbox', () => {
    const meta = evaluateCsp(parseMetaCsp(["default-src 'self'; frame-ancestors 'none'"]));
    expect(meta.map((i) => `${i.id} ${i.directive}`)).toEqual(expect.arrayContaining([
      'csp.meta-ignored-directive frame-ancestors', 'csp.frame-ancestors-missing frame-ancestors',
    ]));
    expect(meta.find((i) => i.id === 'csp.frame-ancestors-missing')?.detail).toMatch(/<meta>/);
    // a header-parsed value judged as meta gets the same treatment
    expect(lines("default-src 'self'; sandbox; report-uri /r", { source: 'meta' })).toEqual(expect.arrayContaining([
      'csp.meta-ignored-directive sandbox', 'csp.meta-ignored-directive report-uri', 'csp.no-reporting report-uri',
    ]));
  });
});

describe('evaluateCsp: several policies are all enforced', () => {
  it('keeps a weakness only when every policy lets it through', () => {
    expect(ids("script-src 'unsafe-inline', script-src 'nonce-abcdefgh12'")).not.toContain('csp.script-unsafe-inline');
    expect(ids("script-src 'unsafe-inline', default-src 'unsafe-inline'")).toContain('csp.script-unsafe-inline');
    // a policy that restricts no scripts lets everything through
    expect(ids("script-src 'self' 'unsafe-eval', img-src 'none'")).toContain('csp.script-unsafe-eval');
    expect(ids("object-src 'none', script-src 'self'")).not.toContain('csp.object-src-missing');
    expect(ids("img-src 'none', frame-ancestors 'none'")).not.toContain('csp.frame-ancestors-missing');
    expect(ids("script-src 'nonce-abcdefgh12', script-src 'self'; object-src 'none'")).not.toContain('csp.base-uri-missing');
  });

  it('reports slips in the writing per policy', () => {
    const list = issues("script-src 'self', scirpt-src 'self'");
    expect(list.find((i) => i.id === 'csp.unknown-directive')).toMatchObject({ policy: 1 });
    expect(issues("scirpt-src 'self'").find((i) => i.id === 'csp.unknown-directive')?.policy).toBeUndefined();
  });
});

describe('the issue catalogue', () => {
  it('has stable, well-formed ids with a severity and a title', () => {
    for (const [id, { severity, title }] of Object.entries(CSP_ISSUES)) {
      expect(id).toMatch(/^csp\.[a-z]+(-[a-z]+)*$/);
      expect(['high', 'medium', 'low', 'info']).toContain(severity);
      expect(title.length).toBeGreaterThan(10);
    }
  });

  it('sorts issues by severity', () => {
    const rank = { high: 0, medium: 1, low: 2, info: 3 };
    const list = issues("script-src 'unsafe-inline' 'unsafe-eval' http://x.example self; referrer x");
    expect(list.map((i) => rank[i.severity])).toEqual([...list.map((i) => rank[i.severity])].sort((a, b) => a - b));
  });
});
