import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { buildSmallCity, buildUser, ENGINE, TREE, useTestApp, type TestUser } from '../../../test/harness.js';
import { pathOf } from '../../domain/tree.js';
import type { AppDeps } from '../context.js';
import type { Db } from '../db/db.js';
import { openPostgres } from '../db/postgres.js';
import { deliverPending } from './outbox-worker.js';
import { runSweep } from './sweep.js';
import { actOnCase } from '../modules/cases/cases.actions.js';

const t = useTestApp({ autoEscalateHours: 24, ratingDays: 7 });
let secretary: TestUser;
let streetOfficer: TestUser;
let resident: TestUser;
let dispatcher: TestUser;

const H = 3_600_000;
const DEADLINES = { accept: { amount: 2, unit: 'hours' }, sign: { amount: 4, unit: 'hours' }, handle: { amount: 72, unit: 'hours' } };
let seq = 0;

interface CaseSpec {
  status?: string;
  acceptDueAt?: Date | null;
  handleDueAt?: Date | null;
  yellowAt?: Date | null;
  ratingDueAt?: Date | null;
  signDueAt?: Date | null;
  signedAt?: Date | null;
  colour?: 'green' | 'yellow' | 'red';
  handlerNode?: string;
  handlingLevel?: string;
}

/** A case as intake + dispatch would leave it (one 'report' timeline entry), with chosen clock timestamps. */
async function insertCase(s: CaseSpec): Promise<number> {
  const handlerNode = s.handlerNode ?? TREE.communityA1;
  const [row] = await t.db.query<{ id: number }>(
    `INSERT INTO cases (city_code, number, status, channel, reporter_id, category_code, category_path, description, node_code, node_path,
        placed_by, handling_level, handler_type, handler_node_code, handler_node_path, route, deadline_unit, accept_due_at, handle_due_at,
        yellow_at, clock_colour, rating_due_at, clock_started_at, dispatched_at, event_seq, sign_due_at, signed_at)
     VALUES ('4413', $1, $2, 'h5', $3, 'city_env.noise', 'city_env.noise', '广场舞噪音扰民', $4, $5::ltree, 'location', $6, 'node_office', $7, $8::ltree,
        $9, 'hours', $10, $11, $12, $13, $14, now() - interval '4 days', now() - interval '4 days', 1, $15, $16)
     RETURNING id`,
    [
      `4413T${Date.now()}${++seq}`, s.status ?? 'dispatched', resident.id, TREE.gridA1, pathOf(TREE.gridA1), s.handlingLevel ?? 'community', handlerNode,
      pathOf(handlerNode), JSON.stringify({ deadlines: DEADLINES }), s.acceptDueAt ?? null, s.handleDueAt ?? null, s.yellowAt ?? null, s.colour ?? 'green',
      s.ratingDueAt ?? null, s.signDueAt ?? null, s.signedAt ?? null,
    ],
  );
  await t.db.query(
    `INSERT INTO case_events (city_code, case_id, seq, actor_id, actor_name, actor_role, action, from_status, to_status) VALUES ('4413', $1, 1, $2, 'resident', 'resident', 'report', NULL, 'reported')`,
    [row!.id, resident.id],
  );
  return row!.id;
}

async function caseRow(id: number) {
  const [c] = await t.db.query<Record<string, any>>('SELECT * FROM cases WHERE id = $1', [id]);
  return c!;
}

async function actions(id: number): Promise<string[]> {
  return (await t.db.query<{ action: string }>('SELECT action FROM case_events WHERE case_id = $1 ORDER BY seq', [id])).map((r) => r.action);
}

async function noticesOf(userId: string, kind?: string) {
  return t.db.query<{ kind: string; case_id: number; title: string }>(
    `SELECT kind, case_id, title FROM notices WHERE user_id = $1 ${kind ? 'AND kind = $2' : ''} ORDER BY id`,
    kind ? [userId, kind] : [userId],
  );
}

beforeAll(async () => {
  await buildSmallCity(t.db);
  secretary = await buildUser(t.db, { role: 'community_secretary', node: TREE.communityA1 });
  streetOfficer = await buildUser(t.db, { role: 'street_officer', node: TREE.streetA });
  dispatcher = await buildUser(t.db, { role: 'dispatcher', node: TREE.city });
  resident = await buildUser(t.db, { role: 'resident', node: TREE.communityA1 });
});

beforeEach(async () => {
  // Each test starts from no cases, so one test's sweep never acts on another's fixtures.
  await t.db.exec(`DELETE FROM notices; DELETE FROM webhook_deliveries; DELETE FROM outbox; DELETE FROM case_events; DELETE FROM cases;`);
});

describe('clock colours', () => {
  it('turns a clock yellow at yellow_at and red at the deadline, not before; one case.clock message per change set', async () => {
    const now = new Date();
    const a = await insertCase({ yellowAt: new Date(+now + 1 * H), handleDueAt: new Date(+now + 2 * H) });
    const reported = await insertCase({ status: 'reported', yellowAt: new Date(+now + 0.5 * H), acceptDueAt: new Date(+now + 1 * H) });
    const suspended = await insertCase({ status: 'suspended', yellowAt: new Date(+now - 2 * H), handleDueAt: new Date(+now - H) });

    let r = await runSweep(t.deps, new Date(+now + 0.4 * H));
    expect(r).toMatchObject({ ran: true, yellow: 0, red: 0 });
    expect((await caseRow(a)).clock_colour).toBe('green');

    r = await runSweep(t.deps, new Date(+now + 0.6 * H));
    expect(r).toMatchObject({ yellow: 1, red: 0 });
    expect((await caseRow(reported)).clock_colour).toBe('yellow');

    r = await runSweep(t.deps, new Date(+now + 1.1 * H));
    expect(r).toMatchObject({ yellow: 1, red: 1 });
    expect((await caseRow(a)).clock_colour).toBe('yellow');
    expect((await caseRow(reported)).clock_colour).toBe('red');
    // Colours are derived: no timeline entries (a red reported case is not supervised: that is for handlers).
    expect(await actions(a)).toEqual(['report']);
    expect(await actions(reported)).toEqual(['report']);

    r = await runSweep(t.deps, new Date(+now + 2.1 * H));
    expect(r).toMatchObject({ yellow: 0, red: 1 });
    expect((await caseRow(a)).clock_colour).toBe('red');
    // A suspended case's clock stands still.
    expect((await caseRow(suspended)).clock_colour).toBe('green');
    // Red while being handled: supervised.
    expect(await actions(a)).toEqual(['report', 'supervise']);

    const msgs = await t.db.query<{ payload: { colour: string; changes: { caseId: number }[] } }>(`SELECT payload FROM outbox WHERE topic = 'case.clock' ORDER BY id`);
    expect(msgs.map((m) => [m.payload.colour, m.payload.changes.map((c) => c.caseId)])).toEqual([
      ['yellow', [reported]],
      ['red', [reported]],
      ['yellow', [a]],
      ['red', [a]],
    ]);
  });

  it('a clock that ran out entirely goes straight to red', async () => {
    const now = new Date();
    const id = await insertCase({ yellowAt: new Date(+now - 3 * H), handleDueAt: new Date(+now - 1 * H) });
    const r = await runSweep(t.deps, now);
    expect(r).toMatchObject({ red: 1, yellow: 0 });
    expect((await caseRow(id)).clock_colour).toBe('red');
  });
});

describe('supervision (督办)', () => {
  it('supervises a red case once, notifying the handling unit and its superior once each', async () => {
    const now = new Date();
    const id = await insertCase({ yellowAt: new Date(+now - 3 * H), handleDueAt: new Date(+now - 1 * H) });
    const first = await runSweep(t.deps, now);
    expect(first).toMatchObject({ red: 1, supervised: 1, superiorNotices: 1, escalated: 0 });
    const second = await runSweep(t.deps, now);
    expect(second).toMatchObject({ red: 0, supervised: 0, superiorNotices: 0 });

    expect(await actions(id)).toEqual(['report', 'supervise']);
    const [ev] = await t.db.query<{ actor_role: string; actor_id: string | null }>(`SELECT actor_role, actor_id FROM case_events WHERE case_id = $1 AND action = 'supervise'`, [id]);
    expect(ev).toEqual({ actor_role: 'system', actor_id: null });
    expect((await caseRow(id)).supervised_at).toBeInstanceOf(Date);

    await deliverPending(t.deps);
    await deliverPending(t.deps);
    expect(await noticesOf(secretary.id)).toEqual([expect.objectContaining({ kind: 'supervision', case_id: id })]);
    expect(await noticesOf(streetOfficer.id)).toEqual([expect.objectContaining({ kind: 'supervision_superior', case_id: id })]);
  });
});

/** The dispatch entry a dispatcher's dispatch would have written (seq 2). */
async function addDispatch(id: number, by: TestUser): Promise<void> {
  await t.db.query(
    `INSERT INTO case_events (city_code, case_id, seq, actor_id, actor_name, actor_role, action, from_status, to_status) VALUES ('4413', $1, 2, $2, 'dispatcher', 'dispatcher', 'dispatch', 'accepted', 'dispatched')`,
    [id, by.id],
  );
  await t.db.query('UPDATE cases SET event_seq = 2 WHERE id = $1', [id]);
}

describe('signing-for deadline (签收超时)', () => {
  it('flags a dispatched case not signed for by its deadline once, telling the handling unit and the dispatcher who dispatched it', async () => {
    const now = new Date();
    const late = await insertCase({ signDueAt: new Date(+now - 1 * H), handleDueAt: new Date(+now + 60 * H), yellowAt: new Date(+now + 50 * H) });
    await addDispatch(late, dispatcher);
    const inTime = await insertCase({ signDueAt: new Date(+now + 1 * H), handleDueAt: new Date(+now + 60 * H) });
    // Signed for (late, even): nothing to flag.
    const signed = await insertCase({ status: 'in_progress', signDueAt: new Date(+now - 2 * H), signedAt: new Date(+now - 1 * H), handleDueAt: new Date(+now + 60 * H) });

    expect(await runSweep(t.deps, now)).toMatchObject({ signOverdue: 1, supervised: 0, skipped: 0 });
    expect(await runSweep(t.deps, now)).toMatchObject({ signOverdue: 0, skipped: 0 });

    expect(await actions(late)).toEqual(['report', 'dispatch', 'sign_overdue']);
    expect(await actions(inTime)).toEqual(['report']);
    expect(await actions(signed)).toEqual(['report']);
    const c = await caseRow(late);
    expect(c).toMatchObject({ status: 'dispatched', signed_at: null, event_seq: 3 });
    expect(c.sign_overdue_at).toBeInstanceOf(Date);
    const [ev] = await t.db.query<{ actor_role: string; actor_id: string | null; clock: { signDueAt: string } }>(
      `SELECT actor_role, actor_id, clock FROM case_events WHERE case_id = $1 AND action = 'sign_overdue'`,
      [late],
    );
    expect(ev).toMatchObject({ actor_role: 'system', actor_id: null, clock: { signDueAt: new Date(+now - 1 * H).toISOString() } });
    const out = await t.db.query<{ payload: { action: string; seq: number } }>(`SELECT payload FROM outbox WHERE topic = 'case.sign_overdue'`);
    expect(out.map((o) => o.payload)).toEqual([expect.objectContaining({ caseId: late, action: 'sign_overdue', from: 'dispatched', to: 'dispatched', seq: 3 })]);

    await deliverPending(t.deps);
    expect(await noticesOf(secretary.id)).toEqual([expect.objectContaining({ kind: 'sign_overdue', case_id: late })]);
    expect(await noticesOf(dispatcher.id)).toEqual([expect.objectContaining({ kind: 'sign_overdue_dispatcher', case_id: late })]);

    // A new assignment (here the system's escalation) starts a new signing period, not flagged.
    await actOnCase(t.deps, null, late, 'escalate', { reason: '超时自动上报' });
    const moved = await caseRow(late);
    expect(moved).toMatchObject({ status: 'dispatched', sign_overdue_at: null, handler_node_code: TREE.streetA });
    expect(+moved.sign_due_at).toBeGreaterThan(Date.now());
    expect(await runSweep(t.deps, new Date())).toMatchObject({ signOverdue: 0 });
  });

  it('a case signed for between the candidate query and the action is skipped, not flagged', async () => {
    const now = new Date();
    const id = await insertCase({ signDueAt: new Date(+now - 1 * H) });
    // Signed for after the deadline but before the sweep reached it (the row as the handler's sign leaves it).
    await t.db.query(`UPDATE cases SET status = 'in_progress', signed_at = now(), event_seq = event_seq + 1 WHERE id = $1`, [id]);
    await expect(actOnCase(t.deps, null, id, 'sign_overdue', {})).rejects.toMatchObject({ code: 'CASE_INVALID_TRANSITION' });
    await t.db.query(`UPDATE cases SET status = 'dispatched', signed_at = NULL, sign_due_at = now() + interval '1 hour' WHERE id = $1`, [id]);
    // Redispatched meanwhile: the new deadline has not passed.
    await expect(actOnCase(t.deps, null, id, 'sign_overdue', {})).rejects.toMatchObject({ code: 'CASE_INVALID_TRANSITION' });
    expect(await actions(id)).toEqual(['report']);
  });
});

describe('automatic escalation', () => {
  it('does not escalate before the overdue period; escalates once after it', async () => {
    const now = new Date();
    const id = await insertCase({ yellowAt: new Date(+now - 30 * H), handleDueAt: new Date(+now - 23 * H) });
    expect(await runSweep(t.deps, now)).toMatchObject({ supervised: 1, escalated: 0 });
    expect(await actions(id)).toEqual(['report', 'supervise']);

    const later = new Date(+now + 2 * H);
    expect(await runSweep(t.deps, later)).toMatchObject({ escalated: 1 });
    expect(await runSweep(t.deps, later)).toMatchObject({ escalated: 0, supervised: 0 });
    expect(await actions(id)).toEqual(['report', 'supervise', 'escalate']);
    const c = await caseRow(id);
    expect(c).toMatchObject({ status: 'dispatched', handling_level: 'street', handler_node_code: TREE.streetA, clock_colour: 'green', escalation_count: 1, supervised_at: null });
    expect(c.auto_escalated_at).toBeInstanceOf(Date);
    // A fresh handling clock at the new level.
    expect(+c.handle_due_at).toBeGreaterThan(Date.now() + 71 * H);
    const [ev] = await t.db.query<{ note: string; data: { auto: boolean } }>(`SELECT note, data FROM case_events WHERE case_id = $1 AND action = 'escalate'`, [id]);
    expect(ev).toMatchObject({ note: '超时自动上报', data: { auto: true } });

    await deliverPending(t.deps);
    // The street office that now handles it hears of it.
    expect(await noticesOf(streetOfficer.id, 'escalated')).toHaveLength(1);
  });

  it('catches up after downtime: a case overdue for days turns red, is supervised and escalated in one pass', async () => {
    const now = new Date();
    const id = await insertCase({ yellowAt: new Date(+now - 100 * H), handleDueAt: new Date(+now - 72 * H) });
    expect(await runSweep(t.deps, now)).toMatchObject({ red: 1, supervised: 1, escalated: 1 });
    expect(await actions(id)).toEqual(['report', 'supervise', 'escalate']);
    expect(await runSweep(t.deps, now)).toMatchObject({ red: 0, supervised: 0, escalated: 0 });
  });

  it('at the top level there is nothing to escalate to: the case stays supervised', async () => {
    const now = new Date();
    const id = await insertCase({ handlerNode: TREE.city, handlingLevel: 'city', yellowAt: new Date(+now - 100 * H), handleDueAt: new Date(+now - 72 * H) });
    expect(await runSweep(t.deps, now)).toMatchObject({ supervised: 1, escalated: 0 });
    expect(await runSweep(t.deps, now)).toMatchObject({ supervised: 0, escalated: 0, skipped: 0 });
    expect(await actions(id)).toEqual(['report', 'supervise']);
    expect((await caseRow(id)).handling_level).toBe('city');
  });
});

describe('not-rated closing', () => {
  it('closes a case whose rating period ran out as not_rated; leaves one still in its period', async () => {
    const now = new Date();
    const due = await insertCase({ status: 'awaiting_rating', ratingDueAt: new Date(+now - 60_000) });
    const waiting = await insertCase({ status: 'awaiting_rating', ratingDueAt: new Date(+now + 6 * 24 * H) });
    expect(await runSweep(t.deps, now)).toMatchObject({ closedUnrated: 1 });
    expect(await runSweep(t.deps, now)).toMatchObject({ closedUnrated: 0 });
    const c = await caseRow(due);
    expect(c).toMatchObject({ status: 'closed', close_reason: 'not_rated', rating: null });
    expect(c.closed_at).toBeInstanceOf(Date);
    expect(await actions(due)).toEqual(['report', 'close_unrated']);
    expect((await caseRow(waiting)).status).toBe('awaiting_rating');
    await deliverPending(t.deps);
    expect(await noticesOf(resident.id)).toEqual([expect.objectContaining({ kind: 'case_update', case_id: due })]);
  });
});

describe('two sweeps at once', () => {
  it('never doubles a timeline entry, an escalation or a notice', async () => {
    const now = new Date();
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await insertCase({ yellowAt: new Date(+now - 80 * H), handleDueAt: new Date(+now - (i % 2 ? 30 : 2) * H) }));
    ids.push(await insertCase({ status: 'awaiting_rating', ratingDueAt: new Date(+now - 60_000) }));
    const unsigned: number[] = [];
    for (let i = 0; i < 4; i++) unsigned.push(await insertCase({ signDueAt: new Date(+now - (i + 1) * H) }));
    ids.push(...unsigned);

    let other: Db | undefined;
    let depsB: AppDeps = t.deps;
    if (ENGINE === 'postgres') {
      // A second "process": its own pool on the same database.
      other = await openPostgres((t.db as Db & { pool: pg.Pool }).pool.options.connectionString!, 4);
      depsB = { ...t.deps, db: other };
    }
    try {
      const results = await Promise.all([runSweep(t.deps, now), runSweep(depsB, now), runSweep(t.deps, now)]);
      const sum = (k: 'supervised' | 'escalated' | 'closedUnrated' | 'red' | 'signOverdue') => results.reduce((n, r) => n + r[k], 0);
      expect(sum('red')).toBe(6);
      expect(sum('supervised')).toBe(6);
      expect(sum('escalated')).toBe(3);
      expect(sum('closedUnrated')).toBe(1);
      expect(sum('signOverdue')).toBe(4);
      // Later passes (the losers' next turn) find nothing left to do.
      const again = await Promise.all([runSweep(t.deps, now), runSweep(depsB, now)]);
      expect(again.every((r) => r.supervised + r.escalated + r.closedUnrated + r.red + r.signOverdue === 0)).toBe(true);
      await Promise.all([deliverPending(t.deps), deliverPending(depsB)]);
      await Promise.all([deliverPending(t.deps), deliverPending(depsB)]);
    } finally {
      await other?.close();
    }
    const dup = await t.db.query(`SELECT case_id, action, count(*) FROM case_events WHERE case_id = ANY($1::bigint[]) GROUP BY case_id, action HAVING count(*) > 1`, [ids]);
    expect(dup).toEqual([]);
    const counts = await t.db.query<{ action: string; n: number }>(`SELECT action, count(*)::int AS n FROM case_events WHERE case_id = ANY($1::bigint[]) GROUP BY action ORDER BY action`, [ids]);
    expect(counts).toEqual([
      { action: 'close_unrated', n: 1 },
      { action: 'escalate', n: 3 },
      { action: 'report', n: 11 },
      { action: 'sign_overdue', n: 4 },
      { action: 'supervise', n: 6 },
    ]);
    expect(await t.db.query(`SELECT 1 FROM outbox WHERE topic = 'case.sign_overdue'`)).toHaveLength(4);
    const superior = await t.db.query(`SELECT 1 FROM outbox WHERE topic = 'case.supervision_superior'`);
    expect(superior).toHaveLength(6);
    const dupNotices = await t.db.query(`SELECT user_id, case_id, kind, count(*) FROM notices GROUP BY user_id, case_id, kind HAVING count(*) > 1`);
    expect(dupNotices).toEqual([]);
    expect(await noticesOf(secretary.id, 'supervision')).toHaveLength(6);
    expect(await noticesOf(secretary.id, 'sign_overdue')).toHaveLength(4);
    // No dispatch entry: the dispatchers nearest the case are told instead.
    expect(await noticesOf(dispatcher.id, 'sign_overdue_dispatcher')).toHaveLength(4);
    expect(await noticesOf(streetOfficer.id, 'supervision_superior')).toHaveLength(6);
  });
});
