import type { Executor } from '../db/db.js';
import type { CaseRow } from '../modules/cases/cases.repository.js';

/** Roles that oversee a handling unit from the level above: the command centre and the offices. */
const SUPERIOR_ROLES = ['dispatcher', 'grid_leader', 'community_secretary', 'street_officer'];

/**
 * The handler's superiors (上级), who get a notice when the handler is
 * supervised: users holding a dispatcher or office role at the nearest node
 * above the handling node that has any. A department's superiors sit at its
 * own node or above (the command centre of the level it serves). The handling
 * node's own office is left out (it got the supervise notice itself).
 */
export async function superiorsOf(ex: Executor, c: Pick<CaseRow, 'handler_type' | 'handler_node_path' | 'node_path'>): Promise<string[]> {
  const base = c.handler_node_path ?? c.node_path;
  if (!base) return [];
  const includeSelf = c.handler_type === 'department';
  const rows = await ex.query<{ user_id: string }>(
    `WITH holders AS (
       SELECT r.user_id, nlevel(n.path) AS depth
         FROM role_assignments r
         JOIN nodes n ON n.code = r.node_code
         JOIN users u ON u.id = r.user_id
        WHERE n.path @> $1::ltree AND ($2 OR n.path <> $1::ltree)
          AND r.role = ANY($3::text[]) AND u.status = 'active')
     SELECT DISTINCT user_id FROM holders WHERE depth = (SELECT max(depth) FROM holders)`,
    [base, includeSelf, SUPERIOR_ROLES],
  );
  return rows.map((r) => r.user_id);
}
