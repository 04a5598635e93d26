/**
 * What the demo city holds, decided without the database: how many grids
 * each community gets, their names and households, the special grids, the
 * departments and the demo users. Deterministic: the same codes give the same
 * plan on every machine (a seeded hash, never Math.random).
 */
import { gridName } from '../../domain/divisions.js';
import { DEPARTMENT_KIND_NAMES, type DepartmentKind } from '../../domain/departments.js';
import type { Role } from '../../domain/permissions.js';
import { CODE_LENGTH, type GridKind } from '../../domain/tree.js';

/** The one password of every demo account (shown on the sign-in page in demo mode). */
export const DEMO_PASSWORD = 'Demo@2026';

/** FNV-1a, 32 bits: a stable hash of a string. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A seed for PostGIS ST_GeneratePoints (a positive int4) derived from a node code and a purpose. */
export function seedOf(code: string, salt = ''): number {
  return (hash32(`${salt}:${code}`) % 2_147_483_646) + 1;
}

/** A small deterministic random source (mulberry32) seeded from a string. */
export function randomFrom(key: string): () => number {
  let a = hash32(key);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function intBetween(rnd: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rnd() * (hi - lo + 1));
}

export interface CommunityInfo {
  code: string;
  /** Official name (东湖社区居委会). */
  name: string;
  /** Short name (东湖社区); the official name when there is none. */
  shortName: string;
}

/** 专属网格 types placed in the demo: an industrial park, a school, a hospital, a market. */
export const SPECIAL_GRID_TYPES = ['industrial_park', 'school', 'hospital', 'market'] as const;
export type SpecialGridType = (typeof SPECIAL_GRID_TYPES)[number];

export interface GridPlan {
  communityCode: string;
  code: string;
  name: string;
  kind: GridKind;
  households: number;
  attributes: Record<string, unknown>;
}

/** Urban communities (社区) are denser than villages (村): more grids, more households per grid. */
export function isVillage(c: CommunityInfo): boolean {
  return /村$/.test(c.shortName) || /村(委会|民委员会)$/.test(c.name);
}

/**
 * Comprehensive grids (综合网格) of one community: 3–6 in an urban
 * community, 2–4 in a village; 300–500 households per urban grid, 200–400
 * per village grid. (Real Huizhou: 3,533 grids for 1,364 village-level
 * units; the demo draws a few more, about 4,300, so that every community
 * shows several.)
 */
export function planCommunityGrids(c: CommunityInfo): GridPlan[] {
  const rnd = randomFrom(`grids:${c.code}`);
  const village = isVillage(c);
  const r = rnd();
  const count = village ? (r < 0.35 ? 2 : r < 0.8 ? 3 : 4) : intBetween(rnd, 3, 6);
  const grids: GridPlan[] = [];
  for (let i = 1; i <= count; i++) {
    grids.push({
      communityCode: c.code,
      code: c.code + String(i).padStart(CODE_LENGTH.grid - CODE_LENGTH.community, '0'),
      name: gridName(c.shortName, i),
      kind: 'comprehensive',
      households: village ? intBetween(rnd, 200, 400) : intBetween(rnd, 300, 500),
      attributes: { demo: true },
    });
  }
  return grids;
}

const SPECIAL_NAMES: Record<SpecialGridType, { urban: string; village: string; attributes: Record<string, unknown> }> = {
  industrial_park: { urban: '科技产业园', village: '工业园', attributes: { enterprises: 14 } },
  school: { urban: '实验学校', village: '中心小学', attributes: { students: 1600 } },
  hospital: { urban: '人民医院', village: '卫生院', attributes: { beds: 300 } },
  market: { urban: '农贸市场', village: '集贸市场', attributes: { stalls: 180 } },
};

/**
 * A special grid (专属网格) added after a community's comprehensive grids:
 * a place with few or no households, so 0 households.
 */
export function planSpecialGrid(c: CommunityInfo, type: SpecialGridType, after: GridPlan[]): GridPlan {
  const names = SPECIAL_NAMES[type];
  const n = after.length + 1;
  return {
    communityCode: c.code,
    code: c.code + String(n).padStart(CODE_LENGTH.grid - CODE_LENGTH.community, '0'),
    name: `${c.shortName}${isVillage(c) ? names.village : names.urban}专属网格`,
    kind: 'special',
    households: 0,
    attributes: { demo: true, specialType: type, ...names.attributes },
  };
}

/**
 * Grids for all the communities given (sorted by code): comprehensive grids
 * everywhere, and the four special grids spread over the list (one community
 * each, away from the first community, which the demo grid worker walks).
 */
export function planGrids(communities: CommunityInfo[]): GridPlan[] {
  const sorted = [...communities].sort((a, b) => a.code.localeCompare(b.code));
  const specialAt = new Map<number, SpecialGridType>();
  if (sorted.length > 1) {
    SPECIAL_GRID_TYPES.forEach((t, i) => {
      const at = 1 + Math.floor(((i + 0.5) * (sorted.length - 1)) / SPECIAL_GRID_TYPES.length);
      if (!specialAt.has(at)) specialAt.set(at, t);
    });
  }
  const out: GridPlan[] = [];
  sorted.forEach((c, i) => {
    const grids = planCommunityGrids(c);
    const special = specialAt.get(i);
    if (special) grids.push(planSpecialGrid(c, special, grids));
    out.push(...grids);
  });
  return out;
}

export interface DepartmentPlan {
  kind: DepartmentKind;
  name: string;
}

/** The ten departments the demo sets up at a city and at a district (real naming patterns of Guangdong). */
export const DEMO_DEPARTMENT_KINDS = [
  'police',
  'court',
  'justice',
  'urban_management',
  'market_supervision',
  'civil_affairs',
  'health',
  'emergency',
  'housing',
  'natural_resources',
] as const satisfies readonly DepartmentKind[];

export function planDepartments(cityName: string, districtName?: string): DepartmentPlan[] {
  const d = districtName;
  const names: Record<(typeof DEMO_DEPARTMENT_KINDS)[number], string> = d
    ? {
        police: `${cityName}公安局${d}分局`,
        court: `${d}人民法院`,
        justice: `${d}司法局`,
        urban_management: `${d}城市管理和综合执法局`,
        market_supervision: `${d}市场监督管理局`,
        civil_affairs: `${d}民政局`,
        health: `${d}卫生健康局`,
        emergency: `${d}应急管理局`,
        housing: `${d}住房和城乡建设局`,
        natural_resources: `${cityName}自然资源局${d}分局`,
      }
    : {
        police: `${cityName}公安局`,
        court: `${cityName}中级人民法院`,
        justice: `${cityName}司法局`,
        urban_management: `${cityName}城市管理和综合执法局`,
        market_supervision: `${cityName}市场监督管理局`,
        civil_affairs: `${cityName}民政局`,
        health: `${cityName}卫生健康局`,
        emergency: `${cityName}应急管理局`,
        housing: `${cityName}住房和城乡建设局`,
        natural_resources: `${cityName}自然资源局`,
      };
  return DEMO_DEPARTMENT_KINDS.map((kind) => ({ kind, name: names[kind] }));
}

/** Where the demo users sit: one node of each level, on one line down the tree. */
export interface DemoAnchors {
  city: { code: string; name: string };
  district: { code: string; name: string };
  street: { code: string; name: string };
  community: { code: string; name: string };
  grid: { code: string; name: string };
}

export interface DemoUserPlan {
  username: string;
  displayName: string;
  role: Role;
  node: { code: string; name: string };
  /** For department_staff: the kind of the department at `node`. */
  departmentKind?: DepartmentKind;
}

/** One demo account for every role (two dispatchers: the city's and a district's). */
export function planUsers(a: DemoAnchors): DemoUserPlan[] {
  return [
    { username: 'admin', displayName: `${a.city.name}系统管理员`, role: 'administrator', node: a.city },
    { username: 'leader', displayName: `${a.city.name}领导`, role: 'leader', node: a.city },
    { username: 'dispatcher', displayName: `${a.city.name}指挥中心坐席`, role: 'dispatcher', node: a.city },
    { username: 'hcdispatcher', displayName: `${a.district.name}指挥中心坐席`, role: 'dispatcher', node: a.district },
    { username: 'street', displayName: `${a.street.name}干部`, role: 'street_officer', node: a.street },
    { username: 'secretary', displayName: `${a.community.name}书记`, role: 'community_secretary', node: a.community },
    { username: 'gridleader', displayName: `${a.community.name}网格长`, role: 'grid_leader', node: a.community },
    { username: 'gridworker', displayName: `${a.grid.name}网格员`, role: 'grid_worker', node: a.grid },
    {
      username: 'police',
      displayName: `${a.district.name}${DEPARTMENT_KIND_NAMES.police.zh}民警`,
      role: 'department_staff',
      node: a.district,
      departmentKind: 'police',
    },
    { username: 'resident', displayName: `${a.grid.name}居民`, role: 'resident', node: a.grid },
  ];
}
