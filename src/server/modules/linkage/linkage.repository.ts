import type { Executor } from '../../db/db.js';
import type { CommunityInput, LinkageGroup, PartyKey } from '../../../domain/linkage.js';

export async function findNode(ex: Executor, code: string) {
  return (await ex.query<{ code: string; path: string; name: string; level: string; city_code: string }>('SELECT code, path::text AS path, name, level, city_code FROM nodes WHERE code = $1', [code]))[0];
}

/** The registry of one community, as the domain's proposal needs it. */
export async function communityInput(ex: Executor, community: { code: string; path: string; name: string }): Promise<CommunityInput> {
  const [grids, households, residents, staff] = await Promise.all([
    ex.query<{ code: string; name: string; worker: string | null }>(
      `SELECT n.code, n.name,
              (SELECT ra.user_id::text FROM role_assignments ra JOIN users u ON u.id = ra.user_id AND u.status = 'active'
                WHERE ra.node_code = n.code AND ra.role = 'grid_worker' ORDER BY ra.created_at, ra.id LIMIT 1) AS worker
         FROM nodes n WHERE n.path <@ $1::ltree AND n.level = 'grid' AND n.status = 'active' ORDER BY n.code`,
      [community.path],
    ),
    ex.query<{ id: number; node_code: string; compound: string | null; building: string | null; unit: string | null; room: string | null }>(
      `SELECT h.id, h.node_code, coalesce(h.attributes->>'compound', p.name) AS compound, h.building, h.unit, h.room
         FROM households h LEFT JOIN places p ON p.id = h.place_id
        WHERE h.node_path <@ $1::ltree AND h.status = 'active'`,
      [community.path],
    ),
    ex.query<{ id: number; household_id: number; relation: string | null; volunteer: boolean }>(
      `SELECT r.id, r.household_id, r.relation, r.volunteer FROM residents r
        WHERE r.node_path <@ $1::ltree AND r.status = 'active' AND r.household_id IS NOT NULL`,
      [community.path],
    ),
    ex.query<{ role: string; user_id: string }>(
      `SELECT ra.role, ra.user_id::text AS user_id FROM role_assignments ra JOIN users u ON u.id = ra.user_id AND u.status = 'active'
        WHERE ra.node_code = $1 AND ra.role IN ('community_secretary', 'grid_leader') ORDER BY ra.created_at, ra.id`,
      [community.code],
    ),
  ]);
  return {
    communityCode: community.code,
    communityName: community.name,
    secretaryUserId: staff.find((s) => s.role === 'community_secretary')?.user_id ?? null,
    teamUserIds: staff.filter((s) => s.role === 'grid_leader').map((s) => s.user_id),
    grids: grids.map((g) => ({ code: g.code, name: g.name, workerUserId: g.worker })),
    households: households.map((h) => ({ id: Number(h.id), gridCode: h.node_code, compound: h.compound, building: h.building, unit: h.unit, room: h.room })),
    residents: residents.map((r) => ({ id: Number(r.id), householdId: Number(r.household_id), relation: r.relation, volunteer: r.volunteer })),
  };
}

export async function treeExists(ex: Executor, communityCode: string): Promise<boolean> {
  return (await ex.query('SELECT 1 FROM linkage_groups WHERE community_code = $1 LIMIT 1', [communityCode])).length > 0;
}

export async function deleteTree(ex: Executor, communityCode: string): Promise<void> {
  await ex.query('DELETE FROM linkage_members WHERE group_id IN (SELECT id FROM linkage_groups WHERE community_code = $1)', [communityCode]);
  await ex.query('DELETE FROM linkage_groups WHERE community_code = $1', [communityCode]);
}

const party = (k: PartyKey | null) => (k === null ? { r: null, u: null } : k.startsWith('r:') ? { r: Number(k.slice(2)), u: null } : { r: null, u: k.slice(2) });

/**
 * Stores a whole tree in three statements: ids are taken from the sequence
 * first, so paths (chains of ids) are known before the insert.
 */
export async function insertTree(ex: Executor, community: { code: string; path: string; cityCode: string }, groups: readonly LinkageGroup[], nodePaths: Map<string, string>): Promise<Map<string, number>> {
  const ids = await ex.query<{ id: number }>(`SELECT nextval('linkage_groups_id_seq') AS id FROM generate_series(1, $1::int)`, [groups.length]);
  const idOf = new Map(groups.map((g, i) => [g.key, Number(ids[i]!.id)]));
  const pathOf = new Map<string, string>();
  const rows = groups.map((g) => {
    const id = idOf.get(g.key)!;
    const parentPath = g.parentKey ? pathOf.get(g.parentKey) : undefined;
    const path = parentPath ? `${parentPath}.${id}` : String(id);
    pathOf.set(g.key, path);
    const o = party(g.owner);
    return { id, level: g.level, parent_id: g.parentKey ? idOf.get(g.parentKey)! : null, path, node_code: g.nodeCode, node_path: nodePaths.get(g.nodeCode) ?? community.path, name: g.name, owner_resident_id: o.r, owner_user_id: o.u };
  });
  await ex.query(
    `INSERT INTO linkage_groups (id, city_code, community_code, community_path, level, parent_id, path, node_code, node_path, name, owner_resident_id, owner_user_id)
     SELECT g.id, $1, $2, $3::ltree, g.level, g.parent_id, g.path::ltree, g.node_code, g.node_path::ltree, g.name, g.owner_resident_id, g.owner_user_id::uuid
       FROM jsonb_to_recordset($4::jsonb) AS g(id bigint, level smallint, parent_id bigint, path text, node_code text, node_path text, name text, owner_resident_id bigint, owner_user_id text)`,
    [community.cityCode, community.code, community.path, JSON.stringify(rows)],
  );
  const members: { g: number; h: number | null; r: number | null; u: string | null }[] = [];
  for (const g of groups) {
    const gid = idOf.get(g.key)!;
    if (g.level === 1) for (const h of g.households) members.push({ g: gid, h, r: null, u: null });
    else for (const m of g.members) { const p = party(m); members.push({ g: gid, h: null, r: p.r, u: p.u }); }
  }
  await ex.query(
    `INSERT INTO linkage_members (city_code, group_id, household_id, resident_id, user_id)
     SELECT $1, m.g, m.h, m.r, m.u::uuid FROM jsonb_to_recordset($2::jsonb) AS m(g bigint, h bigint, r bigint, u text)`,
    [community.cityCode, JSON.stringify(members)],
  );
  return idOf;
}

export interface GroupRow {
  id: number;
  level: 1 | 2 | 3 | 4;
  parent_id: number | null;
  path: string;
  node_code: string;
  name: string;
  community_code: string;
  community_path: string;
  node_path: string;
  city_code: string;
  owner_resident_id: number | null;
  owner_user_id: string | null;
  owner_name: string | null;
  households: number;
  members: number;
}

const GROUP_SELECT = `SELECT g.id, g.level, g.parent_id, g.path::text AS path, g.node_code, g.name, g.community_code, g.community_path::text AS community_path,
    g.node_path::text AS node_path, g.city_code, g.owner_resident_id, g.owner_user_id::text AS owner_user_id,
    coalesce(r.name, u.display_name) AS owner_name,
    (SELECT count(*)::int FROM linkage_members m WHERE m.group_id = g.id AND m.household_id IS NOT NULL) AS households,
    (SELECT count(*)::int FROM linkage_members m WHERE m.group_id = g.id AND m.household_id IS NULL) AS members
  FROM linkage_groups g LEFT JOIN residents r ON r.id = g.owner_resident_id LEFT JOIN users u ON u.id = g.owner_user_id`;

export async function groupsOf(ex: Executor, communityCode: string): Promise<GroupRow[]> {
  return ex.query<GroupRow>(`${GROUP_SELECT} WHERE g.community_code = $1 ORDER BY g.level DESC, g.path`, [communityCode]);
}

export async function findGroup(ex: Executor, id: number): Promise<GroupRow | undefined> {
  return (await ex.query<GroupRow>(`${GROUP_SELECT} WHERE g.id = $1`, [id]))[0];
}

export interface MemberRow {
  id: number;
  group_id: number;
  household_id: number | null;
  resident_id: number | null;
  user_id: string | null;
  label: string | null;
}

export async function membersOf(ex: Executor, where: string, params: unknown[]): Promise<MemberRow[]> {
  return ex.query<MemberRow>(
    `SELECT m.id, m.group_id, m.household_id, m.resident_id, m.user_id::text AS user_id,
            coalesce(h.address, r.name, u.display_name) AS label
       FROM linkage_members m LEFT JOIN households h ON h.id = m.household_id LEFT JOIN residents r ON r.id = m.resident_id LEFT JOIN users u ON u.id = m.user_id
      WHERE ${where} ORDER BY m.group_id, m.id`,
    params,
  );
}

/** Residents of the households in a community's level-1 groups (who lives in each group). */
export async function levelOneResidents(ex: Executor, communityCode: string): Promise<{ group_id: number; resident_id: number }[]> {
  return ex.query(
    `SELECT m.group_id, r.id AS resident_id FROM linkage_groups g JOIN linkage_members m ON m.group_id = g.id JOIN residents r ON r.household_id = m.household_id AND r.status = 'active'
      WHERE g.community_code = $1 AND g.level = 1`,
    [communityCode],
  );
}

export async function activeHouseholdIds(ex: Executor, communityPath: string): Promise<number[]> {
  return (await ex.query<{ id: number }>(`SELECT id FROM households WHERE node_path <@ $1::ltree AND status = 'active'`, [communityPath])).map((r) => Number(r.id));
}

export async function volunteerShare(ex: Executor, communityPath: string): Promise<{ residents: number; volunteers: number }> {
  const [r] = await ex.query<{ residents: number; volunteers: number }>(
    `SELECT count(*)::int AS residents, count(*) FILTER (WHERE volunteer)::int AS volunteers FROM residents WHERE node_path <@ $1::ltree AND status = 'active'`,
    [communityPath],
  );
  return { residents: Number(r?.residents ?? 0), volunteers: Number(r?.volunteers ?? 0) };
}
