/**
 * The outbox worker: delivers what state changes wrote to the outbox after
 * they committed.
 *
 * 1. Claim pending outbox rows (FOR UPDATE SKIP LOCKED, so processes share
 *    them) and, in the same short transaction, write the in-app notices
 *    (dedupe key per message and kind: a retry never doubles them), schedule
 *    one delivery per matching subscription, and mark the rows delivered.
 * 2. Send due deliveries outside any transaction: each is leased with a
 *    guarded UPDATE, POSTed (signed, 5 s timeout) and its attempt logged in
 *    webhook_deliveries; failures retry with backoff, up to MAX_ATTEMPTS.
 *    Retries are per delivery row; the outbox row is never sent to everyone again.
 * 3. Every few minutes, purge what is done with: outbox rows delivered more
 *    than WANGGE_OUTBOX_RETENTION_DAYS ago (also those whose deliveries failed
 *    for good) with their delivery log, in short batched DELETEs. A message
 *    not yet delivered, or with a delivery still to be retried, is kept.
 */
import type { AppDeps } from '../context.js';
import type { Db, Executor } from '../db/db.js';
import { outboxSignal } from '../modules/cases/outbox-signal.js';
import {
  CHANNELS,
  DEFAULT_TIMEOUT_MS,
  coversMessage,
  type CaseFacts,
  type ChannelKind,
  type OutboxMessage,
  type SendResult,
  type Subscription,
  webhookChannel,
} from './channels.js';
import type { SweepLog } from './sweep.js';

export const MAX_ATTEMPTS = 8;
/** The topic of an administrator's test message. */
export const PING_TOPIC = 'ping';
/** Wait after attempt n (1-based) before attempt n + 1. */
export const BACKOFF_MS = [10_000, 30_000, 120_000, 600_000, 3_600_000, 3_600_000, 3_600_000];
/** How long a claimed delivery is reserved for its sender (well over the timeout). */
const LEASE_SECONDS = 60;
/** The retention purge runs at most this often per process. */
export const PURGE_EVERY_MS = 5 * 60_000;
/** Outbox rows deleted per purge batch (each batch is one short statement). */
const PURGE_BATCH = 1000;
/** A purge stops taking new batches after this long; the next one continues. */
const PURGE_BUDGET_MS = 5_000;

export interface DeliverOptions {
  timeoutMs?: number;
  log?: SweepLog;
}

export interface DeliverCounts {
  messages: number;
  notices: number;
  scheduled: number;
  attempts: number;
  delivered: number;
  failed: number;
}

interface OutboxRow {
  id: number;
  city_code: string;
  topic: string;
  payload: Record<string, unknown>;
  created_at: Date;
  attempts: number;
}

const toMessage = (r: OutboxRow): OutboxMessage => ({ id: r.id, cityCode: r.city_code, topic: r.topic, payload: r.payload, createdAt: r.created_at });

/** Outbox rows (up to `limit`) → notices and scheduled deliveries, then due deliveries are sent. */
export async function deliverPending(deps: AppDeps, limit = 100, opts: DeliverOptions = {}): Promise<DeliverCounts> {
  const a = await processOutbox(deps.db, limit);
  const b = await sendDueDeliveries(deps, limit, opts);
  return { ...a, ...b };
}

/** Step 1. Returns how many messages, notices and deliveries it wrote. */
export async function processOutbox(db: Db, limit = 100): Promise<Pick<DeliverCounts, 'messages' | 'notices' | 'scheduled'>> {
  try {
    return await db.transaction(async (trx) => {
      const rows = await claimOutbox(trx, limit);
      return rows.length ? fanOut(trx, rows) : { messages: 0, notices: 0, scheduled: 0 };
    });
  } catch {
    // One bad message must not hold up the rest: retry them one by one, parking the failures.
    return processOneByOne(db, limit);
  }
}

async function claimOutbox(ex: Executor, limit: number, ids?: number[]): Promise<OutboxRow[]> {
  return ex.query<OutboxRow>(
    `SELECT id, city_code, topic, payload, created_at, attempts FROM outbox
      WHERE delivered_at IS NULL AND available_at <= now() ${ids ? 'AND id = ANY($2::bigint[])' : ''}
      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    ids ? [limit, ids] : [limit],
  );
}

async function processOneByOne(db: Db, limit: number) {
  const total = { messages: 0, notices: 0, scheduled: 0 };
  const ids = (await claimOutbox(db, limit)).map((r) => r.id);
  for (const id of ids) {
    try {
      const r = await db.transaction(async (trx) => {
        const rows = await claimOutbox(trx, 1, [id]);
        return rows.length ? fanOut(trx, rows) : { messages: 0, notices: 0, scheduled: 0 };
      });
      total.messages += r.messages;
      total.notices += r.notices;
      total.scheduled += r.scheduled;
    } catch (err) {
      await db.query(
        `UPDATE outbox SET attempts = attempts + 1, last_error = $2,
            available_at = now() + least(3600, 10 * power(3, attempts)) * interval '1 second'
          WHERE id = $1 AND delivered_at IS NULL`,
        [id, String((err as Error).message).slice(0, 500)],
      );
    }
  }
  return total;
}

const UUID = `'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'`;

/** Notices, deliveries, delivered mark: all for the claimed rows, in the caller's transaction. */
async function fanOut(trx: Executor, rows: OutboxRow[]) {
  const ids = rows.map((r) => r.id);
  const notices = await trx.query<{ id: number }>(
    `INSERT INTO notices (city_code, user_id, kind, case_id, title, body, dedupe_key)
     SELECT o.city_code, u.id, coalesce(n->>'kind', 'case_update'),
            CASE WHEN jsonb_typeof(o.payload->'caseId') = 'number' THEN (o.payload->>'caseId')::bigint END,
            n->>'title', n->>'body',
            coalesce(n->>'dedupeKey', 'outbox:' || o.id || ':' || coalesce(n->>'kind', 'case_update'))
       FROM outbox o
      CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(o.payload->'notify') = 'array' THEN o.payload->'notify' ELSE '[]'::jsonb END) n
      CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(n->'userIds') = 'array' THEN n->'userIds' ELSE '[]'::jsonb END) uid
       JOIN users u ON u.id = CASE WHEN uid ~ ${UUID} THEN uid::uuid END
      WHERE o.id = ANY($1::bigint[]) AND n->>'title' IS NOT NULL
      ORDER BY o.id
     ON CONFLICT (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
     RETURNING id`,
    [ids],
  );
  const scheduled = await scheduleDeliveries(trx, rows);
  await trx.query(`UPDATE outbox SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[])`, [ids]);
  return { messages: rows.length, notices: notices.length, scheduled };
}

/** One delivery (attempt 1, due now) per active subscription whose topics, tree part and channel match. */
async function scheduleDeliveries(trx: Executor, rows: OutboxRow[]): Promise<number> {
  const pairs = await trx.query<{ outbox_id: number; sub_id: number; kind: ChannelKind; sub_path: string | null; case_path: string | null; has_phone: boolean | null }>(
    `SELECT o.id AS outbox_id, s.id AS sub_id, s.kind, s.node_path::text AS sub_path,
            c.node_path::text AS case_path, c.reporter_phone_enc IS NOT NULL AS has_phone
       FROM outbox o
       JOIN webhook_subscriptions s ON s.city_code = o.city_code AND s.active
            AND s.topics && ARRAY[o.topic, '*', split_part(o.topic, '.', 1) || '.*']
       LEFT JOIN cases c ON c.city_code = o.city_code
            AND c.id = CASE WHEN jsonb_typeof(o.payload->'caseId') = 'number' THEN (o.payload->>'caseId')::bigint END
      WHERE o.id = ANY($1::bigint[])`,
    [rows.map((r) => r.id)],
  );
  if (!pairs.length) return 0;
  const byId = new Map(rows.map((r) => [r.id, toMessage(r)]));
  const subs: number[] = [];
  const outboxIds: number[] = [];
  for (const p of pairs) {
    const m = byId.get(p.outbox_id)!;
    const facts: CaseFacts | null = p.case_path !== null || p.has_phone !== null ? { nodePath: p.case_path, hasReporterPhone: !!p.has_phone } : null;
    if (!coversMessage(p.sub_path, m, facts) || !CHANNELS[p.kind].accepts(m, facts)) continue;
    subs.push(p.sub_id);
    outboxIds.push(p.outbox_id);
  }
  if (!subs.length) return 0;
  const inserted = await trx.query(
    `INSERT INTO webhook_deliveries (subscription_id, outbox_id, attempt, next_retry_at)
     SELECT s, o, 1, now() FROM unnest($1::bigint[], $2::bigint[]) AS x(s, o)
     ON CONFLICT (subscription_id, outbox_id, attempt) DO NOTHING RETURNING id`,
    [subs, outboxIds],
  );
  return inserted.length;
}

export interface ClaimedDelivery {
  id: number;
  subscription_id: number;
  outbox_id: number;
  attempt: number;
  /** Null while the row is a scheduled attempt not yet made. */
  duration_ms: number | null;
}

/** Step 2: claims due deliveries (a lease, no open transaction), sends them at once, logs each attempt. */
export async function sendDueDeliveries(deps: AppDeps, limit = 100, opts: DeliverOptions = {}): Promise<Pick<DeliverCounts, 'attempts' | 'delivered' | 'failed'>> {
  const claimed = await deps.db.query<ClaimedDelivery>(
    `UPDATE webhook_deliveries d SET next_retry_at = now() + interval '${LEASE_SECONDS} seconds'
      WHERE d.id IN (SELECT id FROM webhook_deliveries WHERE NOT delivered AND next_retry_at <= now()
                      ORDER BY next_retry_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING d.id, d.subscription_id, d.outbox_id, d.attempt, d.duration_ms`,
    [limit],
  );
  const counts = { attempts: 0, delivered: 0, failed: 0 };
  if (!claimed.length) return counts;
  // A delivery that throws (the database went away) keeps its lease and is tried again when it expires.
  const settled = await Promise.allSettled(claimed.map((d) => attemptDelivery(deps, d, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)));
  for (const s of settled) {
    if (s.status === 'rejected') {
      opts.log?.error({ err: s.reason }, 'webhook delivery failed to run');
      continue;
    }
    const r = s.value;
    if (!r) continue;
    counts.attempts++;
    if (r.ok) counts.delivered++;
    else counts.failed++;
  }
  return counts;
}

interface SubscriptionRow {
  id: number;
  name: string;
  kind: ChannelKind;
  url: string;
  secret_enc: string;
  node_path: string | null;
  active: boolean;
}

async function loadSubscription(ex: Executor, deps: AppDeps, id: number): Promise<(Subscription & { active: boolean }) | undefined> {
  const [s] = await ex.query<SubscriptionRow>(
    'SELECT id, name, kind, url, secret_enc, node_path::text AS node_path, active FROM webhook_subscriptions WHERE id = $1',
    [id],
  );
  if (!s) return undefined;
  return { id: s.id, name: s.name, kind: s.kind, url: s.url, secret: deps.pd.decrypt(s.secret_enc), nodePath: s.node_path, active: s.active };
}

/**
 * Makes one attempt of a claimed delivery and logs it: a scheduled row is
 * filled in; a failed attempt's retry becomes a new row (attempt + 1) and the
 * old row's next_retry_at is cleared. Returns the result, or null when there
 * was nothing to send (the row is closed with the reason).
 */
export async function attemptDelivery(deps: AppDeps, d: ClaimedDelivery, timeoutMs: number = DEFAULT_TIMEOUT_MS): Promise<SendResult | null> {
  const attempt = d.duration_ms === null ? d.attempt : d.attempt + 1;
  const sub = await loadSubscription(deps.db, deps, d.subscription_id);
  const [o] = await deps.db.query<OutboxRow>('SELECT id, city_code, topic, payload, created_at, attempts FROM outbox WHERE id = $1', [d.outbox_id]);
  let result: SendResult;
  let retry = true;
  if (!sub || !sub.active || !o) {
    result = { ok: false, statusCode: null, error: !o ? 'message no longer exists' : 'subscription is inactive', durationMs: 0 };
    retry = false;
  } else {
    const channel = CHANNELS[sub.kind];
    // A test ping has the same shape on every channel; it is sent once, never retried.
    const render = o.topic === PING_TOPIC ? webhookChannel.render : channel.render;
    retry = o.topic !== PING_TOPIC;
    const msg = await render(toMessage(o), sub, attempt, { db: deps.db, pd: deps.pd, ratingDays: deps.config.ratingDays }).catch((err: Error) => err);
    if (msg instanceof Error || msg === null) {
      result = { ok: false, statusCode: null, error: msg ? `could not build the message: ${msg.message}` : 'nothing to send', durationMs: 0 };
      retry = false;
    } else {
      result = await channel.send(msg, timeoutMs);
    }
  }
  const nextAt = !result.ok && retry && attempt < MAX_ATTEMPTS ? new Date(Date.now() + BACKOFF_MS[attempt - 1]!) : null;
  await recordAttempt(deps.db, d, attempt, result, nextAt);
  return result.error === 'nothing to send' ? null : result;
}

async function recordAttempt(db: Db, d: ClaimedDelivery, attempt: number, r: SendResult, nextAt: Date | null): Promise<void> {
  const values = [r.statusCode, r.error, r.durationMs, r.ok, nextAt];
  if (d.duration_ms === null) {
    await db.query(
      `UPDATE webhook_deliveries SET at = now(), status_code = $2, error = $3, duration_ms = $4, delivered = $5, next_retry_at = $6 WHERE id = $1`,
      [d.id, ...values],
    );
    return;
  }
  await db.transaction(async (trx) => {
    await trx.query('UPDATE webhook_deliveries SET next_retry_at = NULL WHERE id = $1', [d.id]);
    await trx.query(
      `INSERT INTO webhook_deliveries (subscription_id, outbox_id, attempt, status_code, error, duration_ms, delivered, next_retry_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (subscription_id, outbox_id, attempt) DO NOTHING`,
      [d.subscription_id, d.outbox_id, attempt, ...values],
    );
  });
}

export interface PurgeCounts {
  outbox: number;
  deliveries: number;
}

/**
 * Deletes outbox rows delivered before `now - retentionDays` and their
 * delivery-log rows, `batch` rows per statement, until none are left or the
 * budget is spent. Rows still pending (not delivered, or with a delivery
 * awaiting a retry or in flight under its lease) are never touched; SKIP
 * LOCKED lets several processes purge at once without waiting on each other.
 */
export async function purgeDelivered(db: Executor, retentionDays: number, now: Date = new Date(), batch = PURGE_BATCH, budgetMs = PURGE_BUDGET_MS): Promise<PurgeCounts> {
  const before = new Date(+now - retentionDays * 86_400_000);
  const started = Date.now();
  const total: PurgeCounts = { outbox: 0, deliveries: 0 };
  for (;;) {
    const [r] = await db.query<{ outbox: number; deliveries: number }>(
      `WITH doomed AS (
         SELECT o.id FROM outbox o
          WHERE o.delivered_at IS NOT NULL AND o.delivered_at < $1
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.outbox_id = o.id AND NOT p.delivered AND p.next_retry_at IS NOT NULL)
          ORDER BY o.delivered_at LIMIT $2
          FOR UPDATE SKIP LOCKED),
       d AS (DELETE FROM webhook_deliveries w USING doomed WHERE w.outbox_id = doomed.id RETURNING 1),
       o AS (DELETE FROM outbox x USING doomed WHERE x.id = doomed.id RETURNING 1)
       SELECT (SELECT count(*) FROM o) AS outbox, (SELECT count(*) FROM d) AS deliveries`,
      [before, batch],
    );
    const n = Number(r?.outbox ?? 0);
    total.outbox += n;
    total.deliveries += Number(r?.deliveries ?? 0);
    if (n < batch || Date.now() - started >= budgetMs) return total;
  }
}

export interface WorkerOptions {
  /** How often the retention purge may run (default PURGE_EVERY_MS). */
  purgeEveryMs?: number;
  pollMs?: number;
  batch?: number;
  timeoutMs?: number;
  log?: SweepLog;
}

/**
 * Runs the outbox in this process: woken by `outboxSignal` right after a
 * local commit, and polling every second for rows other processes wrote and
 * for retries that came due. Notices and webhook sending run as two loops, so
 * a slow partner never delays an in-app notice; the retention purge is a third,
 * run at most every `purgeEveryMs`. `stop()` waits for all three.
 */
export function startOutboxWorker(deps: AppDeps, opts: WorkerOptions = {}): { stop(): Promise<void> } {
  const pollMs = opts.pollMs ?? 1000;
  const batch = opts.batch ?? 100;
  const log = opts.log;
  let stopped = false;
  const loop = (step: () => Promise<number>) => {
    let running: Promise<void> | null = null;
    let again = false;
    const run = (): Promise<void> => {
      if (stopped) return Promise.resolve();
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          try {
            // Keep going while full batches come back.
            while (!stopped && (await step()) >= batch);
          } catch (err) {
            log?.error({ err }, 'outbox worker step failed');
          }
        } while (again && !stopped);
      })().finally(() => {
        running = null;
      });
      return running;
    };
    return { run, idle: () => running ?? Promise.resolve() };
  };
  const notices = loop(async () => (await processOutbox(deps.db, batch)).messages);
  const sends = loop(async () => (await sendDueDeliveries(deps, batch, { timeoutMs: opts.timeoutMs, log })).attempts);
  // Its own loop: a long purge never delays a notice or a send. Returns 0, so one run is one purge.
  const purgeEveryMs = opts.purgeEveryMs ?? PURGE_EVERY_MS;
  let lastPurge = 0;
  const purge = loop(async () => {
    lastPurge = Date.now();
    await purgeDelivered(deps.db, deps.config.outboxRetentionDays);
    return 0;
  });
  const wake = () => {
    void notices.run().then(() => sends.run());
  };
  outboxSignal.on('nudge', wake);
  const timer = setInterval(() => {
    void notices.run();
    void sends.run();
    if (Date.now() - lastPurge >= purgeEveryMs) void purge.run();
  }, pollMs);
  wake();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      outboxSignal.off('nudge', wake);
      await Promise.all([notices.idle(), sends.idle(), purge.idle()]);
    },
  };
}
