// Trust anchors for chain verification: Mozilla's roots with their trust bits (the certdata
// snapshot in data/mozilla-roots.json) plus the user's --ca-file. Node's bundled
// tls.rootCertificates stand in only when the snapshot cannot be loaded: they lack trust bits and
// distrust dates, so every one of them counts as a server-auth anchor.
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { decodeCertificate, type DecodedCertificate } from '../cert/decode.js';
import { ATTRIBUTE, attributeValues } from '../cert/name.js';
import { describeSnapshot, readMozillaRoots, type MozillaSnapshot } from './mozilla.js';

export type AnchorSource = 'mozilla' | 'ca-file' | 'node';

export interface Anchor {
  der: Buffer;
  /** The anchor certificate as our DER reader sees it (path validation checks it like any other). */
  cert: DecodedCertificate;
  label: string;
  source: AnchorSource;
  /** May anchor TLS server certificates (Mozilla's server-auth trust bit; --ca-file roots always). */
  serverAuth: boolean;
  /** Leaves with a notBefore after this date are not trusted through this anchor. */
  serverDistrustAfter: Date | null;
}

/** What the path builder needs: all anchors, and the anchors that may have issued a given name. */
export interface AnchorSet {
  anchors(): readonly Anchor[];
  /** Anchors whose subject equals a name with this key (`DecodedCertificate.issuerKey`; RFC 5280 §7.1 equality). */
  anchorsFor(nameKey: string): readonly Anchor[];
}

/** Whether a trust anchor could have issued `der` (by name): AIA fetching stops there. */
export function issuedByAnchorName(store: AnchorSet, der: Buffer): boolean {
  const d = decodeCertificate(der);
  return d.ok && store.anchorsFor(d.cert.issuerKey).length > 0;
}

export interface TrustStore extends AnchorSet {
  /** Anchors added to Node's bundled Mozilla roots (--ca-file), as PEM. */
  readonly extraCaPem: readonly string[];
  /** Anchors added by the user (--ca-file), for display. */
  readonly extraAnchors: readonly DecodedCertificate[];
  readonly description: string;
  /** The Mozilla snapshot behind anchors(), or null when Node's bundled roots stood in for it. */
  snapshot(): Omit<MozillaSnapshot, 'roots'> | null;
}

export interface TrustStoreOptions {
  /** Source of Mozilla's roots; defaults to the shipped snapshot. Throwing selects Node's roots. */
  mozilla?: () => MozillaSnapshot;
}

export class TrustStoreError extends Error {
  override name = 'TrustStoreError';
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const MAX_CA_FILE_BYTES = 8 * 1024 * 1024;

/** One-line CN (or the whole subject) as an anchor's label. */
function labelOf(cert: DecodedCertificate): string {
  return attributeValues(cert.subject, ATTRIBUTE.commonName)[0] ?? (cert.subjectText || '(empty subject)');
}

/** A certificate our DER reader cannot read cannot anchor anything. */
export function decodeAnchor(input: X509Certificate | Uint8Array): DecodedCertificate {
  const d = decodeCertificate(input instanceof X509Certificate ? input.raw : input);
  if (!d.ok) throw new TrustStoreError(`trust anchor: ${d.error}`);
  return d.cert;
}

export function anchorFromCertificate(
  input: X509Certificate | Uint8Array | DecodedCertificate,
  meta: { source: AnchorSource; label?: string; serverAuth?: boolean; serverDistrustAfter?: Date | null },
): Anchor {
  const cert = 'tbs' in input ? input : decodeAnchor(input);
  return {
    der: cert.der,
    cert,
    label: meta.label ?? labelOf(cert),
    source: meta.source,
    serverAuth: meta.serverAuth ?? true,
    serverDistrustAfter: meta.serverDistrustAfter ?? null,
  };
}

/** An AnchorSet over a fixed list (also how tests build anchors with chosen trust bits). */
export function createAnchorSet(list: readonly Anchor[]): AnchorSet {
  const bySubject = new Map<string, Anchor[]>();
  for (const a of list) {
    const key = a.cert.subjectKey;
    const group = bySubject.get(key);
    if (group) group.push(a);
    else bySubject.set(key, [a]);
  }
  return { anchors: () => list, anchorsFor: (key) => bySubject.get(key) ?? [] };
}

export function createTrustStore(extraPem: readonly string[] = [], opts: TrustStoreOptions = {}): TrustStore {
  const extraAnchors = extraPem.map((pem) => decodeAnchor(pemToDer(pem)));
  let loaded: { set: AnchorSet; snapshot: MozillaSnapshot | null; base: string } | null = null;
  // The snapshot is read on first use: scans that never look at a chain do not pay for it.
  const load = () => {
    if (loaded) return loaded;
    const extras = extraAnchors.map((cert) => anchorFromCertificate(cert, { source: 'ca-file' }));
    let snapshot: MozillaSnapshot | null = null;
    let base: Anchor[];
    let text: string;
    try {
      snapshot = (opts.mozilla ?? readMozillaRoots)();
      base = snapshot.roots.flatMap((r) => {
        const d = decodeCertificate(r.der);
        return d.ok ? [anchorFromCertificate(d.cert, { source: 'mozilla', label: r.label, serverAuth: r.serverAuth, serverDistrustAfter: r.serverDistrustAfter })] : [];
      });
      text = `${snapshot.roots.length} Mozilla roots, ${base.filter((a) => a.serverAuth).length} trusted for TLS, from ${describeSnapshot(snapshot)}`;
    } catch {
      base = rootCertificates.flatMap((pem) => {
        const d = decodeCertificate(pemToDer(pem));
        return d.ok ? [anchorFromCertificate(d.cert, { source: 'node' })] : [];
      });
      text = `${rootCertificates.length} Mozilla roots (Node ${process.versions.node}, without trust bits)`;
    }
    // --ca-file first: the user's explicit trust is tried before a Mozilla copy of the same root.
    loaded = { set: createAnchorSet([...extras, ...base]), snapshot, base: text };
    return loaded;
  };
  return {
    extraCaPem: extraPem,
    extraAnchors,
    get description() {
      return load().base + (extraPem.length ? ` + ${extraPem.length} from --ca-file` : '');
    },
    anchors: () => load().set.anchors(),
    anchorsFor: (key) => load().set.anchorsFor(key),
    snapshot: () => {
      const s = load().snapshot;
      if (!s) return null;
      const { roots: _roots, ...info } = s;
      return info;
    },
  };
}

/** Read a PEM bundle; every certificate in it must parse. Throws TrustStoreError with one line. */
export async function loadCaFile(path: string): Promise<string[]> {
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_CA_FILE_BYTES) throw new TrustStoreError(`--ca-file ${path}: larger than 8 MiB`);
    text = buf.toString('utf8');
  } catch (err) {
    if (err instanceof TrustStoreError) throw err;
    throw new TrustStoreError(`--ca-file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const pems = text.match(PEM_CERT) ?? [];
  if (pems.length === 0) throw new TrustStoreError(`--ca-file ${path}: no PEM certificate found`);
  for (const [i, pem] of pems.entries()) {
    const d = decodeCertificate(pemToDer(pem));
    if (!d.ok) throw new TrustStoreError(`--ca-file ${path}: certificate #${i + 1} does not parse (${d.error})`);
  }
  return pems;
}

/** The DER inside one PEM CERTIFICATE block. */
function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64');
}
