/**
 * Test databases on both engines. PGlite: one instance per test file, loaded
 * from a migrated template dump made once per run. PostgreSQL: a template
 * database migrated once per run, copied per test file (CREATE DATABASE …
 * TEMPLATE), dropped at the end.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Db } from '../src/server/db/db.js';
import { listMigrations, migrate } from '../src/server/db/migrate.js';
import { openPglite } from '../src/server/db/pglite.js';
import { openPostgres } from '../src/server/db/postgres.js';
import { ROOT } from '../src/server/paths.js';

export type TestEngine = 'pglite' | 'postgres';

export function testEngine(): TestEngine {
  return process.env.WANGGE_TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';
}

function migrationsHash(): string {
  const h = createHash('sha256');
  for (const m of listMigrations()) h.update(m.name).update(m.sql);
  return h.digest('hex').slice(0, 16);
}

const CACHE = path.join(ROOT, 'node_modules', '.cache', 'wangge');

export function pgliteTemplatePath(): string {
  return path.join(CACHE, `test-template-${migrationsHash()}.tar.gz`);
}

/** Makes the migrated PGlite dump if it is not there yet (global setup). */
export async function ensurePgliteTemplate(): Promise<string> {
  const file = pgliteTemplatePath();
  if (existsSync(file)) return file;
  mkdirSync(CACHE, { recursive: true });
  const db = await openPglite({});
  await migrate(db);
  const dump = await db.pglite.dumpDataDir('gzip');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  (await import('node:fs')).renameSync(tmp, file);
  await db.close();
  return file;
}

export const PG_TEMPLATE = 'wangge_test_template';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
}

/** Creates the migrated PostgreSQL template (global setup). */
export async function ensurePostgresTemplate(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const hash = migrationsHash();
    const exists = await admin.query(`SELECT datname, shobj_description(oid, 'pg_database') AS note FROM pg_database WHERE datname = $1`, [PG_TEMPLATE]);
    if (exists.rows[0]?.note === hash) return;
    if (exists.rows[0]) await admin.query(`DROP DATABASE ${PG_TEMPLATE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${PG_TEMPLATE}`);
    const db = await openPostgres(withDatabase(adminUrl, PG_TEMPLATE), 2);
    await migrate(db);
    await db.close();
    await admin.query(`COMMENT ON DATABASE ${PG_TEMPLATE} IS '${hash}'`);
  } finally {
    await admin.end();
  }
}

export function postgresAdminUrl(): string | undefined {
  return process.env.DATABASE_URL || undefined;
}

/** A fresh, migrated database for one test file, on the engine under test. */
export async function openTestDb(): Promise<Db> {
  if (testEngine() === 'pglite') {
    const file = pgliteTemplatePath();
    if (!existsSync(file)) await ensurePgliteTemplate();
    const blob = new Blob([readFileSync(file)]);
    return openPglite({ loadDataDir: blob });
  }
  const adminUrl = postgresAdminUrl();
  if (!adminUrl) throw new Error('DATABASE_URL is required for the postgres test engine');
  const name = `wangge_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${PG_TEMPLATE}`);
  } finally {
    await admin.end();
  }
  const db = await openPostgres(withDatabase(adminUrl, name), 10);
  const close = db.close.bind(db);
  return Object.assign(db, {
    async close() {
      await close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await a.end();
    },
  });
}
