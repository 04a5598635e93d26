import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkCharOf, isValidIdNumber, makeIdNumber, maskId, parseIdNumber } from './id-number.js';

describe('ID numbers (GB 11643)', () => {
  // The standard's own worked example.
  it('accepts the GB 11643 example and reads its parts', () => {
    const r = parseIdNumber('11010519491231002X');
    expect(r).toEqual({ ok: true, info: { normalised: '11010519491231002X', regionCode: '110105', birthDate: '1949-12-31', gender: 'female' } });
    expect(parseIdNumber(' 11010519491231002x ').ok).toBe(true);
  });

  it('names the problem', () => {
    expect(parseIdNumber('1101051949123100')).toEqual({ ok: false, problem: 'format' });
    expect(parseIdNumber('11010519491231002Y')).toEqual({ ok: false, problem: 'format' });
    expect(parseIdNumber('99010519491231002X')).toEqual({ ok: false, problem: 'region' });
    expect(parseIdNumber('110105' + '19490230' + '0021')).toEqual({ ok: false, problem: 'birth_date' });
    expect(parseIdNumber('110105' + '18991231' + '0021')).toEqual({ ok: false, problem: 'birth_date' });
    const future = makeIdNumber('441302', '2031-01-01', 11);
    expect(parseIdNumber(future, new Date('2026-11-22'))).toEqual({ ok: false, problem: 'birth_date' });
    expect(parseIdNumber('110105194912310021')).toEqual({ ok: false, problem: 'check_digit' });
  });

  it('builds valid numbers, odd sequence male', () => {
    const id = makeIdNumber('441302', '1950-03-07', 13);
    expect(id).toHaveLength(18);
    expect(parseIdNumber(id)).toMatchObject({ ok: true, info: { gender: 'male', birthDate: '1950-03-07', regionCode: '441302' } });
    expect(() => makeIdNumber('4413', '1950-03-07', 1)).toThrow();
  });

  it('detects every single-digit change (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 36500 }), fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 }), (days, seq, pos, delta) => {
        const birth = new Date(Date.UTC(1920, 0, 1) + days * 86_400_000).toISOString().slice(0, 10);
        const id = makeIdNumber('441302', birth, seq);
        expect(isValidIdNumber(id)).toBe(true);
        const changed = id.slice(0, pos) + String((Number(id[pos]) + delta) % 10) + id.slice(pos + 1);
        // Changing one digit either breaks the format rules or the check digit: never a silent pass.
        expect(isValidIdNumber(changed)).toBe(false);
      }),
    );
  });

  it('check characters and the masked form', () => {
    expect(checkCharOf('11010519491231002')).toBe('X');
    expect(maskId('110105194912311234')).toBe('110***********1234');
    expect(maskId('123')).toBe('***');
  });
});
