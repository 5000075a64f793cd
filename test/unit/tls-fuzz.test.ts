/**
 * Hostile-input fuzzing of the wire parsers: random and mutated ServerHellos, flights, SSLv2 hellos
 * and ServerKeyExchanges. Nothing may throw; results must stay well-formed. A seeded PRNG makes
 * every failure reproducible: the failing seed, iteration and input (hex) are in the message.
 */
import { describe, expect, it } from 'vitest';
import { Writer } from '../../src/net/tls/wire/bytes.js';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../src/net/tls/wire/constants.js';
import { HandshakeReader } from '../../src/net/tls/wire/handshake-reader.js';
import { splitRecords } from '../../src/net/tls/wire/records.js';
import {
  parseAlert,
  parseCertificateMessage,
  parseCertificateStatus,
  parseServerHello,
  parseServerKeyExchange,
} from '../../src/net/tls/wire/server-messages.js';
import { parseSslv2ServerHello } from '../../src/net/tls/wire/sslv2.js';
import { prng } from '../helpers/prng.js';

const SEED = Number(process.env.TLS_FUZZ_SEED ?? 0x5eed);
const ITERATIONS = 30_000; // per target; four targets → 120,000 inputs

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

// ── Valid seeds ──────────────────────────────────────────────────────────────────────────────────
const ext = (type: number, data: Buffer): Buffer => new Writer().u16(type).vector16(data).toBuffer();
const hsMessage = (type: number, body: Buffer): Buffer => new Writer().u8(type).vector24(body).toBuffer();
const rec = (type: number, fragment: Buffer): Buffer => new Writer().u8(type).u16(0x0303).vector16(fragment).toBuffer();

function serverHello(random: Buffer, suite: number, exts: Buffer[]): Buffer {
  return new Writer()
    .u16(0x0303)
    .bytes(random)
    .vector8(Buffer.alloc(32, 3))
    .u16(suite)
    .u8(0)
    .vector16(Buffer.concat(exts))
    .toBuffer();
}

const HELLO_12 = serverHello(Buffer.alloc(32, 1), 0xc02f, [
  ext(0xff01, Buffer.from([0])),
  ext(23, Buffer.alloc(0)),
  ext(11, Buffer.from([1, 0])),
  ext(16, Buffer.from([0, 3, 2, 0x68, 0x32])),
  ext(15, Buffer.from([1])),
  ext(18, Buffer.from([0, 2, 0, 0])),
]);
const HELLO_13 = serverHello(Buffer.alloc(32, 2), 0x1301, [
  ext(43, Buffer.from([3, 4])),
  ext(51, Buffer.concat([Buffer.from([0, 29, 0, 32]), Buffer.alloc(32, 9)])),
]);
const HRR = serverHello(HELLO_RETRY_REQUEST_RANDOM, 0x1302, [ext(43, Buffer.from([3, 4])), ext(51, Buffer.from([0, 23]))]);

const CERTS = new Writer().vector24((w) => w.vector24(Buffer.alloc(300, 0x30)).vector24(Buffer.alloc(200, 0x31))).toBuffer();
const SKE_ECDHE = Buffer.concat([Buffer.from([3, 0, 23, 65, 4]), Buffer.alloc(64, 5), Buffer.from([4, 3, 0, 2, 1, 2])]);
const SKE_DHE = Buffer.concat([
  new Writer().vector16(Buffer.alloc(128, 0xff)).vector16(Buffer.from([2])).vector16(Buffer.alloc(128, 0x44)).toBuffer(),
  Buffer.from([4, 1, 0, 3, 1, 2, 3]),
]);
const STATUS = Buffer.from([1, 0, 0, 3, 0x30, 1, 0]);

const FLIGHT = Buffer.concat([
  rec(22, Buffer.concat([hsMessage(2, HELLO_12), hsMessage(11, CERTS)])),
  rec(22, Buffer.concat([hsMessage(22, STATUS), hsMessage(12, SKE_ECDHE).subarray(0, 20)])),
  rec(22, Buffer.concat([hsMessage(12, SKE_ECDHE).subarray(20), hsMessage(14, Buffer.alloc(0))])),
  rec(21, Buffer.from([2, 40])),
  rec(20, Buffer.from([1])),
  rec(23, Buffer.alloc(30, 7)),
]);

const SSLV2_HELLO = (() => {
  const body = new Writer().u8(4).u8(0).u8(1).u16(2).u16(10).u16(6).u16(16).bytes(Buffer.alloc(10, 0x30)).bytes(Buffer.from('0100800700c0', 'hex')).bytes(Buffer.alloc(16, 9)).toBuffer();
  return Buffer.concat([Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]), body]);
})();

// ── Mutations ────────────────────────────────────────────────────────────────────────────────────
type Mutation = (r: Rng, b: Buffer) => Buffer;

const MUTATIONS: readonly Mutation[] = [
  (r, b) => {
    const out = Buffer.from(b);
    for (let n = 1 + r.int(8); n > 0 && out.length > 0; n--) out[r.int(out.length)] = r.int(256);
    return out;
  },
  (r, b) => {
    const out = Buffer.from(b);
    if (out.length > 0) out[r.int(out.length)] = r.pick([0x00, 0xff, 0x7f, 0x80, 0x01]);
    return out;
  },
  (r, b) => b.subarray(0, r.int(b.length + 1)),
  (r, b) => Buffer.concat([b, r.bytes(1 + r.int(64))]),
  // A random 16- or 24-bit "length" written over any offset.
  (r, b) => {
    const out = Buffer.from(b);
    const width = r.pick([1, 2, 3]);
    if (out.length >= width) out.writeUIntBE(r.pick([0, 1, 0xff, 0xffff, 0xffffff, r.int(2 ** 24)]) % 2 ** (8 * width), r.int(out.length - width + 1), width);
    return out;
  },
  // Drop or duplicate a slice.
  (r, b) => {
    const at = r.int(b.length + 1);
    const len = r.int(16);
    return r.int(2) ? Buffer.concat([b.subarray(0, at), b.subarray(at + len)]) : Buffer.concat([b.subarray(0, at + len), b.subarray(at)]);
  },
  (r) => r.bytes(r.int(300)),
];

function mutate(r: Rng, seed: Buffer): Buffer {
  let out = seed;
  for (let n = 1 + r.int(3); n > 0; n--) out = r.pick(MUTATIONS)(r, out);
  return out;
}

/** Runs `check` on ITERATIONS mutated inputs; a throw fails with everything needed to reproduce. */
function fuzz(name: string, seeds: readonly Buffer[], check: (input: Buffer, r: Rng) => void): number {
  const r = new Rng(SEED ^ name.length * 7919);
  let count = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(r, r.pick(seeds));
    try {
      check(input, r);
    } catch (err) {
      throw new Error(`${name}: seed ${SEED} iteration ${i} input ${input.toString('hex')}: ${(err as Error).stack}`);
    }
    count++;
  }
  return count;
}

function assertResult(res: { ok: boolean; error?: string }): void {
  if (typeof res.ok !== 'boolean') throw new Error('result without ok');
  if (!res.ok && (typeof res.error !== 'string' || res.error.length === 0)) throw new Error('error result without message');
}

describe('wire parser fuzzing (seeded)', () => {
  it('parseServerHello, parseAlert, parseCertificateMessage, parseCertificateStatus', () => {
    let parsedHellos = 0;
    const n = fuzz('server-hello', [HELLO_12, HELLO_13, HRR, CERTS, STATUS], (input) => {
      const h = parseServerHello(input);
      assertResult(h);
      if (h.ok && (h.value.random.length !== 32 || h.value.sessionId.length > 32)) throw new Error('bad field sizes');
      if (h.ok) parsedHellos++;
      assertResult(parseAlert(input.subarray(0, 2)));
      const certs = parseCertificateMessage(input);
      assertResult(certs);
      if (certs.ok && certs.value.length > 64) throw new Error('too many certificates');
      assertResult(parseCertificateStatus(input));
    });
    expect(n).toBe(ITERATIONS);
    // The mutations must reach past the first checks: a share of the inputs still parse.
    expect(parsedHellos).toBeGreaterThan(ITERATIONS / 100);
  });

  it('HandshakeReader over mutated flights in random chunk sizes', () => {
    let messages = 0;
    const n = fuzz('handshake-reader', [FLIGHT, rec(22, hsMessage(2, HELLO_13)), rec(21, Buffer.from([2, 70]))], (input, r) => {
      const reader = new HandshakeReader({ maxBytes: 4096 });
      let errored = false;
      let bodyBytes = 0;
      for (let i = 0; i < input.length; ) {
        const size = 1 + r.int(64);
        const events = reader.feed(input.subarray(i, i + size));
        i += size;
        if (errored && events.length > 0) throw new Error('events after an error');
        for (const e of events) {
          if (errored) throw new Error('events after an error');
          if (e.kind === 'error') errored = true;
          if (e.kind === 'handshake') {
            bodyBytes += e.body.length;
            messages++;
            const parsed = e.msgType === 2 ? parseServerHello(e.body) : parseCertificateMessage(e.body);
            assertResult(parsed);
          }
        }
      }
      if (bodyBytes > input.length) throw new Error('more body bytes than input');
      splitRecords(input);
    });
    expect(n).toBe(ITERATIONS);
    expect(messages).toBeGreaterThan(ITERATIONS / 2);
  });

  it('parseSslv2ServerHello', () => {
    let parsed = 0;
    const n = fuzz('sslv2', [SSLV2_HELLO, Buffer.from('15030100020228', 'hex'), Buffer.from('8003000001', 'hex')], (input) => {
      const res = parseSslv2ServerHello(input);
      assertResult(res);
      if (res.ok && (res.value.connectionId.length < 16 || res.value.connectionId.length > 32)) throw new Error('bad connection id');
      if (res.ok) parsed++;
    });
    expect(n).toBe(ITERATIONS);
    expect(parsed).toBeGreaterThan(ITERATIONS / 100);
  });

  it('parseServerKeyExchange (DHE and ECDHE, with and without TLS 1.2 signatures)', () => {
    let parsed = 0;
    const n = fuzz('server-key-exchange', [SKE_DHE, SKE_ECDHE], (input, r) => {
      const kind = r.pick(['DHE', 'ECDHE'] as const);
      const res = parseServerKeyExchange(input, kind, r.pick([undefined, 0x0301, 0x0303]));
      assertResult(res);
      if (res.ok && res.value.kind === 'DHE' && res.value.primeBits > input.length * 8) throw new Error('prime larger than input');
      if (res.ok) parsed++;
    });
    expect(n).toBe(ITERATIONS);
    expect(parsed).toBeGreaterThan(ITERATIONS / 100);
  });
});
