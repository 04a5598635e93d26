/**
 * Overdue visits flagged to the grid worker and the community (逾期走访提醒):
 * each resident's visit that passed its due date is flagged once (visit_flags,
 * keyed by resident and due date, so any number of processes may run it) and
 * one in-app notice per grid goes through the outbox to the grid's workers,
 * and one to the community's secretaries.
 */
import type { Executor } from '../../db/db.js';

export async function flagOverdueVisits(ex: Executor, now = new Date()): Promise<{ flagged: number; grids: number }> {
  const grids = await ex.query<{ node_code: string; city_code: string; n: number; names: string[] }>(
    `WITH subj AS (
       SELECT r.id, r.city_code, r.node_code, r.name,
              coalesce((SELECT max(v.visited_at) FROM visits v WHERE v.resident_id = r.id), r.created_at) + make_interval(days => f.every) AS due_at
         FROM residents r
        CROSS JOIN LATERAL (SELECT min(t.visit_every_days)::int AS every FROM tag_kinds t WHERE t.code = ANY(r.tags)) f
        WHERE r.status = 'active' AND f.every IS NOT NULL
          AND r.tags && (SELECT array_agg(code) FROM tag_kinds WHERE visit_every_days IS NOT NULL)
     ), ins AS (
       INSERT INTO visit_flags (city_code, resident_id, due_at)
       SELECT city_code, id, due_at FROM subj WHERE due_at < $1
       ON CONFLICT (resident_id, due_at) DO NOTHING RETURNING resident_id
     )
     SELECT s.node_code, s.city_code, count(*)::int AS n, (array_agg(s.name ORDER BY s.due_at))[1:10] AS names
       FROM ins JOIN subj s ON s.id = ins.resident_id GROUP BY s.node_code, s.city_code`,
    [now],
  );
  for (const g of grids) {
    const staff = await ex.query<{ user_id: string; role: string }>(
      `SELECT DISTINCT user_id::text AS user_id, role FROM role_assignments WHERE (role IN ('grid_worker', 'grid_leader') AND node_code = $1) OR (role = 'community_secretary' AND node_code = $2)`,
      [g.node_code, g.node_code.slice(0, 12)],
    );
    const workers = staff.filter((s) => s.role !== 'community_secretary').map((s) => s.user_id);
    const secretaries = staff.filter((s) => s.role === 'community_secretary').map((s) => s.user_id);
    const names = g.names.join('、') + (Number(g.n) > g.names.length ? ' 等' : '');
    const day = now.toISOString().slice(0, 10);
    const notify = [
      ...(workers.length ? [{ userIds: workers, kind: 'visit_overdue', title: `${g.n} 位重点人员走访已逾期`, body: names, dedupeKey: `visits:${g.node_code}:${day}:${now.getTime()}` }] : []),
      ...(secretaries.length ? [{ userIds: secretaries, kind: 'visit_overdue_community', title: `网格 ${g.node_code} 有 ${g.n} 位重点人员走访逾期`, body: names, dedupeKey: `visits:${g.node_code}:${day}:${now.getTime()}:c` }] : []),
    ];
    if (notify.length) await ex.query(`INSERT INTO outbox (city_code, topic, payload) VALUES ($1, 'visit.overdue', $2)`, [g.city_code, JSON.stringify({ nodeCode: g.node_code, notify })]);
  }
  return { flagged: grids.reduce((s, g) => s + Number(g.n), 0), grids: grids.length };
}
