import type { Ctx } from '../../context.js';
import { AppError, fieldError } from '../../errors.js';
import { can } from '../../../domain/permissions.js';
import { cityCodeOf, isWithin } from '../../../domain/tree.js';
import { writeAudit } from '../../plugins/audit.js';
import type { CreateDepartmentBody, UpdateDepartmentBody } from './departments.routes.js';

interface DeptRow {
  id: number;
  node_code: string;
  node_name: string;
  node_path: string;
  name: string;
  kind: string;
  status: string;
  members: number;
}

const SELECT = `SELECT d.id, d.node_code, n.name AS node_name, n.path::text AS node_path, d.name, d.kind, d.status,
  (SELECT count(*) FROM role_assignments r WHERE r.department_id = d.id) AS members
  FROM departments d JOIN nodes n ON n.code = d.node_code`;

function present(d: DeptRow) {
  return { id: d.id, nodeCode: d.node_code, nodeName: d.node_name, name: d.name, kind: d.kind, status: d.status, members: d.members };
}

/**
 * A department is visible when its node is in the caller's subtree or above
 * it (a grid worker must see the district departments to call them in).
 */
function isVisible(ctx: Ctx, path: string): boolean {
  return ctx.actor.grants.some((g) => isWithin(path, g.nodePath) || isWithin(g.nodePath, path));
}

export async function listDepartments(ctx: Ctx, q: { node?: string; kind?: string }) {
  const params: unknown[] = [];
  const conds: string[] = [];
  const grantPaths = ctx.actor.grants.map((g) => g.nodePath);
  if (!grantPaths.includes('')) {
    params.push(grantPaths);
    conds.push(`(n.path <@ ANY($${params.length}::ltree[]) OR n.path @> ANY($${params.length}::ltree[]))`);
  }
  if (q.node) {
    const [node] = await ctx.db.query<{ path: string }>('SELECT path::text AS path FROM nodes WHERE code = $1', [q.node]);
    if (!node || !isVisible(ctx, node.path)) throw fieldError('node', 'no such node in your part of the tree', 'NODE_NOT_FOUND');
    params.push(node.path);
    conds.push(`(n.path <@ $${params.length}::ltree OR n.path @> $${params.length}::ltree)`);
  }
  if (q.kind) {
    params.push(q.kind);
    conds.push(`d.kind = $${params.length}`);
  }
  const rows = await ctx.db.query<DeptRow>(`${SELECT} WHERE ${conds.join(' AND ') || 'TRUE'} ORDER BY n.path, d.name LIMIT 1000`, params);
  return { items: rows.map(present) };
}

async function load(ctx: Ctx, id: number): Promise<DeptRow> {
  const [d] = await ctx.db.query<DeptRow>(`${SELECT} WHERE d.id = $1`, [id]);
  if (!d || !isVisible(ctx, d.node_path)) throw new AppError('DEPARTMENT_NOT_FOUND', 'No such department in your part of the tree.');
  return d;
}

export async function getDepartment(ctx: Ctx, id: number) {
  const d = await load(ctx, id);
  const members = await ctx.db.query<{ id: string; username: string; display_name: string }>(
    `SELECT u.id, u.username, u.display_name FROM role_assignments r JOIN users u ON u.id = r.user_id WHERE r.department_id = $1 ORDER BY u.username`,
    [id],
  );
  return { ...present(d), memberList: members.map((m) => ({ id: m.id, username: m.username, displayName: m.display_name })) };
}

export async function createDepartment(ctx: Ctx, input: CreateDepartmentBody) {
  const [node] = await ctx.db.query<{ path: string; level: string; status: string }>('SELECT path::text AS path, level, status FROM nodes WHERE code = $1', [input.nodeCode]);
  if (!node || !ctx.actor.grants.some((g) => isWithin(node.path, g.nodePath))) throw fieldError('nodeCode', 'no such node in your part of the tree', 'NODE_NOT_FOUND');
  if (!can(ctx.actor, 'department.create', node.path)) throw new AppError('FORBIDDEN', 'You may not create departments there.');
  if (node.status !== 'active') throw fieldError('nodeCode', 'the node is retired', 'NODE_RETIRED');
  const id = await ctx.db.transaction(async (trx) => {
    const dup = await trx.query('SELECT 1 FROM departments WHERE node_code = $1 AND name = $2', [input.nodeCode, input.name]);
    if (dup.length) throw new AppError('DUPLICATE', 'name: a department of that name exists at this node', [{ field: 'name', reason: 'exists at this node' }]);
    const [row] = await trx.query<{ id: number }>(
      `INSERT INTO departments (city_code, node_code, name, kind) VALUES ($1, $2, $3, $4) RETURNING id`,
      [cityCodeOf(input.nodeCode), input.nodeCode, input.name, input.kind],
    );
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'department.create', resource: 'departments', resourceId: String(row!.id), result: 'ok', cityCode: cityCodeOf(input.nodeCode), detail: input });
    return row!.id;
  });
  return getDepartment(ctx, id);
}

export async function updateDepartment(ctx: Ctx, id: number, input: UpdateDepartmentBody) {
  const d = await load(ctx, id);
  if (!can(ctx.actor, 'department.update', d.node_path)) throw new AppError('FORBIDDEN', 'You may not change this department.');
  await ctx.db.transaction(async (trx) => {
    await trx.query(
      `UPDATE departments SET name = coalesce($2, name), kind = coalesce($3, kind), status = coalesce($4, status), updated_at = now() WHERE id = $1`,
      [id, input.name ?? null, input.kind ?? null, input.status ?? null],
    );
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'department.update', resource: 'departments', resourceId: String(id), result: 'ok', detail: input });
  });
  return getDepartment(ctx, id);
}
