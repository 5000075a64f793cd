// One endpoint's TLS, as SSL Labs lays it out: the rating's three scores as bars with every cap and
// its reason, then protocols, the handshake table (protocols × suites with key exchange, bits and
// forward secrecy), groups, features and the vulnerability verdicts. "Not tested" stays in words.
import { PROTOCOLS, VULNERABILITY_KEYS, type EndpointReport, type TlsResult } from '../../model/report.js';
import { chainsHtml } from './chain.js';
import { esc } from './page.js';
import { badge, code, h, kv, muted, plural, rowTh, table, td, toned, tr, yesNo, type Tone } from './parts.js';
import { groupRows, suiteRow } from './suites.js';
import { certificateText, clientLabel, keyExchangeText, outcomeText } from '../simulation-words.js';
import { weaknesses } from '../../tls/simulation.js';

type Rating = NonNullable<TlsResult['rating']>;

const scoreTone = (n: number): Tone => (n >= 80 ? 'good' : n >= 50 ? 'warn' : 'bad');

/** One score as a bar (decoration) and its number (the information, as text). */
function bar(label: string, value: number | null): string {
  const v = value === null ? null : Math.max(0, Math.min(100, Math.round(value)));
  const fill = v === null ? '' : `<span class="fill t-${scoreTone(v)}" style="width:${v}%"></span>`;
  return `<div class="bar" role="listitem"><span>${esc(label)}</span><span class="track" aria-hidden="true">${fill}</span><span class="val">${v === null ? muted('not tested') : `${v}<span class="visually-hidden"> of 100</span>`}</span></div>`;
}

/** The summary: the three category scores, the score, the letter, and every reason it is not higher. */
export function ratingHtml(r: Rating | null | undefined, level: number): string {
  if (!r) return `<p class="muted">No rating: the TLS checks this rating needs did not run.</p>\n`;
  const out: string[] = [h(level, 'Rating')];
  out.push(
    `<div class="bars" role="list" aria-label="SSL Labs category scores">` +
      bar('Protocol support', r.protocol) +
      bar('Key exchange', r.keyExchange) +
      bar('Cipher strength', r.cipherStrength) +
      `</div>\n`,
  );
  out.push(
    kv([
      ['Score', r.score === null ? muted('not computed') : `${esc(String(r.score))} of 100 → ${badge(r.scoreLetter)}`],
      ['Letter', r.letter !== undefined ? badge(r.letter) : null],
      ['Ignoring trust', r.ignoringTrust !== undefined && r.ignoringTrust !== (r.letter ?? null) ? `${badge(r.ignoringTrust)} (with a trusted certificate matching the name)` : null],
      ['Range', r.pending.length && (r.best !== undefined || r.worst !== undefined) ? `best ${badge(r.best ?? null)} · worst ${badge(r.worst ?? null)}` : null],
      ['Not A+', r.notAPlus ? esc(r.notAPlus) : null],
      ['HSTS read from', r.hstsSource ? esc(r.hstsSource) : null],
    ]),
  );
  const caps = r.caps.length
    ? `<ul class="caps">${r.caps.map((c) => `<li>capped at ${badge(c.grade)}: ${esc(c.reason)} ${code(c.id)}</li>`).join('')}</ul>`
    : `<p>No cap applies: the letter is the score's.</p>`;
  out.push(`<p><strong>Grade caps</strong> (${plural(r.caps.length, 'cap')})</p>${caps}\n`);
  if (r.warnings?.length) {
    out.push(`<p><strong>Warnings</strong> (A becomes A−)</p><ul class="caps">${r.warnings.map((w) => `<li>${esc(w.reason)} ${code(w.id)}</li>`).join('')}</ul>\n`);
  }
  if (r.pending.length) {
    out.push(`<p><strong>Not taken into account</strong> (could not be tested)</p><ul class="caps">${r.pending.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>\n`);
  }
  return out.join('');
}

function protocolsHtml(tls: TlsResult): string {
  const rows = [...PROTOCOLS].reverse().map((p) => {
    const accepted = tls.protocols[p] as boolean | null;
    const legacy = p === 'SSLv2' || p === 'SSLv3' || p === 'TLSv1.0' || p === 'TLSv1.1';
    const verdict = accepted === null || accepted === undefined ? muted('not tested') : accepted ? toned('accepted', legacy ? 'bad' : 'good') : 'refused';
    const suites = tls.cipherSuites[p]?.length;
    const pref = tls.serverPreference[p];
    const incomplete = tls.cipherSuitesIncomplete?.[p];
    return tr([
      rowTh(esc(p)),
      td(verdict),
      td(accepted ? (suites !== undefined ? String(suites) + (incomplete ? ' or more' : '') : muted('not tested')) : '', 'num'),
      td(accepted ? (pref === undefined || pref === null ? muted('not tested') : pref ? 'server' : 'client') : ''),
      td(incomplete ? `suite list incomplete: ${esc(incomplete)}` : ''),
    ]);
  });
  return table('Protocols', [{ head: 'Protocol' }, { head: 'Verdict' }, { head: 'Suites', num: true }, { head: 'Suite order' }, { head: 'Note' }], rows.join(''));
}

/** The handshake table: one row group per accepted protocol, one row per suite in the server's order. */
function suitesHtml(tls: TlsResult): string {
  const groups: string[] = [];
  for (const p of [...PROTOCOLS].reverse()) {
    const names = tls.cipherSuites[p];
    if (!names?.length) continue;
    const pref = tls.serverPreference[p];
    const order = pref === true ? 'server order' : pref === false ? 'client order' : 'order not tested';
    const rows = [`<tr><th scope="rowgroup" colspan="7">${esc(p)} — ${plural(names.length, 'suite')}, ${order}${tls.cipherSuitesIncomplete?.[p] ? ' (list incomplete)' : ''}</th></tr>`];
    for (const name of names) {
      const s = suiteRow(tls, p, name);
      rows.push(
        tr([
          rowTh(`<code>${esc(s.name)}</code>${s.nonIana ? ' <span class="muted">(not IANA-registered)</span>' : ''}`),
          td(esc(s.kx)),
          td(esc(s.auth)),
          td(esc(s.cipher)),
          td(s.bits === null ? muted('unknown') : toned(String(s.bits), s.bits < 112 ? 'bad' : s.bits < 128 ? 'warn' : null), 'num'),
          td(s.forwardSecrecy === null ? muted('unknown') : s.forwardSecrecy ? toned('yes', 'good') : toned('no', 'bad')),
          td(s.weak.length ? esc(s.weak.join(', ')) : ''),
        ]),
      );
    }
    groups.push(rows.join(''));
  }
  if (!groups.length) return `<p class="muted">No cipher suite was enumerated.</p>\n`;
  return table(
    'Cipher suites per protocol (handshake table)',
    [{ head: 'Suite (IANA name)' }, { head: 'Key exchange' }, { head: 'Authentication' }, { head: 'Cipher' }, { head: 'Bits', num: true }, { head: 'Forward secrecy' }, { head: 'Weak because' }],
    groups,
  );
}

function groupsHtml(tls: TlsResult): string {
  if (tls.groups === null) return `<p class="muted">Groups: not tested.</p>\n`;
  const rows = groupRows(tls).map((g) => tr([rowTh(`<code>${esc(g.name)}</code>`), td(esc(g.kind)), td(g.bits === null ? '' : String(g.bits), 'num'), td(esc(g.text))]));
  const note = tls.groupsIncomplete?.length ? `<p class="muted">Incomplete (the list is a lower bound): ${esc(tls.groupsIncomplete.join('; '))}</p>` : '';
  const dh =
    tls.dhParameterBits !== undefined && tls.dhParameterBits !== null
      ? `<p>DHE parameters: ${toned(`${tls.dhParameterBits} bits`, tls.dhParameterBits < 2048 ? 'bad' : null)}${tls.dhParameterPrime ? ` (prime: ${esc(tls.dhParameterPrime)})` : ''}</p>`
      : '';
  if (!rows.length) return `<p>No key exchange group accepted.</p>${note}${dh}\n`;
  return table('Key exchange groups, in the server\u2019s order', [{ head: 'Group' }, { head: 'Kind' }, { head: 'Bits', num: true }, { head: 'Strength' }], rows.join('')) + note + dh;
}

function featuresHtml(tls: TlsResult): string {
  const f = tls.features;
  if (!f) return `<p class="muted">Protocol features: not tested.</p>\n`;
  const rows: Array<[string, string]> = [
    ['ALPN', f.alpn.length ? esc(f.alpn.join(', ')) : 'none offered'],
    ['Secure renegotiation (RFC 5746)', yesNo(f.secureRenegotiation, true)],
    ['TLS_FALLBACK_SCSV', yesNo(f.fallbackScsv, true)],
    ['Extended master secret', yesNo(f.extendedMasterSecret, true)],
    ['OCSP stapling', yesNo(f.ocspStapling, true)],
    ['SCT TLS extension', yesNo(f.sctExtension, null)],
    ['Heartbeat extension', yesNo(f.heartbeat, false)],
    ['Session tickets', yesNo(f.sessionTickets, null)],
    ['TLS compression', yesNo(f.compression, false)],
    ['Resumption by session id', yesNo(f.resumption.ids, null)],
    ['Resumption by ticket', yesNo(f.resumption.tickets, null)],
  ];
  return table('Protocol features', [{ head: 'Feature' }, { head: 'Supported' }], rows.map(([k, v]) => tr([rowTh(esc(k)), td(v)])).join(''));
}

const VULN_NAMES: Record<string, string> = {
  heartbleed: 'Heartbleed',
  ccsInjection: 'CCS injection',
  ticketbleed: 'Ticketbleed',
  robot: 'ROBOT',
  poodleSsl: 'POODLE (SSLv3)',
  beast: 'BEAST',
  sweet32: 'SWEET32',
  freak: 'FREAK',
  logjam: 'Logjam',
  drown: 'DROWN',
  crime: 'CRIME (TLS compression)',
  breach: 'BREACH (HTTP compression)',
  lucky13: 'Lucky13',
  rc4: 'RC4',
  insecureRenegotiation: 'Insecure renegotiation',
  clientRenegotiation: 'Client-initiated renegotiation',
  fallbackScsv: 'Downgrade (no TLS_FALLBACK_SCSV)',
};

function vulnerabilitiesHtml(tls: TlsResult): string {
  const keys = [...VULNERABILITY_KEYS, ...Object.keys(tls.vulnerabilities).filter((k) => !(VULNERABILITY_KEYS as readonly string[]).includes(k))];
  const rows = keys.map((k) => {
    const v = tls.vulnerabilities[k];
    const cell = v === 'vulnerable' ? toned('vulnerable', 'bad') : v === 'not-vulnerable' ? toned('not vulnerable', 'good') : muted(v === 'unknown' ? 'not tested (unknown)' : 'not tested');
    return tr([rowTh(esc(VULN_NAMES[k] ?? k)), td(cell)]);
  });
  return table('Vulnerabilities', [{ head: 'Vulnerability' }, { head: 'Verdict' }], rows.join(''));
}

/** One row per simulated client (SSL Labs' "Handshake Simulation"); never part of the grade. */
function simulationHtml(tls: TlsResult): string {
  const sim = tls.simulation;
  if (!sim?.length) return '';
  const loud = (tier: string): Tone => (tier === 'current' ? 'bad' : tier === 'legacy' ? 'warn' : 'low');
  const rows = sim.map((e) => {
    const result =
      e.status === 'ok' ? toned('connects', 'good') : e.status === 'failed' ? toned('fails', loud(e.tier)) : muted('not tested');
    const weak = weaknesses(e).length > 0;
    const notes = e.status === 'ok' ? outcomeText(e) : (e.reason ?? '');
    return tr([
      rowTh(esc(clientLabel(e))),
      td(result),
      td(e.protocol ? (weak ? toned(e.protocol, loud(e.tier)) : esc(e.protocol)) : ''),
      td(e.cipherSuite ? code(e.cipherSuite) : ''),
      td(esc(keyExchangeText(e))),
      td(esc(certificateText(e))),
      td(esc(notes), 'wrap'),
    ]);
  });
  return table(
    'Handshake simulation (not part of the grade)',
    [{ head: 'Client' }, { head: 'Result' }, { head: 'Protocol' }, { head: 'Suite' }, { head: 'Key exchange' }, { head: 'Certificate' }, { head: 'Notes' }],
    rows.join(''),
  );
}

/** Probes of this endpoint that did not complete: what is missing from the tables above, and why. */
function probeGaps(tls: TlsResult): string {
  const gaps = Object.entries(tls.probes).filter(([, p]) => p.status !== 'ok');
  if (!gaps.length) return '';
  return table(
    'Checks skipped or not completed on this endpoint',
    [{ head: 'Probe' }, { head: 'Status' }, { head: 'Reason' }],
    gaps.map(([id, p]) => tr([rowTh(code(id)), td(p.status === 'skipped' ? muted('skipped (not tested)') : toned('error (not tested)', 'bad')), td(esc(p.reason ?? ''), 'wrap')])).join(''),
  );
}

/** Each --profile verdict, and every deviation with what the profile expects and what the server has. */
function profilesHtml(tls: TlsResult): string {
  const rows = (tls.profiles ?? []).flatMap((p) => {
    const name = rowTh(`${esc(p.profile)} ${esc(p.version)}`);
    if (p.compliant === true) return [tr([name, td(toned('compliant', 'good')), td(''), td('')])];
    if (p.compliant === null) return [tr([name, td(muted('not decided')), td(muted(`untested: ${p.untested.map((u) => `${u.rule} (${u.reason})`).join('; ')}`), 'wrap'), td('')])];
    return p.deviations.map((d, i) => tr([i === 0 ? name : rowTh(''), td(i === 0 ? toned(`not compliant (${plural(p.deviations.length, 'deviation')})`, 'bad') : ''), td(`${code(d.rule)} expected ${esc(d.expected)}`, 'wrap'), td(esc(d.actual), 'wrap')]));
  });
  return table('Configuration profiles (--profile)', [{ head: 'Profile' }, { head: 'Verdict' }, { head: 'Expected' }, { head: 'Actual' }], rows.join(''));
}

/** One endpoint: heading at `level`, subsections one below. `idp` prefixes fragment ids. */
export function endpointHtml(ep: EndpointReport, level: number, idp: string): string {
  const tls = ep.tls;
  const addr = ep.ip.includes(':') ? `[${ep.ip}]:${ep.port}` : `${ep.ip}:${ep.port}`;
  const out: string[] = [`<section aria-labelledby="${idp}-h">`, h(level, `Endpoint ${esc(addr)} ${badge(ep.grade)}`, ` id="${idp}-h"`)];
  if (tls.status !== 'ok') out.push(`<p class="panel">TLS ${toned(tls.status === 'skipped' ? 'not tested' : 'could not be tested', 'warn')}${tls.reason ? `: ${esc(tls.reason)}` : ''}</p>\n`);
  if (tls.negotiated) {
    out.push(kv([['Negotiated', `${esc(tls.negotiated.protocol)} · <code>${esc(tls.negotiated.cipherSuite)}</code>${tls.negotiated.alpn ? ` · ALPN ${esc(tls.negotiated.alpn)}` : ''}`]]));
  }
  out.push(ratingHtml(tls.rating, level + 1));
  out.push(h(level + 1, 'Protocols and cipher suites'), protocolsHtml(tls), suitesHtml(tls));
  out.push(h(level + 1, 'Groups'), groupsHtml(tls));
  out.push(h(level + 1, 'Certificate chains'), chainsHtml(tls, level + 2));
  out.push(h(level + 1, 'Features and vulnerabilities'), featuresHtml(tls), vulnerabilitiesHtml(tls));
  if (tls.simulation?.length) out.push(h(level + 1, 'Handshake simulation'), simulationHtml(tls));
  out.push(probeGaps(tls));
  if (tls.profiles?.length) out.push(h(level + 1, 'Configuration profiles'), profilesHtml(tls));
  out.push('</section>\n');
  return out.join('');
}
