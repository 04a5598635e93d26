import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';

const t = useTestApp();

let leader: Client;
let streetA: Client;
let streetB: Client;
let secretaryA1: Client;
let workerA1: Client;
let deptStaff: Client;
let resident: Client;

let seq = 0;
/** An instant given in China time (UTC+8). */
const cst = (s: string) => new Date(`${s}+08:00`);

interface Spec {
  category: string;
  text: string;
  node: string;
  at: string;
  lng?: number;
  lat?: number;
  status?: string;
  address?: string;
}

/** Inserts a case row as intake would leave it (only the columns the analysis reads matter). */
async function insertCase(s: Spec): Promise<number> {
  const [r] = await t.db.query<{ id: number }>(
    `INSERT INTO cases (city_code, number, status, channel, category_code, category_path, description, address, location, node_code, node_path, placed_by, created_at)
     SELECT '4413', $1, $2, 'h5', k.code, k.path, $3, $4,
            CASE WHEN $5::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($5::float8, $6::float8), 4326) END,
            n.code, n.path, 'given', $7
       FROM categories k, nodes n WHERE k.code = $8 AND n.code = $9
     RETURNING id`,
    [`T${String(++seq).padStart(8, '0')}`, s.status ?? 'reported', s.text, s.address ?? null, s.lng ?? null, s.lat ?? null, cst(s.at), s.category, s.node],
  );
  return r!.id;
}

const NOISE = 'city_env.noise';
const GARBAGE = 'city_env.exposed_garbage';
const LIGHT = 'facility.street_light';
const ids: Record<string, number> = {};

beforeAll(async () => {
  await buildSmallCity(t.db);
  const [d] = await t.db.query<{ id: number }>(`INSERT INTO departments (city_code, node_code, name, kind) VALUES ('4413', $1, '惠城区城管局', 'urban_management') RETURNING id`, [TREE.districtA]);
  leader = await clientAs(t, 'leader', TREE.city);
  streetA = await clientAs(t, 'street_officer', TREE.streetA);
  streetB = await clientAs(t, 'street_officer', TREE.streetB);
  secretaryA1 = await clientAs(t, 'community_secretary', TREE.communityA1);
  workerA1 = await clientAs(t, 'grid_worker', TREE.gridA1);
  deptStaff = await clientAs(t, 'department_staff', TREE.districtA, { departmentId: d!.id });
  resident = await clientAs(t, 'resident', TREE.communityA1);

  // October 2026 in street A. Renovation noise at No. 3 Xingfu Road, grid A1, one burst in the first week.
  const reno = ['幸福路3号楼楼上邻居每晚装修噪音到深夜', '幸福路3号楼装修噪音很大，深夜还在施工', '幸福路三号楼有人晚上装修，噪音扰民'];
  for (const [i, text] of reno.entries())
    ids[`reno${i}`] = await insertCase({ category: NOISE, text, node: TREE.gridA1, at: `2026-10-0${2 + i}T21:00:00`, lng: 114.15 + i * 0.0002, lat: 22.95, address: i < 2 ? '幸福路3号' : '幸福路 3号' });
  // Square dancing at the park, grid A2, 20–23 October.
  const dance = ['东湖公园广场舞音响声音太大，影响休息', '东湖公园每晚广场舞噪音扰民', '东湖公园广场舞音箱声音很大，晚上九点后还在跳'];
  for (const [i, text] of dance.entries()) ids[`dance${i}`] = await insertCase({ category: NOISE, text, node: TREE.gridA2, at: `2026-10-${20 + [0, 2, 3][i]!}T20:00:00`, lng: 114.25, lat: 23.05 + i * 0.0003 });
  // Garbage at one corner of grid A2: three reports on 5–7 October, three more on 25–27 October.
  const garbage = ['垃圾桶旁堆着建筑垃圾', '路边有人倒了一大堆装修废料', '绿化带里扔满塑料袋', '早餐店门口餐盒乱扔', '围墙边有人偷倒渣土', '菜叶果皮倒在人行道上'];
  for (const [i, text] of garbage.entries())
    ids[`garbage${i}`] = await insertCase({ category: GARBAGE, text, node: TREE.gridA2, at: `2026-10-${i < 3 ? `0${5 + i}` : 25 + i - 3}T08:00:00`, lng: 114.22 + (i % 3) * 0.0003, lat: 22.95 });
  // One-offs without a location.
  ids.market = await insertCase({ category: NOISE, text: '菜市场门口早上五点卸货噪音', node: TREE.gridA1, at: '2026-10-15T05:10:00' });
  ids.ktv = await insertCase({ category: NOISE, text: '建设路KTV深夜噪音扰民', node: TREE.gridA2, at: '2026-10-16T23:40:00', status: 'closed' });
  // 00:30 on 1 October China time is still 30 September in UTC: it counts in October.
  ids.light = await insertCase({ category: LIGHT, text: '路灯不亮', node: TREE.gridA1, at: '2026-10-01T00:30:00' });
  // Left out: a merged duplicate, a cancelled report, street B, and 00:30 on 1 November.
  await insertCase({ category: NOISE, text: reno[0]!, node: TREE.gridA1, at: '2026-10-02T21:05:00', status: 'merged' });
  await insertCase({ category: NOISE, text: reno[1]!, node: TREE.gridA1, at: '2026-10-03T09:00:00', status: 'cancelled' });
  await insertCase({ category: NOISE, text: reno[0]!, node: TREE.communityB1, at: '2026-10-03T09:00:00' });
  await insertCase({ category: LIGHT, text: '路灯不亮', node: TREE.gridA1, at: '2026-11-01T00:30:00' });
  // September, for the comparison.
  await insertCase({ category: NOISE, text: '广场舞太吵', node: TREE.gridA2, at: '2026-09-10T20:00:00' });
  await insertCase({ category: NOISE, text: '装修噪音', node: TREE.gridA1, at: '2026-09-30T23:59:00' });
  await insertCase({ category: GARBAGE, text: '垃圾满了', node: TREE.gridA2, at: '2026-09-12T08:00:00' });
});

const monthly = (c: Client, q: string) => c.get(`/api/analysis/monthly?${q}`);

describe('GET /api/analysis/monthly', () => {
  it('401 without a session; 404 outside your part of the tree; 403 for department staff and residents', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/analysis/monthly?node=${TREE.streetA}&month=2026-10` })).statusCode).toBe(401);
    const out = await monthly(streetB, `node=${TREE.streetA}&month=2026-10`);
    expect(out.statusCode).toBe(404);
    expect(out.json().code).toBe('NODE_NOT_FOUND');
    expect((await monthly(streetB, `node=99&month=2026-10`)).statusCode).toBe(404);
    const dept = await monthly(deptStaff, `node=${TREE.districtA}&month=2026-10`);
    expect(dept.statusCode).toBe(403);
    expect(dept.json().code).toBe('FORBIDDEN');
    expect((await monthly(resident, `node=${TREE.communityA1}&month=2026-10`)).statusCode).toBe(403);
  });

  it('400 naming the field for bad input', async () => {
    const bad: [string, string][] = [
      [`node=${TREE.streetA}&month=2026-13`, 'month'],
      [`node=${TREE.streetA}&month=2026-1`, 'month'],
      [`month=2026-10`, 'node'],
      [`node=abc&month=2026-10`, 'node'],
      [`node=${TREE.streetA}&month=2026-10&threshold=2`, 'threshold'],
      [`node=${TREE.streetA}&month=2026-10&radiusM=1`, 'radiusM'],
      [`node=${TREE.streetA}&month=2026-10&minGroupSize=1`, 'minGroupSize'],
      [`node=${TREE.streetA}&month=2026-10&gapDays=x`, 'gapDays'],
      [`node=${TREE.streetA}&month=2026-10&surprise=1`, 'surprise'],
    ];
    for (const [q, field] of bad) {
      const res = await monthly(leader, q);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().fields.map((f: { field: string }) => f.field), JSON.stringify(res.json())).toContain(field);
    }
  });

  it('counts the month in China time, leaves out duplicates, cancellations and other streets, compares with last month', async () => {
    const res = await monthly(leader, `node=${TREE.streetA}&month=2026-10`);
    expect(res.statusCode).toBe(200);
    const a = res.json();
    expect(a.node).toEqual({ code: TREE.streetA, name: '桥东街道', level: 'street' });
    expect(a.from).toBe('2026-09-30T16:00:00.000Z');
    expect(a.to).toBe('2026-10-31T16:00:00.000Z');
    expect(a.totals).toEqual({ cases: 15, previousMonth: 3, located: 12, analysed: 15 });
    expect(a.truncated).toBe(false);
    expect(a.topCategories.map((c: { code: string; count: number; previousCount: number }) => [c.code, c.count, c.previousCount])).toEqual([
      [NOISE, 8, 2],
      [GARBAGE, 6, 1],
      [LIGHT, 1, 0],
    ]);
    expect(a.topCategories[0]).toMatchObject({ nameZh: '噪声扰民', share: 8 / 15 });
    expect(a.topPlaces.map((p: { code: string; count: number; previousCount: number }) => [p.code, p.count, p.previousCount])).toEqual([
      [TREE.gridA2, 10, 2],
      [TREE.gridA1, 5, 1],
    ]);
    // "幸福路3号" and "幸福路 3号" are one address.
    expect(a.topAddresses).toEqual([{ address: '幸福路 3号', count: 3 }]);
  });

  it('hot spots: clusters by place, split by time (the garbage corner had two bursts)', async () => {
    const a = (await monthly(leader, `node=${TREE.streetA}&month=2026-10`)).json();
    const spots = a.hotSpots.map((h: { caseIds: number[] }) => [...h.caseIds].sort((x, y) => x - y));
    const want = [
      ['reno0', 'reno1', 'reno2'],
      ['garbage0', 'garbage1', 'garbage2'],
      ['dance0', 'dance1', 'dance2'],
      ['garbage3', 'garbage4', 'garbage5'],
    ].map((k) => k.map((x) => ids[x]!).sort((x, y) => x - y));
    expect(spots).toEqual(want);
    const reno = a.hotSpots[0];
    expect(reno).toMatchObject({ count: 3, from: cst('2026-10-02T21:00:00').toISOString(), to: cst('2026-10-04T21:00:00').toISOString() });
    expect(reno.lng).toBeCloseTo(114.1502, 6);
    expect(reno.radiusM).toBeGreaterThan(19);
    expect(reno.radiusM).toBeLessThan(22); // 0.0002° of longitude at 22.95° N ≈ 20.5 m
    expect(reno.nodes).toEqual([{ code: TREE.gridA1, name: '东一社区第一网格', count: 3 }]);
    expect(reno.categories).toEqual([{ code: NOISE, nameZh: '噪声扰民', nameEn: expect.any(String), count: 3 }]);
    expect(reno.examples[0].id).toBe(ids.reno2);
    // A larger gap allowed: the garbage corner is one hot spot of six.
    const wide = (await monthly(leader, `node=${TREE.streetA}&month=2026-10&gapDays=31`)).json();
    expect(wide.hotSpots.map((h: { count: number }) => h.count)).toEqual([6, 3, 3]);
    // A smaller radius than the spacing: nothing clusters.
    const tight = (await monthly(leader, `node=${TREE.streetA}&month=2026-10&radiusM=10`)).json();
    expect(tight.hotSpots).toEqual([]);
  });

  it('groups similar reports within a category, with counts, keywords, examples and places', async () => {
    const a = (await monthly(leader, `node=${TREE.streetA}&month=2026-10`)).json();
    const groups = a.groups.map((g: { category: { code: string }; caseIds: number[] }) => [g.category.code, g.caseIds]);
    expect(groups).toEqual([
      [NOISE, [ids.reno0, ids.reno1, ids.reno2]],
      [NOISE, [ids.dance0, ids.dance1, ids.dance2]],
    ]);
    const reno = a.groups[0];
    expect(reno).toMatchObject({ key: `${NOISE}:${ids.reno0}`, count: 3, tracked: null, places: [{ code: TREE.gridA1, name: '东一社区第一网格', count: 3 }] });
    expect(reno.keywords).toEqual(expect.arrayContaining(['幸福', '装修']));
    expect(reno.examples).toHaveLength(3);
    expect(reno.examples[0]).toMatchObject({ categoryCode: NOISE, nodeCode: TREE.gridA1 });
    // Stricter: only the two closest renovation reports; minGroupSize 2 lists them.
    const strict = (await monthly(leader, `node=${TREE.streetA}&month=2026-10&threshold=0.3&minGroupSize=2`)).json();
    expect(strict.groups.map((g: { caseIds: number[] }) => g.caseIds)).toEqual([[ids.reno0, ids.reno1]]);
  });

  it('a community secretary sees only the community; the same figures as the street for that part', async () => {
    const res = await monthly(secretaryA1, `node=${TREE.communityA1}&month=2026-10`);
    expect(res.statusCode).toBe(200);
    expect(res.json().totals).toEqual({ cases: 5, previousMonth: 1, located: 3, analysed: 5 });
    expect(res.json().groups.map((g: { count: number }) => g.count)).toEqual([3]);
    expect((await monthly(secretaryA1, `node=${TREE.streetA}&month=2026-10`)).statusCode).toBe(404);
    // An empty month is not an error.
    const empty = (await monthly(secretaryA1, `node=${TREE.communityA1}&month=2025-01`)).json();
    expect(empty).toMatchObject({ totals: { cases: 0, previousMonth: 0, located: 0, analysed: 0 }, topCategories: [], hotSpots: [], groups: [] });
  });
});

describe('follow-up items (源头治理)', () => {
  let itemId: number;
  const body = () => ({ nodeCode: TREE.streetA, month: '2026-10', categoryCode: NOISE, caseIds: [ids.reno0!, ids.reno1!, ids.reno2!], note: '联系物业和城管，查装修许可' });

  it('401; 403 without analysis.manage; 404 outside your part; 400 naming the field', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/analysis/items', payload: body() })).statusCode).toBe(401);
    const worker = await workerA1.post('/api/analysis/items', { ...body(), nodeCode: TREE.gridA1 });
    expect(worker.statusCode).toBe(403);
    // A community secretary reads the analysis but does not hold analysis.manage.
    expect((await secretaryA1.post('/api/analysis/items', { ...body(), nodeCode: TREE.communityA1 })).statusCode).toBe(403);
    const out = await streetB.post('/api/analysis/items', body());
    expect(out.statusCode).toBe(404);
    expect(out.json().fields[0].field).toBe('nodeCode');
    const bad: [Record<string, unknown>, string][] = [
      [{ ...body(), categoryCode: 'no.such' }, 'categoryCode'],
      [{ ...body(), caseIds: [] }, 'caseIds'],
      [{ ...body(), caseIds: [ids.reno0, ids.garbage0] }, 'caseIds'], // another category
      [{ ...body(), month: '2026-09' }, 'caseIds'], // another month
      [{ ...body(), nodeCode: TREE.communityA2 }, 'caseIds'], // another place
      [{ ...body(), month: '2026-9' }, 'month'],
      [{ ...body(), extra: 1 }, 'extra'],
    ];
    for (const [b, field] of bad) {
      const res = await streetA.post('/api/analysis/items', b);
      expect(res.statusCode, JSON.stringify(b)).toBe(400);
      expect(res.json().fields.map((f: { field: string }) => f.field), JSON.stringify(res.json())).toContain(field);
    }
    expect(await t.db.query('SELECT 1 FROM analysis_items')).toHaveLength(0);
  });

  it('a street officer marks a group; the row, its first note and the audit entry are written; the analysis shows it', async () => {
    const res = await streetA.post('/api/analysis/items', body());
    expect(res.statusCode, res.body).toBe(201);
    const it = res.json();
    itemId = it.id;
    expect(it).toMatchObject({ status: 'open', caseCount: 3, newCaseCount: 0, month: '2026-10', node: { code: TREE.streetA }, category: { code: NOISE }, abilities: ['update'] });
    expect(it.title).toMatch(/^噪声扰民：/);
    expect(it.keywords).toEqual(expect.arrayContaining(['幸福', '装修']));
    expect(it.cases.map((c: { id: number }) => c.id)).toEqual(body().caseIds);
    expect(it.notes).toEqual([expect.objectContaining({ seq: 1, toStatus: 'open', note: '联系物业和城管，查装修许可' })]);
    const [row] = await t.db.query<Record<string, unknown>>(`SELECT city_code, node_code, node_path::text AS node_path, to_char(month, 'YYYY-MM-DD') AS month, status, to_jsonb(case_ids) AS case_ids, samples, note_seq FROM analysis_items WHERE id = $1`, [itemId]);
    expect(row).toMatchObject({ city_code: '4413', node_code: TREE.streetA, month: '2026-10-01', status: 'open', case_ids: body().caseIds, note_seq: 1 });
    expect(row!.samples).toHaveLength(3);
    const audit = await t.db.query<{ action: string; result: string }>(`SELECT action, result FROM audit_log WHERE resource = 'analysis_items' AND resource_id = $1`, [String(itemId)]);
    expect(audit).toEqual([{ action: 'analysis.item.create', result: 'ok' }]);
    const a = (await monthly(leader, `node=${TREE.streetA}&month=2026-10`)).json();
    expect(a.groups[0].tracked).toEqual({ id: itemId, status: 'open', title: it.title });
    expect(a.groups[1].tracked).toBeNull();
  });

  it('409 when the group is already followed', async () => {
    const res = await leader.post('/api/analysis/items', { ...body(), caseIds: [ids.reno1!] });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'DUPLICATE', details: { itemId } });
    expect(await t.db.query('SELECT 1 FROM analysis_items')).toHaveLength(1);
  });

  it('later reports of the same problem are listed under it; others are not', async () => {
    const again = await insertCase({ category: NOISE, text: '幸福路3号楼又在装修，噪音吵得睡不着', node: TREE.gridA1, at: '2026-11-05T22:00:00' });
    await insertCase({ category: NOISE, text: '东湖公园广场舞太吵', node: TREE.gridA2, at: '2026-11-06T20:00:00' });
    await insertCase({ category: GARBAGE, text: '幸福路3号楼装修垃圾乱堆', node: TREE.gridA1, at: '2026-11-07T10:00:00' }); // another category
    const res = await leader.get(`/api/analysis/items/${itemId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ newCaseCount: 1, lastNewCaseAt: cst('2026-11-05T22:00:00').toISOString() });
    expect(res.json().newCases.map((c: { id: number }) => c.id)).toEqual([again]);
    expect(res.json().newCases[0].similarity).toBeGreaterThanOrEqual(0.2);
    // The leader at the city may manage it too; a grid worker in grid A1 (measure.read) is outside the street's scope.
    expect(res.json().abilities).toEqual(['update']);
    expect((await workerA1.get(`/api/analysis/items/${itemId}`)).statusCode).toBe(404);
    expect((await streetB.get(`/api/analysis/items/${itemId}`)).json().code).toBe('ANALYSIS_ITEM_NOT_FOUND');
    expect((await deptStaff.get(`/api/analysis/items/${itemId}`)).statusCode).toBe(403);
  });

  it('lists items in scope with their counts, filtered by node and status', async () => {
    const all = await leader.get('/api/analysis/items');
    expect(all.statusCode).toBe(200);
    expect(all.json().items.map((i: { id: number; newCaseCount: number }) => [i.id, i.newCaseCount])).toEqual([[itemId, 1]]);
    expect((await leader.get(`/api/analysis/items?node=${TREE.streetA}&status=open,in_progress`)).json().items).toHaveLength(1);
    expect((await leader.get(`/api/analysis/items?status=solved`)).json().items).toHaveLength(0);
    expect((await streetB.get('/api/analysis/items')).json().items).toHaveLength(0);
    expect((await streetB.get(`/api/analysis/items?node=${TREE.streetA}`)).statusCode).toBe(404);
    expect((await leader.get('/api/analysis/items?status=done')).statusCode).toBe(400);
  });

  it('PATCH: progress, a note required to solve, closed_at set; every change is a history entry', async () => {
    expect((await t.app.inject({ method: 'PATCH', url: `/api/analysis/items/${itemId}`, payload: { status: 'in_progress' } })).statusCode).toBe(401);
    expect((await workerA1.patch(`/api/analysis/items/${itemId}`, { status: 'in_progress' })).statusCode).toBe(403);
    expect((await streetB.patch(`/api/analysis/items/${itemId}`, { status: 'in_progress' })).statusCode).toBe(404);
    expect((await streetA.patch(`/api/analysis/items/999999`, { status: 'in_progress' })).statusCode).toBe(404);
    for (const [b, field] of [
      [{ status: 'finished' }, 'status'],
      [{}, ''],
      [{ status: 'solved' }, 'note'],
      [{ status: 'open' }, 'status'],
    ] as [Record<string, unknown>, string][]) {
      const res = await streetA.patch(`/api/analysis/items/${itemId}`, b);
      expect(res.statusCode, JSON.stringify(b)).toBe(400);
      if (field) expect(res.json().fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    const p1 = await streetA.patch(`/api/analysis/items/${itemId}`, { status: 'in_progress', note: '已约谈装修业主' });
    expect(p1.statusCode).toBe(200);
    expect(p1.json()).toMatchObject({ status: 'in_progress', closedAt: null });
    const p2 = await leader.patch(`/api/analysis/items/${itemId}`, { status: 'solved', note: '装修已完工，夜间施工已禁止' });
    expect(p2.json()).toMatchObject({ status: 'solved' });
    expect(p2.json().closedAt).not.toBeNull();
    expect(p2.json().notes.map((n: { seq: number; fromStatus: string | null; toStatus: string | null }) => [n.seq, n.fromStatus, n.toStatus])).toEqual([
      [1, null, 'open'],
      [2, 'open', 'in_progress'],
      [3, 'in_progress', 'solved'],
    ]);
    const p3 = await leader.patch(`/api/analysis/items/${itemId}`, { note: '回访：无新投诉' });
    expect(p3.json().notes.at(-1)).toMatchObject({ seq: 4, fromStatus: null, toStatus: null, note: '回访：无新投诉' });
    const [row] = await t.db.query<{ status: string; closed_at: Date | null; note_seq: number }>(`SELECT status, closed_at, note_seq FROM analysis_items WHERE id = $1`, [itemId]);
    expect(row).toMatchObject({ status: 'solved', note_seq: 4 });
    expect(row!.closed_at).toBeInstanceOf(Date);
    const notes = await t.db.query<{ n: number }>(`SELECT count(*) AS n FROM analysis_item_notes WHERE item_id = $1`, [itemId]);
    expect(notes[0]!.n).toBe(4);
    const audit = await t.db.query<{ n: number }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'analysis.item.update' AND resource_id = $1`, [String(itemId)]);
    expect(audit[0]!.n).toBe(3);
    // Reopening clears closed_at.
    const p4 = await streetA.patch(`/api/analysis/items/${itemId}`, { status: 'open', note: '又有新投诉' });
    expect(p4.json()).toMatchObject({ status: 'open', closedAt: null });
  });
});

describe('GET /api/analysis/monthly.xlsx', () => {
  it('401; 403 without case.export; 404 out of scope', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/analysis/monthly.xlsx?node=${TREE.streetA}&month=2026-10` })).statusCode).toBe(401);
    expect((await workerA1.get(`/api/analysis/monthly.xlsx?node=${TREE.gridA1}&month=2026-10`)).statusCode).toBe(403);
    expect((await streetB.get(`/api/analysis/monthly.xlsx?node=${TREE.streetA}&month=2026-10`)).statusCode).toBe(404);
    expect((await leader.get(`/api/analysis/monthly.xlsx?node=${TREE.streetA}&month=13`)).statusCode).toBe(400);
  });

  it('the workbook opens and holds the same figures as the API', async () => {
    const res = await leader.get(`/api/analysis/monthly.xlsx?node=${TREE.streetA}&month=2026-10`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toContain('attachment');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['概况', '高发类型', '高发地点', '热点', '相似诉求', '源头治理']);
    const summary = wb.getWorksheet('概况')!;
    expect(summary.getRow(1).values).toEqual([undefined, '项目', '内容']);
    expect(summary.getRow(4).values).toEqual([undefined, '本月诉求数', 15]);
    const cats = wb.getWorksheet('高发类型')!;
    expect(cats.rowCount).toBe(4);
    expect(cats.getRow(2).values).toEqual([undefined, 1, '噪声扰民', NOISE, 8, 2, 8 / 15]);
    expect(wb.getWorksheet('热点')!.rowCount).toBe(5);
    const spot = wb.getWorksheet('热点')!.getRow(2);
    expect(spot.getCell(2).value).toBe(3);
    // Times are China wall-clock: the first renovation report was at 21:00 on 2 October.
    expect((spot.getCell(6).value as Date).toISOString()).toBe('2026-10-02T21:00:00.000Z');
    const groups = wb.getWorksheet('相似诉求')!;
    expect(groups.rowCount).toBe(3);
    expect(groups.getRow(2).getCell(3).value).toBe(3);
    expect(String(groups.getRow(2).getCell(9).value)).toMatch(/^#\d+ /);
    const items = wb.getWorksheet('源头治理')!;
    expect(items.rowCount).toBe(2);
    expect(items.getRow(2).getCell(8).value).toBe(1);
  });
});
