import { PGlite, type Extension, type Transaction as PgliteTransaction } from '@electric-sql/pglite';
import { ltree } from '@electric-sql/pglite/contrib/ltree';
import { mkdirSync } from 'node:fs';
import type { Db, Transaction } from './db.js';
import { OID, parseInt8, parseNumeric } from './types.js';
import { slimPostgisBundle } from './postgis-bundle.js';
import { StatementCache } from './pglite-statements.js';

/** PostGIS for PGlite, loaded from the slimmed bundle (see postgis-bundle.ts). */
function postgisExtension(bundle: URL): Extension {
  return {
    name: 'postgis',
    setup: async (_pg, emscriptenOpts: { PGLITE_ENV: Record<string, string | number> }) => {
      emscriptenOpts.PGLITE_ENV.PROJ_DATA = '/pglite/share/proj';
      return { emscriptenOpts, bundlePath: bundle };
    },
  };
}

const parsers = { [OID.int8]: parseInt8, [OID.numeric]: parseNumeric };

export interface PgliteOptions {
  /** A folder to persist to; undefined = in memory. */
  dataDir?: string;
  /** A data folder dump (tar) to start from, e.g. a migrated template for tests. */
  loadDataDir?: Blob | File;
}

/**
 * The embedded engine: PostgreSQL compiled to WebAssembly, one connection, in
 * this process. PGlite runs without fsync: not power-loss safe. It is for
 * trying, demos, tests and small sites; production uses PostgreSQL.
 */
export async function openPglite(opts: PgliteOptions): Promise<Db & { pglite: PGlite }> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const bundle = await slimPostgisBundle();
  const pg = await PGlite.create({
    dataDir: opts.dataDir,
    loadDataDir: opts.loadDataDir,
    extensions: { postgis: postgisExtension(bundle), ltree },
    parsers,
    relaxedDurability: true,
  });
  const stmts = new StatementCache(pg);
  const wrap = (ex: PGlite | PgliteTransaction): Transaction => ({
    async query<T>(sql: string, params?: readonly unknown[]) {
      if (ex === pg) {
        // Outside a transaction: wait for any transaction to end, as PGlite's own query does.
        return pg._runExclusiveTransaction(() =>
          pg._runExclusiveQuery(async () => {
            const rows = await stmts.query<T>(sql, params);
            await pg.syncToFs();
            return rows;
          }),
        );
      }
      if ((ex as PgliteTransaction).closed) throw new Error('Transaction is closed');
      return pg._runExclusiveQuery(() => stmts.query<T>(sql, params));
    },
    async exec(sql: string) {
      await ex.exec(sql);
    },
  });
  const base = wrap(pg);
  const locks = new Map<number, Promise<void>>();
  return {
    engine: 'pglite',
    pglite: pg,
    query: base.query,
    async exec(sql) {
      await pg.exec(sql);
    },
    transaction(fn) {
      return pg.transaction((tx) => fn(wrap(tx)));
    },
    async withAdvisoryLock(key, fn, wait = true) {
      // One process owns a PGlite data folder, so an in-process lock is exact.
      while (locks.has(key)) {
        if (!wait) return undefined;
        await locks.get(key);
      }
      let release!: () => void;
      locks.set(key, new Promise<void>((r) => (release = r)));
      try {
        return await fn();
      } finally {
        locks.delete(key);
        release();
      }
    },
    async listen(channel, onMessage) {
      const unsub = await pg.listen(channel, onMessage);
      return async () => unsub();
    },
    async refreshTypes() {
      await pg.refreshArrayTypes();
    },
    async close() {
      await pg.close();
    },
  };
}
