// XML 1.0 text for the XML formats (JUnit). The scanned site's text is hostile: every string goes
// through here, so markup cannot be injected and no character XML 1.0 forbids reaches the file (a
// parser must reject a document with one; libxml2, Jenkins and GitLab do).

/**
 * Characters outside XML 1.0's `Char` production (C0 controls but tab, LF and CR; lone surrogates;
 * U+FFFE, U+FFFF). Each becomes U+FFFD, so a reader sees that something was there.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export const xmlChars = (s: string): string => s.replace(NOT_XML_CHAR, '\uFFFD');

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTR_ESCAPES: Readonly<Record<string, string>> = { ...TEXT_ESCAPES, '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** Element content. */
export const xmlText = (s: string): string => xmlChars(s).replace(/[&<>]/g, (c) => TEXT_ESCAPES[c]!);

/** An attribute value in double quotes; tab, LF and CR as references so attribute normalisation keeps them. */
export const xmlAttr = (s: string): string => xmlChars(s).replace(/[&<>"\t\n\r]/g, (c) => ATTR_ESCAPES[c]!);

/** ` name="value"` for each defined entry, in order. */
export function attrs(entries: ReadonlyArray<readonly [string, string | number | undefined | null]>): string {
  return entries
    .filter((e): e is readonly [string, string | number] => e[1] !== undefined && e[1] !== null)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');
}
