/**
 * Locate (落格) at city scale: 100,000 grid polygons in 1,000 communities, 40
 * streets and 4 districts laid out as a lattice over a 0.6° × 0.375° area
 * (about 60 × 40 km). Grids are squares of ~150 m with 20 vertices, shrunk by
 * 5 % on each side so that ~19 % of random points fall between grids (and are
 * placed in their community). Division boundaries are densified to hundreds
 * or thousands of vertices, like real district shapes, because every point is
 * also tested against them.
 *
 * Measures, on each engine:
 *   - single-point latency: many sequential calls of the real locate query
 *     (locate.repository), timed around the driver call (p50/p99/max);
 *   - the GeoJSON map layer of a community (100 grids) and a district;
 *   - batch throughput: the one-statement batch query, 1,000 and 10,000
 *     points per call (on PostgreSQL also two calls at once, one per core);
 *   - the HTTP endpoint with autocannon: the app built in-process on the bench
 *     database, listening on a free port, a signed-in session cookie.
 *
 *   npm run bench -- locate [--engine pglite|postgres|both] [--points 20000] [--duration 10]
 */
import autocannon from 'autocannon';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import type { Db } from '../src/server/db/db.js';
import { loadDataKeys, PersonalData } from '../src/server/lib/personal-data.js';
import { hashPassword } from '../src/server/lib/passwords.js';
import { locatePoint, locatePoints, locatePointSql, locatePointsSql } from '../src/server/modules/locate/locate.repository.js';
import { featureCollection } from '../src/server/modules/nodes/nodes.repository.js';
import { enginesFromArgs, openBenchDb, percentile, report, type BenchEngine } from './util.js';

const X0 = 114.2;
const Y0 = 22.9;
const COMMUNITY = 0.015; // degrees: 10 × 10 grids of 0.0015°
const GRID = COMMUNITY / 10;
const MARGIN = GRID * 0.05;
const COLS = 40; // communities across (4 districts × 10 streets, one column each)
const ROWS = 25; // communities down each street
const WIDTH = COLS * COMMUNITY;
const HEIGHT = ROWS * COMMUNITY;

function argNumber(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** A deterministic random sequence, so both engines get the same points. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPoints(n: number, seed: number): { lng: number; lat: number }[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({ lng: X0 + r() * WIDTH, lat: Y0 + r() * HEIGHT }));
}

/** Builds the synthetic city in SQL (generate_series): 1,046 divisions and 100,000 grids. */
async function buildCity(db: Db): Promise<void> {
  const env = (x0: string, y0: string, x1: string, y1: string, seg: number) =>
    `ST_Multi(ST_Segmentize(ST_MakeEnvelope(${x0}, ${y0}, ${x1}, ${y1}, 4326), ${seg}))`;
  const cols = `city_code, code, parent_code, name, level, kind, path, depth, boundary, source`;
  await db.exec(`
    INSERT INTO nodes (${cols}) VALUES
      ('4400', '44', NULL, '广东省', 'province', 'admin', '44', 1, NULL, 'demo'),
      ('4413', '4413', '44', '基准市', 'city', 'admin', '44.4413', 2, ${env(String(X0), String(Y0), String(X0 + WIDTH), String(Y0 + HEIGHT), 0.001)}, 'demo');

    INSERT INTO nodes (${cols})
    SELECT '4413', '4413' || lpad((d + 1)::text, 2, '0'), '4413', '基准区' || (d + 1), 'district', 'admin',
           ('44.4413.4413' || lpad((d + 1)::text, 2, '0'))::ltree, 3,
           ${env(`${X0} + d * ${COMMUNITY * 10}`, String(Y0), `${X0} + (d + 1) * ${COMMUNITY * 10}`, String(Y0 + HEIGHT), 0.001)}, 'demo'
      FROM generate_series(0, 3) d;

    INSERT INTO nodes (${cols})
    SELECT '4413', dc || lpad((s + 1)::text, 3, '0'), dc, '街道' || (d * 10 + s + 1), 'street', 'admin',
           ('44.4413.' || dc || '.' || dc || lpad((s + 1)::text, 3, '0'))::ltree, 4,
           ${env(`${X0} + (d * 10 + s) * ${COMMUNITY}`, String(Y0), `${X0} + (d * 10 + s + 1) * ${COMMUNITY}`, String(Y0 + HEIGHT), 0.002)}, 'demo'
      FROM generate_series(0, 3) d, generate_series(0, 9) s, LATERAL (SELECT '4413' || lpad((d + 1)::text, 2, '0') AS dc) x;

    INSERT INTO nodes (${cols})
    SELECT '4413', st || lpad((cy + 1)::text, 3, '0'), st, '社区' || (cx * 100 + cy + 1), 'community', 'admin',
           ('44.4413.' || left(st, 6) || '.' || st || '.' || st || lpad((cy + 1)::text, 3, '0'))::ltree, 5,
           ${env(`${X0} + cx * ${COMMUNITY}`, `${Y0} + cy * ${COMMUNITY}`, `${X0} + (cx + 1) * ${COMMUNITY}`, `${Y0} + (cy + 1) * ${COMMUNITY}`, 0.0005)}, 'demo'
      FROM generate_series(0, ${COLS - 1}) cx, generate_series(0, ${ROWS - 1}) cy,
           LATERAL (SELECT '4413' || lpad((cx / 10 + 1)::text, 2, '0') || lpad((cx % 10 + 1)::text, 3, '0') AS st) x;
  `);
  // Grids one district at a time: keeps each statement (and PGlite's memory) moderate.
  for (let d = 0; d < 4; d++) {
    await db.exec(`
      INSERT INTO nodes (${cols})
      SELECT '4413', cm || lpad((gy * 10 + gx + 1)::text, 3, '0'), cm, '网格' || cm || lpad((gy * 10 + gx + 1)::text, 3, '0'), 'grid', 'comprehensive',
             ('44.4413.' || left(cm, 6) || '.' || left(cm, 9) || '.' || cm || '.' || cm || lpad((gy * 10 + gx + 1)::text, 3, '0'))::ltree, 6,
             ${env(
               `${X0} + cx * ${COMMUNITY} + gx * ${GRID} + ${MARGIN}`,
               `${Y0} + cy * ${COMMUNITY} + gy * ${GRID} + ${MARGIN}`,
               `${X0} + cx * ${COMMUNITY} + (gx + 1) * ${GRID} - ${MARGIN}`,
               `${Y0} + cy * ${COMMUNITY} + (gy + 1) * ${GRID} - ${MARGIN}`,
               0.0003,
             )}, 'demo'
        FROM generate_series(${d * 10}, ${d * 10 + 9}) cx, generate_series(0, ${ROWS - 1}) cy,
             generate_series(0, 9) gx, generate_series(0, 9) gy,
             LATERAL (SELECT '4413' || lpad((cx / 10 + 1)::text, 2, '0') || lpad((cx % 10 + 1)::text, 3, '0') || lpad((cy + 1)::text, 3, '0') AS cm) x;
    `);
  }
  await db.exec('ANALYZE nodes');
}

async function benchSingle(engine: BenchEngine, db: Db, n: number): Promise<void> {
  const warm = randomPoints(1000, 7);
  for (const p of warm) await locatePoint(db, p.lng, p.lat);
  const points = randomPoints(n, 42);
  const ms: number[] = [];
  let inGrid = 0;
  let located = 0;
  const t0 = performance.now();
  for (const p of points) {
    const s = performance.now();
    const hit = await locatePoint(db, p.lng, p.lat);
    ms.push(performance.now() - s);
    if (hit) located++;
    if (hit?.level === 'grid') inGrid++;
  }
  const wall = performance.now() - t0;
  ms.sort((a, b) => a - b);
  report('locate.single', engine, {
    queries: n,
    p50_ms: percentile(ms, 50),
    p95_ms: percentile(ms, 95),
    p99_ms: percentile(ms, 99),
    max_ms: ms[ms.length - 1]!,
    per_s: (n / wall) * 1000,
    located_pct: (located / n) * 100,
    in_grid_pct: (inGrid / n) * 100,
  });
}

/**
 * The same single-point statement timed inside the database (PL/pgSQL
 * EXECUTE … USING, planned and run each time like a client's statement) to
 * tell the database's cost from the client round trip and scheduling.
 * PGlite's clock_timestamp() ticks in whole milliseconds: read its mean.
 */
async function benchSingleInDb(engine: BenchEngine, db: Db, n: number): Promise<void> {
  const points = randomPoints(n, 43);
  const ms = await db.transaction(async (trx) => {
    await trx.exec(`
      CREATE FUNCTION pg_temp.time_locate(q text, xs float8[], ys float8[]) RETURNS float8[] AS $fn$
      DECLARE t timestamptz; r record; out float8[] := array_fill(0::float8, ARRAY[array_length(xs, 1)]);
      BEGIN
        FOR i IN 1 .. array_length(xs, 1) LOOP
          t := clock_timestamp();
          EXECUTE q INTO r USING xs[i], ys[i];
          out[i] := extract(epoch FROM clock_timestamp() - t) * 1000;
        END LOOP;
        RETURN out;
      END $fn$ LANGUAGE plpgsql`);
    const [row] = await trx.query<{ ms: number[] }>(`SELECT pg_temp.time_locate($1, $2, $3) AS ms`, [
      locatePointSql(),
      points.map((p) => p.lng),
      points.map((p) => p.lat),
    ]);
    return row!.ms.map(Number);
  });
  ms.sort((a, b) => a - b);
  report('locate.single_in_db', engine, {
    queries: n,
    mean_ms: ms.reduce((a, b) => a + b, 0) / n,
    p50_ms: percentile(ms, 50),
    p95_ms: percentile(ms, 95),
    p99_ms: percentile(ms, 99),
    max_ms: ms[ms.length - 1]!,
  });
}

/** The map layer of a community (its 100 grids) and of a district (its 10 streets), as the console asks for it. */
async function benchGeojson(engine: BenchEngine, db: Db): Promise<void> {
  for (const [what, code, simplify] of [
    ['community_100_grids', '441301001001', undefined],
    ['district_10_streets', '441301', undefined],
    ['district_10_streets_simplified', '441301', 0.0005],
  ] as const) {
    const ms: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 30; i++) {
      const s = performance.now();
      bytes = (await featureCollection(db, code, simplify)).length;
      ms.push(performance.now() - s);
    }
    ms.sort((a, b) => a - b);
    report('locate.geojson', engine, { layer: what, p50_ms: percentile(ms, 50), max_ms: ms[ms.length - 1]!, kb: bytes / 1024 });
  }
}

async function benchBatch(engine: BenchEngine, db: Db, size: number, calls: number, parallel: number): Promise<void> {
  const batches = Array.from({ length: calls * parallel }, (_, i) => randomPoints(size, 1000 + i));
  const run = (b: { lng: number; lat: number }[]) => db.transaction((trx) => locatePoints(trx, b.map((p) => p.lng), b.map((p) => p.lat)));
  await run(batches[0]!); // warm
  const per: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async (_, w) => {
      for (let c = 0; c < calls; c++) {
        const b = batches[w * calls + c]!;
        const s = performance.now();
        const rows = await run(b);
        per.push(performance.now() - s);
        if (rows.length !== size) throw new Error(`batch returned ${rows.length} rows for ${size} points`);
      }
    }),
  );
  const wall = performance.now() - t0;
  per.sort((a, b) => a - b);
  report('locate.batch', engine, {
    points_per_call: size,
    calls: calls * parallel,
    parallel,
    call_p50_ms: percentile(per, 50),
    points_per_s: ((size * calls * parallel) / wall) * 1000,
  });
}

/**
 * Prints the index scans of the batch plan (the same two steps as the
 * locate_node() function, whose inner plans EXPLAIN does not show): both
 * partial GiST indexes must appear.
 */
async function showPlan(engine: BenchEngine, db: Db): Promise<void> {
  const rows = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${locatePointsSql()}`, [[X0 + 0.3], [Y0 + 0.2]]);
  const plan = rows.map((r) => r['QUERY PLAN'].trim());
  const scans = plan.filter((l) => /Index Scan|One-Time Filter/.test(l));
  const ok = scans.some((l) => /nodes_grid_boundary_gist/.test(l)) && scans.some((l) => /nodes_division_boundary_gist/.test(l));
  console.log(`plan [${engine}]: ${ok ? 'uses both partial GiST indexes' : 'MISSING an index:'}\n  ${(ok ? scans : plan).join('\n  ')}`);
}

async function benchHttp(engine: BenchEngine, db: Db, durationS: number, connections: number[]): Promise<void> {
  const config = loadConfig({ WANGGE_MODE: 'test', LOG_LEVEL: 'silent' });
  const app = await buildApp({ db, config, pd: new PersonalData(loadDataKeys(undefined)) }, { serveWeb: false, logger: false });
  const password = 'Bench-pass-123';
  const [user] = await db.query<{ id: string }>(
    `INSERT INTO users (city_code, username, display_name, password_hash) VALUES ('4413', 'bench_resident', 'Bench', $1) RETURNING id`,
    [await hashPassword(password)],
  );
  await db.query(`INSERT INTO role_assignments (city_code, user_id, role, node_code) VALUES ('4413', $1, 'resident', '4413')`, [user!.id]);
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const port = (app.server.address() as AddressInfo).port;
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'bench_resident', password }),
    });
    if (!login.ok) throw new Error(`bench sign-in failed: ${login.status} ${await login.text()}`);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const paths = randomPoints(5000, 99).map((p) => `/api/locate?lng=${p.lng.toFixed(6)}&lat=${p.lat.toFixed(6)}`);
    // Calibration: the same app and cookie on /healthz (the session is still loaded, nothing else is read).
    const base = await autocannon({ url: `http://127.0.0.1:${port}/healthz`, connections: connections[0]!, duration: Math.min(5, durationS), headers: { cookie } });
    report('locate.http_baseline_healthz', engine, { connections: connections[0]!, req_per_s: base.requests.average, p99_ms: base.latency.p99, non2xx: base.non2xx });
    let i = 0;
    for (const c of connections) {
      const result = await autocannon({
        url: `http://127.0.0.1:${port}`,
        connections: c,
        duration: durationS,
        headers: { cookie },
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
      });
      report('locate.http', engine, {
        connections: c,
        duration_s: durationS,
        req_per_s: result.requests.average,
        p50_ms: result.latency.p50,
        p99_ms: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
      });
    }
  } finally {
    await app.close();
  }
}

export default async function (args: string[]) {
  const n = argNumber(args, '--points', 20_000);
  const duration = argNumber(args, '--duration', 10);
  // Other work on the machine skews every figure: say how busy it was.
  console.log(`cpus=${os.cpus().length} loadavg_1m=${os.loadavg()[0]!.toFixed(2)}`);
  for (const engine of enginesFromArgs(args)) {
    const bench = await openBenchDb(engine, 20);
    try {
      const t0 = performance.now();
      await buildCity(bench.db);
      const [count] = await bench.db.query<{ grids: number; all: number }>(
        `SELECT count(*) FILTER (WHERE level = 'grid') AS grids, count(*) AS all FROM nodes`,
      );
      report('locate.build', engine, { grids: count!.grids, nodes: count!.all, build_s: (performance.now() - t0) / 1000 });
      await showPlan(engine, bench.db);
      await benchSingleInDb(engine, bench.db, n);
      await benchSingle(engine, bench.db, n);
      await benchGeojson(engine, bench.db);
      await benchBatch(engine, bench.db, 1_000, 20, 1);
      await benchBatch(engine, bench.db, 10_000, 5, 1);
      if (engine === 'postgres') await benchBatch(engine, bench.db, 10_000, 5, 2);
      await benchHttp(engine, bench.db, duration, engine === 'postgres' ? [10, 50] : [10]);
      console.log(`loadavg_1m=${os.loadavg()[0]!.toFixed(2)} after ${engine}`);
    } finally {
      await bench.close();
    }
  }
}
