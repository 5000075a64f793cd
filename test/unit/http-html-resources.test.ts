import { describe, expect, it } from 'vitest';
import {
  baseHref, MAX_ATTRS_PER_TAG, MAX_HTML_BYTES, MAX_HTML_DEPTH, MAX_HTML_NODES, overlongTagAt, scanHtml, scriptElements,
} from '../../src/http/html-resources.js';

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

  describe('hostile input finishes fast', () => {
    const fast = (html: string) => {
      const t = performance.now();
      const scan = scanHtml(html);
      return { scan, ms: performance.now() - t };
    };

    it('100k `<` characters', () => {
      const { scan, ms } = fast('<'.repeat(100_000) + '<img src=x>');
      expect(scan.elements.map((e) => e.url)).toEqual(['x']);
      expect(ms).toBeLessThan(500);
    });

    it('100k `<a` fragments, `</` pairs, `<!--` openers and `--` runs', () => {
      for (const html of ['<a'.repeat(100_000), '</'.repeat(100_000), '<!--'.repeat(100_000), '<!--' + '-'.repeat(1_000_000), '<script>' + '</'.repeat(500_000), '<img ' + 'a '.repeat(500_000) + '>']) {
        const { ms } = fast(html);
        expect(ms).toBeLessThan(1000);
      }
    });

    it('a 2 MB attribute value', () => {
      const big = 'A'.repeat(2_000_000);
      const { scan, ms } = fast(`<img src="${big}"><script src=y></script>`);
      expect(scan.elements[0]?.url?.length).toBe(2_000_000);
      expect(scan.elements[1]?.url).toBe('y');
      expect(ms).toBeLessThan(1000);
      const entities = fast(`<img src="${'&#1'.repeat(600_000)}">`);
      expect(entities.ms).toBeLessThan(1000);
    });

    it('an unterminated comment, and input over MAX_HTML_BYTES', () => {
      expect(fast('<img src=a><!--' + '<img src=b>'.repeat(100_000)).scan.elements.map((e) => e.url)).toEqual(['a']);
      const over = fast('<img src=a>' + ' '.repeat(MAX_HTML_BYTES) + '<img src=b>');
      expect(over.scan).toMatchObject({ truncated: true, elements: [{ url: 'a' }] });
      expect(MAX_HTML_BYTES).toBe(2 * 1024 * 1024);
    });
  });
});

describe('scanHtml reads the tree the HTML parser builds (parse5, as jsdom)', () => {
  const seen = (html: string, mode?: 'document' | 'template-fragment') =>
    scanHtml(html, mode ? { mode } : {}).elements.map((e) => `${e.ns}:${e.tag}${e.url ? ` ${e.url}` : ''}${e.inHead ? ' (head)' : ''}`);

  it('<template> content is not in the document', () => {
    expect(seen('<head><template><meta name=referrer content=origin><script src=/t.js></script></template></head><body><template><img src=/i.png></template><img src=/ok.png>')).toEqual(['html:img /ok.png']);
  });

  it('<noscript> is markup with scripting disabled (a document, as jsdom), text in the template-fragment mode (JSDOM.fragment)', () => {
    const html = '<head><noscript><link rel=stylesheet href=/n.css></noscript></head><body><noscript><img src=/n.png></noscript></body>';
    expect(seen(html)).toEqual(['html:link /n.css', 'html:img /n.png']);
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
    it('a tag with too many attributes ends the input before it (parse5 checks duplicates quadratically)', () => {
      const many = `<img ${Array.from({ length: MAX_ATTRS_PER_TAG + 1 }, (_, i) => `a${i}=1`).join(' ')}>`;
      expect(overlongTagAt(`<p>${many}`)).toBe(3);
      expect(overlongTagAt(`<img ${'a=1 '.repeat(MAX_ATTRS_PER_TAG)}>`)).toBe(-1);
      expect(overlongTagAt('<img title="a b c d e f g h" src=x>', 3)).toBe(-1); // values are not names
      expect(overlongTagAt('<img a = 1 b =2 c= "3">', 3)).toBe(-1);
      expect(overlongTagAt('<img =a/=b/=c/=d>', 3)).toBe(0); // a leading "=" is part of a name
      expect(overlongTagAt('<img =a =b =c =d>', 3)).toBe(-1); // names "=a" and "=c", with values
      expect(overlongTagAt('<img a/b/c/d>', 3)).toBe(0);
      const t = performance.now();
      const big = scanHtml(`<img src=a>${`<img ${Array.from({ length: 200_000 }, (_, i) => `a${i}`).join(' ')}>`}<img src=b>`);
      expect(performance.now() - t).toBeLessThan(2000);
      expect(big).toMatchObject({ truncated: true, elements: [{ url: 'a' }] });
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
      it(`hostile markup finishes in bounded time: ${name}`, () => {
        const t = performance.now();
        scanHtml(html);
        expect(performance.now() - t).toBeLessThan(5000);
      });
    }
  });

  it('the same page is parsed once per mode (a memo of a pure function)', () => {
    const html = `<script src=/m.js></script>${' '.repeat(10)}`;
    expect(scanHtml(html)).toBe(scanHtml(`${html}`));
    expect(scanHtml(html, { mode: 'template-fragment' })).not.toBe(scanHtml(html));
  });
});
