// Property test of the certificate reader and the path builder on mutated chains: byte flips,
// truncations, inserted bytes, length edits and swapped TLVs in each certificate of a valid chain.
// decodeCertificate, buildPath and describeServedChain never throw, and a change inside a signed
// TBSCertificate never leaves a trusted path (it breaks the signature or the structure).
// Seeded (SECGRADE_FUZZ_SEED=<n> replays a run; the seed is logged), bounded to a few seconds.
import { describe, expect, it } from 'vitest';
import { decodeCertificate } from '../../src/cert/decode.js';
import { describeServedChain } from '../../src/cert/chain.js';
import { buildPath } from '../../src/trust/path.js';
import { anchorFromCertificate, createAnchorSet } from '../../src/trust/store.js';
import { chain, gn, ext, key, NOW, type Chain } from '../helpers/x509-pki.js';
import { prng } from '../helpers/prng.js';

const SEED = Number(process.env.SECGRADE_FUZZ_SEED ?? 0x5ec6ade);
const PER_CERTIFICATE = 400;

interface Node {
  /** Offsets of the tag, the value and the end. */
  at: number;
  start: number;
  end: number;
  children: Node[];
}

/** Every TLV of a DER value, constructed ones opened (BIT/OCTET STRING contents are left as bytes). */
function tree(b: Buffer, from = 0, to = b.length): Node[] {
  const out: Node[] = [];
  let at = from;
  while (at < to) {
    const tag = b[at]!;
    let len = b[at + 1]!;
    let start = at + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
      start += n;
    }
    const end = start + len;
    out.push({ at, start, end, children: tag & 0x20 ? tree(b, start, end) : [] });
    at = end;
  }
  return out;
}

const flatten = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);

interface Mutation {
  der: Buffer;
  /** The first and last original offsets the mutation touches. */
  from: number;
  to: number;
  what: string;
}

function mutate(der: Buffer, rnd: () => number): Mutation {
  const int = (n: number) => Math.floor(rnd() * n);
  const nodes = flatten(tree(der));
  const op = int(5);
  if (op === 0) {
    const at = int(der.length);
    const out = Buffer.from(der);
    out[at]! ^= 1 + int(255);
    return { der: out, from: at, to: at, what: `flip @${at}` };
  }
  if (op === 1) {
    const at = int(der.length);
    return { der: der.subarray(0, at), from: at, to: der.length - 1, what: `truncate @${at}` };
  }
  if (op === 2) {
    const at = int(der.length + 1);
    const bytes = Buffer.from(Array.from({ length: 1 + int(4) }, () => int(256)));
    return { der: Buffer.concat([der.subarray(0, at), bytes, der.subarray(at)]), from: at, to: at, what: `insert ${bytes.toString('hex')} @${at}` };
  }
  if (op === 3) {
    const n = nodes[int(nodes.length)]!;
    const out = Buffer.from(der);
    const lengthAt = n.at + 1;
    const choices = [0x80, 0x84, 0xff, (out[lengthAt]! + 1) & 0xff, (out[lengthAt]! + 255) & 0xff, 0x00];
    out[lengthAt] = choices[int(choices.length)]!;
    return { der: out, from: lengthAt, to: lengthAt, what: `length @${lengthAt} → ${out[lengthAt]}` };
  }
  // Swap two siblings.
  const parents = nodes.filter((n) => n.children.length >= 2);
  const p = parents[int(parents.length)]!;
  let i = int(p.children.length);
  let j = int(p.children.length - 1);
  if (j >= i) j++;
  if (i > j) [i, j] = [j, i];
  const a = p.children[i]!;
  const b = p.children[j]!;
  const out = Buffer.concat([der.subarray(0, a.at), der.subarray(b.at, b.end), der.subarray(a.end, b.at), der.subarray(a.at, a.end), der.subarray(b.end)]);
  return { der: out, from: a.at, to: b.end - 1, what: `swap @${a.at} @${b.at}` };
}

/** Two chains: EC with the usual extensions, RSA with constraints, policies and IP names. */
function chains(): Chain[] {
  return [
    chain(),
    chain({
      root: { key: key('rsa2048', 'root') },
      ica: { key: key('rsa2048', 'ica'), nc: ext.nameConstraints({ permitted: [gn.dns('example.com'), gn.net('192.0.2.0', 24)], excluded: [gn.email('.example.org')] }), policies: ext.certificatePolicies(['2.23.140.1.2.1']) },
      leaf: { names: ['example.com', '*.example.com'], ips: ['192.0.2.7'], policies: ext.certificatePolicies(['2.23.140.1.2.1']) },
    }),
  ];
}

describe('trust fuzz: mutated certificates', () => {
  it(`never throws, and a changed TBSCertificate is never trusted (seed ${SEED})`, () => {
    console.log(`trust-fuzz seed=${SEED} (SECGRADE_FUZZ_SEED to replay)`);
    const rnd = prng(SEED);
    let runs = 0;
    let decoded = 0;
    for (const c of chains()) {
      const anchors = createAnchorSet([anchorFromCertificate(c.root.der, { source: 'ca-file' })]);
      expect(buildPath(c.served, anchors, { now: NOW }).trusted).toBe(true);
      for (const [role, der] of [['leaf', c.leaf.der], ['ica', c.ica.der], ['root', c.root.der]] as const) {
        const tbs = tree(der)[0]!.children[0]!;
        for (let n = 0; n < PER_CERTIFICATE; n++) {
          const m = mutate(der, rnd);
          if (m.der.equals(der)) continue;
          const ctx = `${role} ${m.what}`;
          let trusted = false;
          try {
            if (decodeCertificate(m.der).ok) decoded++;
            // The mutated root travels as a served extra (the anchor stays intact) and, separately, as the anchor.
            const served = role === 'leaf' ? [m.der, c.ica.der] : role === 'ica' ? [c.leaf.der, m.der] : [...c.served, m.der];
            const path = buildPath(served, anchors, { now: NOW });
            trusted = path.trusted;
            describeServedChain(served, path, { host: 'example.com', now: NOW, index: 0, ocspStapled: false });
            if (role === 'root') {
              const d = decodeCertificate(m.der);
              if (d.ok) buildPath(c.served, createAnchorSet([anchorFromCertificate(d.cert, { source: 'ca-file' })]), { now: NOW });
            }
          } catch (err) {
            throw new Error(`${ctx}: threw ${(err as Error).stack}`);
          }
          const insideTbs = m.from >= tbs.at && m.from < tbs.end;
          if (role !== 'root' && insideTbs) expect(trusted, ctx).toBe(false);
          runs++;
        }
      }
    }
    // The mutations reach the decoder's inner paths, not only its first length check.
    expect(runs).toBeGreaterThan(PER_CERTIFICATE * 5);
    expect(decoded).toBeGreaterThan(runs / 5);
  });
});
