import gcoordImport from 'gcoord';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { AppError } from '../../errors.js';
import { loadCalendar, routeFor } from './responsibility.service.js';

type Gcoord = typeof gcoordImport.default;
const gcoord: Gcoord = (gcoordImport as unknown as { default?: Gcoord }).default ?? (gcoordImport as unknown as Gcoord);

const t = useTestApp();
let admin: Client;
let districtAdmin: Client;
let gridWorker: Client;
let resident: Client;
const dept: Record<string, number> = {};

const P = {
  city: '44.4413',
  districtA: '44.4413.441302',
  gridA1: '44.4413.441302.441302001.441302001001.441302001001001',
  communityB1: '44.4413.441303.441303001.441303001001',
};
const D = { accept: { amount: 1, unit: 'hours' }, sign: { amount: 2, unit: 'hours' }, handle: { amount: 48, unit: 'hours' } };

async function addDepartment(key: string, node: string, kind: string, status = 'active') {
  const [row] = await t.db.query<{ id: number }>(`INSERT INTO departments (city_code, node_code, name, kind, status) VALUES ('4413', $1, $2, $3, $4) RETURNING id`, [node, key, kind, status]);
  dept[key] = row!.id;
}

beforeAll(async () => {
  await buildSmallCity(t.db);
  await addDepartment('惠城区城管局', TREE.districtA, 'urban_management');
  await addDepartment('桥东司法所', TREE.streetA, 'justice');
  await addDepartment('已撤销司法所', TREE.districtA, 'justice', 'retired');
  [admin, districtAdmin, gridWorker, resident] = await Promise.all([
    clientAs(t, 'administrator', TREE.city),
    clientAs(t, 'administrator', TREE.districtA),
    clientAs(t, 'grid_worker', TREE.gridA1),
    clientAs(t, 'resident', TREE.gridA1),
  ]);
});

const fieldsOf = (res: { json(): { fields?: { field: string }[] } }) => (res.json().fields ?? []).map((f) => f.field);

async function create(c: Client, body: Record<string, unknown>): Promise<number> {
  const res = await c.post('/api/responsibility', body);
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

describe('responsibility list CRUD', () => {
  const body = { nodeCode: TREE.districtA, categoryCode: 'city_env', handlingLevel: 'street', lead: { type: 'department', departmentKind: 'urban_management' }, coHandlers: ['police'], deadlines: D, autoDispatch: true, note: '城管主办' };

  it('401 without a session; 403 for roles without the permission', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/responsibility' })).statusCode).toBe(401);
    expect((await resident.get('/api/responsibility')).statusCode).toBe(403);
    expect((await gridWorker.post('/api/responsibility', body)).statusCode).toBe(403);
  });

  it('404 naming nodeCode for a node outside the caller\'s subtree (or missing)', async () => {
    for (const nodeCode of [TREE.districtB, TREE.city, '441302999']) {
      const res = await districtAdmin.post('/api/responsibility', { ...body, nodeCode });
      expect(res.statusCode, nodeCode).toBe(404);
      expect(fieldsOf(res)).toEqual(['nodeCode']);
    }
  });

  it('400 naming the field for bad input', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...body, nodeCode: 'x' }, 'nodeCode'],
      [{ ...body, categoryCode: 'city_env.nothing' }, 'categoryCode'],
      [{ ...body, handlingLevel: 'planet' }, 'handlingLevel'],
      [{ ...body, lead: { type: 'department' } }, 'lead.departmentKind'],
      [{ ...body, lead: { type: 'department', departmentKind: 'wizards' } }, 'lead.departmentKind'],
      [{ ...body, lead: { type: 'node_office', departmentKind: 'police' } }, 'lead.departmentKind'],
      [{ ...body, lead: { type: 'grid_worker' } }, 'lead.type'],
      [{ ...body, lead: { type: 'mayor' } }, 'lead.type'],
      [{ ...body, coHandlers: ['wizards'] }, 'coHandlers.0'],
      [{ ...body, coHandlers: ['urban_management'] }, 'coHandlers'],
      [{ ...body, deadlines: { ...D, accept: { amount: 0, unit: 'hours' } } }, 'deadlines.accept.amount'],
      [{ ...body, deadlines: { ...D, handle: { amount: 90, unit: 'workdays' } } }, 'deadlines.handle.amount'],
      [{ ...body, deadlines: { ...D, accept: { amount: 3, unit: 'workdays' } } }, 'deadlines.accept'],
      [{ ...body, deadlines: { accept: D.accept, sign: D.sign } }, 'deadlines.handle'],
      [{ ...body, owner: 'me' }, 'owner'],
    ];
    for (const [b, field] of cases) {
      const res = await districtAdmin.post('/api/responsibility', b);
      expect(res.statusCode, field).toBe(400);
      expect(fieldsOf(res), field).toContain(field);
    }
    expect(await t.db.query('SELECT 1 FROM responsibility_entries')).toHaveLength(0);
  });

  it('creates, lists, changes and deletes an entry, each with its audit row; 409 names the existing entry', async () => {
    const res = await districtAdmin.post('/api/responsibility', body);
    expect(res.statusCode).toBe(201);
    const e = res.json();
    expect(e).toMatchObject({ nodeCode: TREE.districtA, nodeName: '惠城区', categoryCode: 'city_env', categoryNameZh: '市容环境', handlingLevel: 'street', lead: body.lead, coHandlers: ['police'], deadlines: D, autoDispatch: true, note: '城管主办', canManage: true });
    const [row] = await t.db.query<Record<string, unknown>>(`SELECT city_code, node_path::text AS node_path, category_path::text AS category_path, updated_by FROM responsibility_entries WHERE id = $1`, [e.id]);
    expect(row).toEqual({ city_code: '4413', node_path: P.districtA, category_path: 'city_env', updated_by: districtAdmin.userId });

    const dup = await districtAdmin.post('/api/responsibility', { ...body, handlingLevel: 'district' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().details.existingEntryId).toBe(e.id);
    expect(dup.json().message).toContain(`#${e.id}`);

    const upd = await districtAdmin.patch(`/api/responsibility/${e.id}`, { handlingLevel: 'district', coHandlers: [], note: null });
    expect(upd.statusCode).toBe(200);
    expect(upd.json()).toMatchObject({ handlingLevel: 'district', coHandlers: [], note: null, lead: body.lead, deadlines: D });
    const bad = await districtAdmin.patch(`/api/responsibility/${e.id}`, { lead: { type: 'grid_worker' } });
    expect(fieldsOf(bad)).toEqual(['lead.type']);
    expect(fieldsOf(await districtAdmin.patch(`/api/responsibility/${e.id}`, {}))).toEqual(['body']);

    expect((await districtAdmin.delete(`/api/responsibility/${e.id}`)).statusCode).toBe(204);
    expect(await t.db.query('SELECT 1 FROM responsibility_entries WHERE id = $1', [e.id])).toHaveLength(0);
    expect((await districtAdmin.delete(`/api/responsibility/${e.id}`)).statusCode).toBe(404);
    const audit = await t.db.query<{ action: string; actor_id: string; city_code: string }>(
      `SELECT action, actor_id, city_code FROM audit_log WHERE resource = 'responsibility_entries' AND resource_id = $1 ORDER BY id`,
      [String(e.id)],
    );
    expect(audit.map((a) => a.action)).toEqual(['responsibility.create', 'responsibility.update', 'responsibility.delete']);
    expect(audit.every((a) => a.actor_id === districtAdmin.userId && a.city_code === '4413')).toBe(true);
  });

  it('scope: entries above are visible but not editable (403), entries elsewhere are invisible (404)', async () => {
    const cityEntry = await create(admin, { nodeCode: TREE.city, categoryCode: 'street_order', handlingLevel: 'street', lead: { type: 'node_office' } });
    const otherDistrict = await create(admin, { nodeCode: TREE.districtB, categoryCode: 'street_order', handlingLevel: 'community', lead: { type: 'node_office' } });
    const mine = await create(districtAdmin, { nodeCode: TREE.streetA, categoryCode: 'street_order.mobile_vendor', handlingLevel: 'street', lead: { type: 'department', departmentKind: 'urban_management' } });
    expect((await districtAdmin.patch(`/api/responsibility/${cityEntry}`, { autoDispatch: true })).statusCode).toBe(403);
    expect((await districtAdmin.delete(`/api/responsibility/${cityEntry}`)).statusCode).toBe(403);
    expect((await districtAdmin.patch(`/api/responsibility/${otherDistrict}`, { autoDispatch: true })).statusCode).toBe(404);
    expect((await districtAdmin.get(`/api/responsibility/${otherDistrict}`)).statusCode).toBe(404);

    const seen = (await gridWorker.get('/api/responsibility')).json();
    const ids = seen.items.map((e: { id: number }) => e.id);
    expect(ids).toEqual(expect.arrayContaining([cityEntry, mine]));
    expect(ids).not.toContain(otherDistrict);
    expect(seen.items.every((e: { canManage: boolean }) => !e.canManage)).toBe(true);
    const forDistrict = (await districtAdmin.get('/api/responsibility')).json().items as { id: number; canManage: boolean }[];
    expect(forDistrict.find((e) => e.id === cityEntry)!.canManage).toBe(false);
    expect(forDistrict.find((e) => e.id === mine)!.canManage).toBe(true);

    const byCategory = (await admin.get('/api/responsibility?category=street_order.mobile_vendor')).json().items.map((e: { id: number }) => e.id);
    expect(byCategory.sort()).toEqual([cityEntry, otherDistrict, mine].sort());
    const byNode = (await admin.get(`/api/responsibility?node=${TREE.communityB1}&category=street_order`)).json();
    expect(byNode.items.map((e: { id: number }) => e.id).sort()).toEqual([cityEntry, otherDistrict].sort());
    expect(byNode.total).toBe(2);
    expect((await districtAdmin.get(`/api/responsibility?node=${TREE.communityB1}`)).statusCode).toBe(404);
    expect(fieldsOf(await admin.get('/api/responsibility?category=nothing'))).toEqual(['category']);
    expect(fieldsOf(await admin.get('/api/responsibility?limit=0'))).toEqual(['limit']);
    for (const id of [cityEntry, otherDistrict]) await admin.delete(`/api/responsibility/${id}`);
    await districtAdmin.delete(`/api/responsibility/${mine}`);
  });
});

describe('where a case goes (explain and routeFor)', () => {
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    ids.cityDispute = await create(admin, { nodeCode: TREE.city, categoryCode: 'dispute', handlingLevel: 'community', lead: { type: 'node_office' }, deadlines: D });
    ids.cityNeighbour = await create(admin, { nodeCode: TREE.city, categoryCode: 'dispute.neighbour', handlingLevel: 'grid', lead: { type: 'grid_worker' }, autoDispatch: true });
    ids.districtDispute = await create(admin, { nodeCode: TREE.districtA, categoryCode: 'dispute', handlingLevel: 'street', lead: { type: 'department', departmentKind: 'justice' }, coHandlers: ['police'] });
    ids.cityEnv = await create(admin, { nodeCode: TREE.city, categoryCode: 'city_env', handlingLevel: 'street', lead: { type: 'department', departmentKind: 'urban_management' } });
  });
  const explain = (c: Client, qs: string) => c.get(`/api/responsibility/explain?${qs}`);

  it('the deepest node beats a more specific category higher up; the department is found at the handling node', async () => {
    const res = await explain(gridWorker, `category=dispute.neighbour&node=${TREE.gridA1}`);
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({
      source: 'entry',
      entry: { id: ids.districtDispute, nodeCode: TREE.districtA },
      handlingLevel: 'street',
      handlingNodeCode: TREE.streetA,
      handlingNodeName: '桥东街道',
      lead: { type: 'department', departmentKind: 'justice' },
      leadDepartment: { id: dept['桥东司法所'], name: '桥东司法所' },
      coHandlers: ['police'],
      autoDispatch: false,
    });
    expect(r.alsoMatched.map((e: { id: number }) => e.id)).toEqual([ids.cityNeighbour, ids.cityDispute]);
    expect(r.explanation).toMatch(new RegExp(`Entry #${ids.districtDispute}.*most specific of 3`));
  });

  it('at the same node the most specific category wins', async () => {
    const r = (await explain(admin, `category=dispute.neighbour&node=${TREE.communityB1}`)).json();
    expect(r).toMatchObject({ source: 'entry', entry: { id: ids.cityNeighbour }, handlingLevel: 'grid', handlingNodeCode: TREE.communityB1, lead: { type: 'grid_worker' }, leadDepartment: null, autoDispatch: true });
    expect(r.alsoMatched.map((e: { id: number }) => e.id)).toEqual([ids.cityDispute]);
    expect(r.explanation).toMatch(/placed above the grid level/);
    const family = (await explain(admin, `category=dispute.family.support&node=${TREE.communityB1}`)).json();
    expect(family).toMatchObject({ entry: { id: ids.cityDispute }, deadlines: D, handlingNodeCode: TREE.communityB1 });
  });

  it('a department is found at the nearest ancestor of the handling node; retired ones are skipped', async () => {
    const r = (await explain(gridWorker, `category=city_env.exposed_garbage&node=${TREE.gridA1}`)).json();
    expect(r).toMatchObject({ handlingNodeCode: TREE.streetA, leadDepartment: { id: dept['惠城区城管局'], nodeCode: TREE.districtA } });
    expect(r.explanation).toMatch(/nearest above/);
    // The street's justice office handles disputes in district A; one level up (the district) only a retired one exists.
    const route = await routeFor(t.db, 'dispute.family', P.districtA);
    expect(route).toMatchObject({ source: 'entry', entryId: ids.districtDispute, handlingNodeCode: TREE.districtA, leadDepartmentId: null });
    expect(route.explanation).toMatch(/No active justice department at or above node 441302/);
  });

  it('falls back to the category defaults when no entry matches', async () => {
    const r = (await explain(gridWorker, `category=facility.street_light&node=${TREE.gridA1}`)).json();
    expect(r).toMatchObject({
      source: 'category_default',
      entry: null,
      handlingLevel: 'district',
      handlingNodeCode: TREE.districtA,
      handlingNodeName: '惠城区',
      lead: { type: 'department', departmentKind: 'urban_management' },
      leadDepartment: { id: dept['惠城区城管局'] },
      coHandlers: [],
      deadlines: { accept: { amount: 2, unit: 'hours' }, handle: { amount: 72, unit: 'hours' } },
      autoDispatch: false,
      alsoMatched: [],
    });
    expect(r.explanation).toMatch(/No responsibility entry covers category facility.street_light/);
    const grid = await routeFor(t.db, 'advertising.small_ads', P.gridA1);
    expect(grid).toMatchObject({ source: 'category_default', entryId: null, handlingLevel: 'grid', handlingNodeCode: TREE.gridA1, lead: { type: 'grid_worker' }, leadDepartmentId: null });
    const office = await routeFor(t.db, 'wish.study', P.gridA1);
    expect(office).toMatchObject({ handlingLevel: 'community', handlingNodeCode: '441302001001', lead: { type: 'node_office' }, deadlines: { handle: { amount: 30, unit: 'workdays' } } });
    const nowhere = await routeFor(t.db, 'wish.study', '');
    expect(nowhere).toMatchObject({ source: 'category_default', handlingNodeCode: '', leadDepartmentId: null });
  });

  it('routeFor refuses an unknown or inactive category, naming categoryCode', async () => {
    for (const code of ['nothing', 'dispute.labour.contract']) {
      if (code !== 'nothing') await t.db.query(`UPDATE categories SET active = false WHERE code = $1`, [code]);
      const err = await routeFor(t.db, code, P.gridA1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('VALIDATION_FAILED');
      expect((err as AppError).fields?.[0]?.field).toBe('categoryCode');
    }
    const res = await explain(admin, `category=dispute.labour.contract&node=${TREE.gridA1}`);
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res)).toEqual(['category']);
    await t.db.query(`UPDATE categories SET active = true WHERE code = 'dispute.labour.contract'`);
  });

  it('explains a point: located to the deepest node, GCJ-02 and BD-09 converted first', async () => {
    const wgs: [number, number] = [114.198, 22.95];
    const gcj = gcoord.transform(wgs, gcoord.WGS84, gcoord.GCJ02) as [number, number];
    expect(gcj[0]).toBeGreaterThan(114.2); // read as WGS-84 it would fall in the next grid
    const asGcj = (await explain(gridWorker, `category=city_env.noise&lng=${gcj[0]}&lat=${gcj[1]}&crs=gcj02`)).json();
    expect(asGcj).toMatchObject({ node: { code: TREE.gridA1 }, entry: { id: ids.cityEnv }, handlingNodeCode: TREE.streetA });
    const bd = gcoord.transform(wgs, gcoord.WGS84, gcoord.BD09) as [number, number];
    expect((await explain(gridWorker, `category=city_env.noise&lng=${bd[0]}&lat=${bd[1]}&crs=bd09`)).json().node.code).toBe(TREE.gridA1);
    const asWgs = (await explain(admin, `category=city_env.noise&lng=${gcj[0]}&lat=${gcj[1]}`)).json();
    expect(asWgs.node.code).toBe(TREE.gridA2);
    // The same point is outside the grid worker's grid: 404, as is a point in no node at all.
    expect((await explain(gridWorker, `category=city_env.noise&lng=${gcj[0]}&lat=${gcj[1]}`)).statusCode).toBe(404);
    const sea = await explain(admin, 'category=city_env.noise&lng=120&lat=10');
    expect(sea.statusCode).toBe(404);
    expect(fieldsOf(sea)).toEqual(['lng']);
  });

  it('explain: 401, 403 for a resident, 404 out of scope, 400 naming the field', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/responsibility/explain?category=dispute&node=${TREE.gridA1}` })).statusCode).toBe(401);
    expect((await explain(resident, `category=dispute&node=${TREE.gridA1}`)).statusCode).toBe(403);
    const out = await explain(districtAdmin, `category=dispute&node=${TREE.communityB1}`);
    expect(out.statusCode).toBe(404);
    expect(fieldsOf(out)).toEqual(['node']);
    const cases: [string, string][] = [
      [`node=${TREE.gridA1}`, 'category'],
      [`category=nothing&node=${TREE.gridA1}`, 'category'],
      ['category=dispute', 'node'],
      [`category=dispute&node=${TREE.gridA1}&lng=114.1&lat=22.9`, 'node'],
      ['category=dispute&lng=114.1', 'lat'],
      ['category=dispute&lat=22.9', 'lng'],
      ['category=dispute&lng=200&lat=22.9', 'lng'],
      ['category=dispute&lng=114.1&lat=22.9&crs=mars', 'crs'],
    ];
    for (const [qs, field] of cases) {
      const res = await explain(admin, qs);
      expect(res.statusCode, qs).toBe(400);
      expect(fieldsOf(res), qs).toContain(field);
    }
  });
});

describe('calendar overrides', () => {
  it('lists for readers; only a city-level administrator changes them; 400 naming the day; the calendar follows', async () => {
    expect((await gridWorker.get('/api/responsibility/calendar-overrides')).json()).toEqual({ items: [] });
    const body = { set: [{ day: '2031-10-01', isWorkday: false, name: '国庆节' }, { day: '2031-10-11', isWorkday: true, name: '国庆调休' }] };
    expect((await gridWorker.request('PUT', '/api/responsibility/calendar-overrides', body)).statusCode).toBe(403);
    expect((await districtAdmin.request('PUT', '/api/responsibility/calendar-overrides', body)).statusCode).toBe(403);
    const bad: [Record<string, unknown>, string][] = [
      [{ set: [{ day: '2031-02-30', isWorkday: false }] }, 'set.0.day'],
      [{ set: [{ day: '2031/10/01', isWorkday: false }] }, 'set.0.day'],
      [{ set: [body.set[0], body.set[0]] }, 'set.1.day'],
      [{ set: [body.set[0]], remove: ['2031-10-01'] }, 'remove.0'],
      [{}, 'body'],
    ];
    for (const [b, field] of bad) {
      const res = await admin.request('PUT', '/api/responsibility/calendar-overrides', b);
      expect(res.statusCode, field).toBe(400);
      expect(fieldsOf(res), field).toContain(field);
    }
    const res = await admin.request('PUT', '/api/responsibility/calendar-overrides', body);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      { day: '2031-10-01', isWorkday: false, name: '国庆节' },
      { day: '2031-10-11', isWorkday: true, name: '国庆调休' },
    ]);
    let cal = await loadCalendar(t.db);
    expect(cal.isWorkday('2031-10-01')).toBe(false); // a Wednesday
    expect(cal.isWorkday('2031-10-11')).toBe(true); // a Saturday
    await admin.request('PUT', '/api/responsibility/calendar-overrides', { remove: ['2031-10-11'] });
    cal = await loadCalendar(t.db);
    expect(cal.isWorkday('2031-10-11')).toBe(false);
    expect((await admin.get('/api/responsibility/calendar-overrides?from=2031-10-02')).json().items).toEqual([]);
    const audit = await t.db.query<{ detail: { removed: string[] } }>(`SELECT detail FROM audit_log WHERE action = 'calendar.update' ORDER BY id`);
    expect(audit).toHaveLength(2);
    expect(audit[1]!.detail.removed).toEqual(['2031-10-11']);
  });
});
