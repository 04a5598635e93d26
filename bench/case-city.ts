/**
 * The lattice city with N generated cases (a year of them), shared by the
 * read-side benchmarks (queue, measures). Filling a million cases takes
 * minutes, so with `--keep` the database is kept under a fixed name
 * (PostgreSQL: `wangge_bench_city_<N>`, PGlite: `<tmp>/wangge-bench-city-<N>`)
 * and reused by the next run with `--keep`; migrations added since are applied
 * to it on opening, as they would be to a city's database, and statistics
 * refreshed. Without `--keep` the database is fresh and dropped afterwards, as
 * for every other benchmark.
 *
 * The fill runs with the measures trigger off and the roll-up's deltas
 * rebuilt from one recount, then compacted: the same roll-up rows the trigger
 * would have left (`wangge verify measures` proves the equality in tests).
 */
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Db } from '../src/server/db/db.js';
import { migrate } from '../src/server/db/migrate.js';
import { openPglite } from '../src/server/db/pglite.js';
import { openPostgres } from '../src/server/db/postgres.js';
import { generateCases } from '../src/server/demo/case-generator.js';
import { createProgress } from '../src/cli/progress.js';
import { COUNTERS, COUNTER_COLUMNS } from '../src/domain/measures.js';
import { compact } from '../src/server/modules/measures/measures.repository.js';
import { buildBenchCity, CITY } from './case-data.js';
import { openBenchDb, report, type BenchDb, type BenchEngine } from './util.js';

export interface CaseCity extends BenchDb {
  /** False when an earlier run's city was reused. */
  built: boolean;
}

/** The city with `count` cases: kept and reused with `keep`, else fresh. */
export async function openCaseCity(engine: BenchEngine, count: number, keep: boolean, poolSize = 20): Promise<CaseCity> {
  if (!keep) {
    const b = await openBenchDb(engine, poolSize);
    await fill(engine, b.db, count);
    return { ...b, built: true };
  }
  const kept = await openKept(engine, count, poolSize);
  const [meta] = await kept.db.query<{ value: { count: number } }>(`SELECT value FROM app_meta WHERE key = 'bench_city'`);
  if (!kept.fresh && meta?.value.count === count) {
    console.log(`bench city [${engine}]: reusing ${count.toLocaleString('en-US')} cases at ${kept.location}` + (kept.applied ? ` (${kept.applied} new migration(s) applied)` : ''));
    if (kept.applied) await kept.db.exec(engine === 'postgres' ? 'VACUUM (ANALYZE)' : 'ANALYZE');
    return { engine, db: kept.db, location: kept.location, close: () => kept.db.close(), built: false };
  }
  // Missing or half-built: start again.
  await kept.db.close();
  await kept.drop();
  const again = await openKept(engine, count, poolSize);
  await fill(engine, again.db, count);
  await again.db.query(`INSERT INTO app_meta (key, value) VALUES ('bench_city', $1::jsonb)`, [JSON.stringify({ count })]);
  return { engine, db: again.db, location: again.location, close: () => again.db.close(), built: true };
}

async function openKept(engine: BenchEngine, count: number, poolSize: number): Promise<{ db: Db; location: string; fresh: boolean; applied: number; drop(): Promise<void> }> {
  if (engine === 'pglite') {
    const dir = path.join(os.tmpdir(), `wangge-bench-city-${count}`);
    const fresh = !existsSync(dir);
    const db = await openPglite({ dataDir: dir });
    const applied = (await migrate(db)).length;
    return { db, location: dir, fresh, applied, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = process.env.DATABASE_URL!;
  const name = `wangge_bench_city_${count}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  const exists = (await c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount === 1;
  if (!exists) await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = '/' + name;
  const db = await openPostgres(u.toString(), poolSize);
  const applied = (await migrate(db)).length;
  return {
    db,
    location: u.toString(),
    fresh: !exists,
    applied,
    async drop() {
      const a = new pg.Client({ connectionString: admin });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** The lattice city, a year of `count` cases, the roll-up rebuilt and compacted, statistics fresh. */
async function fill(engine: BenchEngine, db: Db, count: number): Promise<void> {
  await buildBenchCity(db);
  const now = new Date();
  await db.exec('ALTER TABLE cases DISABLE TRIGGER cases_measure_delta');
  const gen = await generateCases(db, { cityCode: CITY, from: new Date(+now - 365 * 86_400_000), to: now, now, count, seed: 3, batchSize: 10_000, progress: createProgress() });
  report('city.generate', engine, { cases: gen.cases, events: gen.events, s: gen.ms / 1000, cases_per_s: gen.cases / (gen.ms / 1000), measures_trigger: 'off' });
  let t = performance.now();
  const key = 'city_code, day, district_code, grid_code, category_top, channel, department_id';
  const cols = COUNTERS.map((c) => COUNTER_COLUMNS[c]).join(', ');
  const sums = COUNTERS.map((c) => `sum(m.${COUNTER_COLUMNS[c]})::int`).join(', ');
  await db.query(
    `INSERT INTO measure_deltas (${key}, ${cols}) SELECT ${key.split(', ').map((k) => 'm.' + k).join(', ')}, ${sums}
       FROM cases c CROSS JOIN LATERAL case_measure_facts(c, 1) m GROUP BY 1, 2, 3, 4, 5, 6, 7`,
  );
  await db.exec('ALTER TABLE cases ENABLE TRIGGER cases_measure_delta');
  const folded = await compact(db, 50_000, 10_000);
  report('city.rollup', engine, { folded, s: (performance.now() - t) / 1000 });
  t = performance.now();
  if (engine === 'postgres') await db.exec('VACUUM (ANALYZE)');
  else await db.exec('ANALYZE');
  report('city.analyze', engine, { s: (performance.now() - t) / 1000 });
}
