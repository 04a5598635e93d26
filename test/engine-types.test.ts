import { describe, expect, it } from 'vitest';
import { useTestApp } from './harness.js';

const t = useTestApp();

/** Both engines hand back the same JavaScript values for the same SQL (the PGlite path uses its own prepared statements). */
describe('engine value types', () => {
  it('parses int8, int8[], numeric, timestamptz, jsonb, text[] and NULLs alike', async () => {
    const [r] = await t.db.query<Record<string, unknown>>(
      `SELECT 9007199254740991::bigint AS i8, array[1,2,NULL]::bigint[] AS a8, array[]::bigint[] AS e8, 12.50::numeric AS n,
              '2026-11-22T01:02:03Z'::timestamptz AS ts, '{"a":[1,"x"]}'::jsonb AS j, array['甲','b']::text[] AS t, NULL::int AS z`,
    );
    expect(r).toEqual({ i8: 9007199254740991, a8: [1, 2, null], e8: [], n: 12.5, ts: new Date('2026-11-22T01:02:03Z'), j: { a: [1, 'x'] }, t: ['甲', 'b'], z: null });
  });

  it('binds parameters of every kind, and the same statement again with other values', async () => {
    const sql = 'SELECT $1::int AS a, $2::text AS b, $3::timestamptz AS c, $4::bigint[] AS d, $5::jsonb AS e, $6::boolean AS f';
    for (const v of [1, 2]) {
      const [r] = await t.db.query<Record<string, unknown>>(sql, [v, `文${v}`, new Date(Date.UTC(2026, 0, v)), [v, 10], JSON.stringify({ v }), v === 1]);
      expect(r).toEqual({ a: v, b: `文${v}`, c: new Date(Date.UTC(2026, 0, v)), d: [v, 10], e: { v }, f: v === 1 });
    }
  });

  it('reports errors with their SQLSTATE, inside and outside a transaction, and stays usable', async () => {
    await expect(t.db.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    await expect(t.db.transaction(async (trx) => trx.query('SELECT * FROM no_such_table'))).rejects.toMatchObject({ code: '42P01' });
    expect(await t.db.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
  });
});
