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

export interface UserListRow {
  id: string;
  username: string;
  display_name: string;
  phone_masked: string | null;
  status: string;
  locked_until: Date | null;
  last_login_at: Date | null;
  created_at: Date;
  roles: { id: number; role: Role; node_code: string | null; node_name: string | null; node_path: string; department_id: number | null; department_name: string | null }[];
  total: number;
}

/** Users holding at least one role whose node matches `roleWhere` (a condition on n.path / r.role built by the caller). */
export async function listUsers(ex: Executor, roleWhere: string, params: unknown[], q: string | undefined, limit: number, offset: number): Promise<UserListRow[]> {
  const p = [...params];
  let qWhere = 'TRUE';
  if (q) {
    p.push(`%${q.replace(/[\\%_]/g, (m) => '\\' + m)}%`);
    qWhere = `(u.username ILIKE $${p.length} OR u.display_name ILIKE $${p.length})`;
  }
  p.push(limit, offset);
  return ex.query<UserListRow>(
    `WITH matched AS (
       SELECT DISTINCT u.id FROM users u
         JOIN role_assignments r ON r.user_id = u.id
         LEFT JOIN nodes n ON n.code = r.node_code
        WHERE ${roleWhere} AND ${qWhere}
     )
     SELECT u.id, u.username, u.display_name, u.phone_masked, u.status, u.locked_until, u.last_login_at, u.created_at,
            (SELECT json_agg(json_build_object('id', r.id, 'role', r.role, 'node_code', r.node_code, 'node_name', n.name,
                     'node_path', coalesce(n.path::text, ''), 'department_id', r.department_id, 'department_name', d.name) ORDER BY r.id)
               FROM role_assignments r LEFT JOIN nodes n ON n.code = r.node_code LEFT JOIN departments d ON d.id = r.department_id
              WHERE r.user_id = u.id) AS roles,
            count(*) OVER () AS total
       FROM users u JOIN matched m ON m.id = u.id
      ORDER BY u.username
      LIMIT $${p.length - 1} OFFSET $${p.length}`,
    p,
  );
}

export async function getUserWithRoles(ex: Executor, id: string): Promise<UserListRow | undefined> {
  const rows = await listUsers(ex, 'u.id = $1', [id], undefined, 1, 0);
  return rows[0];
}

export async function insertUser(
  ex: Executor,
  u: { cityCode: string; username: string; displayName: string; phoneEnc: string | null; phoneHash: string | null; phoneMasked: string | null; passwordHash: string; mustChange: boolean },
): Promise<string> {
  const rows = await ex.query<{ id: string }>(
    `INSERT INTO users (city_code, username, display_name, phone_enc, phone_hash, phone_masked, password_hash, must_change_password)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [u.cityCode, u.username, u.displayName, u.phoneEnc, u.phoneHash, u.phoneMasked, u.passwordHash, u.mustChange],
  );
  return rows[0]!.id;
}

export async function insertRole(ex: Executor, r: { cityCode: string; userId: string; role: Role; nodeCode: string; departmentId: number | null; createdBy: string }): Promise<number> {
  const rows = await ex.query<{ id: number }>(
    `INSERT INTO role_assignments (city_code, user_id, role, node_code, department_id, created_by)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT DO NOTHING RETURNING id`,
    [r.cityCode, r.userId, r.role, r.nodeCode, r.departmentId, r.createdBy],
  );
  return rows[0]?.id ?? 0;
}

export async function phoneEncOf(ex: Executor, id: string): Promise<string | null> {
  const rows = await ex.query<{ phone_enc: string | null }>('SELECT phone_enc FROM users WHERE id = $1', [id]);
  return rows[0]?.phone_enc ?? null;
}
