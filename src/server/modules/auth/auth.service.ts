import type { AppDeps } from '../../context.js';
import { AppError } from '../../errors.js';
import { LOCKOUT } from '../../../domain/password.js';
import { permissionsOf, type Actor } from '../../../domain/permissions.js';
import { verifyAgainstDummy, verifyPassword } from '../../lib/passwords.js';
import { isMobilePhone } from '../../lib/personal-data.js';
import { hashToken, newToken } from '../../plugins/auth.js';
import { writeAudit } from '../../plugins/audit.js';
import * as users from '../users/users.repository.js';

export interface LoginResult {
  token: string;
  csrfToken: string;
  userId: string;
  mustChangePassword: boolean;
}

/**
 * Signs in with a username or a phone number. Five failures lock the account
 * for fifteen minutes. Throws LOGIN_FAILED (401), ACCOUNT_LOCKED (423).
 */
export async function login(deps: AppDeps, input: { login: string; password: string }, meta: { ip?: string; userAgent?: string }): Promise<LoginResult> {
  const login = input.login.trim();
  const phoneHash = isMobilePhone(login) ? deps.pd.hash(login) : null;
  const user = await users.findUserByLogin(deps.db, login, phoneHash);
  if (!user || user.status !== 'active') {
    await verifyAgainstDummy(input.password);
    throw new AppError('LOGIN_FAILED', 'Wrong username/phone or password.');
  }
  if (user.locked_until && user.locked_until > new Date()) {
    throw new AppError('ACCOUNT_LOCKED', `Too many failed sign-ins; the account is locked until ${user.locked_until.toISOString()}.`, undefined, {
      lockedUntil: user.locked_until.toISOString(),
    });
  }
  if (!(await verifyPassword(user.password_hash, input.password))) {
    const lockedUntil = await users.recordLoginFailure(deps.db, user.id, LOCKOUT.maxFailures, LOCKOUT.minutes);
    await writeAudit(deps.db, { actorId: user.id, actorName: user.display_name, ip: meta.ip, action: 'auth.login', result: 'denied', detail: { lockedUntil } });
    if (lockedUntil) {
      throw new AppError('ACCOUNT_LOCKED', `Too many failed sign-ins; the account is locked until ${lockedUntil.toISOString()}.`, undefined, {
        lockedUntil: lockedUntil.toISOString(),
      });
    }
    throw new AppError('LOGIN_FAILED', 'Wrong username/phone or password.');
  }
  const token = newToken();
  const csrfToken = newToken();
  await deps.db.transaction(async (trx) => {
    await users.recordLoginSuccess(trx, user.id);
    await trx.query(
      `INSERT INTO sessions (id_hash, user_id, city_code, csrf_token, expires_at, ip, user_agent)
       VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5), $6, $7)`,
      [hashToken(token), user.id, user.city_code, csrfToken, deps.config.sessionMaxHours, meta.ip ?? null, meta.userAgent?.slice(0, 300) ?? null],
    );
    await writeAudit(trx, { actorId: user.id, actorName: user.display_name, ip: meta.ip, action: 'auth.login', result: 'ok', cityCode: user.city_code });
  });
  return { token, csrfToken, userId: user.id, mustChangePassword: user.must_change_password };
}

export async function logout(deps: AppDeps, idHash: string): Promise<void> {
  await deps.db.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
}

/** The signed-in user as the console needs it: profile, roles with their nodes, permissions. */
export async function describeActor(deps: AppDeps, actor: Actor) {
  const user = await users.findUserById(deps.db, actor.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'Please sign in.');
  const grants = await users.grantsOf(deps.db, actor.userId);
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    phone: user.phone_masked,
    mustChangePassword: user.must_change_password,
    roles: grants.map((g) => ({
      id: g.id,
      role: g.role,
      nodeCode: g.node_code,
      nodeName: g.node_name,
      nodeLevel: g.node_level,
      departmentId: g.department_id,
      departmentName: g.department_name,
    })),
    permissions: [...permissionsOf(actor)].sort(),
  };
}
