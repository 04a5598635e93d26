import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, buildUser, clientAs, signIn, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { deliverPending } from '../../workers/outbox-worker.js';
import { signatureValid, startReceiver, type Receiver } from '../../workers/testing/receiver.js';

const t = useTestApp();
let admin: Client;
let districtAdmin: Client;
let mixed: Client;
let dispatcher: Client;
let rx: Receiver;
let cityWide: { id: number; secret: string };
let inB: { id: number };

const body = (over: Record<string, unknown> = {}) => ({ name: '12345 热线平台', url: `${rx.url}/hook`, topics: ['case.accepted', 'case.closed'], ...over });

beforeAll(async () => {
  await buildSmallCity(t.db);
  rx = await startReceiver();
  admin = await clientAs(t, 'administrator', null);
  districtAdmin = await clientAs(t, 'administrator', TREE.districtA);
  dispatcher = await clientAs(t, 'dispatcher', TREE.city);
  // An administrator of district A who is also a city dispatcher: sees city-wide subscriptions, may not manage them.
  const u = await buildUser(t.db, { role: 'administrator', node: TREE.districtA });
  await t.db.query(`INSERT INTO role_assignments (city_code, user_id, role, node_code) VALUES ('4413', $1, 'dispatcher', $2)`, [u.id, TREE.city]);
  mixed = await signIn(t.app, u);
});

afterAll(async () => {
  await rx?.close();
});

describe('POST /api/webhooks', () => {
  it('401 without a session, 403 without webhook.manage', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/webhooks', payload: body() })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/webhooks' })).statusCode).toBe(401);
    expect((await dispatcher.post('/api/webhooks', body())).statusCode).toBe(403);
    expect((await dispatcher.get('/api/webhooks')).statusCode).toBe(403);
  });

  it('404 for a node outside your part of the tree; 403 for a city-wide subscription from a district administrator', async () => {
    const out = await districtAdmin.post('/api/webhooks', body({ nodeCode: TREE.districtB }));
    expect(out.statusCode).toBe(404);
    expect(out.json().fields[0].field).toBe('nodeCode');
    const city = await districtAdmin.post('/api/webhooks', body());
    expect(city.statusCode).toBe(403);
    expect(await t.db.query('SELECT 1 FROM webhook_subscriptions')).toHaveLength(0);
  });

  it('400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [body({ url: 'ftp://example.org/x' }), 'url'],
      [body({ url: 'not a url' }), 'url'],
      [body({ url: 'http://exa mple.org/' }), 'url'],
      [body({ topics: [] }), 'topics'],
      [body({ topics: ['Case Accepted'] }), 'topics.0'],
      [body({ kind: 'fax' }), 'kind'],
      [body({ nodeCode: 'abc' }), 'nodeCode'],
      [body({ name: '' }), 'name'],
      [body({ surprise: 1 }), 'surprise'],
    ];
    for (const [b, field] of cases) {
      const res = await admin.post('/api/webhooks', b);
      expect(res.statusCode, `${field} ${res.body}`).toBe(400);
      expect(JSON.stringify(res.json().fields), field).toContain(field);
    }
    expect(await t.db.query('SELECT 1 FROM webhook_subscriptions')).toHaveLength(0);
  });

  it('creates a subscription and shows its secret once; the secret is stored encrypted', async () => {
    const res = await admin.post('/api/webhooks', body());
    expect(res.statusCode).toBe(201);
    cityWide = res.json();
    expect(res.json()).toMatchObject({ name: '12345 热线平台', kind: 'webhook', url: `${rx.url}/hook`, topics: ['case.accepted', 'case.closed'], nodeCode: null, active: true, lastDelivery: null });
    expect(cityWide.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    const [row] = await t.db.query<{ secret_enc: string; city_code: string; node_path: string | null }>('SELECT secret_enc, city_code, node_path FROM webhook_subscriptions WHERE id = $1', [cityWide.id]);
    expect(row).toMatchObject({ city_code: '4413', node_path: null });
    expect(row!.secret_enc).not.toContain(cityWide.secret);
    expect(t.deps.pd.decrypt(row!.secret_enc)).toBe(cityWide.secret);
    const audit = await t.db.query<{ detail: unknown }>(`SELECT detail FROM audit_log WHERE action = 'webhook.create'`);
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(cityWide.secret);

    const b = await districtAdmin.post('/api/webhooks', body({ nodeCode: TREE.districtA, kind: 'sms', topics: ['*'] }));
    expect(b.statusCode).toBe(201);
    expect(b.json()).toMatchObject({ kind: 'sms', nodeCode: TREE.districtA });
    inB = (await admin.post('/api/webhooks', body({ nodeCode: TREE.districtB }))).json();
  });
});

describe('GET /api/webhooks', () => {
  it('lists subscriptions in your part of the tree, never their secrets', async () => {
    const all = await admin.get('/api/webhooks');
    expect(all.statusCode).toBe(200);
    expect(all.json().items).toHaveLength(3);
    expect(all.body).not.toContain('whsec_');
    const mine = (await districtAdmin.get('/api/webhooks')).json();
    expect(mine.items.map((w: { nodeCode: string | null }) => w.nodeCode)).toEqual([TREE.districtA]);
  });
});

describe('PATCH and DELETE /api/webhooks/:id', () => {
  it('404 out of scope, 403 visible but not yours to manage, 400 bad input', async () => {
    expect((await districtAdmin.patch(`/api/webhooks/${inB.id}`, { active: false })).statusCode).toBe(404);
    expect((await districtAdmin.delete(`/api/webhooks/${cityWide.id}`)).statusCode).toBe(404);
    expect((await districtAdmin.get(`/api/webhooks/${cityWide.id}/deliveries`)).statusCode).toBe(404);
    expect((await admin.patch('/api/webhooks/999999', { active: false })).statusCode).toBe(404);
    const forbidden = await mixed.patch(`/api/webhooks/${cityWide.id}`, { active: false });
    expect(forbidden.statusCode).toBe(403);
    expect((await admin.patch(`/api/webhooks/${cityWide.id}`, {})).statusCode).toBe(400);
    const bad = await admin.patch(`/api/webhooks/${cityWide.id}`, { url: 'gopher://x.org/' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields[0].field).toBe('url');
    const [row] = await t.db.query<{ active: boolean }>('SELECT active FROM webhook_subscriptions WHERE id = $1', [cityWide.id]);
    expect(row!.active).toBe(true);
  });

  it('pauses (pending retries stop), changes topics, deletes with its log', async () => {
    await t.db.query(`INSERT INTO webhook_deliveries (subscription_id, outbox_id, attempt, status_code, duration_ms, next_retry_at) VALUES ($1, 1, 1, 500, 3, now() + interval '1 minute')`, [inB.id]);
    const res = await admin.patch(`/api/webhooks/${inB.id}`, { active: false, topics: ['case.*'] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ active: false, topics: ['case.*'] });
    const pending = await t.db.query('SELECT 1 FROM webhook_deliveries WHERE subscription_id = $1 AND next_retry_at IS NOT NULL', [inB.id]);
    expect(pending).toHaveLength(0);
    expect(await t.db.query(`SELECT 1 FROM audit_log WHERE action = 'webhook.update'`)).toHaveLength(1);

    const del = await admin.delete(`/api/webhooks/${inB.id}`);
    expect(del.statusCode).toBe(204);
    expect(await t.db.query('SELECT 1 FROM webhook_subscriptions WHERE id = $1', [inB.id])).toHaveLength(0);
    expect(await t.db.query('SELECT 1 FROM webhook_deliveries WHERE subscription_id = $1', [inB.id])).toHaveLength(0);
    expect((await admin.delete(`/api/webhooks/${inB.id}`)).statusCode).toBe(404);
  });
});

describe('POST /api/webhooks/:id/test and GET /api/webhooks/:id/deliveries', () => {
  it('sends a signed ping now and logs it; a failing endpoint is reported, not retried', async () => {
    const ok = await admin.post(`/api/webhooks/${cityWide.id}/test`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ delivered: true, statusCode: 200, error: null });
    const req = rx.received.at(-1)!;
    expect(req.headers['x-wangge-event']).toBe('ping');
    expect(signatureValid(cityWide.secret, req.headers['x-wangge-signature'], req.raw)).toBe(true);
    expect(req.body).toMatchObject({ topic: 'ping', data: { subscriptionId: cityWide.id } });

    rx.respond(500);
    const failed = await admin.post(`/api/webhooks/${cityWide.id}/test`);
    expect(failed.json()).toMatchObject({ delivered: false, statusCode: 500, error: 'HTTP 500' });

    const log = await admin.get(`/api/webhooks/${cityWide.id}/deliveries`);
    expect(log.statusCode).toBe(200);
    expect(log.json().total).toBe(2);
    expect(log.json().items.map((d: { state: string; topic: string; statusCode: number }) => [d.state, d.topic, d.statusCode])).toEqual([
      ['failed', 'ping', 500],
      ['delivered', 'ping', 200],
    ]);
    const sent = rx.received.length;
    // Pings never fan out to other subscriptions and are never retried.
    await t.db.query(`UPDATE webhook_deliveries SET next_retry_at = now() - interval '1 hour' WHERE next_retry_at IS NOT NULL AND subscription_id = $1`, [cityWide.id]);
    await deliverPending(t.deps);
    expect(rx.received.length).toBe(sent);
    const list = (await admin.get('/api/webhooks')).json().items.find((w: { id: number }) => w.id === cityWide.id);
    expect(list.lastDelivery).toMatchObject({ statusCode: 500, delivered: false });
    expect((await admin.get(`/api/webhooks/${cityWide.id}/deliveries?page=0`)).statusCode).toBe(400);
  });

  it('a paused subscription cannot be pinged (409)', async () => {
    await admin.patch(`/api/webhooks/${cityWide.id}`, { active: false });
    expect((await admin.post(`/api/webhooks/${cityWide.id}/test`)).statusCode).toBe(409);
  });
});
