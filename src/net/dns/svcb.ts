/**
 * SVCB / HTTPS RDATA codec (RFC 9460 section 2.2). dns-packet does not know types 64/65 and
 * hands us the raw RDATA, so every length here is checked against the bytes actually present:
 * the data comes from whatever server answered.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { SvcParams } from './types.js';

export interface SvcbData {
  priority: number;
  /** Lower-case, no trailing dot; "." is the root (meaning "the owner name" in ServiceMode). */
  target: string;
  params: SvcParams;
}

export type SvcbDecodeResult = { ok: true; value: SvcbData } | { ok: false; error: string };

const KEY_MANDATORY = 0;
const KEY_ALPN = 1;
const KEY_NO_DEFAULT_ALPN = 2;
const KEY_PORT = 3;
const KEY_IPV4HINT = 4;
const KEY_ECH = 5;
const KEY_IPV6HINT = 6;
const KEY_INVALID = 65535;

const MAX_NAME_WIRE = 255;
const MAX_LABEL = 63;

/** Thrown only inside this module and turned into `{ ok: false }` at the boundary. */
class SvcbFormatError extends Error {}

function fail(message: string): never {
  throw new SvcbFormatError(message);
}

/** Bounds-checked cursor over a byte range. */
class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  remaining(): number {
    return this.buf.length - this.offset;
  }

  u8(what: string): number {
    if (this.remaining() < 1) fail(`truncated ${what}`);
    return this.buf[this.offset++] as number;
  }

  u16(what: string): number {
    if (this.remaining() < 2) fail(`truncated ${what}`);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  bytes(n: number, what: string): Buffer {
    if (this.remaining() < n) fail(`${what} claims ${n} bytes but only ${this.remaining()} remain`);
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

/** Decode SVCB/HTTPS RDATA. Never throws. */
export function decodeSvcb(rdata: Uint8Array): SvcbDecodeResult {
  try {
    const r = new Reader(Buffer.from(rdata.buffer, rdata.byteOffset, rdata.byteLength));
    const priority = r.u16('SvcPriority');
    const target = readUncompressedName(r);
    const params = readParams(r);
    return { ok: true, value: { priority, target, params } };
  } catch (err) {
    return { ok: false, error: err instanceof SvcbFormatError ? err.message : `undecodable SVCB RDATA: ${String(err)}` };
  }
}

/** TargetName must not be compressed (RFC 9460 section 2.2), so pointers are an error here. */
function readUncompressedName(r: Reader): string {
  const labels: string[] = [];
  let wireLength = 0;
  for (;;) {
    const len = r.u8('TargetName');
    wireLength += 1 + len;
    if (wireLength > MAX_NAME_WIRE) fail('TargetName longer than 255 octets');
    if (len === 0) break;
    if (len > MAX_LABEL) fail('compressed or invalid label in TargetName');
    labels.push(r.bytes(len, 'TargetName label').toString('utf8').toLowerCase());
  }
  return labels.length === 0 ? '.' : labels.join('.');
}

function readParams(r: Reader): SvcParams {
  const params: SvcParams = {};
  let lastKey = -1;
  while (r.remaining() > 0) {
    const key = r.u16('SvcParamKey');
    const len = r.u16('SvcParamValue length');
    if (key === lastKey) fail(`duplicate SvcParamKey ${key}`);
    if (key < lastKey) fail(`SvcParamKeys not in increasing order (${key} after ${lastKey})`);
    if (key === KEY_INVALID) fail('reserved SvcParamKey 65535');
    lastKey = key;
    applyParam(params, key, r.bytes(len, `SvcParam ${key}`));
  }
  checkMandatory(params);
  return params;
}

function applyParam(params: SvcParams, key: number, value: Buffer): void {
  switch (key) {
    case KEY_MANDATORY:
      params.mandatory = readMandatory(value);
      return;
    case KEY_ALPN:
      params.alpn = readAlpn(value);
      return;
    case KEY_NO_DEFAULT_ALPN:
      if (value.length !== 0) fail('no-default-alpn must be empty');
      params.noDefaultAlpn = true;
      return;
    case KEY_PORT:
      if (value.length !== 2) fail('port must be 2 bytes');
      params.port = value.readUInt16BE(0);
      return;
    case KEY_IPV4HINT:
      params.ipv4hint = readAddresses(value, 4, 'ipv4hint');
      return;
    case KEY_ECH:
      params.ech = value.toString('base64');
      return;
    case KEY_IPV6HINT:
      params.ipv6hint = readAddresses(value, 16, 'ipv6hint');
      return;
    default:
      params.other = { ...params.other, [`key${key}`]: value.toString('hex') };
  }
}

function readMandatory(value: Buffer): number[] {
  if (value.length === 0 || value.length % 2 !== 0) fail('mandatory must be a non-empty list of 2-byte keys');
  const keys: number[] = [];
  for (let i = 0; i < value.length; i += 2) {
    const k = value.readUInt16BE(i);
    if (k === KEY_MANDATORY) fail('mandatory must not list itself');
    const prev = keys[keys.length - 1];
    if (prev !== undefined && k <= prev) fail('mandatory keys must be strictly increasing');
    keys.push(k);
  }
  return keys;
}

function readAlpn(value: Buffer): string[] {
  if (value.length === 0) fail('alpn must not be empty');
  const r = new Reader(value);
  const ids: string[] = [];
  while (r.remaining() > 0) {
    const len = r.u8('alpn-id length');
    if (len === 0) fail('empty alpn-id');
    ids.push(r.bytes(len, 'alpn-id').toString('utf8'));
  }
  return ids;
}

function readAddresses(value: Buffer, size: 4 | 16, what: string): string[] {
  if (value.length === 0 || value.length % size !== 0) fail(`${what} length ${value.length} is not a non-zero multiple of ${size}`);
  const out: string[] = [];
  for (let i = 0; i < value.length; i += size) {
    const chunk = value.subarray(i, i + size);
    out.push(size === 4 ? Array.from(chunk).join('.') : formatIpv6(chunk));
  }
  return out;
}

/** Every key named in "mandatory" must be present (RFC 9460 section 8). */
function checkMandatory(params: SvcParams): void {
  for (const key of params.mandatory ?? []) {
    if (!hasKey(params, key)) fail(`mandatory key ${key} is missing`);
  }
}

function hasKey(params: SvcParams, key: number): boolean {
  switch (key) {
    case KEY_ALPN:
      return params.alpn !== undefined;
    case KEY_NO_DEFAULT_ALPN:
      return params.noDefaultAlpn === true;
    case KEY_PORT:
      return params.port !== undefined;
    case KEY_IPV4HINT:
      return params.ipv4hint !== undefined;
    case KEY_ECH:
      return params.ech !== undefined;
    case KEY_IPV6HINT:
      return params.ipv6hint !== undefined;
    default:
      return params.other?.[`key${key}`] !== undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding. The input is our own configuration (lab zones, tests), so bad input throws Error.

/** Encode SVCB/HTTPS RDATA. Throws Error on invalid input (bad address, label too long…). */
export function encodeSvcb(data: SvcbData): Buffer {
  if (!Number.isInteger(data.priority) || data.priority < 0 || data.priority > 0xffff) {
    throw new Error(`SvcPriority ${data.priority} out of range`);
  }
  const head = Buffer.alloc(2);
  head.writeUInt16BE(data.priority, 0);
  const params = encodeParams(data.params).map(([key, value]) => {
    if (value.length > 0xffff) throw new Error(`SvcParam ${key} value too long`);
    const h = Buffer.alloc(4);
    h.writeUInt16BE(key, 0);
    h.writeUInt16BE(value.length, 2);
    return Buffer.concat([h, value]);
  });
  return Buffer.concat([head, encodeWireName(data.target), ...params]);
}

/** Params as (key, value) pairs in increasing key order, as the wire format requires. */
function encodeParams(params: SvcParams): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  if (params.mandatory) out.push([KEY_MANDATORY, u16List(params.mandatory)]);
  if (params.alpn) out.push([KEY_ALPN, encodeAlpn(params.alpn)]);
  if (params.noDefaultAlpn) out.push([KEY_NO_DEFAULT_ALPN, Buffer.alloc(0)]);
  if (params.port !== undefined) out.push([KEY_PORT, u16List([params.port])]);
  if (params.ipv4hint) out.push([KEY_IPV4HINT, Buffer.concat(params.ipv4hint.map(ipv4Bytes))]);
  if (params.ech !== undefined) out.push([KEY_ECH, Buffer.from(params.ech, 'base64')]);
  if (params.ipv6hint) out.push([KEY_IPV6HINT, Buffer.concat(params.ipv6hint.map(ipv6Bytes))]);
  for (const [name, hex] of Object.entries(params.other ?? {})) {
    const m = /^key(\d{1,5})$/.exec(name);
    const key = m ? Number(m[1]) : NaN;
    if (!(key > KEY_IPV6HINT && key < KEY_INVALID)) throw new Error(`bad SvcParam name "${name}"`);
    if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error(`SvcParam ${name} value is not hex`);
    out.push([key, Buffer.from(hex, 'hex')]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

function u16List(values: number[]): Buffer {
  const buf = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new Error(`${v} is not a 16-bit value`);
    buf.writeUInt16BE(v, i * 2);
  });
  return buf;
}

function encodeAlpn(ids: string[]): Buffer {
  return Buffer.concat(
    ids.map((id) => {
      const b = Buffer.from(id, 'utf8');
      if (b.length < 1 || b.length > 255) throw new Error(`alpn-id "${id}" must be 1-255 bytes`);
      return Buffer.concat([Buffer.from([b.length]), b]);
    }),
  );
}

/** Uncompressed wire-format name. Throws on empty/oversized labels or names over 255 octets. */
export function encodeWireName(name: string): Buffer {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n === '') return Buffer.from([0]);
  const parts = n.split('.').map((label) => {
    const b = Buffer.from(label.toLowerCase(), 'utf8');
    if (b.length < 1 || b.length > MAX_LABEL) throw new Error(`bad label "${label}" in name "${name}"`);
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
  const out = Buffer.concat([...parts, Buffer.from([0])]);
  if (out.length > MAX_NAME_WIRE) throw new Error(`name "${name}" is longer than 255 octets`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Address helpers (also used by the client to compare a datagram's source with the server).

function ipv4Bytes(address: string): Buffer {
  if (!isIPv4(address)) throw new Error(`"${address}" is not an IPv4 address`);
  return Buffer.from(address.split('.').map(Number));
}

function ipv6Bytes(address: string): Buffer {
  const b = parseIpv6(address);
  if (!b) throw new Error(`"${address}" is not an IPv6 address`);
  return b;
}

/** 16 bytes of an IPv6 literal (zone id ignored), or null if it is not one. */
export function parseIpv6(address: string): Buffer | null {
  const s = address.split('%')[0] ?? '';
  if (!isIPv6(s)) return null;
  const groups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((g) => {
      if (!g.includes('.')) return [parseInt(g, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const gap = s.indexOf('::');
  let all: number[];
  if (gap < 0) {
    all = groups(s);
  } else {
    const head = groups(s.slice(0, gap));
    const tail = groups(s.slice(gap + 2));
    all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  if (all.length !== 8) return null;
  return u16List(all);
}

/** RFC 5952 text form of 16 address bytes: lower-case, longest zero run (>= 2 groups) as "::". */
export function formatIpv6(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const groups = Array.from({ length: 8 }, (_, i) => buf.readUInt16BE(i * 2));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}
