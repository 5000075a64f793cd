// The raw TLS 1.0–1.2 client's cryptography against outside answers: PRF outputs from OpenSSL's own
// TLS1-PRF (`openssl kdf … TLS1-PRF`; the SHA-256 one is also the vector published on the IETF TLS
// list), RC4 and DES known-answer tests, and record protection that must round-trip, chain its
// TLS 1.0 IVs, and refuse a tampered record.
import { describe, expect, it } from 'vitest';
import { exportKeys, finishedVerifyData, masterSecret, prf10, prf12 } from '../../src/net/tls/handshake12/prf.js';
import { Rc4, RecordCipher, type DirectionKeys } from '../../src/net/tls/handshake12/record-cipher.js';
import { handshakeSuite, type MacHash, type RecordCipherSpec } from '../../src/net/tls/handshake12/suites.js';
import { modPow } from '../../src/net/tls/handshake12/key-exchange.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const SECRET = hex('9bbe436ba940f017b17652849a71db35');
const SEED = hex('a0ba9f936cda311827a6f796ffd5198c');

describe('PRFs (RFC 2246 §5, RFC 5246 §5) against OpenSSL TLS1-PRF', () => {
  it('TLS 1.2 PRF with SHA-256: 100 bytes of "test label"', () => {
    expect(prf12('sha256', SECRET, 'test label', SEED, 100).toString('hex').toUpperCase()).toBe(
      'E3F229BA727BE17B8D122620557CD453C2AAB21D07C3D495329B52D4E61EDB5A6B301791E90D35C9C9A46B4E14BAF9AF0FA022F7077DEF17ABFD3797C0564BAB4FBC91666E9DEF9B97FCE34F796789BAA48082D122EE42C5A72E5A5110FFF70187347B66',
    );
  });

  it('TLS 1.2 PRF with SHA-384', () => {
    expect(prf12('sha384', SECRET, 'test label', SEED, 100).toString('hex').toUpperCase()).toBe(
      'DD88775CD827187B67A3F7652B5C13F715791CC46E0274A6D3FB16651103DEFC544CD8AFB68369A219BB918B8B21DDB1764AF0A70339E6DEC085E574F655851BA692513203536BDFC3675E53768210F0A2389DD324311A440C7C30EF44B391D914C3B0C7',
    );
  });

  it('TLS 1.0/1.1 PRF (P_MD5 XOR P_SHA1)', () => {
    expect(prf10(SECRET, 'test label', SEED, 100).toString('hex').toUpperCase()).toBe(
      '661740E6F98BC901EFD2738502A71C03F76DD2F86298549B1148EFF06714CF0F6B7C532CD8C69F1530E0BB680EEC34C495FA75A8BFCC9C335484C0D3D194AB6E32975903C50EBCDBE9D67C0591BDBD80DDDCC36D33CCD58ADF96CAAE173F48DC40F983E2',
    );
  });

  it('an odd-length secret: the two halves share the middle byte; the master secret is 48 bytes of it', () => {
    const ms = masterSecret({ version: 'tls10' }, { premaster: hex('0102030405'), clientRandom: hex('0011'), serverRandom: hex('2233') });
    expect(ms.toString('hex').toUpperCase()).toBe('C26E0182CF10AC000D08C556D4431C754EB626D0EEB6ACB5364CC33F0DA32BBF624A999CBFBB2A8BC323A2B375E0A430');
  });

  it('an empty secret (the export "IV block"): IVs from the randoms alone', () => {
    const k = exportKeys(hex('0102030405'), hex('0605040302'), hex('0011'), hex('2233'), 16, 8);
    expect(Buffer.concat([k.clientIv, k.serverIv]).toString('hex').toUpperCase()).toBe('8BAFA91C6A47FE415B04B718E855ACAA');
    // The stretched keys are PRF outputs keyed by the short export keys (RFC 2246 §6.3).
    expect(k.clientKey).toEqual(prf10(hex('0102030405'), 'client write key', hex('00112233'), 16));
    expect(k.serverKey).toEqual(prf10(hex('0605040302'), 'server write key', hex('00112233'), 16));
  });

  it('Finished verify_data is 12 bytes and differs by sender', () => {
    const kind = { version: 'tls12', hash: 'sha256' } as const;
    const c = finishedVerifyData(kind, SECRET, 'client', SEED);
    expect(c).toHaveLength(12);
    expect(c).not.toEqual(finishedVerifyData(kind, SECRET, 'server', SEED));
  });
});

describe('record ciphers: known answers', () => {
  it.each([
    ['Key', 'Plaintext', 'BBF316E8D940AF0AD3'],
    ['Wiki', 'pedia', '1021BF0420'],
    ['Secret', 'Attack at dawn', '45A01F645FC35B383552544B9BF5'],
  ])('RC4 key %s, plaintext %s', (key, plain, expected) => {
    expect(new Rc4(Buffer.from(key)).update(Buffer.from(plain)).toString('hex').toUpperCase()).toBe(expected);
  });

  it('RC4 keeps its keystream across records', () => {
    const whole = new Rc4(Buffer.from('Secret')).update(Buffer.from('Attack at dawn'));
    const split = new Rc4(Buffer.from('Secret'));
    expect(Buffer.concat([split.update(Buffer.from('Attack')), split.update(Buffer.from(' at dawn'))])).toEqual(whole);
  });

  it('single DES through des-ede3 with three equal keys: the classic 133457799BBCDFF1 vector', () => {
    const spec = handshakeSuite(0x0009)?.cipher; // TLS_RSA_WITH_DES_CBC_SHA
    expect(spec).toMatchObject({ kind: 'cbc', singleDes: true, keyLength: 8 });
    // No MAC, a zero IV: the first block of the record is DES(0123456789ABCDEF).
    const c = new RecordCipher(spec!, null, { macKey: Buffer.alloc(0), key: hex('133457799BBCDFF1'), iv: Buffer.alloc(8) }, 0x0301);
    expect(c.encrypt(23, hex('0123456789ABCDEF')).subarray(0, 8).toString('hex').toUpperCase()).toBe('85E813540F0AB405');
  });
});

function pair(spec: RecordCipherSpec, mac: MacHash | null, version: number): [RecordCipher, RecordCipher] {
  const keyLength = spec.kind === 'null' ? 0 : spec.keyLength;
  const ivLength = spec.kind === 'aead' ? spec.fixedIv : spec.kind === 'cbc' && version === 0x0301 ? spec.blockSize : 0;
  const keys: DirectionKeys = { macKey: Buffer.alloc(mac ? 20 : 0, 7), key: Buffer.alloc(keyLength, 9), iv: Buffer.alloc(ivLength, 3) };
  return [new RecordCipher(spec, mac, keys, version), new RecordCipher(spec, mac, keys, version)];
}

describe('record protection round-trips and refuses tampering', () => {
  const suites: Array<[string, number, number]> = [
    ['TLS_RSA_WITH_RC4_128_SHA', 0x0005, 0x0301],
    ['TLS_RSA_WITH_NULL_SHA256', 0x003b, 0x0303],
    ['TLS_RSA_WITH_3DES_EDE_CBC_SHA (TLS 1.0, chained IV)', 0x000a, 0x0301],
    ['TLS_RSA_WITH_AES_128_CBC_SHA (TLS 1.1, explicit IV)', 0x002f, 0x0302],
    ['TLS_RSA_WITH_AES_256_GCM_SHA384', 0x009d, 0x0303],
    ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 0xcca8, 0x0303],
    ['TLS_RSA_WITH_AES_128_CCM_8', 0xc0a0, 0x0303],
  ];
  it.each(suites)('%s', (_name, code, version) => {
    const suite = handshakeSuite(code)!;
    const [sender, receiver] = pair(suite.cipher, suite.mac, version);
    for (const text of ['first record', 'a second one, longer than one block of any cipher', '']) {
      const record = sender.encrypt(22, Buffer.from(text));
      if (suite.cipher.kind !== 'null') expect(record.includes(Buffer.from('first'))).toBe(false);
      const back = receiver.decrypt(22, record);
      expect(back).toEqual({ ok: true, value: Buffer.from(text) });
    }
    const tampered = sender.encrypt(22, Buffer.from('tamper with me'));
    tampered[tampered.length - 1]! ^= 1;
    expect(receiver.decrypt(22, tampered).ok).toBe(false);
  });

  it('a record read under the wrong content type fails its MAC (the type is authenticated)', () => {
    const suite = handshakeSuite(0x002f)!;
    const [sender, receiver] = pair(suite.cipher, suite.mac, 0x0303);
    expect(receiver.decrypt(23, sender.encrypt(22, Buffer.from('typed'))).ok).toBe(false);
  });
});

describe('suites the raw client offers', () => {
  it('export suites are TLS 1.0 only with 5-byte key material; AEAD and SHA-256 MACs are TLS 1.2 only', () => {
    expect(handshakeSuite(0x0003)).toMatchObject({ exportKeyMaterial: 5, maxVersion: 'TLSv1.0', kx: 'RSA', mac: 'md5' });
    expect(handshakeSuite(0x0014)).toMatchObject({ exportKeyMaterial: 5, kx: 'DHE', cipher: { kind: 'cbc', singleDes: true } });
    expect(handshakeSuite(0x009c)).toMatchObject({ minVersion: 'TLSv1.2', mac: null, prfHash: 'sha256' });
    expect(handshakeSuite(0xc030)).toMatchObject({ minVersion: 'TLSv1.2', prfHash: 'sha384' });
  });

  it('EXPORT1024 (unregistered, OpenSSL 0.9.8): 7 bytes of key material for RC4_56, a whole DES key for DES', () => {
    expect(handshakeSuite(0x0064)).toMatchObject({ exportKeyMaterial: 7, maxVersion: 'TLSv1.0', cipher: { kind: 'rc4' } });
    expect(handshakeSuite(0x0062)).toMatchObject({ exportKeyMaterial: 8, cipher: { kind: 'cbc', singleDes: true } });
  });

  it('nothing we cannot complete: static DH, PSK, SRP, SEED, IDEA, RC2, TLS 1.3, draft ChaCha20, FIPS DES', () => {
    for (const code of [0xcc13, 0xcc14, 0xfefe, 0xffe1]) expect(handshakeSuite(code)).toBeNull();
    for (const code of [0x0030 /* DH_DSS */, 0x008c /* PSK */, 0xc01d /* SRP */, 0x0096 /* SEED */, 0x0007 /* IDEA */, 0x0006 /* RC2 export */, 0x1301]) {
      expect(handshakeSuite(code)).toBeNull();
    }
  });

  it('modPow agrees with small numbers worked by hand', () => {
    expect(modPow(4n, 13n, 497n)).toBe(445n);
    expect(modPow(2n, 10n, 1000n)).toBe(24n);
  });
});
