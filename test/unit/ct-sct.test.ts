import { describe, expect, it } from 'vitest';
import { findEmbeddedSctList, MAX_SCTS, parseSct, parseSctList, unwrapSctExtensionValue } from '../../src/ct/sct.js';
import { precertTbs } from '../../src/ct/precert.js';

const u16 = (n: number) => [n >> 8, n & 0xff];

/** A v1 SCT body: version, log id, timestamp, extensions, hash/sig algorithm, signature. */
function sctBody(opts: { logIdByte?: number; timestamp?: number; ext?: number[]; sig?: number[]; version?: number } = {}): number[] {
  const ts = opts.timestamp ?? 1_700_000_000_000;
  const tsBytes = Array.from({ length: 8 }, (_, i) => Math.floor(ts / 2 ** (8 * (7 - i))) % 256);
  const ext = opts.ext ?? [];
  const sig = opts.sig ?? [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01];
  return [opts.version ?? 0, ...Array<number>(32).fill(opts.logIdByte ?? 0xab), ...tsBytes, ...u16(ext.length), ...ext, 4, 3, ...u16(sig.length), ...sig];
}

function list(...bodies: number[][]): Uint8Array {
  const inner = bodies.flatMap((b) => [...u16(b.length), ...b]);
  return Uint8Array.from([...u16(inner.length), ...inner]);
}

describe('SCT list parsing (RFC 6962 §3.3)', () => {
  it('decodes every field of each SCT', () => {
    const parsed = parseSctList(list(sctBody({ logIdByte: 1, timestamp: 1_234_567_890_123, ext: [9, 9] }), sctBody({ logIdByte: 2 })));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const [a, b] = parsed.value.scts;
    expect(parsed.value.rejected).toEqual([]);
    expect(a!.timestamp).toBe(1_234_567_890_123);
    expect(a!.logIdBase64).toBe(Buffer.alloc(32, 1).toString('base64'));
    expect([...a!.extensions]).toEqual([9, 9]);
    expect(a!.hashAlgorithm).toBe(4);
    expect(a!.signatureAlgorithm).toBe(3);
    expect(a!.signature.length).toBe(8);
    expect(b!.logId[0]).toBe(2);
  });

  it('skips an SCT of an unknown version but keeps the others', () => {
    const parsed = parseSctList(list(sctBody({ version: 1 }), sctBody()));
    expect(parsed.ok && parsed.value.scts.length).toBe(1);
    expect(parsed.ok && parsed.value.rejected[0]).toMatchObject({ code: 'unsupported-version', index: 0 });
  });

  it.each([
    ['no bytes', 'truncated', []],
    ['one byte', 'truncated', [0]],
    ['zero-length list', 'empty', [0, 0]],
    ['list length past the end', 'truncated', [0, 10, 0, 1, 0]],
    ['bytes after the list', 'trailing-bytes', [...list(sctBody()), 0]],
    ['zero-length SCT', 'empty', [0, 2, 0, 0]],
    ['SCT length past the list', 'truncated', [0, 4, 0, 9, 1, 2]],
    ['half an SCT length', 'truncated', [0, 1, 0]],
  ])('%s → typed error %s', (_name, code, bytes) => {
    const parsed = parseSctList(Uint8Array.from(bytes));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.code).toBe(code);
  });

  it('caps the number of SCTs', () => {
    const many = list(...Array.from({ length: MAX_SCTS + 1 }, () => sctBody()));
    const parsed = parseSctList(many);
    expect(!parsed.ok && parsed.error.code).toBe('too-many');
    expect(parseSctList(list(sctBody(), sctBody(), sctBody()), 2)).toMatchObject({ ok: false, error: { code: 'too-many' } });
  });

  it('rejects inner lengths that disagree with the SCT size', () => {
    const body = sctBody();
    expect(parseSct(Uint8Array.from(body.slice(0, 20)))).toMatchObject({ ok: false, error: { code: 'truncated' } });
    expect(parseSct(Uint8Array.from([...body, 0]))).toMatchObject({ ok: false, error: { code: 'trailing-bytes' } });
    const badExt = [...body];
    badExt[41] = 0xff; // extensions length high byte
    expect(parseSct(Uint8Array.from(badExt))).toMatchObject({ ok: false, error: { code: 'truncated' } });
    const badTs = [...body];
    badTs.splice(33, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    expect(parseSct(Uint8Array.from(badTs))).toMatchObject({ ok: false, error: { code: 'bad-timestamp' } });
  });

  it('unwraps the extension OCTET STRING and refuses anything else', () => {
    const tls = list(sctBody());
    // DER: the short length form when it fits (a long form there is not DER and is refused).
    const wrapped = Uint8Array.from(tls.length < 0x80 ? [0x04, tls.length, ...tls] : [0x04, 0x81, tls.length, ...tls]);
    const inner = unwrapSctExtensionValue(wrapped);
    expect(inner.ok && [...inner.value]).toEqual([...tls]);
    expect(unwrapSctExtensionValue(Uint8Array.from([0x04, 0x05, 1]))).toMatchObject({ ok: false, error: { code: 'not-der' } });
    expect(unwrapSctExtensionValue(Uint8Array.from([0x30, 0x00]))).toMatchObject({ ok: false, error: { code: 'not-der' } });
    expect(unwrapSctExtensionValue(Uint8Array.from([0x04, 0x00, 0x00]))).toMatchObject({ ok: false, error: { code: 'not-der' } });
    expect(unwrapSctExtensionValue(new Uint8Array(0))).toMatchObject({ ok: false });
    expect(unwrapSctExtensionValue(Uint8Array.from([0x04, 0x81, 0x01, 0x00]))).toMatchObject({ ok: false, error: { code: 'not-der' } });
  });

  it('seeded fuzz: random and mutated lists never throw and always return a typed result', () => {
    let seed = 0x5eed;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    };
    const good = list(sctBody({ ext: [1, 2, 3] }), sctBody({ logIdByte: 7 }));
    const codes = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      let bytes: Uint8Array;
      if (i % 3 === 0) bytes = Uint8Array.from({ length: rnd() % 200 }, rnd);
      else {
        bytes = good.slice(0, i % 5 === 0 ? rnd() % (good.length + 1) : good.length);
        for (let k = 0; k < 1 + (rnd() % 4); k++) if (bytes.length) bytes[rnd() % bytes.length] = rnd();
      }
      // A throw anywhere here fails the test; results must be typed values.
      const result = parseSctList(bytes);
      if (result.ok) for (const r of result.value.rejected) codes.add(r.code);
      else codes.add(result.error.code);
      unwrapSctExtensionValue(bytes);
      findEmbeddedSctList(bytes);
      precertTbs(bytes);
    }
    expect([...codes].sort()).toEqual(['bad-timestamp', 'trailing-bytes', 'truncated', 'unsupported-version']);
  });
});
