import { describe, expect, it } from 'vitest';
import { checkPassword } from '../../domain/password.js';
import { ROLES } from '../../domain/permissions.js';
import {
  DEMO_PASSWORD,
  hash32,
  isVillage,
  planCommunityGrids,
  planDepartments,
  planGrids,
  planUsers,
  seedOf,
  type CommunityInfo,
} from './demo-plan.js';

const urban: CommunityInfo = { code: '441302001001', name: '东湖社区居委会', shortName: '东湖社区' };
const village: CommunityInfo = { code: '441302100201', name: '石湾村委会', shortName: '石湾村' };

function communities(n: number): CommunityInfo[] {
  return Array.from({ length: n }, (_, i) => {
    const code = `441302001${String(i + 1).padStart(3, '0')}`;
    return i % 3 ? { code, name: `甲${i}村民委员会`, shortName: `甲${i}村` } : { code, name: `乙${i}社区居委会`, shortName: `乙${i}社区` };
  });
}

describe('demo plan', () => {
  it('hashes and seeds are stable and in range for ST_GeneratePoints', () => {
    expect(hash32('441302')).toBe(hash32('441302'));
    expect(hash32('441302')).not.toBe(hash32('441303'));
    for (const code of ['44', '4413', '441302001001', '441302001001001']) {
      const s = seedOf(code, 'grid');
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThan(0);
      expect(s).toBeLessThan(2 ** 31);
      expect(seedOf(code, 'grid')).toBe(s);
    }
  });

  it('tells villages from urban communities', () => {
    expect(isVillage(urban)).toBe(false);
    expect(isVillage(village)).toBe(true);
    expect(isVillage({ code: '1', name: '新塘村民委员会', shortName: '新塘村民委员会' })).toBe(true);
  });

  it('gives 3–6 grids to an urban community and 2–4 to a village, numbered and named after it', () => {
    for (const c of communities(60)) {
      const grids = planCommunityGrids(c);
      const [lo, hi, hhLo, hhHi] = isVillage(c) ? [2, 4, 200, 400] : [3, 6, 300, 500];
      expect(grids.length).toBeGreaterThanOrEqual(lo);
      expect(grids.length).toBeLessThanOrEqual(hi);
      grids.forEach((g, i) => {
        expect(g.code).toBe(`${c.code}${String(i + 1).padStart(3, '0')}`);
        expect(g.name).toBe(`${c.shortName}第${i + 1}网格`);
        expect(g.kind).toBe('comprehensive');
        expect(g.households).toBeGreaterThanOrEqual(hhLo);
        expect(g.households).toBeLessThanOrEqual(hhHi);
      });
    }
  });

  it('is deterministic', () => {
    expect(planGrids(communities(40))).toEqual(planGrids(communities(40)));
  });

  it('averages about three grids a community, so Huizhou gets about 4,000', () => {
    const grids = planGrids(communities(1364)).filter((g) => g.kind === 'comprehensive');
    expect(grids.length / 1364).toBeGreaterThan(2.7);
    expect(grids.length / 1364).toBeLessThan(3.6);
  });

  it('places the four special grids in four different communities, never the first, after their comprehensive grids', () => {
    const list = communities(30);
    const grids = planGrids(list);
    const special = grids.filter((g) => g.kind === 'special');
    expect(special.map((g) => g.attributes.specialType).sort()).toEqual(['hospital', 'industrial_park', 'market', 'school']);
    expect(new Set(special.map((g) => g.communityCode)).size).toBe(4);
    expect(special.some((g) => g.communityCode === list[0]!.code)).toBe(false);
    for (const s of special) {
      expect(s.name).toMatch(/专属网格$/);
      expect(s.households).toBe(0);
      const siblings = grids.filter((g) => g.communityCode === s.communityCode);
      expect(siblings.at(-1)).toBe(s);
      expect(Number(s.code.slice(-3))).toBe(siblings.length);
    }
    expect(planGrids([urban]).filter((g) => g.kind === 'special')).toEqual([]);
  });

  it('names ten departments at the city and at a district', () => {
    const city = planDepartments('惠州市');
    const district = planDepartments('惠州市', '惠城区');
    expect(city).toHaveLength(10);
    expect(district.map((d) => d.kind)).toEqual(city.map((d) => d.kind));
    expect(city.find((d) => d.kind === 'police')!.name).toBe('惠州市公安局');
    expect(district.find((d) => d.kind === 'police')!.name).toBe('惠州市公安局惠城区分局');
    expect(new Set([...city, ...district].map((d) => d.name)).size).toBe(20);
  });

  it('plans one account per role with a password that meets the password rules', () => {
    const n = (code: string, name: string) => ({ code, name });
    const users = planUsers({
      city: n('4413', '惠州市'),
      district: n('441302', '惠城区'),
      street: n('441302001', '桥东街道'),
      community: n('441302001001', '东湖社区'),
      grid: n('441302001001001', '东湖社区第1网格'),
    });
    expect(new Set(users.map((u) => u.role))).toEqual(new Set(ROLES));
    expect(new Set(users.map((u) => u.username)).size).toBe(users.length);
    for (const u of users) expect(checkPassword(DEMO_PASSWORD, u.username)).toEqual({ ok: true });
    expect(users.filter((u) => u.role === 'department_staff').every((u) => u.departmentKind)).toBe(true);
  });
});
