import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';

const t = useTestApp({ publicReportsPerPhoneDay: 3, publicReportsPerHour: 40 });
let dispatcher: Client;
let gridWorker: Client;

/** A point inside grid A1. */
const IN_GRID_A1 = { lng: 114.15, lat: 22.95 };
const report = (over: Record<string, unknown> = {}) => ({
  categoryCode: 'dispute.neighbour',
  description: '楼道堆放杂物堵住消防通道',
  location: IN_GRID_A1,
  reporter: { phone: '13800001111' },
  ...over,
});
const post = (payload: unknown, headers: Record<string, string> = {}, remoteAddress = '10.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/api/public/cases', payload: payload as object, headers, remoteAddress });

beforeAll(async () => {
  await buildSmallCity(t.db);
  dispatcher = await clientAs(t, 'dispatcher', TREE.city);
  gridWorker = await clientAs(t, 'grid_worker', TREE.gridA1);
});

describe('anonymous reports (匿名上报)', () => {
  it('400 naming the field for bad input, and nothing written', async () => {
    const bad: [unknown, string][] = [
      [report({ reporter: undefined }), 'reporter'],
      [report({ reporter: { phone: '12345' } }), 'reporter.phone'],
      [report({ categoryCode: 'no.such' }), 'categoryCode'],
      [report({ location: { lng: 181, lat: 22 } }), 'location.lng'],
      [report({ location: undefined }), 'location'],
      [report({ description: '' }), 'description'],
      [report({ channel: 'hotline' }), 'channel'],
      [report({ photos: ['a'.repeat(64)] }), 'photos.0'],
    ];
    for (const [body, field] of bad) {
      const res = await post(body, {}, '10.0.0.2');
      expect(res.statusCode, field).toBe(400);
      expect(res.json().fields.map((f: { field: string }) => f.field), field).toContain(field);
    }
    const [n] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases');
    expect(n!.n).toBe(0);
  });

  it('reports through the same intake, stores the phone encrypted, answers with a follow-up token; a retry returns the same case', async () => {
    const res = await post(report(), { 'idempotency-key': 'k-1' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ status: 'reported', number: expect.stringMatching(/^4413\d{8}\d{7}$/), followToken: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const [row] = await t.db.query<Record<string, unknown>>(
      'SELECT created_by, reporter_id, reporter_phone_enc, reporter_phone_masked, channel, node_code, accept_due_at FROM cases WHERE number = $1',
      [body.number],
    );
    expect(row).toMatchObject({ created_by: null, reporter_id: null, reporter_phone_masked: '138****1111', channel: 'h5', node_code: TREE.gridA1 });
    expect(String(row!.reporter_phone_enc)).not.toContain('13800001111');
    expect(row!.accept_due_at).not.toBeNull();
    const [ev] = await t.db.query<{ actor_name: string; actor_id: string | null }>(
      'SELECT actor_name, actor_id FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.number = $1 AND e.seq = 1',
      [body.number],
    );
    expect(ev).toEqual({ actor_name: '匿名群众', actor_id: null });

    const again = await post(report(), { 'idempotency-key': 'k-1' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(body);
    // The same key from another phone is another report.
    const other = await post(report({ reporter: { phone: '13900002222' } }), { 'idempotency-key': 'k-1' });
    expect(other.statusCode).toBe(201);
    expect(other.json().number).not.toBe(body.number);
    // The dispatcher sees it in the queue like any other case.
    const queue = (await dispatcher.get('/api/cases?status=reported')).json();
    expect(queue.items.map((c: { number: string }) => c.number)).toContain(body.number);
  });

  it('caps reports per phone per day (429 naming reporter.phone) and per address per hour', async () => {
    const phone = '13700003333';
    for (let i = 0; i < 3; i++) expect((await post(report({ reporter: { phone } }), {}, '10.0.1.1')).statusCode).toBe(201);
    const capped = await post(report({ reporter: { phone } }), {}, '10.0.1.1');
    expect(capped.statusCode).toBe(429);
    expect(capped.json()).toMatchObject({ code: 'RATE_LIMITED', fields: [{ field: 'reporter.phone' }] });

    let last = 0;
    for (let i = 0; i < 41; i++) last = (await post({}, {}, '10.0.9.9')).statusCode;
    expect(last).toBe(429);
    // Another address is not affected.
    expect((await post({}, {}, '10.0.9.8')).statusCode).toBe(400);
  });

  it('follows the case with the token only, and the reporter rates it; not satisfied reopens it', async () => {
    const created = (await post(report({ reporter: { phone: '13600004444', name: '王先生' } }), {}, '10.0.2.1')).json();
    const url = (token: string) => `/api/public/cases/${created.number}?token=${token}`;
    expect((await t.app.inject({ method: 'GET', url: url('0'.repeat(32)) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: url('xyz') })).statusCode).toBe(400);
    const followed = (await t.app.inject({ method: 'GET', url: url(created.followToken) })).json();
    expect(followed).toMatchObject({ number: created.number, status: 'reported', canRate: false, timeline: [{ action: 'report', to: 'reported' }] });
    expect(JSON.stringify(followed)).not.toContain('13600004444');

    const rateUrl = `/api/public/cases/${created.number}/rate`;
    const early = await t.app.inject({ method: 'POST', url: rateUrl, payload: { token: created.followToken, rating: 'satisfied' } });
    expect(early.statusCode).toBe(409);

    const [c] = await t.db.query<{ id: number }>('SELECT id FROM cases WHERE number = $1', [created.number]);
    const id = c!.id;
    await dispatcher.post(`/api/cases/${id}/accept`, {});
    await dispatcher.post(`/api/cases/${id}/dispatch`, {});
    await gridWorker.post(`/api/cases/${id}/sign`, {});
    await gridWorker.post(`/api/cases/${id}/resolve`, { note: '已清理楼道杂物' });
    expect((await dispatcher.post(`/api/cases/${id}/check-pass`, {})).json().status).toBe('awaiting_rating');

    const wrong = await t.app.inject({ method: 'POST', url: rateUrl, payload: { token: 'f'.repeat(32), rating: 'satisfied' } });
    expect(wrong.statusCode).toBe(404);
    const badRating = await t.app.inject({ method: 'POST', url: rateUrl, payload: { token: created.followToken, rating: 'great' } });
    expect(badRating.statusCode).toBe(400);
    const reopened = await t.app.inject({ method: 'POST', url: rateUrl, payload: { token: created.followToken, rating: 'unsatisfied', comment: '第二天又堆满了' } });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json()).toMatchObject({ status: 'dispatched', rating: 'unsatisfied' });
    const [ev] = await t.db.query<{ action: string; actor_name: string; actor_role: string }>(
      'SELECT action, actor_name, actor_role FROM case_events WHERE case_id = $1 ORDER BY seq DESC LIMIT 1',
      [id],
    );
    expect(ev).toEqual({ action: 'rate_unsatisfied', actor_name: '匿名群众', actor_role: 'reporter' });
  });
});

describe('public categories', () => {
  it('lists the active category tree without an account', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/public/categories' });
    expect(res.statusCode).toBe(200);
    const codes: string[] = [];
    const walk = (xs: { code: string; active: boolean; children: unknown[] }[]) => xs.forEach((x) => (codes.push(x.code), expect(x.active).toBe(true), walk(x.children as never)));
    walk(res.json().items);
    expect(codes).toContain('dispute.neighbour');
  });
});
