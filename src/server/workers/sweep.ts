/**
 * The clock sweep: turns running clocks yellow and red, supervises (督办) red
 * cases, flags dispatched cases not signed for (签收) by their deadline,
 * escalates long-overdue ones one level up, and closes cases whose
 * rating period ran out. Everything is decided by comparing stored timestamps
 * with `now`, so a pass after downtime catches up on whatever came due.
 *
 * Safe with several server processes: a pass runs under one advisory lock
 * (another process's pass at the same moment returns at once and does
 * nothing), colour changes are set-based guarded UPDATEs, and every case
 * change goes through `actOnCase`, whose guarded status UPDATE lets only one
 * writer win.
 */
import type { AppDeps } from '../context.js';
import type { Executor } from '../db/db.js';
import { AppError } from '../errors.js';
import { actOnCase } from '../modules/cases/cases.actions.js';
import { enqueue } from '../modules/cases/cases.repository.js';
import { nudgeOutbox } from '../modules/cases/outbox-signal.js';
import { superiorsOf } from './superiors.js';

/** Advisory lock key of the sweep ("wangge-sweep"); one pass at a time across processes. */
export const SWEEP_LOCK_KEY = 0x5767_5357;

/** Cases handled per batch: each batch reads its candidates anew, so a crash loses nothing. */
const BATCH = 200;
/** A pass stops taking new batches after this long; the next pass continues. */
const PASS_BUDGET_MS = 10_000;
/** Colour changes per 'case.clock' message. */
const CLOCK_CHUNK = 1000;

export interface SweepCounts {
  /** False when another process (or pass) held the sweep lock. */
  ran: boolean;
  yellow: number;
  red: number;
  supervised: number;
  superiorNotices: number;
  /** Dispatched cases flagged as not signed for by their signing deadline (签收超时). */
  signOverdue: number;
  escalated: number;
  closedUnrated: number;
  /** Candidates another writer changed first, or whose action was refused. */
  skipped: number;
  ms: number;
}

export interface SweepLog {
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

const silent: SweepLog = { warn: () => undefined, error: () => undefined };

/** An AppError another writer caused: the case moved on; skip it. */
function isLostRace(err: unknown): boolean {
  return err instanceof AppError && (err.code === 'CASE_CHANGED_CONCURRENTLY' || err.code === 'CASE_INVALID_TRANSITION' || err.code === 'CASE_NOT_FOUND');
}

/**
 * One pass. Returns what it changed. `now` decides which clocks have run out
 * (tests and catch-up pass it explicitly); actions record the real time.
 */
export async function runSweep(deps: AppDeps, now: Date = new Date(), log: SweepLog = silent): Promise<SweepCounts> {
  const t0 = performance.now();
  const counts = await deps.db.withAdvisoryLock(SWEEP_LOCK_KEY, () => sweepLocked(deps, now, log), false);
  const ms = performance.now() - t0;
  return counts ? { ...counts, ms } : { ran: false, yellow: 0, red: 0, supervised: 0, superiorNotices: 0, signOverdue: 0, escalated: 0, closedUnrated: 0, skipped: 0, ms };
}

async function sweepLocked(deps: AppDeps, now: Date, log: SweepLog): Promise<SweepCounts> {
  const c: SweepCounts = { ran: true, yellow: 0, red: 0, supervised: 0, superiorNotices: 0, signOverdue: 0, escalated: 0, closedUnrated: 0, skipped: 0, ms: 0 };
  const started = Date.now();
  const colours = await updateColours(deps.db, now);
  c.red = colours.red;
  c.yellow = colours.yellow;
  if (colours.messages) nudgeOutbox();

  const within = () => Date.now() - started < PASS_BUDGET_MS;
  const escalateBefore = new Date(+now - deps.config.autoEscalateHours * 3_600_000);

  await eachCandidate(deps.db, superviseCandidates(now), within, async (id) => {
    const r = await superviseOne(deps, id, log);
    if (r === 'skipped') c.skipped++;
    else {
      c.supervised++;
      if (r === 'with_superiors') c.superiorNotices++;
    }
  }, log);
  await eachCandidate(deps.db, signOverdueCandidates(now), within, async (id) => {
    if (await systemAction(deps, id, 'sign_overdue')) c.signOverdue++;
    else c.skipped++;
  }, log);
  await eachCandidate(deps.db, escalateCandidates(escalateBefore), within, async (id) => {
    if (await escalateOne(deps, id)) c.escalated++;
    else c.skipped++;
  }, log);
  await eachCandidate(deps.db, closeCandidates(now), within, async (id) => {
    if (await systemAction(deps, id, 'close_unrated')) c.closedUnrated++;
    else c.skipped++;
  }, log);
  return c;
}

/** The system takes an action without input; false when another writer changed the case first. */
async function systemAction(deps: AppDeps, id: number, action: 'sign_overdue' | 'close_unrated'): Promise<boolean> {
  try {
    await actOnCase(deps, null, id, action, {});
    return true;
  } catch (err) {
    if (!isLostRace(err)) throw err;
    return false;
  }
}

/**
 * Yellow and red in three guarded, set-based UPDATEs (red first: a clock that
 * ran out entirely goes straight to red). Each writes its 'case.clock' outbox
 * messages in the same statement, so a colour and its message commit together.
 */
export async function updateColours(ex: Executor, now: Date): Promise<{ yellow: number; red: number; messages: number }> {
  const red1 = await colourUpdate(ex, 'red', `status = 'reported' AND clock_colour <> 'red' AND accept_due_at <= $1`, now);
  const red2 = await colourUpdate(ex, 'red', `status IN ('dispatched','in_progress') AND clock_colour <> 'red' AND handle_due_at <= $1`, now);
  const yellow = await colourUpdate(ex, 'yellow', `status IN ('reported','dispatched','in_progress') AND clock_colour = 'green' AND yellow_at <= $1`, now);
  return { red: red1.n + red2.n, yellow: yellow.n, messages: red1.messages + red2.messages + yellow.messages };
}

async function colourUpdate(ex: Executor, colour: 'yellow' | 'red', where: string, now: Date): Promise<{ n: number; messages: number }> {
  const [r] = await ex.query<{ n: number; messages: number }>(
    `WITH changed AS (
       UPDATE cases SET clock_colour = '${colour}' WHERE ${where}
       RETURNING city_code, id, number, status, node_path::text AS node_path, handle_due_at, accept_due_at),
     numbered AS (
       SELECT changed.*, (row_number() OVER (PARTITION BY city_code ORDER BY id) - 1) / ${CLOCK_CHUNK} AS chunk FROM changed),
     sent AS (
       INSERT INTO outbox (city_code, topic, payload)
       SELECT city_code, 'case.clock', jsonb_build_object(
                'colour', '${colour}', 'at', $1::timestamptz,
                'changes', jsonb_agg(jsonb_build_object('caseId', id, 'number', number, 'status', status, 'nodePath', node_path,
                  'dueAt', CASE WHEN status = 'reported' THEN accept_due_at ELSE handle_due_at END) ORDER BY id))
         FROM numbered GROUP BY city_code, chunk
       RETURNING 1)
     SELECT (SELECT count(*) FROM changed) AS n, (SELECT count(*) FROM sent) AS messages`,
    [now],
  );
  return { n: Number(r?.n ?? 0), messages: Number(r?.messages ?? 0) };
}

type CandidateQuery = { sql: string; params: unknown[] };

function superviseCandidates(now: Date): CandidateQuery {
  return {
    sql: `SELECT id FROM cases WHERE status IN ('dispatched','in_progress') AND clock_colour = 'red' AND supervised_at IS NULL
            AND handle_due_at <= $1`,
    params: [now],
  };
}

/** Dispatched, not signed for by the deadline, not yet flagged (the partial index cases_sign_overdue_idx). */
function signOverdueCandidates(now: Date): CandidateQuery {
  return {
    sql: `SELECT id FROM cases WHERE status = 'dispatched' AND signed_at IS NULL AND sign_overdue_at IS NULL AND sign_due_at <= $1`,
    params: [now],
  };
}

/** Overdue by more than the configured hours; nothing above the city to escalate to. */
function escalateCandidates(before: Date): CandidateQuery {
  return {
    sql: `SELECT id FROM cases WHERE status IN ('dispatched','in_progress') AND clock_colour = 'red' AND auto_escalated_at IS NULL
            AND handle_due_at <= $1 AND handling_level IS DISTINCT FROM 'city'`,
    params: [before],
  };
}

function closeCandidates(now: Date): CandidateQuery {
  return { sql: `SELECT id FROM cases WHERE status = 'awaiting_rating' AND rating_due_at <= $1`, params: [now] };
}

/**
 * Runs `fn` over the query's ids, BATCH at a time, in id order. Ids
 * that failed or were skipped in this pass are excluded from later batches, so
 * a case that cannot be acted on never stalls the pass. After the pass budget,
 * a step takes one batch and leaves the rest to the next pass.
 */
async function eachCandidate(ex: Executor, q: CandidateQuery, within: () => boolean, fn: (id: number) => Promise<void>, log: SweepLog): Promise<void> {
  const seen: number[] = [];
  // Every step takes at least one batch per pass, so a backlog of one kind never starves the others.
  for (let first = true; first || within(); first = false) {
    const params = [...q.params, seen, BATCH];
    const rows = await ex.query<{ id: number }>(
      `${q.sql} AND NOT (id = ANY($${params.length - 1}::bigint[])) ORDER BY id LIMIT $${params.length}`,
      params,
    );
    if (!rows.length) return;
    for (const { id } of rows) {
      seen.push(id);
      try {
        await fn(id);
      } catch (err) {
        log.error({ err, caseId: id }, 'clock sweep: action failed');
      }
    }
    if (rows.length < BATCH) return;
  }
}

/**
 * 督办: the supervise action notifies the handling unit; then the handler's
 * superiors get their own notice. Only the process whose supervise committed
 * gets here, and the notice's dedupe key (the supervise entry's seq) makes a
 * repeated message harmless.
 */
async function superviseOne(deps: AppDeps, id: number, log: SweepLog): Promise<'skipped' | 'alone' | 'with_superiors'> {
  let row;
  try {
    row = await actOnCase(deps, null, id, 'supervise', { note: '已超过办理时限，系统自动督办' });
  } catch (err) {
    if (isLostRace(err)) return 'skipped';
    throw err;
  }
  try {
    const superiors = await superiorsOf(deps.db, row);
    if (!superiors.length) return 'alone';
    const due = row.handle_due_at ? row.handle_due_at.toISOString() : null;
    await deps.db.transaction((trx) =>
      enqueue(trx, row.city_code, 'case.supervision_superior', {
        caseId: row.id,
        number: row.number,
        action: 'supervise',
        seq: row.event_seq,
        supervisedAt: row.supervised_at?.toISOString() ?? null,
        handler: { type: row.handler_type, nodeCode: row.handler_node_code, departmentId: row.handler_department_id },
        notify: [
          {
            userIds: superiors,
            kind: 'supervision_superior',
            title: `下级督办 ${row.number}`,
            body: `承办单位超过办理时限${due ? `（截止 ${due}）` : ''}，已督办：${row.description.slice(0, 120)}`,
            dedupeKey: `supervise:${row.id}:${row.event_seq}`,
          },
        ],
      }),
    );
    nudgeOutbox();
    return 'with_superiors';
  } catch (err) {
    // The supervise itself committed; a missing superior notice is logged, not retried.
    log.warn({ err, caseId: id }, 'clock sweep: superior notice failed');
    return 'alone';
  }
}

/** 超时自动上报: the escalate action moves it one level up with a fresh clock. */
async function escalateOne(deps: AppDeps, id: number): Promise<boolean> {
  let row;
  try {
    row = await actOnCase(deps, null, id, 'escalate', { reason: '超时自动上报' });
  } catch (err) {
    if (isLostRace(err)) return false;
    throw err;
  }
  if (!row.auto_escalated_at) {
    // Marks this assignment as auto-escalated (once per assignment); guarded by the entry just written.
    await deps.db.query(`UPDATE cases SET auto_escalated_at = now() WHERE city_code = $1 AND id = $2 AND event_seq = $3 AND auto_escalated_at IS NULL`, [
      row.city_code,
      row.id,
      row.event_seq,
    ]);
  }
  return true;
}

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Runs a pass now (catching up after downtime) and then every `intervalMs`.
 * `stop()` waits for a pass in flight.
 */
export function startSweeper(deps: AppDeps, intervalMs = 15_000, log: SweepLog = silent, firstDelayMs = 0): Stoppable {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    inFlight = runSweep(deps, new Date(), log)
      .catch((err) => log.error({ err }, 'clock sweep failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, firstDelayMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
