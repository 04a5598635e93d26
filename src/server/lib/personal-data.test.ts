import { describe, expect, it } from 'vitest';
import { isMobilePhone, loadDataKeys, maskIdNumber, maskPhone, PersonalData } from './personal-data.js';

const K1 = 'a'.repeat(64);
const K2 = Buffer.alloc(32, 7).toString('base64');

describe('personal data', () => {
  it('round-trips, with a fresh IV each time and no plaintext in the ciphertext', () => {
    const pd = new PersonalData(loadDataKeys(K1));
    const a = pd.encrypt('13812345678');
    const b = pd.encrypt('13812345678');
    expect(a).not.toBe(b);
    expect(a).not.toContain('13812345678');
    expect(pd.decrypt(a)).toBe('13812345678');
  });

  it('detects tampering', () => {
    const pd = new PersonalData(loadDataKeys(K1));
    const c = pd.encrypt('440102199001011234');
    const raw = Buffer.from(c.split(':')[1]!, 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => pd.decrypt(`k1:${raw.toString('base64')}`)).toThrow();
  });

  it('rotates keys: new key encrypts, old ciphertexts still decrypt', () => {
    const old = new PersonalData(loadDataKeys(`k1:${K1}`));
    const c = old.encrypt('13800000000');
    const rotated = new PersonalData(loadDataKeys(`k2:${K2},k1:${K1}`));
    expect(rotated.decrypt(c)).toBe('13800000000');
    expect(rotated.encrypt('x').startsWith('k2:')).toBe(true);
  });

  it('hashes deterministically per key, case- and space-insensitively', () => {
    const pd = new PersonalData(loadDataKeys(K1));
    expect(pd.hash(' 44010219900101123x ')).toBe(pd.hash('44010219900101123X'));
    expect(new PersonalData(loadDataKeys(K2)).hash('1')).not.toBe(pd.hash('1'));
  });

  it('rejects keys of the wrong size', () => {
    expect(() => loadDataKeys('abcd'.repeat(10))).toThrow(/32 bytes/);
  });

  it('masks', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskIdNumber('110101199003071234')).toBe('110***********1234');
    expect(isMobilePhone('13812345678')).toBe(true);
    expect(isMobilePhone('23812345678')).toBe(false);
  });
});
