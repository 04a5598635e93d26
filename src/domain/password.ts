/**
 * Password rules (MLPS level-3 practice): at least 8 characters and at least
 * three of the four classes: lower case, upper case, digits, symbols.
 */
export const PASSWORD_MIN_LENGTH = 8;

export interface PasswordCheck {
  ok: boolean;
  /** Why it fails, for the person choosing it. */
  reason?: string;
}

export function checkPassword(pw: string, username?: string): PasswordCheck {
  if (pw.length < PASSWORD_MIN_LENGTH) return { ok: false, reason: `must be at least ${PASSWORD_MIN_LENGTH} characters` };
  if (pw.length > 128) return { ok: false, reason: 'must be at most 128 characters' };
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^a-zA-Z\d]/].filter((re) => re.test(pw)).length;
  if (classes < 3) return { ok: false, reason: 'must mix at least 3 of: lower case, upper case, digits, symbols' };
  if (username && username.length >= 3 && pw.toLowerCase().includes(username.toLowerCase()))
    return { ok: false, reason: 'must not contain the username' };
  return { ok: true };
}

/** Login lockout: 5 failures lock the account for 15 minutes. */
export const LOCKOUT = { maxFailures: 5, minutes: 15 } as const;
