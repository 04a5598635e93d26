import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, buildUser, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { pathOf } from '../../../domain/tree.js';

const t = useTestApp();
let leader: Client;
let secretaryA1: Client;
let secretaryB1: Client;
let resident: Client;
let deptId: number;
const ids: Record<string, number> = {};

let seq = 0;
async function insertCase(key: string, node: string, status: string, lng: number, lat: number, over: Record<string, unknown> = {}): Promise<number> {
  const o = { clock: 'green', responded: null as Date | null, acceptDue: null as Date | null, handleDue: null as Date | null, resolved: null as Date | null, level: null as string | null, rating: null as string | null, merged: null as number | null, dept: null as number | null, ...over };
  const [r] = await t.db.query<{ id: number }>(
    `INSERT INTO cases (city_code, number, status, channel, category_code, category_path, description, node_code, node_path, location,
        clock_colour, responded_at, accepted_at, accept_due_at, handle_due_at, resolved_at, resolved_level, resolved_on_time, rating, rated_at, closed_at,
        merged_into_id, handler_department_id, handler_type)
     VALUES ('4413', $1, $2, 'h5', 'dispute.neighbour', 'dispute.neighbour', '看板测试', $3, $4::ltree, ST_SetSRID(ST_MakePoint($5, $6), 4326),
        $7, $8, $8, $9, $10, $11, $12, CASE WHEN $11::timestamptz IS NULL THEN NULL ELSE true END, $13, CASE WHEN $13::text IS NULL THEN NULL ELSE now() END,
        CASE WHEN $2 = 'closed' THEN now() END, $14, $15, CASE WHEN $15::bigint IS NULL THEN NULL ELSE 'department' END)
     RETURNING id`,
    [`D${++seq}`, status, node, pathOf(node), lng, lat, o.clock, o.responded, o.acceptDue, o.handleDue, o.resolved, o.level, o.rating, o.merged, o.dept],
  );
  ids[key] = r!.id;
  return r!.id;
}

const ago = (h: number) => new Date(Date.now() - h * 3_600_000);
const A1 = [114.15, 22.95] as const;
const A2 = [114.25, 23.0] as const;
const B1 = [114.8, 23.0] as const;

beforeAll(async () => {
  await buildSmallCity(t.db);
  const [d] = await t.db.query<{ id: number }>(`INSERT INTO departments (city_code, node_code, name, kind) VALUES ('4413', $1, '惠城区城管局', 'urban_management') RETURNING id`, [TREE.districtA]);
  deptId = d!.id;
  // c1: waiting for acceptance past its deadline (red); c2: dispatched, handling overdue (red);
  // c3: in progress (green); c4: closed satisfied at grid level; c5: a merged duplicate.
  await insertCase('c1', TREE.gridA1, 'reported', ...A1, { clock: 'red', acceptDue: ago(3) });
  await insertCase('c2', TREE.gridA1, 'dispatched', ...A1, { clock: 'red', responded: ago(0.5), acceptDue: ago(-1), handleDue: ago(0.2), dept: deptId });
  await insertCase('c3', TREE.gridA2, 'in_progress', ...A2, { responded: ago(0.5), acceptDue: ago(-1), handleDue: ago(-20), dept: deptId });
  await insertCase('c4', TREE.communityB1, 'closed', ...B1, { responded: ago(0.5), acceptDue: ago(-1), resolved: ago(0.1), level: 'grid', rating: 'satisfied' });
  await insertCase('c5', TREE.gridA1, 'merged', ...A1, { responded: ago(0.5), merged: 1 });
  leader = await clientAs(t, 'leader', TREE.city);
  secretaryA1 = await clientAs(t, 'community_secretary', TREE.communityA1);
  secretaryB1 = await clientAs(t, 'community_secretary', TREE.communityB1);
  resident = await clientAs(t, 'resident', TREE.communityA1);
});

describe('dashboard access', () => {
  it('401 → 404 out of scope → 403 wrong role → 400 bad input, on every endpoint', async () => {
    const urls = ['/api/dashboard/overview', '/api/dashboard/overdue', '/api/dashboard/rankings?by=grid&measure=response', '/api/dashboard/map/points?bbox=114,22,115,24', '/api/dashboard/map/density'];
    for (const u of urls) {
      expect((await t.app.inject({ method: 'GET', url: u })).statusCode, u).toBe(401);
      const sep = u.includes('?') ? '&' : '?';
      const out = await secretaryB1.get(`${u}${sep}node=${TREE.communityA1}`);
      expect(out.statusCode, u).toBe(404);
      expect(out.json().code).toBe('NODE_NOT_FOUND');
      expect((await resident.get(u)).statusCode, u).toBe(403);
    }
    const bad: [string, string][] = [
      ['/api/dashboard/overdue?limit=0', 'limit'],
      ['/api/dashboard/rankings?by=planet&measure=response', 'by'],
      ['/api/dashboard/rankings?by=grid&measure=speed', 'measure'],
      [`/api/dashboard/rankings?by=district&measure=response&node=${TREE.communityA1}`, 'by'],
      ['/api/dashboard/map/points', 'bbox'],
      ['/api/dashboard/map/points?bbox=1,2,3', 'bbox'],
      ['/api/dashboard/map/points?bbox=115,22,114,24', 'bbox'],
      ['/api/dashboard/map/density?from=2026-13-01', 'from'],
      ['/api/dashboard/overview?extra=1', 'extra'],
    ];
    for (const [u, field] of bad) {
      const res = await leader.get(u);
      expect(res.statusCode, u).toBe(400);
      expect(JSON.stringify(res.json()), u).toContain(field);
    }
    // A union of literals names every allowed value, not only the first branch's.
    const measure = (await leader.get('/api/dashboard/rankings?by=grid&measure=speed')).json().fields.find((f: { field: string }) => f.field === 'measure');
    expect(measure.reason).toMatch(/^must be one of: response, .*satisfaction/);
  });
});

describe('OpenAPI', () => {
  it('documents the measures and dashboard routes with their query fields', async () => {
    const doc = (await t.app.inject('/docs/json')).json();
    for (const p of ['/api/measures', '/api/measures/trend', '/api/dashboard/overview', '/api/dashboard/overdue', '/api/dashboard/rankings', '/api/dashboard/map/points', '/api/dashboard/map/density', '/api/dashboard/live']) {
      expect(Object.keys(doc.paths), p).toContain(p);
      expect(doc.paths[p].get.tags.length, p).toBeGreaterThan(0);
    }
    const params = doc.paths['/api/dashboard/rankings'].get.parameters.map((x: { name: string }) => x.name);
    expect(params).toEqual(expect.arrayContaining(['node', 'by', 'measure', 'order', 'from', 'to', 'limit']));
  });
});

describe('GET /api/dashboard/overview', () => {
  it('counts today and this month by state, and gives the same rates as /api/measures', async () => {
    const res = await leader.get(`/api/dashboard/overview?node=${TREE.city}`);
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b.today.byState).toEqual({ reported: 1, dispatched: 1, in_progress: 1, closed: 1, merged: 1 });
    expect(b.today).toMatchObject({ total: 5, open: 3, resolved: 1 });
    expect(b.month.total).toBe(5);
    expect(b.clocks).toEqual({ green: 1, yellow: 0, red: 2 });
    expect(b.categories).toEqual([{ code: 'dispute', nameZh: '矛盾纠纷', nameEn: 'Disputes', count: 4 }]);
    expect(b.channels).toEqual([{ channel: 'h5', count: 4 }]);
    const m = (await leader.get(`/api/measures?node=${TREE.city}`)).json();
    expect(b.measures).toEqual(m.measures);
    expect(b.levelShares).toEqual(m.levelShares);
    expect(b.measures.response).toEqual({ rate: 3 / 4, numerator: 3, denominator: 4 });
  });

  it('narrows to a community', async () => {
    const b = (await secretaryA1.get('/api/dashboard/overview')).json();
    expect(b.node.code).toBe(TREE.communityA1);
    expect(b.today.byState).toEqual({ reported: 1, dispatched: 1, merged: 1 });
    expect(b.clocks.red).toBe(2);
  });
});

describe('GET /api/dashboard/overdue', () => {
  it('lists red open cases in scope, longest overdue first, with the total', async () => {
    const b = (await leader.get(`/api/dashboard/overdue?node=${TREE.city}`)).json();
    expect(b.total).toBe(2);
    expect(b.items.map((i: { id: number }) => i.id)).toEqual([ids.c1, ids.c2]);
    expect(b.items[0].overdueMinutes).toBeGreaterThanOrEqual(179);
    expect(b.items[1].handler).toMatchObject({ type: 'department', name: '惠城区城管局', departmentId: deptId });
    expect(b.items[0].category).toMatchObject({ code: 'dispute.neighbour' });
    const one = (await leader.get(`/api/dashboard/overdue?node=${TREE.city}&limit=1`)).json();
    expect(one).toMatchObject({ total: 2, items: [{ id: ids.c1 }] });
    expect((await secretaryB1.get('/api/dashboard/overdue')).json()).toMatchObject({ total: 0, items: [] });
  });
});

describe('GET /api/dashboard/rankings', () => {
  it('ranks grids by a measure, best first, leaving out empty denominators', async () => {
    const b = (await leader.get(`/api/dashboard/rankings?node=${TREE.city}&by=grid&measure=response`)).json();
    expect(b.items).toEqual([
      { rank: 1, key: TREE.gridA2, name: '东二社区第一网格', level: 'grid', rate: 1, numerator: 1, denominator: 1 },
      { rank: 2, key: TREE.gridA1, name: '东一社区第一网格', level: 'grid', rate: 0.5, numerator: 1, denominator: 2 },
    ]);
    const asc = (await leader.get(`/api/dashboard/rankings?node=${TREE.city}&by=district&measure=response&order=asc`)).json();
    expect(asc.items.map((i: { key: string }) => i.key)).toEqual([TREE.districtA, TREE.districtB]);
    const depts = (await leader.get(`/api/dashboard/rankings?node=${TREE.city}&by=department&measure=response`)).json();
    expect(depts.items).toEqual([{ rank: 1, key: String(deptId), name: '惠城区城管局', rate: 1, numerator: 2, denominator: 2 }]);
  });
});

describe('map data', () => {
  it('gives case points in a bbox by clock colour, limited', async () => {
    const b = (await leader.get('/api/dashboard/map/points?bbox=114.1,22.9,114.3,23.1')).json();
    expect(b.type).toBe('FeatureCollection');
    expect(b.truncated).toBe(false);
    const got = b.features.map((f: { properties: { id: number; clockColour: string } }) => [f.properties.id, f.properties.clockColour]).sort();
    expect(got).toEqual([[ids.c1, 'red'], [ids.c2, 'red'], [ids.c3, 'green']].sort());
    expect(b.features[0].geometry.type).toBe('Point');
    const all = (await leader.get('/api/dashboard/map/points?bbox=114,22,115,24&open=false&limit=2')).json();
    expect(all).toMatchObject({ truncated: true, limit: 2 });
    expect(all.features).toHaveLength(2);
    const mine = (await secretaryA1.get('/api/dashboard/map/points?bbox=114,22,115,24&open=false')).json();
    expect(mine.features).toHaveLength(3); // c1 c2 c5 in community A1
  });

  it('gives the density per child node with the polygons', async () => {
    const b = (await leader.get(`/api/dashboard/map/density?node=${TREE.city}`)).json();
    expect(b.type).toBe('FeatureCollection');
    const byCode = Object.fromEntries(b.features.map((f: { properties: { code: string } }) => [f.properties.code, f.properties]));
    expect(byCode[TREE.districtA]).toMatchObject({ count: 3, open: 3, overdue: 2 });
    expect(byCode[TREE.districtB]).toMatchObject({ count: 1, open: 0, overdue: 0 });
    expect(b.features[0].geometry.type).toMatch(/Polygon/);
    // The city's districts come from the roll-up, a district's streets from its cases: they agree.
    const d = (await leader.get(`/api/dashboard/map/density?node=${TREE.districtA}`)).json();
    const counts = [...d.features.map((f: { properties: { count: number } }) => f.properties.count), ...d.unmapped.map((u: { count: number }) => u.count)];
    expect(counts.reduce((a: number, x: number) => a + x, 0)).toBe(byCode[TREE.districtA].count);
  });
});

describe('GET /api/dashboard/live', () => {
  it('streams new cases and changes of state under the node, and nothing from elsewhere', async () => {
    const u = await buildUser(t.db, { role: 'community_secretary', node: TREE.communityA1 });
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: u.username, password: u.password } });
    const cookie = login.cookies.find((c) => c.name === 'wangge_session')!.value;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as AddressInfo).port;
    let text = '';
    const req = http.get({ host: '127.0.0.1', port, path: '/api/dashboard/live', headers: { cookie: `wangge_session=${cookie}` } });
    const res = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    const waitFor = async (pred: () => boolean) => {
      for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
      return pred();
    };
    expect(await waitFor(() => text.includes(': subscribed'))).toBe(true);
    await insertCase('elsewhere', TREE.communityB1, 'reported', ...B1);
    const id = await insertCase('live', TREE.gridA1, 'reported', ...A1);
    await t.db.query(`UPDATE cases SET status = 'accepted' WHERE id = $1`, [id]);
    await t.db.query(`UPDATE cases SET clock_colour = 'red' WHERE id = $1`, [ids.c3]);
    expect(await waitFor(() => text.includes('"case.status"'))).toBe(true);
    const events = text
      .split('\n\n')
      .filter((b) => b.startsWith('event: case'))
      .map((b) => JSON.parse(b.split('\n').find((l) => l.startsWith('data: '))!.slice(6)));
    expect(events.map((e) => [e.type, e.caseId])).toEqual([
      ['case.created', id],
      ['case.status', id],
    ]);
    expect(events[1]).toMatchObject({ status: 'accepted', fromStatus: 'reported', nodePath: pathOf(TREE.gridA1), cityCode: '4413' });
    req.destroy();
  });
});
