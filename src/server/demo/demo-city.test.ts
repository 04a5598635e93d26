import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentProgress, type Progress } from '../../cli/progress.js';
import { loadConfig } from '../config.js';
import type { AppDeps } from '../context.js';
import type { Db } from '../db/db.js';
import { loadDataKeys, PersonalData } from '../lib/personal-data.js';
import { verifyPassword } from '../lib/passwords.js';
import { ROLES } from '../../domain/permissions.js';
import { openTestDb } from '../../../test/engines.js';
import { ensureDemoCity, type DemoMeta } from './demo-city.js';
import { DEMO_PASSWORD } from './demo-plan.js';

/** One district, two streets: a slice of the city that builds in seconds on either engine. */
const SCOPE = { districts: ['441302'], maxStreetsPerDistrict: 2 };

let db: Db;
let deps: AppDeps;
beforeAll(async () => {
  db = await openTestDb();
  deps = { db, config: loadConfig({ WANGGE_MODE: 'test', LOG_LEVEL: 'silent' }), pd: new PersonalData(loadDataKeys(undefined)) };
}, 120_000);
afterAll(async () => {
  await db?.close();
});

const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params))[0]!.n;

/**
 * For each parent of `parentLevel` that has children of `childLevel` with
 * shapes: the children's area against the parent's, overlaps between
 * siblings, and area of children outside the parent (all relative).
 * Fixed-precision overlays (grid 1e-9°): PGlite's GEOS returns no rows at all
 * on some floating overlays (see demo.repository.ts), which a length check
 * below would catch.
 */
async function tilingErrors(parentLevel: string, childLevel: string) {
  return db.query<{ code: string; kids: number; area_gap: number; overlap: number; outside: number }>(
    `WITH kids AS (SELECT parent_code, code, boundary FROM nodes WHERE city_code = '4413' AND level = $2 AND boundary IS NOT NULL)
     SELECT p.code, (SELECT count(*) FROM kids k WHERE k.parent_code = p.code)::int AS kids,
            abs((SELECT sum(ST_Area(k.boundary)) FROM kids k WHERE k.parent_code = p.code) - ST_Area(p.boundary)) / ST_Area(p.boundary) AS area_gap,
            coalesce((SELECT sum(ST_Area(ST_Intersection(a.boundary, b.boundary, 1e-9))) FROM kids a JOIN kids b
                       ON a.parent_code = p.code AND b.parent_code = p.code AND a.code < b.code AND ST_Intersects(a.boundary, b.boundary)), 0)
              / ST_Area(p.boundary) AS overlap,
            (SELECT sum(ST_Area(ST_Difference(k.boundary, p.boundary, 1e-9))) FROM kids k WHERE k.parent_code = p.code) / ST_Area(p.boundary) AS outside
       FROM nodes p
      WHERE p.city_code = '4413' AND p.level = $1 AND EXISTS (SELECT 1 FROM kids k WHERE k.parent_code = p.code)
      ORDER BY p.code`,
    [parentLevel, childLevel],
  );
}

describe('ensureDemoCity on a slice of Huizhou', () => {
  it('an interrupted first start leaves no demo behind', async () => {
    // A progress reporter that fails in the middle of the generation (after the grids), as a killed start would.
    let inDemo = false;
    let steps = 0;
    const failing: Progress = {
      ...silentProgress,
      start: (label) => {
        inDemo = label === 'demo city';
      },
      update: () => {
        if (inDemo && ++steps === 5) throw new Error('interrupted');
      },
    };
    await expect(ensureDemoCity(deps, failing, SCOPE)).rejects.toThrow('interrupted');
    expect(await count(`SELECT count(*)::int AS n FROM app_meta WHERE key IN ('demo', 'city')`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM nodes WHERE level = 'grid'`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM nodes WHERE boundary IS NOT NULL`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM users`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM departments`)).toBe(0);
    // the divisions (idempotent, imported before) may stay
    expect(await count(`SELECT count(*)::int AS n FROM nodes WHERE code = '441302001001'`)).toBe(1);
  });

  it('the next start builds it', async () => {
    await ensureDemoCity(deps, silentProgress, SCOPE);
    const demo = (await db.query<{ value: DemoMeta }>(`SELECT value FROM app_meta WHERE key = 'demo'`))[0]?.value;
    expect(demo).toBeDefined();
    expect(demo!.counts.districts).toBe(1);
    expect(demo!.counts.streets).toBe(21);
    expect(demo!.counts.communities).toBe(26); // 13 + 13 in the first two streets
    expect(demo!.counts.grids).toBe(await count(`SELECT count(*)::int AS n FROM nodes WHERE level = 'grid'`));
  });

  it('gives the district its real shape and the city a boundary, centre and bbox', async () => {
    const [d] = await db.query<{ area: number; valid: boolean }>(`SELECT ST_Area(boundary) AS area, ST_IsValid(boundary) AS valid FROM nodes WHERE code = '441302'`);
    expect(d!.valid).toBe(true);
    expect(d!.area).toBeCloseTo(0.1312, 3); // square degrees of 惠城区 in the shipped GeoJSON
    const city = (await db.query<{ value: { code: string; name: string; center: number[]; bbox: number[] } }>(`SELECT value FROM app_meta WHERE key = 'city'`))[0]!
      .value;
    expect(city).toMatchObject({ code: '4413', name: '惠州市' });
    const [x0, y0, x1, y1] = city.bbox;
    expect(x0).toBeGreaterThan(113.5);
    expect(x1).toBeLessThan(115.5);
    expect(y0).toBeGreaterThan(22.3);
    expect(y1).toBeLessThan(24);
    expect(city.center[0]).toBeGreaterThan(x0!);
    expect(city.center[0]).toBeLessThan(x1!);
    expect(city.center[1]).toBeGreaterThan(y0!);
    expect(city.center[1]).toBeLessThan(y1!);
  });

  it('streets tile the district, communities tile their street, grids tile their community', async () => {
    for (const [parent, child, parents] of [
      ['district', 'street', 1],
      ['street', 'community', 2],
      ['community', 'grid', 26],
    ] as const) {
      const rows = await tilingErrors(parent, child);
      expect(rows, `${child}s in ${parent}s`).toHaveLength(parents);
      for (const r of rows) {
        expect(r.area_gap, `${child} area vs ${parent} ${r.code}`).toBeLessThan(0.01);
        expect(r.overlap, `${child} overlaps in ${parent} ${r.code}`).toBeLessThan(1e-6);
        expect(r.outside, `${child} outside ${parent} ${r.code}`).toBeLessThan(1e-6);
      }
    }
    expect(await count(`SELECT count(*)::int AS n FROM nodes WHERE boundary IS NOT NULL AND (ST_IsEmpty(boundary) OR NOT ST_IsValid(boundary))`)).toBe(0);
  });

  it('grids: 2–6 comprehensive per community, coded and named after it, 200–500 households, a few special grids', async () => {
    const grids = await db.query<{ code: string; parent_code: string; name: string; kind: string; households: number; path: string; depth: number; source: string }>(
      `SELECT code, parent_code, name, kind, households, path::text AS path, depth, source FROM nodes WHERE level = 'grid' ORDER BY code`,
    );
    const perCommunity = new Map<string, number>();
    for (const g of grids) {
      expect(g.code).toMatch(/^\d{15}$/);
      expect(g.code.slice(0, 12)).toBe(g.parent_code);
      expect(g.path).toBe(`44.4413.441302.${g.code.slice(0, 9)}.${g.parent_code}.${g.code}`);
      expect(g.depth).toBe(6);
      expect(g.source).toBe('demo');
      if (g.kind === 'comprehensive') {
        perCommunity.set(g.parent_code, (perCommunity.get(g.parent_code) ?? 0) + 1);
        expect(g.name).toMatch(/^.+(社区|村)第\d网格$/);
        expect(g.households).toBeGreaterThanOrEqual(200);
        expect(g.households).toBeLessThanOrEqual(500);
      } else {
        expect(g.kind).toBe('special');
        expect(g.name).toMatch(/专属网格$/);
      }
    }
    expect(perCommunity.size).toBe(26);
    for (const n of perCommunity.values()) {
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(6);
    }
    const [first] = grids;
    expect(first).toMatchObject({ code: '441302001001001', name: '东湖社区第1网格', kind: 'comprehensive' });
    const special = await db.query<{ attributes: { specialType: string } }>(`SELECT attributes FROM nodes WHERE kind = 'special'`);
    expect(special.map((s) => s.attributes.specialType).sort()).toEqual(['hospital', 'industrial_park', 'market', 'school']);
  });

  it('households add up the tree', async () => {
    const bad = await db.query(
      `SELECT p.code, p.households, s.h FROM nodes p
         JOIN (SELECT parent_code, sum(households)::int AS h FROM nodes WHERE households IS NOT NULL GROUP BY parent_code) s ON s.parent_code = p.code
        WHERE p.households IS DISTINCT FROM s.h`,
    );
    expect(bad).toEqual([]);
    const total = await count(`SELECT sum(households)::int AS n FROM nodes WHERE level = 'grid'`);
    expect(total).toBeGreaterThan(0);
    expect(await count(`SELECT households AS n FROM nodes WHERE code = '4413'`)).toBe(total);
    expect(await count(`SELECT households AS n FROM nodes WHERE code = '44'`)).toBe(total);
  });

  it('has a user for every role with the demo password, at sensible nodes, listed in app_meta', async () => {
    const rows = await db.query<{ username: string; password_hash: string; role: string; node_code: string; level: string; department_id: number | null; dept_kind: string | null; dept_node: string | null }>(
      `SELECT u.username, u.password_hash, r.role, r.node_code, n.level, r.department_id, d.kind AS dept_kind, d.node_code AS dept_node
         FROM users u JOIN role_assignments r ON r.user_id = u.id JOIN nodes n ON n.code = r.node_code LEFT JOIN departments d ON d.id = r.department_id
        ORDER BY u.username`,
    );
    expect(new Set(rows.map((r) => r.role))).toEqual(new Set(ROLES));
    const by = new Map(rows.map((r) => [r.username, r]));
    expect(by.get('admin')).toMatchObject({ role: 'administrator', node_code: '4413' });
    expect(by.get('leader')).toMatchObject({ role: 'leader', node_code: '4413' });
    expect(by.get('dispatcher')).toMatchObject({ role: 'dispatcher', node_code: '4413' });
    expect(by.get('hcdispatcher')).toMatchObject({ role: 'dispatcher', node_code: '441302' });
    expect(by.get('street')).toMatchObject({ role: 'street_officer', node_code: '441302001', level: 'street' });
    expect(by.get('secretary')).toMatchObject({ role: 'community_secretary', node_code: '441302001001', level: 'community' });
    expect(by.get('gridleader')).toMatchObject({ role: 'grid_leader', node_code: '441302001001', level: 'community' });
    expect(by.get('gridworker')).toMatchObject({ role: 'grid_worker', node_code: '441302001001001', level: 'grid' });
    expect(by.get('resident')).toMatchObject({ role: 'resident', level: 'grid' });
    expect(by.get('police')).toMatchObject({ role: 'department_staff', node_code: '441302', dept_kind: 'police', dept_node: '441302' });
    for (const r of rows) expect(r.department_id === null).toBe(r.role !== 'department_staff');
    expect(await verifyPassword(by.get('gridworker')!.password_hash, DEMO_PASSWORD)).toBe(true);
    expect(await verifyPassword(by.get('admin')!.password_hash, 'wrong-Password-1')).toBe(false);

    const demo = (await db.query<{ value: DemoMeta }>(`SELECT value FROM app_meta WHERE key = 'demo'`))[0]!.value;
    expect(demo.logins.map((l) => l.username).sort()).toEqual(rows.map((r) => r.username).sort());
    for (const l of demo.logins) {
      expect(l.password).toBe(DEMO_PASSWORD);
      expect(l.node).toBe(by.get(l.username)!.node_code);
      expect(l.nodeName).toBeTruthy();
    }
    expect(demo.logins.find((l) => l.username === 'gridworker')).toMatchObject({ nodeName: '东湖社区第1网格' });
  });

  it('sets up ten departments at the city and ten at the district', async () => {
    const rows = await db.query<{ node_code: string; n: number; kinds: string[] }>(
      `SELECT node_code, count(*)::int AS n, array_agg(kind ORDER BY kind) AS kinds FROM departments GROUP BY node_code ORDER BY node_code`,
    );
    expect(rows.map((r) => [r.node_code, r.n])).toEqual([
      ['4413', 10],
      ['441302', 10],
    ]);
    expect(rows[0]!.kinds).toEqual(rows[1]!.kinds);
    expect(await count(`SELECT count(*)::int AS n FROM departments WHERE name = '惠州市公安局'`)).toBe(1);
  });

  it('a second call does nothing', async () => {
    const snapshot = async () =>
      db.query(
        `SELECT (SELECT count(*) FROM nodes)::int AS nodes, (SELECT max(updated_at) FROM nodes) AS nodes_at,
                (SELECT count(*) FROM users)::int AS users, (SELECT max(updated_at) FROM users) AS users_at,
                (SELECT max(updated_at) FROM app_meta) AS meta_at, (SELECT count(*) FROM departments)::int AS departments`,
      );
    const before = await snapshot();
    let touched = false;
    const watching: Progress = { start: () => (touched = true), update: () => (touched = true), stop: () => undefined, log: () => (touched = true) };
    await ensureDemoCity(deps, watching, SCOPE);
    expect(touched).toBe(false);
    expect(await snapshot()).toEqual(before);
  });
});
