import { beforeAll, describe, expect, it } from 'vitest';
import { buildNodes, buildSmallCity, clientAs, squareWkt, TREE, useTestApp, type Client } from '../../../../test/harness.js';

const t = useTestApp();

let admin: Client;
let adminA: Client;
let secretaryA1: Client;
let secretaryB1: Client;
let workerA1: Client;
let resident: Client;

/** A square GeoJSON polygon around (lng, lat), half-size d. */
function square(lng: number, lat: number, d: number) {
  return {
    type: 'Polygon' as const,
    coordinates: [
      [
        [lng - d, lat - d],
        [lng + d, lat - d],
        [lng + d, lat + d],
        [lng - d, lat + d],
        [lng - d, lat - d],
      ],
    ],
  };
}

async function nodeRow(code: string) {
  const [row] = await t.db.query<Record<string, unknown>>(
    `SELECT code, parent_code, name, level, kind, path::text AS path, depth, status, households, attributes, source, city_code,
            retired_at, retired_reason, boundary IS NOT NULL AS has_boundary, ST_AsText(boundary, 6) AS wkt
       FROM nodes WHERE code = $1`,
    [code],
  );
  return row;
}

async function auditRows(action: string, code: string) {
  return t.db.query<{ actor_id: string; result: string; detail: Record<string, unknown> }>(
    `SELECT actor_id, result, detail FROM audit_log WHERE action = $1 AND resource_id = $2 ORDER BY id`,
    [action, code],
  );
}

beforeAll(async () => {
  await buildSmallCity(t.db);
  // Communities for the write tests, so that each test owns its part of the tree.
  await buildNodes(t.db, [
    { code: '441302001003', name: '东三社区', wkt: squareWkt(114.15, 23.05, 0.02) },
    { code: '441302001004', name: '东四社区', wkt: squareWkt(114.25, 23.05, 0.02) },
    { code: '441302001005', name: '东五社区' },
    { code: '441302001005001', name: '东五第一网格', wkt: squareWkt(114.3, 23.2, 0.001) },
    { code: '441302001005002', name: '东五旧网格', status: 'retired' },
  ]);
  await t.db.query(`UPDATE nodes SET households = 300 WHERE code = $1`, [TREE.gridA1]);
  await t.db.query(`UPDATE nodes SET households = 1200 WHERE code = $1`, [TREE.communityA2]);
  await t.db.query(`UPDATE nodes SET households = 999 WHERE code = $1`, [TREE.gridA2]);
  admin = await clientAs(t, 'administrator', null);
  adminA = await clientAs(t, 'administrator', TREE.districtA);
  secretaryA1 = await clientAs(t, 'community_secretary', TREE.communityA1);
  secretaryB1 = await clientAs(t, 'community_secretary', TREE.communityB1);
  workerA1 = await clientAs(t, 'grid_worker', TREE.gridA1);
  resident = await clientAs(t, 'resident', TREE.communityA1);
});

describe('GET /api/nodes/roots', () => {
  it('needs a session and node.read', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/nodes/roots' })).statusCode).toBe(401);
    const res = await resident.get('/api/nodes/roots');
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it('gives a whole-tree administrator the provinces', async () => {
    const res = await admin.get('/api/nodes/roots');
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((n: { code: string }) => n.code)).toEqual([TREE.province]);
    expect(res.json().items[0]).toMatchObject({ name: '广东省', level: 'province', parentCode: null, depth: 1, childCount: 1, hasBoundary: false });
  });

  it('gives others the tops of their grants, nested grants folded', async () => {
    const res = await adminA.get('/api/nodes/roots');
    expect(res.json().items.map((n: { code: string }) => n.code)).toEqual([TREE.districtA]);
    expect((await workerA1.get('/api/nodes/roots')).json().items).toMatchObject([
      { code: TREE.gridA1, level: 'grid', kind: 'comprehensive', path: `44.4413.441302.441302001.${TREE.communityA1}.${TREE.gridA1}`, households: 300 },
    ]);
  });
});

describe('GET /api/nodes/:code', () => {
  it('answers 401, 404 out of scope or unknown, 400 for a malformed code', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/nodes/${TREE.communityA1}` })).statusCode).toBe(401);
    const out = await secretaryB1.get(`/api/nodes/${TREE.communityA1}`);
    expect(out.statusCode).toBe(404);
    expect(out.json().code).toBe('NODE_NOT_FOUND');
    // Unknown and out of scope look the same.
    expect((await secretaryB1.get('/api/nodes/441302001099')).json()).toMatchObject({ code: 'NODE_NOT_FOUND' });
    const bad = await admin.get('/api/nodes/44ab');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields[0].field).toBe('code');
    expect((await resident.get(`/api/nodes/${TREE.communityA1}`)).statusCode).toBe(403);
  });

  it('shows the node with its ancestors, root first', async () => {
    const res = await secretaryA1.get(`/api/nodes/${TREE.gridA1}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      code: TREE.gridA1,
      name: '东一社区第一网格',
      level: 'grid',
      kind: 'comprehensive',
      parentCode: TREE.communityA1,
      path: `44.4413.441302.441302001.${TREE.communityA1}.${TREE.gridA1}`,
      depth: 6,
      status: 'active',
      households: 300,
      attributes: {},
      hasBoundary: true,
      childCount: 0,
      retiredAt: null,
      retiredReason: null,
      ancestors: [
        { code: '44', name: '广东省', level: 'province' },
        { code: '4413', name: '惠州市', level: 'city' },
        { code: TREE.districtA, name: '惠城区', level: 'district' },
        { code: TREE.streetA, name: '桥东街道', level: 'street' },
        { code: TREE.communityA1, name: '东一社区', level: 'community' },
      ],
    });
  });
});

describe('GET /api/nodes/:code/children and /path', () => {
  it('answers 401, 404 out of scope, 400 for a bad status', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/nodes/${TREE.streetA}/children` })).statusCode).toBe(401);
    expect((await secretaryB1.get(`/api/nodes/${TREE.streetA}/children`)).statusCode).toBe(404);
    expect((await secretaryB1.get(`/api/nodes/${TREE.streetA}/path`)).statusCode).toBe(404);
    const bad = await admin.get(`/api/nodes/${TREE.streetA}/children?status=gone`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields[0].field).toBe('status');
  });

  it('lists active children by code by default, retired ones on request', async () => {
    const active = await adminA.get('/api/nodes/441302001005/children');
    expect(active.json().items.map((n: { code: string }) => n.code)).toEqual(['441302001005001']);
    const retired = await adminA.get('/api/nodes/441302001005/children?status=retired');
    expect(retired.json().items).toMatchObject([{ code: '441302001005002', status: 'retired' }]);
    const all = await adminA.get('/api/nodes/441302001005/children?status=all');
    expect(all.json().items.map((n: { code: string }) => n.code)).toEqual(['441302001005001', '441302001005002']);
    const street = await adminA.get(`/api/nodes/${TREE.streetA}/children`);
    expect(street.json().items.map((n: { code: string }) => n.code)).toEqual([
      TREE.communityA1,
      TREE.communityA2,
      '441302001003',
      '441302001004',
      '441302001005',
    ]);
    // childCount counts active children only.
    expect(street.json().items.find((n: { code: string }) => n.code === '441302001005').childCount).toBe(1);
  });

  it('gives the path root → node', async () => {
    const res = await workerA1.get(`/api/nodes/${TREE.gridA1}/path`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((n: { code: string }) => n.code)).toEqual(['44', '4413', TREE.districtA, TREE.streetA, TREE.communityA1, TREE.gridA1]);
    expect(res.json().items[5]).toEqual({ code: TREE.gridA1, name: '东一社区第一网格', level: 'grid' });
  });
});

describe('GET /api/nodes/:code/search', () => {
  it('answers 401, 404 out of scope, 400 for missing or long q and bad limits', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/nodes/${TREE.districtA}/search?q=东` })).statusCode).toBe(401);
    expect((await secretaryB1.get(`/api/nodes/${TREE.districtA}/search?q=${encodeURIComponent('东')}`)).statusCode).toBe(404);
    for (const [qs, field] of [
      ['', 'q'],
      ['q=', 'q'],
      [`q=${'x'.repeat(51)}`, 'q'],
      ['q=x&limit=101', 'limit'],
      ['q=x&limit=0', 'limit'],
    ] as const) {
      const res = await admin.get(`/api/nodes/${TREE.districtA}/search?${qs}`);
      expect(res.statusCode, qs).toBe(400);
      expect(res.json().fields[0].field, qs).toBe(field);
    }
  });

  it('finds names within the subtree, shallowest first, with path names from the searched node', async () => {
    const res = await adminA.get(`/api/nodes/${TREE.streetA}/search?q=${encodeURIComponent('东一')}`);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { code: string; pathNames: string; level: string }[];
    expect(items.map((i) => i.code)).toEqual([TREE.communityA1, TREE.gridA1]);
    expect(items[1]!.pathNames).toBe('桥东街道 / 东一社区 / 东一社区第一网格');
    expect(items[1]).toMatchObject({ level: 'grid', hasBoundary: true });
    // Outside the searched subtree: not found; the searched node itself is not a hit.
    expect((await adminA.get(`/api/nodes/${TREE.communityA2}/search?q=${encodeURIComponent('东一')}`)).json().items).toEqual([]);
    expect((await adminA.get(`/api/nodes/${TREE.communityA1}/search?q=${encodeURIComponent('东一社区')}`)).json().items.map((i: { code: string }) => i.code)).toEqual([
      TREE.gridA1,
    ]);
  });

  it('honours limit and status, and treats LIKE wildcards literally', async () => {
    const one = await adminA.get(`/api/nodes/${TREE.districtA}/search?q=${encodeURIComponent('社区')}&limit=1`);
    expect(one.json().items).toHaveLength(1);
    expect((await adminA.get(`/api/nodes/${TREE.districtA}/search?q=%25`)).json().items).toEqual([]);
    expect((await adminA.get(`/api/nodes/${TREE.districtA}/search?q=_`)).json().items).toEqual([]);
    const retired = await adminA.get(`/api/nodes/${TREE.districtA}/search?q=${encodeURIComponent('旧网格')}`);
    expect(retired.json().items).toEqual([]);
    const all = await adminA.get(`/api/nodes/${TREE.districtA}/search?q=${encodeURIComponent('旧网格')}&status=all`);
    expect(all.json().items.map((i: { code: string }) => i.code)).toEqual(['441302001005002']);
  });
});

describe('GET /api/nodes/:code/counts', () => {
  it('answers 401 and 404 out of scope', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/nodes/${TREE.city}/counts` })).statusCode).toBe(401);
    expect((await secretaryB1.get(`/api/nodes/${TREE.streetA}/counts`)).statusCode).toBe(404);
  });

  it('counts active nodes per level under the node, and rolls up households', async () => {
    const res = await admin.get(`/api/nodes/${TREE.streetA}/counts`);
    expect(res.statusCode).toBe(200);
    // Grids: A1, A2 and 东五第一网格 (the retired one is not counted). Households: gridA1 300 +
    // communityA2 1200 (its own figure covers its grid's 999) + nothing recorded elsewhere.
    expect(res.json()).toEqual({ code: TREE.streetA, counts: { community: 5, grid: 3 }, households: 1500 });
    const grid = await admin.get(`/api/nodes/${TREE.gridA1}/counts`);
    expect(grid.json()).toEqual({ code: TREE.gridA1, counts: {}, households: 300 });
  });
});

describe('GET /api/nodes/:code/geojson', () => {
  it('answers 401, 404 out of scope, 400 for a bad simplify', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/nodes/${TREE.streetA}/geojson` })).statusCode).toBe(401);
    expect((await secretaryB1.get(`/api/nodes/${TREE.streetA}/geojson`)).statusCode).toBe(404);
    for (const v of ['abc', '-1', '5']) {
      const res = await admin.get(`/api/nodes/${TREE.streetA}/geojson?simplify=${v}`);
      expect(res.statusCode, v).toBe(400);
      expect(res.json().fields[0].field).toBe('simplify');
    }
  });

  it('gives the node (self) and its active children with boundaries (child), in WGS-84', async () => {
    const res = await adminA.get(`/api/nodes/${TREE.streetA}/geojson`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const fc = res.json();
    expect(fc.type).toBe('FeatureCollection');
    // 东五社区 has no boundary: omitted.
    expect(fc.features.map((f: { properties: { code: string; role: string } }) => [f.properties.code, f.properties.role])).toEqual([
      [TREE.streetA, 'self'],
      [TREE.communityA1, 'child'],
      [TREE.communityA2, 'child'],
      ['441302001003', 'child'],
      ['441302001004', 'child'],
    ]);
    expect(fc.features[2]).toMatchObject({
      type: 'Feature',
      properties: { code: TREE.communityA2, name: '东二社区', level: 'community', kind: 'admin', status: 'active', households: 1200, role: 'child' },
      geometry: { type: 'MultiPolygon' },
    });
    expect(fc.features[2].geometry.coordinates[0][0]).toContainEqual([114.2, 22.9]);
    // Retired children are left out; a node without its own boundary gives children only.
    const c5 = (await adminA.get('/api/nodes/441302001005/geojson')).json();
    expect(c5.features.map((f: { properties: { code: string } }) => f.properties.code)).toEqual(['441302001005001']);
  });

  it('simplifies on request', async () => {
    const res = await adminA.get(`/api/nodes/${TREE.streetA}/geojson?simplify=0.01`);
    expect(res.statusCode).toBe(200);
    expect(res.json().features).toHaveLength(5);
  });
});

describe('POST /api/nodes/:code/grids', () => {
  const C3 = '441302001003';

  it('answers 401, 404 out of scope, 403 without node.create', async () => {
    expect((await t.app.inject({ method: 'POST', url: `/api/nodes/${C3}/grids`, payload: { name: 'x' } })).statusCode).toBe(401);
    const out = await secretaryB1.post(`/api/nodes/${C3}/grids`, { name: '越界网格' });
    expect(out.statusCode).toBe(404);
    expect(out.json().code).toBe('NODE_NOT_FOUND');
    expect((await workerA1.post(`/api/nodes/${TREE.communityA1}/grids`, { name: 'x' })).statusCode).toBe(403);
    // A secretary may not draw grids in a neighbouring community.
    expect((await secretaryA1.post(`/api/nodes/${C3}/grids`, { name: 'x' })).statusCode).toBe(404);
  });

  it('answers 400 naming the field for bad bodies and the wrong parent level', async () => {
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x', kind: 'castle' }, 'kind'],
      [{ name: 'x', households: -1 }, 'households'],
      [{ name: 'x', extra: 1 }, 'extra'],
      [{ name: 'x', boundary: { type: 'Point', coordinates: [114, 23] } }, 'boundary.type'],
    ];
    for (const [body, field] of cases) {
      const res = await adminA.post(`/api/nodes/${C3}/grids`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().fields.map((f: { field: string }) => f.field), JSON.stringify(body)).toContain(field);
    }
    const street = await adminA.post(`/api/nodes/${TREE.streetA}/grids`, { name: 'x' });
    expect(street.statusCode).toBe(400);
    expect(street.json().fields[0]).toMatchObject({ field: 'code' });
    expect(street.json().message).toMatch(/under a community/);
    const range = await adminA.post(`/api/nodes/${C3}/grids`, { name: 'x', boundary: square(114.15, 95, 0.01) });
    expect(range.statusCode).toBe(400);
    expect(range.json()).toMatchObject({ code: 'GEOJSON_INVALID', fields: [{ field: 'boundary' }] });
    expect(range.json().message).toMatch(/lat must be a latitude/);
    expect(await t.db.query(`SELECT 1 FROM nodes WHERE parent_code = $1`, [C3])).toHaveLength(0);
  });

  it('creates a grid with the next code, its row and the audit row', async () => {
    const res = await secretaryA1.post(`/api/nodes/${TREE.communityA1}/grids`, {
      name: '东一社区第二网格',
      kind: 'special',
      households: 180,
      attributes: { note: '工业园' },
      boundary: square(114.15, 23.05, 0.02),
    });
    expect(res.statusCode).toBe(201);
    const code = `${TREE.communityA1}002`;
    expect(res.json()).toMatchObject({
      code,
      name: '东一社区第二网格',
      level: 'grid',
      kind: 'special',
      parentCode: TREE.communityA1,
      depth: 6,
      status: 'active',
      households: 180,
      attributes: { note: '工业园' },
      hasBoundary: true,
      childCount: 0,
      warnings: [],
    });
    expect(await nodeRow(code)).toMatchObject({
      parent_code: TREE.communityA1,
      path: `44.4413.441302.441302001.${TREE.communityA1}.${code}`,
      city_code: '4413',
      source: 'manual',
      has_boundary: true,
      wkt: 'MULTIPOLYGON(((114.13 23.03,114.17 23.03,114.17 23.07,114.13 23.07,114.13 23.03)))',
    });
    const audit = await auditRows('node.create', code);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: secretaryA1.userId, result: 'ok', detail: { parentCode: TREE.communityA1, kind: 'special' } });
  });

  it('creates unit grids under grids (+2) and cell grids under units (+2), inheriting the kind', async () => {
    const unit = await adminA.post(`/api/nodes/${TREE.communityA1}002/grids`, { name: '单元一' });
    expect(unit.statusCode).toBe(201);
    expect(unit.json()).toMatchObject({ code: `${TREE.communityA1}00201`, level: 'unit', kind: 'special', depth: 7 });
    const cell = await adminA.post(`/api/nodes/${TREE.communityA1}00201/grids`, { name: '细胞一', kind: 'online' });
    expect(cell.json()).toMatchObject({ code: `${TREE.communityA1}0020101`, level: 'cell', kind: 'online', depth: 8 });
    const under = await adminA.post(`/api/nodes/${TREE.communityA1}0020101/grids`, { name: 'x' });
    expect(under.statusCode).toBe(400);
    expect(under.json().fields[0].field).toBe('code');
  });

  it('never reuses a retired code and refuses a duplicate active name', async () => {
    const res = await adminA.post('/api/nodes/441302001005/grids', { name: '东五第三网格' });
    expect(res.json().code).toBe('441302001005003');
    const dup = await adminA.post('/api/nodes/441302001005/grids', { name: '东五第三网格' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'DUPLICATE', fields: [{ field: 'name' }] });
  });

  it('repairs a self-intersecting boundary and warns when it leaves its parent or overlaps a sibling', async () => {
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [114.14, 23.04],
          [114.16, 23.06],
          [114.16, 23.04],
          [114.14, 23.06],
          [114.14, 23.04],
        ],
      ],
    };
    const rep = await adminA.post(`/api/nodes/${C3}/grids`, { name: '蝴蝶网格', boundary: bowtie });
    expect(rep.statusCode).toBe(201);
    expect(rep.json().warnings.join(' ')).toMatch(/repaired: Self-intersection/);
    const row = await nodeRow(rep.json().code);
    expect(row!.wkt).toMatch(/^MULTIPOLYGON\(\(\(.*\)\),\(\(.*\)\)\)$/);
    // C3 spans 114.13–114.17 × 23.03–23.07; this square sticks out to the east by half.
    const out = await adminA.post(`/api/nodes/${C3}/grids`, { name: '出界网格', boundary: square(114.17, 23.05, 0.005) });
    expect(out.statusCode).toBe(201);
    expect(out.json().warnings).toEqual(['50.0% of its area lies outside 东三社区 (441302001003)']);
    const overlap = await adminA.post(`/api/nodes/${C3}/grids`, { name: '重叠网格', boundary: square(114.165, 23.05, 0.005) });
    expect(overlap.json().warnings).toContain('overlaps 出界网格 (441302001003002) by 50.0% of its area');
  });

  it('answers 409 under a retired parent', async () => {
    const res = await adminA.post('/api/nodes/441302001005002/grids', { name: 'x' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('NODE_RETIRED');
  });
});

describe('PATCH /api/nodes/:code', () => {
  const C4 = '441302001004';

  it('answers 401, 404 out of scope, 403 for the wrong role', async () => {
    expect((await t.app.inject({ method: 'PATCH', url: `/api/nodes/${C4}`, payload: { name: 'x' } })).statusCode).toBe(401);
    expect((await secretaryB1.patch(`/api/nodes/${TREE.gridA1}`, { name: 'x' })).statusCode).toBe(404);
    expect((await workerA1.patch(`/api/nodes/${TREE.gridA1}`, { name: 'x' })).statusCode).toBe(403);
    // A secretary may not rename or redraw an official division, even their own community.
    const div = await secretaryA1.patch(`/api/nodes/${TREE.communityA1}`, { name: '改名社区' });
    expect(div.statusCode).toBe(403);
    expect((await secretaryA1.patch(`/api/nodes/${TREE.communityA1}`, { boundary: null })).statusCode).toBe(403);
    expect((await nodeRow(TREE.communityA1))!.name).toBe('东一社区');
  });

  it('answers 400 naming the field', async () => {
    const empty = await adminA.patch(`/api/nodes/${C4}`, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().fields[0].field).toBe('body');
    expect((await adminA.patch(`/api/nodes/${C4}`, { colour: 'red' })).json().fields[0].field).toBe('colour');
    expect((await adminA.patch(`/api/nodes/${C4}`, { households: 1.5 })).json().fields[0].field).toBe('households');
    const ring = await adminA.patch(`/api/nodes/${C4}`, {
      boundary: { type: 'Polygon', coordinates: [[[114.2, 23], [114.3, 23], [114.3, 23.1], [114.2, 23.1]]] },
    });
    expect(ring.statusCode).toBe(400);
    expect(ring.json()).toMatchObject({ code: 'GEOJSON_INVALID', fields: [{ field: 'boundary', reason: expect.stringMatching(/not closed/) }] });
  });

  it('lets a secretary set households and attributes of their community, and edit its grids', async () => {
    const res = await secretaryA1.patch(`/api/nodes/${TREE.communityA1}`, { households: 2100, attributes: { office: '东一路 1 号' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ code: TREE.communityA1, households: 2100, attributes: { office: '东一路 1 号' }, warnings: [] });
    const grid = await secretaryA1.patch(`/api/nodes/${TREE.gridA1}`, { name: '东一第一网格', boundary: square(114.15, 22.95, 0.04) });
    expect(grid.statusCode).toBe(200);
    expect(grid.json()).toMatchObject({ name: '东一第一网格', hasBoundary: true });
    const row = await nodeRow(TREE.gridA1);
    expect(row).toMatchObject({ name: '东一第一网格', wkt: 'MULTIPOLYGON(((114.11 22.91,114.19 22.91,114.19 22.99,114.11 22.99,114.11 22.91)))' });
    const audit = await auditRows('node.update', TREE.gridA1);
    expect(audit.at(-1)).toMatchObject({ actor_id: secretaryA1.userId, detail: { changed: ['name', 'boundary'], before: { name: '东一社区第一网格' } } });
  });

  it('lets an administrator rename and redraw a division, and clear a boundary', async () => {
    const res = await adminA.patch(`/api/nodes/${C4}`, { name: '东四新社区', boundary: square(114.25, 23.05, 0.03) });
    expect(res.statusCode).toBe(200);
    expect((await nodeRow(C4))!.name).toBe('东四新社区');
    const cleared = await adminA.patch(`/api/nodes/${C4}`, { boundary: null });
    expect(cleared.json().hasBoundary).toBe(false);
    expect((await nodeRow(C4))!.has_boundary).toBe(false);
  });

  it('answers 409 for a retired node', async () => {
    const res = await adminA.patch('/api/nodes/441302001005002', { name: 'x' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('NODE_RETIRED');
  });
});

describe('POST /api/nodes/:code/retire', () => {
  it('answers 401, 404 out of scope, 403 without node.retire', async () => {
    expect((await t.app.inject({ method: 'POST', url: `/api/nodes/${TREE.gridA2}/retire`, payload: { reason: 'x' } })).statusCode).toBe(401);
    const other = await clientAs(t, 'administrator', TREE.districtB);
    expect((await other.post(`/api/nodes/${TREE.gridA2}/retire`, { reason: 'merged' })).statusCode).toBe(404);
    expect((await secretaryA1.post(`/api/nodes/${TREE.gridA1}/retire`, { reason: 'merged' })).statusCode).toBe(403);
  });

  it('answers 400 without a reason or for a division', async () => {
    expect((await adminA.post(`/api/nodes/${TREE.gridA2}/retire`, {})).json().fields[0].field).toBe('reason');
    expect((await adminA.post(`/api/nodes/${TREE.gridA2}/retire`, { reason: ' ' })).json().fields[0].field).toBe('reason');
    const div = await adminA.post(`/api/nodes/${TREE.communityA2}/retire`, { reason: 'merged' });
    expect(div.statusCode).toBe(400);
    expect(div.json().fields[0].field).toBe('code');
    expect((await nodeRow(TREE.communityA2))!.status).toBe('active');
  });

  it('retires a grid and everything under it, keeps the rows, writes the audit row; 409 the second time', async () => {
    const grid = `${TREE.communityA1}002`;
    const res = await adminA.post(`/api/nodes/${grid}/retire`, { reason: '并入第一网格' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ code: grid, status: 'retired', retiredReason: '并入第一网格' });
    expect(Date.parse(res.json().retiredAt)).toBeGreaterThan(Date.now() - 60_000);
    for (const code of [grid, `${grid}01`, `${grid}0101`]) {
      const row = await nodeRow(code);
      expect(row, code).toMatchObject({ status: 'retired' });
      expect(row!.retired_at, code).toBeInstanceOf(Date);
    }
    expect((await nodeRow(`${grid}01`))!.retired_reason).toBe(`retired with ${grid}: 并入第一网格`);
    const children = await adminA.get(`/api/nodes/${TREE.communityA1}/children`);
    expect(children.json().items.map((n: { code: string }) => n.code)).toEqual([TREE.gridA1]);
    const audit = await auditRows('node.retire', grid);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ reason: '并入第一网格', retired: [grid, `${grid}01`, `${grid}0101`] });
    const again = await adminA.post(`/api/nodes/${grid}/retire`, { reason: 'again' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('NODE_RETIRED');
  });
});

describe('OpenAPI', () => {
  it('documents the grid-tree, locate and import routes', async () => {
    const doc = (await t.app.inject('/docs/json')).json();
    for (const p of ['/api/nodes/roots', '/api/nodes/{code}', '/api/nodes/{code}/grids', '/api/nodes/{code}/retire', '/api/locate', '/api/locate/batch', '/api/boundaries/import']) {
      expect(Object.keys(doc.paths), p).toContain(p);
    }
    expect(doc.paths['/api/nodes/{code}/grids'].post.requestBody.content['application/json'].schema.properties.kind.anyOf).toHaveLength(4);
  });
});
