// The HTML report's colours: every text/background pair the stylesheet uses reaches WCAG 2.x AA
// (4.5:1) in the light and the dark theme, the formula itself checked against known ratios, and the
// stylesheet built from that palette (so what is tested is what is shipped), with dark, print and
// no page-wide sideways scroll built in.
import { describe, expect, it } from 'vitest';

import { CSS } from '../../src/render/html/css.js';
import { contrast, DARK, LIGHT, luminance, textPairs } from '../../src/render/html/palette.js';

describe('html palette', () => {
  it('computes WCAG contrast as the spec does', () => {
    expect(luminance('#ffffff')).toBeCloseTo(1, 6);
    expect(luminance('#000000')).toBe(0);
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 6);
    expect(contrast('#ffffff', '#000000')).toBeCloseTo(21, 6);
    // #767676 on white is the classic just-passing grey (4.54:1); #777777 just fails (4.48:1).
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(() => luminance('red')).toThrow();
  });

  for (const [name, theme] of [['light', LIGHT], ['dark', DARK]] as const) {
    it(`every text pair of the ${name} theme is at least 4.5:1`, () => {
      const pairs = textPairs(theme);
      expect(pairs.length).toBeGreaterThan(20);
      const low = pairs.map((p) => ({ ...p, ratio: Number(contrast(p.fg, p.bg).toFixed(2)) })).filter((p) => p.ratio < 4.5);
      expect(low).toEqual([]);
    });
  }

  it('the stylesheet uses the palette: light by default, dark by preference, light for print', () => {
    for (const v of Object.values(LIGHT)) expect(CSS).toContain(v);
    for (const v of Object.values(DARK)) expect(CSS).toContain(v);
    expect(CSS).toMatch(/@media \(prefers-color-scheme:dark\)\{:root\{[^}]*--bg:#0f1216/);
    expect(CSS).toMatch(/@media print\{\n:root\{--bg:#ffffff/);
    // Wide content scrolls in its own region, never the page.
    expect(CSS).toContain('.scroll{overflow-x:auto;max-width:100%');
    expect(CSS).not.toMatch(/url\(|@import|https?:\/\/|\/\//);
  });
});
