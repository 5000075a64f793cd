// The GeneralNames cap (src/cert/general-name.ts): real leaves carry 10,000 SANs (badssl.com's
// 10000-sans), so lists up to 16,384 names decode; one more is refused, so a hostile list stays bounded.
import { describe, expect, it } from 'vitest';
import { encodeTlv, readTlv } from '../../src/cert/der.js';
import { decodeGeneralNames } from '../../src/cert/general-name.js';

/** GeneralNames with `n` dNSName entries ([2] IA5String), as DER, and its outer TLV. */
function sanList(n: number) {
  const names = Array.from({ length: n }, (_, i) => encodeTlv(0x82, Buffer.from(`s${i}.example.test`, 'latin1')));
  const der = Buffer.from(encodeTlv(0x30, ...names));
  return { der, seq: readTlv(der, 0, der.length)! };
}

describe('GeneralNames size cap', () => {
  it('10,000 names (a real leaf) and 16,384 (the cap) decode, every one in order', () => {
    for (const n of [10_000, 16_384]) {
      const { der, seq } = sanList(n);
      const names = decodeGeneralNames(der, seq);
      expect(names).toHaveLength(n);
      expect(names?.[n - 1]).toMatchObject({ kind: 'dNSName', value: `s${n - 1}.example.test` });
    }
  });

  it('16,385 names are refused as malformed', () => {
    const { der, seq } = sanList(16_385);
    expect(decodeGeneralNames(der, seq)).toBeNull();
  });
});
