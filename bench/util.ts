/**
 * Benchmark helpers: fresh databases on each engine, timing, percentiles.
 * PostgreSQL needs DATABASE_URL (an account that may CREATE DATABASE); each
 * benchmark gets its own database, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Db } from '../src/server/db/db.js';
import { migrate } from '../src/server/db/migrate.js';
import { openPglite } from '../src/server/db/pglite.js';
import { openPostgres } from '../src/server/db/postgres.js';

export type BenchEngine = 'pglite' | 'postgres';

export interface BenchDb {
  engine: BenchEngine;
  db: Db;
  /** PostgreSQL URL of the bench database, or the PGlite data folder. */
  location: string;
  close(): Promise<void>;
}

/** Engines to run: `--engine pglite|postgres|both` (default both; postgres only with DATABASE_URL). */
export function enginesFromArgs(args: string[]): BenchEngine[] {
  const i = args.indexOf('--engine');
  const want = i >= 0 ? args[i + 1] : 'both';
  const list: BenchEngine[] = want === 'both' ? ['postgres', 'pglite'] : [want as BenchEngine];
  return list.filter((e) => {
    if (e === 'postgres' && !process.env.DATABASE_URL) {
      console.log('postgres: skipped (set DATABASE_URL to a server where this account may CREATE DATABASE)');
      return false;
    }
    return true;
  });
}

/** A fresh migrated database on the engine. */
export async function openBenchDb(engine: BenchEngine, poolSize = 20): Promise<BenchDb> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wangge-bench-'));
    const db = await openPglite({ dataDir: dir });
    await migrate(db);
    return { engine, db, location: dir, async close() { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const admin = process.env.DATABASE_URL!;
  const name = `wangge_bench_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = '/' + name;
  const db = await openPostgres(u.toString(), poolSize);
  await migrate(db);
  return {
    engine,
    db,
    location: u.toString(),
    async close() {
      await db.close();
      const a = new pg.Client({ connectionString: admin });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Prints one result line: `bench <name> [engine] key=value …`. */
export function report(name: string, engine: string, figures: Record<string, string | number>): void {
  console.log(`bench ${name} [${engine}] ` + Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v, 3) : v}`).join(' '));
}
