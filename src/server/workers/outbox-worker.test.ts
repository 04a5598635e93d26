import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../test/harness.js';
import { pathOf } from '../../domain/tree.js';
import { nudgeOutbox } from '../modules/cases/outbox-signal.js';
import { BACKOFF_MS, deliverPending, MAX_ATTEMPTS, purgeDelivered, startOutboxWorker } from './outbox-worker.js';
import { ConfigError, loadConfig } from '../config.js';
import { signatureValid, startReceiver, type Receiver } from './testing/receiver.js';

const t = useTestApp();
let admin: Client;
let rx: Receiver;
let caseA1: number;
let caseB1: number;
let caseNoPhone: number;
let userId: string;

async function insertCase(node: string, phone: string | null): Promise<number> {
  const [c] = await t.db.query<{ id: number }>(
    `INSERT INTO cases (city_code, number, status, channel, category_code, category_path, description, node_code, node_path, reporter_phone_enc, reporter_phone_masked)
     VALUES ('4413', $1, 'accepted', 'hotline', 'city_env.noise', 'city_env.noise', '噪音', $2, $3::ltree, $4, $5) RETURNING id`,
    [`4413TEST${Math.random().toString().slice(2, 12)}`, node, pathOf(node), phone ? t.deps.pd.encrypt(phone) : null, phone ? '138****0000' : null],
  );
  return c!.id;
}

async function enqueue(topic: string, caseId: number | null, notify: unknown[] = []): Promise<number> {
  const [o] = await t.db.query<{ id: number }>(`INSERT INTO outbox (city_code, topic, payload) VALUES ('4413', $1, $2) RETURNING id`, [
    topic,
    JSON.stringify({ caseId, number: 'N-1', action: 'x', from: 'reported', to: 'accepted', seq: 2, notify }),
  ]);
  return o!.id;
}

async function subscribe(body: Record<string, unknown>): Promise<{ id: number; secret: string }> {
  const res = await admin.post('/api/webhooks', { name: 'partner', url: `${rx.url}/hook`, topics: ['*'], ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function deliveries(subId: number) {
  return t.db.query<{ attempt: number; status_code: number | null; error: string | null; delivered: boolean; next_retry_at: Date | null; duration_ms: number | null; outbox_id: number }>(
    'SELECT attempt, status_code, error, delivered, next_retry_at, duration_ms, outbox_id FROM webhook_deliveries WHERE subscription_id = $1 ORDER BY attempt',
    [subId],
  );
}

beforeAll(async () => {
  await buildSmallCity(t.db);
  admin = await clientAs(t, 'administrator', null);
  userId = admin.userId;
  rx = await startReceiver();
  caseA1 = await insertCase(TREE.gridA1, '13812340000');
  caseB1 = await insertCase(TREE.communityB1, null);
  caseNoPhone = await insertCase(TREE.gridA1, null);
});

afterAll(async () => {
  await rx?.close();
});

beforeEach(async () => {
  rx.received.length = 0;
  await t.db.exec(`UPDATE webhook_subscriptions SET active = false; UPDATE outbox SET delivered_at = coalesce(delivered_at, now());`);
});

describe('webhook delivery', () => {
  it('POSTs a signed message once; the body has no notify list', async () => {
    const sub = await subscribe({ topics: ['case.accepted'] });
    const id = await enqueue('case.accepted', caseA1, [{ userIds: [userId], kind: 'case_update', title: '已受理' }]);
    const r = await deliverPending(t.deps);
    expect(r).toMatchObject({ messages: 1, notices: 1, scheduled: 1, attempts: 1, delivered: 1 });
    expect(rx.received).toHaveLength(1);
    const [req] = rx.received;
    expect(req!.path).toBe('/hook');
    expect(req!.headers['x-wangge-event']).toBe('case.accepted');
    expect(req!.headers['x-wangge-delivery']).toBe(String(id));
    expect(req!.headers['content-type']).toContain('application/json');
    expect(signatureValid(sub.secret, req!.headers['x-wangge-signature'], req!.raw)).toBe(true);
    expect(signatureValid('whsec_wrong', req!.headers['x-wangge-signature'], req!.raw)).toBe(false);
    expect(req!.body).toMatchObject({ id, topic: 'case.accepted', data: { caseId: caseA1, number: 'N-1', from: 'reported', to: 'accepted' } });
    expect(new Date(req!.body.occurredAt).toString()).not.toBe('Invalid Date');
    expect(req!.body.data.notify).toBeUndefined();
    expect(await deliveries(sub.id)).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, delivered: true, next_retry_at: null, outbox_id: id })]);

    // Not delivered twice.
    expect(await deliverPending(t.deps)).toMatchObject({ messages: 0, attempts: 0 });
    expect(rx.received).toHaveLength(1);
  });

  it('retries after a 500 with backoff, logging every attempt; the outbox row is not re-sent to others', async () => {
    const failing = await subscribe({ topics: ['case.*'], url: `${rx.url}/failing` });
    const healthy = await subscribe({ topics: ['case.dispatched'], url: `${rx.url}/healthy` });
    rx.respondOn('/failing', 500);
    const before = Date.now();
    const id = await enqueue('case.dispatched', caseA1);
    await deliverPending(t.deps);
    expect(rx.received.map((r) => r.path).sort()).toEqual(['/failing', '/healthy']);
    const [first] = await deliveries(failing.id);
    expect(first).toMatchObject({ attempt: 1, status_code: 500, error: 'HTTP 500', delivered: false });
    const wait = +first!.next_retry_at! - before;
    expect(wait).toBeGreaterThanOrEqual(BACKOFF_MS[0]! - 1000);
    expect(wait).toBeLessThan(BACKOFF_MS[0]! + 5000);
    expect(await deliveries(healthy.id)).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, delivered: true })]);

    // Not due yet: nothing happens.
    await deliverPending(t.deps);
    expect(rx.received).toHaveLength(2);

    // Time passes: only the failed delivery is tried again.
    await t.db.query(`UPDATE webhook_deliveries SET next_retry_at = now() - interval '1 second' WHERE subscription_id = $1 AND next_retry_at IS NOT NULL`, [failing.id]);
    await deliverPending(t.deps);
    expect(rx.received).toHaveLength(3);
    const retry = rx.received[2]!;
    expect(retry.path).toBe('/failing');
    expect(retry.headers['x-wangge-delivery']).toBe(String(id));
    expect(retry.headers['x-wangge-attempt']).toBe('2');
    expect(signatureValid(failing.secret, retry.headers['x-wangge-signature'], retry.raw)).toBe(true);
    expect((await deliveries(failing.id)).map((d) => [d.attempt, d.status_code, d.delivered, d.next_retry_at])).toEqual([
      [1, 500, false, null],
      [2, 200, true, null],
    ]);
    expect(await deliveries(healthy.id)).toHaveLength(1);
    await deliverPending(t.deps);
    expect(rx.received).toHaveLength(3);
  });

  it('a timeout counts as a failure; gives up after the last attempt', async () => {
    const sub = await subscribe({ topics: ['case.noted'] });
    rx.respond('hang');
    await enqueue('case.noted', caseA1);
    await deliverPending(t.deps, 100, { timeoutMs: 300 });
    const [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ attempt: 1, status_code: null, error: 'timeout after 300 ms', delivered: false });
    expect(d!.next_retry_at).not.toBeNull();
    expect(d!.duration_ms).toBeGreaterThanOrEqual(250);

    // Jump to the eve of the last attempt, then fail it too.
    await t.db.query(`UPDATE webhook_deliveries SET attempt = $2, next_retry_at = now() - interval '1 second' WHERE subscription_id = $1`, [sub.id, MAX_ATTEMPTS - 1]);
    rx.respond(503);
    await deliverPending(t.deps);
    const rows = await deliveries(sub.id);
    expect(rows.map((r) => [r.attempt, r.status_code, r.next_retry_at])).toEqual([
      [MAX_ATTEMPTS - 1, null, null],
      [MAX_ATTEMPTS, 503, null],
    ]);
    const before = rx.received.length;
    await deliverPending(t.deps);
    expect(rx.received.length).toBe(before);
  });

  it('only matching topics, only the subscription\'s part of the tree, only active subscriptions', async () => {
    const districtB = await subscribe({ topics: ['case.accepted'], nodeCode: TREE.districtB });
    const otherTopic = await subscribe({ topics: ['case.closed'] });
    const paused = await subscribe({ topics: ['*'] });
    expect((await admin.patch(`/api/webhooks/${paused.id}`, { active: false })).statusCode).toBe(200);
    await enqueue('case.accepted', caseA1);
    await enqueue('case.accepted', caseB1);
    await deliverPending(t.deps);
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0]!.body.data.caseId).toBe(caseB1);
    expect(await deliveries(districtB.id)).toHaveLength(1);
    expect(await deliveries(otherTopic.id)).toHaveLength(0);
    expect(await deliveries(paused.id)).toHaveLength(0);
  });

  it('case.clock messages reach a tree-scoped subscription with only its own cases', async () => {
    const sub = await subscribe({ topics: ['case.clock'], nodeCode: TREE.districtA });
    await t.db.query(`INSERT INTO outbox (city_code, topic, payload) VALUES ('4413', 'case.clock', $1)`, [
      JSON.stringify({ colour: 'red', changes: [{ caseId: caseA1, nodePath: pathOf(TREE.gridA1) }, { caseId: caseB1, nodePath: pathOf(TREE.communityB1) }] }),
    ]);
    await t.db.query(`INSERT INTO outbox (city_code, topic, payload) VALUES ('4413', 'case.clock', $1)`, [
      JSON.stringify({ colour: 'red', changes: [{ caseId: caseB1, nodePath: pathOf(TREE.communityB1) }] }),
    ]);
    await deliverPending(t.deps);
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0]!.body.data.changes).toEqual([{ caseId: caseA1, nodePath: pathOf(TREE.gridA1) }]);
    expect(await deliveries(sub.id)).toHaveLength(1);
  });
});

describe('SMS and WeChat channels', () => {
  it('SMS: residents with a phone hear of accepted/resolved/closed through the gateway; nothing else', async () => {
    const sub = await subscribe({ kind: 'sms', url: `${rx.url}/sms` });
    await enqueue('case.accepted', caseA1);
    await enqueue('case.accepted', caseNoPhone);
    await enqueue('case.dispatched', caseA1);
    await enqueue('case.closed', caseA1);
    await deliverPending(t.deps);
    expect(rx.received.map((r) => [r.path, r.headers['x-wangge-event']]).sort()).toEqual([
      ['/sms', 'case.accepted'],
      ['/sms', 'case.closed'],
    ]);
    const accepted = rx.received.find((r) => r.headers['x-wangge-event'] === 'case.accepted')!;
    expect(signatureValid(sub.secret, accepted.headers['x-wangge-signature'], accepted.raw)).toBe(true);
    const [c] = await t.db.query<{ number: string }>('SELECT number FROM cases WHERE id = $1', [caseA1]);
    expect(accepted.body).toMatchObject({ to: '13812340000', template: 'case_accepted', params: { number: c!.number } });
    expect(accepted.body.text).toContain(c!.number);
    // The phone is not written into the delivery log.
    expect(JSON.stringify(await t.db.query('SELECT * FROM webhook_deliveries'))).not.toContain('13812340000');
  });

  it('WeChat: every in-app notice goes to the gateway with its users', async () => {
    await subscribe({ kind: 'wechat', url: `${rx.url}/wechat` });
    await enqueue('case.dispatched', caseA1, [{ userIds: [userId], kind: 'assignment', title: '新派遣 N-1', body: '噪音' }]);
    await enqueue('case.signed', caseA1, []);
    await deliverPending(t.deps);
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0]!.body).toMatchObject({ topic: 'case.dispatched', caseId: caseA1, notices: [{ userIds: [userId], kind: 'assignment', title: '新派遣 N-1', body: '噪音' }] });
  });
});

describe('the worker loop', () => {
  it('wakes on a nudge and delivers notices and webhooks without waiting for the poll', async () => {
    await subscribe({ topics: ['case.rework'] });
    const worker = startOutboxWorker(t.deps, { pollMs: 60_000 });
    try {
      await new Promise((r) => setTimeout(r, 100));
      await enqueue('case.rework', caseA1, [{ userIds: [userId], kind: 'rework', title: '返工 N-1' }]);
      nudgeOutbox();
      await rx.waitFor(1, 5000);
      const notices = await t.db.query(`SELECT 1 FROM notices WHERE user_id = $1 AND kind = 'rework'`, [userId]);
      expect(notices).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  });
});

describe('retention (WANGGE_OUTBOX_RETENTION_DAYS)', () => {
  const DAY = 86_400_000;

  /** An outbox row delivered `deliveredDaysAgo` days ago (null: never delivered), created a day before that. */
  async function oldMessage(deliveredDaysAgo: number | null, createdDaysAgo = (deliveredDaysAgo ?? 40) + 1): Promise<number> {
    const [o] = await t.db.query<{ id: number }>(
      `INSERT INTO outbox (city_code, topic, payload, created_at, available_at, delivered_at, attempts)
       VALUES ('4413', 'case.accepted', '{"caseId": null, "notify": []}', $1, $1, $2, $3) RETURNING id`,
      [new Date(Date.now() - createdDaysAgo * DAY), deliveredDaysAgo === null ? null : new Date(Date.now() - deliveredDaysAgo * DAY), deliveredDaysAgo === null ? 5 : 1],
    );
    return o!.id;
  }

  async function logAttempt(subId: number, outboxId: number, attempt: number, delivered: boolean, nextRetryAt: Date | null): Promise<void> {
    await t.db.query(
      `INSERT INTO webhook_deliveries (subscription_id, outbox_id, attempt, at, status_code, duration_ms, delivered, next_retry_at)
       VALUES ($1, $2, $3, now() - interval '40 days', $4, 12, $5, $6)`,
      [subId, outboxId, attempt, delivered ? 200 : 500, delivered, nextRetryAt],
    );
  }

  const outboxLeft = async (ids: number[]) =>
    (await t.db.query<{ id: number }>('SELECT id FROM outbox WHERE id = ANY($1::bigint[]) ORDER BY id', [ids])).map((r) => Number(r.id));
  const deliveriesOf = async (id: number) => (await t.db.query('SELECT 1 FROM webhook_deliveries WHERE outbox_id = $1', [id])).length;

  it('purges delivered and permanently failed messages past the retention with their delivery log; never pending ones', async () => {
    const sub = await subscribe({ topics: ['case.accepted'] });
    const ok = await oldMessage(40);
    await logAttempt(sub.id, ok, 1, true, null);
    // Failed for good: every attempt made, no retry left.
    const failed = await oldMessage(40);
    for (let a = 1; a <= MAX_ATTEMPTS; a++) await logAttempt(sub.id, failed, a, false, null);
    // A delivery still to be retried keeps its message, however old.
    const retrying = await oldMessage(40);
    await logAttempt(sub.id, retrying, 1, false, new Date(Date.now() + 3_600_000));
    const recent = await oldMessage(10);
    await logAttempt(sub.id, recent, 1, true, null);
    // Never delivered (its fan-out keeps failing): pending, kept.
    const stuck = await oldMessage(null, 40);
    const all = [ok, failed, retrying, recent, stuck];

    expect(await purgeDelivered(t.db, 30)).toEqual({ outbox: 2, deliveries: 1 + MAX_ATTEMPTS });
    expect(await outboxLeft(all)).toEqual([retrying, recent, stuck]);
    expect([await deliveriesOf(ok), await deliveriesOf(failed), await deliveriesOf(retrying), await deliveriesOf(recent)]).toEqual([0, 0, 1, 1]);
    expect(await purgeDelivered(t.db, 30)).toEqual({ outbox: 0, deliveries: 0 });

    // Once the retry is settled the message goes too; a shorter retention reaches the recent one.
    await t.db.query('UPDATE webhook_deliveries SET delivered = true, next_retry_at = NULL WHERE outbox_id = $1', [retrying]);
    expect(await purgeDelivered(t.db, 30)).toEqual({ outbox: 1, deliveries: 1 });
    expect(await purgeDelivered(t.db, 5)).toEqual({ outbox: 1, deliveries: 1 });
    expect(await outboxLeft(all)).toEqual([stuck]);
    // The delivery log of the subscription no longer lists the purged messages.
    const log = await admin.get(`/api/webhooks/${sub.id}/deliveries`);
    expect(log.statusCode, log.body).toBe(200);
    expect(log.json().items).toEqual([]);
    await t.db.query('DELETE FROM outbox WHERE id = $1', [stuck]);
  });

  it('deletes in batches until nothing old is left', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push(await oldMessage(31 + i));
    expect(await purgeDelivered(t.db, 30, new Date(), 3)).toEqual({ outbox: 7, deliveries: 0 });
    expect(await outboxLeft(ids)).toEqual([]);
  });

  it('the worker purges on its own, at most once per period', async () => {
    const first = await oldMessage(45);
    const worker = startOutboxWorker(t.deps, { pollMs: 20, purgeEveryMs: 60_000 });
    try {
      for (let i = 0; i < 250 && (await outboxLeft([first])).length; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await outboxLeft([first])).toEqual([]);
      // Within the period the next old message waits for the next purge.
      const second = await oldMessage(45);
      await new Promise((r) => setTimeout(r, 300));
      expect(await outboxLeft([second])).toEqual([second]);
      await t.db.query('DELETE FROM outbox WHERE id = $1', [second]);
    } finally {
      await worker.stop();
    }
  });

  it('reads the retention from WANGGE_OUTBOX_RETENTION_DAYS (default 30), naming it when bad', () => {
    expect(loadConfig({ WANGGE_MODE: 'test' }).outboxRetentionDays).toBe(30);
    expect(loadConfig({ WANGGE_MODE: 'test', WANGGE_OUTBOX_RETENTION_DAYS: '7' }).outboxRetentionDays).toBe(7);
    for (const bad of ['0', 'abc', '-3']) {
      expect(() => loadConfig({ WANGGE_MODE: 'test', WANGGE_OUTBOX_RETENTION_DAYS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ WANGGE_MODE: 'test', WANGGE_OUTBOX_RETENTION_DAYS: bad })).toThrow(/WANGGE_OUTBOX_RETENTION_DAYS/);
    }
  });
});
