import { describe, expect, it } from 'vitest';
import { findTies, levelAbove, resolveRoute, RoutingTieError, type ResponsibilityEntry } from './routing.js';

const D = { accept: { amount: 2, unit: 'hours' as const }, sign: { amount: 4, unit: 'hours' as const }, handle: { amount: 72, unit: 'hours' as const } };
let id = 0;
const entry = (categoryPath: string, nodePath: string, over: Partial<ResponsibilityEntry> = {}): ResponsibilityEntry => ({
  id: ++id,
  categoryPath,
  nodePath,
  handlingLevel: 'community',
  lead: { type: 'node_office' },
  coHandlers: [],
  deadlines: D,
  autoDispatch: false,
  ...over,
});

const CITY = '44.4413';
const DISTRICT = '44.4413.441302';
const GRID = '44.4413.441302.441302001.441302001001.441302001001001';

describe('responsibility list routing', () => {
  const cityDispute = entry('dispute', CITY);
  const cityNeighbour = entry('dispute.neighbour', CITY, { handlingLevel: 'grid', lead: { type: 'grid_worker' } });
  const districtDispute = entry('dispute', DISTRICT, { handlingLevel: 'street' });
  const cityEnv = entry('city_env', CITY, { handlingLevel: 'district', lead: { type: 'department', departmentKind: 'urban_management' } });
  const all = [cityDispute, cityNeighbour, districtDispute, cityEnv];

  it('deepest node wins over a more specific category higher up', () => {
    const r = resolveRoute(all, 'dispute.neighbour', GRID)!;
    expect(r.entry).toBe(districtDispute);
    expect(r.handlingNodeCode).toBe('441302001');
    expect(r.alsoMatched).toEqual([cityNeighbour, cityDispute]);
    expect(r.explanation).toMatch(/most specific of 3/);
  });

  it('at the same node, the most specific category wins', () => {
    const r = resolveRoute(all, 'dispute.neighbour', '44.4413.441303.441303001')!;
    expect(r.entry).toBe(cityNeighbour);
  });

  it('resolves the handling node on the case path; a case placed above the level stays at its own node', () => {
    expect(resolveRoute(all, 'city_env.garbage', GRID)!.handlingNodeCode).toBe('441302');
    expect(resolveRoute(all, 'dispute.neighbour', '44.4413.441303.441303001')!.handlingNodeCode).toBe('441303001');
  });

  it('no entry → undefined; category paths match on labels, not prefixes', () => {
    expect(resolveRoute(all, 'safety', GRID)).toBeUndefined();
    expect(resolveRoute(all, 'disputes', GRID)).toBeUndefined();
    expect(resolveRoute(all, 'dispute', '44.4414.441402')).toBeUndefined();
  });

  it('reports ties handed to it', () => {
    const dup = entry('dispute', DISTRICT);
    expect(() => resolveRoute([...all, dup], 'dispute', GRID)).toThrow(RoutingTieError);
    expect(findTies([...all, dup]).map(([a, b]) => [a.id, b.id])).toEqual([[districtDispute.id, dup.id]]);
    expect(findTies(all)).toEqual([]);
  });

  it('escalates one level at a time up to the city', () => {
    expect(levelAbove('grid')).toBe('community');
    expect(levelAbove('district')).toBe('city');
    expect(levelAbove('city')).toBeUndefined();
  });
});
