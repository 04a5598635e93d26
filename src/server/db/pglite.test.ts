import { describe, expect, it } from 'vitest';
import { openPglite } from './pglite.js';
import { migrate } from './migrate.js';

describe('embedded engine, from an empty data folder', () => {
  it('knows the array types the migrations create (ltree[] parameters work right after the first migrate)', async () => {
    const db = await openPglite({});
    try {
      await migrate(db);
      const [row] = await db.query<{ inside: boolean }>(`SELECT '44.4413.441302'::ltree <@ $1::ltree[] AS inside`, [['44.4413']]);
      expect(row!.inside).toBe(true);
      const [fmt] = await db.query<{ n: number; big: number }>(`SELECT 12::int8 AS n, 3.5::numeric AS big`);
      expect(fmt).toEqual({ n: 12, big: 3.5 });
    } finally {
      await db.close();
    }
  }, 120_000);
});
