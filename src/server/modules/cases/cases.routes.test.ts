import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, buildUser, clientAs, signIn, TREE, useTestApp, type Client } from '../../../../test/harness.js';

const t = useTestApp();
let dispatcher: Client;
let gridWorker: Client;
let resident: Client;
let police: Client;
let urban: Client;
let urbanId: number;
let policeId: number;

/** A point inside grid A1 (114.1–114.2, 22.9–23.0). */
const IN_GRID_A1 = { lng: 114.15, lat: 22.95 };
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

async function uploadPhoto(c: Client, buf = PNG, name = 'a.png') {
  const boundary = '----wangge' + Math.random().toString(16).slice(2);
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photos"; filename="${name}"\r\nContent-Type: image/png\r\n\r\n`),
    buf,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return c.request('POST', '/api/cases/photos', payload, { 'content-type': `multipart/form-data; boundary=${boundary}` });
}

const report = (over: Record<string, unknown> = {}) => ({
  channel: 'h5',
  categoryCode: 'dispute.neighbour',
  description: '楼上邻居每晚装修噪音到深夜',
  location: IN_GRID_A1,
  ...over,
});

beforeAll(async () => {
  await buildSmallCity(t.db);
  const [u] = await t.db.query<{ id: number }>(`INSERT INTO departments (city_code, node_code, name, kind) VALUES ('4413', $1, '惠城区城管局', 'urban_management') RETURNING id`, [TREE.districtA]);
  const [p] = await t.db.query<{ id: number }>(`INSERT INTO departments (city_code, node_code, name, kind) VALUES ('4413', $1, '惠城区公安分局', 'police') RETURNING id`, [TREE.districtA]);
  urbanId = u!.id;
  policeId = p!.id;
  dispatcher = await clientAs(t, 'dispatcher', TREE.city);
  gridWorker = await clientAs(t, 'grid_worker', TREE.gridA1);
  resident = await clientAs(t, 'resident', TREE.communityA1);
  urban = await clientAs(t, 'department_staff', TREE.districtA, { departmentId: urbanId });
  police = await clientAs(t, 'department_staff', TREE.districtA, { departmentId: policeId });
});

describe('intake', () => {
  it('401 without a session; 400 naming the field for bad input', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/cases', payload: report() })).statusCode).toBe(401);
    const cases: [Record<string, unknown>, string][] = [
      [report({ categoryCode: 'no.such' }), 'categoryCode'],
      [report({ description: '' }), 'description'],
      [report({ location: { lng: 200, lat: 22 } }), 'location.lng'],
      [report({ location: { lng: 114, lat: 22, crs: 'mars' } }), 'location.crs'],
      [report({ channel: 'fax' }), 'channel'],
      [report({ photos: ['f'.repeat(64)] }), 'photos.0'],
      [report({ reporter: { phone: '123' } }), 'reporter.phone'],
      [report({ surprise: 1 }), 'surprise'],
    ];
    for (const [body, field] of cases) {
      const res = await resident.post('/api/cases', body);
      expect(res.statusCode, field).toBe(400);
      expect(res.json().fields.map((f: { field: string }) => f.field), JSON.stringify(res.json())).toContain(field);
    }
    expect(await t.db.query('SELECT 1 FROM cases')).toHaveLength(0);
  });

  it('places the case in its grid from a GCJ-02 pin, numbers it, writes case + timeline + outbox together', async () => {
    const res = await resident.post('/api/cases', report({ location: { lng: 114.15 + 0.0053, lat: 22.95 - 0.0026, crs: 'gcj02' } }));
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(c.node.code).toBe(TREE.gridA1);
    expect(c.status).toBe('reported');
    expect(c.number).toMatch(/^4413\d{8}\d{7}$/);
    expect(c.timeline).toHaveLength(1);
    expect(c.timeline[0]).toMatchObject({ seq: 1, action: 'report', to: 'reported' });
    expect(c.abilities).toEqual(expect.arrayContaining(['cancel']));
    expect(c.clock.acceptDueAt).not.toBeNull();
    const outbox = await t.db.query<{ topic: string }>(`SELECT topic FROM outbox WHERE payload->>'caseId' = $1`, [String(c.id)]);
    expect(outbox.map((o) => o.topic)).toEqual(['case.reported']);
  });

  it('an Idempotency-Key returns the same case on a retry', async () => {
    const a = await resident.request('POST', '/api/cases', report(), { 'idempotency-key': 'retry-1' });
    const b = await resident.request('POST', '/api/cases', report(), { 'idempotency-key': 'retry-1' });
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(200);
    expect(b.json().id).toBe(a.json().id);
    const [{ n }] = (await t.db.query<{ n: number }>(`SELECT count(*) AS n FROM cases WHERE idempotency_key = 'retry-1'`)) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('hotline: a caller\'s phone is stored encrypted, shown masked, and finds their earlier cases', async () => {
    const res = await dispatcher.post('/api/cases', report({ channel: 'hotline', location: undefined, address: '东一社区 幸福路 3 号', reporter: { name: '李女士', phone: '13812340000' } }));
    expect(res.statusCode).toBe(201);
    expect(res.json().node.code).toBe(TREE.communityA1);
    expect(res.json().reporter.phone).toBe('138****0000');
    const raw = await t.db.query<Record<string, unknown>>('SELECT * FROM cases WHERE id = $1', [res.json().id]);
    expect(JSON.stringify(raw)).not.toContain('13812340000');
    const history = await dispatcher.get('/api/cases/by-phone?phone=13812340000');
    expect(history.json().items.map((x: { id: number }) => x.id)).toContain(res.json().id);
  });

  it('rejects photos that are not images; accepts PNG and stores it by hash', async () => {
    const bad = await uploadPhoto(resident, Buffer.from('not an image at all'), 'x.png');
    expect(bad.statusCode).toBe(415);
    expect(bad.json().fields[0].field).toBe('photos.0');
    const ok = await uploadPhoto(resident);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().items[0]).toMatchObject({ mime: 'image/png', bytes: PNG.length });
  });

  it('a grid worker solves on the spot (自处置): resolved at grid level, still awaits the rating', async () => {
    const res = await gridWorker.post('/api/cases', report({ channel: 'patrol', description: '井盖松动，已现场加固', selfResolved: { result: '已加固' } }));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'awaiting_rating', outcome: { resolvedLevel: 'grid' } });
    expect(res.json().timeline.map((e: { action: string }) => e.action)).toEqual(['report', 'self_resolve']);
    const other = await clientAs(t, 'grid_worker', TREE.gridA2);
    const denied = await other.post('/api/cases', report({ channel: 'patrol', selfResolved: { result: 'x' } }));
    expect(denied.statusCode).toBe(400);
  });
});

describe('the loop, end to end through the API', () => {
  it('report → accept → dispatch → sign → escalate to a department → resolve → check → not satisfied → reopen → resolve → satisfied → closed', async () => {
    const photo = (await uploadPhoto(resident)).json().items[0].sha256;
    const created = (await resident.post('/api/cases', report({ photos: [photo] }))).json();
    const id = created.id;

    // Out of scope: a grid worker elsewhere cannot see it; the resident cannot dispatch it.
    const elsewhere = await clientAs(t, 'grid_worker', TREE.communityB1);
    expect((await elsewhere.get(`/api/cases/${id}`)).statusCode).toBe(404);
    expect((await resident.post(`/api/cases/${id}/dispatch`, {})).statusCode).toBe(403);
    // Wrong state: cannot dispatch before acceptance.
    const early = await dispatcher.post(`/api/cases/${id}/dispatch`, {});
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'CASE_INVALID_TRANSITION', details: { status: 'reported' } });

    expect((await dispatcher.post(`/api/cases/${id}/reject`, {})).statusCode).toBe(400);
    expect((await dispatcher.post(`/api/cases/${id}/accept`, {})).json().status).toBe('accepted');
    const dispatched = (await dispatcher.post(`/api/cases/${id}/dispatch`, {})).json();
    expect(dispatched.status).toBe('dispatched');
    expect(dispatched.handler).toMatchObject({ type: 'grid_worker', nodeCode: TREE.gridA1 });
    expect(dispatched.clock.handleDueAt).not.toBeNull();

    const seen = (await gridWorker.get(`/api/cases/${id}`)).json();
    expect(seen.abilities).toEqual(expect.arrayContaining(['sign', 'return', 'escalate']));
    expect((await gridWorker.post(`/api/cases/${id}/sign`, {})).json().status).toBe('in_progress');
    expect((await gridWorker.post(`/api/cases/${id}/escalate`, { departmentId: urbanId })).statusCode).toBe(400);
    const up = (await gridWorker.post(`/api/cases/${id}/escalate`, { reason: '涉及违规装修，需城管执法', departmentId: urbanId })).json();
    expect(up).toMatchObject({ status: 'dispatched', handler: { type: 'department', departmentId: urbanId } });

    // The police are not the handler: 403.
    expect((await police.post(`/api/cases/${id}/sign`, {})).statusCode).toBe(404);
    expect((await urban.post(`/api/cases/${id}/sign`, {})).json().status).toBe('in_progress');
    expect((await urban.post(`/api/cases/${id}/resolve`, { note: '已责令停止夜间施工' })).statusCode).toBe(200);
    // The handler does not check its own work; the grid worker does.
    expect((await urban.post(`/api/cases/${id}/check-pass`, {})).statusCode).toBe(403);
    expect((await gridWorker.post(`/api/cases/${id}/check-pass`, { note: '现场核实已停工' })).json().status).toBe('awaiting_rating');

    const reopened = (await resident.post(`/api/cases/${id}/rate`, { rating: 'unsatisfied', comment: '第二天又开始了' })).json();
    expect(reopened).toMatchObject({ status: 'dispatched', counts: { reopen: 1 }, handler: { departmentId: urbanId } });
    await urban.post(`/api/cases/${id}/sign`, {});
    await urban.post(`/api/cases/${id}/resolve`, { note: '已立案处罚并监督整改' });
    await gridWorker.post(`/api/cases/${id}/check-pass`, {});
    const closed = (await resident.post(`/api/cases/${id}/rate`, { rating: 'satisfied' })).json();
    expect(closed).toMatchObject({ status: 'closed', outcome: { rating: 'satisfied', closeReason: 'rated' } });
    expect(closed.abilities).toEqual([]);

    const actions = closed.timeline.map((e: { action: string }) => e.action);
    expect(actions).toEqual([
      'report', 'accept', 'dispatch', 'sign', 'escalate', 'sign', 'resolve', 'check_pass', 'rate_unsatisfied', 'sign', 'resolve', 'check_pass', 'rate_satisfied',
    ]);
    expect(closed.timeline.map((e: { seq: number }) => e.seq)).toEqual(actions.map((_: unknown, i: number) => i + 1));
    // Every entry names who acted.
    expect(closed.timeline.every((e: { actor: { name: string } }) => e.actor.name)).toBe(true);
    // The resident's photo is readable by the handler, and not by someone out of scope.
    expect((await urban.get(`/api/cases/${id}/photos/${photo}`)).statusCode).toBe(200);
    expect((await elsewhere.get(`/api/cases/${id}/photos/${photo}`)).statusCode).toBe(404);
  });

  it('return, then designate; summon co-handlers who report before the lead resolves', async () => {
    const id = (await resident.post('/api/cases', report({ categoryCode: 'city_env.exposed_garbage', description: '小区门口垃圾堆放三天' }))).json().id;
    await dispatcher.post(`/api/cases/${id}/accept`, {});
    await dispatcher.post(`/api/cases/${id}/dispatch`, { handler: { type: 'department', departmentId: policeId }, reason: '测试派错' });
    expect((await police.post(`/api/cases/${id}/return`, {})).statusCode).toBe(400);
    const ret = await police.post(`/api/cases/${id}/return`, { reason: '不属于公安职责' });
    expect(ret.json().status, ret.body).toBe('returned');
    const designated = (await dispatcher.post(`/api/cases/${id}/dispatch`, { handler: { type: 'department', departmentId: urbanId }, reason: '指定城管', mode: 'designate' })).json();
    expect(designated.handler.departmentId).toBe(urbanId);
    await urban.post(`/api/cases/${id}/sign`, {});
    const summoned = (await urban.post(`/api/cases/${id}/summon`, { departmentIds: [policeId] })).json();
    expect(summoned.coHandlers).toMatchObject([{ departmentId: policeId, status: 'pending' }]);
    // Police can see it again as co-handler; the lead cannot resolve before the co-handler reports.
    expect((await urban.post(`/api/cases/${id}/resolve`, { note: '清运完毕', photos: [] })).statusCode).toBe(409);
    expect((await police.post(`/api/cases/${id}/co-report`, { note: '已协助疏导' })).statusCode).toBe(200);
    const resolveNoPhoto = await urban.post(`/api/cases/${id}/resolve`, { note: '清运完毕' });
    expect(resolveNoPhoto.statusCode).toBe(400);
    expect(resolveNoPhoto.json().fields[0].field).toBe('photos');
    const photo = (await uploadPhoto(urban)).json().items[0].sha256;
    expect((await urban.post(`/api/cases/${id}/resolve`, { note: '清运完毕', photos: [photo] })).json().status).toBe('resolved');
    const fail = (await gridWorker.post(`/api/cases/${id}/check-fail`, { reason: '仍有残留' })).json();
    expect(fail).toMatchObject({ status: 'in_progress', counts: { rework: 1 } });
  });

  it('extension and suspension move the clock, with approval', async () => {
    const id = (await resident.post('/api/cases', report())).json().id;
    await dispatcher.post(`/api/cases/${id}/accept`, {});
    const d = (await dispatcher.post(`/api/cases/${id}/dispatch`, {})).json();
    await gridWorker.post(`/api/cases/${id}/sign`, {});
    const asked = (await gridWorker.post(`/api/cases/${id}/request-extension`, { reason: '需协调物业', extension: { amount: 2, unit: 'workdays' } })).json();
    expect(asked.pendingExtension).toMatchObject({ amount: 2, unit: 'workdays' });
    expect((await gridWorker.post(`/api/cases/${id}/request-extension`, { reason: 'again', extension: { amount: 1, unit: 'hours' } })).statusCode).toBe(409);
    expect((await gridWorker.post(`/api/cases/${id}/approve-extension`, {})).statusCode).toBe(403);
    const approved = (await dispatcher.post(`/api/cases/${id}/approve-extension`, {})).json();
    expect(approved.pendingExtension).toBeNull();
    expect(Date.parse(approved.clock.handleDueAt)).toBeGreaterThan(Date.parse(d.clock.handleDueAt));
    await gridWorker.post(`/api/cases/${id}/request-suspension`, { reason: '当事人外出' });
    expect((await dispatcher.post(`/api/cases/${id}/approve-suspension`, {})).json().status).toBe('suspended');
    await t.db.query(`UPDATE cases SET suspended_at = suspended_at - interval '5 hours' WHERE id = $1`, [id]);
    const resumed = (await dispatcher.post(`/api/cases/${id}/resume`, {})).json();
    expect(resumed.status).toBe('in_progress');
    expect(Date.parse(resumed.clock.handleDueAt) - Date.parse(approved.clock.handleDueAt)).toBeGreaterThanOrEqual(5 * 3600_000 - 1000);
    const clockEvents = resumed.timeline.filter((e: { clock: unknown }) => e.clock);
    expect(clockEvents.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['approve_extension', 'approve_suspension', 'resume']));
  });

  it('merges a duplicate: its reporter follows the original', async () => {
    const other = await buildUser(t.db, { role: 'resident', node: TREE.communityA1 });
    const otherClient = await signIn(t.app, other);
    const a = (await resident.post('/api/cases', report({ description: '路灯不亮', categoryCode: 'facility.street_light' }))).json();
    const b = (await otherClient.post('/api/cases', report({ description: '这里路灯坏了', categoryCode: 'facility.street_light' }))).json();
    const seen = (await dispatcher.get(`/api/cases/${b.id}`)).json();
    expect(seen.duplicates.map((x: { id: number }) => x.id)).toContain(a.id);
    expect((await dispatcher.post(`/api/cases/${b.id}/merge`, { into: b.id })).statusCode).toBe(400);
    expect((await dispatcher.post(`/api/cases/${b.id}/merge`, { into: a.id })).json()).toMatchObject({ status: 'merged', outcome: { mergedInto: a.id } });
    const followed = await otherClient.get(`/api/cases/${a.id}`);
    expect(followed.statusCode).toBe(200);
    expect(followed.json().timeline.map((e: { action: string }) => e.action)).toContain('merged_in');
  });
});

describe('queue and counts', () => {
  it('is scoped: department staff see their department\'s cases, residents their own, dispatchers all in the city', async () => {
    const all = (await dispatcher.get('/api/cases?pageSize=100')).json().items.length;
    expect(all).toBeGreaterThan(3);
    const mine = (await resident.get('/api/cases/mine?pageSize=100')).json().items;
    expect(mine.length).toBeGreaterThan(0);
    expect((await resident.get('/api/cases?pageSize=100')).json().items.length).toBe(mine.length);
    const forUrban = (await urban.get('/api/cases?pageSize=100')).json().items;
    expect(forUrban.every((c: { handler: { departmentId: number } | null }) => c.handler?.departmentId === urbanId)).toBe(true);
    const red = (await dispatcher.get('/api/cases?clock=red')).json();
    expect(red.items).toEqual([]);
    const counts = (await dispatcher.get(`/api/cases/counts?node=${TREE.districtA}`)).json();
    expect(counts.total).toBe(all);
    expect((await dispatcher.get('/api/cases?status=bogus status')).statusCode).toBe(400);
    expect((await dispatcher.get('/api/cases?pageSize=1000')).statusCode).toBe(400);
  });
  it('a scope of alternatives (lead or co-handler; a grid or what is handled there) pages and counts exactly', async () => {
    const ids = (items: { id: number }[]) => items.map((i) => i.id);
    for (let i = 0; i < 3; i++) {
      const id = (await resident.post('/api/cases', report({ description: `夜间有人聚集滋事 ${i}` }))).json().id;
      await dispatcher.post(`/api/cases/${id}/accept`, {});
      expect((await dispatcher.post(`/api/cases/${id}/dispatch`, { handler: { type: 'department', departmentId: policeId }, reason: '公安处置' })).statusCode).toBe(200);
    }
    const expected = await t.db.query<{ id: number }>(
      `SELECT id FROM cases WHERE handler_department_id = $1 OR id IN (SELECT case_id FROM case_assignments WHERE department_id = $1)
        ORDER BY created_at DESC, id DESC`,
      [policeId],
    );
    expect(expected.length).toBeGreaterThan(1);
    expect(ids((await police.get('/api/cases?pageSize=100')).json().items)).toEqual(expected.map((r) => Number(r.id)));
    for (const c of [police, urban, gridWorker]) {
      for (const sort of ['newest', 'oldest', 'due']) {
        const whole = ids((await c.get(`/api/cases?pageSize=100&sort=${sort}`)).json().items);
        expect(whole.length).toBeGreaterThan(0);
        expect(new Set(whole).size).toBe(whole.length);
        const paged: number[] = [];
        for (let page = 1; page < 50; page++) {
          const r = (await c.get(`/api/cases?pageSize=2&page=${page}&sort=${sort}`)).json();
          paged.push(...ids(r.items));
          if (!r.hasMore) break;
        }
        expect(paged).toEqual(whole);
        if (sort === 'newest') expect((await c.get('/api/cases/counts')).json().total).toBe(whole.length);
      }
      const handling = ids((await c.get('/api/cases?pageSize=100&mine=handling')).json().items);
      expect(new Set(handling).size).toBe(handling.length);
    }
  });
});

describe('concurrency', () => {
  it('two dispatches at once: exactly one wins, the other gets 409 with the state; the timeline has no gaps', async () => {
    const id = (await resident.post('/api/cases', report())).json().id;
    await dispatcher.post(`/api/cases/${id}/accept`, {});
    const other = await clientAs(t, 'dispatcher', TREE.city);
    const results = await Promise.all([dispatcher.post(`/api/cases/${id}/dispatch`, {}), other.post(`/api/cases/${id}/dispatch`, {})]);
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 409]);
    const loser = results.find((r) => r.statusCode === 409)!.json();
    expect(loser.details.status).toBe('dispatched');
    const seqs = (await t.db.query<{ seq: number }>('SELECT seq FROM case_events WHERE case_id = $1 ORDER BY seq', [id])).map((r) => r.seq);
    expect(seqs).toEqual([1, 2, 3]);
  });

  it('two approvals of one extension at once: the deadline moves once', async () => {
    const id = (await resident.post('/api/cases', report())).json().id;
    await dispatcher.post(`/api/cases/${id}/accept`, {});
    const before = (await dispatcher.post(`/api/cases/${id}/dispatch`, {})).json().clock.handleDueAt;
    await gridWorker.post(`/api/cases/${id}/sign`, {});
    await gridWorker.post(`/api/cases/${id}/request-extension`, { reason: '等待配件', extension: { amount: 24, unit: 'hours' } });
    const other = await clientAs(t, 'dispatcher', TREE.city);
    const results = await Promise.all([dispatcher.post(`/api/cases/${id}/approve-extension`, {}), other.post(`/api/cases/${id}/approve-extension`, {})]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const after = (await dispatcher.get(`/api/cases/${id}`)).json();
    expect(Date.parse(after.clock.handleDueAt) - Date.parse(before)).toBe(24 * 3600_000);
    expect(after.timeline.filter((e: { action: string }) => e.action === 'approve_extension')).toHaveLength(1);
  });

  it('two ratings at once: one closes the case, the other gets 409', async () => {
    const id = (await gridWorker.post('/api/cases', report({ channel: 'patrol', selfResolved: { result: 'done' }, reporter: undefined }))).json().id;
    await t.db.query('UPDATE cases SET reporter_id = $2 WHERE id = $1', [id, resident.userId]);
    const results = await Promise.all([
      resident.post(`/api/cases/${id}/rate`, { rating: 'satisfied' }),
      resident.post(`/api/cases/${id}/rate`, { rating: 'unsatisfied' }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const seqs = (await t.db.query<{ seq: number }>('SELECT seq FROM case_events WHERE case_id = $1 ORDER BY seq', [id])).map((r) => r.seq);
    expect(seqs).toEqual([1, 2, 3]);
  });
});

describe('audit', () => {
  it('intake and every action write their audit row in the same transaction', async () => {
    const id = (await resident.post('/api/cases', report())).json().id;
    await dispatcher.post(`/api/cases/${id}/accept`, {});
    const rows = await t.db.query<{ action: string; actor_id: string }>(`SELECT action, actor_id FROM audit_log WHERE resource = 'cases' AND resource_id = $1 ORDER BY id`, [String(id)]);
    expect(rows.map((r) => r.action)).toEqual(['case.report', 'case.accept']);
    expect(rows[1]!.actor_id).toBe(dispatcher.userId);
  });
});
