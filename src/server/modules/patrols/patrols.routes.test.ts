import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { failOn } from '../../../../test/inject-failure.js';

const t = useTestApp();
let worker: Client;
let otherWorker: Client;
let secretary: Client;
let resident: Client;
let patrolId: number;

const pt = (i: number, extra: Record<string, unknown> = {}) => ({
  id: `p${i}`, seq: i, at: new Date(Date.UTC(2026, 10, 22, 1, 0, i * 10)).toISOString(), lng: 114.15 + i * 0.0005, lat: 22.95, ...extra,
});

beforeAll(async () => {
  await buildSmallCity(t.db);
  worker = await clientAs(t, 'grid_worker', TREE.gridA1);
  otherWorker = await clientAs(t, 'grid_worker', TREE.gridA2);
  secretary = await clientAs(t, 'community_secretary', TREE.communityA1);
  resident = await clientAs(t, 'resident', TREE.gridA1);
});

describe('POST /api/patrols (start)', () => {
  it('401; 403 for a role that may not patrol; 404 for a grid out of scope; 400 naming the field', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/patrols', payload: {} })).statusCode).toBe(401);
    expect((await resident.post('/api/patrols', {})).statusCode).toBe(403);
    expect((await secretary.post('/api/patrols', { nodeCode: TREE.gridA1 })).statusCode).toBe(403);
    expect((await worker.post('/api/patrols', { nodeCode: TREE.gridA2 })).statusCode).toBe(404);
    const bad = await worker.post('/api/patrols', { nodeCode: '12' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().fields)).toContain('nodeCode');
    expect((await t.db.query('SELECT id FROM patrols')).length).toBe(0);
  });

  it('starts in the worker\'s own grid; a second start is 409', async () => {
    const res = await worker.post('/api/patrols', { note: '日常巡查' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ nodeCode: TREE.gridA1, status: 'active', points: 0, workerId: worker.userId, endedAt: null, findings: [] });
    patrolId = res.json().id;
    const again = await worker.post('/api/patrols', {});
    expect(again.statusCode).toBe(409);
    const rows = await t.db.query<{ status: string }>('SELECT status FROM patrols WHERE worker_id = $1', [worker.userId]);
    expect(rows).toEqual([{ status: 'active' }]);
  });
});

describe('track points', () => {
  it('404 for another grid\'s worker, 403 for the secretary, 400 naming the point field', async () => {
    expect((await otherWorker.post(`/api/patrols/${patrolId}/points`, { points: [pt(1)] })).statusCode).toBe(404);
    expect((await secretary.post(`/api/patrols/${patrolId}/points`, { points: [pt(1)] })).statusCode).toBe(403);
    for (const [body, field] of [
      [{ points: [] }, 'points'],
      [{ points: [pt(1, { lng: 181 })] }, 'points.0.lng'],
      [{ points: [pt(1, { at: 'yesterday' })] }, 'at'],
      [{ points: [pt(1, { x: 1 })] }, 'x'],
      [{ points: [pt(1, { at: '2999-01-01T00:00:00Z' })] }, 'points.0.at'],
    ] as const) {
      const res = await worker.post(`/api/patrols/${patrolId}/points`, body);
      expect(res.statusCode, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(JSON.stringify(res.json()), JSON.stringify(body)).toContain(field);
    }
    expect((await t.db.query('SELECT 1 FROM patrol_points')).length).toBe(0);
  });

  it('out-of-order and repeated batches land once, in time order', async () => {
    const r1 = await worker.post(`/api/patrols/${patrolId}/points`, { points: [pt(3), pt(4), pt(5)] });
    expect(r1.json()).toEqual({ accepted: 3, duplicates: 0, total: 3 });
    // The phone was offline: the older points arrive later, with a retry of the first batch and a point twice in one batch.
    const r2 = await worker.post(`/api/patrols/${patrolId}/points`, { points: [pt(1), pt(2), pt(3), pt(4), pt(2)] });
    expect(r2.json()).toEqual({ accepted: 2, duplicates: 3, total: 5 });
    const r3 = await worker.post(`/api/patrols/${patrolId}/points`, { points: [pt(3), pt(4), pt(5)] });
    expect(r3.json()).toEqual({ accepted: 0, duplicates: 3, total: 5 });
    const rows = await t.db.query<{ client_id: string }>('SELECT client_id FROM patrol_points WHERE patrol_id = $1 ORDER BY recorded_at', [patrolId]);
    expect(rows.map((r) => r.client_id)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    const track = (await secretary.get(`/api/patrols/${patrolId}/track`)).json();
    expect(track.type).toBe('Feature');
    expect(track.geometry.coordinates.map((c: number[]) => c[0])).toEqual([1, 2, 3, 4, 5].map((i) => 114.15 + i * 0.0005));
    const p = (await secretary.get(`/api/patrols/${patrolId}`)).json();
    expect(p.points).toBe(5);
    // Four steps of about 51 m along the parallel.
    expect(p.distanceM).toBeGreaterThan(190);
    expect(p.distanceM).toBeLessThan(220);
    expect((await otherWorker.get(`/api/patrols/${patrolId}/track`)).statusCode).toBe(404);
  });
});

describe('findings and stop', () => {
  it('a broken street light found on the patrol becomes a case with the patrol attached', async () => {
    expect((await secretary.post(`/api/patrols/${patrolId}/findings`, { categoryCode: 'facility.street_light', description: 'x' })).statusCode).toBe(403);
    const bad = await worker.post(`/api/patrols/${patrolId}/findings`, { categoryCode: 'facility.street_light', description: '' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().fields)).toContain('description');
    const res = await worker.post(`/api/patrols/${patrolId}/findings`, { categoryCode: 'facility.street_light', description: '幸福路3号路灯不亮', location: { lng: 114.151, lat: 22.951 } });
    expect(res.statusCode).toBe(201);
    const { caseId, number } = res.json();
    const [c] = await t.db.query<{ channel: string; patrol_id: number; node_code: string; attributes: { patrol_id: number } }>('SELECT channel, patrol_id, node_code, attributes FROM cases WHERE id = $1', [caseId]);
    expect(c).toMatchObject({ channel: 'patrol', patrol_id: patrolId, node_code: TREE.gridA1 });
    expect(c!.attributes.patrol_id).toBe(patrolId);
    const p = (await worker.get(`/api/patrols/${patrolId}`)).json();
    expect(p.findings).toEqual([expect.objectContaining({ caseId, number, categoryCode: 'facility.street_light' })]);
  });

  it('the case and its patrol link commit together: a failure linking the patrol leaves no case', async () => {
    const count = async () =>
      (await t.db.query<{ cases: number; outbox: number; audit: number }>(
        `SELECT (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM outbox WHERE topic = 'case.reported') AS outbox,
                (SELECT count(*)::int FROM audit_log WHERE action = 'case.report') AS audit`,
      ))[0];
    const before = await count();
    const restore = await failOn(t.db, 'cases', 'UPDATE', 'NEW.patrol_id IS NOT NULL');
    try {
      const res = await worker.post(`/api/patrols/${patrolId}/findings`, { categoryCode: 'facility.street_light', description: '幸福路5号井盖缺失', location: { lng: 114.151, lat: 22.951 } });
      expect(res.statusCode, res.body).toBe(500);
    } finally {
      await restore();
    }
    expect(await count()).toEqual(before);
    expect((await worker.get(`/api/patrols/${patrolId}`)).json().findings).toHaveLength(1);
  });

  it('stops once; points queued offline are still accepted after the stop; lists', async () => {
    expect((await secretary.post(`/api/patrols/${patrolId}/stop`, {})).statusCode).toBe(403);
    const res = await worker.post(`/api/patrols/${patrolId}/stop`, { note: '巡查完毕' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ended', note: '巡查完毕' });
    expect((await worker.post(`/api/patrols/${patrolId}/stop`, {})).statusCode).toBe(409);
    const late = await worker.post(`/api/patrols/${patrolId}/points`, { points: [pt(6)] });
    expect(late.json()).toEqual({ accepted: 1, duplicates: 0, total: 6 });
    const [row] = await t.db.query<{ status: string; ended_at: Date }>('SELECT status, ended_at FROM patrols WHERE id = $1', [patrolId]);
    expect(row!.status).toBe('ended');
    expect(row!.ended_at).toBeInstanceOf(Date);
    // A new patrol can start now.
    expect((await worker.post('/api/patrols', {})).statusCode).toBe(201);
    const list = (await secretary.get(`/api/patrols?nodeCode=${TREE.communityA1}`)).json();
    expect(list.items.map((p: { status: string }) => p.status)).toEqual(['active', 'ended']);
    expect((await otherWorker.get('/api/patrols')).json().items).toEqual([]);
    expect((await worker.get('/api/patrols?status=ended&mine=true')).json().items.map((p: { id: number }) => p.id)).toEqual([patrolId]);
  });
});
