// Throwaway Certificate Transparency logs for the lab and the tests: a P-256 key per log, SCTs
// signed over an x509 or precert entry (RFC 6962 §3.2), and a v3 log list naming the logs, so a
// scan can verify lab SCTs exactly as it verifies real ones (`--ct-log-list`).
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { Sct } from '../ct/sct.js';
import { signedData, type SignedEntry } from '../ct/verify.js';

export interface LabCtLog {
  description: string;
  operator: string;
  privateKey: KeyObject;
  /** SubjectPublicKeyInfo DER. */
  spki: Buffer;
  /** SHA-256 of the SPKI: the log id. */
  logId: Buffer;
}

export function createLabCtLog(description: string, operator: string): LabCtLog {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { description, operator, privateKey, spki, logId: createHash('sha256').update(spki).digest() };
}

const u = (value: number, bytes: number): Buffer => {
  const b = Buffer.alloc(bytes);
  b.writeUIntBE(value, 0, Math.min(bytes, 6));
  return b;
};

/** One serialized SCT (v1) by `log` over `entry` at `timestamp` (ms). */
export function issueSct(log: LabCtLog, entry: SignedEntry, timestamp: number): Buffer {
  const sct: Sct = {
    version: 0,
    logId: log.logId,
    logIdBase64: log.logId.toString('base64'),
    timestamp,
    extensions: new Uint8Array(0),
    hashAlgorithm: 4,
    signatureAlgorithm: 3,
    signature: new Uint8Array(0),
  };
  const data = signedData(sct, entry);
  if (!data) throw new Error('lab CT: entry too large to log');
  const signature = sign('sha256', data, log.privateKey);
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(timestamp));
  return Buffer.concat([Buffer.from([0]), log.logId, ts, u(0, 2), Buffer.from([4, 3]), u(signature.length, 2), signature]);
}

/** SignedCertificateTimestampList (RFC 6962 §3.3): what the TLS extension and OCSP carry. */
export function sctListOf(scts: readonly Buffer[]): Buffer {
  const body = Buffer.concat(scts.map((s) => Buffer.concat([u(s.length, 2), s])));
  return Buffer.concat([u(body.length, 2), body]);
}

/** The extnValue of the certificate / OCSP SCT extension: the list inside a DER OCTET STRING. */
export function sctExtensionValue(list: Buffer): Buffer {
  const len = list.length;
  const header = len < 0x80 ? Buffer.from([0x04, len]) : len < 0x100 ? Buffer.from([0x04, 0x81, len]) : Buffer.from([0x04, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([header, list]);
}

/** A Chrome v3 log list naming `logs` as usable, one operator entry per distinct operator. */
export function labLogListJson(logs: readonly LabCtLog[], timestamp: Date): Record<string, unknown> {
  const operators = [...new Set(logs.map((l) => l.operator))].map((name) => ({
    name,
    email: [`ct@${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.secgrade.test`],
    logs: logs
      .filter((l) => l.operator === name)
      .map((l) => ({
        description: l.description,
        log_id: l.logId.toString('base64'),
        key: l.spki.toString('base64'),
        url: `https://${l.description.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.secgrade.test/`,
        mmd: 86400,
        state: { usable: { timestamp: new Date(timestamp.getTime() - 86_400_000).toISOString() } },
      })),
    tiled_logs: [],
  }));
  return { version: 'lab', log_list_timestamp: timestamp.toISOString(), operators };
}
