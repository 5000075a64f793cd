// The HTML report's colours, light and dark, as data: the stylesheet (./css.ts) is built from them
// and a unit test checks every text/background pair below against WCAG 2.x contrast (≥ 4.5:1), so a
// colour change that makes text unreadable fails a test instead of shipping.

export interface Theme {
  /** Page background and body text. */
  bg: string;
  fg: string;
  /** Secondary text (captions, "not tested", dates). */
  muted: string;
  /** Panels, table headers, zebra rows (text on it uses fg/muted/link). */
  surface: string;
  /** Lines and bar tracks (not text). */
  border: string;
  link: string;
  /** Badge fills; badge text is `onBadge`. */
  good: string;
  warn: string;
  bad: string;
  low: string;
  info: string;
  none: string;
  onBadge: string;
}

export const LIGHT: Theme = {
  bg: '#ffffff',
  fg: '#1b1f24',
  muted: '#57606a',
  surface: '#f3f5f7',
  border: '#c9d1d9',
  link: '#0550ae',
  good: '#1a7f37',
  warn: '#8a5300',
  bad: '#b42318',
  low: '#6e5a00',
  info: '#3b5b85',
  none: '#5c636b',
  onBadge: '#ffffff',
};

export const DARK: Theme = {
  bg: '#0f1216',
  fg: '#e6e9ed',
  muted: '#a3abb5',
  surface: '#1a1f26',
  border: '#3a424d',
  link: '#8cb8ff',
  good: '#4ac26b',
  warn: '#e3a53c',
  bad: '#ff8078',
  low: '#d6c25a',
  info: '#8fb3e3',
  none: '#9aa3ad',
  onBadge: '#0f1216',
};

/** Every foreground/background pair the stylesheet draws text with, per theme (for the contrast test). */
export function textPairs(t: Theme): Array<{ name: string; fg: string; bg: string }> {
  const pairs: Array<{ name: string; fg: string; bg: string }> = [];
  for (const bg of ['bg', 'surface'] as const) {
    for (const fg of ['fg', 'muted', 'link'] as const) pairs.push({ name: `${fg} on ${bg}`, fg: t[fg], bg: t[bg] });
  }
  for (const tone of ['good', 'warn', 'bad', 'low', 'info', 'none'] as const) {
    pairs.push({ name: `badge ${tone}`, fg: t.onBadge, bg: t[tone] });
    // Tone-coloured words (e.g. "accepted" in red) sit on the page and on panels too.
    pairs.push({ name: `${tone} text on bg`, fg: t[tone], bg: t.bg });
    pairs.push({ name: `${tone} text on surface`, fg: t[tone], bg: t.surface });
  }
  return pairs;
}

/** WCAG 2.x relative luminance of an sRGB colour `#rrggbb`. */
export function luminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const lin = (h: string): number => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(m[1]!) + 0.7152 * lin(m[2]!) + 0.0722 * lin(m[3]!);
}

/** WCAG 2.x contrast ratio (1 … 21). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
