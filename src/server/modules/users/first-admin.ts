import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../../context.js';
import type { Executor } from '../../db/db.js';
import { checkPassword } from '../../../domain/password.js';
import { hashPassword } from '../../lib/passwords.js';
import { AppError, fieldError } from '../../errors.js';
import { writeAudit } from '../../plugins/audit.js';
import { cityCodeOf } from '../../../domain/tree.js';

/** A random password that meets the password rules (upper, lower, digit, symbol). */
export function generatePassword(): string {
  const raw = randomBytes(12).toString('base64url');
  return `Wg-${raw}7a`;
}

export interface CreateAdminInput {
  username: string;
  displayName: string;
  password?: string;
  /** Node the role is held at; undefined = the whole tree. */
  nodeCode?: string;
  mustChangePassword?: boolean;
}

/** Creates an administrator; returns the password (generated when none was given). */
export async function createAdministrator(ex: Executor, input: CreateAdminInput): Promise<{ id: string; password: string }> {
  const password = input.password ?? generatePassword();
  const check = checkPassword(password, input.username);
  if (!check.ok) throw fieldError('password', check.reason!, 'PASSWORD_TOO_WEAK');
  if (input.nodeCode) {
    const n = await ex.query('SELECT 1 FROM nodes WHERE code = $1', [input.nodeCode]);
    if (!n.length) throw new AppError('NODE_NOT_FOUND', `node: ${input.nodeCode} does not exist`);
  }
  const taken = await ex.query('SELECT 1 FROM users WHERE username = $1', [input.username]);
  if (taken.length) throw new AppError('USERNAME_TAKEN', `username: ${input.username} is taken`, [{ field: 'username', reason: 'is taken' }]);
  const city = input.nodeCode ? cityCodeOf(input.nodeCode) : '0000';
  const [row] = await ex.query<{ id: string }>(
    `INSERT INTO users (city_code, username, display_name, password_hash, must_change_password)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [city, input.username, input.displayName, await hashPassword(password), input.mustChangePassword ?? false],
  );
  await ex.query(`INSERT INTO role_assignments (city_code, user_id, role, node_code) VALUES ($1, $2, 'administrator', $3)`, [
    city,
    row!.id,
    input.nodeCode ?? null,
  ]);
  await writeAudit(ex, { action: 'user.create_administrator', resource: 'users', resourceId: row!.id, result: 'ok', cityCode: city, detail: { username: input.username } });
  return { id: row!.id, password };
}

/**
 * Production has no default password: on the first start with no
 * administrator, one is created with a one-time password printed once, to be
 * changed at first sign-in.
 */
export async function ensureFirstAdmin(deps: AppDeps, print: (msg: string) => void): Promise<void> {
  const admins = await deps.db.query(`SELECT 1 FROM role_assignments WHERE role = 'administrator' LIMIT 1`);
  if (admins.length) return;
  const created = await deps.db.transaction((trx) =>
    createAdministrator(trx, { username: 'admin', displayName: 'Administrator', mustChangePassword: true }),
  );
  print(
    `\nNo administrator existed: created "admin" with the one-time password\n\n    ${created.password}\n\n` +
      'It is shown only now and must be changed at the first sign-in. (Or create one with `wangge admin create`.)\n',
  );
}
