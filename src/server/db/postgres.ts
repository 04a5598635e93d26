import pg from 'pg';
import type { Db, Transaction } from './db.js';
import { OID, parseInt8, parseNumeric } from './types.js';

const typeOverrides = new pg.TypeOverrides();
typeOverrides.setTypeParser(OID.int8, parseInt8);
typeOverrides.setTypeParser(OID.numeric, parseNumeric);
// pg's arrayParser is an object with `create(source, transform)` (calling it as a function throws).
const arrays = pg.types.arrayParser as unknown as { create(s: string, f: (x: string) => number): { parse(): number[] } };
typeOverrides.setTypeParser(OID.int8Array, (v: string) => arrays.create(v, parseInt8).parse());

/** The server engine: a pooled connection to PostgreSQL (15+) with PostGIS. */
export async function openPostgres(url: string, poolSize = 20): Promise<Db & { pool: pg.Pool }> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: typeOverrides });
  pool.on('error', () => {
    /* an idle client lost its connection: the pool replaces it */
  });
  const wrap = (client: pg.Pool | pg.PoolClient): Transaction => ({
    async query<T>(sql: string, params?: readonly unknown[]) {
      const res = await client.query(sql, params as unknown[] | undefined);
      return res.rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  });
  const base = wrap(pool);
  // Fail fast with a clear message when the server is unreachable.
  await pool.query('SELECT 1');
  return {
    engine: 'postgres',
    pool,
    query: base.query,
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async withAdvisoryLock(key, fn, wait = true) {
      const client = await pool.connect();
      try {
        if (wait) {
          await client.query('SELECT pg_advisory_lock($1)', [key]);
        } else {
          const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key]);
          if (!r.rows[0]?.ok) return undefined;
        }
        try {
          return await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]);
        }
      } finally {
        client.release();
      }
    },
    async listen(channel, onMessage) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      client.on('notification', (msg) => {
        if (msg.channel === channel) onMessage(msg.payload ?? '');
      });
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      return async () => {
        await client.end();
      };
    },
    async close() {
      await pool.end();
    },
  };
}
