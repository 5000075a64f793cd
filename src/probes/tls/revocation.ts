// Revocation of the server certificate, checked by default as SSL Labs does: the stapled OCSP
// response first, then the CA's OCSP responder (AIA), then its CRL (CRL Distribution Points, http
// only). The first usable answer (signed by the issuer, fresh, about this certificate) decides.
// Responders and CRL servers are third parties the certificate leads us to: each request is held
// to the address policy, has its own short deadline and the scan's abort signal, and none is made
// with --no-phone-out. What could not be learnt is said (`notChecked`), never guessed.
import { crlDistributionUrls, evaluateCrl, MAX_CRL_BYTES } from '../../cert/crl.js';
import type { OcspEvaluation } from '../../cert/ocsp.js';
import type { ProbeContext } from '../../engine/probe.js';
import type { ChainInfo, RevocationInfo } from '../../model/report.js';
import { fetchCrl } from '../../net/crl-client.js';
import { AddressRefused } from '../../net/http/capped-fetch.js';
import { queryOcsp } from '../../net/ocsp-client.js';

type OcspStatus = ChainInfo['ocsp'][number];
type CrlStatus = NonNullable<RevocationInfo['crl']>;
type OcspModule = typeof import('../../cert/ocsp.js');

/** Deadlines of the third-party requests, each on its own (a CRL can be a few MiB). */
export const OCSP_DEADLINE_MS = 5_000;
export const CRL_DEADLINE_MS = 10_000;
export const AIA_DEADLINE_MS = 5_000;
/** CRL Distribution Points tried, in the certificate's order, until one gives a usable CRL. */
const MAX_CRL_URLS = 2;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The host a URL names, for the per-host connection limit; a URL that does not parse fails later, in the fetch. */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

/** Resolve a third-party URL's host (or vet its IP literal) through the scan's resolver and address policy. */
export function lookupVia(ctx: ProbeContext) {
  return async (hostname: string): Promise<string> => {
    const r = await ctx.addressOf(hostname);
    if (!r.ok) throw r.refused ? new AddressRefused(r.reason) : new Error(r.reason);
    return r.address;
  };
}

/** The report's OCSP entry from an evaluation. */
export function ocspStatusOf(source: OcspStatus['source'], ev: OcspEvaluation, url?: string): OcspStatus {
  const usable = ev.responseStatus === 'successful' && ev.certStatus !== null;
  const parts: string[] = [];
  if (ev.responseStatus !== 'successful') parts.push(`response status ${ev.responseStatus ?? 'unreadable'}`);
  else if (ev.certStatus === null) parts.push('no response for this certificate in it');
  else parts.push(`${ev.certStatus}${ev.revocationReason ? ` (${ev.revocationReason})` : ''}`);
  if (usable && !ev.fresh) parts.push('stale');
  if (ev.signature.valid === false) parts.push(`bad signature: ${ev.signature.detail}`);
  if (ev.signature.valid === null && usable) parts.push(`signature not checked: ${ev.signature.detail}`);
  parts.push(...ev.errors);
  return {
    source,
    ...(url ? { url } : {}),
    status: usable ? ev.certStatus : null,
    revokedAt: ev.revokedAt?.toISOString() ?? null,
    thisUpdate: ev.thisUpdate?.toISOString() ?? null,
    nextUpdate: ev.nextUpdate?.toISOString() ?? null,
    fresh: usable ? ev.fresh : null,
    signatureValid: ev.signature.valid,
    detail: parts.join('; '),
  };
}

/** An OCSP answer that decides: good or revoked, signed by the issuer (or its delegate), fresh. */
const decisive = (o: OcspStatus): o is OcspStatus & { status: 'good' | 'revoked' } =>
  (o.status === 'good' || o.status === 'revoked') && o.signatureValid === true && o.fresh === true;

const notChecked = (why: NonNullable<RevocationInfo['notChecked']>, detail: string, crl: CrlStatus | null = null): RevocationInfo => ({
  checked: false, method: null, status: null, revokedAt: null, notChecked: why, detail, crl,
});

function fromOcsp(o: OcspStatus & { status: 'good' | 'revoked' }, method: 'stapled' | 'ocsp-responder'): RevocationInfo {
  const where = method === 'stapled' ? 'the stapled OCSP response' : `the OCSP responder ${o.url ?? ''}`;
  const said = o.status === 'revoked' ? `revoked${o.revokedAt ? ` on ${o.revokedAt}` : ''} (${o.detail})` : 'good';
  return { checked: true, method, status: o.status, revokedAt: o.status === 'revoked' ? (o.revokedAt ?? null) : null, notChecked: null, detail: `checked with ${where}: ${said}`, crl: null };
}

async function askResponder(ctx: ProbeContext, lib: OcspModule, url: string, leafDer: Buffer, issuerDer: Buffer, now: Date): Promise<OcspStatus> {
  const failed = (detail: string): OcspStatus => ({ source: 'responder', url, status: null, revokedAt: null, thisUpdate: null, nextUpdate: null, fresh: null, signatureValid: null, detail });
  let request: Buffer;
  try {
    // A certificate our DER reader accepts may still be one the ASN.1 library cannot build a CertID from.
    request = lib.buildOcspRequest(leafDer, issuerDer);
  } catch (err) {
    return failed(`no request could be built: ${message(err)}`);
  }
  const answer = await ctx.withConnection(hostOf(url), () => queryOcsp(url, request, { signal: ctx.signal, timeoutMs: OCSP_DEADLINE_MS, lookup: lookupVia(ctx) }));
  if (!answer.ok) return failed(`could not ask: ${answer.reason}`);
  try {
    return ocspStatusOf('responder', lib.evaluateOcspResponse(answer.der, { leafDer, issuerDer, now }), url);
  } catch (err) {
    return failed(`could not be evaluated: ${message(err)}`);
  }
}

async function readCrl(ctx: ProbeContext, url: string, leafDer: Buffer, issuerDer: Buffer, now: Date): Promise<CrlStatus> {
  const none = { status: null, revokedAt: null, revocationReason: null, thisUpdate: null, nextUpdate: null, fresh: null, signatureValid: null, entries: null };
  const got = await ctx.withConnection(hostOf(url), () => fetchCrl(url, { signal: ctx.signal, timeoutMs: CRL_DEADLINE_MS, maxBytes: MAX_CRL_BYTES, lookup: lookupVia(ctx) }));
  if (!got.ok) return { url, ...none, detail: `could not download: ${got.reason}` };
  const ev = evaluateCrl(got.der, { leafDer, issuerDer, now });
  const said = ev.status === 'revoked' ? `lists it as revoked${ev.revocationReason ? ` (${ev.revocationReason})` : ''}` : ev.status === 'good' ? 'does not list it' : `not used: ${ev.errors.join('; ')}`;
  return {
    url,
    status: ev.status,
    revokedAt: ev.revokedAt?.toISOString() ?? null,
    revocationReason: ev.revocationReason,
    thisUpdate: ev.thisUpdate?.toISOString() ?? null,
    nextUpdate: ev.nextUpdate?.toISOString() ?? null,
    fresh: ev.fresh,
    signatureValid: ev.signatureValid,
    entries: ev.entries,
    detail: `${ev.entries ?? 0} entr${ev.entries === 1 ? 'y' : 'ies'}; ${said}`,
  };
}

export interface RevocationInput {
  leafDer: Buffer;
  /** The issuer on the built path (served or fetched via AIA), null when unknown. */
  issuerDer: Buffer | null;
  leafReadable: boolean;
  staple: Buffer | null;
  now: Date;
  /** False with --no-phone-out: no responder or CRL server is contacted. */
  phoneOut: boolean;
}

export interface RevocationOutcome {
  /** Every OCSP answer seen (the staple, the responder). */
  ocsp: OcspStatus[];
  /** The staple's evaluation (its SCTs feed CT), when one was stapled. */
  stapled: OcspEvaluation | null;
  revocation: RevocationInfo;
}

export async function checkRevocation(ctx: ProbeContext, lib: OcspModule, i: RevocationInput): Promise<RevocationOutcome> {
  const ocsp: OcspStatus[] = [];
  let stapled: OcspEvaluation | null = null;
  const done = (revocation: RevocationInfo): RevocationOutcome => ({ ocsp, stapled, revocation });
  if (!i.leafReadable) return done(notChecked('leaf-unreadable', 'not checked: the server certificate cannot be read'));
  if (i.staple) {
    try {
      stapled = lib.evaluateOcspResponse(i.staple, { leafDer: i.leafDer, issuerDer: i.issuerDer, now: i.now });
      ocsp.push(ocspStatusOf('stapled', stapled));
    } catch (err) {
      ocsp.push({ source: 'stapled', status: null, revokedAt: null, thisUpdate: null, nextUpdate: null, fresh: null, signatureValid: null, detail: `could not be evaluated: ${message(err)}` });
    }
    const staple = ocsp[0]!;
    if (decisive(staple)) return done(fromOcsp(staple, 'stapled'));
  }
  const stapleNote = i.staple ? ` (the staple was not usable: ${ocsp[0]!.detail})` : '';
  if (!i.phoneOut) return done(notChecked('phone-out-disabled', `not checked: --no-phone-out forbids asking the CA's OCSP responder or CRL server${stapleNote}`));
  if (!i.issuerDer) return done(notChecked('no-issuer', `not checked: the issuer certificate is unknown, so no OCSP request can be made nor a CRL signature checked${stapleNote}`));
  const responders = lib.ocspResponderUrls(i.leafDer);
  const crlUrls = crlDistributionUrls(i.leafDer).slice(0, MAX_CRL_URLS);
  if (responders.length === 0 && crlUrls.length === 0) {
    return done(notChecked('no-pointers', `not checked: the certificate names no http OCSP responder and no http CRL${stapleNote}`));
  }
  const failures: string[] = i.staple ? [`staple: ${ocsp[0]!.detail}`] : [];
  const url = responders[0];
  if (url) {
    const answer = await askResponder(ctx, lib, url, i.leafDer, i.issuerDer, i.now);
    ocsp.push(answer);
    if (decisive(answer)) return done(fromOcsp(answer, 'ocsp-responder'));
    failures.push(`OCSP responder ${url}: ${answer.detail}`);
  }
  let lastCrl: CrlStatus | null = null;
  for (const crlUrl of crlUrls) {
    if (ctx.signal.aborted) break;
    const crl = await readCrl(ctx, crlUrl, i.leafDer, i.issuerDer, i.now);
    lastCrl = crl;
    if (crl.status !== null) {
      const said = crl.status === 'revoked' ? `revoked${crl.revokedAt ? ` on ${crl.revokedAt}` : ''}${crl.revocationReason ? ` (${crl.revocationReason})` : ''}` : 'good (not listed)';
      return done({ checked: true, method: 'crl', status: crl.status, revokedAt: crl.revokedAt, notChecked: null, detail: `checked with the CRL ${crlUrl}: ${said}`, crl });
    }
    failures.push(`CRL ${crlUrl}: ${crl.detail}`);
  }
  return done(notChecked('unreachable', `not checked: no usable answer (${failures.join('; ')})`, lastCrl));
}
