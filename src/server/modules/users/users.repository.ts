import type { Executor } from '../../db/db.js';
import type { Role } from '../../../domain/permissions.js';

export interface UserRow {
  id: string;
  city_code: string;
  username: string;
  display_name: string;
  phone_masked: string | null;
  password_hash: string;
  must_change_password: boolean;
  status: 'active' | 'disabled';
  failed_logins: number;
  locked_until: Date | null;
  last_login_at: Date | null;
  created_at: Date;
}

export interface GrantRow {
  id: number;
  role: Role;
  node_code: string | null;
  node_name: string | null;
  node_path: string;
  node_level: string | null;
  department_id: number | null;
  department_name: string | null;
}

const USER_COLUMNS = `u.id, u.city_code, u.username, u.display_name, u.phone_masked, u.password_hash, u.must_change_password,
  u.status, u.failed_logins, u.locked_until, u.last_login_at, u.created_at`;

export async function findUserByLogin(ex: Executor, username: string, phoneHash: string | null): Promise<UserRow | undefined> {
  const rows = await ex.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users u WHERE u.username = $1 OR (u.phone_hash IS NOT NULL AND u.phone_hash = $2) LIMIT 1`,
    [username, phoneHash],
  );
  return rows[0];
}

export async function findUserById(ex: Executor, id: string): Promise<UserRow | undefined> {
  const rows = await ex.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [id]);
  return rows[0];
}

export async function grantsOf(ex: Executor, userId: string): Promise<GrantRow[]> {
  return ex.query<GrantRow>(
    `SELECT r.id, r.role, r.node_code, n.name AS node_name, coalesce(n.path::text, '') AS node_path, n.level AS node_level,
            r.department_id, d.name AS department_name
       FROM role_assignments r
       LEFT JOIN nodes n ON n.code = r.node_code
       LEFT JOIN departments d ON d.id = r.department_id
      WHERE r.user_id = $1
      ORDER BY r.id`,
    [userId],
  );
}

/** Records a failed sign-in; locks the account when the failures reach `max`. Returns the new lock time, if any. */
export async function recordLoginFailure(ex: Executor, id: string, max: number, lockMinutes: number): Promise<Date | null> {
  const rows = await ex.query<{ locked_until: Date | null }>(
    `UPDATE users SET
        failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
        locked_until  = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
      WHERE id = $1 RETURNING locked_until`,
    [id, max, lockMinutes],
  );
  const until = rows[0]?.locked_until ?? null;
  return until && until > new Date() ? until : null;
}

export async function recordLoginSuccess(ex: Executor, id: string): Promise<void> {
  await ex.query(`UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE id = $1`, [id]);
}
