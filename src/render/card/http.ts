// The card's HTTP section: one letter — the MDN Observatory's, which is `grades.http` — with every
// point it gained or lost; the securityheaders.com-style letter is named as such beside the headers.
import type { HttpResult } from '../../model/report.js';
import { gradeSegs, KEY_HEADERS, seg, type Tone } from '../style.js';
import { field, heading, statusItem, type CardLine } from './lines.js';

/** What the http → https check found, in a few words. */
const HTTP_REDIRECT_WORDS: Readonly<Record<string, [string, Tone]>> = {
  'redirects-to-https-same-host': ['redirects to https', 'good'],
  'redirects-to-https-other-host-first': ['redirects to another host first', 'warn'],
  'redirects-to-https-not-first': ['first redirect stays on http', 'warn'],
  'redirects-not-to-https': ['never reaches https', 'bad'],
  'no-redirect': ['answers without redirecting', 'bad'],
  'no-http': ['no plain-HTTP service', 'dim'],
  error: ['could not test', 'dim'],
};

function codeTone(code: number | null): Tone {
  if (code === null || code >= 500) return 'bad';
  return code >= 400 ? 'warn' : 'plain';
}

export function httpLines(http: HttpResult | null): CardLine[] {
  const obs = http?.observatory ?? null;
  const lines = [
    heading(
      [seg('HTTP', 'strong')],
      [seg('grade '), ...gradeSegs(http?.grade ?? null, http?.observatoryNotGraded ? 'not graded' : undefined)],
      // The letter above is the Observatory's (its own letter may carry a + or -): say whose it is.
      ...(obs ? [[seg(`MDN Observatory score ${obs.score}, its letter ${obs.grade}`, 'dim')]] : []),
    ),
  ];
  if (!http) return lines;
  if (http.status !== 'ok') return [...lines, field('response', [statusItem(http.status, http.reason)])];
  // Tested, and the MDN Observatory refuses to score it: say so (our own findings still follow).
  if (http.observatoryNotGraded) lines.push(field('observatory', [[seg(`not graded: ${http.observatoryNotGraded.reason}`, 'warn')]]));
  const redirects = http.redirects.length;
  lines.push(
    field('response', [
      [seg(http.statusCode === null ? 'no status' : String(http.statusCode), codeTone(http.statusCode))],
      [seg(http.finalUrl ?? http.url)],
      ...(redirects > 0 ? [[seg(`${redirects} redirect${redirects === 1 ? '' : 's'}`, 'dim')]] : []),
    ]),
  );
  if (http.httpRedirect) {
    const [words, tone] = HTTP_REDIRECT_WORDS[http.httpRedirect.status] ?? [http.httpRedirect.status, 'dim'];
    lines.push(field('plain http', [[seg(words, tone)], [seg(`port ${http.httpRedirect.port}`, 'dim')]]));
  }
  const missing = new Set(http.securityHeaders?.missing.map((h) => h.toLowerCase()) ?? []);
  lines.push(
    field('headers', [
      ...KEY_HEADERS.map((h) => {
        const present = http.headers[h] !== undefined;
        const ok = present && !missing.has(h);
        return [seg(`${h} `), seg(!present ? 'no' : ok ? 'yes' : 'invalid', ok ? 'good' : 'warn')];
      }),
      // The second letter, named for what it is and kept out of the grade.
      ...(http.securityHeaders ? [[seg(`(securityheaders.com-style letter ${http.securityHeaders.grade}, not part of the grade)`, 'dim')]] : []),
    ]),
  );
  if (http.cookies.length > 0) {
    const insecure = http.cookies.filter((c) => !c.secure).length;
    lines.push(field('cookies', [[seg(`${http.cookies.length} set`)], ...(insecure ? [[seg(`${insecure} without Secure`, 'warn')]] : [])]));
  }
  if (http.securityTxt) {
    const t = http.securityTxt;
    lines.push(field('sec.txt', [[seg(t.status === 'found' ? (t.valid ? 'valid' : 'invalid') : t.status, t.status === 'found' && t.valid ? 'good' : t.status === 'error' ? 'dim' : 'warn')]]));
  }
  // Every point the Observatory score gained or lost, and why.
  for (const t of obs?.tests.filter((x) => x.modifier !== 0) ?? []) {
    lines.push(field(t.modifier > 0 ? `+${t.modifier}` : String(t.modifier), [[seg(`${t.test}: `, 'dim'), seg(t.detail || t.description, t.modifier > 0 ? 'good' : 'warn')]]));
  }
  if (obs && !obs.extraCredit && obs.tests.some((t) => t.modifier > 0)) {
    lines.push(field('', [[seg('bonuses not counted: the penalties leave less than 90', 'dim')]]));
  }
  return lines;
}
