// Rebuild what a log signed for an embedded SCT (RFC 6962 §3.2, precert_entry): the final
// certificate's TBSCertificate with the SCT-list extension taken out. A bounded DER splice: find the
// Extension, cut it, and re-encode the lengths of the Extensions SEQUENCE, its [3] wrapper and the
// TBSCertificate (dropping [3] when nothing is left in it, as a TBS without extensions has none).
import { concatBytes, encodeOidContent, encodeTlv, findExtensions, parseCertificate, TAG } from '../cert/der.js';
import { SCT_LIST_OID, type Result } from './sct.js';

const SCT_LIST_OID_CONTENT = encodeOidContent(SCT_LIST_OID);

/** The precertificate TBSCertificate DER; the TBS unchanged when the certificate has no SCT list. */
export function precertTbs(certDer: Uint8Array): Result<Uint8Array> {
  const parts = parseCertificate(certDer);
  if (!parts) return { ok: false, error: { code: 'bad-certificate', message: 'certificate is not well-formed DER' } };
  const found = findExtensions(certDer, parts, SCT_LIST_OID_CONTENT);
  if (!found) return { ok: false, error: { code: 'bad-certificate', message: 'certificate extensions are not well-formed DER' } };
  if (found.length > 1) return { ok: false, error: { code: 'duplicate-extension', message: 'certificate carries the SCT list extension more than once' } };
  const { tbs, extensions, extensionsWrapper } = parts;
  const hit = found[0];
  if (!hit || !extensions || !extensionsWrapper) return { ok: true, value: certDer.slice(tbs.headerStart, tbs.end) };
  const remaining = concatBytes([certDer.subarray(extensions.start, hit.tlv.headerStart), certDer.subarray(hit.tlv.end, extensions.end)]);
  const wrapper = remaining.length === 0 ? new Uint8Array(0) : encodeTlv(TAG.CTX3, encodeTlv(TAG.SEQUENCE, remaining));
  return {
    ok: true,
    value: encodeTlv(
      TAG.SEQUENCE,
      certDer.subarray(tbs.start, extensionsWrapper.headerStart),
      wrapper,
      certDer.subarray(extensionsWrapper.end, tbs.end),
    ),
  };
}

/** A certificate's SubjectPublicKeyInfo DER (what issuer_key_hash is computed over), or null. */
export function spkiOf(certDer: Uint8Array): Uint8Array | null {
  const parts = parseCertificate(certDer);
  return parts ? certDer.slice(parts.spki.headerStart, parts.spki.end) : null;
}
