import { describe, expect, it } from 'vitest';
import {
  baseHref, DEFAULT_MAX_ELEMENTS, MAX_ATTRS_PER_TAG, MAX_HTML_BYTES, MAX_HTML_DEPTH, MAX_HTML_NODES, overlongTagAt, scanHtml, scriptElements, type HtmlParseMode,
} from '../../src/http/html-resources.js';
import { expectGrowthBelow } from '../helpers/growth.js';

const tags = (html: string) => scanHtml(html).elements.map((e) => e.tag);
const urls = (html: string) => scanHtml(html).elements.map((e) => e.url);

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name=viewport content="width=device-width, initial-scale=1">
  <title>Shop &lt;script src=/nope.js&gt; </title>
  <base href="https://cdn.example.com/assets/">
  <link rel="stylesheet" href="/css/site.css?v=1&amp;x=2">
  <link rel=preload as=font href='fonts/a.woff2' crossorigin>
  <!-- <script src="https://commented.example/x.js"></script> -->
  <SCRIPT SRC="https://code.jquery.com/jquery-3.7.1.min.js" integrity="sha256-/JqT3SQfawRcv/BIHPThkBvs0OEvtFFmqPF/lYI/Cxo=" crossorigin="anonymous"></SCRIPT>
  <script>
    if (a < b && "</scr" + "ipt>") document.write('<script src="http://inline.example/x.js"><\\/script>');
  </script>
  <style>body::before { content: "<img src=http://style.example/x.png>"; }</style>
</head>
<body>
  <img src="/logo.png" alt="logo" srcset="/logo@2x.png 2x"/>
  <iframe src="https://www.youtube.com/embed/xyz" allowfullscreen><img src="http://inside-iframe.example/x"></iframe>
  <video controls poster=/p.jpg><source src=/v.mp4 type=video/mp4><track kind=captions src=/v.vtt></video>
  <audio src="/a.mp3"></audio>
  <object data="/movie.swf" type="application/x-shockwave-flash"><embed src="/movie.swf"></object>
  <form action="http://login.example.com/post" method=post><textarea><script src=/in-textarea.js></script></textarea></form>
  <p>1 < 2 and 3 > 2</p>
  <script src=/js/app.js defer></script>
</body>
</html>`;

describe('scanHtml', () => {
  it('finds the resource elements of a real-looking page, in order, with their URLs', () => {
    const scan = scanHtml(PAGE);
    expect(scan.truncated).toBe(false);
    expect(scan.elements.map((e) => e.tag)).toEqual([
      'meta', 'meta', 'base', 'link', 'link', 'script', 'script', 'img', 'iframe', 'video', 'source', 'track', 'audio', 'object', 'embed', 'form', 'script',
    ]);
    expect(scan.elements.map((e) => e.index)).toEqual(scan.elements.map((_, i) => i));
    expect(scan.elements.map((e) => e.url)).toEqual([
      null, null, 'https://cdn.example.com/assets/', '/css/site.css?v=1&x=2', 'fonts/a.woff2',
      'https://code.jquery.com/jquery-3.7.1.min.js', null, '/logo.png', 'https://www.youtube.com/embed/xyz', null, '/v.mp4', '/v.vtt',
      '/a.mp3', '/movie.swf', '/movie.swf', 'http://login.example.com/post', '/js/app.js',
    ]);
    const jq = scan.elements[5];
    expect(jq?.attrs).toEqual({
      src: 'https://code.jquery.com/jquery-3.7.1.min.js',
      integrity: 'sha256-/JqT3SQfawRcv/BIHPThkBvs0OEvtFFmqPF/lYI/Cxo=',
      crossorigin: 'anonymous',
    });
    expect(scan.elements[4]?.attrs).toEqual({ rel: 'preload', as: 'font', href: 'fonts/a.woff2', crossorigin: '' });
    expect(scan.elements[1]?.attrs['content']).toBe('width=device-width, initial-scale=1');
    expect(scan.elements[7]?.attrs['srcset']).toBe('/logo@2x.png 2x');
    expect(scan.elements[16]?.attrs).toEqual({ src: '/js/app.js', defer: '' });
    expect(baseHref(scan)).toBe('https://cdn.example.com/assets/');
    // Nothing from comments, <title>, <script>, <style>, <iframe> or <textarea> content.
    const all = JSON.stringify(scan.elements);
    for (const hidden of ['commented.example', 'nope.js', 'inline.example', 'style.example', 'inside-iframe', 'in-textarea']) expect(all).not.toContain(hidden);
  });

  it('scriptElements returns every <script>, with or without src', () => {
    const s = scriptElements(scanHtml(PAGE));
    expect(s.map((e) => e.url)).toEqual(['https://code.jquery.com/jquery-3.7.1.min.js', null, '/js/app.js']);
  });

  it('reads quoted, unquoted, empty and boolean attributes, and self-closing tags', () => {
    const [a, b, c] = scanHtml(`<img src='a b.png' alt="x'y"/><img src=c.png/><script async src = "d.js" type=module></script>`).elements;
    expect(a?.attrs).toEqual({ src: 'a b.png', alt: "x'y" });
    expect(b?.url).toBe('c.png/'); // an unquoted value runs to whitespace or `>`, as in browsers
    expect(c?.attrs).toEqual({ async: '', src: 'd.js', type: 'module' });
    expect(scanHtml('<img src="">').elements[0]?.url).toBe('');
    expect(scanHtml('<img src=>').elements[0]?.url).toBe('');
    expect(scanHtml('<img src>').elements[0]?.url).toBe('');
  });

  it('keeps the first of duplicate attributes and lower-cases names', () => {
    expect(scanHtml('<SCRIPT Src="a.js" SRC="b.js"></script>').elements[0]).toEqual({ tag: 'script', ns: 'html', attrs: { src: 'a.js' }, url: 'a.js', inHead: true, index: 0 });
  });

  it('decodes character references as the HTML Standard does', () => {
    expect(scanHtml('<a><img src="/x?a=1&amp;b=&#50;&#x33;&quot;&#39;&lt;&gt;&apos;&nbsp;&#0;&#x110000;"></a>').elements[0]?.url).toBe(`/x?a=1&b=23"'<>'\u00a0\ufffd\ufffd`);
    expect(scanHtml('<img src="http&#x3a;//x&colon;y">').elements[0]?.url).toBe('http://x:y');
    // In an attribute, a named reference without ";" followed by "=" or an alphanumeric is left alone.
    expect(scanHtml('<img src="/a?b=1&copy=2&copy;">').elements[0]?.url).toBe('/a?b=1&copy=2\u00a9');
    expect(scanHtml('<img src="&#99999999999;">').elements[0]?.url).toBe('\ufffd');
  });

  it('skips comments, doctype, CDATA, processing instructions and end tags', () => {
    expect(tags('<!doctype html><!----><!--><img src=a><!---><img src=b><!-- x -- y --!><img src=c>')).toEqual(['img', 'img', 'img']);
    expect(urls('<![CDATA[ x ]]><img src=a><?xml version="1.0"?><img src=b></img ></ x><img src=c></><img src=d>')).toEqual(['a', 'b', 'c', 'd']);
    expect(urls('<!-- <img src=hidden> --><img src=seen>')).toEqual(['seen']);
  });

  it('ends raw text only at the matching end tag, case-insensitively', () => {
    expect(urls('<script>x = "</scriptx>"; y = "<img src=no>"</SCRIPT ><img src=yes>')).toEqual([null, 'yes']);
    expect(urls('<title>a</title<img src=no></TITLE><img src=yes>')).toEqual(['yes']);
    expect(urls('<style>a</style/><img src=yes>')).toEqual(['yes']);
    expect(urls('<textarea><img src=no>')).toEqual([]); // never closed: the rest is text
    expect(urls('<plaintext><img src=no></plaintext><img src=no>')).toEqual([]);
  });

  it('treats a stray < as text and ignores tags that are not resource loaders', () => {
    expect(urls('a < b <3 <<img src=a> <div data-x="<img src=no>"><constructor src=x><__proto__ src=y><img src=b>')).toEqual(['a', 'b']);
  });

  it('stops cleanly on input that ends inside a tag, a quote, a comment or a declaration', () => {
    for (const tail of ['<img src="x', "<img src='x", '<img src=x', '<img src=', '<img', '<!-- x', '<!doctype', '</img', '</', '<', '<?x']) {
      const scan = scanHtml(`<img src=first>${tail}`);
      expect(scan.elements.map((e) => e.url), tail).toEqual(['first']);
      expect(scan.truncated).toBe(false);
    }
    // A complete start tag is an element even when its raw text never ends (browsers create it).
    expect(urls('<script src=a.js>x = 1; <img src=no>')).toEqual(['a.js']);
  });

  it('stops at maxElements and reports truncation', () => {
    const html = '<img src=x>'.repeat(20);
    expect(scanHtml(html, { maxElements: 5 })).toMatchObject({ truncated: true, elements: { length: 5 } });
    expect(scanHtml(html, { maxElements: 20 }).truncated).toBe(false);
    expect(scanHtml('<img src=x>'.repeat(6000)).elements).toHaveLength(5000);
  });

  describe('hostile input costs linear time', () => {
    // No absolute time is asserted: the cost of an input is compared with that of one 8× larger
    // (linear ~8×, quadratic 64×; bound 30), measured as test/helpers/growth.ts does. The sizes
    // are 1/64 and 1/8 of the megabyte inputs each case also parses whole once.
    let k = 0;
    /** scanHtml of `html`, past its memo of recent pages (a new maxElements each call). */
    const scan = (html: string) => () => scanHtml(html, { maxElements: DEFAULT_MAX_ELEMENTS + ++k });
    const linear = (what: string, make: (n: number) => string, n: number) =>
      expectGrowthBelow(what, 30, scan(make(n / 64)), scan(make(n / 8)));

    it('100k `<` characters', async () => {
      const make = (n: number) => '<'.repeat(n) + '<img src=x>';
      expect(scanHtml(make(100_000)).elements.map((e) => e.url)).toEqual(['x']);
      await linear('`<` run', make, 100_000);
    });

    it('100k `<a` fragments, `</` pairs, `<!--` openers and `--` runs', async () => {
      const cases: Array<[string, (n: number) => string, number]> = [
        ['`<a` fragments', (n) => '<a'.repeat(n), 100_000],
        ['`</` pairs', (n) => '</'.repeat(n), 100_000],
        ['`<!--` openers', (n) => '<!--'.repeat(n), 100_000],
        ['`--` run', (n) => '<!--' + '-'.repeat(n), 1_000_000],
        ['`</` in a script', (n) => '<script>' + '</'.repeat(n), 500_000],
        ['attribute names', (n) => '<img ' + 'a '.repeat(n) + '>', 500_000],
      ];
      for (const [what, make, n] of cases) {
        expect(scanHtml(make(n)).elements.length, what).toBeLessThanOrEqual(1);
        await linear(what, make, n);
      }
    }, 60_000);

    it('a 2 MB attribute value', async () => {
      const attr = (n: number) => `<img src="${'A'.repeat(n)}"><script src=y></script>`;
      const scan2m = scanHtml(attr(2_000_000));
      expect(scan2m.elements[0]?.url?.length).toBe(2_000_000);
      expect(scan2m.elements[1]?.url).toBe('y');
      await linear('attribute value', attr, 2_000_000);
      const entities = (n: number) => `<img src="${'&#1'.repeat(n)}">`;
      expect(scanHtml(entities(600_000)).elements[0]?.url).toBe('\u0001'.repeat(600_000));
      await linear('character references', entities, 600_000);
    }, 60_000);

    it('an unterminated comment, and input over MAX_HTML_BYTES', () => {
      expect(scanHtml('<img src=a><!--' + '<img src=b>'.repeat(100_000)).elements.map((e) => e.url)).toEqual(['a']);
      const over = scanHtml('<img src=a>' + ' '.repeat(MAX_HTML_BYTES) + '<img src=b>');
      expect(over).toMatchObject({ truncated: true, elements: [{ url: 'a' }] });
      expect(MAX_HTML_BYTES).toBe(2 * 1024 * 1024);
    });
  });
});

describe('scanHtml reads the tree the HTML parser builds (parse5, as jsdom)', () => {
  const seen = (html: string, mode?: HtmlParseMode) =>
    scanHtml(html, mode ? { mode } : {}).elements.map((e) => `${e.ns}:${e.tag}${e.url ? ` ${e.url}` : ''}${e.inHead ? ' (head)' : ''}`);

  it('<template> content is not in the document', () => {
    expect(seen('<head><template><meta name=referrer content=origin><script src=/t.js></script></template></head><body><template><img src=/i.png></template><img src=/ok.png>')).toEqual(['html:img /ok.png']);
  });

  it('<noscript> is text as a browser (scripting on) and JSDOM.fragment read it, markup in a document as jsdom builds it (scripting off)', () => {
    const html = '<head><noscript><link rel=stylesheet href=/n.css></noscript></head><body><noscript><img src=/n.png></noscript></body>';
    expect(seen(html)).toEqual([]);
    expect(seen(html, 'browser')).toEqual([]);
    expect(seen(html, 'document')).toEqual(['html:link /n.css', 'html:img /n.png']);
    expect(seen(html, 'template-fragment')).toEqual([]);
  });

  it('<svg> and <math> content is foreign: listed with its namespace and no URL; <foreignObject> is HTML again', () => {
    expect(seen('<svg><script href=/a.js></script><foreignObject><script src=/b.js></script></foreignObject></svg><math><script src=/c.js></script></math>')).toEqual([
      'svg:script', 'html:script /b.js', 'mathml:script',
    ]);
    expect(scriptElements(scanHtml('<svg><script src=/a.js></script></svg><script src=/b.js></script>')).map((e) => e.url)).toEqual(['/b.js']);
    // <meta> breaks out of foreign content.
    expect(seen('<svg><meta name=referrer content=origin></svg>')).toEqual(['html:meta']);
  });

  it('knows where the head ends', () => {
    expect(seen('<meta charset=utf-8><title>t</title><meta name=a><p>x</p><meta name=b>')).toEqual(['html:meta (head)', 'html:meta (head)', 'html:meta']);
    expect(seen('<head></head>\n<meta name=c><body>')).toEqual(['html:meta (head)']);
    expect(seen('<meta name=a>', 'template-fragment')).toEqual(['html:meta']);
  });

  it('<base>: the first HTML one with an href', () => {
    expect(baseHref(scanHtml('<svg><base href="https://svg.example/"></base></svg><base target=x><base href="https://a.example/"><base href="https://b.example/">'))).toBe('https://a.example/');
    expect(baseHref(scanHtml('<template><base href="https://t.example/"></template>'))).toBeNull();
  });

  describe('bounded', () => {
    it('a tag with too many attributes ends the input before it (parse5 checks duplicates quadratically)', async () => {
      const many = `<img ${Array.from({ length: MAX_ATTRS_PER_TAG + 1 }, (_, i) => `a${i}=1`).join(' ')}>`;
      expect(overlongTagAt(`<p>${many}`)).toBe(3);
      expect(overlongTagAt(`<img ${'a=1 '.repeat(MAX_ATTRS_PER_TAG)}>`)).toBe(-1);
      expect(overlongTagAt('<img title="a b c d e f g h" src=x>', 3)).toBe(-1); // values are not names
      expect(overlongTagAt('<img a = 1 b =2 c= "3">', 3)).toBe(-1);
      expect(overlongTagAt('<img =a/=b/=c/=d>', 3)).toBe(0); // a leading "=" is part of a name
      expect(overlongTagAt('<img =a =b =c =d>', 3)).toBe(-1); // names "=a" and "=c", with values
      expect(overlongTagAt('<img a/b/c/d>', 3)).toBe(0);
      // The cap's effect: the input ends before the overlong tag, so parse5 never sees its 200,000
      // attributes (no time is asserted); and finding that tag costs no more for 8× the attributes
      // (the count stops at the cap) — far from the 64× of quadratic work.
      const overlong = (n: number) => `<img src=a>${`<img ${Array.from({ length: n }, (_, i) => `a${i}`).join(' ')}>`}<img src=b>`;
      const html = overlong(200_000);
      expect(overlongTagAt(html)).toBe('<img src=a>'.length);
      expect(scanHtml(html)).toMatchObject({ truncated: true, elements: [{ url: 'a' }] });
      const [small, large] = [overlong(25_000), overlong(200_000)];
      await expectGrowthBelow('overlongTagAt 25,000 → 200,000 attributes', 30, () => overlongTagAt(small), () => overlongTagAt(large));
    });

    it('nesting deeper than MAX_HTML_DEPTH stops the parse (what was read is kept)', () => {
      const deep = scanHtml(`<img src=a>${'<div>'.repeat(MAX_HTML_DEPTH + 10)}<img src=b>`);
      expect(deep).toMatchObject({ truncated: true, elements: [{ url: 'a' }] });
      const tpl = scanHtml(`<img src=a>${'<template>'.repeat(MAX_HTML_DEPTH)}`);
      expect(tpl.truncated).toBe(true);
      expect(scanHtml(`${'<div>'.repeat(500)}<img src=b>`).truncated).toBe(false);
    });

    it('more than MAX_HTML_NODES elements stops the parse', () => {
      expect(MAX_HTML_NODES).toBe(200_000);
      const s = scanHtml('<img src=x>'.repeat(MAX_HTML_NODES + 10), { maxElements: Number.MAX_SAFE_INTEGER });
      expect(s.truncated).toBe(true);
    });

    for (const [name, html] of [
      ['nested templates', '<template>'.repeat(200_000)],
      ['tables foster-parenting divs', '<table><div>'.repeat(170_000)],
      ['misnested formatting', '<b><i></b></i>'.repeat(140_000)],
      ['formatting elements re-opened across paragraphs', Array.from({ length: 100_000 }, (_, i) => `<p><b id=${i}></p>`).join('')],
    ] as const) {
      it(`hostile markup is stopped by the parse budget: ${name}`, () => {
        // The budget of nodes, depth and tree operations bounds the work whatever the input (no
        // time is asserted): its effect is that the parse stops and says so.
        expect(scanHtml(html).truncated).toBe(true);
      });
    }
  });

  it('the same page is parsed once per mode (a memo of a pure function)', () => {
    const html = `<script src=/m.js></script>${' '.repeat(10)}`;
    expect(scanHtml(html)).toBe(scanHtml(`${html}`));
    expect(scanHtml(html, { mode: 'template-fragment' })).not.toBe(scanHtml(html));
  });
});
