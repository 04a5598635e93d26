/**
 * The roll-up equals a full recount after a random mix of real case actions
 * (the case API's service, as the clock sweep drives it), and both equal the
 * domain definition (src/domain/measures.ts) applied to the case rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { actionsFrom, type CaseAction, type CaseStatus } from '../../../domain/case-lifecycle.js';
import { countCases, publicCounts, type CaseFacts } from '../../../domain/measures.js';
import { actOnCase } from '../cases/cases.actions.js';
import { compact, diffRollup, sumDepartmentRollup, sumRollup, sumScanByDepartment, wholeMonths } from './measures.repository.js';
import { verifyMeasures } from '../../../cli/commands/verify-measures.js';

const t = useTestApp();
let resident: Client;
let gridWorker: Client;
let leader: Client;
let deptId: number;

const POINTS = [
  { lng: 114.15, lat: 22.95 }, // grid A1
  { lng: 114.25, lat: 23.0 }, // grid A2
  { lng: 114.8, lat: 23.0 }, // community B1
];

beforeAll(async () => {
  await buildSmallCity(t.db);
  const [d] = await t.db.query<{ id: number }>(`INSERT INTO departments (city_code, node_code, name, kind) VALUES ('4413', $1, '惠州市城管局', 'urban_management') RETURNING id`, [TREE.city]);
  deptId = d!.id;
  resident = await clientAs(t, 'resident', TREE.city);
  gridWorker = await clientAs(t, 'grid_worker', TREE.gridA1);
  leader = await clientAs(t, 'leader', TREE.city);
});

const FORWARD: CaseAction[] = ['accept', 'dispatch', 'sign', 'resolve', 'check_pass', 'check_fail', 'return', 'rate_satisfied', 'rate_basically_satisfied', 'rate_unsatisfied', 'close_unrated'];

/** Input each action needs to pass validation; the rest is the service's own rules. */
function inputFor(action: CaseAction, ids: number[], rnd: number): Record<string, unknown> {
  switch (action) {
    case 'reject':
    case 'return':
    case 'check_fail':
    case 'redispatch':
    case 'escalate':
    case 'deny_extension':
    case 'request_suspension':
    case 'deny_suspension':
      return { reason: '测试原因', ...(action === 'redispatch' ? { handler: { type: 'node_office', nodeCode: TREE.streetA } } : {}) };
    case 'merge':
      return { into: ids[rnd % ids.length] };
    case 'dispatch':
      return { reason: '指定', ...(rnd % 2 ? { handler: { type: 'department', departmentId: deptId } } : { handler: { type: 'node_office', nodeCode: TREE.communityA1 } }) };
    case 'resolve':
      return { note: '已处理' };
    case 'request_extension':
      return { reason: '需要时间', extension: { amount: 24, unit: 'hours' } };
    case 'rate_satisfied':
      return { rating: 'satisfied' };
    case 'rate_basically_satisfied':
      return { rating: 'basically_satisfied' };
    case 'rate_unsatisfied':
      return { rating: 'unsatisfied', comment: '没修好' };
    case 'summon':
      return { departmentIds: [deptId] };
    default:
      return { note: '测试' };
  }
}

interface Row {
  status: string; created_at: Date; accept_due_at: Date | null; responded_at: Date | null; accepted_at: Date | null; dispatched_at: Date | null;
  resolved_at: Date | null; resolved_level: string | null; resolved_on_time: boolean | null; rating: string | null; rated_at: Date | null;
  closed_at: Date | null; merged_into_id: number | null; rework_count: number; return_count: number;
}

async function caseFacts(): Promise<CaseFacts[]> {
  const rows = await t.db.query<Row>('SELECT * FROM cases');
  return rows.map((r) => ({
    status: r.status, createdAt: r.created_at, acceptDueAt: r.accept_due_at, respondedAt: r.responded_at, acceptedAt: r.accepted_at,
    dispatchedAt: r.dispatched_at, resolvedAt: r.resolved_at, resolvedLevel: r.resolved_level, resolvedOnTime: r.resolved_on_time,
    rating: r.rating, ratedAt: r.rated_at, closedAt: r.closed_at, mergedIntoId: r.merged_into_id, reworkCount: r.rework_count, returnCount: r.return_count,
  }));
}

describe('roll-ups after a random mix of case actions', () => {
  it('equal a full recount and the domain definition, before and after compaction', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 16; i++) {
      const self = i % 5 === 4;
      const client = self ? gridWorker : resident;
      const res = await client.post('/api/cases', {
        channel: self ? 'patrol' : 'h5',
        categoryCode: i % 2 ? 'dispute.neighbour' : 'city_env.noise',
        description: `测试事件 ${i}`,
        location: self ? POINTS[0] : POINTS[i % POINTS.length],
        ...(self ? { selfResolved: { result: '已现场处理' } } : {}),
      });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id);
    }
    let applied = 0;
    const errors: Record<string, string> = {};
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 160, maxLength: 160 }), async (steps) => {
        for (const [a, b, c] of steps) {
          const id = ids[a % ids.length]!;
          const [row] = await t.db.query<{ status: CaseStatus }>('SELECT status FROM cases WHERE id = $1', [id]);
          const all = actionsFrom(row!.status);
          if (!all.length) continue;
          // Mostly forward along the loop, so that cases reach resolution, rework, return, rating and closing.
          const forward = all.filter((x) => FORWARD.includes(x));
          const options = forward.length && b % 10 < 8 ? forward : all;
          const action = options[(b >> 4) % options.length]!;
          try {
            await actOnCase(t.deps, null, id, action, inputFor(action, ids.filter((x) => x !== id), c) as never);
            applied++;
          } catch (err) {
            errors[action] = ((err as Error).message ?? '').slice(0, 80);
            if (!(err as { status?: number }).status || (err as { status: number }).status >= 500) throw err;
          }
          // Now and then a case moves to another grid (a dispatcher's correction).
          if (c % 17 === 0) {
            await t.db.query(`UPDATE cases SET node_code = $1, node_path = $2::ltree WHERE id = $3`, [TREE.gridA2, `44.4413.441302.441302001.441302001002.${TREE.gridA2}`, id]);
          }
        }
      }),
      { numRuns: 1, seed: 4242 },
    );
    expect(applied).toBeGreaterThan(20);
    // The mix must have reached the edge cases the definitions care about.
    const [mix] = await t.db.query<{ rw: number; rt: number; ro: number; closed: number; merged: number }>(
      `SELECT sum(rework_count)::int rw, sum(return_count)::int rt, sum(reopen_count)::int ro,
              count(*) FILTER (WHERE status = 'closed')::int closed, count(*) FILTER (WHERE merged_into_id IS NOT NULL)::int merged FROM cases`,
    );
    expect(mix, JSON.stringify(errors)).toMatchObject({ rw: expect.any(Number), rt: expect.any(Number) });
    expect(Math.min(mix!.rw, mix!.rt, mix!.ro, mix!.closed), JSON.stringify(mix)).toBeGreaterThan(0);
    expect(await diffRollup(t.db, '4413')).toEqual([]);

    const facts = await caseFacts();
    const day = (d: Date) => new Date(+d + 8 * 3_600_000).toISOString().slice(0, 10);
    const from = day(new Date(Date.now() - 86_400_000));
    const to = day(new Date(Date.now() + 86_400_000));
    const expected = publicCounts(countCases(facts, from, to));
    const api = (await leader.get(`/api/measures?node=${TREE.city}&from=${from}&to=${to}`)).json();
    expect(api.counts).toEqual(expected);
    expect(api.counts.reported).toBeGreaterThan(0);

    // Departments: their roll-ups agree with a scan of their cases, before and after compaction.
    const byDept = async () => {
      const f = { cityCode: '4413', from, to };
      const sort = (rows: { bucket: string }[]) => [...rows].sort((a, b) => a.bucket.localeCompare(b.bucket));
      const [rolled, scanned] = [sort(await sumDepartmentRollup(t.db, f)), sort(await sumScanByDepartment(t.db, f))];
      expect(rolled).toEqual(scanned);
      return rolled;
    };
    expect((await byDept()).length).toBeGreaterThan(0);

    await compact(t.db);
    expect(await diffRollup(t.db)).toEqual([]);
    await byDept();
    expect((await leader.get(`/api/measures?node=${TREE.city}&from=${from}&to=${to}`)).json().counts).toEqual(expected);
    // A scan of the district agrees with the roll-up for the same district.
    const scan = (await leader.get(`/api/measures?node=${TREE.districtA}&from=${from}&to=${to}&department=${deptId}`)).json();
    expect(scan.source).toBe('scan');
  });

  it('sums a period from whole months and its partial ends exactly as from days', async () => {
    expect(wholeMonths('2026-01-01', '2026-01-31')).toEqual(['2026-01-01', '2026-01-01']);
    expect(wholeMonths('2026-01-02', '2026-02-27')).toBeUndefined();
    expect(wholeMonths('2025-11-15', '2026-03-03')).toEqual(['2025-12-01', '2026-02-01']);
    expect(wholeMonths('2024-02-01', '2024-02-29')).toEqual(['2024-02-01', '2024-02-01']);
    // Deltas spread over fourteen months in a city of its own, folded into the roll-ups.
    await t.db.query(
      `INSERT INTO measure_deltas (city_code, day, district_code, grid_code, category_top, channel, reported, resolved, satisfied)
       SELECT '9901', DATE '2025-01-01' + (i * 7 % 420), '990101', '990101001001001', (ARRAY['dispute','facility'])[1 + i % 2],
              (ARRAY['h5','hotline','patrol'])[1 + i % 3], 1 + i % 3, i % 2, i % 5
         FROM generate_series(1, 600) i`,
    );
    await compact(t.db);
    const byDays = async (from: string, to: string, extra = '') =>
      (await t.db.query<{ reported: number; resolved: number; satisfied: number }>(
        `SELECT coalesce(sum(reported), 0)::int AS reported, coalesce(sum(resolved), 0)::int AS resolved, coalesce(sum(satisfied), 0)::int AS satisfied
           FROM measure_rollup WHERE city_code = '9901' AND day BETWEEN $1 AND $2 ${extra}`,
        [from, to],
      ))[0]!;
    for (const [from, to] of [['2025-01-01', '2026-02-28'], ['2025-01-15', '2025-12-03'], ['2025-03-01', '2025-03-31'], ['2025-02-10', '2025-02-20'], ['2025-06-30', '2025-08-01']] as const) {
      const [r] = await sumRollup(t.db, { cityCode: '9901', from, to });
      expect({ reported: r?.reported ?? 0, resolved: r?.resolved ?? 0, satisfied: r?.satisfied ?? 0 }, `${from}..${to}`).toEqual(await byDays(from, to));
      const byChannel = await sumRollup(t.db, { cityCode: '9901', from, to, channel: 'hotline' });
      expect(byChannel[0]?.reported ?? 0).toBe((await byDays(from, to, `AND channel = 'hotline'`)).reported);
      const monthly = await sumRollup(t.db, { cityCode: '9901', from, to }, 'month');
      expect(monthly.reduce((n, m) => n + m.reported, 0)).toBe((await byDays(from, to)).reported);
    }
    // The month roll-up holds exactly the days' sums, month by month (these deltas have no cases, so no recount).
    const apart = await t.db.query(
      `SELECT * FROM (SELECT date_trunc('month', day)::date AS month, district_code, category_top, channel, sum(reported)::int AS reported, sum(satisfied)::int AS satisfied
                        FROM measure_rollup WHERE city_code = '9901' GROUP BY 1, 2, 3, 4) d
         FULL JOIN (SELECT month, district_code, category_top, channel, reported, satisfied FROM measure_month_rollup WHERE city_code = '9901') m
           USING (month, district_code, category_top, channel)
        WHERE d.reported IS DISTINCT FROM m.reported OR d.satisfied IS DISTINCT FROM m.satisfied`,
    );
    expect(apart).toEqual([]);
    await t.db.query(`DELETE FROM measure_rollup WHERE city_code = '9901'`);
    await t.db.query(`DELETE FROM measure_month_rollup WHERE city_code = '9901'`);
    await t.db.query(`DELETE FROM measure_grid_rollup WHERE city_code = '9901'`);
    await t.db.query(`DELETE FROM measure_district_day WHERE city_code = '9901'`);
    await t.db.query(`DELETE FROM measure_district_month WHERE city_code = '9901'`);
  });

  it('`wangge verify measures` finds a tampered roll-up row and names the counter', async () => {
    const ok = await verifyMeasures(t.db, '4413');
    expect(ok.differences).toEqual([]);
    expect(ok.cases).toBeGreaterThan(0);
    expect(ok.ms).toBeGreaterThan(0);
    /** Adds `by` to one counter of one row (the first by key) of a roll-up table. */
    const tamper = async (table: string, key: string, counter: string, by: number) => {
      await t.db.query(
        `UPDATE ${table} SET ${counter} = ${counter} + ${by} WHERE (${key}) = (SELECT ${key} FROM ${table} WHERE city_code = '4413' ORDER BY ${key} LIMIT 1)`,
      );
    };
    const wide = 'city_code, day, district_code, category_top, channel';
    await tamper('measure_rollup', wide, 'satisfied', 5);
    const bad = await verifyMeasures(t.db, '4413');
    // Against the recount, and against the narrow district roll-up made from the same deltas.
    expect(bad.differences).toHaveLength(2);
    expect(bad.differences.map((d) => d.counter)).toEqual(['satisfied', 'satisfied']);
    expect(bad.differences[0]!.rollup - bad.differences[0]!.recount).toBe(5);
    await tamper('measure_rollup', wide, 'satisfied', -5);
    expect((await verifyMeasures(t.db, '4413')).differences).toEqual([]);
    const monthKey = 'city_code, month, district_code, category_top, channel';
    await tamper('measure_month_rollup', monthKey, 'reported', 2);
    const month = await verifyMeasures(t.db, '4413');
    expect(month.differences.map((d) => d.counter)).toEqual(['reported', 'reported']);
    await tamper('measure_month_rollup', monthKey, 'reported', -2);
    await tamper('measure_district_day', 'city_code, day, district_code', 'resolved', 1);
    expect((await verifyMeasures(t.db, '4413')).differences.map((d) => [d.category_top, d.counter])).toEqual([['measure_district_day', 'resolved']]);
    await tamper('measure_district_day', 'city_code, day, district_code', 'resolved', -1);
    expect((await verifyMeasures(t.db, '4413')).differences).toEqual([]);
  });
});
