import { describe, expect, it } from 'vitest';
import { checkPassword } from './password.js';

describe('password rules', () => {
  it.each([
    ['Abcdef1!', true],
    ['abcdef12!', true],
    ['ABCDEF12a', true],
    ['Abc1!', false],
    ['abcdefgh', false],
    ['abcdefg1', false],
    ['ABCDEFG!', false],
    ['12345678', false],
    ['密码密码Aa1!', true],
    ['x'.repeat(129) + 'A1!', false],
  ])('%s → %s', (pw, ok) => {
    expect(checkPassword(pw).ok).toBe(ok);
  });

  it('names the reason and refuses the username inside', () => {
    expect(checkPassword('short').reason).toMatch(/at least 8/);
    expect(checkPassword('alllowercase').reason).toMatch(/3 of/);
    expect(checkPassword('Zhangsan-2026', 'zhangsan')).toEqual({ ok: false, reason: 'must not contain the username' });
  });
});
