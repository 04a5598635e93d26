/**
 * Shared helpers of the case benchmarks (intake, queue): a synthetic city laid
 * out as a lattice (5 districts × 14 streets × 19 communities × 3 grids =
 * 3,990 grids, about Huizhou's 3,533), departments of every kind at the city
 * and each district, users for each role the benchmarks sign in as, and the
 * app listening on a free port.
 */
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import type { Db } from '../src/server/db/db.js';
import { DEPARTMENT_KINDS } from '../src/domain/departments.js';
import { loadDataKeys, PersonalData } from '../src/server/lib/personal-data.js';
import { hashPassword } from '../src/server/lib/passwords.js';
import type { Role } from '../src/domain/permissions.js';

export const CITY = '4413';
export const X0 = 114.2;
export const Y0 = 22.9;
export const DISTRICTS = 5;
export const STREETS = 14; // per district: 2 columns × 7 rows
export const COMMUNITIES = 19; // per street: 4 columns × 5 rows, one left empty
export const GRIDS = 3; // per community: vertical strips

const D_W = 0.14;
const D_H = 0.385;
const S_W = D_W / 2;
const S_H = D_H / 7;
const C_W = S_W / 4;
const C_H = S_H / 5;
const G_W = C_W / GRIDS;

export function argNumber(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
}

/** A deterministic random sequence (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const env = (x0: string, y0: string, x1: string, y1: string, seg: number) =>
  `ST_Multi(ST_Segmentize(ST_MakeEnvelope(${x0}, ${y0}, ${x1}, ${y1}, 4326), ${seg}))`;

/**
 * Builds the lattice city in SQL (generate_series): province, city, 5
 * districts, 70 streets, 1,330 communities, 3,990 grids with boundaries and
 * households, and a department of every kind at the city and each district.
 */
export async function buildBenchCity(db: Db): Promise<{ grids: number; departments: number }> {
  const cols = `city_code, code, parent_code, name, level, kind, path, depth, boundary, households, source`;
  await db.exec(`
    INSERT INTO nodes (${cols}) VALUES
      ('4400', '44', NULL, '广东省', 'province', 'admin', '44', 1, NULL, NULL, 'demo'),
      ('${CITY}', '${CITY}', '44', '基准市', 'city', 'admin', '44.${CITY}', 2, ${env(String(X0), String(Y0), String(X0 + DISTRICTS * D_W), String(Y0 + D_H), 0.002)}, NULL, 'demo');

    INSERT INTO nodes (${cols})
    SELECT '${CITY}', dc, '${CITY}', '基准' || (d + 1) || '区', 'district', 'admin', ('44.${CITY}.' || dc)::ltree, 3,
           ${env(`${X0} + d * ${D_W}`, String(Y0), `${X0} + (d + 1) * ${D_W}`, String(Y0 + D_H), 0.002)}, NULL, 'demo'
      FROM generate_series(0, ${DISTRICTS - 1}) d, LATERAL (SELECT '${CITY}' || lpad((d + 1)::text, 2, '0') AS dc) x;

    INSERT INTO nodes (${cols})
    SELECT '${CITY}', sc, dc, '基准' || (d + 1) || '区' || (s + 1) || '街道', 'street', 'admin', ('44.${CITY}.' || dc || '.' || sc)::ltree, 4,
           ${env(`${X0} + d * ${D_W} + (s % 2) * ${S_W}`, `${Y0} + (s / 2) * ${S_H}`, `${X0} + d * ${D_W} + (s % 2 + 1) * ${S_W}`, `${Y0} + (s / 2 + 1) * ${S_H}`, 0.001)}, NULL, 'demo'
      FROM generate_series(0, ${DISTRICTS - 1}) d, generate_series(0, ${STREETS - 1}) s,
           LATERAL (SELECT '${CITY}' || lpad((d + 1)::text, 2, '0') AS dc) x,
           LATERAL (SELECT dc || lpad((s + 1)::text, 3, '0') AS sc) y;

    INSERT INTO nodes (${cols})
    SELECT '${CITY}', cc, sc, '街道' || right(sc, 5) || '第' || (c + 1) || '社区', 'community', 'admin',
           ('44.${CITY}.' || dc || '.' || sc || '.' || cc)::ltree, 5,
           ${env(`${X0} + d * ${D_W} + (s % 2) * ${S_W} + (c % 4) * ${C_W}`, `${Y0} + (s / 2) * ${S_H} + (c / 4) * ${C_H}`,
                 `${X0} + d * ${D_W} + (s % 2) * ${S_W} + (c % 4 + 1) * ${C_W}`, `${Y0} + (s / 2) * ${S_H} + (c / 4 + 1) * ${C_H}`, 0.0005)}, NULL, 'demo'
      FROM generate_series(0, ${DISTRICTS - 1}) d, generate_series(0, ${STREETS - 1}) s, generate_series(0, ${COMMUNITIES - 1}) c,
           LATERAL (SELECT '${CITY}' || lpad((d + 1)::text, 2, '0') AS dc) x,
           LATERAL (SELECT dc || lpad((s + 1)::text, 3, '0') AS sc) y,
           LATERAL (SELECT sc || lpad((c + 1)::text, 3, '0') AS cc) z;

    INSERT INTO nodes (${cols})
    SELECT '${CITY}', gc, cc, '社区' || right(cc, 6) || '第' || (g + 1) || '网格', 'grid', 'comprehensive',
           ('44.${CITY}.' || dc || '.' || sc || '.' || cc || '.' || gc)::ltree, 6,
           ${env(`${X0} + d * ${D_W} + (s % 2) * ${S_W} + (c % 4) * ${C_W} + g * ${G_W}`, `${Y0} + (s / 2) * ${S_H} + (c / 4) * ${C_H}`,
                 `${X0} + d * ${D_W} + (s % 2) * ${S_W} + (c % 4) * ${C_W} + (g + 1) * ${G_W}`, `${Y0} + (s / 2) * ${S_H} + (c / 4 + 1) * ${C_H}`, 0.0003)},
           200 + (abs(hashtext(gc)) % 300), 'demo'
      FROM generate_series(0, ${DISTRICTS - 1}) d, generate_series(0, ${STREETS - 1}) s, generate_series(0, ${COMMUNITIES - 1}) c,
           generate_series(0, ${GRIDS - 1}) g,
           LATERAL (SELECT '${CITY}' || lpad((d + 1)::text, 2, '0') AS dc) x,
           LATERAL (SELECT dc || lpad((s + 1)::text, 3, '0') AS sc) y,
           LATERAL (SELECT sc || lpad((c + 1)::text, 3, '0') AS cc) z,
           LATERAL (SELECT cc || lpad((g + 1)::text, 3, '0') AS gc) w;
  `);
  const kinds = DEPARTMENT_KINDS.filter((k) => k !== 'other');
  await db.query(
    `INSERT INTO departments (city_code, node_code, name, kind)
     SELECT '${CITY}', n.code, n.name || k.kind || '局', k.kind
       FROM nodes n CROSS JOIN unnest($1::text[]) AS k(kind)
      WHERE n.city_code = '${CITY}' AND n.level IN ('city', 'district')`,
    [kinds],
  );
  await db.exec('ANALYZE nodes; ANALYZE departments');
  const [r] = await db.query<{ grids: number; departments: number }>(
    `SELECT (SELECT count(*) FROM nodes WHERE level = 'grid')::int AS grids, (SELECT count(*) FROM departments)::int AS departments`,
  );
  return r!;
}

export const BENCH_PASSWORD = 'Bench-pass-123';
let passwordHash: string | undefined;

/** A user holding `role` at `node` (with a department for department staff). */
export async function createBenchUser(db: Db, username: string, role: Role, node: string, departmentId?: number): Promise<{ id: string; username: string }> {
  passwordHash ??= await hashPassword(BENCH_PASSWORD);
  const [u] = await db.query<{ id: string }>(
    `INSERT INTO users (city_code, username, display_name, password_hash) VALUES ($1, $2, $3, $4) RETURNING id`,
    [CITY, username, username, passwordHash],
  );
  await db.query(`INSERT INTO role_assignments (city_code, user_id, role, node_code, department_id) VALUES ($1, $2, $3, $4, $5)`, [
    CITY,
    u!.id,
    role,
    node,
    departmentId ?? null,
  ]);
  return { id: u!.id, username };
}

export interface BenchServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** The real app on the bench database, listening on a free port, workers off. */
export async function startBenchApp(db: Db): Promise<BenchServer> {
  const config = loadConfig({ WANGGE_MODE: 'test', LOG_LEVEL: 'silent', WANGGE_WORKERS: 'false' });
  const app = await buildApp({ db, config, pd: new PersonalData(loadDataKeys(undefined)) }, { serveWeb: false, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
}

/** Signs in over HTTP; returns the headers every later request sends (cookie + CSRF token). */
export async function signInHttp(url: string, username: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: username, password: BENCH_PASSWORD }),
  });
  if (!res.ok) throw new Error(`bench sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, 'x-csrf-token': csrfToken };
}

/** Points inside random grids (drawn in SQL, inside the grid polygons), for intake bodies. */
export async function pointsInGrids(db: Db, n: number, seed: number): Promise<{ lng: number; lat: number; grid: string }[]> {
  const [{ grids }] = (await db.query<{ grids: number }>(`SELECT count(*)::int AS grids FROM nodes WHERE level = 'grid' AND status = 'active'`)) as [{ grids: number }];
  return db.query<{ lng: number; lat: number; grid: string }>(
    `SELECT ST_X(p.geom) AS lng, ST_Y(p.geom) AS lat, g.code AS grid
       FROM nodes g CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(g.boundary, $2, $3)) p
      WHERE g.level = 'grid' AND g.status = 'active'
      ORDER BY md5(g.code || p.path[1]::text || $3::text) LIMIT $1`,
    [n, Math.max(1, Math.ceil(n / Math.max(1, grids))), seed],
  );
}

/** Leaf categories of the catalogue (the ones residents report under). */
export async function leafCategories(db: Db): Promise<string[]> {
  const rows = await db.query<{ code: string }>(
    `SELECT code FROM categories c WHERE active AND NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent_code = c.code AND k.active) ORDER BY code`,
  );
  return rows.map((r) => r.code);
}

export function summarize(ms: number[]): { p50: number; p95: number; p99: number; max: number; mean: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
  return { p50: at(50), p95: at(95), p99: at(99), max: s[s.length - 1] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length) };
}
