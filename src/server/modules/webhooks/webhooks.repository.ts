import type { Executor } from '../../db/db.js';
import type { ChannelKind } from '../../workers/channels.js';

export interface WebhookRow {
  id: number;
  city_code: string;
  name: string;
  kind: ChannelKind;
  url: string;
  topics: string[];
  node_code: string | null;
  node_path: string | null;
  /** The subscription's part of the tree: its node, else its whole city. */
  scope_path: string;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  last_at: Date | null;
  last_status: number | null;
  last_delivered: boolean | null;
  last_error: string | null;
}

const SELECT = `SELECT s.id, s.city_code, s.name, s.kind, s.url, s.topics, s.node_code, s.node_path::text AS node_path,
    (coalesce(s.node_path, (left(s.city_code, 2) || '.' || s.city_code)::ltree))::text AS scope_path,
    s.active, s.created_at, s.updated_at, l.at AS last_at, l.status_code AS last_status, l.delivered AS last_delivered, l.error AS last_error
  FROM webhook_subscriptions s
  LEFT JOIN LATERAL (SELECT at, status_code, delivered, error FROM webhook_deliveries d
                      WHERE d.subscription_id = s.id AND d.duration_ms IS NOT NULL ORDER BY d.at DESC, d.id DESC LIMIT 1) l ON true`;

export async function find(ex: Executor, id: number): Promise<WebhookRow | undefined> {
  return (await ex.query<WebhookRow>(`${SELECT} WHERE s.id = $1`, [id]))[0];
}

/** The subscription's part of the tree as an SQL expression, for whereInScope. */
export const SCOPE_EXPR = `coalesce(s.node_path, (left(s.city_code, 2) || '.' || s.city_code)::ltree)`;

/** `where` is a condition on SCOPE_EXPR built by whereInScope. */
export async function list(ex: Executor, where: string, params: unknown[]): Promise<WebhookRow[]> {
  return ex.query<WebhookRow>(`${SELECT} WHERE ${where} ORDER BY s.id`, params);
}

export interface NewWebhook {
  cityCode: string;
  name: string;
  kind: ChannelKind;
  url: string;
  secretEnc: string;
  topics: string[];
  nodeCode: string | null;
  nodePath: string | null;
  createdBy: string;
}

export async function insert(ex: Executor, w: NewWebhook): Promise<number> {
  const [r] = await ex.query<{ id: number }>(
    `INSERT INTO webhook_subscriptions (city_code, name, kind, url, secret_enc, topics, node_code, node_path, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::ltree, $9) RETURNING id`,
    [w.cityCode, w.name, w.kind, w.url, w.secretEnc, w.topics, w.nodeCode, w.nodePath, w.createdBy],
  );
  return r!.id;
}

export async function update(ex: Executor, id: number, patch: { name?: string; url?: string; topics?: string[]; active?: boolean }): Promise<void> {
  await ex.query(
    `UPDATE webhook_subscriptions SET name = coalesce($2, name), url = coalesce($3, url), topics = coalesce($4, topics),
        active = coalesce($5, active), updated_at = now() WHERE id = $1`,
    [id, patch.name ?? null, patch.url ?? null, patch.topics ?? null, patch.active ?? null],
  );
}

/** Stops retries already scheduled (a paused subscription sends nothing). */
export async function cancelPending(ex: Executor, id: number): Promise<void> {
  await ex.query(`UPDATE webhook_deliveries SET next_retry_at = NULL WHERE subscription_id = $1 AND NOT delivered AND next_retry_at IS NOT NULL`, [id]);
}

export async function remove(ex: Executor, id: number): Promise<void> {
  await ex.query('DELETE FROM webhook_subscriptions WHERE id = $1', [id]);
}

export interface DeliveryRow {
  id: number;
  outbox_id: number;
  topic: string | null;
  attempt: number;
  at: Date;
  status_code: number | null;
  error: string | null;
  duration_ms: number | null;
  next_retry_at: Date | null;
  delivered: boolean;
  total: number;
}

export async function deliveries(ex: Executor, subscriptionId: number, limit: number, offset: number): Promise<DeliveryRow[]> {
  return ex.query<DeliveryRow>(
    `SELECT d.id, d.outbox_id, o.topic, d.attempt, d.at, d.status_code, d.error, d.duration_ms, d.next_retry_at, d.delivered,
            count(*) OVER () AS total
       FROM webhook_deliveries d LEFT JOIN outbox o ON o.id = d.outbox_id
      WHERE d.subscription_id = $1 ORDER BY d.at DESC, d.id DESC LIMIT $2 OFFSET $3`,
    [subscriptionId, limit, offset],
  );
}

/** A test message: an outbox row already marked delivered (the worker never fans it out) and its one delivery, leased to the caller. */
export async function insertPing(ex: Executor, s: WebhookRow, by: string): Promise<{ id: number; outbox_id: number }> {
  const [o] = await ex.query<{ id: number }>(
    `INSERT INTO outbox (city_code, topic, payload, delivered_at, attempts) VALUES ($1, 'ping', $2, now(), 1) RETURNING id`,
    [s.city_code, JSON.stringify({ subscriptionId: s.id, message: 'Test message from Wangge', requestedBy: by })],
  );
  const [d] = await ex.query<{ id: number; outbox_id: number }>(
    `INSERT INTO webhook_deliveries (subscription_id, outbox_id, attempt, next_retry_at) VALUES ($1, $2, 1, now() + interval '60 seconds') RETURNING id, outbox_id`,
    [s.id, o!.id],
  );
  return d!;
}
