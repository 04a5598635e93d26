/**
 * The case queue at city scale: N generated cases (default 1,000,000 on
 * PostgreSQL, 100,000 on PGlite; the generator of src/server/demo) in the
 * lattice city of bench/case-data.ts, ANALYZE, then:
 *
 *   - the queue's first page (listCases) for a dispatcher at the city filtered
 *     to sample nodes of every level (city, districts, streets, communities,
 *     grids), all states and `status=open`; for a grid worker (their grid)
 *     and a department's staff (their department's cases):
 *       DB time: the exact SQL listCases runs (captured from the service),
 *       timed on its own — target p50/p95 ≤ 5 ms;
 *       HTTP: GET /api/cases on the real app, one request at a time — ≤ 20 ms;
 *   - counts by state (GET /api/cases/counts?node=) under nodes with at most
 *     100,000 cases — target ≤ 25 ms;
 *   - the plan (EXPLAIN ANALYZE) of every query shape that misses its target.
 *
 * The city is bench/case-city.ts's; with --keep it is kept and reused by the next run.
 *
 *   npm run bench -- queue [--engine pglite|postgres|both] [--cases N] [--repeat 5] [--keep]
 */
import type { Db } from '../src/server/db/db.js';
import { loadConfig } from '../src/server/config.js';
import { loadDataKeys, PersonalData } from '../src/server/lib/personal-data.js';
import type { Ctx } from '../src/server/context.js';
import type { Actor, Role } from '../src/domain/permissions.js';
import { countCases, listCases, type QueueQuery } from '../src/server/modules/cases/cases.queries.js';
import { openCaseCity } from './case-city.js';
import { argNumber, createBenchUser, signInHttp, startBenchApp, summarize, CITY } from './case-data.js';
import { enginesFromArgs, report, type BenchEngine } from './util.js';

interface Captured {
  sql: string;
  params: readonly unknown[];
}

/** A Db that remembers the statements a service runs (the queue SQL, exactly as built). */
function capturingDb(db: Db, out: Captured[]): Db {
  return new Proxy(db, {
    get(target, prop, recv) {
      if (prop === 'query') {
        return (sql: string, params: readonly unknown[] = []) => {
          out.push({ sql, params });
          return target.query(sql, params);
        };
      }
      const v = Reflect.get(target, prop, recv);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

interface Who {
  label: string;
  username: string;
  actor: Actor;
}

async function actorOf(db: Db, username: string): Promise<Actor> {
  const rows = await db.query<{ id: string; display_name: string; role: Role; node_code: string | null; path: string | null; department_id: number | null }>(
    `SELECT u.id, u.display_name, r.role, r.node_code, n.path::text AS path, r.department_id
       FROM users u JOIN role_assignments r ON r.user_id = u.id LEFT JOIN nodes n ON n.code = r.node_code WHERE u.username = $1`,
    [username],
  );
  return { userId: rows[0]!.id, name: rows[0]!.display_name, grants: rows.map((r) => ({ role: r.role, nodeCode: r.node_code, nodePath: r.path ?? '', departmentId: r.department_id })) };
}

/** The SQL a service call runs, captured: the last statement on `cases`. */
async function captureQueue(db: Db, actor: Actor, run: (ctx: Ctx) => Promise<unknown>): Promise<Captured> {
  const out: Captured[] = [];
  const config = loadConfig({ WANGGE_MODE: 'test', LOG_LEVEL: 'silent' });
  const ctx = { db: capturingDb(db, out), actor, config, pd: new PersonalData(loadDataKeys(undefined)), log: console as unknown as Ctx['log'] } as Ctx;
  await run(ctx);
  const q = [...out].reverse().find((c) => /FROM cases c/.test(c.sql));
  if (!q) throw new Error('no queue statement captured');
  return q;
}

async function timeSql(db: Db, q: Captured, repeat: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const s = performance.now();
    await db.query(q.sql, q.params);
    ms.push(performance.now() - s);
  }
  return ms;
}

async function timeHttp(url: string, headers: Record<string, string>, path: string, repeat: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const s = performance.now();
    const res = await fetch(url + path, { headers });
    const body = await res.text();
    ms.push(performance.now() - s);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${body.slice(0, 300)}`);
  }
  return ms;
}

async function explain(db: Db, q: Captured): Promise<string> {
  const rows = await db.query<Record<string, string>>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params);
  return rows.map((r) => '    ' + Object.values(r)[0]).join('\n');
}

async function sampleNodes(db: Db, level: string, n: number): Promise<string[]> {
  const rows = await db.query<{ code: string }>(`SELECT code FROM nodes WHERE city_code = $1 AND level = $2 ORDER BY md5(code) LIMIT $3`, [CITY, level, n]);
  return rows.map((r) => r.code);
}

export default async function (args: string[]) {
  const repeat = argNumber(args, '--repeat', 5);
  for (const engine of enginesFromArgs(args)) {
    const count = argNumber(args, '--cases', engine === 'postgres' ? 1_000_000 : 100_000);
    const bench = await openCaseCity(engine, count, args.includes('--keep'));
    try {
      await run(engine, bench.db, count, repeat);
    } finally {
      await bench.close();
    }
  }
}

async function run(engine: BenchEngine, db: Db, count: number, repeat: number): Promise<void> {
  const grid = `${CITY}01001001001`;
  const [dept] = await db.query<{ id: number }>(`SELECT id FROM departments WHERE node_code = $1 AND kind = 'urban_management'`, [`${CITY}01`]);
  if (!(await db.query(`SELECT 1 FROM users WHERE username = 'q_dispatcher'`)).length) {
    await createBenchUser(db, 'q_dispatcher', 'dispatcher', CITY);
    await createBenchUser(db, 'q_gridworker', 'grid_worker', grid);
    await createBenchUser(db, 'q_department', 'department_staff', `${CITY}01`, dept!.id);
  }

  const who: Who[] = [];
  for (const [label, username] of [['dispatcher', 'q_dispatcher'], ['grid_worker', 'q_gridworker'], ['department', 'q_department']] as const) {
    who.push({ label, username, actor: await actorOf(db, username) });
  }
  const server = await startBenchApp(db);
  const headers = new Map<string, Record<string, string>>();
  for (const w of who) headers.set(w.label, await signInHttp(server.url, w.username));
  const misses: { what: string; q: Captured; p95: number }[] = [];
  const base: QueueQuery = { page: 1, pageSize: 20 };
  try {
    const levels: [string, number][] = [['city', 1], ['district', 5], ['street', 8], ['community', 8], ['grid', 8]];
    for (const status of [undefined, 'open'] as const) {
      for (const [level, n] of levels) {
        const nodes = await sampleNodes(db, level, n);
        const dbMs: number[] = [];
        const httpMs: number[] = [];
        let worst: { q: Captured; p95: number } | undefined;
        for (const node of nodes) {
          const q = await captureQueue(db, who[0]!.actor, (ctx) => listCases(ctx, { ...base, node, status }));
          await db.query(q.sql, q.params); // warm
          const ms = await timeSql(db, q, repeat);
          dbMs.push(...ms);
          const p95 = summarize(ms).p95;
          if (!worst || p95 > worst.p95) worst = { q, p95 };
          httpMs.push(...(await timeHttp(server.url, headers.get('dispatcher')!, `/api/cases?node=${node}${status ? `&status=${status}` : ''}`, repeat)));
        }
        const d = summarize(dbMs);
        const h = summarize(httpMs);
        report('queue.list', engine, { who: 'dispatcher', level, status: status ?? 'all', nodes: nodes.length, db_p50_ms: d.p50, db_p95_ms: d.p95, http_p50_ms: h.p50, http_p95_ms: h.p95 });
        if (d.p95 > 5 && worst) misses.push({ what: `dispatcher, node at ${level}, status=${status ?? 'all'}`, ...worst });
      }
    }
    for (const w of who.slice(1)) {
      for (const q0 of [{}, { status: 'open' }, { mine: 'handling' as const }] as Partial<QueueQuery>[]) {
        const q = await captureQueue(db, w.actor, (ctx) => listCases(ctx, { ...base, ...q0 }));
        await db.query(q.sql, q.params);
        const d = summarize(await timeSql(db, q, repeat * 4));
        const qs = new URLSearchParams(Object.entries(q0).map(([k, v]): [string, string] => [k, String(v)])).toString();
        const h = summarize(await timeHttp(server.url, headers.get(w.label)!, `/api/cases${qs ? '?' + qs : ''}`, repeat * 4));
        report('queue.list', engine, { who: w.label, filter: qs || 'none', db_p50_ms: d.p50, db_p95_ms: d.p95, http_p50_ms: h.p50, http_p95_ms: h.p95 });
        if (d.p95 > 5) misses.push({ what: `${w.label}, ${qs || 'no filter'}`, q, p95: d.p95 });
      }
    }
    // Counts by state under nodes with at most 100,000 cases.
    const sizes = await db.query<{ level: string; code: string; n: number }>(
      `SELECT 'district' AS level, subpath(node_path, 2, 1)::text AS code, count(*)::int AS n FROM cases GROUP BY 2
       UNION ALL SELECT 'street', subpath(node_path, 3, 1)::text, count(*)::int FROM cases GROUP BY 2
       UNION ALL SELECT 'community', subpath(node_path, 4, 1)::text, count(*)::int FROM cases GROUP BY 2`,
    );
    const byLevel = new Map<string, { code: string; n: number }[]>();
    for (const s of sizes) byLevel.set(s.level, [...(byLevel.get(s.level) ?? []), s]);
    for (const level of ['city', 'district', 'street', 'community']) {
      const candidates = level === 'city' ? [{ code: CITY, n: count }] : (byLevel.get(level) ?? []).sort((a, b) => b.n - a.n).slice(0, 5);
      const dbMs: number[] = [];
      const httpMs: number[] = [];
      let biggest = 0;
      let worst: { q: Captured; p95: number } | undefined;
      for (const c of candidates) {
        const q = await captureQueue(db, who[0]!.actor, (ctx) => countCases(ctx, c.code));
        await db.query(q.sql, q.params);
        const ms = await timeSql(db, q, repeat);
        dbMs.push(...ms);
        if (!worst || summarize(ms).p95 > worst.p95) worst = { q, p95: summarize(ms).p95 };
        httpMs.push(...(await timeHttp(server.url, headers.get('dispatcher')!, `/api/cases/counts?node=${c.code}`, repeat)));
        biggest = Math.max(biggest, c.n);
      }
      const d = summarize(dbMs);
      const h = summarize(httpMs);
      report('queue.counts', engine, { level, nodes: candidates.length, max_cases_under_node: biggest, db_p50_ms: d.p50, db_p95_ms: d.p95, http_p50_ms: h.p50, http_p95_ms: h.p95 });
      if (biggest <= 100_000 && d.p95 > 25 && worst) misses.push({ what: `counts under a ${level} (${biggest} cases)`, ...worst });
    }
  } finally {
    await server.close();
  }
  for (const m of misses) {
    console.log(`\nMISS [${engine}] ${m.what}: db p95 ${m.p95.toFixed(1)} ms\n  ${m.q.sql.replace(/\s+/g, ' ').slice(0, 600)}\n  params: ${JSON.stringify(m.q.params).slice(0, 200)}`);
    console.log(await explain(db, m.q));
  }
}
