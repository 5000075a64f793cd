import { describe, expect, it } from 'vitest';
import { analyseNullMx, checkNullMx, isRootExchange } from '../../src/email/null-mx.js';

const NULL = [{ preference: 0, exchange: '.' }];
const REGULAR = [
  { preference: 10, exchange: 'mx1.example.com' },
  { preference: 20, exchange: 'mx2.example.com' },
];

describe('analyseNullMx', () => {
  it('classifies null, regular, none and invalid MX sets', () => {
    expect(analyseNullMx(NULL).state).toBe('null-mx');
    expect(analyseNullMx([{ preference: 0, exchange: '' }]).state).toBe('null-mx');
    expect(analyseNullMx(REGULAR).state).toBe('regular');
    expect(analyseNullMx([]).state).toBe('none');
    expect(analyseNullMx([...NULL, ...REGULAR])).toMatchObject({ state: 'invalid-null-mx', otherRecords: REGULAR });
    expect(analyseNullMx([{ preference: 10, exchange: '.' }]).problems[0]).toMatch(/preference 10/);
    expect(analyseNullMx([...NULL, ...NULL]).problems[0]).toMatch(/2 null MX/);
    expect(isRootExchange('mx.example.com')).toBe(false);
  });
});

describe('checkNullMx', () => {
  const input = { domain: 'parked.example', spfAll: '-all', dmarcPolicy: 'reject' };
  it('a null MX with SPF -all and DMARC p=reject is only declared (info)', () => {
    expect(checkNullMx({ ...input, mx: NULL }).map((f) => [f.id, f.severity])).toEqual([['email.null-mx.declared', 'info']]);
  });
  it('regular MX or no MX: nothing to say', () => {
    expect(checkNullMx({ ...input, mx: REGULAR, spfAll: null, dmarcPolicy: null })).toEqual([]);
    expect(checkNullMx({ ...input, mx: [], spfAll: null, dmarcPolicy: null })).toEqual([]);
  });
  it('a mail-less domain must forbid mail: SPF -all and DMARC p=reject', () => {
    const f = checkNullMx({ ...input, mx: NULL, spfAll: '~all', dmarcPolicy: 'none' });
    expect(f.map((x) => [x.id, x.severity])).toEqual([
      ['email.null-mx.declared', 'info'],
      ['email.null-mx.spf-not-strict', 'medium'],
      ['email.null-mx.dmarc-not-reject', 'medium'],
    ]);
    const missing = checkNullMx({ ...input, mx: NULL, spfAll: null, dmarcPolicy: null });
    expect(missing.find((x) => x.id === 'email.null-mx.spf-not-strict')?.detail).toMatch(/no SPF record/);
    expect(missing.find((x) => x.id === 'email.null-mx.dmarc-not-reject')?.detail).toMatch(/missing/);
  });
  it('invalid null MX: mixed (medium) or malformed (low)', () => {
    const mixed = checkNullMx({ ...input, mx: [...NULL, ...REGULAR], spfAll: '~all', dmarcPolicy: 'none' });
    expect(mixed.map((x) => [x.id, x.severity])).toEqual([['email.null-mx.mixed', 'medium']]);
    const malformed = checkNullMx({ ...input, mx: [{ preference: 5, exchange: '.' }] });
    expect(malformed.map((x) => [x.id, x.severity])).toEqual([['email.null-mx.malformed', 'low']]);
    for (const x of [...mixed, ...malformed]) expect(x.references[0]).toMatch(/^RFC 7505/);
  });
});
