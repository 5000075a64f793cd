// DNSKEY and DS arithmetic (RFC 4034 §5.1.4, Appendix B): key tags, DS digests, DS-to-key matching.
// Pure byte work, apart from the lookups (dnssec-evidence.ts) and the verdict that uses it.
import { createHash } from 'node:crypto';
import { encodeWireName } from '../net/dns/svcb.js';
import { normalizeName } from '../net/dns/types.js';

export interface DnskeyInfo {
  flags: number;
  algorithm: number;
  keyTag: number;
  /** Base64. */
  key: string;
}

export interface DsInfo {
  keyTag: number;
  algorithm: number;
  digestType: number;
  /** Lower-case hex. */
  digest: string;
}

/** The key tag of a DNSKEY (RFC 4034 Appendix B; algorithm 1 has its own rule, B.1). */
export function keyTag(flags: number, algorithm: number, key: Buffer, protocol = 3): number {
  if (algorithm === 1) return key.length >= 3 ? key.readUInt16BE(key.length - 3) : 0;
  const rdata = dnskeyRdata(flags, algorithm, key, protocol);
  let ac = 0;
  for (let i = 0; i < rdata.length; i++) ac += i & 1 ? rdata[i]! : rdata[i]! << 8;
  ac += (ac >> 16) & 0xffff;
  return ac & 0xffff;
}

function dnskeyRdata(flags: number, algorithm: number, key: Buffer, protocol = 3): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(flags & 0xffff, 0);
  head[2] = protocol;
  head[3] = algorithm;
  return Buffer.concat([head, key]);
}

const DS_HASH: Record<number, string | undefined> = { 1: 'sha1', 2: 'sha256', 4: 'sha384' };

/** The DS digest of a DNSKEY owned by `owner`, or null for a digest type not computed here. */
export function dsDigest(owner: string, dnskey: Pick<DnskeyInfo, 'flags' | 'algorithm' | 'key'>, digestType: number): string | null {
  const hash = DS_HASH[digestType];
  if (!hash) return null;
  const data = Buffer.concat([encodeWireName(normalizeName(owner)), dnskeyRdata(dnskey.flags, dnskey.algorithm, Buffer.from(dnskey.key, 'base64'))]);
  return createHash(hash).update(data).digest('hex');
}

/** Does some DS (of a digest type computed here) match a zone key? null when no DS could be checked. */
export function dsMatchesDnskey(owner: string, ds: readonly DsInfo[], dnskeys: readonly DnskeyInfo[]): boolean | null {
  const checkable = ds.filter((d) => DS_HASH[d.digestType] !== undefined);
  if (checkable.length === 0) return null;
  const zoneKeys = dnskeys.filter((k) => (k.flags & 0x0100) !== 0);
  return checkable.some((d) =>
    zoneKeys.some((k) => k.algorithm === d.algorithm && k.keyTag === d.keyTag && dsDigest(owner, k, d.digestType) === d.digest.toLowerCase()),
  );
}
