import { beforeAll, describe, expect, it } from 'vitest';
import { buildNodes, buildSmallCity, buildUser, clientAs, signIn, TREE, useTestApp, type Client } from '../../../../test/harness.js';

const t = useTestApp();

/** Community B2 (114.70–114.75 × 22.95–23.05) split into a west and an east grid at 114.725. */
const B2 = '441303001002';
const WEST = `${B2}001`;
const EAST = `${B2}002`;
const RETIRED_UNIT = `${WEST}01`;
const box = (x0: number, y0: number, x1: number, y1: number) => `MULTIPOLYGON(((${x0} ${y0},${x1} ${y0},${x1} ${y1},${x0} ${y1},${x0} ${y0})))`;

let resident: Client;
let dispatcher: Client;

beforeAll(async () => {
  await buildSmallCity(t.db);
  await buildNodes(t.db, [
    { code: B2, name: '淡水二社区', wkt: box(114.7, 22.95, 114.75, 23.05) },
    { code: WEST, name: '西网格', wkt: box(114.7, 22.95, 114.725, 23.05) },
    { code: EAST, name: '东网格', wkt: box(114.725, 22.95, 114.75, 23.05) },
    // A retired unit inside the west grid: deeper, so it would win if retired nodes counted.
    { code: RETIRED_UNIT, name: '撤销单元', wkt: box(114.7, 23.0, 114.71, 23.05), status: 'retired' },
  ]);
  resident = await clientAs(t, 'resident', TREE.communityA1);
  dispatcher = await clientAs(t, 'dispatcher', TREE.districtA);
});

describe('GET /api/locate', () => {
  it('answers 401 without a session and 403 without node.locate', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/locate?lng=114.15&lat=22.95' })).statusCode).toBe(401);
    const nobody = await signIn(t.app, await buildUser(t.db, {}));
    const res = await nobody.get('/api/locate?lng=114.15&lat=22.95');
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it('answers 400 naming the field for out-of-range, missing or malformed input', async () => {
    for (const [qs, code, field] of [
      ['lng=181&lat=23', 'COORDINATES_OUT_OF_RANGE', 'lng'],
      ['lng=-180.5&lat=23', 'COORDINATES_OUT_OF_RANGE', 'lng'],
      ['lng=114&lat=90.01', 'COORDINATES_OUT_OF_RANGE', 'lat'],
      ['lng=114&lat=-91', 'COORDINATES_OUT_OF_RANGE', 'lat'],
      ['lat=23', 'VALIDATION_FAILED', 'lng'],
      ['lng=abc&lat=23', 'VALIDATION_FAILED', 'lng'],
      ['lng=114&lat=23&crs=utm', 'VALIDATION_FAILED', 'crs'],
    ] as const) {
      const res = await resident.get(`/api/locate?${qs}`);
      expect(res.statusCode, qs).toBe(400);
      expect(res.json().code, qs).toBe(code);
      expect(res.json().fields[0].field, qs).toBe(field);
    }
  });

  it('finds the deepest grid with its path, for a resident outside any role scope too', async () => {
    const res = await resident.get('/api/locate?lng=114.15&lat=22.95');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      point: { lng: 114.15, lat: 22.95 },
      node: { code: TREE.gridA1, name: '东一社区第一网格', level: 'grid', kind: 'comprehensive' },
      path: [
        { code: '44', name: '广东省', level: 'province' },
        { code: '4413', name: '惠州市', level: 'city' },
        { code: TREE.districtA, name: '惠城区', level: 'district' },
        { code: TREE.streetA, name: '桥东街道', level: 'street' },
        { code: TREE.communityA1, name: '东一社区', level: 'community' },
        { code: TREE.gridA1, name: '东一社区第一网格', level: 'grid' },
      ],
      inGrid: true,
      outsideGrids: false,
    });
    // Scope does not limit locate: a point in another district is placed all the same.
    expect((await dispatcher.get('/api/locate?lng=114.74&lat=23.0')).json().node.code).toBe(EAST);
  });

  it('converts GCJ-02 and BD-09 input: the same numbers land in another grid', async () => {
    const wgs = await resident.get('/api/locate?lng=114.728&lat=22.98');
    expect(wgs.json().node.code).toBe(EAST);
    expect((await resident.get('/api/locate?lng=114.728&lat=22.98&crs=wgs84')).json().node.code).toBe(EAST);
    const gcj = await resident.get('/api/locate?lng=114.728&lat=22.98&crs=gcj02');
    expect(gcj.statusCode).toBe(200);
    expect(gcj.json().node.code).toBe(WEST);
    // The reported point is the WGS-84 one, about 500 m west of the input.
    expect(gcj.json().point.lng).toBeGreaterThan(114.72);
    expect(gcj.json().point.lng).toBeLessThan(114.725);
    const bd = await resident.get('/api/locate?lng=114.735&lat=22.98&crs=bd09');
    expect(bd.json().node.code).toBe(WEST);
    expect((await resident.get('/api/locate?lng=114.735&lat=22.98')).json().node.code).toBe(EAST);
  });

  it('falls back to the deepest division outside every grid, flagged outsideGrids', async () => {
    const community = await resident.get('/api/locate?lng=114.8&lat=23.0');
    expect(community.json()).toMatchObject({
      node: { code: TREE.communityB1, level: 'community', kind: 'admin' },
      inGrid: false,
      outsideGrids: true,
    });
    expect(community.json().path.map((p: { code: string }) => p.code)).toEqual(['44', '4413', TREE.districtB, TREE.streetB, TREE.communityB1]);
    const district = await resident.get('/api/locate?lng=114.65&lat=22.8');
    expect(district.json()).toMatchObject({ node: { code: TREE.districtB, level: 'district' }, outsideGrids: true });
  });

  it('skips retired nodes', async () => {
    const res = await resident.get('/api/locate?lng=114.705&lat=23.02');
    expect(res.json().node.code).toBe(WEST);
    await t.db.query(`UPDATE nodes SET status = 'retired', retired_at = now() WHERE code = $1`, [EAST]);
    const gone = await resident.get('/api/locate?lng=114.74&lat=23.0');
    expect(gone.json()).toMatchObject({ node: { code: B2 }, outsideGrids: true });
    await t.db.query(`UPDATE nodes SET status = 'active', retired_at = NULL WHERE code = $1`, [EAST]);
  });

  it('answers 404 NOT_LOCATED outside everything', async () => {
    const res = await resident.get('/api/locate?lng=120&lat=30');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_LOCATED');
  });
});

describe('POST /api/locate/batch', () => {
  it('answers 401 without a session and 403 without node.locate', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/locate/batch', payload: { points: [{ lng: 114, lat: 23 }] } })).statusCode).toBe(401);
    const nobody = await signIn(t.app, await buildUser(t.db, {}));
    expect((await nobody.post('/api/locate/batch', { points: [{ lng: 114, lat: 23 }] })).statusCode).toBe(403);
  });

  it('answers 400 naming the field', async () => {
    const cases: [unknown, string, string][] = [
      [{}, 'VALIDATION_FAILED', 'points'],
      [{ points: [] }, 'VALIDATION_FAILED', 'points'],
      [{ points: Array.from({ length: 10_001 }, () => ({ lng: 114, lat: 23 })) }, 'VALIDATION_FAILED', 'points'],
      [{ points: [{ lng: 114 }] }, 'VALIDATION_FAILED', 'points.0.lat'],
      [{ points: [{ lng: 114, lat: 23, alt: 5 }] }, 'VALIDATION_FAILED', 'points.0.alt'],
      [{ points: [{ lng: 114, lat: 23 }], crs: 'x' }, 'VALIDATION_FAILED', 'crs'],
      [{ points: [{ lng: 114, lat: 23 }, { lng: 114, lat: 99 }] }, 'COORDINATES_OUT_OF_RANGE', 'points.1.lat'],
    ];
    for (const [body, code, field] of cases) {
      const res = await resident.post('/api/locate/batch', body);
      expect(res.statusCode, field).toBe(400);
      expect(res.json().code, field).toBe(code);
      expect(res.json().fields[0].field, field).toBe(field);
    }
  });

  it('locates many points in order: grids, divisions, nothing', async () => {
    const res = await resident.post('/api/locate/batch', {
      points: [
        { lng: 114.15, lat: 22.95 },
        { lng: 114.8, lat: 23.0 },
        { lng: 120, lat: 30 },
        { lng: 114.728, lat: 22.98 },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([
      { index: 0, node: { code: TREE.gridA1, name: '东一社区第一网格', level: 'grid' }, inGrid: true, outsideGrids: false },
      { index: 1, node: { code: TREE.communityB1, name: '淡水一社区', level: 'community' }, inGrid: false, outsideGrids: true },
      { index: 2, node: null, inGrid: false, outsideGrids: true },
      { index: 3, node: { code: EAST, name: '东网格', level: 'grid' }, inGrid: true, outsideGrids: false },
    ]);
  });

  it('converts GCJ-02 points', async () => {
    const res = await resident.post('/api/locate/batch', { crs: 'gcj02', points: [{ lng: 114.728, lat: 22.98 }, { lng: 114.74, lat: 23.0 }] });
    expect(res.json().results.map((r: { node: { code: string } }) => r.node.code)).toEqual([WEST, EAST]);
  });

  it('takes 10,000 points in one call', async () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ lng: 114.7 + (i % 100) * 0.0005, lat: 22.96 + Math.floor(i / 100) * 0.0008 }));
    const res = await resident.post('/api/locate/batch', { points });
    expect(res.statusCode).toBe(200);
    const results = res.json().results as { index: number; node: { code: string } | null }[];
    expect(results).toHaveLength(10_000);
    expect(results.every((r, i) => r.index === i)).toBe(true);
    // Columns west of 114.725 (i % 100 < 50) land in the west grid, the rest east (114.75 itself is an edge: east).
    expect(results[0]!.node!.code).toBe(WEST);
    expect(results[99]!.node!.code).toBe(EAST);
  });
});
