import { describe, expect, it } from 'vitest';
import { baseHref, decodeEntities, MAX_HTML_BYTES, scanHtml, scriptElements } from '../../src/http/html-resources.js';

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
    expect(scanHtml('<SCRIPT Src="a.js" SRC="b.js"></script>').elements[0]).toEqual({ tag: 'script', attrs: { src: 'a.js' }, url: 'a.js', index: 0 });
  });

  it('decodes the entities that matter in URLs', () => {
    expect(scanHtml('<a><img src="/x?a=1&amp;b=&#50;&#x33;&quot;&#39;&lt;&gt;&apos;&nbsp;&#0;&#x110000;"></a>').elements[0]?.url).toBe(`/x?a=1&b=23"'<>'&nbsp;\ufffd\ufffd`);
    expect(decodeEntities('http&#x3a;//x')).toBe('http://x');
    expect(decodeEntities('&#99999999999;')).toBe('&#99999999999;'); // more than 8 digits: left alone
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
