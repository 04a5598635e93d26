import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from './db.js';
import { MIGRATIONS_DIR } from '../paths.js';

const MIGRATION_LOCK = 7_242_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered, forward-only SQL files: `0001_grid_tree.sql`. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f.replace(/\.sql$/, ''), sql: readFileSync(path.join(dir, f), 'utf8') }));
}

/**
 * Applies pending migrations, each in its own transaction, under an advisory
 * lock so that several processes starting at once apply each exactly once.
 * Returns the names applied.
 */
export async function migrate(db: Db, onApply?: (name: string) => void): Promise<string[]> {
  const applied: string[] = [];
  await db.withAdvisoryLock(MIGRATION_LOCK, async () => {
    await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await db.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    for (const m of listMigrations()) {
      if (done.has(m.version)) continue;
      onApply?.(m.name);
      await db.transaction(async (trx) => {
        await trx.exec(m.sql);
        await trx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      });
      applied.push(m.name);
    }
  });
  // Extensions and types created by the migrations (ltree[] …) must be known to the driver.
  if (applied.length) await db.refreshTypes?.();
  return applied;
}
