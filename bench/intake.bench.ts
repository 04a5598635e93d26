/**
 * Intake (上报) throughput: how many cases a second the database can take in
 * the intake transaction, and how much of that the real HTTP endpoint
 * (POST /api/cases) delivers.
 *
 *   (a) raw: the same transaction as createCase in raw SQL from Node —
 *       BEGIN; INSERT INTO cases (located in the same statement with the
 *       locate query, numbered, routed); INSERT INTO case_events; INSERT INTO
 *       outbox; COMMIT — from a pg Pool of 16 and 64 clients (PGlite: one
 *       connection, back to back);
 *   (b) HTTP: the app (buildApp on the bench database, listening on a free
 *       port) driven by autocannon with a signed-in resident's cookie and
 *       CSRF token, bodies varying location and category, at 16 and 64
 *       connections: req/s, p50/p99, non-2xx; the ratio HTTP/raw;
 *   (c) where an HTTP request's time goes: every database call of a short
 *       run timed by statement (session lookup, locate, category, routing,
 *       calendar, inserts, the case read-back), per request.
 *
 * The city: bench/case-data.ts (3,990 grid polygons).
 *
 *   npm run bench -- intake [--engine pglite|postgres|both] [--duration 10]
 */
import autocannon from 'autocannon';
import pg from 'pg';
import type { Db, Transaction } from '../src/server/db/db.js';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { loadDataKeys, PersonalData } from '../src/server/lib/personal-data.js';
import type { AddressInfo } from 'node:net';
import { argNumber, buildBenchCity, createBenchUser, leafCategories, pointsInGrids, rng, signInHttp, startBenchApp, summarize, CITY } from './case-data.js';
import { enginesFromArgs, openBenchDb, report, type BenchEngine } from './util.js';

const ROUTE = JSON.stringify({
  source: 'category_default', entryId: null, handlingLevel: 'street', handlingNodeCode: '441301001', lead: { type: 'department', departmentKind: 'urban_management' },
  leadDepartmentId: 1, coHandlers: [], deadlines: { accept: { amount: 2, unit: 'hours' }, sign: { amount: 4, unit: 'hours' }, handle: { amount: 72, unit: 'hours' } },
  autoDispatch: false, explanation: 'bench',
});

/** createCase's three writes, with the grid found by the locate query inside the INSERT. */
const INSERT_CASE = `
WITH loc AS (
  SELECT code, path FROM nodes
   WHERE status = 'active' AND boundary IS NOT NULL AND ST_Intersects(boundary, ST_SetSRID(ST_MakePoint($2, $3), 4326))
   ORDER BY depth DESC, code LIMIT 1),
next AS (SELECT nextval(pg_get_serial_sequence('cases', 'id')) AS id)
INSERT INTO cases (city_code, id, number, status, channel, reporter_id, reporter_name, created_by, category_code, category_path,
  description, address, location, node_code, node_path, placed_by, urgent, handling_level, route, deadline_unit, accept_due_at,
  attributes, event_seq, yellow_at)
SELECT '${CITY}', next.id, '${CITY}' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || lpad(next.id::text, 7, '0'),
  'reported', 'h5', $1, '居民', $1, $4, $5::ltree, $6, $7, ST_SetSRID(ST_MakePoint($2, $3), 4326), loc.code, loc.path, 'location',
  false, 'street', $8::jsonb, 'hours', now() + interval '2 hours', '{}'::jsonb, 1, now() + interval '96 minutes'
FROM next, loc
RETURNING id, number`;
const INSERT_EVENT = `INSERT INTO case_events (city_code, case_id, seq, actor_id, actor_name, actor_role, actor_unit, action, from_status, to_status, note, photos, data)
  VALUES ('${CITY}', $1, 1, $2, '居民', 'resident', NULL, 'report', NULL, 'reported', $3, '[]'::jsonb, $4::jsonb)`;
const INSERT_OUTBOX = `INSERT INTO outbox (city_code, topic, payload) VALUES ('${CITY}', 'case.reported', $1::jsonb)`;

interface Body {
  channel: 'h5';
  categoryCode: string;
  description: string;
  location: { lng: number; lat: number };
  address: string;
}

async function makeBodies(db: Db, n: number): Promise<{ bodies: Body[]; paths: Map<string, string> }> {
  const cats = await leafCategories(db);
  const paths = new Map((await db.query<{ code: string; path: string }>(`SELECT code, path::text AS path FROM categories`)).map((r) => [r.code, r.path]));
  const pts = await pointsInGrids(db, n, 17);
  const r = rng(5);
  const bodies = pts.map((p, i) => ({
    channel: 'h5' as const,
    categoryCode: cats[Math.floor(r() * cats.length)]!,
    description: `第${i}号压测事件：小区门口有问题，请尽快处理`,
    location: { lng: p.lng, lat: p.lat },
    address: '基准小区东门',
  }));
  return { bodies, paths };
}

async function rawOnce(ex: { query: (sql: string, params: unknown[]) => Promise<unknown> }, b: Body, userId: string, paths: Map<string, string>): Promise<void> {
  const rows = (await ex.query(INSERT_CASE, [userId, b.location.lng, b.location.lat, b.categoryCode, paths.get(b.categoryCode), b.description, b.address, ROUTE])) as
    | { rows: { id: number; number: string }[] }
    | { id: number; number: string }[];
  const row = Array.isArray(rows) ? rows[0] : rows.rows[0];
  if (!row) throw new Error('the bench point lies outside every grid');
  await ex.query(INSERT_EVENT, [row.id, userId, b.description, JSON.stringify({ channel: 'h5', placedBy: 'location' })]);
  await ex.query(INSERT_OUTBOX, [JSON.stringify({ caseId: row.id, number: row.number, categoryCode: b.categoryCode, channel: 'h5', urgent: false, notify: [] })]);
}

/** Raw transactions from a pg Pool of `clients` for `seconds`: tx/s and latency. */
async function rawPostgres(url: string, clients: number, seconds: number, bodies: Body[], userId: string, paths: Map<string, string>) {
  const pool = new pg.Pool({ connectionString: url, max: clients });
  let i = 0;
  let n = 0;
  const ms: number[] = [];
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = await pool.connect();
      try {
        await c.query('SET jit = off');
        while (performance.now() < end) {
          const b = bodies[i++ % bodies.length]!;
          const s = performance.now();
          await c.query('BEGIN');
          await rawOnce(c, b, userId, paths);
          await c.query('COMMIT');
          ms.push(performance.now() - s);
          n++;
        }
      } finally {
        c.release();
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  await pool.end();
  return { perS: n / wall, ...summarize(ms) };
}

async function rawPglite(db: Db, seconds: number, bodies: Body[], userId: string, paths: Map<string, string>) {
  let i = 0;
  let n = 0;
  const ms: number[] = [];
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  while (performance.now() < end) {
    const b = bodies[i++ % bodies.length]!;
    const s = performance.now();
    await db.transaction((trx: Transaction) => rawOnce(trx, b, userId, paths));
    ms.push(performance.now() - s);
    n++;
  }
  return { perS: n / ((performance.now() - t0) / 1000), ...summarize(ms) };
}

async function http(url: string, headers: Record<string, string>, connections: number, seconds: number, bodies: Body[]) {
  let i = 0;
  const payloads = bodies.map((b) => JSON.stringify(b));
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: { ...headers, 'content-type': 'application/json' },
    requests: [{ method: 'POST', path: '/api/cases', setupRequest: (req) => ({ ...req, body: payloads[i++ % payloads.length]! }) }],
  });
  return { perS: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors, total: result.requests.total };
}

/** A Db whose every call is timed by statement: where an intake request's database time goes. */
function timedDb(db: Db, stats: Map<string, { n: number; ms: number }>): Db {
  const label = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 90);
  const wrapEx = <T extends { query: Db['query'] }>(ex: T): T =>
    new Proxy(ex, {
      get(target, prop, recv) {
        if (prop === 'query') {
          return async (sql: string, params?: readonly unknown[]) => {
            const s = performance.now();
            try {
              return await target.query(sql, params);
            } finally {
              const k = label(sql);
              const st = stats.get(k) ?? { n: 0, ms: 0 };
              st.n++;
              st.ms += performance.now() - s;
              stats.set(k, st);
            }
          };
        }
        if (prop === 'transaction') {
          return <R>(fn: (trx: Transaction) => Promise<R>) => {
            const s = performance.now();
            return (target as unknown as Db)
              .transaction((trx) => fn(wrapEx(trx)))
              .finally(() => {
                const st = stats.get('(transaction, whole)') ?? { n: 0, ms: 0 };
                st.n++;
                st.ms += performance.now() - s;
                stats.set('(transaction, whole)', st);
              });
          };
        }
        const v = Reflect.get(target, prop, recv);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  return wrapEx(db);
}

async function profile(engine: BenchEngine, db: Db, bodies: Body[], username: string): Promise<void> {
  const stats = new Map<string, { n: number; ms: number }>();
  const config = loadConfig({ WANGGE_MODE: 'test', LOG_LEVEL: 'silent', WANGGE_WORKERS: 'false' });
  const app = await buildApp({ db: timedDb(db, stats), config, pd: new PersonalData(loadDataKeys(undefined)) }, { serveWeb: false, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const headers = await signInHttp(url, username);
    stats.clear();
    const n = 300;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${url}/api/cases`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(bodies[(i * 7) % bodies.length]) });
      if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
    const per = (performance.now() - t0) / n;
    let dbTotal = 0;
    const lines = [...stats.entries()].filter(([k]) => k !== '(transaction, whole)').sort((a, b) => b[1].ms - a[1].ms);
    for (const [, v] of lines) dbTotal += v.ms;
    report('intake.profile', engine, { requests: n, ms_per_request: per, db_ms_per_request: dbTotal / n, db_calls_per_request: lines.reduce((s, [, v]) => s + v.n, 0) / n });
    const tx = stats.get('(transaction, whole)');
    if (tx) console.log(`  ${(tx.ms / n).toFixed(3)} ms/req  ${(tx.n / n).toFixed(2)} calls/req  (the write transaction, whole)`);
    for (const [k, v] of lines.slice(0, 16)) console.log(`  ${(v.ms / n).toFixed(3)} ms/req  ${(v.n / n).toFixed(2)} calls/req  ${k}`);
  } finally {
    await app.close();
  }
}

export default async function (args: string[]) {
  const duration = argNumber(args, '--duration', 10);
  for (const engine of enginesFromArgs(args)) {
    const bench = await openBenchDb(engine, 64);
    try {
      const t0 = performance.now();
      const city = await buildBenchCity(bench.db);
      const resident = await createBenchUser(bench.db, 'bench_resident', 'resident', `${CITY}01001001001`);
      const { bodies, paths } = await makeBodies(bench.db, 5000);
      report('intake.setup', engine, { grids: city.grids, bodies: bodies.length, setup_s: (performance.now() - t0) / 1000 });

      const raw = new Map<number, number>();
      if (engine === 'postgres') {
        for (const c of [16, 64]) {
          const r = await rawPostgres(bench.location, c, duration, bodies, resident.id, paths);
          raw.set(c, r.perS);
          report('intake.raw', engine, { clients: c, tx_per_s: r.perS, p50_ms: r.p50, p99_ms: r.p99 });
        }
      } else {
        const r = await rawPglite(bench.db, duration, bodies, resident.id, paths);
        raw.set(1, r.perS);
        report('intake.raw', engine, { clients: 1, tx_per_s: r.perS, p50_ms: r.p50, p99_ms: r.p99 });
      }

      const server = await startBenchApp(bench.db);
      try {
        const headers = await signInHttp(server.url, 'bench_resident');
        for (const c of engine === 'postgres' ? [16, 64] : [16]) {
          const h = await http(server.url, headers, c, duration, bodies);
          const base = raw.get(c) ?? raw.get(1)!;
          report('intake.http', engine, { connections: c, req_per_s: h.perS, p50_ms: h.p50, p99_ms: h.p99, non2xx: h.non2xx, errors: h.errors, ratio_http_raw: h.perS / base });
        }
      } finally {
        await server.close();
      }
      await profile(engine, bench.db, bodies, 'bench_resident');
      const [{ n }] = (await bench.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases`)) as [{ n: number }];
      report('intake.rows', engine, { cases: n });
    } finally {
      await bench.close();
    }
  }
}
