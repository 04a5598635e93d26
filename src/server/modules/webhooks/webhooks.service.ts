/**
 * Subscriptions to the outbox (webhooks, SMS and WeChat gateways), for
 * administrators. A subscription covers a node's subtree or a whole city;
 * it is visible to those whose scope covers that, and managed by those who
 * hold webhook.manage there. The signing secret is shown once, at creation.
 */
import { randomBytes } from 'node:crypto';
import type { Ctx } from '../../context.js';
import { AppError, fieldError } from '../../errors.js';
import { can, type Actor } from '../../../domain/permissions.js';
import { cityCodeOf, isWithin, pathOf } from '../../../domain/tree.js';
import { whereInScope } from '../../lib/scope.js';
import { writeAudit } from '../../plugins/audit.js';
import { attemptDelivery } from '../../workers/outbox-worker.js';
import * as repo from './webhooks.repository.js';
import type { CreateWebhookBody, DeliveriesQuery, UpdateWebhookBody } from './webhooks.schemas.js';

function present(w: repo.WebhookRow) {
  return {
    id: w.id,
    name: w.name,
    kind: w.kind,
    url: w.url,
    topics: w.topics,
    nodeCode: w.node_code,
    active: w.active,
    createdAt: w.created_at.toISOString(),
    updatedAt: w.updated_at.toISOString(),
    lastDelivery: w.last_at ? { at: w.last_at.toISOString(), statusCode: w.last_status, delivered: !!w.last_delivered, error: w.last_error } : null,
  };
}

const inScope = (actor: Actor, path: string) => actor.grants.some((g) => isWithin(path, g.nodePath));

/** Loads a subscription in the actor's scope and checks webhook.manage there. Throws WEBHOOK_NOT_FOUND (404), FORBIDDEN (403). */
async function loadFor(ctx: Ctx, id: number): Promise<repo.WebhookRow> {
  const w = await repo.find(ctx.db, id);
  if (!w || !inScope(ctx.actor, w.scope_path)) throw new AppError('WEBHOOK_NOT_FOUND', 'No such subscription in your part of the tree.');
  if (!can(ctx.actor, 'webhook.manage', w.scope_path)) throw new AppError('FORBIDDEN', 'You may not manage this subscription.');
  return w;
}

function checkUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw fieldError('url', 'is not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw fieldError('url', 'must be an http or https URL');
  return u.toString();
}

/** The city a subscription without a node belongs to: the actor's own. */
async function actorCity(ctx: Ctx): Promise<string> {
  const g = ctx.actor.grants.find((x) => x.nodeCode);
  if (g?.nodeCode) return cityCodeOf(g.nodeCode);
  const [u] = await ctx.db.query<{ city_code: string }>('SELECT city_code FROM users WHERE id = $1', [ctx.actor.userId]);
  return u!.city_code;
}

export async function listWebhooks(ctx: Ctx) {
  const params: unknown[] = [];
  const where = whereInScope(ctx.actor, repo.SCOPE_EXPR, params);
  return { items: (await repo.list(ctx.db, where, params)).map(present) };
}

/** Creates a subscription; returns it with its secret (once). Throws NODE_NOT_FOUND, VALIDATION_FAILED (400), FORBIDDEN. */
export async function createWebhook(ctx: Ctx, input: CreateWebhookBody) {
  const url = checkUrl(input.url);
  let nodePath: string | null = null;
  let cityCode: string;
  if (input.nodeCode) {
    const [n] = await ctx.db.query<{ path: string; status: string }>('SELECT path::text AS path, status FROM nodes WHERE code = $1', [input.nodeCode]);
    if (!n || !inScope(ctx.actor, n.path)) throw fieldError('nodeCode', 'no such node in your part of the tree', 'NODE_NOT_FOUND');
    if (n.status !== 'active') throw fieldError('nodeCode', 'the node is retired', 'NODE_RETIRED');
    nodePath = n.path;
    cityCode = cityCodeOf(input.nodeCode);
  } else {
    cityCode = await actorCity(ctx);
  }
  const scopePath = nodePath ?? pathOf(cityCode);
  if (!can(ctx.actor, 'webhook.manage', scopePath))
    throw new AppError('FORBIDDEN', input.nodeCode ? `You may not add subscriptions at ${input.nodeCode}.` : 'A city-wide subscription needs webhook.manage for the whole city; name a nodeCode in your part.');
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  const kind = input.kind ?? 'webhook';
  const id = await ctx.db.transaction(async (trx) => {
    const id = await repo.insert(trx, { cityCode, name: input.name, kind, url, secretEnc: ctx.pd.encrypt(secret), topics: input.topics, nodeCode: input.nodeCode ?? null, nodePath, createdBy: ctx.actor.userId });
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'webhook.create', resource: 'webhook_subscriptions', resourceId: String(id), result: 'ok', cityCode, detail: { name: input.name, kind, url, topics: input.topics, nodeCode: input.nodeCode ?? null } });
    return id;
  });
  return { ...present((await repo.find(ctx.db, id))!), secret };
}

export async function updateWebhook(ctx: Ctx, id: number, input: UpdateWebhookBody) {
  const w = await loadFor(ctx, id);
  const url = input.url !== undefined ? checkUrl(input.url) : undefined;
  await ctx.db.transaction(async (trx) => {
    await repo.update(trx, id, { ...input, url });
    if (input.active === false) await repo.cancelPending(trx, id);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'webhook.update', resource: 'webhook_subscriptions', resourceId: String(id), result: 'ok', cityCode: w.city_code, detail: { ...input, url } });
  });
  return present((await repo.find(ctx.db, id))!);
}

export async function deleteWebhook(ctx: Ctx, id: number): Promise<void> {
  const w = await loadFor(ctx, id);
  await ctx.db.transaction(async (trx) => {
    await repo.remove(trx, id);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'webhook.delete', resource: 'webhook_subscriptions', resourceId: String(id), result: 'ok', cityCode: w.city_code, detail: { name: w.name, url: w.url } });
  });
}

export async function listDeliveries(ctx: Ctx, id: number, q: DeliveriesQuery) {
  await loadFor(ctx, id);
  const rows = await repo.deliveries(ctx.db, id, q.pageSize, (q.page - 1) * q.pageSize);
  return {
    items: rows.map((d) => ({
      id: d.id,
      outboxId: d.outbox_id,
      topic: d.topic,
      attempt: d.attempt,
      at: d.at.toISOString(),
      state: d.delivered ? 'delivered' : d.duration_ms === null ? 'scheduled' : d.next_retry_at ? 'retry_scheduled' : 'failed',
      statusCode: d.status_code,
      error: d.error,
      durationMs: d.duration_ms,
      nextRetryAt: d.next_retry_at?.toISOString() ?? null,
      delivered: d.delivered,
    })),
    total: rows[0]?.total ?? 0,
    page: q.page,
    pageSize: q.pageSize,
  };
}

/** Sends a signed 'ping' now and answers with the result (logged like any delivery, never retried). */
export async function pingWebhook(ctx: Ctx, id: number) {
  const w = await loadFor(ctx, id);
  if (!w.active) throw new AppError('CONFLICT', 'The subscription is paused; activate it first.');
  const d = await ctx.db.transaction((trx) => repo.insertPing(trx, w, ctx.actor.userId));
  const r = await attemptDelivery({ db: ctx.db, config: ctx.config, pd: ctx.pd }, { id: d.id, subscription_id: w.id, outbox_id: d.outbox_id, attempt: 1, duration_ms: null });
  return { deliveryId: d.id, delivered: !!r?.ok, statusCode: r?.statusCode ?? null, error: r ? r.error : 'nothing to send', durationMs: r?.durationMs ?? 0 };
}
