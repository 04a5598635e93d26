/**
 * Measures and the command-centre dashboard at city scale: N generated cases
 * (default 1,000,000 on PostgreSQL, 100,000 on PGlite; src/server/demo's
 * generator in the lattice city of bench/case-data.ts, a year of cases), then:
 *
 *   - fill: the cases written with the roll-up trigger on (the real path), or
 *     with --fast-fill the trigger off and the deltas rebuilt from one recount;
 *     then compaction of every delta into the roll-ups (time, rows);
 *   - roll-up query DB time (target ≤ 10 ms): the measures of the city and of a
 *     district for this month, the last whole month and the year, and a month
 *     trend of the city over the year — the exact SQL GET /api/measures runs;
 *   - dashboard HTTP (target p95 ≤ 50 ms on PostgreSQL): every dashboard
 *     endpoint and /api/measures on the real app, one request at a time;
 *   - `wangge verify measures` for the city: the full recount's time (must agree).
 *
 * With --keep the fast-filled city of bench/case-city.ts is kept and reused.
 *
 *   npm run bench -- measures [--engine pglite|postgres|both] [--cases N] [--repeat 20] [--fast-fill] [--keep]
 */
import type { Db } from '../src/server/db/db.js';
import { generateCases } from '../src/server/demo/case-generator.js';
import { createProgress } from '../src/cli/progress.js';
import { compact, sumRollup, type MeasureFilter } from '../src/server/modules/measures/measures.repository.js';
import { verifyMeasures } from '../src/cli/commands/verify-measures.js';
import { dayOf } from '../src/domain/measures.js';
import { openCaseCity } from './case-city.js';
import { argNumber, buildBenchCity, createBenchUser, signInHttp, startBenchApp, summarize, CITY } from './case-data.js';
import { enginesFromArgs, openBenchDb, report, type BenchEngine } from './util.js';

export default async function (args: string[]) {
  const repeat = argNumber(args, '--repeat', 20);
  const keep = args.includes('--keep');
  const fast = keep || args.includes('--fast-fill');
  for (const engine of enginesFromArgs(args)) {
    const count = argNumber(args, '--cases', engine === 'postgres' ? 1_000_000 : 100_000);
    // Fast: the city of bench/case-city.ts (trigger off, roll-up rebuilt); else every case through the trigger.
    const bench = fast ? await openCaseCity(engine, count, keep) : await openBenchDb(engine, 20);
    try {
      if (!fast) await fillThroughTrigger(engine, bench.db, count);
      await run(engine, bench.db, repeat);
    } finally {
      await bench.close();
    }
  }
}

async function timeIt(repeat: number, fn: () => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const s = performance.now();
    await fn();
    ms.push(performance.now() - s);
  }
  return ms;
}


/** Every case through the real path: the roll-up trigger on, then compaction and fresh statistics. */
async function fillThroughTrigger(engine: BenchEngine, db: Db, count: number): Promise<void> {
  await buildBenchCity(db);
  const now = new Date();
  const gen = await generateCases(db, { cityCode: CITY, from: new Date(+now - 365 * 86_400_000), to: now, now, count, seed: 3, batchSize: 10_000, progress: createProgress() });
  report('measures.generate', engine, { cases: gen.cases, s: gen.ms / 1000, cases_per_s: gen.cases / (gen.ms / 1000), trigger: 'on' });
  const [d0] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM measure_deltas');
  let t = performance.now();
  const folded = await compact(db, 50_000, 10_000);
  report('measures.compact', engine, { deltas: d0!.n, folded, s: (performance.now() - t) / 1000 });
  t = performance.now();
  if (engine === 'postgres') await db.exec('VACUUM (ANALYZE)');
  else await db.exec('ANALYZE');
  report('measures.analyze', engine, { s: (performance.now() - t) / 1000 });
}

async function run(engine: BenchEngine, db: Db, repeat: number): Promise<void> {
  if (!(await db.query(`SELECT 1 FROM users WHERE username = 'm_leader'`)).length) await createBenchUser(db, 'm_leader', 'leader', CITY);
  const now = new Date();
  const [r] = await db.query<{ n: number; g: number }>('SELECT (SELECT count(*)::int FROM measure_rollup) AS n, (SELECT count(*)::int FROM measure_grid_rollup) AS g');
  report('measures.rollup_rows', engine, { day_district_category_channel: r!.n, month_grid: r!.g });

  // Roll-up query DB time.
  const today = dayOf(now);
  const monthStart = today.slice(0, 8) + '01';
  const prevEnd = new Date(Date.parse(monthStart + 'T00:00:00Z') - 86_400_000).toISOString().slice(0, 10);
  const prevStart = prevEnd.slice(0, 8) + '01';
  const yearStart = dayOf(new Date(+now - 365 * 86_400_000));
  const [district] = await db.query<{ code: string }>(`SELECT code FROM nodes WHERE city_code = $1 AND level = 'district' ORDER BY code LIMIT 1`, [CITY]);
  const shapes: [string, MeasureFilter, 'month' | undefined][] = [
    ['city.this_month', { cityCode: CITY, from: monthStart, to: today }, undefined],
    ['city.last_month', { cityCode: CITY, from: prevStart, to: prevEnd }, undefined],
    ['city.year', { cityCode: CITY, from: yearStart, to: today }, undefined],
    ['city.year_by_month', { cityCode: CITY, from: yearStart, to: today }, 'month'],
    ['district.this_month', { cityCode: CITY, districtCode: district!.code, from: monthStart, to: today }, undefined],
    ['district.year', { cityCode: CITY, districtCode: district!.code, from: yearStart, to: today }, undefined],
  ];
  for (const [label, f, bucket] of shapes) {
    const ms = await timeIt(repeat, () => sumRollup(db, f, bucket));
    report(`measures.rollup_db.${label}`, engine, { ...summarize(ms), target_ms: 10 });
  }

  // Dashboard over HTTP.
  const server = await startBenchApp(db);
  try {
    const headers = await signInHttp(server.url, 'm_leader');
    const [street] = await db.query<{ code: string }>(`SELECT code FROM nodes WHERE city_code = $1 AND level = 'street' ORDER BY code LIMIT 1`, [CITY]);
    const [grid] = await db.query<{ code: string }>(`SELECT code FROM nodes WHERE city_code = $1 AND level = 'grid' ORDER BY code LIMIT 1`, [CITY]);
    const [box] = await db.query<{ x0: number; y0: number; x1: number; y1: number }>(
      `SELECT ST_XMin(b) x0, ST_YMin(b) y0, ST_XMax(b) x1, ST_YMax(b) y1 FROM (SELECT boundary::box2d::geometry b FROM nodes WHERE code = $1) s`,
      [street!.code],
    );
    const bbox = [box!.x0, box!.y0, box!.x1, box!.y1].map((v) => v.toFixed(5)).join(',');
    const paths: [string, string][] = [
      ['measures.city', `/api/measures?node=${CITY}`],
      ['measures.district', `/api/measures?node=${district!.code}`],
      ['measures.street_last_month', `/api/measures?node=${street!.code}&from=${prevStart}&to=${prevEnd}`],
      ['measures.grid_this_month', `/api/measures?node=${grid!.code}`],
      ['measures.trend_city_year_month', `/api/measures/trend?node=${CITY}&bucket=month&from=${yearStart}&to=${today}`],
      ['measures.trend_city_month_day', `/api/measures/trend?node=${CITY}&bucket=day&from=${monthStart}&to=${today}`],
      ['dashboard.overview_city', `/api/dashboard/overview?node=${CITY}`],
      ['dashboard.overview_district', `/api/dashboard/overview?node=${district!.code}`],
      ['dashboard.overdue_city', `/api/dashboard/overdue?node=${CITY}`],
      ['dashboard.overdue_district', `/api/dashboard/overdue?node=${district!.code}`],
      ['dashboard.rank_grids_last_month', `/api/dashboard/rankings?node=${CITY}&by=grid&measure=satisfaction&from=${prevStart}&to=${prevEnd}`],
      ['dashboard.rank_communities_last_month', `/api/dashboard/rankings?node=${CITY}&by=community&measure=onTime&from=${prevStart}&to=${prevEnd}`],
      ['dashboard.rank_districts_this_month', `/api/dashboard/rankings?node=${CITY}&by=district&measure=resolution`],
      ['dashboard.rank_departments_this_month', `/api/dashboard/rankings?node=${CITY}&by=department&measure=return`],
      ['dashboard.points_street_bbox', `/api/dashboard/map/points?node=${CITY}&bbox=${bbox}`],
      ['dashboard.density_city_last_month', `/api/dashboard/map/density?node=${CITY}&from=${prevStart}&to=${prevEnd}`],
      ['dashboard.density_district_this_month', `/api/dashboard/map/density?node=${district!.code}`],
    ];
    for (const [label, path] of paths) {
      const first = await fetch(server.url + path, { headers });
      const body = await first.text();
      if (first.status !== 200) throw new Error(`GET ${path} answered ${first.status}: ${body.slice(0, 300)}`);
      const source = (JSON.parse(body) as { source?: string }).source ?? '-';
      const ms = await timeIt(repeat, async () => {
        const res = await fetch(server.url + path, { headers });
        await res.text();
      });
      report(`measures.http.${label}`, engine, { ...summarize(ms), source, bytes: body.length, target_ms: 50 });
    }
  } finally {
    await server.close();
  }

  const v = await verifyMeasures(db, CITY);
  report('measures.verify', engine, { cases: v.cases, differences: v.differences.length, s: v.ms / 1000 });
  if (v.differences.length) throw new Error(`verify measures found ${v.differences.length} differences`);
}
