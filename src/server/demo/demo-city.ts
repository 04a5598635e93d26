/**
 * The demo city (演示城市): Huizhou (惠州市, 4413) with its real divisions,
 * its five districts' real shapes, generated shapes for streets and
 * communities, 2–6 generated grids per community, departments, and one demo
 * account for every role, all with the same known password. Created on the
 * first start in demo mode; never in production mode.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Progress } from '../../cli/progress.js';
import type { AppDeps } from '../context.js';
import type { Db, Transaction } from '../db/db.js';
import { hashPassword } from '../lib/passwords.js';
import { DEMO_DATA_DIR } from '../paths.js';
import { importDivisions } from '../modules/divisions/divisions.service.js';
import { cityCodeOf, parentCodeOf, type Level } from '../../domain/tree.js';
import { shortDivisionName } from '../../domain/divisions.js';
import { DEMO_PASSWORD, planDepartments, planGrids, planUsers, seedOf, type DemoAnchors, type GridPlan } from './demo-plan.js';
import * as repo from './demo.repository.js';

export const DEMO_CITY = { code: '4413', name: '惠州市' } as const;

/** Serializes demo creation between processes sharing one PostgreSQL database. */
const DEMO_LOCK_KEY = 0x5767_0001;

export interface DemoLogin {
  username: string;
  password: string;
  role: string;
  /** Code of the node the role is held at. */
  node: string;
  nodeName: string;
}

export interface DemoMeta {
  createdAt: string;
  logins: DemoLogin[];
  /** What was generated (for people and tests). */
  counts: { districts: number; streets: number; communities: number; grids: number; specialGrids: number; households: number };
}

export interface DemoCityOptions {
  /** District codes to build (default: every district in the GeoJSON, i.e. all five). */
  districts?: string[];
  /**
   * Streets per district whose communities get shapes and grids (default: all).
   * Tests use a small number to build a slice of the city in seconds; the
   * other streets still get their shapes, so districts stay tiled.
   */
  maxStreetsPerDistrict?: number;
  /** GeoJSON of the district shapes (feature id = 6-digit code). */
  geojsonPath?: string;
}

interface DistrictFeature {
  id: string | number;
  properties?: { name?: string };
  geometry: unknown;
}

async function readDistrictShapes(file: string): Promise<Map<string, unknown>> {
  const fc = JSON.parse(await readFile(file, 'utf8')) as { features: DistrictFeature[] };
  return new Map(fc.features.map((f) => [String(f.id), f.geometry]));
}

/**
 * Creates the demo city unless app_meta already has 'demo' (then it is one
 * indexed read). The division import runs first in its own idempotent
 * batches; everything else is ONE transaction that writes 'demo' last, so a
 * start interrupted half-way leaves no demo and the next start redoes it.
 */
export async function ensureDemoCity(deps: AppDeps, progress: Progress, opts: DemoCityOptions = {}): Promise<void> {
  if (await repo.getMeta(deps.db, 'demo')) return;
  await deps.db.withAdvisoryLock(DEMO_LOCK_KEY, async () => {
    if (await repo.getMeta(deps.db, 'demo')) return; // another process made it while we waited
    await generateDemoCity(deps.db, progress, opts);
  });
}

/** Builds the demo city (see ensureDemoCity); returns what it wrote to app_meta 'demo'. */
export async function generateDemoCity(db: Db, progress: Progress, opts: DemoCityOptions = {}): Promise<DemoMeta> {
  const t0 = performance.now();
  const shapes = await readDistrictShapes(opts.geojsonPath ?? path.join(DEMO_DATA_DIR, 'huizhou-districts.geojson'));
  const districts = [...(opts.districts ?? [...shapes.keys()])].sort();
  for (const d of districts) {
    if (!shapes.has(d)) throw new Error(`no shape for district ${d} in the demo GeoJSON`);
    if (d.slice(0, 4) !== DEMO_CITY.code) throw new Error(`district ${d} is not in ${DEMO_CITY.name}`);
  }
  progress.log(`creating the demo city ${DEMO_CITY.name} (${districts.length} districts)…`);
  const allDistricts = districts.length === shapes.size;
  for (const region of allDistricts ? [DEMO_CITY.code] : districts) await importDivisions(db, region, progress);

  // argon2 takes tens of milliseconds per hash: done before the transaction, which must not wait on anything else.
  const passwordHashes = await Promise.all(Array.from({ length: 10 }, () => hashPassword(DEMO_PASSWORD)));

  const meta = await db.transaction(async (trx) => {
    if (db.engine === 'postgres') await trx.query(`SET LOCAL jit = off`); // JIT compiles for a second on PostGIS' high cost estimates
    return buildInTransaction(trx, progress, shapes, districts, opts, passwordHashes);
  });
  progress.log(
    `demo city ready: ${meta.counts.streets} streets, ${meta.counts.communities} communities, ${meta.counts.grids} grids ` +
      `(${meta.counts.specialGrids} special), ${meta.counts.households.toLocaleString('en-US')} households, ` +
      `${meta.logins.length} demo logins (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return meta;
}

async function buildInTransaction(
  trx: Transaction,
  progress: Progress,
  shapes: Map<string, unknown>,
  districts: string[],
  opts: DemoCityOptions,
  passwordHashes: string[],
): Promise<DemoMeta> {
  const city = DEMO_CITY.code;
  const steps = 8;
  let step = 0;
  let t = performance.now();
  const done = (what: string) => {
    progress.update(++step);
    const now = performance.now();
    progress.log(`  demo: ${what} (${Math.round(now - t)} ms)`);
    t = now;
  };
  progress.start('demo city', steps);
  try {
    for (const d of districts) await repo.setBoundaryFromGeoJson(trx, d, shapes.get(d));
    await repo.setCityBoundaryFromDistricts(trx, city);
    done(`district shapes (${districts.length})`);

    const nStreets = await tile(trx, city, districts, 'street', 'streets');
    done(`street shapes (${nStreets})`);

    const streets = await repo.listNodes(trx, city, 'street', districts);
    const byDistrict = new Map<string, string[]>();
    for (const s of streets) byDistrict.set(s.parent_code!, [...(byDistrict.get(s.parent_code!) ?? []), s.code]);
    const activeStreets = districts.flatMap((d) => (byDistrict.get(d) ?? []).slice(0, opts.maxStreetsPerDistrict ?? Infinity));
    const nCommunities = await tile(trx, city, activeStreets, 'community', 'communities');
    done(`community shapes (${nCommunities})`);

    const communities = await repo.listNodes(trx, city, 'community', activeStreets);
    const grids = planGrids(communities.map((c) => ({ code: c.code, name: c.name, shortName: c.attributes.shortName ?? shortDivisionName(c.name, 'community') })));
    await repo.upsertGrids(trx, grids);
    const nGrids = await tile(trx, city, communities.map((c) => c.code), 'grid', 'grids');
    done(`grids (${nGrids})`);

    for (const level of ['grid', 'community', 'street', 'district'] as const) await repo.rollUpHouseholds(trx, city, city, level);
    await repo.rollUpHouseholds(trx, cityCodeOf(parentCodeOf(city)!), city, 'city');
    done('households rolled up');

    const anchors = await chooseAnchors(trx, districts[0]!, grids);
    const cityDepts = planDepartments(anchors.city.name);
    const districtDepts = planDepartments(anchors.city.name, anchors.district.name);
    const deptIds = new Map<string, number>();
    for (const d of cityDepts) await repo.upsertDepartment(trx, city, d.name, d.kind);
    for (const d of districtDepts) deptIds.set(d.kind, await repo.upsertDepartment(trx, anchors.district.code, d.name, d.kind));
    done(`departments (${cityDepts.length + districtDepts.length})`);

    const users = planUsers(anchors);
    const logins: DemoLogin[] = [];
    for (const [i, u] of users.entries()) {
      await repo.upsertDemoUser(trx, {
        username: u.username,
        displayName: u.displayName,
        passwordHash: passwordHashes[i % passwordHashes.length]!,
        role: u.role,
        nodeCode: u.node.code,
        departmentId: u.departmentKind ? (deptIds.get(u.departmentKind) ?? null) : null,
      });
      logins.push({ username: u.username, password: DEMO_PASSWORD, role: u.role, node: u.node.code, nodeName: u.node.name });
    }
    done(`demo users (${users.length})`);

    const extent = await repo.extentOf(trx, city);
    await repo.setMeta(trx, 'city', { code: city, name: anchors.city.name, center: extent?.center ?? null, bbox: extent?.bbox ?? null });
    const households = grids.reduce((n, g) => n + g.households, 0);
    const meta: DemoMeta = {
      createdAt: new Date().toISOString(),
      logins,
      counts: {
        districts: districts.length,
        streets: nStreets,
        communities: nCommunities,
        grids: nGrids,
        specialGrids: grids.filter((g) => g.kind === 'special').length,
        households,
      },
    };
    await repo.setMeta(trx, 'demo', meta); // last: its presence means the demo is complete
    done('app_meta written');
    return meta;
  } finally {
    progress.stop();
  }
}

/** Tiles each parent with its children and checks that none was left without a shape. */
async function tile(trx: Transaction, city: string, parents: string[], level: Level, label: string): Promise<number> {
  const n = await repo.tileChildren(trx, city, parents.map((code) => ({ code, seed: seedOf(code, level) })));
  const missing = await repo.countUntiled(trx, city, parents);
  if (missing) throw new Error(`demo: ${missing} ${label} got no shape`);
  return n;
}

/** The nodes the demo users sit at: the first district, its first street with grids, its first community, its first grid. */
async function chooseAnchors(trx: Transaction, district: string, grids: GridPlan[]): Promise<DemoAnchors> {
  const first = grids.find((g) => g.code.startsWith(district) && g.kind === 'comprehensive');
  if (!first) throw new Error(`demo: no grid in district ${district}`);
  const node = async (code: string) => {
    const n = await repo.getNode(trx, code);
    if (!n) throw new Error(`demo: node ${code} is missing`);
    return n;
  };
  const community = await node(first.communityCode);
  return {
    city: await node(DEMO_CITY.code),
    district: await node(district),
    street: await node(parentCodeOf(first.communityCode)!),
    community: { code: community.code, name: shortDivisionName(community.name, 'community') },
    grid: { code: first.code, name: first.name },
  };
}
