import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../context.js';
import { AppError, fieldError } from '../../errors.js';
import { invalidateSessionCache, SESSION_COOKIE } from '../../plugins/auth.js';
import { checkPassword } from '../../../domain/password.js';
import { hashPassword, verifyPassword } from '../../lib/passwords.js';
import { writeAudit } from '../../plugins/audit.js';
import * as users from '../users/users.repository.js';
import { describeActor, login, logout } from './auth.service.js';

const LoginBody = Type.Object(
  {
    /** Username or mainland mobile number. */
    login: Type.String({ minLength: 1, maxLength: 100, description: 'Username or mobile phone number' }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

const PasswordBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 200 }),
    newPassword: Type.String({ minLength: 1, maxLength: 200, description: '≥ 8 characters, 3 of 4 classes (lower, upper, digit, symbol)' }),
  },
  { additionalProperties: false },
);

export async function authRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: deps.config.secureCookies,
    maxAge: deps.config.sessionMaxHours * 3600,
  };

  app.post(
    '/login',
    {
      config: { public: true },
      schema: { tags: ['auth'], summary: 'Sign in with username or phone and password; sets the session cookie', body: LoginBody },
    },
    async (req, reply) => {
      const body = req.body as { login: string; password: string };
      const result = await login(deps, body, { ip: req.ip, userAgent: req.headers['user-agent'] });
      reply.setCookie(SESSION_COOKIE, result.token, cookieOptions);
      return { userId: result.userId, csrfToken: result.csrfToken, mustChangePassword: result.mustChangePassword };
    },
  );

  app.post(
    '/logout',
    { config: { public: true }, schema: { tags: ['auth'], summary: 'End the current session' } },
    async (req, reply) => {
      if (req.session) await logout(deps, req.session.idHash);
      invalidateSessionCache();
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  );

  app.get(
    '/me',
    { config: { public: true }, schema: { tags: ['auth'], summary: 'The signed-in user, roles, permissions and CSRF token' } },
    async (req) => {
      if (!req.actor || !req.session) throw new AppError('UNAUTHENTICATED', 'Please sign in.');
      return { ...(await describeActor(deps, req.actor)), csrfToken: req.session.csrfToken };
    },
  );

  app.post(
    '/password',
    { config: { permission: 'account.self' }, schema: { tags: ['auth'], summary: 'Change your own password', body: PasswordBody } },
    async (req) => {
      const body = req.body as { currentPassword: string; newPassword: string };
      const actor = req.actor!;
      const user = await users.findUserById(deps.db, actor.userId);
      if (!user) throw new AppError('UNAUTHENTICATED', 'Please sign in.');
      if (!(await verifyPassword(user.password_hash, body.currentPassword))) throw fieldError('currentPassword', 'is wrong', 'LOGIN_FAILED');
      const check = checkPassword(body.newPassword, user.username);
      if (!check.ok) throw fieldError('newPassword', check.reason!, 'PASSWORD_TOO_WEAK');
      const hash = await hashPassword(body.newPassword);
      await deps.db.transaction(async (trx) => {
        await trx.query('UPDATE users SET password_hash = $2, must_change_password = false, updated_at = now() WHERE id = $1', [user.id, hash]);
        // Other sessions of this user end: a changed password must lock out whoever knew the old one.
        await trx.query('DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2', [user.id, req.session?.idHash ?? '']);
        await writeAudit(trx, { actorId: user.id, actorName: user.display_name, ip: req.ip, action: 'auth.password_change', result: 'ok', cityCode: user.city_code });
      });
      return { ok: true };
    },
  );
}
