#!/usr/bin/env node
// Generates data/mozilla-roots.json from NSS's certdata.txt (data/mozilla-certdata.txt, see
// data/PROVENANCE.md): every built-in root with its Mozilla trust bits and server distrust-after
// date, which Node's bare tls.rootCertificates lacks. Plain Node, no dependencies. The roots and
// their facts depend only on the input; `generated` is the one timestamp, and it is kept from the
// existing output when nothing else changed, so a re-run leaves the file untouched.
//
//   node scripts/gen-trust-store.mjs              regenerate data/mozilla-roots.json
//   node scripts/gen-trust-store.mjs --out FILE   write the JSON to FILE instead
//   node scripts/gen-trust-store.mjs --in FILE    read another certdata.txt
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'data');

// CK_TRUST values: only TRUSTED_DELEGATOR makes a root an anchor for that purpose; MUST_VERIFY_TRUST
// (present, no trust) and NOT_TRUSTED (explicitly distrusted) both mean "not an anchor".
const TRUSTED_DELEGATOR = 'CKT_NSS_TRUSTED_DELEGATOR';

function parseArgs(argv) {
  const out = { input: join(DATA, 'mozilla-certdata.txt'), output: join(DATA, 'mozilla-roots.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if ((a === '--out' || a === '--in') && !v) throw new Error(`${a} needs a file`);
    if (a === '--out') out.output = resolve(argv[++i]);
    else if (a === '--in') out.input = resolve(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

/** "\060\202..." lines → bytes. */
function octalBytes(lines) {
  const bytes = [];
  for (const line of lines) {
    for (const m of line.matchAll(/\\([0-7]{3})/g)) bytes.push(parseInt(m[1], 8));
  }
  return Buffer.from(bytes);
}

/** A UTF8 attribute value: "text" with \" and \ooo escapes. */
function utf8Value(raw) {
  const m = /^"(.*)"$/.exec(raw.trim());
  if (!m) return raw.trim();
  const bytes = [];
  const s = m[1];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && /^[0-7]{3}$/.test(s.slice(i + 1, i + 4))) {
      bytes.push(parseInt(s.slice(i + 1, i + 4), 8));
      i += 3;
    } else if (s[i] === '\\' && i + 1 < s.length) {
      bytes.push(...Buffer.from(s[++i], 'utf8'));
    } else bytes.push(...Buffer.from(s[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The objects after BEGINDATA, each a map of attribute → { type, value } (value: string or Buffer). */
export function parseObjects(text) {
  const lines = text.split(/\r?\n/);
  const begin = lines.findIndex((l) => l.trim() === 'BEGINDATA');
  if (begin < 0) throw new Error('certdata: no BEGINDATA line');
  const objects = [];
  let current = null;
  for (let i = begin + 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(CKA_\w+)\s+(\w+)\s*(.*)$/.exec(line);
    if (!m) throw new Error(`certdata line ${i + 1}: cannot parse "${line.slice(0, 60)}"`);
    const [, attr, type, rest] = m;
    let value;
    if (type === 'MULTILINE_OCTAL') {
      const body = [];
      while (++i < lines.length && lines[i].trim() !== 'END') body.push(lines[i]);
      if (i >= lines.length) throw new Error(`certdata: ${attr} without END`);
      value = octalBytes(body);
    } else if (type === 'UTF8') value = utf8Value(rest);
    else value = rest.trim();
    if (attr === 'CKA_CLASS') objects.push((current = new Map()));
    if (!current) throw new Error(`certdata line ${i + 1}: attribute before CKA_CLASS`);
    current.set(attr, { type, value });
  }
  return objects;
}

/** UTCTime "241130235959Z" or GeneralizedTime "20241130235959Z" → ISO string. */
function asn1TimeToIso(text) {
  let m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  let year;
  if (m) year = Number(m[1]) < 50 ? 2000 + Number(m[1]) : 1900 + Number(m[1]);
  else {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!m) throw new Error(`certdata: unexpected distrust-after time "${text}"`);
    year = Number(m[1]);
  }
  const [mo, d, h, mi, s] = m.slice(2).map(Number);
  return new Date(Date.UTC(year, mo - 1, d, h, mi, s)).toISOString();
}

function distrustAfter(attr) {
  if (!attr) return null;
  if (attr.type === 'CK_BBOOL') return null; // CK_FALSE: no distrust date
  if (attr.type !== 'MULTILINE_OCTAL') throw new Error(`certdata: distrust-after of type ${attr.type}`);
  return asn1TimeToIso(attr.value.toString('latin1'));
}

const sha = (alg, buf) => createHash(alg).update(buf).digest('hex');
const issuerSerialKey = (o) => {
  const issuer = o.get('CKA_ISSUER')?.value;
  const serial = o.get('CKA_SERIAL_NUMBER')?.value;
  return issuer && serial ? `${issuer.toString('hex')}/${serial.toString('hex')}` : null;
};

/**
 * The NSS version, when the input says it: older certdata.txt files carried version comments;
 * current ones do not, so data/PROVENANCE.md's row is used when its sha256 matches the input.
 */
function versions(text, sha256, provenance) {
  const inFile = /NSS_BUILTINS_LIBRARY_VERSION\s+"?([\d.]+)|^#.*\bNSS\s+([\d.]+)/m.exec(text);
  if (inFile) return { nssVersion: inFile[1] ?? inFile[2], builtinsVersion: null, lastChanged: null };
  const row = provenance?.split('\n').find((l) => l.startsWith('| mozilla-certdata.txt ') && l.includes(sha256));
  if (!row) return { nssVersion: null, builtinsVersion: null, lastChanged: null };
  return {
    nssVersion: /\(NSS ([\d.]+)\)/.exec(row)?.[1] ?? null,
    builtinsVersion: /builtins ([\d.]+)/.exec(row)?.[1] ?? null,
    lastChanged: /last changed (\d{4}-\d{2}-\d{2})/.exec(row)?.[1] ?? null,
  };
}

/** ISO strings sort by time; null means "no date". */
const earliest = (a, b) => (a && b ? (a < b ? a : b) : (a ?? b));

/**
 * certdata.txt text → the JSON document (without `source.generated`). Trust objects are matched to
 * certificates by SHA-1 of the DER, else by issuer + serial; a certificate with no trust object is
 * kept with every trust bit false. The server distrust-after date is read from the certificate
 * object and from the trust object (newer files put some there, e.g. Izenpe.com's); the earlier wins.
 */
export function buildRoots(text, { file = 'mozilla-certdata.txt', provenance = null } = {}) {
  const objects = parseObjects(text);
  const certs = objects.filter((o) => o.get('CKA_CLASS')?.value === 'CKO_CERTIFICATE');
  const trusts = objects.filter((o) => ['CKO_NSS_TRUST', 'CKO_TRUST'].includes(o.get('CKA_CLASS')?.value));
  const bySha1 = new Map();
  const byIssuerSerial = new Map();
  for (const t of trusts) {
    const h = t.get('CKA_CERT_SHA1_HASH')?.value ?? t.get('CKA_CERT_HASH')?.value;
    if (Buffer.isBuffer(h)) bySha1.set(h.toString('hex'), t);
    const k = issuerSerialKey(t);
    if (k) byIssuerSerial.set(k, t);
  }
  const roots = certs.map((c) => {
    const der = c.get('CKA_VALUE')?.value;
    if (!Buffer.isBuffer(der)) throw new Error(`certdata: certificate "${c.get('CKA_LABEL')?.value}" without CKA_VALUE`);
    const trust = bySha1.get(sha('sha1', der)) ?? byIssuerSerial.get(issuerSerialKey(c));
    return {
      label: String(c.get('CKA_LABEL')?.value ?? ''),
      sha256: sha('sha256', der),
      der: der.toString('base64'),
      serverAuth: trust?.get('CKA_TRUST_SERVER_AUTH')?.value === TRUSTED_DELEGATOR,
      emailProtection: trust?.get('CKA_TRUST_EMAIL_PROTECTION')?.value === TRUSTED_DELEGATOR,
      serverDistrustAfter: earliest(
        distrustAfter(c.get('CKA_NSS_SERVER_DISTRUST_AFTER')),
        distrustAfter(trust?.get('CKA_NSS_SERVER_DISTRUST_AFTER')),
      ),
    };
  });
  const sha256 = sha('sha256', Buffer.from(text, 'utf8'));
  return { source: { file, sha256, ...versions(text, sha256, provenance) }, roots };
}

/** One root per line keeps diffs of the committed JSON readable. */
export function serialize(doc) {
  const head = JSON.stringify({ source: doc.source }, null, 2).replace(/\n}$/, '');
  const roots = doc.roots.map((r) => `    ${JSON.stringify(r)}`).join(',\n');
  return `${head},\n  "roots": [\n${roots}\n  ]\n}\n`;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const text = readFileSync(args.input, 'utf8');
  const provenancePath = join(dirname(args.input), 'PROVENANCE.md');
  const provenance = existsSync(provenancePath) ? readFileSync(provenancePath, 'utf8') : null;
  const doc = buildRoots(text, { file: basename(args.input), provenance });
  let generated = new Date().toISOString();
  if (existsSync(args.output)) {
    try {
      const old = JSON.parse(readFileSync(args.output, 'utf8'));
      const { generated: oldGenerated, ...oldSource } = old.source ?? {};
      if (oldGenerated && JSON.stringify({ ...old, source: oldSource }) === JSON.stringify(doc)) generated = oldGenerated;
    } catch {
      // an unreadable old file is simply replaced
    }
  }
  const out = { source: { ...doc.source, generated }, roots: doc.roots };
  writeFileSync(args.output, serialize(out));
  const server = doc.roots.filter((r) => r.serverAuth);
  process.stderr.write(
    `${args.output}: ${doc.roots.length} roots, ${server.length} trusted for server auth, ` +
      `${doc.roots.filter((r) => r.serverDistrustAfter).length} with a server distrust-after date ` +
      `(${server.filter((r) => r.serverDistrustAfter).length} of them trusted for server auth)\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
