import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/db.js';
import { AppError, fieldError } from '../../errors.js';
import { can, canAssignRole, type Permission } from '../../../domain/permissions.js';
import { checkPassword } from '../../../domain/password.js';
import { cityCodeOf, isWithin } from '../../../domain/tree.js';
import { hashPassword } from '../../lib/passwords.js';
import { maskPhone } from '../../lib/personal-data.js';
import { whereInScope } from '../../lib/scope.js';
import { writeAudit } from '../../plugins/audit.js';
import { generatePassword } from './first-admin.js';
import * as repo from './users.repository.js';
import type { CreateUserBody, ListUsersQuery, RoleGrantInput, UpdateUserBody } from './users.schemas.js';

function present(u: repo.UserListRow) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    phone: u.phone_masked,
    status: u.status,
    lockedUntil: u.locked_until && u.locked_until > new Date() ? u.locked_until.toISOString() : null,
    lastLoginAt: u.last_login_at?.toISOString() ?? null,
    createdAt: u.created_at.toISOString(),
    roles: (u.roles ?? []).map((r) => ({
      id: r.id,
      role: r.role,
      nodeCode: r.node_code,
      nodeName: r.node_name,
      departmentId: r.department_id,
      departmentName: r.department_name,
    })),
  };
}

/**
 * Loads a user the actor may see (one of the user's roles lies in the actor's
 * subtree) and checks `perm` over every role the user holds: a district
 * administrator may not change a city leader. Throws USER_NOT_FOUND (404), FORBIDDEN (403).
 */
async function loadUserFor(ctx: Ctx, id: string, perm?: Permission): Promise<repo.UserListRow> {
  const u = await repo.getUserWithRoles(ctx.db, id);
  const paths = (u?.roles ?? []).map((r) => r.node_path);
  const visible = u && (paths.some((p) => ctx.actor.grants.some((g) => isWithin(p, g.nodePath))) || can(ctx.actor, 'user.read', ''));
  if (!u || !visible) throw new AppError('USER_NOT_FOUND', 'No such user in your part of the tree.');
  if (perm && !paths.every((p) => can(ctx.actor, perm, p))) throw new AppError('FORBIDDEN', `This user holds roles outside where you have ${perm}.`);
  return u;
}

/** Node path for a role grant, checked to be in the actor's scope and assignable. */
async function checkGrant(ctx: Ctx, ex: Executor, g: RoleGrantInput, index: number): Promise<{ path: string }> {
  const [node] = await ex.query<{ path: string; status: string }>('SELECT path::text AS path, status FROM nodes WHERE code = $1', [g.nodeCode]);
  const field = `roles.${index}.nodeCode`;
  if (!node || !ctx.actor.grants.some((a) => isWithin(node.path, a.nodePath))) throw fieldError(field, 'no such node in your part of the tree', 'NODE_NOT_FOUND');
  if (node.status !== 'active') throw fieldError(field, 'the node is retired', 'NODE_RETIRED');
  if (!canAssignRole(ctx.actor, g.role, node.path)) throw new AppError('FORBIDDEN', `You may not grant ${g.role} at ${g.nodeCode}.`);
  if (g.role === 'department_staff') {
    if (!g.departmentId) throw fieldError(`roles.${index}.departmentId`, 'is required for department_staff');
    const [d] = await ex.query<{ path: string }>(
      `SELECT n.path::text AS path FROM departments d JOIN nodes n ON n.code = d.node_code WHERE d.id = $1 AND d.status = 'active'`,
      [g.departmentId],
    );
    if (!d) throw fieldError(`roles.${index}.departmentId`, 'no such department', 'DEPARTMENT_NOT_FOUND');
  } else if (g.departmentId) {
    throw fieldError(`roles.${index}.departmentId`, 'only department_staff roles name a department');
  }
  return { path: node.path };
}

export async function listUsers(ctx: Ctx, q: ListUsersQuery) {
  const params: unknown[] = [];
  let where = whereInScope(ctx.actor, 'n.path', params);
  if (ctx.actor.grants.some((g) => g.nodePath === '')) where = 'TRUE';
  if (q.node) {
    const [node] = await ctx.db.query<{ path: string }>('SELECT path::text AS path FROM nodes WHERE code = $1', [q.node]);
    if (!node || !ctx.actor.grants.some((g) => isWithin(node.path, g.nodePath))) throw fieldError('node', 'no such node in your part of the tree', 'NODE_NOT_FOUND');
    params.push(node.path);
    where += ` AND n.path <@ $${params.length}::ltree`;
  }
  if (q.role) {
    params.push(q.role);
    where += ` AND r.role = $${params.length}`;
  }
  const rows = await repo.listUsers(ctx.db, where, params, q.q, q.pageSize, (q.page - 1) * q.pageSize);
  return { items: rows.map(present), total: rows[0]?.total ?? 0, page: q.page, pageSize: q.pageSize };
}

export async function getUser(ctx: Ctx, id: string) {
  return present(await loadUserFor(ctx, id));
}

/** Creates a user with roles. Throws USERNAME_TAKEN, PHONE_TAKEN (409), PASSWORD_TOO_WEAK (400), FORBIDDEN. */
export async function createUser(ctx: Ctx, input: CreateUserBody) {
  const check = checkPassword(input.password, input.username);
  if (!check.ok) throw fieldError('password', check.reason!, 'PASSWORD_TOO_WEAK');
  const grants = await Promise.all(input.roles.map((g, i) => checkGrant(ctx, ctx.db, g, i)));
  const passwordHash = await hashPassword(input.password);
  const id = await ctx.db.transaction(async (trx) => {
    if ((await trx.query('SELECT 1 FROM users WHERE username = $1', [input.username])).length)
      throw new AppError('USERNAME_TAKEN', 'username: is taken', [{ field: 'username', reason: 'is taken' }]);
    const phoneHash = input.phone ? ctx.pd.hash(input.phone) : null;
    if (phoneHash && (await trx.query('SELECT 1 FROM users WHERE phone_hash = $1', [phoneHash])).length)
      throw new AppError('PHONE_TAKEN', 'phone: belongs to another user', [{ field: 'phone', reason: 'belongs to another user' }]);
    const cityCode = cityCodeOf(input.roles[0]!.nodeCode);
    const userId = await repo.insertUser(trx, {
      cityCode,
      username: input.username,
      displayName: input.displayName,
      phoneEnc: input.phone ? ctx.pd.encrypt(input.phone) : null,
      phoneHash,
      phoneMasked: input.phone ? maskPhone(input.phone) : null,
      passwordHash,
      mustChange: true,
    });
    for (const g of input.roles) {
      await repo.insertRole(trx, { cityCode: cityCodeOf(g.nodeCode), userId, role: g.role, nodeCode: g.nodeCode, departmentId: g.departmentId ?? null, createdBy: ctx.actor.userId });
    }
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'user.create', resource: 'users', resourceId: userId, result: 'ok', cityCode, detail: { username: input.username, roles: input.roles, paths: grants.map((g) => g.path) } });
    return userId;
  });
  return getUser(ctx, id);
}

export async function updateUser(ctx: Ctx, id: string, input: UpdateUserBody) {
  const u = await loadUserFor(ctx, id, 'user.update');
  if (input.status === 'disabled' && id === ctx.actor.userId) throw fieldError('status', 'you cannot disable yourself');
  await ctx.db.transaction(async (trx) => {
    const sets: string[] = [];
    const params: unknown[] = [id];
    const add = (col: string, v: unknown) => {
      params.push(v);
      sets.push(`${col} = $${params.length}`);
    };
    if (input.displayName !== undefined) add('display_name', input.displayName);
    if (input.status !== undefined) add('status', input.status);
    if (input.phone !== undefined) {
      const hash = input.phone ? ctx.pd.hash(input.phone) : null;
      if (hash && (await trx.query('SELECT 1 FROM users WHERE phone_hash = $1 AND id <> $2', [hash, id])).length)
        throw new AppError('PHONE_TAKEN', 'phone: belongs to another user', [{ field: 'phone', reason: 'belongs to another user' }]);
      add('phone_enc', input.phone ? ctx.pd.encrypt(input.phone) : null);
      add('phone_hash', hash);
      add('phone_masked', input.phone ? maskPhone(input.phone) : null);
    }
    await trx.query(`UPDATE users SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
    if (input.status === 'disabled') await trx.query('DELETE FROM sessions WHERE user_id = $1', [id]);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'user.update', resource: 'users', resourceId: id, result: 'ok', detail: { username: u.username, fields: Object.keys(input) } });
  });
  return getUser(ctx, id);
}

export async function addRole(ctx: Ctx, id: string, input: RoleGrantInput) {
  await loadUserFor(ctx, id);
  await checkGrant(ctx, ctx.db, input, 0);
  await ctx.db.transaction(async (trx) => {
    const roleId = await repo.insertRole(trx, { cityCode: cityCodeOf(input.nodeCode), userId: id, role: input.role, nodeCode: input.nodeCode, departmentId: input.departmentId ?? null, createdBy: ctx.actor.userId });
    if (!roleId) throw new AppError('DUPLICATE', 'The user already holds this role there.');
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'role.assign', resource: 'users', resourceId: id, result: 'ok', detail: { ...input, roleId } });
  });
  return getUser(ctx, id);
}

export async function removeRole(ctx: Ctx, id: string, roleId: number) {
  const u = await loadUserFor(ctx, id);
  const r = u.roles.find((x) => x.id === roleId);
  if (!r) throw new AppError('NOT_FOUND', 'The user holds no such role.');
  if (!can(ctx.actor, 'role.assign', r.node_path)) throw new AppError('FORBIDDEN', 'You may not remove a role held there.');
  if (id === ctx.actor.userId && r.role === 'administrator') throw fieldError('roleId', 'you cannot remove your own administrator role');
  await ctx.db.transaction(async (trx) => {
    await trx.query('DELETE FROM role_assignments WHERE id = $1 AND user_id = $2', [roleId, id]);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'role.revoke', resource: 'users', resourceId: id, result: 'ok', detail: { roleId, role: r.role, nodeCode: r.node_code } });
  });
  return getUser(ctx, id);
}

export async function unlockUser(ctx: Ctx, id: string) {
  await loadUserFor(ctx, id, 'user.update');
  await ctx.db.transaction(async (trx) => {
    await trx.query('UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = now() WHERE id = $1', [id]);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'user.unlock', resource: 'users', resourceId: id, result: 'ok' });
  });
  return getUser(ctx, id);
}

/** Sets a one-time password (returned once) that must be changed at the next sign-in; ends the user's sessions. */
export async function resetPassword(ctx: Ctx, id: string) {
  await loadUserFor(ctx, id, 'user.update');
  const password = generatePassword();
  const hash = await hashPassword(password);
  await ctx.db.transaction(async (trx) => {
    await trx.query('UPDATE users SET password_hash = $2, must_change_password = true, failed_logins = 0, locked_until = NULL, updated_at = now() WHERE id = $1', [id, hash]);
    await trx.query('DELETE FROM sessions WHERE user_id = $1', [id]);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'user.password_reset', resource: 'users', resourceId: id, result: 'ok' });
  });
  return { oneTimePassword: password };
}

/** Shows a user's full phone number; every reveal is logged with its reason. */
export async function revealPhone(ctx: Ctx, id: string, reason: string) {
  await loadUserFor(ctx, id, 'user.reveal_phone');
  return ctx.db.transaction(async (trx) => {
    const enc = await repo.phoneEncOf(trx, id);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'user.reveal_phone', resource: 'users', resourceId: id, result: 'ok', detail: { reason } });
    return { phone: enc ? ctx.pd.decrypt(enc) : null };
  });
}
