// The card's email and DNS sections: SPF, DMARC, DKIM, MTA-STS, TLS-RPT, MX, DNSSEC with every
// point lost and every cap; CAA.
import type { DnsResult, EmailResult } from '../../model/report.js';
import { gradeSegs, seg, type Tone } from '../style.js';
import { field, heading, statusItem, type CardLine } from './lines.js';

function recordTone(status: string): Tone {
  return status === 'found' ? 'good' : status === 'missing' ? 'warn' : 'bad';
}

export function emailLines(email: EmailResult): CardLine[] {
  const lines = [heading([seg('Email', 'strong')], [seg('grade '), ...gradeSegs(email.grade)])];
  if (email.status !== 'ok') lines.push(field('email', [statusItem(email.status, email.reason)]));
  const { spf, dmarc, dkim, mtaSts, tlsRpt } = email;
  const notTested = [[seg('not tested', 'dim')]];
  lines.push(
    field(
      'SPF',
      spf
        ? [
            [seg(spf.status, recordTone(spf.status))],
            ...(spf.record ? [[seg(spf.record)]] : []),
            ...(spf.lookups !== null ? [[seg(`${spf.lookups} lookups`, spf.lookups > 10 ? 'bad' : 'dim')]] : []),
            ...(spf.reason ? [[seg(spf.reason, 'dim')]] : []),
          ]
        : notTested,
    ),
  );
  lines.push(
    field(
      'DMARC',
      dmarc
        ? [
            [seg(dmarc.status, recordTone(dmarc.status))],
            ...(dmarc.policy ? [[seg('policy '), seg(dmarc.policy, dmarc.policy === 'none' ? 'warn' : 'good')]] : []),
            ...(dmarc.rua.length ? [[seg('reports '), seg(dmarc.ruaAuthorized === false ? 'not authorised' : 'yes', dmarc.ruaAuthorized === false ? 'warn' : 'good')]] : []),
            ...(dmarc.reason ? [[seg(dmarc.reason, 'dim')]] : []),
          ]
        : notTested,
    ),
  );
  if (email.mxStatus !== 'null-mx') {
    lines.push(
      field(
        'DKIM',
        dkim
          ? dkim.selectors.length
            ? dkim.selectors.map((k) => [seg(`${k.name} `), seg(`${k.keyType}${k.keyBits ? ` ${k.keyBits}` : ''}`, k.keyBits !== null && k.keyType === 'rsa' && k.keyBits < 2048 ? 'warn' : 'good')])
            : [[seg(`none of ${dkim.selectorsTried.length} selectors`, 'warn')]]
          : notTested,
      ),
    );
    lines.push(field('MTA-STS', mtaSts ? [[seg(mtaSts.status, recordTone(mtaSts.status))], ...(mtaSts.mode ? [[seg(`mode ${mtaSts.mode}`, mtaSts.mode === 'enforce' ? 'good' : 'warn')]] : [])] : notTested));
    lines.push(field('TLS-RPT', tlsRpt ? [[seg(tlsRpt.status, recordTone(tlsRpt.status))]] : notTested));
  }
  const mx = [...email.mx].sort((a, b) => a.preference - b.preference);
  if (email.mxStatus === 'null-mx') lines.push(field('MX', [[seg('null MX: receives no mail', 'dim')]]));
  else {
    lines.push(
      field(
        'MX',
        mx.length
          ? mx.map((m) => [
              seg(`${m.preference} ${m.host}`),
              ...(m.starttls === null ? [] : [seg(m.starttls ? ' STARTTLS' : ' no STARTTLS', m.starttls ? 'good' : 'bad')]),
              ...(m.dane === null ? [] : [seg(m.dane ? ' DANE ok' : ' DANE mismatch', m.dane ? 'good' : 'bad')]),
            ])
          : [[seg('none', 'dim')]],
      ),
    );
  }
  if (email.dnssec !== null) lines.push(field('DNSSEC', [[seg(email.dnssec ? 'signed and validated' : 'not validated', email.dnssec ? 'good' : 'warn')]]));
  const rating = email.rating;
  if (rating) {
    if (rating.score !== null) lines.push(field('score', [[seg(`${rating.score}/100`)], ...(rating.score === 100 || email.grade === null ? [] : [[seg('points lost:', 'dim')]])]));
    // Every check that lost points, every cap, and what is untested: the grade explained.
    for (const c of rating.checks.filter((x) => x.max > 0 && x.points < x.max)) {
      lines.push(field(`-${c.max - c.points}`, [[seg(`${c.label}: `, 'dim'), seg(c.reason, c.status === 'fail' ? 'bad' : 'warn')]]));
    }
    for (const cap of rating.caps) lines.push(field(`cap ${cap.grade}`, [[seg(cap.reason, 'warn')]]));
    for (const p of rating.pending) lines.push(field('untested', [[seg(p, 'dim')]]));
  }
  return lines;
}

export function dnsLines(dns: DnsResult): CardLine[] {
  const lines = [heading([seg('DNS', 'strong')], [])];
  const caa = dns.caa;
  if (dns.status !== 'ok' || !caa) return [...lines, field('CAA', [statusItem(dns.status === 'ok' ? 'skipped' : dns.status, dns.reason)])];
  if (caa.foundAt === null) return [...lines, field('CAA', [[seg('none (any CA may issue)', 'warn')]])];
  const plausible = caa.issuerPlausible === null ? 'cannot tell' : caa.issuerPlausible ? 'yes' : 'no';
  lines.push(
    field('CAA', [
      [seg(`at ${caa.foundAt}`)],
      ...(caa.issue.length ? [[seg(`issue ${caa.issue.join(', ')}`)]] : []),
      ...(caa.issuewild.length ? [[seg(`issuewild ${caa.issuewild.join(', ')}`)]] : []),
      [seg('issuer listed '), seg(plausible, caa.issuerPlausible === false ? 'warn' : caa.issuerPlausible ? 'good' : 'dim')],
    ]),
  );
  return lines;
}
