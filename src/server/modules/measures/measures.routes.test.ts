import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { pathOf } from '../../../domain/tree.js';
import { compact, diffRollup } from './measures.repository.js';

const t = useTestApp();
let leader: Client;
let secretaryB1: Client;
let resident: Client;
let urbanStaff: Client;
let urbanId: number;
let policeId: number;
const ids: Record<string, number> = {};

interface Fixture {
  key: string;
  node: string;
  status: string;
  created: string;
  category?: string;
  channel?: string;
  acceptDue?: string;
  responded?: string;
  accepted?: string;
  dispatched?: string;
  resolved?: string;
  level?: string;
  onTime?: boolean;
  rating?: string;
  rated?: string;
  closed?: string;
  mergedInto?: number;
  rework?: number;
  returns?: number;
  department?: () => number;
}

let seq = 0;
async function insertCase(f: Fixture): Promise<number> {
  const cat = f.category ?? 'dispute.neighbour';
  const [r] = await t.db.query<{ id: number }>(
    `INSERT INTO cases (city_code, number, status, channel, category_code, category_path, description, node_code, node_path,
        created_at, accept_due_at, responded_at, accepted_at, dispatched_at, resolved_at, resolved_level, resolved_on_time,
        rating, rated_at, closed_at, merged_into_id, rework_count, return_count, handler_department_id, handler_type)
     VALUES ('4413', $1, $2, $3, $4, (SELECT path FROM categories WHERE code = $4), 'fixture', $5, $6::ltree, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
        CASE WHEN $21::bigint IS NULL THEN NULL ELSE 'department' END)
     RETURNING id`,
    [
      `F${++seq}`, f.status, f.channel ?? 'h5', cat, f.node, pathOf(f.node), f.created, f.acceptDue ?? null, f.responded ?? null, f.accepted ?? null,
      f.dispatched ?? null, f.resolved ?? null, f.level ?? null, f.onTime ?? null, f.rating ?? null, f.rated ?? null, f.closed ?? null,
      f.mergedInto ?? null, f.rework ?? 0, f.returns ?? 0, f.department?.() ?? null,
    ],
  );
  ids[f.key] = r!.id;
  return r!.id;
}

// Times in UTC; 02:00Z is 10:00 in China. Counted by hand below.
const FIXTURES: Fixture[] = [
  // c1 grid A1: accepted on time, dispatched to urban management, resolved on time at community level, rated satisfied.
  { key: 'c1', node: TREE.gridA1, status: 'closed', created: '2026-03-02T02:00Z', acceptDue: '2026-03-02T04:00Z', responded: '2026-03-02T03:00Z', accepted: '2026-03-02T03:00Z', dispatched: '2026-03-02T03:30Z', resolved: '2026-03-03T02:00Z', level: 'community', onTime: true, rating: 'satisfied', rated: '2026-03-04T02:00Z', closed: '2026-03-04T02:00Z', department: () => urbanId },
  // c2 grid A1: rejected after the acceptance deadline.
  { key: 'c2', node: TREE.gridA1, status: 'rejected', created: '2026-03-02T02:00Z', acceptDue: '2026-03-02T04:00Z', responded: '2026-03-02T05:00Z' },
  // c3 grid A1: a merged duplicate (counts nowhere).
  { key: 'c3', node: TREE.gridA1, status: 'merged', created: '2026-03-05T02:00Z', acceptDue: '2026-03-05T04:00Z', responded: '2026-03-05T03:00Z', mergedInto: 1 },
  // c4 grid A2: accepted, dispatched to the police, returned once.
  { key: 'c4', node: TREE.gridA2, status: 'returned', created: '2026-03-06T02:00Z', acceptDue: '2026-03-06T04:00Z', responded: '2026-03-06T03:00Z', accepted: '2026-03-06T03:00Z', dispatched: '2026-03-06T03:30Z', returns: 1, department: () => policeId },
  // c5 community B1, hotline: resolved late at street level after a rework.
  { key: 'c5', node: TREE.communityB1, status: 'resolved', channel: 'hotline', category: 'city_env.noise', created: '2026-03-07T02:00Z', acceptDue: '2026-03-07T04:00Z', responded: '2026-03-07T03:00Z', accepted: '2026-03-07T03:00Z', dispatched: '2026-03-07T03:30Z', resolved: '2026-03-08T02:00Z', level: 'street', onTime: false, rework: 1, department: () => urbanId },
  // c6 community B1: reported and accepted in February, resolved 1 March (China time) at grid level, closed unrated.
  { key: 'c6', node: TREE.communityB1, status: 'closed', created: '2026-02-27T02:00Z', acceptDue: '2026-02-27T04:00Z', responded: '2026-02-27T03:00Z', accepted: '2026-02-27T03:00Z', dispatched: '2026-02-27T03:30Z', resolved: '2026-02-28T16:30Z', level: 'grid', onTime: true, closed: '2026-03-10T02:00Z', department: () => urbanId },
];

const MARCH = 'from=2026-03-01&to=2026-03-31';

beforeAll(async () => {
  await buildSmallCity(t.db);
  const [u] = await t.db.query<{ id: number }>(`INSERT INTO departments (city_code, node_code, name, kind) VALUES ('4413', $1, '惠州市城管局', 'urban_management') RETURNING id`, [TREE.city]);
  const [p] = await t.db.query<{ id: number }>(`INSERT INTO departments (city_code, node_code, name, kind) VALUES ('4413', $1, '惠城区公安分局', 'police') RETURNING id`, [TREE.districtA]);
  urbanId = u!.id;
  policeId = p!.id;
  for (const f of FIXTURES) await insertCase(f);
  leader = await clientAs(t, 'leader', TREE.city);
  secretaryB1 = await clientAs(t, 'community_secretary', TREE.communityB1);
  resident = await clientAs(t, 'resident', TREE.communityA1);
  urbanStaff = await clientAs(t, 'department_staff', TREE.city, { departmentId: urbanId });
});

describe('GET /api/measures', () => {
  it('401 without a session', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/measures' })).statusCode).toBe(401);
  });

  it('404 for a node outside the caller\'s subtree, alike for a missing one', async () => {
    const out = await secretaryB1.get(`/api/measures?node=${TREE.gridA1}`);
    expect(out.statusCode).toBe(404);
    expect(out.json().code).toBe('NODE_NOT_FOUND');
    expect((await secretaryB1.get('/api/measures?node=441303001001999')).statusCode).toBe(404);
  });

  it('403 for a role without measure.read', async () => {
    const res = await resident.get(`/api/measures?node=${TREE.communityA1}`);
    expect(res.statusCode).toBe(403);
  });

  it('400 naming the field for bad input', async () => {
    const bad: [string, string][] = [
      ['from=2026-02-30', 'from'],
      ['from=2026-03-10&to=2026-03-01', 'from'],
      ['to=yesterday', 'to'],
      ['channel=fax', 'channel'],
      ['category=no.such', 'category'],
      ['surprise=1', 'surprise'],
      ['department=0', 'department'],
    ];
    for (const [q, field] of bad) {
      const res = await leader.get(`/api/measures?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(JSON.stringify(res.json()), q).toContain(field);
    }
  });

  it('gives the city\'s March figures from the roll-up, counted by hand', async () => {
    const res = await leader.get(`/api/measures?node=${TREE.city}&${MARCH}`);
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b.source).toBe('rollup');
    expect(b.node).toMatchObject({ code: TREE.city, level: 'city' });
    expect(b.measures.response).toEqual({ rate: 3 / 4, numerator: 3, denominator: 4 }); // c1 c4 c5 of c1 c2 c4 c5
    expect(b.measures.resolution).toEqual({ rate: 1 / 3, numerator: 1, denominator: 3 }); // c1 of c1 c4 c5
    expect(b.measures.onTime).toEqual({ rate: 2 / 3, numerator: 2, denominator: 3 }); // c1 c6 of c1 c5 c6
    expect(b.measures.rework).toEqual({ rate: 1 / 3, numerator: 1, denominator: 3 }); // c5
    expect(b.measures.return).toEqual({ rate: 1 / 3, numerator: 1, denominator: 3 }); // c4 of c1 c4 c5
    expect(b.measures.satisfaction).toEqual({ rate: 1, numerator: 1, denominator: 1 }); // c1 (c6 closed unrated)
    expect(b.counts.resolvedByLevel).toEqual({ grid: 1, community: 1, street: 1, district: 0, city: 0 });
    expect(b.levelShares.grid).toEqual({ rate: 1 / 3, numerator: 1, denominator: 3 });
  });

  it('gives the same figures after the deltas are folded into the roll-up', async () => {
    const before = (await leader.get(`/api/measures?node=${TREE.city}&${MARCH}`)).json();
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM measure_deltas'))[0]!.n).toBeGreaterThan(0);
    expect(await compact(t.db)).toBeGreaterThan(0);
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM measure_deltas'))[0]!.n).toBe(0);
    const after = (await leader.get(`/api/measures?node=${TREE.city}&${MARCH}`)).json();
    expect(after).toEqual(before);
    expect(await diffRollup(t.db, '4413')).toEqual([]);
  });

  it('answers a district from the roll-up and a grid from a scan, with the same definitions', async () => {
    const d = (await leader.get(`/api/measures?node=${TREE.districtA}&${MARCH}`)).json();
    expect(d.source).toBe('rollup');
    expect(d.counts).toMatchObject({ reported: 3, respondedOnTime: 2, accepted: 2, acceptedClosed: 1, resolved: 1, dispatched: 2, returned: 1, rated: 1, satisfied: 1 });
    // A grid over whole months: the month × grid roll-up; over other days: a scan. Same counts.
    const g = (await leader.get(`/api/measures?node=${TREE.gridA1}&${MARCH}`)).json();
    expect(g.source).toBe('rollup');
    expect(g.counts).toMatchObject({ reported: 2, respondedOnTime: 1, accepted: 1, acceptedClosed: 1, resolved: 1, dispatched: 1, returned: 0 });
    const s = (await leader.get(`/api/measures?node=${TREE.gridA1}&from=2026-03-01&to=2026-03-30`)).json();
    expect(s.source).toBe('scan');
    expect(s.counts).toEqual(g.counts);
    const community = (await leader.get(`/api/measures?node=${TREE.communityA1}&${MARCH}`)).json();
    expect(community.counts).toEqual(g.counts);
  });

  it('filters by category (top level from the roll-up, deeper by scan) and channel', async () => {
    const top = (await leader.get(`/api/measures?node=${TREE.city}&category=city_env&${MARCH}`)).json();
    expect(top.source).toBe('rollup');
    expect(top.counts).toMatchObject({ reported: 1, resolved: 1, reworked: 1 }); // c5
    const leaf = (await leader.get(`/api/measures?node=${TREE.city}&category=dispute.neighbour&${MARCH}`)).json();
    expect(leaf.source).toBe('scan');
    expect(leaf.counts).toMatchObject({ reported: 3, resolved: 2 }); // c1 c2 c4; resolved c1 c6
    const hot = (await leader.get(`/api/measures?node=${TREE.city}&channel=hotline&${MARCH}`)).json();
    expect(hot.counts).toMatchObject({ reported: 1, resolved: 1 });
  });

  it('shows department staff their own department only', async () => {
    const mine = await urbanStaff.get(`/api/measures?${MARCH}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.json().department).toEqual({ id: urbanId, name: '惠州市城管局' });
    expect(mine.json().counts).toMatchObject({ reported: 2, accepted: 2, acceptedClosed: 1, resolved: 3, resolvedOnTime: 2, reworked: 1, dispatched: 2, rated: 1 });
    expect((await urbanStaff.get(`/api/measures?department=${policeId}&${MARCH}`)).statusCode).toBe(403);
    const leaderView = (await leader.get(`/api/measures?department=${policeId}&${MARCH}`)).json();
    expect(leaderView.counts).toMatchObject({ reported: 1, dispatched: 1, returned: 1 });
  });

  it('follows a case moved to another grid: its counts leave the old grid and join the new one', async () => {
    await t.db.query(`UPDATE cases SET node_code = $1, node_path = $2::ltree WHERE id = $3`, [TREE.gridA2, pathOf(TREE.gridA2), ids.c1]);
    const a1 = (await leader.get(`/api/measures?node=${TREE.gridA1}&${MARCH}`)).json();
    const a2 = (await leader.get(`/api/measures?node=${TREE.gridA2}&${MARCH}`)).json();
    expect(a1.counts).toMatchObject({ reported: 1, accepted: 0, resolved: 0 }); // c2 only
    expect(a2.counts).toMatchObject({ reported: 2, accepted: 2, resolved: 1, rated: 1 }); // c1 joined c4
    const b = (await leader.get(`/api/measures?node=${TREE.districtB}&${MARCH}`)).json();
    await t.db.query(`UPDATE cases SET node_code = $1, node_path = $2::ltree WHERE id = $3`, [TREE.communityB1, pathOf(TREE.communityB1), ids.c1]);
    const b2 = (await leader.get(`/api/measures?node=${TREE.districtB}&${MARCH}`)).json();
    expect(b2.counts.reported).toBe(b.counts.reported + 1);
    expect(b2.counts.rated).toBe(b.counts.rated + 1);
    expect(await diffRollup(t.db)).toEqual([]);
  });
});

describe('GET /api/measures/trend', () => {
  it('400 for a bad bucket; 404 out of scope', async () => {
    expect((await leader.get(`/api/measures/trend?bucket=year`)).statusCode).toBe(400);
    expect((await secretaryB1.get(`/api/measures/trend?bucket=day&node=${TREE.city}`)).statusCode).toBe(404);
  });

  it('splits the period into Monday weeks whose counts add up to the period\'s', async () => {
    const res = await leader.get(`/api/measures/trend?node=${TREE.city}&bucket=week&${MARCH}`);
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b.points.map((p: { start: string }) => p.start)).toEqual(['2026-02-23', '2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30']);
    expect(b.points[0].counts.resolved).toBe(1); // c6 on 1 March (a Sunday)
    const total = (await leader.get(`/api/measures?node=${TREE.city}&${MARCH}`)).json();
    const sum = (k: string) => b.points.reduce((s: number, p: { counts: Record<string, number> }) => s + p.counts[k]!, 0);
    for (const k of ['reported', 'accepted', 'resolved', 'dispatched', 'rated']) expect(sum(k), k).toBe(total.counts[k]);
    const daily = (await leader.get(`/api/measures/trend?node=${TREE.gridA1}&bucket=day&from=2026-03-01&to=2026-03-03`)).json();
    expect(daily.source).toBe('scan');
    expect(daily.points).toHaveLength(3);
  });
});
