/**
 * Clock sweep benchmark: a city with N cases (default 100,000; `--cases 1000000`),
 * about 8% of them open, with a realistic share turning yellow or red since
 * the last pass, then one sweep pass timed on each engine:
 *   colour  — the set-based yellow/red UPDATEs (+ their case.clock outbox messages)
 *   actions — supervision (督办) of the newly red cases and not-rated closing, one
 *             guarded action each through actOnCase (timeline + outbox); a pass
 *             stops taking batches after 10 s, so a big backlog takes several passes
 *   idle    — a pass with nothing due: the cost paid every 15 s
 *
 *   npm run bench -- sweep --engine both --cases 1000000
 */
import { loadConfig } from '../src/server/config.js';
import type { AppDeps } from '../src/server/context.js';
import type { Db } from '../src/server/db/db.js';
import { loadDataKeys, PersonalData } from '../src/server/lib/personal-data.js';
import { runSweep, updateColours } from '../src/server/workers/sweep.js';
import { enginesFromArgs, openBenchDb, report } from './util.js';

function argNumber(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1000) throw new Error(`${name} must be an integer of at least 1000`);
  return v;
}

const GRIDS = 20;

/**
 * Shares per mille (g % 1000): 920 closed; 60 green; 10 yellow; 5 red and
 * supervised; 2 newly yellow; 1 newly red (→ supervise); 1 reported past its
 * acceptance deadline (→ red); 1 awaiting a rating past its period (→ close).
 */
const FILL = `
INSERT INTO cases (city_code, number, status, channel, category_code, category_path, description, node_code, node_path, placed_by,
  handling_level, handler_type, handler_node_code, handler_node_path, route, deadline_unit, accept_due_at, handle_due_at, yellow_at,
  clock_colour, supervised_at, rating_due_at, clock_started_at, dispatched_at, event_seq, created_at, closed_at, close_reason)
SELECT '4413', '4413B' || lpad(g::text, 10, '0'),
  CASE WHEN b < 920 THEN 'closed' WHEN b = 998 THEN 'reported' WHEN b = 999 THEN 'awaiting_rating'
       WHEN b % 2 = 0 THEN 'dispatched' ELSE 'in_progress' END,
  'h5', 'city_env.noise', 'city_env.noise', '广场舞噪音扰民', grid, ('44.4413.441302.441302001.441302001001.' || grid)::ltree, 'location',
  'community', 'node_office', '441302001001', '44.4413.441302.441302001.441302001001'::ltree,
  '{"deadlines":{"accept":{"amount":2,"unit":"hours"},"sign":{"amount":4,"unit":"hours"},"handle":{"amount":72,"unit":"hours"}}}'::jsonb, 'hours',
  CASE WHEN b = 998 THEN $1::timestamptz - interval '1 minute' END,
  CASE WHEN b < 920 THEN $1::timestamptz - interval '30 days'
       WHEN b < 980 THEN $1::timestamptz + interval '20 hours'
       WHEN b < 990 THEN $1::timestamptz + interval '5 hours'
       WHEN b < 995 THEN $1::timestamptz - interval '5 hours'
       WHEN b < 997 THEN $1::timestamptz + interval '3 hours'
       WHEN b = 997 THEN $1::timestamptz - interval '1 minute' END,
  CASE WHEN b < 920 THEN NULL
       WHEN b < 980 THEN $1::timestamptz + interval '10 hours'
       WHEN b < 995 THEN $1::timestamptz - interval '10 hours'
       WHEN b < 997 THEN $1::timestamptz - interval '1 minute'
       WHEN b = 997 THEN $1::timestamptz - interval '14 hours'
       WHEN b = 998 THEN $1::timestamptz - interval '20 minutes' END,
  CASE WHEN b >= 980 AND b < 990 THEN 'yellow' WHEN b >= 990 AND b < 995 THEN 'red' WHEN b = 997 THEN 'yellow' ELSE 'green' END,
  CASE WHEN b >= 990 AND b < 995 THEN $1::timestamptz - interval '4 hours' END,
  CASE WHEN b = 999 THEN $1::timestamptz - interval '1 minute' END,
  $1::timestamptz - interval '3 days', $1::timestamptz - interval '3 days', 1,
  $1::timestamptz - (g % 86400) * interval '1 minute',
  CASE WHEN b < 920 THEN $1::timestamptz - interval '20 days' END,
  CASE WHEN b < 920 THEN 'rated' END
FROM (SELECT g, g % 1000 AS b, '441302001001' || lpad((1 + g % ${GRIDS})::text, 3, '0') AS grid FROM generate_series($2::int, $3::int) AS g) s`;

export async function buildCity(deps: AppDeps): Promise<void> {
  const nodes: [string, string | null, string, string, string][] = [
    ['44', null, 'province', 'admin', '44'],
    ['4413', '44', 'city', 'admin', '44.4413'],
    ['441302', '4413', 'district', 'admin', '44.4413.441302'],
    ['441302001', '441302', 'street', 'admin', '44.4413.441302.441302001'],
    ['441302001001', '441302001', 'community', 'admin', '44.4413.441302.441302001.441302001001'],
  ];
  for (let i = 1; i <= GRIDS; i++) {
    const code = `441302001001${String(i).padStart(3, '0')}`;
    nodes.push([code, '441302001001', 'grid', 'comprehensive', `44.4413.441302.441302001.441302001001.${code}`]);
  }
  for (const [code, parent, level, kind, path] of nodes) {
    await deps.db.query(
      `INSERT INTO nodes (city_code, code, parent_code, name, level, kind, path, depth, status, source) VALUES ('4413', $1, $2, $1, $3, $4, $5::ltree, $6, 'active', 'manual')`,
      [code, parent, level, kind, path, path.split('.').length],
    );
  }
  for (const [role, node] of [['community_secretary', '441302001001'], ['grid_leader', '441302001001'], ['street_officer', '441302001'], ['dispatcher', '4413']]) {
    const [u] = await deps.db.query<{ id: string }>(`INSERT INTO users (city_code, username, display_name, password_hash) VALUES ('4413', $1, $1, 'x') RETURNING id`, [`${role}-bench`]);
    await deps.db.query(`INSERT INTO role_assignments (city_code, user_id, role, node_code) VALUES ('4413', $1, $2, $3)`, [u!.id, role, node]);
  }
}

/** Inserts n cases in chunks (ids 1..n), then analyzes the table. */
export async function fillCases(db: Db, n: number, now: Date, onProgress?: (done: number) => void): Promise<void> {
  const chunk = 100_000;
  // The fill is set-up, not what is measured: the measures trigger (a roll-up delta per case) stays off for it
  // and is on again for the passes, whose actions pay for it as they would in production.
  await db.exec('ALTER TABLE cases DISABLE TRIGGER cases_measure_delta');
  try {
    for (let from = 1; from <= n; from += chunk) {
      await db.query(FILL, [now, from, Math.min(n, from + chunk - 1)]);
      onProgress?.(Math.min(n, from + chunk - 1));
    }
  } finally {
    await db.exec('ALTER TABLE cases ENABLE TRIGGER cases_measure_delta');
  }
  await db.exec('ANALYZE cases');
}

export default async function sweepBench(args: string[]): Promise<void> {
  const n = argNumber(args, '--cases', 100_000);
  for (const engine of enginesFromArgs(args)) {
    const bench = await openBenchDb(engine);
    try {
      const deps: AppDeps = {
        db: bench.db,
        config: loadConfig({ WANGGE_MODE: 'test', LOG_LEVEL: 'silent', ...(engine === 'postgres' ? { DATABASE_URL: bench.location } : {}) }),
        pd: new PersonalData(loadDataKeys(undefined)),
      };
      await buildCity(deps);
      const now = new Date();
      const t0 = performance.now();
      await fillCases(bench.db, n, now, (k) => process.stdout.write(`\r[${engine}] filled ${k.toLocaleString('en-US')} cases`));
      process.stdout.write('\n');
      const fillS = (performance.now() - t0) / 1000;
      const [open] = await bench.db.query<{ n: number }>(`SELECT count(*) AS n FROM cases WHERE status NOT IN ('closed','rejected','cancelled','merged')`);

      // Pass 1, split: the set-based colour step, then the actions (its colour step finds nothing left).
      const c0 = performance.now();
      const colours = await updateColours(bench.db, now);
      const colourMs = performance.now() - c0;
      const first = await runSweep(deps, now);
      // A pass stops taking batches after its budget: count the passes a backlog takes to drain.
      let passes = 1;
      let acted = first.supervised + first.closedUnrated + first.escalated;
      let drainMs = first.ms;
      for (let r = first; r.supervised + r.closedUnrated + r.escalated > 0; passes++) {
        r = await runSweep(deps, now);
        acted += r.supervised + r.closedUnrated + r.escalated;
        drainMs += r.ms;
      }
      const idle = await runSweep(deps, now);
      report('sweep', engine, {
        cases: n,
        open: Number(open?.n ?? 0),
        fill_s: fillS,
        colour_ms: colourMs,
        turned_yellow: colours.yellow,
        turned_red: colours.red,
        first_actions_ms: first.ms,
        first_supervised: first.supervised,
        first_closed_unrated: first.closedUnrated,
        case_actions: acted,
        passes_to_drain: passes,
        ms_per_case_action: acted ? drainMs / acted : 0,
        idle_pass_ms: idle.ms,
      });
    } finally {
      await bench.close();
    }
  }
}
