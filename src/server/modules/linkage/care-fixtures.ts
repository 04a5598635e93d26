/**
 * Registry rows for tests, the demo and benchmarks of care and linkage:
 * households with residents in one grid, inserted set-based (generate_series),
 * the way a ledger import leaves them. Not used by request handlers.
 */
import type { Executor } from '../../db/db.js';
import { cityCodeOf, pathOf } from '../../../domain/tree.js';

export interface HouseholdSpec {
  /** The grid the households are registered in. */
  gridCode: string;
  count: number;
  /** Compound name (小区); households of one call share it. */
  compound?: string;
  /** Residents per household (default 2); the first is the head. */
  residentsEach?: number;
  /** Every n-th resident volunteers for the neighbour service team (default 10). */
  volunteerEvery?: number;
  /** Tags given to every n-th head of household, e.g. { elderly_alone: 5 }. */
  tagEvery?: Record<string, number>;
  /** Residents registered this many days ago (default 30). */
  registeredDaysAgo?: number;
  /** Prefix of the address key, keeps calls apart. */
  key?: string;
  lng?: number;
  lat?: number;
}

/** Inserts households and residents; returns the new household ids in address order. */
export async function insertHouseholds(ex: Executor, s: HouseholdSpec): Promise<number[]> {
  const city = cityCodeOf(s.gridCode);
  const path = pathOf(s.gridCode);
  const key = s.key ?? `${s.gridCode}-${Math.random().toString(36).slice(2, 8)}`;
  const compound = s.compound ?? '幸福小区';
  const rows = await ex.query<{ id: number }>(
    `INSERT INTO households (city_code, node_code, node_path, address, building, unit, room, address_key, location, attributes)
     SELECT $1, $2, $3::ltree, $4 || ((i - 1) / 24 + 1) || '栋' || (((i - 1) / 8) % 3 + 1) || '单元' || (((i - 1) % 8) / 2 + 1) || '0' || ((i - 1) % 2 + 1),
            ((i - 1) / 24 + 1) || '栋', (((i - 1) / 8) % 3 + 1) || '单元', (((i - 1) % 8) / 2 + 1) || '0' || ((i - 1) % 2 + 1),
            $5 || ':' || i,
            CASE WHEN $7::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($7::float8 + (i % 50) * 0.00002, $8::float8 + (i / 50) * 0.00002), 4326) END,
            jsonb_build_object('compound', $4::text)
       FROM generate_series(1, $6::int) i
     RETURNING id`,
    [city, s.gridCode, path, compound, key, s.count, s.lng ?? null, s.lat ?? null],
  );
  const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  const each = s.residentsEach ?? 2;
  const tags = Object.entries(s.tagEvery ?? {});
  await ex.query(
    `INSERT INTO residents (city_code, household_id, node_code, node_path, name, gender, relation, tags, volunteer, created_at)
     SELECT $1, h.id, $2, $3::ltree,
            (ARRAY['王','李','张','刘','陈','杨','黄','赵','吴','周'])[1 + (h.id + j) % 10] || (ARRAY['建国','秀英','伟','芳','敏','静','强','磊','洋','艳'])[1 + (h.id * 7 + j) % 10],
            CASE WHEN (h.id + j) % 2 = 0 THEN 'male' ELSE 'female' END,
            CASE WHEN j = 1 THEN 'head' WHEN j = 2 THEN 'spouse' ELSE 'child' END,
            CASE WHEN j = 1 THEN ARRAY(SELECT t.k FROM jsonb_each_text($6::jsonb) t(k, v) WHERE h.n % (t.v)::int = 0) ELSE '{}'::text[] END,
            ((h.n - 1) * $4::int + j) % $5::int = 0,
            now() - make_interval(days => $7::int)
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM households WHERE id = ANY($8::bigint[])) h
      CROSS JOIN generate_series(1, $4::int) j`,
    [city, s.gridCode, path, each, s.volunteerEvery ?? 10, JSON.stringify(Object.fromEntries(tags)), s.registeredDaysAgo ?? 30, ids],
  );
  return ids;
}
