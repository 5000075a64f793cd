// Each served certificate chain drawn as a chain: leaf → intermediates → trust anchor, with the
// trust path verdict, revocation, and Certificate Transparency (the policy verdict and each SCT).
import type { CertificateInfo, ChainInfo, TlsResult } from '../../model/report.js';
import { esc } from './page.js';
import { code, dateText, h, kv, muted, plural, rowTh, table, td, toned, tr, yesNo, type Tone } from './parts.js';

const SANS_SHOWN = 20;

function daysText(days: number): string {
  if (days < 0) return toned(`expired ${-days} day${days === -1 ? '' : 's'} ago`, 'bad');
  if (days === 0) return toned('expires today', 'bad');
  return toned(`${days} day${days === 1 ? '' : 's'} left`, days < 14 ? 'bad' : days < 30 ? 'warn' : 'good');
}

function keyText(c: CertificateInfo): string {
  return [c.keyType, c.keyBits ? `${c.keyBits} bits` : '', c.curve ?? ''].filter(Boolean).join(' ');
}

function sctsHtml(c: CertificateInfo): string {
  if (c.scts === null) return muted('not tested');
  if (!c.scts.length) return toned('none', 'warn');
  const rows = c.scts.map((s) =>
    tr([
      rowTh(esc(s.logName ?? `unknown log ${s.logId}`)),
      td(esc(s.operator ?? '')),
      td(esc(s.source)),
      td(s.valid === null ? muted('not checked (unknown log)') : yesNo(s.valid, true, ['valid', 'invalid'])),
      td(esc(dateText(s.timestamp))),
    ]),
  );
  return table('Signed certificate timestamps', [{ head: 'Log' }, { head: 'Operator' }, { head: 'Delivered by' }, { head: 'Signature' }, { head: 'Timestamp' }], rows.join(''));
}

function certTone(c: CertificateInfo, leaf: boolean, revoked: boolean): Tone {
  if (c.daysRemaining < 0 || revoked) return 'bad';
  if (leaf && (c.trusted === false || c.hostnameMatch === false)) return 'bad';
  if (c.daysRemaining < 30) return 'warn';
  return 'good';
}

function certItem(c: CertificateInfo, role: string, leaf: boolean, revokedAt: string | null = null): string {
  const sans = c.sans.length
    ? esc(c.sans.slice(0, SANS_SHOWN).join(', ')) + (c.sans.length > SANS_SHOWN ? ` ${muted(`… and ${c.sans.length - SANS_SHOWN} more`)}` : '')
    : null;
  return (
    `<li class="t-${certTone(c, leaf, revokedAt !== null)}"><div class="role">${esc(role)}</div><strong>${esc(c.subject)}</strong>` +
    kv([
      ['Issuer', esc(c.issuer)],
      ['Valid', `${esc(dateText(c.notBefore))} → ${esc(dateText(c.notAfter))} (${daysText(c.daysRemaining)})`],
      ['Key', esc(keyText(c))],
      ['Signature', esc(c.signatureAlgorithm)],
      ['Names', leaf ? sans ?? muted('none') : null],
      ['Revoked', revokedAt !== null ? toned(`yes${revokedAt ? `, on ${dateText(revokedAt)}` : ''}`, 'bad') : null],
      ['Trusted', leaf ? yesNo(c.trusted, true) + (c.trustError ? ` — ${esc(c.trustError)}` : '') : null],
      ['Name matches', leaf ? yesNo(c.hostnameMatch, true) : null],
      ['Self-signed', c.selfSigned ? toned('yes', leaf ? 'bad' : null) : null],
      ['OCSP must-staple', c.mustStaple ? 'yes' : null],
      ['OCSP stapled', leaf ? yesNo(c.ocspStapled, null) : null],
      ['SHA-256', `<code>${esc(c.fingerprintSha256)}</code>`],
    ]) +
    (leaf ? `<div>${sctsHtml(c)}</div>` : '') +
    `</li>`
  );
}

function anchorItem(chain: ChainInfo): string {
  if (!chain.anchor) {
    return `<li class="t-bad"><div class="role">Trust anchor</div><strong>${toned('none found', 'bad')}</strong>: no path from these certificates to a trusted root.</li>`;
  }
  const a = chain.anchor;
  return (
    `<li class="t-${chain.trusted ? 'good' : 'bad'}"><div class="role">Trust anchor${chain.anchorServed ? ' (also sent by the server)' : ''}</div>` +
    `<strong>${esc(a.label)}</strong>` +
    kv([
      ['Subject', esc(a.subject)],
      ['From', esc(a.source === 'ca-file' ? 'the --ca-file given' : a.source)],
    ]) +
    `</li>`
  );
}

/** Intermediates the server did not send, downloaded by AIA to finish the path (the report keeps only their count). */
function fetchedItem(chain: ChainInfo): string {
  if (!chain.fetchedIntermediates) return '';
  return `<li class="t-warn"><div class="role">${plural(chain.fetchedIntermediates, 'intermediate')} not sent by the server</div>Downloaded from the issuer’s AIA address to complete the path: clients that do not do this fail.</li>`;
}

function revocationHtml(chain: ChainInfo): string {
  const r = chain.revocation;
  const parts: string[] = [];
  if (r) {
    const verdict = !r.checked ? muted('not checked') : r.status === 'revoked' ? toned('revoked', 'bad') : r.status === 'good' ? toned('not revoked', 'good') : muted('unknown');
    parts.push(`${verdict}: ${esc(r.detail)}`);
  } else parts.push(muted('not tested'));
  return parts.join('');
}

function ocspHtml(chain: ChainInfo): string {
  if (!chain.ocsp.length) return '';
  const rows = chain.ocsp.map((o) =>
    tr([
      rowTh(esc(o.source === 'stapled' ? 'stapled' : `responder ${o.url ?? ''}`)),
      td(o.status === null ? muted('unusable') : toned(o.status, o.status === 'good' ? 'good' : o.status === 'revoked' ? 'bad' : 'warn')),
      td(yesNo(o.fresh, true)),
      td(yesNo(o.signatureValid, true)),
      td(esc(o.detail), 'wrap'),
    ]),
  );
  return table('OCSP responses', [{ head: 'Source' }, { head: 'Status' }, { head: 'Fresh' }, { head: 'Signature valid' }, { head: 'Detail' }], rows.join(''));
}

/** One chain: the drawing (served certificates in order, then the anchor), then its verdicts. */
function chainHtml(tls: TlsResult, chain: ChainInfo, total: number, level: number): string {
  const certs = tls.certificates.filter((c) => c.chain === chain.index).sort((a, b) => (a.servedIndex ?? 0) - (b.servedIndex ?? 0));
  const items = certs.map((c, i) => {
    const off = chain.extraCertificates.includes(c.servedIndex ?? i);
    const role = i === 0 ? 'Leaf (server certificate)' : off ? 'Sent but not on the trust path' : c.selfSigned ? 'Root (sent by the server)' : 'Intermediate';
    const revoked = i === 0 && chain.revocation?.status === 'revoked' ? chain.revocation.revokedAt ?? '' : null;
    return certItem(c, role, i === 0, revoked);
  });
  const title = `Chain ${chain.index + 1}${total > 1 ? ` of ${total}` : ''}: ${chain.requested} certificate (${chain.leafKeyType}, ${chain.protocol})`;
  const ct = chain.ct;
  const errors = chain.trustErrors.length
    ? `<ul class="caps">${chain.trustErrors.map((e) => `<li>${code(e.code)} ${esc(e.detail)}${e.rule ? ` ${muted(`(${e.rule})`)}` : ''}</li>`).join('')}</ul>`
    : '';
  const path = chain.trusted
    ? `${toned('trusted', 'good')}: leaf → ${plural(Math.max(0, certs.length - 1 - chain.extraCertificates.length - (chain.anchorServed ? 1 : 0)), 'intermediate')}${chain.fetchedIntermediates ? ` (${chain.fetchedIntermediates} fetched by AIA)` : ''} → ${esc(chain.anchor?.label ?? 'anchor')}`
    : toned('not trusted', 'bad');
  const revokedNote = chain.revocation?.status === 'revoked' ? `, but the server certificate is ${toned('revoked', 'bad')}` : '';
  return (
    h(level, esc(title)) +
    `<p class="meta">Trust path: ${path}${revokedNote}</p>${errors}` +
    `<ol class="chain" aria-label="${esc(`certificate chain ${chain.index + 1}, leaf first`)}">${items.join('')}${fetchedItem(chain)}${anchorItem(chain)}</ol>\n` +
    kv([
      ['Served', `${plural(chain.certificates, 'certificate')}${chain.misordered ? `, ${toned('out of order', 'warn')}` : ''}${chain.extraCertificates.length ? `, ${chain.extraCertificates.length} not needed` : ''}`],
      ['Complete as served', yesNo(chain.chainComplete, true)],
      ['Name matches', yesNo(chain.hostnameMatch, true)],
      ['Revocation', revocationHtml(chain)],
      [
        'Certificate Transparency',
        ct === null
          ? muted('not tested')
          : `${ct.compliant ? toned('compliant', 'good') : toned('not compliant', 'bad')}: ${esc(ct.reason)} ${muted(`(${ct.validScts} valid SCTs; log list of ${dateText(ct.logListDate)})`)}`,
      ],
    ]) +
    ocspHtml(chain)
  );
}

/** Every chain of the endpoint; a report without `chains` draws its certificates in served order. */
export function chainsHtml(tls: TlsResult, level: number): string {
  const chains = tls.chains ?? [];
  const out: string[] = [];
  if (chains.length) {
    for (const c of chains) out.push(chainHtml(tls, c, chains.length, level));
  } else if (tls.certificates.length) {
    const items = tls.certificates.map((c, i) => certItem(c, i === 0 ? 'Leaf (server certificate)' : 'Intermediate', i === 0));
    out.push(`<p class="meta">Trust path: ${muted('not analysed (no chain verdict in this report)')}</p><ol class="chain" aria-label="served certificates, leaf first">${items.join('')}</ol>\n`);
  } else {
    out.push(`<p class="muted">No certificate: not tested.</p>\n`);
  }
  if (tls.chainsIncomplete?.length) out.push(`<p class="muted">Chains possibly missing (no answer to: ${esc(tls.chainsIncomplete.join(', '))}).</p>\n`);
  return out.join('');
}
