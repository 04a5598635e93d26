/**
 * Use cases of the grid tree (网格体系): browse the caller's part of the tree,
 * draw grids under communities (网格), unit grids (单元格) and cell grids
 * (细胞格) under them, edit and retire (撤销) them. Each reads: load in scope
 * (404) → authorize (403) → rule (400/409) → one transaction with its audit row.
 */
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/db.js';
import { AppError, fieldError } from '../../errors.js';
import { writeAudit } from '../../plugins/audit.js';
import { can, isInScope, ROLE_PERMISSIONS, scopePaths, type Actor, type Permission } from '../../../domain/permissions.js';
import { childLevel, depthOf, isGridLevel, isWithin, LEVEL_NAMES, nextChildCode, pathOf, type GridKind } from '../../../domain/tree.js';
import { checkOneBoundary } from '../boundaries/boundaries.service.js';
import * as repo from './nodes.repository.js';
import type { CreateGridBody, NodeDto, NodeRefDto, UpdateNodeBody } from './nodes.schemas.js';

export type NodeCtx = Pick<Ctx, 'db' | 'actor' | 'ip'>;

/** A node row as the API shows it. */
export function present(n: repo.NodeRow): NodeDto {
  return {
    code: n.code,
    name: n.name,
    level: n.level,
    kind: n.kind,
    parentCode: n.parent_code,
    path: n.path,
    depth: n.depth,
    status: n.status,
    households: n.households,
    attributes: n.attributes ?? {},
    hasBoundary: n.has_boundary,
    childCount: n.child_count,
    retiredAt: n.retired_at ? n.retired_at.toISOString() : null,
    retiredReason: n.retired_reason,
  };
}

const notFound = (code: string) => new AppError('NODE_NOT_FOUND', `No node ${code} in your part of the tree.`);

/**
 * Loads a node the actor may see and checks `perm` on it.
 * Throws NODE_NOT_FOUND (404: missing or outside the actor's subtree, the two
 * answered alike) and FORBIDDEN (403: visible, but the role lacks `perm` there).
 */
async function loadInScope(ex: Executor, actor: Actor, code: string, perm: Permission): Promise<repo.NodeRow> {
  const n = await repo.findNode(ex, code);
  if (!n || !isInScope(actor, n.path)) throw notFound(code);
  if (!can(actor, perm, n.path)) throw new AppError('FORBIDDEN', `You may not do ${perm} at ${code}.`);
  return n;
}

/** True when the actor holds the administrator role over the node. */
function isAdministratorOver(actor: Actor, path: string): boolean {
  return actor.grants.some((g) => g.role === 'administrator' && isWithin(path, g.nodePath));
}

const audit = (ctx: NodeCtx, action: string, code: string, detail: Record<string, unknown>) => ({
  actorId: ctx.actor.userId,
  actorName: ctx.actor.name,
  ip: ctx.ip,
  action,
  resource: 'nodes',
  resourceId: code,
  result: 'ok' as const,
  detail,
});

/** The tops of the caller's readable part of the tree; the provinces for a whole-tree grant. */
export async function listRoots(ctx: NodeCtx): Promise<{ items: NodeDto[] }> {
  const readable = ctx.actor.grants.filter((g) => ROLE_PERMISSIONS[g.role].includes('node.read'));
  const tops = scopePaths({ ...ctx.actor, grants: readable });
  if (tops.includes('')) return { items: (await repo.listTopNodes(ctx.db)).map(present) };
  const rows = await repo.findNodes(ctx.db, tops.map((p) => p.split('.').at(-1)!));
  return { items: rows.map(present) };
}

/** One node with its ancestors (root first). Throws NODE_NOT_FOUND, FORBIDDEN. */
export async function getNode(ctx: NodeCtx, code: string): Promise<NodeDto & { ancestors: NodeRefDto[] }> {
  const n = await loadInScope(ctx.db, ctx.actor, code, 'node.read');
  const ancestors = await repo.refsOf(ctx.db, n.path.split('.').slice(0, -1));
  return { ...present(n), ancestors };
}

export async function listChildren(ctx: NodeCtx, code: string, status: repo.StatusFilter): Promise<{ items: NodeDto[] }> {
  await loadInScope(ctx.db, ctx.actor, code, 'node.read');
  return { items: (await repo.listChildren(ctx.db, code, status)).map(present) };
}

export async function getPath(ctx: NodeCtx, code: string): Promise<{ items: NodeRefDto[] }> {
  const n = await loadInScope(ctx.db, ctx.actor, code, 'node.read');
  return { items: await repo.refsOf(ctx.db, n.path.split('.')) };
}

export async function searchNodes(ctx: NodeCtx, code: string, q: { q: string; limit: number; status: repo.StatusFilter }) {
  const n = await loadInScope(ctx.db, ctx.actor, code, 'node.read');
  const text = q.q.trim();
  if (!text) throw fieldError('q', 'must contain something other than spaces');
  const rows = await repo.searchSubtree(ctx.db, n, text, q.limit, q.status);
  return { items: rows.map((r) => ({ ...present(r), pathNames: r.path_names })) };
}

export async function countNodes(ctx: NodeCtx, code: string) {
  const n = await loadInScope(ctx.db, ctx.actor, code, 'node.read');
  const [counts, households] = [await repo.countByLevel(ctx.db, n.path), await repo.householdsOf(ctx.db, code)];
  return { code, counts, households };
}

/** GeoJSON text of the node's boundary and its active children's. */
export async function nodeGeojson(ctx: NodeCtx, code: string, simplify?: number): Promise<string> {
  await loadInScope(ctx.db, ctx.actor, code, 'node.read');
  return repo.featureCollection(ctx.db, code, simplify);
}

const LEVEL_BELOW_RULE = 'grids are created under a community (a grid), a grid (a unit grid) or a unit grid (a cell grid)';

/**
 * Draws a grid under a community, a unit grid under a grid or a cell grid
 * under a unit; its code is the parent's plus the next free number.
 * Throws NODE_NOT_FOUND, FORBIDDEN, VALIDATION_FAILED (wrong parent level),
 * GEOJSON_INVALID (boundary), NODE_RETIRED (parent retired), DUPLICATE (an
 * active sibling has the name).
 */
export async function createGrid(ctx: NodeCtx, parentCode: string, body: CreateGridBody) {
  const parent = await loadInScope(ctx.db, ctx.actor, parentCode, 'node.create');
  const level = childLevel(parent.level);
  if (!level || !isGridLevel(level)) {
    throw fieldError('code', `${LEVEL_BELOW_RULE}; ${parentCode} is a ${LEVEL_NAMES[parent.level].en.toLowerCase()}`);
  }
  if (parent.status !== 'active') throw new AppError('NODE_RETIRED', `${parentCode} is retired; no new grids under it.`);
  const name = body.name.trim();
  const kind: GridKind = body.kind ?? (parent.kind === 'admin' ? 'comprehensive' : (parent.kind as GridKind));
  return ctx.db.transaction(async (trx) => {
    // The lock serialises code allocation under this parent (and sees a retirement that just committed).
    await repo.lockNode(trx, parentCode);
    const siblings = await repo.childCodes(trx, [parentCode]);
    const fresh = await repo.findNode(trx, parentCode);
    if (fresh?.status !== 'active') throw new AppError('NODE_RETIRED', `${parentCode} is retired; no new grids under it.`);
    if (siblings.some((s) => s.status === 'active' && s.name === name)) {
      throw new AppError('DUPLICATE', `${parentCode} already has an active child named "${name}".`, [{ field: 'name', reason: 'is taken by a sibling' }]);
    }
    let code: string;
    try {
      code = nextChildCode(parentCode, siblings.map((s) => s.code));
    } catch {
      throw new AppError('CONFLICT', `No free ${level} code is left under ${parentCode}.`);
    }
    const warnings = body.boundary ? await checkOneBoundary(trx, { code, parentCode, name }, body.boundary) : [];
    await repo.insertNodes(
      trx,
      [
        {
          code,
          parentCode,
          name,
          level,
          kind,
          path: pathOf(code),
          depth: depthOf(level),
          households: body.households ?? null,
          attributes: body.attributes ?? {},
          source: 'manual',
        },
      ],
      !!body.boundary,
    );
    await writeAudit(trx, audit(ctx, 'node.create', code, { parentCode, name, level, kind, boundary: !!body.boundary, warnings }));
    return { ...present((await repo.findNode(trx, code))!), warnings };
  });
}

/**
 * Edits name, boundary (null clears it), households or attributes (replaced
 * whole). An official division's name and boundary change only by an
 * administrator; the rest by node.update holders in scope.
 * Throws NODE_NOT_FOUND, FORBIDDEN, VALIDATION_FAILED, GEOJSON_INVALID, NODE_RETIRED, DUPLICATE.
 */
export async function updateNode(ctx: NodeCtx, code: string, body: UpdateNodeBody) {
  const n = await loadInScope(ctx.db, ctx.actor, code, 'node.update');
  const changed = Object.keys(body).filter((k) => (body as Record<string, unknown>)[k] !== undefined);
  if (changed.length === 0) throw fieldError('body', 'give at least one of name, boundary, households, attributes');
  if (n.status !== 'active') throw new AppError('NODE_RETIRED', `${code} is retired; it can no longer be edited.`);
  if (!isGridLevel(n.level) && (body.name !== undefined || body.boundary !== undefined) && !isAdministratorOver(ctx.actor, n.path)) {
    throw new AppError('FORBIDDEN', `Only an administrator may rename or redraw the official division ${code}.`);
  }
  const name = body.name?.trim();
  return ctx.db.transaction(async (trx) => {
    if (name !== undefined && name !== n.name && isGridLevel(n.level) && n.parent_code) {
      const siblings = await repo.childCodes(trx, [n.parent_code]);
      if (siblings.some((s) => s.status === 'active' && s.name === name && s.code !== code)) {
        throw new AppError('DUPLICATE', `${n.parent_code} already has an active child named "${name}".`, [{ field: 'name', reason: 'is taken by a sibling' }]);
      }
    }
    const warnings = body.boundary ? await checkOneBoundary(trx, { code, parentCode: n.parent_code, name: name ?? n.name }, body.boundary) : [];
    const ok = await repo.updateNode(trx, code, {
      name,
      households: body.households,
      attributes: body.attributes,
      boundary: body.boundary === undefined ? undefined : body.boundary === null ? null : 'staged',
    });
    if (!ok) throw new AppError('NODE_RETIRED', `${code} was retired meanwhile; nothing was changed.`);
    await writeAudit(
      trx,
      audit(ctx, 'node.update', code, {
        changed,
        before: { name: n.name, households: n.households, hasBoundary: n.has_boundary },
        warnings,
      }),
    );
    return { ...present((await repo.findNode(trx, code))!), warnings };
  });
}

/**
 * Retires a grid, unit or cell grid and everything under it. The rows stay
 * (cases keep pointing at them); they leave locate and the active lists.
 * Throws NODE_NOT_FOUND, FORBIDDEN, VALIDATION_FAILED (a division), NODE_RETIRED (already).
 */
export async function retireNode(ctx: NodeCtx, code: string, reason: string) {
  const n = await loadInScope(ctx.db, ctx.actor, code, 'node.retire');
  if (!isGridLevel(n.level)) {
    throw fieldError('code', `only grids, unit grids and cell grids can be retired; ${code} is an official division (${n.level})`);
  }
  if (n.status === 'retired') throw new AppError('NODE_RETIRED', `${code} is already retired.`);
  const why = reason.trim();
  return ctx.db.transaction(async (trx) => {
    const retired = await repo.retireSubtree(trx, code, n.path, why);
    if (retired.length === 0) throw new AppError('NODE_RETIRED', `${code} is already retired.`);
    await writeAudit(trx, audit(ctx, 'node.retire', code, { reason: why, retired }));
    return present((await repo.findNode(trx, code))!);
  });
}
