// The domain's mail DNS records: MX, the SPF policy (RFC 7208) and the DMARC policy (RFC 7489).
// A DNS failure is "could not test" for that record, never "no record".
import { defineProbe, ProbeFailed, ProbeSkipped } from '../src/engine/probe.js';
import { finding, REF } from '../src/model/finding.js';
import type { EmailResult, Finding } from '../src/model/report.js';
import type { LookupResult } from '../src/net/dns/types.js';
import { isIP } from 'node:net';

type Spf = NonNullable<EmailResult['spf']>;
type Dmarc = NonNullable<EmailResult['dmarc']>;

export interface EmailRecordsEvidence {
  domain: string;
  mx: EmailResult['mx'];
  mxError: string | null;
  spf: Spf;
  dmarc: Dmarc;
}

// RFC 7208 §12 terms, case-insensitive; domain-specs are checked loosely (macros allowed).
const SPF_MECHANISM =
  /^[+?~-]?(all|include:\S+|exists:\S+|a(:[^/\s]+)?(\/\d{1,2})?(\/\/\d{1,3})?|mx(:[^/\s]+)?(\/\d{1,2})?(\/\/\d{1,3})?|ptr(:\S+)?|ip4:\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|ip6:[0-9a-f:.]+(\/\d{1,3})?)$/i;
const SPF_MODIFIER = /^[a-z][a-z0-9_.-]*=\S*$/i;

function txtStrings(result: LookupResult): string[] {
  return result.status === 'ok' ? result.records.flatMap((r) => (r.type === 'TXT' ? [r.text] : [])) : [];
}

export function evaluateSpf(result: LookupResult): Spf {
  const base: Spf = { status: 'missing', record: null, lookups: null, voidLookups: null, all: null, errors: [] };
  if (result.status === 'error') return { ...base, status: 'error', reason: result.reason };
  const records = txtStrings(result).filter((t) => /^v=spf1(\s|$)/i.test(t));
  if (records.length === 0) return base;
  if (records.length > 1) {
    return { ...base, status: 'multiple', record: records.join(' | '), errors: ['more than one v=spf1 record (permerror, RFC 7208 §4.5)'] };
  }
  const record = records[0] ?? '';
  const errors: string[] = [];
  let all: string | null = null;
  for (const term of record.split(/\s+/).slice(1)) {
    if (term === '') continue;
    if (SPF_MECHANISM.test(term)) {
      const m = /^([+?~-]?)all$/i.exec(term);
      if (m) all = `${m[1] || '+'}all`;
    } else if (SPF_MODIFIER.test(term)) {
      if (/^redirect=/i.test(term) && all === null) all = term.toLowerCase();
    } else {
      errors.push(`unknown or malformed term "${term}"`);
    }
  }
  return { ...base, status: errors.length ? 'invalid' : 'found', record, all, errors };
}

export function evaluateDmarc(result: LookupResult): Dmarc {
  const base: Dmarc = { status: 'missing', record: null, policy: null, subdomainPolicy: null, pct: null, rua: [], ruaAuthorized: null };
  if (result.status === 'error') return { ...base, status: 'error', reason: result.reason };
  const records = txtStrings(result).filter((t) => /^v\s*=\s*DMARC1\s*(;|$)/.test(t));
  if (records.length === 0) return base;
  if (records.length > 1) return { ...base, status: 'multiple', record: records.join(' | ') };
  const record = records[0] ?? '';
  const tags = new Map<string, string>();
  for (const part of record.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) tags.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const policy = tags.get('p')?.toLowerCase() ?? null;
  const pct = tags.has('pct') ? Number(tags.get('pct')) : 100;
  const validPolicy = policy === 'none' || policy === 'quarantine' || policy === 'reject';
  return {
    ...base,
    status: validPolicy ? 'found' : 'invalid',
    reason: validPolicy ? undefined : 'the required p= tag is missing or not none/quarantine/reject',
    record,
    policy,
    subdomainPolicy: tags.get('sp')?.toLowerCase() ?? policy,
    pct: Number.isFinite(pct) ? pct : null,
    rua: (tags.get('rua') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}

export function checkEmailRecords(ev: EmailRecordsEvidence): Finding[] {
  const out: Finding[] = [];
  const { spf, dmarc, domain } = ev;
  if (spf.status === 'missing') {
    out.push(
      finding({
        id: 'email.spf.missing',
        severity: 'medium',
        title: 'No SPF record',
        detail: `${domain} publishes no v=spf1 TXT record, so anyone can send mail in its name unchecked.`,
        evidence: { name: domain, type: 'TXT' },
        remediation: ev.mx.length
          ? 'Publish an SPF record listing your senders, ending in -all (e.g. `v=spf1 mx -all`).'
          : 'A domain that sends no mail should publish `v=spf1 -all`.',
        references: [REF.rfc7208],
      }),
    );
  } else if (spf.status === 'multiple' || spf.status === 'invalid') {
    out.push(
      finding({
        id: spf.status === 'multiple' ? 'email.spf.multiple' : 'email.spf.invalid',
        severity: 'high',
        title: spf.status === 'multiple' ? 'More than one SPF record' : 'SPF record has syntax errors',
        detail: `Receivers treat this as a permanent error and ignore SPF: ${spf.errors.join('; ')}.`,
        evidence: { record: spf.record, errors: spf.errors },
        remediation: 'Publish exactly one well-formed v=spf1 record.',
        references: [REF.rfc7208],
      }),
    );
  }
  if (spf.all === '+all' || spf.all === '?all') {
    out.push(
      finding({
        id: 'email.spf.permissive-all',
        severity: spf.all === '+all' ? 'high' : 'medium',
        title: `SPF ends in ${spf.all}`,
        detail: `${spf.all} lets any host on the internet pass (or be neutral) as a sender for ${domain}.`,
        evidence: { record: spf.record, all: spf.all },
        remediation: 'End the record in -all (or ~all while migrating).',
        references: [REF.rfc7208],
      }),
    );
  }
  if (dmarc.status === 'missing') {
    out.push(
      finding({
        id: 'email.dmarc.missing',
        severity: 'medium',
        title: 'No DMARC record',
        detail: `_dmarc.${domain} has no v=DMARC1 record: receivers get no policy for mail that fails SPF and DKIM.`,
        evidence: { name: `_dmarc.${domain}`, type: 'TXT' },
        remediation: 'Publish `v=DMARC1; p=reject; rua=mailto:…` (start with p=none and a rua address to monitor).',
        references: [REF.rfc7489],
      }),
    );
  } else if (dmarc.status === 'multiple' || dmarc.status === 'invalid') {
    out.push(
      finding({
        id: 'email.dmarc.invalid',
        severity: 'high',
        title: dmarc.status === 'multiple' ? 'More than one DMARC record' : 'DMARC record is invalid',
        detail: dmarc.reason ?? 'Receivers ignore DMARC when more than one record is published (RFC 7489 §6.6.3).',
        evidence: { record: dmarc.record },
        remediation: 'Publish exactly one valid v=DMARC1 record with p=quarantine or p=reject.',
        references: [REF.rfc7489],
      }),
    );
  } else if (dmarc.policy === 'none') {
    out.push(
      finding({
        id: 'email.dmarc.policy-none',
        severity: 'low',
        title: 'DMARC policy is p=none',
        detail: 'Mail failing authentication is only reported, never quarantined or rejected.',
        evidence: { record: dmarc.record, policy: dmarc.policy },
        remediation: 'Move to p=quarantine, then p=reject, once reports show legitimate mail passes.',
        references: [REF.rfc7489],
      }),
    );
  }
  return out;
}

export const emailRecordsProbe = defineProbe<EmailRecordsEvidence>({
  id: 'email-records',
  title: 'Mail DNS records (MX, SPF, DMARC)',
  categories: ['email'],
  scope: 'target',
  section: 'email',
  async collect(ctx) {
    const domain = ctx.target.host;
    if (isIP(domain)) throw new ProbeSkipped('email checks need a domain name, not an IP address');
    const [mxRes, txtRes, dmarcRes] = await Promise.all([
      ctx.resolver.query(domain, 'MX', ctx.signal),
      ctx.resolver.query(domain, 'TXT', ctx.signal),
      ctx.resolver.query(`_dmarc.${domain}`, 'TXT', ctx.signal),
    ]);
    if (mxRes.status === 'error' && txtRes.status === 'error' && dmarcRes.status === 'error') {
      throw new ProbeFailed(`could not resolve the mail records: ${txtRes.reason}`);
    }
    const mx =
      mxRes.status === 'ok'
        ? mxRes.records
            .flatMap((r) => (r.type === 'MX' ? [r] : []))
            .sort((a, b) => a.preference - b.preference || a.exchange.localeCompare(b.exchange))
            .map((r) => ({ host: r.exchange, preference: r.preference, starttls: null, tls: null, dane: null }))
        : [];
    return {
      domain,
      mx,
      mxError: mxRes.status === 'error' ? mxRes.reason : null,
      spf: evaluateSpf(txtRes),
      dmarc: evaluateDmarc(dmarcRes),
    };
  },
  check: (ev) => checkEmailRecords(ev),
  report: (ev) => ({ spf: ev.spf, dmarc: ev.dmarc, mx: ev.mx }),
});
