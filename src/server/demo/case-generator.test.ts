import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, buildUser, TREE, useTestApp } from '../../../test/harness.js';
import { nextStatus, type CaseAction, type CaseStatus } from '../../domain/case-lifecycle.js';
import { isWithin } from '../../domain/tree.js';
import { DEMO_CASES_META, generateCases, generateDemoCases } from './case-generator.js';

const t = useTestApp();
// A fixed present: the generator cuts every timeline here.
const NOW = new Date('2026-01-15T06:30:00Z');
const FROM = new Date(+NOW - 60 * 86_400_000);
const N = 500;

interface Row {
  id: number;
  number: string;
  status: CaseStatus;
  channel: string;
  node_code: string;
  node_path: string;
  category_code: string;
  default_department_kind: string | null;
  handling_level: string | null;
  handler_type: string | null;
  handler_node_code: string | null;
  handler_node_path: string | null;
  handler_department_id: number | null;
  dept_kind: string | null;
  dept_node: string | null;
  accept_due_at: Date | null;
  handle_due_at: Date | null;
  sign_due_at: Date | null;
  yellow_at: Date | null;
  clock_colour: string;
  rating_due_at: Date | null;
  supervised_at: Date | null;
  event_seq: number;
  resolved_level: string | null;
  rating: string | null;
  close_reason: string | null;
  urgent: boolean;
  created_at: Date;
  updated_at: Date;
  in_grid: boolean;
}

interface Ev {
  case_id: number;
  seq: number;
  at: Date;
  action: string;
  from_status: CaseStatus | null;
  to_status: CaseStatus;
  actor_role: string | null;
  actor_name: string | null;
  data: Record<string, unknown> | null;
}

let rows: Row[];
let events: Map<number, Ev[]>;
let deptIds: Record<string, number>;

async function load(): Promise<void> {
  rows = await t.db.query<Row>(
    `SELECT c.id, c.number, c.status, c.channel, c.node_code, c.node_path::text AS node_path, c.category_code, k.default_department_kind,
            c.handling_level, c.handler_type, c.handler_node_code, c.handler_node_path::text AS handler_node_path, c.handler_department_id,
            d.kind AS dept_kind, d.node_code AS dept_node, c.accept_due_at, c.handle_due_at, c.sign_due_at, c.yellow_at, c.clock_colour,
            c.rating_due_at, c.supervised_at, c.event_seq, c.resolved_level, c.rating, c.close_reason, c.urgent, c.created_at, c.updated_at,
            ST_Intersects(g.boundary, c.location) AS in_grid
       FROM cases c JOIN categories k ON k.code = c.category_code JOIN nodes g ON g.code = c.node_code
       LEFT JOIN departments d ON d.id = c.handler_department_id
      ORDER BY c.id`,
  );
  const evs = await t.db.query<Ev>(`SELECT case_id, seq, at, action, from_status, to_status, actor_role, actor_name, data FROM case_events ORDER BY case_id, seq`);
  events = new Map();
  for (const e of evs) events.set(e.case_id, [...(events.get(e.case_id) ?? []), e]);
}

beforeAll(async () => {
  await buildSmallCity(t.db);
  deptIds = {};
  for (const [node, kind] of [[TREE.districtA, 'urban_management'], [TREE.districtA, 'police'], [TREE.city, 'housing'], [TREE.city, 'justice']] as const) {
    const [d] = await t.db.query<{ id: number }>(`INSERT INTO departments (city_code, node_code, name, kind) VALUES ('4413', $1, $2, $3) RETURNING id`, [node, `${node}${kind}`, kind]);
    deptIds[`${node}|${kind}`] = d!.id;
  }
  await buildUser(t.db, { role: 'dispatcher', node: TREE.city, username: 'gen_dispatcher' });
  await buildUser(t.db, { role: 'grid_worker', node: TREE.gridA1, username: 'gen_gridworker' });
  const r = await generateCases(t.db, { cityCode: '4413', from: FROM, to: NOW, now: NOW, count: N, seed: 11, batchSize: 200 });
  expect(r.cases).toBe(N);
  await load();
  expect(r.events).toBe([...events.values()].reduce((s, e) => s + e.length, 0));
}, 120_000);

describe('generateCases', () => {
  it('writes every case with its timeline: seq 1..n without gaps, event_seq = n, a valid lifecycle walk, times in order', () => {
    expect(rows).toHaveLength(N);
    for (const c of rows) {
      const ev = events.get(c.id) ?? [];
      expect(ev.map((e) => e.seq), c.number).toEqual(Array.from({ length: ev.length }, (_, i) => i + 1));
      expect(c.event_seq).toBe(ev.length);
      let s: CaseStatus | null = null;
      let last = -Infinity;
      for (const e of ev) {
        expect(e.from_status).toBe(s);
        expect(e.to_status).toBe(e.action === 'report' ? 'reported' : nextStatus(s!, e.action as CaseAction));
        expect(+e.at).toBeGreaterThan(last);
        expect(+e.at).toBeLessThanOrEqual(+NOW);
        last = +e.at;
        s = e.to_status;
      }
      expect(c.status).toBe(s);
      expect(+c.created_at).toBe(+ev[0]!.at);
      expect(+c.updated_at).toBe(+ev[ev.length - 1]!.at);
      expect(c.number).toMatch(new RegExp(`^4413\\d{8}${String(c.id).padStart(7, '0')}$`));
      expect(c.in_grid, c.number).toBe(true);
      expect(+c.created_at).toBeGreaterThanOrEqual(+FROM);
    }
  });

  it('timestamps follow the loop: report < accept < dispatch < sign < resolve < check < rate', () => {
    const order = ['report', 'accept', 'dispatch', 'sign', 'resolve', 'check_pass', 'rate_satisfied'];
    let full = 0;
    for (const ev of events.values()) {
      const at = (a: string) => ev.find((e) => e.action === a)?.at;
      const present = order.map(at);
      if (present.every(Boolean)) {
        full++;
        for (let i = 1; i < present.length; i++) expect(+present[i]!).toBeGreaterThan(+present[i - 1]!);
      }
    }
    expect(full).toBeGreaterThan(N / 2);
  });

  it('statuses and clock colours agree with now: the clock sweep finds nothing to do', async () => {
    for (const c of rows) {
      if (c.status === 'reported') expect(c.clock_colour).toBe(+c.accept_due_at! <= +NOW ? 'red' : +c.yellow_at! <= +NOW ? 'yellow' : 'green');
      if (c.status === 'dispatched' || c.status === 'in_progress') {
        expect(c.clock_colour).toBe(+c.handle_due_at! <= +NOW ? 'red' : +c.yellow_at! <= +NOW ? 'yellow' : 'green');
        expect(c.handler_type).not.toBeNull();
        expect(c.sign_due_at).not.toBeNull();
      }
      if (c.status === 'awaiting_rating') expect(+c.rating_due_at!).toBeGreaterThan(+NOW);
    }
    // The clock sweep's own conditions (src/server/workers/sweep.ts): nothing to turn yellow or red, supervise, escalate or close.
    const [pending] = await t.db.query<{ red: number; yellow: number; supervise: number; escalate: number; close: number }>(
      `SELECT count(*) FILTER (WHERE (status = 'reported' AND clock_colour <> 'red' AND accept_due_at <= $1)
                                  OR (status IN ('dispatched','in_progress') AND clock_colour <> 'red' AND handle_due_at <= $1))::int AS red,
              count(*) FILTER (WHERE status IN ('reported','dispatched','in_progress') AND clock_colour = 'green' AND yellow_at <= $1)::int AS yellow,
              count(*) FILTER (WHERE status IN ('dispatched','in_progress') AND clock_colour = 'red' AND supervised_at IS NULL)::int AS supervise,
              count(*) FILTER (WHERE status IN ('dispatched','in_progress') AND clock_colour = 'red' AND handle_due_at <= $1::timestamptz - interval '24 hours')::int AS escalate,
              count(*) FILTER (WHERE status = 'awaiting_rating' AND rating_due_at <= $1)::int AS close
         FROM cases`,
      [NOW],
    );
    expect(pending).toEqual({ red: 0, yellow: 0, supervise: 0, escalate: 0, close: 0 });
    // And there is something for it to watch: open cases with running clocks.
    expect(rows.filter((c) => ['reported', 'dispatched', 'in_progress'].includes(c.status)).length).toBeGreaterThan(0);
  });

  it('sets handler columns by level: the grid worker at the grid, an office on the path, a department of the category\'s kind', () => {
    let byType = { grid_worker: 0, node_office: 0, department: 0 };
    for (const c of rows) {
      if (!c.handler_type) {
        expect(['reported', 'accepted', 'returned', 'rejected', 'merged', 'cancelled']).toContain(c.status);
        continue;
      }
      byType[c.handler_type as keyof typeof byType]++;
      if (c.handler_type === 'grid_worker') expect(c.handler_node_code).toBe(c.node_code);
      if (c.handler_type === 'node_office') expect(isWithin(c.node_path, c.handler_node_path!)).toBe(true);
      if (c.handler_type === 'department') {
        expect(c.dept_kind).toBe(c.default_department_kind);
        expect(deptIds[`${c.dept_node}|${c.dept_kind}`]).toBe(c.handler_department_id);
        expect([TREE.districtA, TREE.city]).toContain(c.dept_node);
      }
    }
    byType = { ...byType };
    expect(byType.grid_worker).toBeGreaterThan(byType.node_office);
    expect(byType.department).toBeGreaterThan(0);
  });

  it('keeps the mix within sensible bounds and names real users where the city has them', () => {
    const share = (f: (c: Row) => boolean) => rows.filter(f).length / rows.length;
    expect(share((c) => c.status === 'closed')).toBeGreaterThan(0.85);
    expect(share((c) => ['h5', 'resident_app'].includes(c.channel))).toBeGreaterThan(0.25);
    expect(share((c) => c.channel === 'hotline')).toBeGreaterThan(0.2);
    expect(share((c) => c.channel === 'patrol')).toBeGreaterThan(0.15);
    const resolved = rows.filter((c) => c.resolved_level);
    expect(resolved.filter((c) => ['grid', 'community'].includes(c.resolved_level!)).length / resolved.length).toBeGreaterThan(0.75);
    const rated = rows.filter((c) => c.close_reason === 'rated');
    expect(rated.filter((c) => c.rating !== 'unsatisfied').length / rated.length).toBeGreaterThan(0.95);
    expect(share((c) => c.urgent)).toBeLessThan(0.05);
    const all = [...events.values()].flat();
    expect(all.some((e) => e.actor_name === 'Test gen_dispatcher' && e.actor_role === 'dispatcher')).toBe(true);
    expect(all.some((e) => e.actor_name === 'Test gen_gridworker')).toBe(true);
    expect(all.filter((e) => e.action === 'dispatch').every((e) => (e.data as { handler?: unknown }).handler)).toBe(true);
  });

  it('is deterministic for a seed (ids aside)', async () => {
    const key = (r: Row) => [r.status, r.channel, r.node_code, r.category_code, r.handler_type, r.handler_node_code, +r.created_at, +r.updated_at, r.event_seq, r.clock_colour].join('|');
    const before = rows.map(key);
    const maxId = rows[rows.length - 1]!.id;
    await generateCases(t.db, { cityCode: '4413', from: FROM, to: NOW, now: NOW, count: N, seed: 11, batchSize: 300 });
    const again = await t.db.query<Row>(
      `SELECT c.*, c.node_path::text AS node_path FROM cases c WHERE id > $1 ORDER BY id`,
      [maxId],
    );
    expect(again.map(key)).toEqual(before);
    await generateCases(t.db, { cityCode: '4413', from: FROM, to: NOW, now: NOW, count: 50, seed: 12 });
    const other = await t.db.query<Row>(`SELECT c.* FROM cases c WHERE id > $1 ORDER BY id`, [maxId]);
    expect(other.slice(N).map(key)).not.toEqual(before.slice(0, 50));
  });

  it('refuses a city without grids and an empty period', async () => {
    await expect(generateCases(t.db, { cityCode: '9999', from: FROM, to: NOW, now: NOW, count: 5 })).rejects.toThrow(/no active grid/);
    await expect(generateCases(t.db, { cityCode: '4413', from: NOW, to: FROM, now: NOW, count: 5 })).rejects.toThrow(/before/);
  });
});

describe('generateDemoCases', () => {
  it('generates the demo months once, with work in the demo users\' grids, and records it', async () => {
    const [{ n: before }] = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases`)) as [{ n: number }];
    const r = await generateDemoCases(t.db, { cityCode: '4413', months: 1, perDay: 10, now: NOW });
    expect(r.skipped).toBe(false);
    expect(r.cases).toBeGreaterThan(250);
    const [{ n: after }] = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases`)) as [{ n: number }];
    expect(after - before).toBe(r.cases);
    const [meta] = await t.db.query<{ value: { cases: number } }>(`SELECT value FROM app_meta WHERE key = $1`, [DEMO_CASES_META]);
    expect(meta!.value.cases).toBe(r.cases);
    const [inFocus] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases WHERE id > (SELECT max(id) - $1 FROM cases) AND node_code = $2`, [r.cases, TREE.gridA1]);
    expect(inFocus!.n).toBeGreaterThan(0);
    const again = await generateDemoCases(t.db, { cityCode: '4413', months: 1, perDay: 10, now: NOW });
    expect(again.skipped).toBe(true);
    expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases`))[0]!.n).toBe(after);
  });
});
