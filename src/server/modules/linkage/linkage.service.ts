/**
 * Four-level linkage (四级联户) trees: propose one for a community from the
 * registry, store it, adjust it by hand, and list what breaks the rules
 * (validateTree in src/domain/linkage.ts: violations are listed, never fixed
 * silently). A community outside the caller's area → 404; in it without
 * linkage.manage → 403.
 */
import { DEFAULT_BOUNDS, proposeTree, residentKey, userKey, validateTree, type LinkageBounds, type LinkageGroup, type PartyKey } from '../../../domain/linkage.js';
import { can, isInScope } from '../../../domain/permissions.js';
import type { Ctx } from '../../context.js';
import { AppError, fieldError } from '../../errors.js';
import { writeAudit } from '../../plugins/audit.js';
import * as repo from './linkage.repository.js';

export interface BoundsInput {
  level1Min?: number;
  level1Max?: number;
}

function boundsOf(b: BoundsInput | undefined): LinkageBounds {
  const out: LinkageBounds = { ...DEFAULT_BOUNDS, 1: { min: b?.level1Min ?? DEFAULT_BOUNDS[1].min, max: b?.level1Max ?? DEFAULT_BOUNDS[1].max } };
  if (out[1].min > out[1].max) throw fieldError('level1Min', 'must not exceed level1Max');
  return out;
}

/** The community in the caller's area (404 otherwise), checked to be a community. */
export async function communityInScope(ctx: Ctx, code: string, permission?: 'linkage.manage' | 'linkage.read') {
  const n = await repo.findNode(ctx.db, code);
  if (!n || !isInScope(ctx.actor, n.path)) throw new AppError('NODE_NOT_FOUND', `no community ${code} in your area`);
  if (n.level !== 'community') throw fieldError('code', 'linkage trees are built per community (社区/村)');
  if (permission && !can(ctx.actor, permission, n.path)) throw new AppError('FORBIDDEN', `you may not do ${permission} here`);
  return n;
}

const partyOut = (k: PartyKey | null, names: Map<string, string>) =>
  k === null ? null : { kind: k.startsWith('r:') ? ('resident' as const) : ('user' as const), id: k.slice(2), name: names.get(k) ?? null };

async function partyNames(ctx: Ctx, keys: Iterable<PartyKey | null>): Promise<Map<string, string>> {
  const r: number[] = [];
  const u: string[] = [];
  for (const k of keys) if (k) (k.startsWith('r:') ? r.push(Number(k.slice(2))) : u.push(k.slice(2)));
  const [rs, us] = await Promise.all([
    r.length ? ctx.db.query<{ id: number; name: string }>('SELECT id, name FROM residents WHERE id = ANY($1::bigint[])', [r]) : [],
    u.length ? ctx.db.query<{ id: string; name: string }>('SELECT id::text AS id, display_name AS name FROM users WHERE id = ANY($1::uuid[])', [u]) : [],
  ]);
  return new Map([...rs.map((x) => [residentKey(Number(x.id)), x.name] as const), ...us.map((x) => [userKey(x.id), x.name] as const)]);
}

async function presentTree(ctx: Ctx, community: { code: string; path: string; name: string }, groups: LinkageGroup[], ids: Map<string, number> | null, bounds: LinkageBounds) {
  const householdIds = await repo.activeHouseholdIds(ctx.db, community.path);
  const violations = validateTree(groups, householdIds, bounds);
  const names = await partyNames(ctx, groups.map((g) => g.owner));
  const share = await repo.volunteerShare(ctx.db, community.path);
  const perLevel = [1, 2, 3, 4].map((l) => groups.filter((g) => g.level === l).length);
  return {
    communityCode: community.code,
    communityName: community.name,
    stored: ids !== null,
    stats: {
      households: householdIds.length,
      groups: { level1: perLevel[0]!, level2: perLevel[1]!, level3: perLevel[2]!, level4: perLevel[3]! },
      residents: share.residents,
      volunteers: share.volunteers,
      volunteerShare: share.residents ? Math.round((share.volunteers / share.residents) * 1000) / 1000 : 0,
    },
    groups: groups.map((g) => ({
      key: g.key,
      id: ids ? (ids.get(g.key) ?? null) : null,
      level: g.level,
      parentKey: g.parentKey,
      name: g.name,
      nodeCode: g.nodeCode,
      owner: partyOut(g.owner, names),
      households: g.households.length,
      members: g.level === 1 ? g.households.length : g.members.length,
    })),
    violations,
  };
}

/** A proposal for the community from its registry; nothing is stored. */
export async function proposeForCommunity(ctx: Ctx, code: string, b?: BoundsInput) {
  const n = await communityInScope(ctx, code, 'linkage.manage');
  const bounds = boundsOf(b);
  const groups = proposeTree(await repo.communityInput(ctx.db, n), bounds);
  return presentTree(ctx, n, groups, null, bounds);
}

/**
 * Builds and stores the proposed tree. An existing tree is replaced only with
 * `replace: true` (409 CONFLICT otherwise): hand adjustments would be lost.
 */
export async function applyProposal(ctx: Ctx, code: string, body: BoundsInput & { replace?: boolean }) {
  const n = await communityInScope(ctx, code, 'linkage.manage');
  const bounds = boundsOf(body);
  const groups = proposeTree(await repo.communityInput(ctx.db, n), bounds);
  const nodePaths = new Map((await ctx.db.query<{ code: string; path: string }>('SELECT code, path::text AS path FROM nodes WHERE path <@ $1::ltree', [n.path])).map((r) => [r.code, r.path]));
  await ctx.db.transaction(async (trx) => {
    if (await repo.treeExists(trx, code)) {
      if (!body.replace) throw new AppError('CONFLICT', 'this community already has a linkage tree: send replace: true to rebuild it');
      await repo.deleteTree(trx, code);
    }
    await repo.insertTree(trx, { code, path: n.path, cityCode: n.city_code }, groups, nodePaths);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'linkage.apply', resource: 'linkage_tree', resourceId: code, result: 'ok', detail: { groups: groups.length, replace: !!body.replace } });
  });
  return getTree(ctx, code, body);
}

/** The stored tree (as domain groups keyed by id) of a community. */
export async function loadTree(ctx: Ctx, code: string): Promise<{ rows: repo.GroupRow[]; groups: LinkageGroup[] }> {
  const rows = await repo.groupsOf(ctx.db, code);
  const ids = rows.map((r) => Number(r.id));
  const [members, lives] = await Promise.all([
    ids.length ? repo.membersOf(ctx.db, 'm.group_id = ANY($1::bigint[])', [ids]) : [],
    repo.levelOneResidents(ctx.db, code),
  ]);
  const byGroup = new Map<number, repo.MemberRow[]>();
  for (const m of members) byGroup.set(Number(m.group_id), [...(byGroup.get(Number(m.group_id)) ?? []), m]);
  const livesIn = new Map<number, PartyKey[]>();
  for (const l of lives) livesIn.set(Number(l.group_id), [...(livesIn.get(Number(l.group_id)) ?? []), residentKey(Number(l.resident_id))]);
  const groups = rows.map((r): LinkageGroup => {
    const ms = byGroup.get(Number(r.id)) ?? [];
    return {
      key: String(r.id),
      level: Number(r.level) as 1 | 2 | 3 | 4,
      parentKey: r.parent_id === null ? null : String(r.parent_id),
      name: r.name,
      nodeCode: r.node_code,
      owner: r.owner_resident_id !== null ? residentKey(Number(r.owner_resident_id)) : r.owner_user_id ? userKey(r.owner_user_id) : null,
      members: Number(r.level) === 1 ? (livesIn.get(Number(r.id)) ?? []) : ms.map((m) => (m.resident_id !== null ? residentKey(Number(m.resident_id)) : userKey(m.user_id!))),
      households: ms.filter((m) => m.household_id !== null).map((m) => Number(m.household_id)),
    };
  });
  return { rows, groups };
}

export async function getTree(ctx: Ctx, code: string, b?: BoundsInput) {
  const n = await communityInScope(ctx, code, 'linkage.read');
  const { groups } = await loadTree(ctx, code);
  return presentTree(ctx, n, groups, new Map(groups.map((g) => [g.key, Number(g.key)])), boundsOf(b));
}

/** A group in the caller's area (404 otherwise); with `manage`, 403 without linkage.manage there. */
export async function groupInScope(ctx: Ctx, id: number, permission?: 'linkage.manage') {
  const g = await repo.findGroup(ctx.db, id);
  if (!g || !isInScope(ctx.actor, g.node_path)) throw new AppError('NOT_FOUND', 'no such linkage group in your area');
  if (permission && !can(ctx.actor, permission, g.community_path)) throw new AppError('FORBIDDEN', 'you may not change linkage groups here');
  return g;
}

export async function getGroup(ctx: Ctx, id: number) {
  const g = await groupInScope(ctx, id);
  const members = await repo.membersOf(ctx.db, 'm.group_id = $1', [id]);
  return {
    id: Number(g.id), level: Number(g.level), parentId: g.parent_id === null ? null : Number(g.parent_id), name: g.name, nodeCode: g.node_code, communityCode: g.community_code,
    owner: g.owner_resident_id !== null ? { kind: 'resident', id: String(g.owner_resident_id), name: g.owner_name } : g.owner_user_id ? { kind: 'user', id: g.owner_user_id, name: g.owner_name } : null,
    members: members.map((m) => ({
      memberId: Number(m.id),
      kind: m.household_id !== null ? 'household' : m.resident_id !== null ? 'resident' : 'user',
      id: String(m.household_id ?? m.resident_id ?? m.user_id),
      label: m.label ?? '',
    })),
  };
}

export interface PatchGroupBody {
  name?: string;
  ownerResidentId?: number | null;
  ownerUserId?: string | null;
  parentId?: number;
}

/**
 * Hand adjustment of one group: rename, change the owner, move under another
 * parent of the same community. Rules are not enforced here — the tree's
 * violations list shows what the change broke.
 */
export async function patchGroup(ctx: Ctx, id: number, body: PatchGroupBody) {
  const g = await groupInScope(ctx, id, 'linkage.manage');
  if (body.ownerResidentId != null && body.ownerUserId != null) throw fieldError('ownerUserId', 'give one owner: a resident or a user');
  if (body.ownerResidentId != null) {
    const [r] = await ctx.db.query<{ node_path: string }>(`SELECT node_path::text AS node_path FROM residents WHERE id = $1 AND status = 'active'`, [body.ownerResidentId]);
    if (!r || !r.node_path.startsWith(g.community_path)) throw fieldError('ownerResidentId', 'no such active resident in this community');
  }
  if (body.ownerUserId != null) {
    const [u] = await ctx.db.query(`SELECT 1 FROM users WHERE id::text = $1 AND status = 'active'`, [body.ownerUserId]);
    if (!u) throw fieldError('ownerUserId', 'no such active user');
  }
  let newPath: string | null = null;
  if (body.parentId !== undefined) {
    const p = await repo.findGroup(ctx.db, body.parentId);
    if (!p || p.community_code !== g.community_code) throw fieldError('parentId', 'no such group in this community');
    if (Number(p.level) !== Number(g.level) + 1) throw fieldError('parentId', `a level-${g.level} group sits under a level-${Number(g.level) + 1} group`);
    newPath = `${p.path}.${g.id}`;
  }
  await ctx.db.transaction(async (trx) => {
    const ownerChange = body.ownerResidentId !== undefined || body.ownerUserId !== undefined;
    await trx.query(
      `UPDATE linkage_groups SET name = coalesce($2, name),
              owner_resident_id = CASE WHEN $3 THEN $4::bigint ELSE owner_resident_id END,
              owner_user_id = CASE WHEN $3 THEN $5::uuid ELSE owner_user_id END,
              parent_id = coalesce($6, parent_id), updated_at = now()
        WHERE id = $1`,
      [id, body.name ?? null, ownerChange, body.ownerResidentId ?? null, body.ownerUserId ?? null, body.parentId ?? null],
    );
    // Moving a group moves its subtree's paths with it.
    if (newPath) await trx.query(`UPDATE linkage_groups SET path = $2::ltree || subpath(path, nlevel($3::ltree)) WHERE path <@ $3::ltree`, [id, newPath, g.path]);
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'linkage.group.update', resource: 'linkage_group', resourceId: String(id), result: 'ok', cityCode: g.city_code, detail: { ...body } });
  });
  return getGroup(ctx, id);
}

export interface MemberBody {
  householdId?: number;
  residentId?: number;
  userId?: string;
}

/** Adds a member: a household to a level-1 group, a resident or a user to a higher one. */
export async function addMember(ctx: Ctx, id: number, body: MemberBody) {
  const g = await groupInScope(ctx, id, 'linkage.manage');
  const given = [body.householdId, body.residentId, body.userId].filter((x) => x !== undefined).length;
  if (given !== 1) throw fieldError('householdId', 'give exactly one of householdId, residentId, userId');
  if (body.householdId !== undefined) {
    if (Number(g.level) !== 1) throw fieldError('householdId', 'households belong to level-1 groups');
    const [h] = await ctx.db.query<{ node_path: string }>(`SELECT node_path::text AS node_path FROM households WHERE id = $1 AND status = 'active'`, [body.householdId]);
    if (!h || !(h.node_path === g.community_path || h.node_path.startsWith(`${g.community_path}.`))) throw fieldError('householdId', 'no such active household in this community');
  } else if (Number(g.level) === 1) throw fieldError('residentId', 'a level-1 group has households as members');
  if (body.residentId !== undefined) {
    const [r] = await ctx.db.query(`SELECT 1 FROM residents WHERE id = $1 AND status = 'active' AND node_path <@ $2::ltree`, [body.residentId, g.community_path]);
    if (!r) throw fieldError('residentId', 'no such active resident in this community');
  }
  if (body.userId !== undefined) {
    const [u] = await ctx.db.query(`SELECT 1 FROM users WHERE id::text = $1 AND status = 'active'`, [body.userId]);
    if (!u) throw fieldError('userId', 'no such active user');
  }
  await ctx.db.transaction(async (trx) => {
    const rows = await trx.query(
      `INSERT INTO linkage_members (city_code, group_id, household_id, resident_id, user_id) VALUES ($1, $2, $3, $4, $5::uuid) ON CONFLICT DO NOTHING RETURNING id`,
      [g.city_code, id, body.householdId ?? null, body.residentId ?? null, body.userId ?? null],
    );
    if (!rows.length) throw new AppError('DUPLICATE', 'already a member of this group');
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'linkage.member.add', resource: 'linkage_group', resourceId: String(id), result: 'ok', cityCode: g.city_code, detail: { ...body } });
  });
  return getGroup(ctx, id);
}

export async function removeMember(ctx: Ctx, id: number, memberId: number) {
  const g = await groupInScope(ctx, id, 'linkage.manage');
  await ctx.db.transaction(async (trx) => {
    const rows = await trx.query('DELETE FROM linkage_members WHERE id = $1 AND group_id = $2 RETURNING id', [memberId, id]);
    if (!rows.length) throw new AppError('NOT_FOUND', 'no such member in this group');
    await writeAudit(trx, { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip, action: 'linkage.member.remove', resource: 'linkage_group', resourceId: String(id), result: 'ok', cityCode: g.city_code, detail: { memberId } });
  });
  return getGroup(ctx, id);
}
