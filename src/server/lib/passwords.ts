import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults (19 MiB, 2 passes): OWASP's recommended minimum. */
export function hashPassword(pw: string): Promise<string> {
  return hash(pw);
}

export async function verifyPassword(stored: string, pw: string): Promise<boolean> {
  try {
    return await verify(stored, pw);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** Spends the same time as a real check when the user does not exist (no user enumeration by timing). */
export async function verifyAgainstDummy(pw: string): Promise<void> {
  dummy ??= hash('dummy-password-Aa1!');
  await verifyPassword(await dummy, pw);
}
