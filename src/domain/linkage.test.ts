import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ancestry,
  DEFAULT_BOUNDS,
  evenChunks,
  proposeTree,
  residentKey,
  validateTree,
  type CommunityInput,
  type LinkageBounds,
  type LinkageGroup,
} from './linkage.js';

/** A random community: 1–4 grids (some without a worker), compounds, buildings, households with 0–4 residents. */
const community = (opts: { everyoneHasResidents?: boolean; workers?: boolean; minHouseholds?: number } = {}) =>
  fc
    .record({
      grids: fc.integer({ min: 1, max: 4 }),
      households: fc.array(
        fc.record({
          grid: fc.nat(3),
          compound: fc.option(fc.constantFrom('A苑', 'B园', 'C村', 'D府', 'E里'), { nil: null }),
          building: fc.integer({ min: 1, max: 6 }),
          unit: fc.integer({ min: 1, max: 3 }),
          room: fc.integer({ min: 101, max: 1804 }),
          residents: fc.array(fc.record({ head: fc.boolean(), volunteer: fc.boolean() }), { minLength: opts.everyoneHasResidents ? 1 : 0, maxLength: 4 }),
        }),
        { minLength: opts.minHouseholds ?? 0, maxLength: 260, size: 'large' },
      ),
      workerMissing: fc.nat(5),
    })
    .map(({ grids, households, workerMissing }): CommunityInput => {
      const gridCodes = Array.from({ length: grids }, (_, i) => `441302001001${String(i + 1).padStart(3, '0')}`);
      let rid = 0;
      const hs = households.map((h, i) => ({ id: i + 1, gridCode: gridCodes[h.grid % grids]!, compound: h.compound, building: `${h.building}栋`, unit: `${h.unit}单元`, room: String(h.room), residents: h.residents }));
      return {
        communityCode: '441302001001',
        secretaryUserId: 'sec',
        grids: gridCodes.map((code, i) => ({ code, workerUserId: opts.workers === false && i === workerMissing % grids ? null : `w${i}` })),
        households: hs.map(({ residents: _r, ...h }) => h),
        residents: hs.flatMap((h) => h.residents.map((r) => ({ id: ++rid, householdId: h.id, relation: r.head ? 'head' : 'child', volunteer: r.volunteer }))),
      };
    });

const householdsOf = (c: CommunityInput) => c.households.map((h) => h.id);

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

describe('proposeTree', () => {
  it('puts every household in exactly one level-1 group, within one grid', () => {
    fc.assert(
      fc.property(community(), (c) => {
        const tree = proposeTree(c);
        const seen = new Map<number, number>();
        for (const g of tree.filter((g) => g.level === 1)) {
          for (const h of g.households) {
            seen.set(h, (seen.get(h) ?? 0) + 1);
            expect(c.households.find((x) => x.id === h)!.gridCode).toBe(g.nodeCode);
          }
        }
        expect([...seen.keys()].sort((a, b) => a - b)).toEqual(householdsOf(c));
        expect([...seen.values()].every((n) => n === 1)).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it('proposes a valid tree when every household has residents and every grid a worker, except a grid too small for one group', () => {
    fc.assert(
      fc.property(community({ everyoneHasResidents: true }), (c) => {
        const tree = proposeTree(c);
        const violations = validateTree(tree, householdsOf(c));
        if (c.households.length === 0) {
          // Nothing to group: only the empty community group itself is reported.
          expect(violations.map((v) => [v.code, v.groupKey])).toEqual([['SIZE_BELOW_MIN', 'L4']]);
          return;
        }
        const perGrid = new Map<string, number>();
        for (const h of c.households) perGrid.set(h.gridCode, (perGrid.get(h.gridCode) ?? 0) + 1);
        for (const v of violations) {
          // The only fault a proposal may carry: a grid with fewer households than a level-1 group needs.
          expect(v.code, JSON.stringify(v)).toBe('SIZE_BELOW_MIN');
          const g = tree.find((x) => x.key === v.groupKey)!;
          expect(g.level).toBe(1);
          expect(perGrid.get(g.nodeCode)!).toBeLessThan(DEFAULT_BOUNDS[1].min);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('owner chain: every owner is a member of the parent group, up to the grid worker and the secretary', () => {
    fc.assert(
      fc.property(community({ everyoneHasResidents: true }), (c) => {
        const tree = proposeTree(c);
        const byKey = new Map(tree.map((g) => [g.key, g]));
        for (const g of tree) {
          if (g.parentKey) expect(byKey.get(g.parentKey)!.members).toContain(g.owner);
          if (g.level === 3) expect(g.owner).toMatch(/^u:w\d$/);
          if (g.level === 4) expect(g.owner).toBe('u:sec');
          expect(ancestry(tree, g.key).length).toBe(5 - g.level);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('keeps level-1 groups within bounds for any bounds where max ≥ 2·min − 1', () => {
    fc.assert(
      fc.property(
        community({ everyoneHasResidents: true }),
        fc.integer({ min: 1, max: 8 }).chain((min) => fc.record({ min: fc.constant(min), max: fc.integer({ min: 2 * min - 1, max: 3 * min + 5 }) })),
        (c, b1) => {
          const bounds: LinkageBounds = { ...DEFAULT_BOUNDS, 1: b1, 2: { min: 1, max: 1000 } };
          const tree = proposeTree(c, bounds);
          const perGrid = new Map<string, number>();
          for (const h of c.households) perGrid.set(h.gridCode, (perGrid.get(h.gridCode) ?? 0) + 1);
          for (const g of tree.filter((g) => g.level === 1)) {
            expect(g.households.length).toBeLessThanOrEqual(b1.max);
            if (perGrid.get(g.nodeCode)! >= b1.min) expect(g.households.length).toBeGreaterThanOrEqual(b1.min);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('groups neighbours: a level-1 group is a run of the compound sorted by building, unit and room', () => {
    const c: CommunityInput = {
      communityCode: '441302001001',
      secretaryUserId: 's',
      grids: [{ code: '441302001001001', workerUserId: 'w' }],
      households: Array.from({ length: 12 }, (_, i) => ({ id: 12 - i, gridCode: '441302001001001', compound: '幸福小区', building: `${1 + (i % 2)}栋`, unit: '1单元', room: String(101 + i) })),
      residents: Array.from({ length: 12 }, (_, i) => ({ id: 100 + i, householdId: i + 1, relation: 'head', volunteer: i === 3 })),
    };
    const l1 = proposeTree(c).filter((g) => g.level === 1);
    expect(l1.map((g) => g.households.length)).toEqual([6, 6]);
    // Building 1 (i even → ids 12, 10, 8, 6, 4, 2) forms the first group, building 2 the second.
    expect([...l1[0]!.households].sort((a, b) => a - b)).toEqual([2, 4, 6, 8, 10, 12]);
    expect(l1[0]!.name).toContain('1栋');
    // The volunteer head (resident 103 of household 4) owns the first group.
    expect(l1[0]!.owner).toBe(residentKey(103));
  });
});

describe('validateTree', () => {
  it('never changes the tree it checks', () => {
    fc.assert(
      fc.property(community(), (c) => {
        const tree = deepFreeze(proposeTree(c));
        const copy = JSON.stringify(tree);
        validateTree(tree, householdsOf(c));
        expect(JSON.stringify(tree)).toBe(copy);
      }),
      { numRuns: 50 },
    );
  });

  it('finds a household taken out of its group, and one put in two groups', () => {
    fc.assert(
      fc.property(community({ everyoneHasResidents: true, minHouseholds: 12 }), fc.nat(), (c, pick) => {
        const tree = proposeTree(c);
        const l1 = tree.filter((g) => g.level === 1);
        const g = l1[pick % l1.length]!;
        const h = g.households[0]!;
        const removed = tree.map((x) => (x.key === g.key ? { ...x, households: x.households.slice(1) } : x));
        expect(validateTree(removed, householdsOf(c)).filter((v) => v.code === 'HOUSEHOLD_UNASSIGNED').map((v) => v.householdId)).toEqual([h]);
        const other = l1.find((x) => x.key !== g.key);
        if (other) {
          const doubled = tree.map((x) => (x.key === other.key ? { ...x, households: [...x.households, h] } : x));
          const v = validateTree(doubled, householdsOf(c)).find((v) => v.code === 'HOUSEHOLD_IN_MANY_GROUPS');
          expect(v).toMatchObject({ householdId: h });
          expect((v!.details!.groups as string[]).sort()).toEqual([g.key, other.key].sort());
        }
      }),
      { numRuns: 50 },
    );
  });

  it('finds an owner who is not a member of the parent group, and missing owners', () => {
    fc.assert(
      fc.property(community({ everyoneHasResidents: true }), fc.nat(), (c, pick) => {
        fc.pre(c.households.length > 0);
        const tree = proposeTree(c);
        const l2 = tree.filter((g) => g.level === 2);
        const g = l2[pick % l2.length]!;
        // Someone outside the tree takes over a level-2 group.
        const changed: LinkageGroup[] = tree.map((x) => (x.key === g.key ? { ...x, owner: residentKey(999_999), members: [...x.members, residentKey(999_999)] } : x));
        const codes = validateTree(changed, householdsOf(c)).filter((v) => v.groupKey === g.key).map((v) => v.code);
        expect(codes).toContain('OWNER_NOT_IN_PARENT');
        const ownerless = tree.map((x) => (x.level === 3 ? { ...x, owner: null } : x));
        const missing = validateTree(ownerless, householdsOf(c)).filter((v) => v.code === 'OWNER_MISSING');
        expect(missing.length).toBe(tree.filter((x) => x.level === 3).length);
      }),
      { numRuns: 50 },
    );
  });

  it('a grid without a worker leaves its level-3 group without an owner, reported', () => {
    fc.assert(
      fc.property(community({ everyoneHasResidents: true, workers: false }), (c) => {
        const tree = proposeTree(c);
        const noWorker = c.grids.filter((g) => !g.workerUserId).map((g) => `L3:${g.code}`);
        const missing = validateTree(tree, householdsOf(c)).filter((v) => v.code === 'OWNER_MISSING').map((v) => v.groupKey);
        for (const k of noWorker) if (tree.some((g) => g.key === k)) expect(missing).toContain(k);
      }),
      { numRuns: 50 },
    );
  });

  it('reports unknown households, oversize groups, wrong parents and two tops', () => {
    const tree: LinkageGroup[] = [
      { key: 'a', level: 4, parentKey: null, name: 'A', nodeCode: 'c', owner: 'u:s', members: ['u:w'], households: [] },
      { key: 'b', level: 4, parentKey: null, name: 'B', nodeCode: 'c', owner: 'u:s', members: [], households: [] },
      { key: 'g', level: 3, parentKey: 'a', name: 'G', nodeCode: 'g', owner: 'u:w', members: ['r:1'], households: [] },
      { key: 'x', level: 1, parentKey: 'g', name: 'X', nodeCode: 'g', owner: 'r:1', members: ['r:1'], households: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 42] },
    ];
    const codes = validateTree(tree, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).map((v) => v.code);
    expect(codes).toEqual(expect.arrayContaining(['NOT_ONE_TOP_GROUP', 'PARENT_LEVEL_MISMATCH', 'SIZE_ABOVE_MAX', 'HOUSEHOLD_UNKNOWN', 'HOUSEHOLD_UNASSIGNED', 'SIZE_BELOW_MIN']));
  });
});

describe('evenChunks', () => {
  it('splits into ceil(n/max) runs differing by at most one, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 300 }), fc.integer({ min: 1, max: 30 }), (xs, max) => {
        const runs = evenChunks(xs, max);
        expect(runs.flat()).toEqual(xs);
        expect(runs.length).toBe(Math.ceil(xs.length / max));
        const sizes = runs.map((r) => r.length);
        if (sizes.length) expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(sizes.every((s) => s <= max && s > 0)).toBe(true);
      }),
    );
  });
});
