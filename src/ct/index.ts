// Certificate Transparency for the certificate probe: gather the SCTs from the certificate, the TLS
// extension and the stapled OCSP response, verify each against the log list, apply Chrome's policy.
// Malformed input from any source becomes a parseErrors entry; nothing here throws on server bytes.
import { parseCertificate } from '../cert/der.js';
import { operatorAt, type CtLog, type CtLogList } from './log-list.js';
import { evaluateChromePolicy, policyNotEvaluated, type PolicyResult, type PolicySct, type SctSource } from './policy.js';
import { findEmbeddedSctList, MAX_SCTS, parseSctList, unwrapSctExtensionValue, type Sct } from './sct.js';
import { precertEntry, spkiOf, verifySct, x509Entry, type SignedEntry } from './verify.js';

export { CHROME_CT_POLICY, evaluateChromePolicy, type PolicyResult, type SctSource } from './policy.js';
export { loadLogList, parseLogList, CtLogListError, type CtLog, type CtLogList, type CtLogState } from './log-list.js';
export { findEmbeddedSctList, parseSctList, unwrapSctExtensionValue, SCT_LIST_OID, OCSP_SCT_LIST_OID, type Sct } from './sct.js';

export interface EvaluateSctsInput {
  leafDer: Buffer;
  /** The leaf's issuer; needed to check embedded SCTs. */
  issuerDer: Buffer | null;
  /** The issuer's SubjectPublicKeyInfo DER, when known without its certificate; wins over issuerDer. */
  issuerSpkiDer?: Uint8Array | null;
  /** extension_data of the signed_certificate_timestamp TLS extension (the TLS-encoded list). */
  tlsExtension: Uint8Array | null;
  /** From the OCSP SingleResponse extension 1.3.6.1.4.1.11129.2.4.5: its extnValue (DER OCTET STRING) or the bare TLS list. */
  ocspSctList: Uint8Array | null;
  logList: CtLogList;
  now: Date;
}

export interface SctReport {
  /** base64, as in the log list. */
  logId: string;
  logName: string | null;
  operator: string | null;
  logState: string | null;
  source: SctSource;
  /** null: the log is not in the list or the issuer is unknown, so the signature could not be checked. */
  valid: boolean | null;
  /** ISO 8601. */
  timestamp: string;
  error?: string;
}

export interface CtEvaluation {
  scts: SctReport[];
  policy: PolicyResult;
  /** The log list's log_list_timestamp: CT verdicts are only as fresh as this. */
  logListDate: string;
  logListVersion: string | null;
  logListSource: CtLogList['source'];
  parseErrors: string[];
}

const LABEL: Record<SctSource, string> = { certificate: 'certificate', 'tls-extension': 'TLS extension', ocsp: 'OCSP response' };

function sctsFrom(source: SctSource, list: Uint8Array, errors: string[]): Sct[] {
  const parsed = parseSctList(list, MAX_SCTS);
  if (!parsed.ok) {
    errors.push(`${LABEL[source]}: ${parsed.error.message}`);
    return [];
  }
  for (const r of parsed.value.rejected) errors.push(`${LABEL[source]}: SCT #${r.index} skipped: ${r.message}`);
  return parsed.value.scts;
}

/** The OCSP value may arrive wrapped in its extension's OCTET STRING or already bare. */
function ocspList(bytes: Uint8Array): Uint8Array {
  const inner = unwrapSctExtensionValue(bytes);
  return inner.ok && parseSctList(inner.value).ok ? inner.value : bytes;
}

export function evaluateScts(input: EvaluateSctsInput): CtEvaluation {
  const { logList, now } = input;
  const parseErrors: string[] = [];
  const found: Array<{ source: SctSource; sct: Sct }> = [];

  const embedded = findEmbeddedSctList(input.leafDer);
  if (!embedded.ok) parseErrors.push(`certificate: ${embedded.error.message}`);
  else if (embedded.value) for (const sct of sctsFrom('certificate', embedded.value, parseErrors)) found.push({ source: 'certificate', sct });
  if (input.tlsExtension) for (const sct of sctsFrom('tls-extension', input.tlsExtension, parseErrors)) found.push({ source: 'tls-extension', sct });
  if (input.ocspSctList) for (const sct of sctsFrom('ocsp', ocspList(input.ocspSctList), parseErrors)) found.push({ source: 'ocsp', sct });

  // The precert entry is the same for every embedded SCT; build it once, only if needed.
  let precert: { entry: SignedEntry } | { error: string } | undefined;
  const precertFor = () => {
    if (precert) return precert;
    const spki = input.issuerSpkiDer ?? (input.issuerDer ? spkiOf(input.issuerDer) : null);
    if (!spki) {
      if (input.issuerDer) parseErrors.push('issuer certificate: not well-formed DER');
      return (precert = { error: 'issuer unknown, so the embedded SCT cannot be checked' });
    }
    const entry = precertEntry(input.leafDer, spki);
    return (precert = entry.ok ? { entry: entry.value } : { error: `cannot rebuild the precertificate: ${entry.error.message}` });
  };

  const reports: SctReport[] = [];
  const policyScts: PolicySct[] = [];
  for (const { source, sct } of found) {
    const log: CtLog | null = logList.byId.get(sct.logIdBase64) ?? null;
    let valid: boolean | null = null;
    let error: string | undefined;
    if (!log) {
      error = 'log not in the CT log list';
    } else if (sct.timestamp > now.getTime()) {
      valid = false;
      error = 'SCT timestamp is in the future';
    } else {
      const target = source === 'certificate' ? precertFor() : { entry: x509Entry(input.leafDer) };
      if ('error' in target) {
        error = target.error;
      } else {
        const outcome = verifySct(sct, target.entry, log.key);
        valid = outcome.valid;
        if (!outcome.valid) error = outcome.error;
      }
    }
    const report: SctReport = {
      logId: sct.logIdBase64,
      logName: log?.description ?? null,
      operator: log ? operatorAt(log, sct.timestamp) : null,
      logState: log?.state ?? null,
      source,
      valid,
      timestamp: new Date(sct.timestamp).toISOString(),
    };
    if (error) report.error = error;
    reports.push(report);
    policyScts.push({ source, valid, timestamp: sct.timestamp, log });
  }

  const parts = parseCertificate(input.leafDer);
  const policy = parts
    ? evaluateChromePolicy({ scts: policyScts, notBefore: parts.notBefore, notAfter: parts.notAfter, now, logListTimestamp: logList.logListTimestamp })
    : policyNotEvaluated('Not evaluated: the certificate could not be parsed.', now, logList.logListTimestamp);

  return {
    scts: reports,
    policy,
    logListDate: logList.logListTimestamp.toISOString(),
    logListVersion: logList.version,
    logListSource: logList.source,
    parseErrors,
  };
}
