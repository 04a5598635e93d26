/**
 * SQL for the division import. Takes the executor it is given.
 */
import type { Executor } from '../../db/db.js';
import type { Level } from '../../../domain/tree.js';

/** One batch of division rows of the same level, as parallel arrays (sent as unnest() parameters). */
export interface DivisionBatch {
  level: Level;
  depth: number;
  cityCodes: string[];
  codes: string[];
  parentCodes: (string | null)[];
  names: string[];
  paths: string[];
  /** jsonb text per row, merged into the row's attributes. */
  attributes: string[];
}

/**
 * Inserts the batch into `nodes` or updates rows whose name changed; rows
 * already as they should be are not touched (no new row version, no
 * updated_at change). Other attribute keys a deployment set are kept.
 * One statement: unnest() arrays keep it at 8 parameters whatever the batch size.
 */
export async function upsertDivisions(ex: Executor, b: DivisionBatch): Promise<{ inserted: number; updated: number }> {
  const rows = await ex.query<{ inserted: number; updated: number }>(
    `WITH up AS (
       INSERT INTO nodes AS n (city_code, code, parent_code, name, level, kind, path, depth, attributes, source)
       SELECT t.city_code, t.code, t.parent_code, t.name, $7, 'admin', t.path::ltree, $8, t.attributes::jsonb, 'division'
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
              AS t(city_code, code, parent_code, name, path, attributes)
        -- Rows already right are skipped before ON CONFLICT, which would lock each one (a re-run then writes nothing).
        -- A correlated scalar subquery, not NOT EXISTS: it stays one primary-key probe per row, where an anti-join
        -- may turn into a full scan of nodes per batch when statistics are stale (PGlite has no autovacuum).
        WHERE t.name IS DISTINCT FROM (SELECT o.name FROM nodes o WHERE o.city_code = t.city_code AND o.code = t.code)
       ON CONFLICT (city_code, code) DO UPDATE
          SET name = EXCLUDED.name, attributes = n.attributes || EXCLUDED.attributes, updated_at = now()
        WHERE n.name IS DISTINCT FROM EXCLUDED.name
       RETURNING (xmax = 0) AS is_insert
     )
     SELECT count(*) FILTER (WHERE is_insert)::int AS inserted, count(*) FILTER (WHERE NOT is_insert)::int AS updated FROM up`,
    [b.cityCodes, b.codes, b.parentCodes, b.names, b.paths, b.attributes, b.level, b.depth],
  );
  return rows[0] ?? { inserted: 0, updated: 0 };
}

/**
 * Refreshes the planner's statistics of `nodes` after a bulk load: PGlite has
 * no autovacuum, and PostgreSQL's may come minutes later; until then plans
 * are made for the empty table the statistics still describe.
 */
export async function analyzeNodes(ex: Executor): Promise<void> {
  await ex.query('ANALYZE nodes');
}
