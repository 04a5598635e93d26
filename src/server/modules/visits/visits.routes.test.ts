import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { failOn } from '../../../../test/inject-failure.js';
import { insertHouseholds } from '../linkage/care-fixtures.js';

const t = useTestApp();
let worker: Client;
let otherWorker: Client;
let secretary: Client;
let dept: Client;
let households: number[];
let elderly: { id: number; name: string }[];

beforeAll(async () => {
  await buildSmallCity(t.db);
  // 10 households in grid A1; every 2nd head lives alone and elderly (weekly visits), registered 30 days ago: all overdue.
  households = await insertHouseholds(t.db, { gridCode: TREE.gridA1, count: 10, tagEvery: { elderly_alone: 2, veteran: 3 } });
  await insertHouseholds(t.db, { gridCode: TREE.gridA2, count: 4, tagEvery: { elderly_alone: 1 } });
  elderly = (await t.db.query<{ id: number; name: string }>(`SELECT id, name FROM residents WHERE node_code = $1 AND 'elderly_alone' = ANY(tags) ORDER BY id`, [TREE.gridA1])).map((r) => ({ id: Number(r.id), name: r.name }));
  expect(elderly.length).toBe(5);
  // One of them was visited five days ago: due within the week, not overdue.
  const [u] = await t.db.query<{ id: string }>(`SELECT id FROM users LIMIT 1`).then((r) => (r.length ? r : t.db.query<{ id: string }>(`INSERT INTO users (city_code, username, display_name, password_hash) VALUES ('4413', 'seed', 'seed', 'x') RETURNING id`)));
  await t.db.query(
    `INSERT INTO visits (city_code, resident_id, node_code, node_path, visitor_id, visited_at, findings) SELECT city_code, id, node_code, node_path, $2, now() - interval '5 days', '身体尚好' FROM residents WHERE id = $1`,
    [elderly[4]!.id, u!.id],
  );
  worker = await clientAs(t, 'grid_worker', TREE.gridA1);
  otherWorker = await clientAs(t, 'grid_worker', TREE.gridA2);
  secretary = await clientAs(t, 'community_secretary', TREE.communityA1);
  dept = await clientAs(t, 'department_staff', TREE.city, { departmentId: (await t.db.query<{ id: number }>(`INSERT INTO departments (city_code, node_code, name, kind) VALUES ('4413', '4413', '民政局', 'department') RETURNING id`))[0]!.id });
});

describe('GET /api/visits/due', () => {
  it('401 signed out; 403 for a department; 404 for a node out of scope; 400 naming the field', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/visits/due' })).statusCode).toBe(401);
    expect((await dept.get('/api/visits/due')).statusCode).toBe(403);
    const out = await worker.get(`/api/visits/due?nodeCode=${TREE.gridA2}`);
    expect(out.statusCode).toBe(404);
    for (const [url, field] of [['/api/visits/due?status=late', 'status'], ['/api/visits/due?limit=0', 'limit'], ['/api/visits/due?nodeCode=abc', 'nodeCode']] as const) {
      const res = await worker.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(JSON.stringify(res.json().fields)).toContain(field);
    }
  });

  it("lists the worker's own grid, overdue first, with counts", async () => {
    const res = await worker.get('/api/visits/due');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.counts).toEqual({ total: 5, overdue: 4, due: 1, done: 0 });
    expect(body.items.map((i: { status: string }) => i.status)).toEqual(['overdue', 'overdue', 'overdue', 'overdue', 'due']);
    expect(body.items.every((i: { nodeCode: string }) => i.nodeCode === TREE.gridA1)).toBe(true);
    expect(body.items[0]).toMatchObject({ everyDays: 7, tags: ['elderly_alone'], daysOverdue: 23, lastVisitAt: null });
    expect(body.items[4]).toMatchObject({ residentId: elderly[4]!.id, status: 'due' });
    const onlyDue = (await worker.get('/api/visits/due?status=due')).json();
    expect(onlyDue.items.map((i: { residentId: number }) => i.residentId)).toEqual([elderly[4]!.id]);
    // The secretary sees the community (grid A1 only here); the other worker only grid A2.
    expect((await secretary.get('/api/visits/due')).json().counts.total).toBe(5);
    expect((await otherWorker.get('/api/visits/due')).json().counts.total).toBe(4);
  });
});

describe('POST /api/visits', () => {
  it('401, 404 out of scope, 403 for a role that may only read, 400 naming the field', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/visits', payload: {} })).statusCode).toBe(401);
    const body = { residentId: elderly[0]!.id, findings: '一切正常' };
    const out = await otherWorker.post('/api/visits', body);
    expect(out.statusCode).toBe(404);
    const leader = await clientAs(t, 'leader', TREE.city);
    expect((await leader.post('/api/visits', body)).statusCode).toBe(403);
    for (const [b, field] of [
      [{ ...body, findings: '' }, 'findings'],
      [{ ...body, extra: 1 }, 'extra'],
      [{ ...body, visitedAt: '2999-01-01T00:00:00Z' }, 'visitedAt'],
      [{ ...body, location: { lng: 500, lat: 23 } }, 'location.lng'],
      [{ ...body, photos: ['0'.repeat(64)] }, 'photos'],
      [{ ...body, openCase: { categoryCode: 'no.such' } }, 'categoryCode'],
    ] as const) {
      const res = await worker.post('/api/visits', b);
      expect(res.statusCode, JSON.stringify(b)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, JSON.stringify(b)).toBeLessThan(500);
      expect(JSON.stringify(res.json()), JSON.stringify(b)).toContain(field);
    }
    const [{ n }] = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM visits WHERE resident_id = $1', [elderly[0]!.id])) as [{ n: number }];
    expect(n).toBe(0);
  });

  it('records a visit with the phone location; the resident drops off the overdue list; audit row', async () => {
    const res = await worker.post('/api/visits', { residentId: elderly[0]!.id, findings: '老人身体好，需要帮忙买药', location: { lng: 114.15, lat: 22.95 }, kind: 'home' });
    expect(res.statusCode).toBe(201);
    const v = res.json();
    expect(v).toMatchObject({ residentId: elderly[0]!.id, residentName: elderly[0]!.name, nodeCode: TREE.gridA1, kind: 'home', lng: 114.15, lat: 22.95, caseId: null, visitorId: worker.userId });
    const [row] = await t.db.query<{ findings: string; visitor_id: string; x: number }>('SELECT findings, visitor_id, ST_X(location) AS x FROM visits WHERE id = $1', [v.id]);
    expect(row).toMatchObject({ findings: '老人身体好，需要帮忙买药', visitor_id: worker.userId, x: 114.15 });
    const [audit] = await t.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE resource = 'visit' AND resource_id = $1`, [String(v.id)]);
    expect(audit!.action).toBe('visit.record');
    const due = (await worker.get('/api/visits/due')).json();
    expect(due.counts).toEqual({ total: 5, overdue: 3, due: 1, done: 1 });
    expect(due.items.at(-1)).toMatchObject({ residentId: elderly[0]!.id, status: 'done' });
    const hist = (await worker.get(`/api/visits?residentId=${elderly[0]!.id}`)).json();
    expect(hist.items.map((i: { id: number }) => i.id)).toEqual([v.id]);
    expect((await otherWorker.get(`/api/visits?residentId=${elderly[0]!.id}`)).statusCode).toBe(404);
  });

  it('a visit can open a case placed at the resident', async () => {
    const res = await worker.post('/api/visits', { residentId: elderly[1]!.id, findings: '楼道灯坏了，老人夜里出门不便', openCase: { categoryCode: 'facility.street_light' } });
    expect(res.statusCode).toBe(201);
    const caseId = res.json().caseId;
    expect(caseId).toBeGreaterThan(0);
    const [c] = await t.db.query<{ channel: string; node_code: string; household_id: number; category_code: string }>('SELECT channel, node_code, household_id, category_code FROM cases WHERE id = $1', [caseId]);
    const [r] = await t.db.query<{ household_id: number }>('SELECT household_id FROM residents WHERE id = $1', [elderly[1]!.id]);
    expect(c).toMatchObject({ channel: 'patrol', node_code: TREE.gridA1, category_code: 'facility.street_light', household_id: r!.household_id });
  });

  it('the case and the visit commit together: a failure writing the visit leaves neither', async () => {
    const count = async () =>
      (await t.db.query<{ cases: number; visits: number; outbox: number; audit: number }>(
        `SELECT (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM visits) AS visits,
                (SELECT count(*)::int FROM outbox WHERE topic = 'case.reported') AS outbox, (SELECT count(*)::int FROM audit_log WHERE action = 'case.report') AS audit`,
      ))[0];
    const before = await count();
    const restore = await failOn(t.db, 'visits', 'INSERT');
    try {
      const res = await worker.post('/api/visits', { residentId: elderly[1]!.id, findings: '楼道扶手松了', openCase: { categoryCode: 'facility.street_light' } });
      expect(res.statusCode, res.body).toBe(500);
    } finally {
      await restore();
    }
    expect(await count()).toEqual(before);
  });
});

describe('GET /api/visits/counts', () => {
  it('counts per grid under the caller, with visits in the period', async () => {
    expect((await dept.get('/api/visits/counts')).statusCode).toBe(403);
    expect((await worker.get(`/api/visits/counts?nodeCode=${TREE.communityA2}`)).statusCode).toBe(404);
    const admin = await clientAs(t, 'administrator', null);
    const res = await admin.get(`/api/visits/counts?nodeCode=${TREE.streetA}`);
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items).toEqual([
      expect.objectContaining({ nodeCode: TREE.gridA1, total: 5, overdue: 2, due: 1, done: 2, visits: 3 }),
      expect.objectContaining({ nodeCode: TREE.gridA2, total: 4, overdue: 4, due: 0, done: 0, visits: 0 }),
    ]);
    expect(households.length).toBe(10);
  });
});
