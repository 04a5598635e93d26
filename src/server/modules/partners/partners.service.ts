/**
 * Partner systems (合作系统) and their API keys for the Open311 API. A partner
 * belongs to a node of the tree; each key acts within a node of the partner's
 * subtree: it may create and read cases there and nowhere else. Only the
 * SHA-256 of a key is stored; the key is shown once, when it is issued.
 * Managing needs `partner.manage` over the partner's node; out of scope is 404.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Ctx } from '../../context.js';
import { AppError, fieldError } from '../../errors.js';
import { can, isInScope } from '../../../domain/permissions.js';
import { cityCodeOf, isWithin } from '../../../domain/tree.js';
import { whereInScope } from '../../lib/scope.js';
import { writeAudit } from '../../plugins/audit.js';
import * as repo from './partners.repository.js';
import type { CreatePartnerBody, IssueKeyBody, UpdatePartnerBody } from './partners.schemas.js';

/** The stored form of an API key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function presentKey(k: repo.KeyRow) {
  return {
    id: k.id,
    prefix: k.key_prefix,
    label: k.label,
    nodeCode: k.node_code,
    nodeName: k.node_name,
    createdAt: k.created_at.toISOString(),
    lastUsedAt: iso(k.last_used_at),
    revokedAt: iso(k.revoked_at),
  };
}

function presentPartner(p: repo.PartnerRow, keys: repo.KeyRow[]) {
  return {
    id: p.id,
    name: p.name,
    nodeCode: p.node_code,
    nodeName: p.node_name,
    contact: p.contact,
    requestIds: p.request_ids,
    active: p.active,
    createdAt: p.created_at.toISOString(),
    keys: keys.filter((k) => k.partner_id === p.id).map(presentKey),
  };
}

/** Loads a partner in scope and checks partner.manage over its node. Throws NOT_FOUND (404), FORBIDDEN (403). */
async function loadFor(ctx: Ctx, id: number): Promise<repo.PartnerRow> {
  const p = await repo.findPartner(ctx.db, id);
  if (!p || !isInScope(ctx.actor, p.node_path)) throw new AppError('NOT_FOUND', 'No such partner in your part of the tree.');
  if (!can(ctx.actor, 'partner.manage', p.node_path)) throw new AppError('FORBIDDEN', 'You may not manage this partner.');
  return p;
}

async function loadNode(ctx: Ctx, code: string, field: string): Promise<{ path: string }> {
  const [n] = await ctx.db.query<{ path: string; status: string }>('SELECT path::text AS path, status FROM nodes WHERE code = $1', [code]);
  if (!n || !isInScope(ctx.actor, n.path)) throw fieldError(field, 'no such node in your part of the tree', 'NODE_NOT_FOUND');
  if (n.status !== 'active') throw fieldError(field, 'the node is retired', 'NODE_RETIRED');
  return n;
}

/** Partners in the caller's part of the tree, with their keys (never the keys themselves). */
export async function listPartners(ctx: Ctx) {
  const params: unknown[] = [];
  const rows = await repo.listPartners(ctx.db, whereInScope(ctx.actor, 'p.node_path', params), params);
  const keys = await repo.keysOf(ctx.db, rows.map((r) => r.id));
  return { items: rows.map((p) => presentPartner(p, keys)) };
}

/** Registers a partner at a node. Throws NODE_NOT_FOUND (404), FORBIDDEN (403), DUPLICATE (409 for a name taken in the city). */
export async function createPartner(ctx: Ctx, input: CreatePartnerBody) {
  const node = await loadNode(ctx, input.nodeCode, 'nodeCode');
  if (!can(ctx.actor, 'partner.manage', node.path)) throw new AppError('FORBIDDEN', 'You may not manage partners at this node.');
  const name = input.name.trim();
  if (!name) throw fieldError('name', 'must not be blank');
  const cityCode = cityCodeOf(input.nodeCode);
  const id = await ctx.db
    .transaction(async (trx) => {
      const id = await repo.insertPartner(trx, {
        cityCode, name, nodeCode: input.nodeCode, nodePath: node.path, contact: input.contact?.trim() || null,
        requestIds: input.requestIds ?? 'immediate', createdBy: ctx.actor.userId,
      });
      await writeAudit(trx, { cityCode, actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'partner.create', resource: 'partners', resourceId: String(id), result: 'ok', detail: { name, nodeCode: input.nodeCode } });
      return id;
    })
    .catch((err: { code?: string }) => {
      if (err.code === '23505') throw new AppError('DUPLICATE', 'A partner with this name exists in the city.', [{ field: 'name', reason: 'is taken' }]);
      throw err;
    });
  const p = (await repo.findPartner(ctx.db, id))!;
  return presentPartner(p, []);
}

/** Changes contact, id mode or active. Throws NOT_FOUND, FORBIDDEN. */
export async function updatePartner(ctx: Ctx, id: number, input: UpdatePartnerBody) {
  const p = await loadFor(ctx, id);
  await ctx.db.transaction(async (trx) => {
    await repo.updatePartner(trx, id, { contact: input.contact, request_ids: input.requestIds, active: input.active });
    await writeAudit(trx, { cityCode: p.city_code, actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'partner.update', resource: 'partners', resourceId: String(id), result: 'ok', detail: { ...input } });
  });
  const after = (await repo.findPartner(ctx.db, id))!;
  return presentPartner(after, await repo.keysOf(ctx.db, [id]));
}

/**
 * Issues a key for the partner, acting in `nodeCode` (default the partner's
 * node), which must lie within the partner's node and the caller's scope.
 * Returns the key once. Throws NOT_FOUND, FORBIDDEN, VALIDATION_FAILED naming nodeCode.
 */
export async function issueKey(ctx: Ctx, id: number, input: IssueKeyBody) {
  const p = await loadFor(ctx, id);
  if (!p.active) throw new AppError('CONFLICT', 'The partner is inactive; reactivate it first.');
  let nodeCode = p.node_code;
  let nodePath = p.node_path;
  if (input.nodeCode) {
    const n = await loadNode(ctx, input.nodeCode, 'nodeCode');
    if (!isWithin(n.path, p.node_path)) throw fieldError('nodeCode', "must lie within the partner's node");
    if (!can(ctx.actor, 'partner.manage', n.path)) throw new AppError('FORBIDDEN', 'You may not issue keys at this node.');
    nodeCode = input.nodeCode;
    nodePath = n.path;
  }
  const key = `wg_${randomBytes(24).toString('base64url')}`;
  const keyId = await ctx.db.transaction(async (trx) => {
    const keyId = await repo.insertKey(trx, {
      cityCode: p.city_code, partnerId: id, keyHash: hashApiKey(key), keyPrefix: key.slice(0, 10), label: input.label?.trim() || null,
      nodeCode, nodePath, createdBy: ctx.actor.userId,
    });
    await writeAudit(trx, { cityCode: p.city_code, actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'partner.key.issue', resource: 'partner_keys', resourceId: String(keyId), result: 'ok', detail: { partnerId: id, nodeCode, prefix: key.slice(0, 10) } });
    return keyId;
  });
  return { ...presentKey((await repo.findKey(ctx.db, id, keyId))!), key };
}

/** Revokes a key at once (every later call with it answers 403). Throws NOT_FOUND, FORBIDDEN, CONFLICT (already revoked). */
export async function revokeKey(ctx: Ctx, id: number, keyId: number) {
  const p = await loadFor(ctx, id);
  const k = await repo.findKey(ctx.db, id, keyId);
  if (!k) throw new AppError('NOT_FOUND', 'No such key for this partner.');
  await ctx.db.transaction(async (trx) => {
    if (!(await repo.revokeKey(trx, keyId, ctx.actor.userId))) throw new AppError('CONFLICT', 'The key is already revoked.');
    await writeAudit(trx, { cityCode: p.city_code, actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'partner.key.revoke', resource: 'partner_keys', resourceId: String(keyId), result: 'ok', detail: { partnerId: id, prefix: k.key_prefix } });
  });
  return presentKey((await repo.findKey(ctx.db, id, keyId))!);
}
