// The MX hosts' transport: for each MX host of the domain (up to MAX_MX_HOSTS, by preference), the
// SMTP greeting and EHLO keywords, whether STARTTLS is offered, and behind it the same protocol and
// cipher-suite enumeration as tls-protocols/tls-ciphers, the served chains (judged against the MX
// name), the DHE prime, and the host's TLSA records. Judgement lives in src/email/mx-tls.ts.
//
// Connections: every hello is its own SMTP dialogue (greeting, EHLO, STARTTLS), under the
// engine's per-host limit (ctx.withConnection on the MX address). TLS 1.3 groups and TLS 1.2
// curves are not enumerated (a handshake each), nor are the active vulnerability tests: MX
// servers rate-limit and greylist. TLSA records are read at _25._tcp.<mx> (see mx-tls.ts).
import { isIP } from 'node:net';
import { chainInfo, describeServedChain } from '../../cert/chain.js';
import type { TlsaRecordData } from '../../email/dane.js';
import { assessZone, dnssecQueryFromResolver } from '../../email/dnssec.js';
import { mxHosts, mxStatusOf } from '../../email/mx-set.js';
import { checkEmailMx, emailMxReport, type EmailMxEvidence, type MxChainEvidence, type MxHostEvidence, type MxTlsaEvidence, type MxTlsEvidence } from '../../email/mx-tls.js';
import { defineOption, portValue } from '../../engine/options.js';
import { defineTargetProbe, ProbeFailed, ProbeSkipped, type Endpoint, type ProbeContext } from '../../engine/probe.js';
import { smtpBanner, smtpCapabilities } from '../../net/smtp/client.js';
import type { OfferTarget } from '../../net/tls/offer.js';
import { fetchServedChains, type ServedChain } from '../../net/tls/served-chains.js';
import { buildPath } from '../../trust/path.js';
import { collectTlsCiphers } from '../tls/ciphers.js';
import { askDhPrime, suitesToAsk } from '../tls/groups.js';
import { collectTlsProtocols, VERSIONS_BEST_FIRST } from '../tls/protocols.js';
import { emailMxRecordsProbe, needMxSet } from './mx-records.js';

/** MX hosts tested per domain, lowest preference first. */
export const MAX_MX_HOSTS = 10;
export const DEFAULT_SMTP_PORT = 25;

/** --smtp-port: where every MX host's SMTP listens (STARTTLS checks). */
export const smtpPortOption = defineOption<number>({
  flag: '--smtp-port <port>',
  description: 'SMTP port of every MX host for the STARTTLS checks (default 25)',
  default: DEFAULT_SMTP_PORT,
  parse: portValue,
});

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The TLSA records at `name` (asked with DO, so a validating resolver says whether it validated
 * them), and when they came back without AD, the DNSSEC evidence of their zone: DANE counts only
 * on validated records (RFC 7672 §2.2), and AD=0 alone cannot tell an unsigned zone from a
 * resolver that does not validate. The judgement is src/email/mx-tls.ts's.
 */
async function lookupTlsa(ctx: ProbeContext, name: string): Promise<MxTlsaEvidence> {
  let ev: MxTlsaEvidence;
  try {
    const r = await ctx.resolver.query(name, 'TLSA', ctx.signal, { dnssecOk: true });
    if (r.status === 'error') return { name, status: 'error', records: [], authenticated: false, reason: r.reason };
    const records: TlsaRecordData[] =
      r.status === 'ok'
        ? r.records.flatMap((rec) => (rec.type === 'TLSA' ? [{ usage: rec.usage, selector: rec.selector, matchingType: rec.matchingType, data: rec.data }] : []))
        : [];
    ev = { name, status: 'ok', records, authenticated: r.authenticated };
  } catch (err) {
    return { name, status: 'error', records: [], authenticated: false, reason: message(err) };
  }
  if (ev.records.length > 0 && !ev.authenticated) {
    ev.dnssec = await assessZone(name, 'tlsa', dnssecQueryFromResolver(ctx.resolver), { signal: ctx.signal, checkingDisabled: true });
  }
  return ev;
}

/** Trust path and name check of one served chain against the MX host name. */
function judgeChain(ctx: ProbeContext, host: string, chain: ServedChain, index: number): MxChainEvidence {
  const path = buildPath(chain.certificates, ctx.trust, { now: ctx.now() });
  // An unreadable certificate stays out of the facts; the path's errors say why it did not count.
  const { certificates, unreadable } = describeServedChain(chain.certificates, path, { host, now: ctx.now(), index, ocspStapled: chain.ocspStaple !== null });
  return {
    family: chain.family,
    protocol: chain.protocol,
    der: chain.certificates.map((d) => d.toString('base64')),
    certificates,
    chain: chainInfo({ index, requested: chain.family, protocol: chain.protocol, certificates, served: chain.certificates.length, path, unreadable, ocsp: [], ct: null }),
  };
}

/** Protocols, suites, DHE prime and chains behind STARTTLS. */
async function examineTls(ctx: ProbeContext, host: string, ip: string, port: number): Promise<MxTlsEvidence> {
  const target: OfferTarget = { ip, port, servername: host, timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal, starttls: 'smtp' };
  const ev: MxTlsEvidence = { reason: null, protocols: null, ciphers: null, dhPrimeBits: null, dhPrime: null, chains: [], chainAttempts: [] };
  try {
    ev.protocols = await collectTlsProtocols(ctx, target);
  } catch (err) {
    if (!(err instanceof ProbeFailed)) throw err;
    ev.reason = err.message;
    return ev;
  }
  ev.ciphers = await collectTlsCiphers(ctx, target, ev.protocols);
  const version = VERSIONS_BEST_FIRST.find((v) => ev.protocols!.protocols[v] === true);
  const ep: Endpoint = { ip, port, family: isIP(ip) === 6 ? 6 : 4 };
  const dhe = suitesToAsk(ev.ciphers, (s) => s.kx === 'DHE' || (s.kx === 'DH' && s.auth === 'anon'));
  const [chains, dh] = await Promise.all([
    version
      ? fetchServedChains({
          ip,
          port,
          servername: host,
          timeoutMs: ctx.connectTimeoutMs,
          signal: ctx.signal,
          version,
          withConnection: (fn) => ctx.withConnection(ip, fn),
          starttls: 'smtp',
        })
      : null,
    dhe ? askDhPrime(ctx, ep, dhe.version, dhe.suites, target) : null,
  ]);
  if (dh) {
    ev.dhPrimeBits = dh.bits;
    ev.dhPrime = dh.prime ?? null;
  }
  if (!chains) {
    ev.reason = 'no TLS or SSLv3 version accepted: no certificate chain to read';
  } else {
    ev.chainAttempts = chains.attempts.map((a) => `${a.family} ${a.protocol}: ${a.detail}`);
    ev.chains = chains.chains.map((c, i) => judgeChain(ctx, host, c, i));
    if (ev.chains.length === 0) ev.reason = `no certificate chain could be read (${ev.chainAttempts.join('; ')})`;
  }
  return ev;
}

/** What one MX host's SMTP port showed: the same for every domain naming the host (shared work). */
type MxSmtpEvidence = Pick<MxHostEvidence, 'smtp' | 'starttls' | 'reason' | 'tls'>;

/** SMTP capabilities of `host` at `ip`, and (with STARTTLS) the TLS evidence behind it. */
async function examineSmtp(ctx: ProbeContext, host: string, ip: string, port: number): Promise<MxSmtpEvidence> {
  const caps = await ctx.withConnection(ip, () => smtpCapabilities({ ip, port, timeoutMs: ctx.connectTimeoutMs, signal: ctx.signal }), {
    // 421 is how a mail server says "too many connections, come back later" (RFC 5321 §4.2.3).
    feedback: (r) => (r.ok ? 'ok' : r.evidence.greeting?.code === 421 ? 'throttled' : r.kind === 'closed' ? 'reset' : r.kind === 'timeout' ? 'timeout' : null),
  });
  const smtp = caps.evidence;
  const ev: MxSmtpEvidence = {
    smtp: { banner: smtpBanner(smtp), extensions: smtp.extensions.map((e) => e.keyword), starttlsAdvertised: smtp.starttlsAdvertised, ehloName: smtp.ehloName },
    starttls: null,
    reason: null,
    tls: null,
  };
  if (!caps.ok) {
    ev.reason = `SMTP on ${ip} port ${port}: ${caps.reason}`;
    return ev;
  }
  ev.starttls = smtp.starttlsAdvertised;
  if (!ev.starttls) {
    if (smtp.helo) ev.reason = 'EHLO was refused and HELO has no extensions';
    return ev;
  }
  ev.tls = await examineTls(ctx, host, ip, port);
  return ev;
}

/** One MX host: address, SMTP capabilities, and (with STARTTLS) the TLS evidence; never throws for the host's own failures. */
async function examineMx(ctx: ProbeContext, host: string, preference: number, port: number): Promise<MxHostEvidence> {
  // RFC 7672 §2.2: SMTP DANE records live at _25._tcp — delivery to an MX is always port 25;
  // --smtp-port only moves where this scan connects (a lab, a test), not where senders look.
  const tlsaName = `_25._tcp.${host}`;
  const tlsaLoading = lookupTlsa(ctx, tlsaName);
  const ev: MxHostEvidence = {
    host,
    preference,
    port,
    ip: null,
    starttls: null,
    reason: null,
    smtp: null,
    tls: null,
    tlsa: { name: tlsaName, status: 'ok', records: [], authenticated: false },
  };
  try {
    // An MX host is where the domain leads us: held to the address policy (refused = not tested).
    const addr = await ctx.addressOf(host);
    if (!addr.ok) {
      ev.reason = addr.refused ? `not connected: ${addr.reason}` : addr.reason;
      return ev;
    }
    ev.ip = addr.address;
    // The domains of a batch that name this host read one examination of it (a provider's MX is
    // named by thousands): the name, address and port decide everything it finds.
    const ip = addr.address;
    const seen = await ctx.shared(`email-mx|${host}|${ip}|${port}`, (scope) => examineSmtp({ ...ctx, ...scope }, host, ip, port));
    Object.assign(ev, seen);
    return ev;
  } finally {
    ev.tlsa = await tlsaLoading;
  }
}

export const emailMxProbe = defineTargetProbe({
  id: 'email-mx',
  title: 'MX hosts: STARTTLS, TLS, certificates and DANE',
  categories: ['email'],
  scope: 'target',
  section: 'email',
  after: [emailMxRecordsProbe],
  owns: ['mx'],
  options: [smtpPortOption],
  async collect(ctx, deps): Promise<EmailMxEvidence> {
    const domain = ctx.target.host;
    if (isIP(domain)) throw new ProbeSkipped('email checks need a domain name, not an IP address');
    const port = ctx.option(smtpPortOption);
    const mx = needMxSet(deps);
    if (mx.status === 'error') throw new ProbeFailed(`could not look up the MX records of ${domain}: ${mx.reason ?? 'DNS error'}`, 'dns');
    const hosts = mxHosts(mx);
    const ev: EmailMxEvidence = { domain, port, nullMx: mxStatusOf(mx) === 'null-mx', mx: [], omitted: hosts.slice(MAX_MX_HOSTS) };
    ev.mx = await Promise.all(hosts.slice(0, MAX_MX_HOSTS).map((h) => examineMx(ctx, h.host, h.preference, port)));
    return ev;
  },
  check: (ev: EmailMxEvidence) => checkEmailMx(ev),
  fields: (ev) => emailMxReport(ev),
});
