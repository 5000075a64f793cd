import { createHash } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import {
  checkCors,
  checkCrossOriginPolicies,
  checkExpectCt,
  checkFraming,
  checkHstsOverHttp,
  checkMixedContent,
  checkPermissionsPolicy,
  checkReferrerPolicy,
  checkResponseHeaders,
  checkSri,
  checkVersionDisclosure,
  checkXContentTypeOptions,
  checkXXssProtection,
  effectiveReferrerPolicy,
  MAX_HEADER_CHARS,
  parseSfDictionary,
  parseSfItem,
  validIntegrity,
  xfoVerdict,
} from '../../src/http/headers/index.js';
import { scanHtml } from '../../src/http/html-resources.js';
import { expectGrowthBelow } from '../helpers/growth.js';
import { securityHeadersGrade } from '../../src/grade/securityheaders.js';
import { securityHeadersStates } from '../../src/grade/site.js';
import { withSubject, type CheckFinding } from '../../src/model/finding.js';
import { FindingSchema } from '../../src/model/report.js';

const PAGE = 'https://www.example.com/shop/index.html';
const ids = (fs: CheckFinding[]) => fs.map((f) => f.id).sort();
const one = (fs: CheckFinding[], id: string) => {
  const f = fs.filter((x) => x.id === id);
  expect(f, `${id} in ${ids(fs).join(',')}`).toHaveLength(1);
  // As the report carries it: with the subject the engine gives the site's findings.
  expect(Value.Check(FindingSchema, withSubject(f[0]!, `url:${PAGE}`)), `${id} matches FindingSchema`).toBe(true);
  expect(f[0]!.remediation.length).toBeGreaterThan(10);
  expect(f[0]!.references.length).toBeGreaterThan(0);
  return f[0]!;
};

/** A well-configured response: no check should say anything about it. */
const GOOD: Record<string, string> = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'content-security-policy': "default-src 'self'; frame-ancestors 'self'",
  'x-frame-options': 'SAMEORIGIN',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(self "https://maps.example.com"), fullscreen=*',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  server: 'nginx',
  'x-powered-by': 'Express',
};

describe('a good response', () => {
  it('produces no finding from any check', () => {
    const html = `<!doctype html><script src="/app.js"></script><script src="https://cdn.example.net/lib.js" integrity="sha384-${'A'.repeat(64)}" crossorigin></script><img src="//img.example.net/x.png">`;
    expect(checkResponseHeaders({ headers: GOOD, pageUrl: PAGE, frameAncestors: ["'self'"], scan: scanHtml(html) })).toEqual([]);
  });
});

describe('Referrer-Policy', () => {
  it('takes the last recognised token of a comma list', () => {
    expect(effectiveReferrerPolicy('no-referrer, strict-origin-when-cross-origin')).toBe('strict-origin-when-cross-origin');
    expect(effectiveReferrerPolicy('unsafe-url, future-policy')).toBe('unsafe-url');
    expect(effectiveReferrerPolicy(' Same-Origin ')).toBe('same-origin');
    expect(effectiveReferrerPolicy('nope, ,')).toBeNull();
  });

  it('http.referrer-policy.missing', () => {
    const f = one(checkReferrerPolicy({}, PAGE), 'http.referrer-policy.missing');
    expect(f).toMatchObject({ severity: 'low', evidence: { url: PAGE, header: null, policy: null } });
    expect(checkReferrerPolicy({ 'referrer-policy': 'no-referrer' }, PAGE)).toEqual([]);
    // A <meta name=referrer> sets the policy too (legacy keyword "never" = no-referrer).
    expect(checkReferrerPolicy({}, PAGE, scanHtml('<meta name="Referrer" content="never">'))).toEqual([]);
  });

  it('http.referrer-policy.unsafe, medium for full-URL leaks and low for origin leaks', () => {
    const f = one(checkReferrerPolicy({ 'referrer-policy': 'no-referrer, unsafe-url' }, PAGE), 'http.referrer-policy.unsafe');
    expect(f).toMatchObject({ severity: 'medium', evidence: { header: 'no-referrer, unsafe-url', policy: 'unsafe-url' } });
    expect(one(checkReferrerPolicy({ 'referrer-policy': 'no-referrer-when-downgrade' }, PAGE), 'http.referrer-policy.unsafe').severity).toBe('medium');
    expect(one(checkReferrerPolicy({ 'referrer-policy': 'origin-when-cross-origin' }, PAGE), 'http.referrer-policy.unsafe').severity).toBe('low');
    expect(one(checkReferrerPolicy({ 'referrer-policy': 'origin' }, PAGE), 'http.referrer-policy.unsafe').severity).toBe('low');
    // The last recognised token wins: a safe fallback after an unsafe one is fine.
    expect(checkReferrerPolicy({ 'referrer-policy': 'unsafe-url, strict-origin' }, PAGE)).toEqual([]);
    // A valid meta overrides the header.
    expect(checkReferrerPolicy({ 'referrer-policy': 'unsafe-url' }, PAGE, scanHtml('<meta name=referrer content=same-origin>'))).toEqual([]);
    expect(one(checkReferrerPolicy({ 'referrer-policy': 'same-origin' }, PAGE, scanHtml('<meta name=referrer content=always>')), 'http.referrer-policy.unsafe').evidence).toMatchObject({ meta: 'always', policy: 'unsafe-url' });
  });

  it('http.referrer-policy.invalid', () => {
    const f = one(checkReferrerPolicy({ 'referrer-policy': 'strict-origin-when-crossorigin' }, PAGE), 'http.referrer-policy.invalid');
    expect(f.evidence).toMatchObject({ header: 'strict-origin-when-crossorigin', policy: null });
    expect(ids(checkReferrerPolicy({ 'referrer-policy': '' }, PAGE))).toEqual(['http.referrer-policy.invalid']);
    expect(checkReferrerPolicy({ 'referrer-policy': 'bogus, strict-origin' }, PAGE)).toEqual([]);
  });
});

describe('X-Content-Type-Options', () => {
  it('http.xcto.missing and http.xcto.invalid; nosniff is the only valid value', () => {
    expect(one(checkXContentTypeOptions({}, PAGE), 'http.xcto.missing').evidence).toEqual({ url: PAGE, header: null });
    const f = one(checkXContentTypeOptions({ 'x-content-type-options': 'no-sniff' }, PAGE), 'http.xcto.invalid');
    expect(f.evidence).toMatchObject({ header: 'no-sniff' });
    expect(ids(checkXContentTypeOptions({ 'x-content-type-options': 'sniff, nosniff' }, PAGE))).toEqual(['http.xcto.invalid']);
    for (const v of ['nosniff', 'NoSniff', ' nosniff ', 'nosniff, nosniff']) expect(checkXContentTypeOptions({ 'x-content-type-options': v }, PAGE), v).toEqual([]);
  });
});

describe('framing', () => {
  it('processes X-Frame-Options like the HTML Standard', () => {
    expect(xfoVerdict('DENY')).toBe('deny');
    expect(xfoVerdict(' sameorigin ')).toBe('sameorigin');
    expect(xfoVerdict('SAMEORIGIN, SAMEORIGIN')).toBe('sameorigin');
    expect(xfoVerdict('DENY, SAMEORIGIN')).toBe('deny'); // conflicting values block framing
    expect(xfoVerdict('ALLOW-FROM https://a.example')).toBe('allow-from');
    expect(xfoVerdict('allowall')).toBe('invalid');
    expect(xfoVerdict('foo, bar')).toBe('invalid');
  });

  it('http.framing.missing when neither XFO nor frame-ancestors', () => {
    const f = one(checkFraming({}, PAGE, null), 'http.framing.missing');
    expect(f).toMatchObject({ severity: 'medium', evidence: { header: null, frameAncestors: null } });
    expect(checkFraming({}, PAGE, ["'none'"])).toEqual([]);
    expect(checkFraming({ 'x-frame-options': 'DENY' }, PAGE, null)).toEqual([]);
  });

  it('http.xfo.allow-from, unless frame-ancestors overrides it', () => {
    const f = one(checkFraming({ 'x-frame-options': 'ALLOW-FROM https://partner.example' }, PAGE, null), 'http.xfo.allow-from');
    expect(f.evidence).toMatchObject({ header: 'ALLOW-FROM https://partner.example' });
    expect(checkFraming({ 'x-frame-options': 'ALLOW-FROM https://partner.example' }, PAGE, ['https://partner.example'])).toEqual([]);
  });

  it('http.xfo.invalid, unless frame-ancestors overrides it', () => {
    expect(one(checkFraming({ 'x-frame-options': 'ALLOWALL' }, PAGE, null), 'http.xfo.invalid').evidence).toMatchObject({ header: 'ALLOWALL' });
    expect(ids(checkFraming({ 'x-frame-options': 'yes' }, PAGE, null))).toEqual(['http.xfo.invalid']);
    expect(checkFraming({ 'x-frame-options': 'yes' }, PAGE, [])).toEqual([]);
    expect(checkFraming({ 'x-frame-options': 'DENY, SAMEORIGIN' }, PAGE, null)).toEqual([]);
  });
});

describe('structured fields (RFC 8941)', () => {
  it('parses dictionaries with inner lists, strings, tokens, parameters and every bare item type', () => {
    const r = parseSfDictionary('a=(self "https://x.example"), b=(), c=*, d, e=?0;p=1, f=:AQID:, g=-1.5, h=42;q="s\\"t"');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([...r.value.keys()]).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(r.value.get('a')).toEqual({ list: [{ item: { type: 'token', value: 'self' }, params: [] }, { item: { type: 'string', value: 'https://x.example' }, params: [] }], params: [] });
    expect(r.value.get('h')).toEqual({ item: { type: 'integer', value: 42 }, params: [['q', { type: 'string', value: 's"t' }]] });
    expect(parseSfDictionary('a=1, a=2').ok && parseSfDictionary('a=1, a=2')).toMatchObject({ value: new Map([['a', { item: { type: 'integer', value: 2 }, params: [] }]]) });
  });

  it('rejects what browsers reject, with the offset', () => {
    for (const bad of ["geolocation 'none'", "geolocation=('none')", 'Camera=()', 'a=(self', 'a=1,', 'a=1,,b=2', 'a="x', 'a=(x,y)', 'a=1 b=2', 'a=1.2345', 'a=1234567890123456', 'a=?2', 'a=:AQ', 'a="\u00e9"']) {
      expect(parseSfDictionary(bad).ok, bad).toBe(false);
    }
    expect(parseSfDictionary("geolocation 'none'")).toEqual({ ok: false, error: 'members must be separated by ","', offset: 12 });
    expect(parseSfItem('same-origin; report-to="default"').ok).toBe(true);
    expect(parseSfItem('same-origin, same-origin').ok).toBe(false);
  });

  it('is bounded on hostile values', async () => {
    // The caps stop the parse early: the error's offset is where it gave up, far before the end
    // (1,024 members: the dictionary's "a" and 1,023 list items; then 1,024 dictionary members).
    const list = 'a=(' + 'x '.repeat(30_000) + ')';
    expect(parseSfDictionary(list)).toMatchObject({ ok: false, error: 'too many members', offset: 3 + 2 * 1023 });
    expect(list.length).toBeGreaterThan(25 * (3 + 2 * 1023));
    const members = 'a=1, '.repeat(2000) + 'a=1';
    expect(parseSfDictionary(members)).toMatchObject({ ok: false, error: 'too many members', offset: 5 * 1024 });
    // Over MAX_HEADER_CHARS the value is refused before it is read at all.
    expect(parseSfDictionary('a="' + 'x'.repeat(MAX_HEADER_CHARS) + '"')).toEqual({ ok: false, error: 'value too long', offset: MAX_HEADER_CHARS });
    // Within the cap the parse is linear: a string of 8× the escapes costs well under 64× (quadratic).
    const escaped = (n: number) => 'a="' + '\\"'.repeat(n) + '"';
    expect(parseSfDictionary(escaped(30_000)).ok).toBe(true);
    const [small, large] = [escaped(1_000), escaped(8_000)];
    await expectGrowthBelow('escaped string 1,000 → 8,000', 30, () => parseSfDictionary(small), () => parseSfDictionary(large));
  });
});

describe('Permissions-Policy', () => {
  it('http.permissions-policy.missing (info), not when present', () => {
    expect(one(checkPermissionsPolicy({}, PAGE), 'http.permissions-policy.missing')).toMatchObject({ severity: 'info', evidence: { header: null } });
    expect(checkPermissionsPolicy({ 'permissions-policy': 'interest-cohort=()' }, PAGE)).toEqual([]);
  });

  it('http.permissions-policy.feature-policy-only', () => {
    const f = one(checkPermissionsPolicy({ 'feature-policy': "geolocation 'none'" }, PAGE), 'http.permissions-policy.feature-policy-only');
    expect(f).toMatchObject({ severity: 'info', evidence: { featurePolicy: "geolocation 'none'" } });
    expect(checkPermissionsPolicy({ 'feature-policy': "geolocation 'none'", 'permissions-policy': 'geolocation=()' }, PAGE)).toEqual([]);
  });

  it('http.permissions-policy.invalid: low when the header does not parse, info when entries are ignored', () => {
    const f = one(checkPermissionsPolicy({ 'permissions-policy': "geolocation 'none'; camera 'none'" }, PAGE), 'http.permissions-policy.invalid');
    expect(f).toMatchObject({ severity: 'low', evidence: { header: "geolocation 'none'; camera 'none'", offset: 12 } });
    expect(f.detail).toContain('Feature-Policy syntax');
    const g = one(checkPermissionsPolicy({ 'permissions-policy': 'camera=none, geolocation=(self https://maps.example), usb' }, PAGE), 'http.permissions-policy.invalid');
    expect(g).toMatchObject({ severity: 'info', evidence: { ignored: ['camera=none', 'geolocation: item https://maps.example', 'usb=(no value)'] } });
    expect(checkPermissionsPolicy({ 'permissions-policy': 'geolocation=(self "https://maps.example"), fullscreen=self, payment="https://pay.example"' }, PAGE)).toEqual([]);
  });
});

describe('Cross-Origin-*-Policy', () => {
  it('http.coop.missing (info)', () => {
    expect(one(checkCrossOriginPolicies({}, PAGE), 'http.coop.missing')).toMatchObject({ severity: 'info', evidence: { header: null } });
    expect(checkCrossOriginPolicies({ 'cross-origin-opener-policy': 'same-origin-allow-popups; report-to="coop"' }, PAGE)).toEqual([]);
  });

  it('http.coop.invalid: unknown, upper-case or repeated values', () => {
    for (const v of ['Same-Origin', 'same-origin, same-origin', 'same_origin', '"same-origin"']) {
      expect(one(checkCrossOriginPolicies({ 'cross-origin-opener-policy': v }, PAGE), 'http.coop.invalid').evidence, v).toMatchObject({ header: v });
    }
    for (const v of ['same-origin', 'unsafe-none', 'noopener-allow-popups']) expect(checkCrossOriginPolicies({ 'cross-origin-opener-policy': v }, PAGE)).toEqual([]);
  });

  it('http.coep.invalid', () => {
    const h = { 'cross-origin-opener-policy': 'same-origin' };
    expect(one(checkCrossOriginPolicies({ ...h, 'cross-origin-embedder-policy': 'require_corp' }, PAGE), 'http.coep.invalid')).toMatchObject({ severity: 'info', evidence: { header: 'require_corp' } });
    for (const v of ['require-corp', 'credentialless', 'unsafe-none', 'require-corp; report-to="e"']) expect(checkCrossOriginPolicies({ ...h, 'cross-origin-embedder-policy': v }, PAGE)).toEqual([]);
  });

  it('http.corp.invalid', () => {
    const h = { 'cross-origin-opener-policy': 'same-origin' };
    expect(one(checkCrossOriginPolicies({ ...h, 'cross-origin-resource-policy': 'same-origin, same-origin' }, PAGE), 'http.corp.invalid').evidence).toMatchObject({ header: 'same-origin, same-origin' });
    expect(ids(checkCrossOriginPolicies({ ...h, 'cross-origin-resource-policy': 'Same-Site' }, PAGE))).toEqual(['http.corp.invalid']);
    for (const v of ['same-origin', 'same-site', 'cross-origin']) expect(checkCrossOriginPolicies({ ...h, 'cross-origin-resource-policy': v }, PAGE)).toEqual([]);
  });
});

describe('X-XSS-Protection and Expect-CT', () => {
  it('http.xxss.enabled for 1 and 1; mode=block', () => {
    for (const v of ['1; mode=block', '1', '1;report=https://r.example/x', ' 1 ; mode=block ']) {
      expect(one(checkXXssProtection({ 'x-xss-protection': v }, PAGE), 'http.xxss.enabled'), v).toMatchObject({ severity: 'low', evidence: { header: v } });
    }
    expect(checkXXssProtection({ 'x-xss-protection': '0' }, PAGE)).toEqual([]);
    expect(checkXXssProtection({}, PAGE)).toEqual([]);
  });

  it('http.xxss.invalid', () => {
    for (const v of ['yes', '1; mode=allow', '2', 'mode=block']) {
      expect(one(checkXXssProtection({ 'x-xss-protection': v }, PAGE), 'http.xxss.invalid'), v).toMatchObject({ severity: 'info', evidence: { header: v } });
    }
    expect(checkXXssProtection({ 'x-xss-protection': '0; mode=block' }, PAGE)).toEqual([]);
  });

  it('http.expect-ct.deprecated', () => {
    expect(one(checkExpectCt({ 'expect-ct': 'max-age=86400, enforce' }, PAGE), 'http.expect-ct.deprecated')).toMatchObject({ severity: 'info', evidence: { header: 'max-age=86400, enforce' } });
    expect(checkExpectCt({}, PAGE)).toEqual([]);
  });
});

describe('CORS', () => {
  const ORIGIN = 'https://evil-secgrade-test.example';
  const cors = (h: Record<string, string>) => checkCors({ headers: h, url: PAGE }, ORIGIN);

  it('http.cors.reflected-origin: high with credentials, medium without', () => {
    const f = one(cors({ 'access-control-allow-origin': ORIGIN, 'access-control-allow-credentials': 'true' }), 'http.cors.reflected-origin');
    expect(f).toMatchObject({ severity: 'high', evidence: { url: PAGE, requestOrigin: ORIGIN, allowOrigin: ORIGIN, allowCredentials: true } });
    expect(one(cors({ 'access-control-allow-origin': ORIGIN }), 'http.cors.reflected-origin')).toMatchObject({ severity: 'medium', evidence: { allowCredentials: false } });
    expect(cors({ 'access-control-allow-origin': 'https://www.example.com', 'access-control-allow-credentials': 'true' })).toEqual([]);
    expect(cors({})).toEqual([]);
  });

  it('http.cors.null-origin', () => {
    expect(one(cors({ 'access-control-allow-origin': 'null' }), 'http.cors.null-origin')).toMatchObject({ severity: 'medium', evidence: { allowOrigin: 'null' } });
    expect(one(cors({ 'access-control-allow-origin': 'null', 'access-control-allow-credentials': 'true' }), 'http.cors.null-origin').severity).toBe('high');
  });

  it('http.cors.wildcard-credentials and http.cors.wildcard', () => {
    expect(one(cors({ 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'TRUE' }), 'http.cors.wildcard-credentials')).toMatchObject({ severity: 'low', evidence: { allowOrigin: '*', allowCredentials: true } });
    expect(ids(cors({ 'access-control-allow-origin': '*' }))).toEqual(['http.cors.wildcard']);
    expect(one(cors({ 'access-control-allow-origin': ' * ' }), 'http.cors.wildcard').severity).toBe('info');
    expect(ids(cors({ 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'false' }))).toEqual(['http.cors.wildcard']);
  });
});

describe('version disclosure', () => {
  it('http.disclosure.version for versions, nothing for bare product names', () => {
    const f = one(
      checkVersionDisclosure({ server: 'nginx/1.18.0 (Ubuntu)', 'x-powered-by': 'PHP/7.4.3', 'x-aspnet-version': '4.0.30319', 'x-aspnetmvc-version': '5.2' }, PAGE),
      'http.disclosure.version',
    );
    expect(f.severity).toBe('low');
    expect(f.evidence['headers']).toEqual([
      { header: 'server', value: 'nginx/1.18.0 (Ubuntu)' },
      { header: 'x-powered-by', value: 'PHP/7.4.3' },
      { header: 'x-aspnet-version', value: '4.0.30319' },
      { header: 'x-aspnetmvc-version', value: '5.2' },
    ]);
    for (const v of ['Microsoft-IIS/10.0', 'Apache/2', 'openresty/1.21.4.1', 'Jetty(9.4.z-SNAPSHOT)']) expect(ids(checkVersionDisclosure({ server: v }, PAGE)), v).toEqual(['http.disclosure.version']);
    for (const v of ['nginx', 'cloudflare', 'Apache', 'ECS (nyb/1D2E)', 'AmazonS3', 'gws']) expect(checkVersionDisclosure({ server: v, 'x-powered-by': 'Express' }, PAGE), v).toEqual([]);
  });
});

describe('HSTS over plain HTTP', () => {
  it('http.hsts.over-http', () => {
    const f = one(checkHstsOverHttp({ 'strict-transport-security': 'max-age=31536000' }, 'http://www.example.com/'), 'http.hsts.over-http');
    expect(f).toMatchObject({ severity: 'info', evidence: { url: 'http://www.example.com/', header: 'max-age=31536000' } });
    expect(checkHstsOverHttp({ location: 'https://www.example.com/' }, 'http://www.example.com/')).toEqual([]);
  });
});

describe('Subresource Integrity', () => {
  const sha384 = `sha384-${createHash('sha384').update('x').digest('base64')}`;

  it('validates integrity metadata', () => {
    expect(validIntegrity(sha384)).toBe(true);
    expect(validIntegrity(`md5-abc ${sha384}`)).toBe(true);
    expect(validIntegrity(`${sha384}?opt`)).toBe(true);
    expect(validIntegrity(`sha256-${createHash('sha256').update('x').digest('base64url')}`)).toBe(true);
    for (const bad of ['sha1-abc', 'sha384-tooshort', 'sha384', `SHA384-${sha384.slice(7)}`, '']) expect(validIntegrity(bad), bad).toBe(false);
  });

  it('http.sri.missing lists up to 10 external scripts', () => {
    const externals = Array.from({ length: 12 }, (_, i) => `<script src="https://cdn${i}.example.net/lib.js"></script>`).join('');
    const html = `<script src="/local.js"></script><script src="https://www.example.com/abs.js"></script><script>inline()</script>${externals}<script src="https://cdn.jsdelivr.net/x.js" integrity="${sha384}" crossorigin="anonymous"></script><script src="data:text/javascript,1"></script>`;
    const f = one(checkSri(scanHtml(html), PAGE), 'http.sri.missing');
    expect(f).toMatchObject({ severity: 'medium', evidence: { url: PAGE, scope: 'origin', count: 12 } });
    expect(f.evidence['scripts']).toHaveLength(10);
    expect((f.evidence['scripts'] as string[])[0]).toBe('https://cdn0.example.net/lib.js');
    expect(f.detail).toContain('and 2 more');
    expect(checkSri(scanHtml('<script src="/a.js"></script><script src="app.js"></script><script>x</script>'), PAGE)).toEqual([]);
  });

  it('treats protocol-relative and <base>-relative scripts by their resolved origin; scope "site" spares same-site hosts', () => {
    expect(ids(checkSri(scanHtml('<script src="//cdn.other.net/a.js"></script>'), PAGE))).toEqual(['http.sri.missing']);
    expect(ids(checkSri(scanHtml('<base href="https://static.example.com/"><script src="a.js"></script>'), PAGE))).toEqual(['http.sri.missing']);
    expect(checkSri(scanHtml('<script src="https://static.example.com/a.js"></script>'), PAGE, { scope: 'site' })).toEqual([]);
    expect(ids(checkSri(scanHtml('<script src="https://static.example.org/a.js"></script>'), PAGE, { scope: 'site' }))).toEqual(['http.sri.missing']);
  });

  it('leaves http:// scripts on https pages to the mixed-content check', () => {
    expect(checkSri(scanHtml('<script src="http://cdn.other.net/a.js"></script>'), PAGE)).toEqual([]);
    expect(ids(checkSri(scanHtml('<script src="http://cdn.other.net/a.js"></script>'), 'http://www.example.com/'))).toEqual(['http.sri.missing']);
  });

  it('http.sri.invalid for integrity without a valid digest (same-origin scripts too)', () => {
    const f = one(checkSri(scanHtml('<script src="/a.js" integrity="sha1-abcdef"></script>'), PAGE), 'http.sri.invalid');
    expect(f).toMatchObject({ severity: 'low', evidence: { count: 1, scripts: [{ src: 'https://www.example.com/a.js', integrity: 'sha1-abcdef' }] } });
    expect(checkSri(scanHtml(`<script src="/a.js" integrity="${sha384}"></script>`), PAGE)).toEqual([]);
  });
});

describe('<noscript> as a browser with scripts on reads it (raw text): nothing in it counts', () => {
  it('a <meta name=referrer> there neither sets nor overrides the policy', () => {
    expect(ids(checkReferrerPolicy({}, PAGE, scanHtml('<head><noscript><meta name=referrer content=no-referrer></noscript></head>')))).toEqual(['http.referrer-policy.missing']);
    const unsafe = '<head><meta name=referrer content=unsafe-url><noscript><meta name=referrer content=no-referrer></noscript></head>';
    expect(one(checkReferrerPolicy({}, PAGE, scanHtml(unsafe)), 'http.referrer-policy.unsafe').evidence).toMatchObject({ meta: 'unsafe-url' });
  });

  it('a <script> there never runs (no SRI finding), a <base> there is not the document base', () => {
    expect(checkSri(scanHtml('<body><noscript><script src="https://cdn.other.net/n.js"></script></noscript></body>'), PAGE)).toEqual([]);
    const f = one(checkMixedContent(scanHtml('<head><noscript><base href="https://static.example.com/"></noscript><base href="http://static.example.com/"></head><script src="app.js"></script>'), PAGE), 'http.mixed-content.active');
    expect(f.evidence).toMatchObject({ count: 1 });
    expect(JSON.stringify(f.evidence)).toContain('http://static.example.com/app.js');
  });
});

describe('mixed content', () => {
  it('http.mixed-content.active for scripts, frames, objects, embeds, stylesheets and form actions', () => {
    const html = `<script src="http://a.example/s.js"></script><iframe src="http://a.example/f"></iframe><object data="http://a.example/o"></object><embed src="http://a.example/e"><link rel="preload stylesheet" href="http://a.example/c.css"><form action="http://a.example/login"></form>`;
    const f = one(checkMixedContent(scanHtml(html), PAGE), 'http.mixed-content.active');
    expect(f).toMatchObject({ severity: 'high', evidence: { url: PAGE, kind: 'active', count: 6 } });
    expect((f.evidence['resources'] as Array<{ tag: string }>).map((r) => r.tag)).toEqual(['script', 'iframe', 'object', 'embed', 'link', 'form']);
    expect(ids(checkMixedContent(scanHtml(html), PAGE))).toEqual(['http.mixed-content.active']);
  });

  it('http.mixed-content.passive for images and media', () => {
    const html = `<img src="HTTP://a.example/i.png"><audio src="http://a.example/a.mp3"></audio><video poster="http://a.example/p.jpg"><source src="http://a.example/v.mp4"><track src="http://a.example/t.vtt"></video>`;
    const f = one(checkMixedContent(scanHtml(html), PAGE), 'http.mixed-content.passive');
    expect(f).toMatchObject({ severity: 'low', evidence: { kind: 'passive', count: 5 } });
    expect((f.evidence['resources'] as Array<{ url: string }>)[0]?.url).toBe('http://a.example/i.png');
  });

  it('no finding for https, protocol-relative, relative, non-stylesheet links, or an http page', () => {
    const ok = `<script src="//cdn.example.net/a.js"></script><script src="/b.js"></script><img src="https://x/i.png"><link rel=canonical href="http://www.example.com/"><a href="http://x/">x</a><img src="data:image/png;base64,AA">`;
    expect(checkMixedContent(scanHtml(ok), PAGE)).toEqual([]);
    expect(checkMixedContent(scanHtml('<script src="http://a.example/s.js"></script>'), 'http://www.example.com/')).toEqual([]);
  });

  it('resolves relative URLs against an http:// <base href>', () => {
    const f = one(checkMixedContent(scanHtml('<base href="http://static.example.com/"><script src="app.js"></script><img src="/i.png">'), PAGE), 'http.mixed-content.active');
    expect(f.evidence['resources']).toEqual([{ tag: 'script', url: 'http://static.example.com/app.js' }]);
  });
});

describe('securityHeadersStates', () => {
  it('counts every graded header valid on a good response', () => {
    const states = securityHeadersStates(GOOD, { cspValid: true, frameAncestors: ["'self'"] });
    expect(states).toEqual({
      'Strict-Transport-Security': 'valid',
      'Content-Security-Policy': 'valid',
      'X-Frame-Options': 'valid',
      'X-Content-Type-Options': 'valid',
      'Referrer-Policy': 'valid',
      'Permissions-Policy': 'valid',
    });
    expect(securityHeadersGrade({ headers: states, warnings: [] }).grade).toBe('A+');
  });

  it('counts X-Frame-Options valid when CSP frame-ancestors is set, and invalid values as invalid', () => {
    expect(securityHeadersStates({}, { cspValid: null, frameAncestors: ["'none'"] })['X-Frame-Options']).toBe('valid');
    expect(securityHeadersStates({}, { cspValid: null, frameAncestors: null })).toEqual({
      'Strict-Transport-Security': 'missing',
      'Content-Security-Policy': 'missing',
      'X-Frame-Options': 'missing',
      'X-Content-Type-Options': 'missing',
      'Referrer-Policy': 'missing',
      'Permissions-Policy': 'missing',
    });
    const bad = {
      'strict-transport-security': 'includeSubDomains',
      'content-security-policy': 'nonsense',
      'x-frame-options': 'ALLOW-FROM https://a.example',
      'x-content-type-options': 'sniff',
      'referrer-policy': 'bogus',
      'permissions-policy': "camera 'none'",
    };
    const states = securityHeadersStates(bad, { cspValid: false, frameAncestors: null });
    expect(Object.values(states)).toEqual(Array(6).fill('invalid'));
    expect(securityHeadersStates({ 'feature-policy': "camera 'none'" }, { cspValid: null, frameAncestors: null })['Permissions-Policy']).toBe('missing');
    expect(securityHeadersStates({ 'content-security-policy': "default-src 'self'" }, { cspValid: null, frameAncestors: null })['Content-Security-Policy']).toBe('valid');
  });
});

describe('bounded on hostile headers', () => {
  it('handles megabyte header values in bounded time and clips evidence', async () => {
    const huge = 'x'.repeat(2_000_000);
    const headers = (v: string) => ({ 'referrer-policy': v, 'x-content-type-options': v, 'x-frame-options': v, 'permissions-policy': v, 'cross-origin-opener-policy': v, 'x-xss-protection': v, server: `${v}/1.0` });
    const fs = checkResponseHeaders({
      headers: headers(huge),
      pageUrl: PAGE,
      frameAncestors: null,
      scan: scanHtml(`<script src="https://cdn.example.net/${huge}"></script>`),
    });
    // Values are read up to MAX_HEADER_CHARS: 8× longer values (250 KB → 2 MB) cost about the same,
    // well under 8× (linear) let alone 64× (quadratic). No absolute time is asserted.
    const page = scanHtml('<script src="https://cdn.example.net/a.js"></script>');
    const check = (v: string) => {
      const h = headers(v);
      return () => checkResponseHeaders({ headers: h, pageUrl: PAGE, frameAncestors: null, scan: page });
    };
    await expectGrowthBelow('header values 250 KB → 2 MB', 8, check(huge.slice(0, 250_000)), check(huge));
    expect(ids(fs)).toEqual(['http.coop.invalid', 'http.permissions-policy.invalid', 'http.referrer-policy.invalid', 'http.sri.missing', 'http.xcto.invalid', 'http.xfo.invalid', 'http.xxss.invalid']);
    for (const f of fs) expect(JSON.stringify(f).length, f.id).toBeLessThan(8000);
  });
});
