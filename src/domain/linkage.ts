/**
 * Four-level household linkage (四级联户): a tree of neighbourhood groups that
 * reaches every household of a community.
 *
 *   level 1  5–10 neighbouring households (same building/unit); owner: a resident (楼栋长)
 *   level 2  a compound or village group; members: the owners of its level-1 groups
 *   level 3  a comprehensive grid; owner: the grid worker; members: the owners of its level-2 groups
 *   level 4  the community; owner: the secretary; members: the grid workers (+ the three-person team)
 *
 * `proposeTree` builds a full tree from the registry; `validateTree` lists what
 * breaks the rules. Nothing here fixes a tree silently: a hand-adjusted tree
 * keeps its faults until someone changes it, and the list says where they are.
 * Pure: used by the server and the console alike.
 */

export type LinkageLevel = 1 | 2 | 3 | 4;

/** A person who can own or belong to a group: a resident (`r:<id>`) or a platform user (`u:<id>`). */
export type PartyKey = `r:${number}` | `u:${string}`;

export const residentKey = (id: number): PartyKey => `r:${id}`;
export const userKey = (id: string): PartyKey => `u:${id}`;

export interface LinkageResident {
  id: number;
  householdId: number;
  /** Relation to the head of household ('head', 'spouse', …). */
  relation?: string | null;
  /** In the neighbour service team (友邻服务队). */
  volunteer?: boolean;
}

export interface LinkageHousehold {
  id: number;
  /** The grid the household is registered in. */
  gridCode: string;
  /** The compound or village group (小区/村民小组), e.g. a place id; null = none recorded. */
  compound?: string | null;
  building?: string | null;
  unit?: string | null;
  room?: string | null;
}

export interface CommunityInput {
  communityCode: string;
  communityName?: string;
  /** Secretary of the community (owner of the level-4 group). */
  secretaryUserId?: string | null;
  /** Other members of the level-4 group (the "three-person team"). */
  teamUserIds?: string[];
  grids: { code: string; name?: string; workerUserId?: string | null }[];
  households: LinkageHousehold[];
  residents: LinkageResident[];
}

export interface LinkageGroup {
  /** Stable within one tree (proposal keys are 'L4', 'L3:<grid>', 'L2:<grid>:<n>', 'L1:<grid>:<n>:<m>'; stored trees use ids). */
  key: string;
  level: LinkageLevel;
  parentKey: string | null;
  name: string;
  /** Grid code for levels 1–3, community code for level 4. */
  nodeCode: string;
  owner: PartyKey | null;
  /** People in the group (for level 1: one representative per household is not required; households count). */
  members: PartyKey[];
  /** Level 1 only: the households of the group. */
  households: number[];
}

export interface SizeBounds {
  min: number;
  max: number;
}

/** Size bounds per level: households for level 1, members for levels 2–4. */
export type LinkageBounds = Record<LinkageLevel, SizeBounds>;

export const DEFAULT_BOUNDS: LinkageBounds = {
  1: { min: 5, max: 10 },
  2: { min: 1, max: 60 },
  3: { min: 1, max: 200 },
  4: { min: 1, max: 200 },
};

export type ViolationCode =
  | 'HOUSEHOLD_UNASSIGNED'
  | 'HOUSEHOLD_IN_MANY_GROUPS'
  | 'HOUSEHOLD_UNKNOWN'
  | 'SIZE_BELOW_MIN'
  | 'SIZE_ABOVE_MAX'
  | 'OWNER_MISSING'
  | 'OWNER_NOT_IN_PARENT'
  | 'OWNER_NOT_IN_GROUP'
  | 'PARENT_MISSING'
  | 'PARENT_LEVEL_MISMATCH'
  | 'NOT_ONE_TOP_GROUP';

export interface Violation {
  code: ViolationCode;
  groupKey?: string;
  householdId?: number;
  /** A sentence a person can act on (English; the console translates by code). */
  message: string;
  /** The figures behind it (size, bounds, the group keys a household is in …). */
  details?: Record<string, unknown>;
}

const byAddress = (a: LinkageHousehold, b: LinkageHousehold) =>
  cmp(a.building, b.building) || cmp(a.unit, b.unit) || cmp(a.room, b.room) || a.id - b.id;

// One collator for every comparison (localeCompare with options builds a new one per call).
const COLLATOR = new Intl.Collator('zh-CN', { numeric: true });

function cmp(a: string | null | undefined, b: string | null | undefined): number {
  return COLLATOR.compare(a ?? '', b ?? '');
}

/** Splits n items into k = ceil(n / max) runs as even as possible (sizes differ by at most one). */
export function evenChunks<T>(items: readonly T[], max: number): T[][] {
  if (items.length === 0) return [];
  const k = Math.ceil(items.length / max);
  const out: T[][] = [];
  let start = 0;
  for (let i = 0; i < k; i++) {
    const size = Math.floor(items.length / k) + (i < items.length % k ? 1 : 0);
    out.push(items.slice(start, start + size));
    start += size;
  }
  return out;
}

/**
 * The owner picked for a level-1 group: a volunteer head of household first,
 * then any head, then any volunteer, then anyone; lowest id breaks ties.
 */
function pickResidentOwner(candidates: readonly LinkageResident[]): LinkageResident | undefined {
  const score = (r: LinkageResident) => (r.volunteer ? 0 : 2) + (r.relation === 'head' ? 0 : 1);
  return [...candidates].sort((a, b) => score(a) - score(b) || a.id - b.id)[0];
}

/**
 * Proposes a full tree for a community from its registry.
 * Level-1 groups are runs of neighbouring households (sorted by building, unit,
 * room) inside one compound; compounds too small for a group of `bounds[1].min`
 * are pooled per grid as "scattered households", and a pool still too small
 * joins the grid's largest compound. Only a grid with fewer households than the
 * minimum gets an undersized group (which `validateTree` then reports).
 */
export function proposeTree(input: CommunityInput, bounds: LinkageBounds = DEFAULT_BOUNDS): LinkageGroup[] {
  const { min, max } = bounds[1];
  const residentsByHousehold = new Map<number, LinkageResident[]>();
  for (const r of input.residents) {
    const list = residentsByHousehold.get(r.householdId) ?? [];
    list.push(r);
    residentsByHousehold.set(r.householdId, list);
  }
  const top: LinkageGroup = {
    key: 'L4',
    level: 4,
    parentKey: null,
    name: input.communityName ?? input.communityCode,
    nodeCode: input.communityCode,
    owner: input.secretaryUserId ? userKey(input.secretaryUserId) : null,
    members: [],
    households: [],
  };
  const groups: LinkageGroup[] = [top];
  const householdsByGrid = new Map<string, LinkageHousehold[]>();
  for (const h of input.households) {
    const list = householdsByGrid.get(h.gridCode) ?? [];
    list.push(h);
    householdsByGrid.set(h.gridCode, list);
  }
  const gridsSorted = [...input.grids].sort((a, b) => a.code.localeCompare(b.code));
  for (const grid of gridsSorted) {
    // A grid with no households gets no groups (an empty level-3 group would only be noise).
    if (!householdsByGrid.has(grid.code)) continue;
    const g3: LinkageGroup = {
      key: `L3:${grid.code}`,
      level: 3,
      parentKey: top.key,
      name: grid.name ?? grid.code,
      nodeCode: grid.code,
      owner: grid.workerUserId ? userKey(grid.workerUserId) : null,
      members: [],
      households: [],
    };
    groups.push(g3);
    if (g3.owner && !top.members.includes(g3.owner)) top.members.push(g3.owner);
    // Compounds of this grid, with the scattered pool.
    const compounds = new Map<string, LinkageHousehold[]>();
    for (const h of householdsByGrid.get(grid.code) ?? []) {
      const key = h.compound ?? '';
      const list = compounds.get(key) ?? [];
      list.push(h);
      compounds.set(key, list);
    }
    const pool: LinkageHousehold[] = [];
    const kept: [string, LinkageHousehold[]][] = [];
    for (const [key, list] of [...compounds].sort((a, b) => cmp(a[0], b[0]))) {
      if (key === '' || list.length < min) pool.push(...list);
      else kept.push([key, list]);
    }
    if (pool.length > 0) {
      if (pool.length < min && kept.length > 0) {
        const largest = kept.reduce((a, b) => (b[1].length > a[1].length ? b : a));
        largest[1].push(...pool);
      } else kept.push(['', pool]);
    }
    let n2 = 0;
    for (const [compound, list] of kept) {
      list.sort(byAddress);
      const runs = evenChunks(list, max);
      // A huge compound is split into several level-2 groups within the member bound.
      const parts = evenChunks(runs, Math.max(1, bounds[2].max));
      for (const [pi, part] of parts.entries()) {
        n2++;
        const label = compound === '' ? '散居户' : compound;
        const g2: LinkageGroup = {
          key: `L2:${grid.code}:${n2}`,
          level: 2,
          parentKey: g3.key,
          name: parts.length > 1 ? `${label} (${pi + 1})` : label,
          nodeCode: grid.code,
          owner: null,
          members: [],
          households: [],
        };
        groups.push(g2);
        const owners: LinkageResident[] = [];
        for (const [ri, run] of part.entries()) {
          const residents = run.flatMap((h) => residentsByHousehold.get(h.id) ?? []);
          const owner = pickResidentOwner(residents);
          const g1: LinkageGroup = {
            key: `L1:${grid.code}:${n2}:${ri + 1}`,
            level: 1,
            parentKey: g2.key,
            name: levelOneName(run),
            nodeCode: grid.code,
            owner: owner ? residentKey(owner.id) : null,
            members: residents.map((r) => residentKey(r.id)),
            households: run.map((h) => h.id),
          };
          groups.push(g1);
          if (owner) {
            owners.push(owner);
            g2.members.push(residentKey(owner.id));
          }
        }
        const o2 = pickResidentOwner(owners);
        g2.owner = o2 ? residentKey(o2.id) : null;
        if (g2.owner) g3.members.push(g2.owner);
      }
    }
  }
  for (const u of input.teamUserIds ?? []) if (!top.members.includes(userKey(u))) top.members.push(userKey(u));
  return groups;
}

function levelOneName(run: readonly LinkageHousehold[]): string {
  const first = run[0];
  if (!first) return '';
  const parts = [first.building, first.unit].filter((s): s is string => !!s);
  const last = run[run.length - 1]!;
  const rooms = first.room && last.room && first.room !== last.room ? ` ${first.room}–${last.room}` : first.room ? ` ${first.room}` : '';
  return (parts.join(' ') || '住户') + rooms;
}

/**
 * Every rule the tree breaks, in a stable order. `householdIds` are the
 * community's active households (each must be in exactly one level-1 group).
 * The tree is not changed.
 */
export function validateTree(groups: readonly LinkageGroup[], householdIds: Iterable<number>, bounds: LinkageBounds = DEFAULT_BOUNDS): Violation[] {
  const out: Violation[] = [];
  const byKey = new Map(groups.map((g) => [g.key, g]));
  const tops = groups.filter((g) => g.level === 4);
  if (tops.length !== 1) out.push({ code: 'NOT_ONE_TOP_GROUP', message: `a community has one level-4 group; found ${tops.length}`, details: { count: tops.length } });
  const childCount = new Map<string, number>();
  for (const g of groups) if (g.parentKey) childCount.set(g.parentKey, (childCount.get(g.parentKey) ?? 0) + 1);

  for (const g of groups) {
    const parent = g.parentKey ? byKey.get(g.parentKey) : undefined;
    if (g.level < 4) {
      if (!parent) out.push({ code: 'PARENT_MISSING', groupKey: g.key, message: `level-${g.level} group "${g.name}" has no parent group` });
      else if (parent.level !== g.level + 1)
        out.push({ code: 'PARENT_LEVEL_MISMATCH', groupKey: g.key, message: `level-${g.level} group "${g.name}" sits under a level-${parent.level} group`, details: { parentLevel: parent.level } });
    }
    if (!g.owner) out.push({ code: 'OWNER_MISSING', groupKey: g.key, message: `group "${g.name}" has no owner` });
    else {
      if (parent && !parent.members.includes(g.owner))
        out.push({ code: 'OWNER_NOT_IN_PARENT', groupKey: g.key, message: `the owner of "${g.name}" is not a member of its parent "${parent.name}"`, details: { owner: g.owner, parentKey: parent.key } });
      // Level-1 owners live in the group; level-2 owners are among their members (owners of level-1 groups).
      if ((g.level === 1 || g.level === 2) && !g.members.includes(g.owner))
        out.push({ code: 'OWNER_NOT_IN_GROUP', groupKey: g.key, message: `the owner of "${g.name}" is not one of its members`, details: { owner: g.owner } });
    }
    const size = g.level === 1 ? g.households.length : Math.max(g.members.length, childCount.get(g.key) ?? 0);
    const b = bounds[g.level];
    if (size < b.min) out.push({ code: 'SIZE_BELOW_MIN', groupKey: g.key, message: `group "${g.name}" has ${size}, fewer than ${b.min}`, details: { size, min: b.min } });
    if (size > b.max) out.push({ code: 'SIZE_ABOVE_MAX', groupKey: g.key, message: `group "${g.name}" has ${size}, more than ${b.max}`, details: { size, max: b.max } });
  }

  const known = new Set(householdIds);
  const seen = new Map<number, string[]>();
  for (const g of groups) {
    if (g.level !== 1) continue;
    for (const h of g.households) {
      const list = seen.get(h) ?? [];
      list.push(g.key);
      seen.set(h, list);
    }
  }
  for (const [h, keys] of [...seen].sort((a, b) => a[0] - b[0])) {
    if (!known.has(h)) out.push({ code: 'HOUSEHOLD_UNKNOWN', householdId: h, groupKey: keys[0], message: `household ${h} is not an active household of this community`, details: { groups: keys } });
    if (keys.length > 1) out.push({ code: 'HOUSEHOLD_IN_MANY_GROUPS', householdId: h, message: `household ${h} is in ${keys.length} level-1 groups`, details: { groups: keys } });
  }
  for (const h of [...known].sort((a, b) => a - b)) {
    if (!seen.has(h)) out.push({ code: 'HOUSEHOLD_UNASSIGNED', householdId: h, message: `household ${h} is in no level-1 group` });
  }
  return out;
}

/** The chain of group keys from a group up to the top (the group first). */
export function ancestry(groups: readonly LinkageGroup[], key: string): string[] {
  const byKey = new Map(groups.map((g) => [g.key, g]));
  const out: string[] = [];
  let g = byKey.get(key);
  while (g && !out.includes(g.key)) {
    out.push(g.key);
    g = g.parentKey ? byKey.get(g.parentKey) : undefined;
  }
  return out;
}
