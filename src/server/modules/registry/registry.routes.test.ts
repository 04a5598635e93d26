import { beforeAll, describe, expect, it } from 'vitest';
import { clientAs, buildSmallCity, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { makeIdNumber } from '../../../domain/id-number.js';

const t = useTestApp();
let admin: Client;
let gwA1: Client;
let gwA2: Client;
let secretaryA1: Client;
let leader: Client;
let department: Client;

const ID_1 = makeIdNumber('441302', '1948-05-12', 123); // male, elderly
const ID_2 = makeIdNumber('441302', '1990-07-01', 246); // female
const PHONE_1 = '13912345678';

beforeAll(async () => {
  await buildSmallCity(t.db);
  const [d] = await t.db.query<{ id: number }>(`INSERT INTO departments (city_code, node_code, name, kind) VALUES ('4413', $1, '惠城区民政局', 'civil_affairs') RETURNING id`, [TREE.districtA]);
  admin = await clientAs(t, 'administrator', TREE.city);
  gwA1 = await clientAs(t, 'grid_worker', TREE.gridA1);
  gwA2 = await clientAs(t, 'grid_worker', TREE.gridA2);
  secretaryA1 = await clientAs(t, 'community_secretary', TREE.communityA1);
  leader = await clientAs(t, 'leader', TREE.city);
  department = await clientAs(t, 'department_staff', TREE.districtA, { departmentId: d!.id });
});

let householdA1: number;
let householdA2: number;
let residentId: number;

describe('households', () => {
  it('401 without a session', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/registry/households' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/registry/residents/search', payload: { name: '张' } })).statusCode).toBe(401);
  });

  it('a department sees no households or residents', async () => {
    expect((await department.get('/api/registry/households')).statusCode).toBe(403);
    expect((await department.get('/api/registry/residents')).statusCode).toBe(403);
    expect((await department.post('/api/registry/residents/search', { name: '张' })).statusCode).toBe(403);
  });

  it('404 for a grid outside the caller\'s scope, 403 for a role that may only read', async () => {
    const res = await gwA2.post('/api/registry/households', { nodeCode: TREE.gridA1, address: '东平路1号' });
    expect(res.statusCode).toBe(404);
    expect(res.json().fields[0].field).toBe('nodeCode');
    expect((await leader.post('/api/registry/households', { nodeCode: TREE.gridA1, address: '东平路1号' })).statusCode).toBe(403);
  });

  it('400 naming the field for bad input', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ nodeCode: TREE.gridA1 }, 'address'],
      [{ nodeCode: TREE.gridA1, address: '' }, 'address'],
      [{ nodeCode: TREE.gridA1, address: 'x', extra: 1 }, 'extra'],
      [{ nodeCode: TREE.gridA1, address: '东平路1号', lng: 114.1 }, 'lat'],
    ];
    for (const [body, field] of cases) {
      const res = await gwA1.post('/api/registry/households', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.json().fields ?? res.json()), JSON.stringify(body)).toContain(field);
    }
    // A community is in the secretary's scope but is not a grid.
    const division = await secretaryA1.post('/api/registry/households', { nodeCode: TREE.communityA1, address: '东平路1号' });
    expect(division.statusCode).toBe(400);
    expect(division.json().fields[0].field).toBe('nodeCode');
  });

  it('registers households in the grid worker\'s grid; one active household per address', async () => {
    const res = await gwA1.post('/api/registry/households', { nodeCode: TREE.gridA1, address: '东平路1号 幸福小区', building: '3栋', unit: '2单元', room: '1201', lng: 114.15, lat: 22.95 });
    expect(res.statusCode).toBe(201);
    const h = res.json();
    expect(h).toMatchObject({ nodeCode: TREE.gridA1, address: '东平路1号 幸福小区', building: '3栋', memberCount: 0, lng: 114.15, lat: 22.95, abilities: { update: true, reveal: true } });
    householdA1 = h.id;
    const [row] = await t.db.query<{ node_path: string; address_key: string }>(`SELECT node_path::text AS node_path, address_key FROM households WHERE id = $1`, [h.id]);
    expect(row).toEqual({ node_path: `44.4413.441302.441302001.441302001001.${TREE.gridA1}`, address_key: '东平路1号幸福小区|3栋|2单元|1201' });
    const again = await gwA1.post('/api/registry/households', { nodeCode: TREE.gridA1, address: '东平路1号  幸福小区', building: '３栋', unit: '2单元', room: '1201' });
    expect(again.statusCode).toBe(409);
    const audit = await t.db.query(`SELECT 1 FROM audit_log WHERE action = 'household.create' AND resource_id = $1`, [String(h.id)]);
    expect(audit).toHaveLength(1);
    householdA2 = (await gwA2.post('/api/registry/households', { nodeCode: TREE.gridA2, address: '西湖路8号' })).json().id;
  });

  it('lists only the caller\'s part of the tree', async () => {
    const mine = (await gwA1.get('/api/registry/households')).json();
    expect(mine.items.map((h: { id: number }) => h.id)).toEqual([householdA1]);
    expect((await gwA2.get(`/api/registry/households/${householdA1}`)).statusCode).toBe(404);
    expect((await secretaryA1.get('/api/registry/households')).json().total).toBe(1);
    expect((await leader.get('/api/registry/households')).json().total).toBe(2);
    expect((await gwA1.get(`/api/registry/households?node=${TREE.communityA2}`)).statusCode).toBe(404);
    expect((await leader.get(`/api/registry/households?node=${TREE.communityA2}`)).json().items.map((h: { id: number }) => h.id)).toEqual([householdA2]);
  });
});

describe('residents and personal data', () => {
  it('400 for a bad ID number, naming the field and the problem', async () => {
    const bad = ID_1.slice(0, 17) + (ID_1[17] === '1' ? '2' : '1');
    const res = await gwA1.post('/api/registry/residents', { householdId: householdA1, name: '张建国', idNumber: bad });
    expect(res.statusCode).toBe(400);
    expect(res.json().fields).toEqual([{ field: 'idNumber', reason: 'the check digit is wrong' }]);
    const mismatch = await gwA1.post('/api/registry/residents', { householdId: householdA1, name: '张建国', idNumber: ID_1, birthDate: '1950-01-01' });
    expect(mismatch.json().fields[0].field).toBe('birthDate');
    expect((await gwA1.post('/api/registry/residents', { householdId: householdA1, name: '张建国', tags: ['wizard'] })).statusCode).toBe(400);
    expect((await gwA2.post('/api/registry/residents', { householdId: householdA1, name: '张建国' })).statusCode).toBe(404);
  });

  it('stores ID numbers and phones encrypted, hashed and masked; no plaintext in the table', async () => {
    const res = await gwA1.post('/api/registry/residents', {
      householdId: householdA1, name: '张建国', idNumber: ID_1.toLowerCase(), phone: PHONE_1, relation: 'head', tags: ['elderly_alone', 'community_correction'], volunteer: true,
    });
    expect(res.statusCode).toBe(201);
    const r = res.json();
    residentId = r.id;
    expect(r).toMatchObject({ name: '张建国', gender: 'male', birthDate: '1948-05-12', idNumber: `${ID_1.slice(0, 3)}***********${ID_1.slice(-4)}`, phone: '139****5678', tags: ['elderly_alone', 'community_correction'], volunteer: true });
    const [raw] = await t.db.query<Record<string, unknown>>(`SELECT * FROM residents WHERE id = $1`, [r.id]);
    const text = JSON.stringify(raw);
    expect(text).not.toContain(ID_1);
    expect(text).not.toContain(ID_1.slice(6, 14)); // not even the birth-date digits
    expect(text).not.toContain(PHONE_1);
    expect(text).not.toContain(PHONE_1.slice(3, 7));
    expect(t.deps.pd.decrypt(String(raw!.id_number_enc))).toBe(ID_1);
    expect(t.deps.pd.decrypt(String(raw!.phone_enc))).toBe(PHONE_1);
    expect(raw!.id_number_hash).toBe(t.deps.pd.hash(ID_1));
    // Every other text column of the table is free of the number too.
    const audit = await t.db.query<{ detail: unknown }>(`SELECT detail FROM audit_log WHERE resource = 'residents'`);
    expect(JSON.stringify(audit)).not.toContain(ID_1);
    const dup = await gwA1.post('/api/registry/residents', { householdId: householdA1, name: '张三', idNumber: ID_1, phone: PHONE_1 });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().fields[0].field).toBe('idNumber');
    // Refused writes and searches are logged without the number itself.
    await gwA1.post('/api/registry/residents/search', { idNumber: ID_1 });
    await new Promise((r) => setTimeout(r, 200)); // the audit plugin writes after the response
    const failed = await t.db.query<{ detail: unknown }>(`SELECT detail FROM audit_log WHERE action LIKE 'POST /api/registry/residents%'`);
    expect(failed.length).toBeGreaterThan(0);
    expect(JSON.stringify(failed)).not.toContain(ID_1);
    expect(JSON.stringify(failed)).not.toContain(PHONE_1);
  });

  it('hides sensitive tags from those who may not reveal', async () => {
    const seen = (await leader.get(`/api/registry/residents/${residentId}`)).json();
    expect(seen.tags).toEqual(['elderly_alone']);
    expect(seen.abilities.reveal).toBe(false);
    expect((await leader.get('/api/registry/residents?tag=community_correction')).json().total).toBe(0);
    expect((await gwA1.get('/api/registry/residents?tag=community_correction')).json().total).toBe(1);
    // An edit by someone who never saw the tag keeps it.
    await gwA1.patch(`/api/registry/residents/${residentId}`, { actualResidence: '东平路1号' });
    const [row] = await t.db.query<{ tags: string[] }>(`SELECT tags FROM residents WHERE id = $1`, [residentId]);
    expect(row!.tags).toEqual(['elderly_alone', 'community_correction']);
  });

  it('finds residents by ID number and phone through the keyed hash, and by name within the subtree', async () => {
    await gwA1.post('/api/registry/residents', { householdId: householdA1, name: '李秀英', idNumber: ID_2, relation: 'spouse' });
    const byId = (await gwA1.post('/api/registry/residents/search', { idNumber: ID_2 })).json();
    expect(byId.items.map((r: { name: string }) => r.name)).toEqual(['李秀英']);
    expect((await gwA1.post('/api/registry/residents/search', { phone: PHONE_1 })).json().items[0].id).toBe(residentId);
    expect((await gwA1.post('/api/registry/residents/search', { name: '张' })).json().items.map((r: { id: number }) => r.id)).toEqual([residentId]);
    // Out of scope: the same number finds nothing for the other grid's worker.
    expect((await gwA2.post('/api/registry/residents/search', { idNumber: ID_2 })).json().total).toBe(0);
    expect((await gwA1.post('/api/registry/residents/search', { idNumber: '123' })).statusCode).toBe(400);
    expect((await gwA1.post('/api/registry/residents/search', {})).statusCode).toBe(400);
    const h = (await gwA1.get(`/api/registry/households/${householdA1}`)).json();
    expect(h.residents.map((r: { name: string }) => r.name)).toEqual(['张建国', '李秀英']);
    expect(h.memberCount).toBe(2);
    expect(h.headName).toBe('张建国');
  });

  it('reveals with a reason, only with resident.reveal, and logs who, when and why', async () => {
    expect((await t.app.inject({ method: 'POST', url: `/api/registry/residents/${residentId}/reveal`, payload: { reason: 'x' } })).statusCode).toBe(401);
    expect((await gwA2.post(`/api/registry/residents/${residentId}/reveal`, { reason: '核实身份' })).statusCode).toBe(404);
    expect((await leader.post(`/api/registry/residents/${residentId}/reveal`, { reason: '核实身份' })).statusCode).toBe(403);
    expect((await gwA1.post(`/api/registry/residents/${residentId}/reveal`, {})).statusCode).toBe(400);
    const res = await gwA1.post(`/api/registry/residents/${residentId}/reveal`, { reason: '上门走访核实身份' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ idNumber: ID_1, phone: PHONE_1 });
    const rows = await t.db.query<{ actor_id: string; detail: { reason: string }; at: Date; result: string }>(
      `SELECT actor_id, detail, at, result FROM audit_log WHERE action = 'resident.reveal' AND resource_id = $1`,
      [String(residentId)],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: gwA1.userId, detail: { reason: '上门走访核实身份' }, result: 'ok' });
    expect(rows[0]!.at).toBeInstanceOf(Date);
  });

  it('moves a resident between households with history', async () => {
    expect((await gwA1.post(`/api/registry/residents/${residentId}/move`, { toHouseholdId: householdA2 })).statusCode).toBe(404);
    const res = await admin.post(`/api/registry/residents/${residentId}/move`, { toHouseholdId: householdA2, relation: 'head', note: '搬到西湖路' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ householdId: householdA2, nodeCode: TREE.gridA2, relation: 'head', moves: [{ fromHouseholdId: householdA1, toHouseholdId: householdA2, fromNodeCode: TREE.gridA1, toNodeCode: TREE.gridA2, note: '搬到西湖路' }] });
    const [row] = await t.db.query<{ node_code: string; node_path: string }>(`SELECT node_code, node_path::text AS node_path FROM residents WHERE id = $1`, [residentId]);
    expect(row!.node_code).toBe(TREE.gridA2);
    expect(row!.node_path.endsWith(TREE.gridA2)).toBe(true);
    expect((await gwA1.get(`/api/registry/residents/${residentId}`)).statusCode).toBe(404);
    expect((await gwA2.get(`/api/registry/residents/${residentId}`)).statusCode).toBe(200);
  });

  it('moves a household with its members to another grid, with history', async () => {
    expect((await gwA1.post(`/api/registry/households/${householdA1}/move`, { toNodeCode: TREE.gridA2 })).statusCode).toBe(404);
    expect((await admin.post(`/api/registry/households/${householdA1}/move`, { toNodeCode: TREE.gridA1 })).statusCode).toBe(400);
    const res = await admin.post(`/api/registry/households/${householdA1}/move`, { toNodeCode: TREE.gridA2, note: '网格调整' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ nodeCode: TREE.gridA2, moves: [{ fromNodeCode: TREE.gridA1, toNodeCode: TREE.gridA2, note: '网格调整' }] });
    const members = await t.db.query<{ node_code: string }>(`SELECT node_code FROM residents WHERE household_id = $1`, [householdA1]);
    expect(members.map((m) => m.node_code)).toEqual([TREE.gridA2]);
    expect((await t.db.query(`SELECT 1 FROM household_moves WHERE household_id = $1`, [householdA1])).length).toBe(1);
    expect((await gwA1.get(`/api/registry/households/${householdA1}`)).statusCode).toBe(404);
  });
});

describe('places and things', () => {
  let placeId: number;
  let thingId: number;

  it('registers places and things; a dispatcher reads them; a grid worker of another grid does not', async () => {
    const p = await gwA1.post('/api/registry/places', { nodeCode: TREE.gridA1, kind: 'school', name: '东平小学', address: '东平路20号', specialNodeCode: TREE.gridA1, phone: '0752-2345678', lng: 114.12, lat: 22.93 });
    expect(p.statusCode).toBe(201);
    placeId = p.json().id;
    expect(p.json()).toMatchObject({ kind: 'school', phone: '075****5678' });
    expect((await gwA1.post('/api/registry/places', { nodeCode: TREE.gridA1, kind: 'school', name: '东平 小学', address: '东平路20号' })).statusCode).toBe(409);
    expect((await gwA1.post('/api/registry/places', { nodeCode: TREE.gridA1, kind: 'castle', name: 'x' })).statusCode).toBe(400);
    const th = await gwA1.post('/api/registry/things', { nodeCode: TREE.gridA1, kind: 'street_light', name: '东平路路灯12号', code: 'LD-0012', placeId, lng: 114.13, lat: 22.94 });
    expect(th.statusCode).toBe(201);
    thingId = th.json().id;
    expect(th.json()).toMatchObject({ categoryCode: 'facility.street_light', state: 'normal', code: 'LD-0012', placeId });
    expect((await gwA1.post('/api/registry/things', { nodeCode: TREE.gridA1, kind: 'manhole', name: 'x', code: 'LD-0012' })).statusCode).toBe(409);
    expect((await gwA1.post('/api/registry/things', { nodeCode: TREE.gridA1, kind: 'manhole', name: 'x', categoryCode: 'no.such' })).json().fields[0].field).toBe('categoryCode');
    expect((await gwA2.get(`/api/registry/things/${thingId}`)).statusCode).toBe(404);
    const dispatcher = await clientAs(t, 'dispatcher', TREE.city);
    expect((await dispatcher.get('/api/registry/things?kind=street_light')).json().total).toBe(1);
    expect((await dispatcher.patch(`/api/registry/things/${thingId}`, { state: 'faulty' })).statusCode).toBe(403);
    expect((await gwA1.patch(`/api/registry/things/${thingId}`, { state: 'faulty' })).json().state).toBe('faulty');
    const place = (await gwA1.get(`/api/registry/places/${placeId}`)).json();
    expect(place.things.map((x: { id: number }) => x.id)).toEqual([thingId]);
  });

  it('a thing\'s page lists the cases linked to it', async () => {
    const [c] = await t.db.query<{ id: number }>(
      `INSERT INTO cases (city_code, number, status, channel, category_code, category_path, description, node_code, node_path)
       VALUES ('4413', 'T-REG-1', 'reported', 'patrol', 'facility.street_light', 'facility.street_light', '路灯不亮', $1, $2::ltree) RETURNING id`,
      [TREE.gridA1, `44.4413.441302.441302001.441302001001.${TREE.gridA1}`],
    );
    expect((await gwA2.post(`/api/registry/things/${thingId}/cases`, { caseId: c!.id })).statusCode).toBe(404);
    expect((await gwA1.post(`/api/registry/things/${thingId}/cases`, { caseId: 999999 })).statusCode).toBe(404);
    expect((await gwA1.post(`/api/registry/things/${thingId}/cases`, { caseId: c!.id })).statusCode).toBe(200);
    const thing = (await gwA1.get(`/api/registry/things/${thingId}`)).json();
    expect(thing.cases).toMatchObject([{ id: c!.id, number: 'T-REG-1', description: '路灯不亮', categoryName: '路灯故障' }]);
    const [row] = await t.db.query<{ thing_id: number }>(`SELECT thing_id FROM cases WHERE id = $1`, [c!.id]);
    expect(row!.thing_id).toBe(thingId);
  });

  it('tag kinds: listed for readers, intervals changed by a city administrator only', async () => {
    const kinds = (await gwA1.get('/api/registry/tag-kinds')).json();
    expect(kinds.find((k: { code: string }) => k.code === 'elderly_alone')).toMatchObject({ nameZh: '独居老人', visitEveryDays: 7, sensitive: false });
    expect((await gwA1.patch('/api/registry/tag-kinds/elderly_alone', { visitEveryDays: 3 })).statusCode).toBe(403);
    const changed = (await admin.patch('/api/registry/tag-kinds/elderly_alone', { visitEveryDays: 5 })).json();
    expect(changed.find((k: { code: string }) => k.code === 'elderly_alone').visitEveryDays).toBe(5);
    expect((await admin.patch('/api/registry/tag-kinds/nope', { visitEveryDays: 5 })).statusCode).toBe(404);
  });
});

describe('API documentation', () => {
  it('documents every registry route with a tag and a summary', async () => {
    const doc = (await t.app.inject('/docs/json')).json() as { paths: Record<string, Record<string, { tags?: string[]; summary?: string }>> };
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/registry'));
    for (const p of ['/api/registry/households', '/api/registry/residents/{id}/reveal', '/api/registry/things/{id}', '/api/registry/import', '/api/registry/export/residents']) expect(paths).toContain(p);
    for (const p of paths) for (const [method, op] of Object.entries(doc.paths[p]!)) {
      expect(op.tags?.[0], `${method} ${p}`).toMatch(/^registry/);
      expect(op.summary, `${method} ${p}`).toBeTruthy();
    }
  });
});
