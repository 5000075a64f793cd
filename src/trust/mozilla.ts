// Mozilla's root store as shipped in data/mozilla-roots.json (generated from NSS's certdata.txt by
// scripts/gen-trust-store.mjs): each root with its trust bits and server distrust-after date.
// Read by src/data/reference.ts on first use (decoding ~170 certificates costs tens of milliseconds),
// which keeps it for the process.
import { readFileSync } from 'node:fs';
import { shippedDataFile } from '../data/paths.js';

export interface MozillaRoot {
  /** NSS's CKA_LABEL, e.g. "ISRG Root X1". */
  label: string;
  /** SHA-256 of the DER, lower-case hex. */
  sha256: string;
  der: Buffer;
  /** CKA_TRUST_SERVER_AUTH is CKT_NSS_TRUSTED_DELEGATOR. */
  serverAuth: boolean;
  emailProtection: boolean;
  /** TLS certificates whose notBefore is later than this are not trusted through this root. */
  serverDistrustAfter: Date | null;
}

export interface MozillaSnapshot {
  /** Source file name and its SHA-256. */
  file: string;
  sha256: string;
  /** NSS release the certdata.txt came with, e.g. "3.124"; null when not recorded. */
  nssVersion: string | null;
  /** Version of NSS's builtins module (nssckbi), e.g. "2.86". */
  builtinsVersion: string | null;
  /** Date the root list last changed (YYYY-MM-DD), the snapshot's own date. */
  lastChanged: string | null;
  /** When the JSON was generated (ISO). */
  generated: string;
  roots: readonly MozillaRoot[];
}

interface RootsJson {
  source: {
    file: string;
    sha256: string;
    nssVersion: string | null;
    builtinsVersion?: string | null;
    lastChanged?: string | null;
    generated: string;
  };
  roots: Array<{ label: string; sha256: string; der: string; serverAuth: boolean; emailProtection: boolean; serverDistrustAfter: string | null }>;
}

export const MOZILLA_ROOTS_FILE = 'mozilla-roots.json';

/** Parse a mozilla-roots.json document. Throws on a malformed file. */
export function parseMozillaRoots(text: string): MozillaSnapshot {
  const doc = JSON.parse(text) as RootsJson;
  if (!doc?.source || !Array.isArray(doc.roots)) throw new Error(`${MOZILLA_ROOTS_FILE}: not a root list`);
  const roots = doc.roots.map((r): MozillaRoot => {
    const der = Buffer.from(r.der, 'base64');
    return {
      label: r.label,
      sha256: r.sha256,
      der,
      serverAuth: r.serverAuth === true,
      emailProtection: r.emailProtection === true,
      serverDistrustAfter: r.serverDistrustAfter ? new Date(r.serverDistrustAfter) : null,
    };
  });
  const s = doc.source;
  return {
    file: s.file,
    sha256: s.sha256,
    nssVersion: s.nssVersion ?? null,
    builtinsVersion: s.builtinsVersion ?? null,
    lastChanged: s.lastChanged ?? null,
    generated: s.generated,
    roots,
  };
}

/** The shipped snapshot, read and parsed. Throws if the file is missing or malformed. */
export function readMozillaRoots(): MozillaSnapshot {
  return parseMozillaRoots(readFileSync(shippedDataFile(MOZILLA_ROOTS_FILE), 'utf8'));
}

/** "NSS 3.124 (builtins 2.86, 2026-04-09)" for reports and descriptions. */
export function describeSnapshot(s: Pick<MozillaSnapshot, 'nssVersion' | 'builtinsVersion' | 'lastChanged'>): string {
  const parts = [s.builtinsVersion && `builtins ${s.builtinsVersion}`, s.lastChanged].filter(Boolean);
  const head = s.nssVersion ? `NSS ${s.nssVersion}` : 'NSS certdata';
  return parts.length ? `${head} (${parts.join(', ')})` : head;
}
