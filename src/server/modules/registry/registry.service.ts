/**
 * Use cases of the registry (人、地、事、物): households (户) and residents (人)
 * in the grid, places (地) and things (物, 城市部件). Each reads: load in scope
 * (404) → authorize (403) → rule (400/409) → one transaction with its audit row.
 * ID numbers and phones are sealed (encrypted, keyed-hashed, masked) before
 * they reach SQL and shown only masked; a reveal is logged with its reason.
 */
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/db.js';
import { AppError, fieldError } from '../../errors.js';
import { writeAudit, type AuditEntry } from '../../plugins/audit.js';
import { isGridLevel, isWithin, type Level } from '../../../domain/tree.js';
import { addressKey, placeKey, SENSITIVE_TAGS, THING_KINDS, type ThingKind } from '../../../domain/registry.js';
import * as repo from './registry.repository.js';
import { authorize, holds, isUniqueViolation, sealIdNumber, sealPhone, visibleTags, whereWith } from './registry.scope.js';
import type {
  CreateHouseholdBody, CreateResidentBody, ListHouseholdsQuery, ListPlacesQuery, ListResidentsQuery, ListThingsQuery, MoveHouseholdBody,
  MoveResidentBody, PlaceBody, SearchResidentsBody, ThingBody, UpdateHouseholdBody, UpdatePlaceBody, UpdateResidentBody, UpdateThingBody,
} from './registry.schemas.js';
import type { Actor, Permission } from '../../../domain/permissions.js';

export type RegistryCtx = Pick<Ctx, 'db' | 'actor' | 'ip' | 'pd'>;

function audit(ctx: RegistryCtx, action: string, resource: string, id: number | string, cityCode: string | null, detail?: Record<string, unknown>): AuditEntry {
  return { actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip ?? null, action, resource, resourceId: String(id), result: 'ok', cityCode, detail: detail ?? null };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const trimOrNull = (s: string | null | undefined) => (s == null || s.trim() === '' ? null : s.trim());

/**
 * A node where registry records may be placed: active, in the actor's part
 * of the tree with `perm`, at grid level or below (households, places and
 * things live in grids). Throws 404 naming the field, 403, 409 NODE_RETIRED, 400.
 */
export async function gridFor(ex: Executor, actor: Actor, code: string, perm: Permission, field = 'nodeCode'): Promise<repo.NodeRef> {
  const n = await repo.findNodeRef(ex, code);
  if (!n || !holds(actor, 'household.read', n.path) && !holds(actor, perm, n.path)) throw fieldError(field, 'no such node in your part of the tree', 'NODE_NOT_FOUND');
  if (!holds(actor, perm, n.path)) throw new AppError('FORBIDDEN', `You may not do ${perm} at ${code}.`);
  if (n.status !== 'active') throw fieldError(field, 'the node is retired', 'NODE_RETIRED');
  if (!isGridLevel(n.level as Level)) throw fieldError(field, 'must be a grid (or a unit or cell grid), not a division');
  return n;
}

/** The node filter of a list: a subtree the actor can read, else 404 naming `node`. */
async function nodeFilter(ex: Executor, actor: Actor, perm: Permission, code: string | undefined, column: string, params: unknown[]): Promise<string> {
  if (!code) return 'TRUE';
  const n = await repo.findNodeRef(ex, code);
  if (!n || !holds(actor, perm, n.path) && !pathsBelow(actor, perm, n.path)) throw fieldError('node', 'no such node in your part of the tree', 'NODE_NOT_FOUND');
  params.push(n.path);
  return `${column} <@ $${params.length}::ltree`;
}

/** True when the actor reads some subtree under `path` (a street officer filtering by district sees its street). */
function pathsBelow(actor: Actor, perm: Permission, path: string): boolean {
  return actor.grants.some((g) => isWithin(g.nodePath, path) && holds(actor, perm, g.nodePath));
}

const abilities = (actor: Actor, path: string, write: Permission) => ({ update: holds(actor, write, path), reveal: holds(actor, 'resident.reveal', path) });

// ---------------------------------------------------------------- households

function presentHousehold(actor: Actor, h: repo.HouseholdRow) {
  return {
    id: h.id,
    nodeCode: h.node_code,
    nodeName: h.node_name,
    address: h.address,
    building: h.building,
    unit: h.unit,
    room: h.room,
    placeId: h.place_id,
    lng: h.lng,
    lat: h.lat,
    status: h.status,
    memberCount: h.member_count,
    headName: h.head_name,
    attributes: h.attributes ?? {},
    createdAt: iso(h.created_at),
    updatedAt: iso(h.updated_at),
    abilities: abilities(actor, h.node_path, 'household.write'),
  };
}

export async function listHouseholds(ctx: RegistryCtx, q: ListHouseholdsQuery) {
  const params: unknown[] = [];
  const conds = [whereWith(ctx.actor, 'household.read', 'h.node_path', params), await nodeFilter(ctx.db, ctx.actor, 'household.read', q.node, 'h.node_path', params)];
  params.push(q.status ?? 'active');
  conds.push(`h.status = $${params.length}`);
  if (q.q) {
    params.push(`%${q.q.replace(/[\\%_]/g, '\\$&')}%`);
    conds.push(`concat_ws(' ', h.address, h.building, h.unit, h.room) ILIKE $${params.length}`);
  }
  const { rows, total } = await repo.listHouseholds(ctx.db, conds.join(' AND '), params, q.pageSize, (q.page - 1) * q.pageSize);
  return { total, page: q.page, pageSize: q.pageSize, items: rows.map((h) => presentHousehold(ctx.actor, h)) };
}

/** One household with its members (masked), its moves between grids and the cases about it. Throws NOT_FOUND. */
export async function getHousehold(ctx: RegistryCtx, id: number) {
  const h = authorize(ctx.actor, await repo.findHousehold(ctx.db, id), 'household.read', 'household');
  const [members, moves, cases] = await Promise.all([repo.residentsOfHousehold(ctx.db, id), repo.householdMoves(ctx.db, id), repo.casesOf(ctx.db, 'household_id', id)]);
  return {
    ...presentHousehold(ctx.actor, h),
    residents: members.map((r) => presentResident(ctx.actor, r)),
    moves: moves.map((m) => ({ id: m.id, fromNodeCode: m.from_node_code, toNodeCode: m.to_node_code, movedAt: iso(m.moved_at), by: m.by_name, note: m.note })),
    cases: cases.map(presentCase),
  };
}

async function checkPlace(ex: Executor, actor: Actor, placeId: number | null | undefined, field = 'placeId'): Promise<number | null> {
  if (placeId == null) return null;
  const p = await repo.findPlace(ex, placeId);
  if (!p || !holds(actor, 'place.read', p.node_path)) throw fieldError(field, 'no such place in your part of the tree', 'NOT_FOUND');
  return p.id;
}

function checkPoint(lng: number | null | undefined, lat: number | null | undefined): [number | null, number | null] {
  if ((lng == null) !== (lat == null)) throw fieldError(lng == null ? 'lng' : 'lat', 'give both longitude and latitude, or neither');
  return [lng ?? null, lat ?? null];
}

/** Registers a household at an address in a grid. Throws NODE_NOT_FOUND, FORBIDDEN, DUPLICATE (an active household at the same address). */
export async function createHousehold(ctx: RegistryCtx, b: CreateHouseholdBody) {
  const grid = await gridFor(ctx.db, ctx.actor, b.nodeCode, 'household.write');
  const placeId = await checkPlace(ctx.db, ctx.actor, b.placeId);
  const [lng, lat] = checkPoint(b.lng, b.lat);
  const key = addressKey(b.address, b.building, b.unit, b.room);
  const id = await ctx.db.transaction(async (trx) => {
    if (await repo.householdIdByAddress(trx, grid.city_code, key)) throw new AppError('DUPLICATE', 'A household is already registered at this address.', [{ field: 'address', reason: 'already registered' }]);
    const newId = await repo.insertHousehold(trx, {
      cityCode: grid.city_code, nodeCode: grid.code, nodePath: grid.path, address: b.address.trim(), building: trimOrNull(b.building), unit: trimOrNull(b.unit),
      room: trimOrNull(b.room), addressKey: key, placeId, lng, lat, attributes: b.attributes ?? {},
    });
    await writeAudit(trx, audit(ctx, 'household.create', 'households', newId, grid.city_code, { nodeCode: grid.code }));
    return newId;
  }).catch((err: unknown) => {
    if (isUniqueViolation(err, 'households_address_idx')) throw new AppError('DUPLICATE', 'A household is already registered at this address.', [{ field: 'address', reason: 'already registered' }]);
    throw err;
  });
  return getHousehold(ctx, id);
}

export async function updateHousehold(ctx: RegistryCtx, id: number, b: UpdateHouseholdBody) {
  const h = authorize(ctx.actor, await repo.findHousehold(ctx.db, id), 'household.read', 'household', 'household.write');
  const next = {
    address: b.address?.trim() ?? h.address,
    building: b.building !== undefined ? trimOrNull(b.building) : h.building,
    unit: b.unit !== undefined ? trimOrNull(b.unit) : h.unit,
    room: b.room !== undefined ? trimOrNull(b.room) : h.room,
    placeId: b.placeId !== undefined ? await checkPlace(ctx.db, ctx.actor, b.placeId) : h.place_id,
    status: b.status ?? h.status,
    attributes: b.attributes ?? h.attributes,
  };
  const [lng, lat] = b.lng !== undefined || b.lat !== undefined ? checkPoint(b.lng, b.lat) : [h.lng, h.lat];
  const key = addressKey(next.address, next.building, next.unit, next.room);
  await ctx.db.transaction(async (trx) => {
    await repo.updateHousehold(trx, id, { ...next, addressKey: key, lng, lat });
    // A household that left takes its members out of the active registry with it.
    if (next.status === 'moved_out' && h.status !== 'moved_out') await trx.query(`UPDATE residents SET status = 'moved_out', updated_at = now() WHERE household_id = $1 AND status = 'active'`, [id]);
    await writeAudit(trx, audit(ctx, 'household.update', 'households', id, h.city_code, { fields: Object.keys(b) }));
  }).catch((err: unknown) => {
    if (isUniqueViolation(err, 'households_address_idx')) throw new AppError('DUPLICATE', 'A household is already registered at this address.', [{ field: 'address', reason: 'already registered' }]);
    throw err;
  });
  return getHousehold(ctx, id);
}

/** Moves a household (and its members) to another grid; the move is kept in its history. */
export async function moveHousehold(ctx: RegistryCtx, id: number, b: MoveHouseholdBody) {
  const h = authorize(ctx.actor, await repo.findHousehold(ctx.db, id), 'household.read', 'household', 'household.write');
  const to = await gridFor(ctx.db, ctx.actor, b.toNodeCode, 'household.write', 'toNodeCode');
  if (to.code === h.node_code) throw fieldError('toNodeCode', 'the household is already in this grid');
  if (to.city_code !== h.city_code) throw fieldError('toNodeCode', 'must be a grid of the same city');
  await ctx.db.transaction(async (trx) => {
    await repo.moveHousehold(trx, id, { code: to.code, path: to.path }, h.node_code, ctx.actor.userId, b.note ?? null);
    await writeAudit(trx, audit(ctx, 'household.move', 'households', id, h.city_code, { from: h.node_code, to: to.code, note: b.note ?? null }));
  });
  return getHousehold(ctx, id);
}

// ----------------------------------------------------------------- residents

export function presentResident(actor: Actor, r: repo.ResidentRow) {
  return {
    id: r.id,
    householdId: r.household_id,
    nodeCode: r.node_code,
    name: r.name,
    gender: r.gender,
    birthDate: r.birth_date,
    idNumber: r.id_number_masked,
    phone: r.phone_masked,
    relation: r.relation,
    registeredResidence: r.registered_residence,
    actualResidence: r.actual_residence,
    tags: visibleTags(actor, r.node_path, r.tags ?? []),
    volunteer: r.volunteer,
    status: r.status,
    address: r.address || null,
    attributes: r.attributes ?? {},
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    abilities: abilities(actor, r.node_path, 'household.write'),
  };
}

async function findResidents(ctx: RegistryCtx, f: { node?: string; name?: string; tag?: string; volunteer?: boolean; householdId?: number; status?: string; idHash?: string; phoneHash?: string }, page: number, pageSize: number) {
  const params: unknown[] = [];
  const conds = [whereWith(ctx.actor, 'household.read', 'r.node_path', params), await nodeFilter(ctx.db, ctx.actor, 'household.read', f.node, 'r.node_path', params)];
  if (f.idHash) {
    params.push(f.idHash);
    conds.push(`r.id_number_hash = $${params.length}`);
  } else {
    params.push(f.status ?? 'active');
    conds.push(`r.status = $${params.length}`);
  }
  if (f.phoneHash) {
    params.push(f.phoneHash);
    conds.push(`r.phone_hash = $${params.length}`);
  }
  if (f.name) {
    params.push(f.name.replace(/[\\%_]/g, '\\$&') + '%');
    conds.push(`r.name LIKE $${params.length}`);
  }
  if (f.tag) {
    params.push([f.tag]);
    conds.push(`r.tags @> $${params.length}::text[]`);
    // Those who may not reveal never learn who carries a sensitive tag.
    conds.push(sensitiveTagGuard(ctx.actor, f.tag, params));
  }
  if (f.volunteer !== undefined) {
    params.push(f.volunteer);
    conds.push(`r.volunteer = $${params.length}`);
  }
  if (f.householdId) {
    params.push(f.householdId);
    conds.push(`r.household_id = $${params.length}`);
  }
  const { rows, total } = await repo.listResidents(ctx.db, conds.join(' AND '), params, pageSize, (page - 1) * pageSize);
  return { total, page, pageSize, items: rows.map((r) => presentResident(ctx.actor, r)) };
}

function sensitiveTagGuard(actor: Actor, tag: string, params: unknown[]): string {
  if (!SENSITIVE_TAGS.has(tag)) return 'TRUE';
  return whereWith(actor, 'resident.reveal', 'r.node_path', params);
}

export async function listResidents(ctx: RegistryCtx, q: ListResidentsQuery) {
  return findResidents(ctx, q, q.page, q.pageSize);
}

/**
 * Finds residents by name (prefix, within the subtree), by full ID number or
 * phone (exact, through the keyed hash: no plaintext is compared or stored).
 */
export async function searchResidents(ctx: RegistryCtx, b: SearchResidentsBody) {
  let idHash: string | undefined;
  if (b.idNumber) {
    const s = sealIdNumber(ctx.pd, b.idNumber);
    if (!s.ok) throw fieldError('idNumber', s.reason);
    idHash = s.sealed.hash;
  }
  const phoneHash = b.phone ? sealPhone(ctx.pd, b.phone).hash : undefined;
  return findResidents(ctx, { node: b.node, name: b.name, tag: b.tag, idHash, phoneHash }, b.page ?? 1, b.pageSize ?? 50);
}

export async function getResident(ctx: RegistryCtx, id: number) {
  const r = authorize(ctx.actor, await repo.findResident(ctx.db, id), 'household.read', 'resident');
  const moves = await repo.residentMoves(ctx.db, id);
  return {
    ...presentResident(ctx.actor, r),
    moves: moves.map((m) => ({
      id: m.id, fromHouseholdId: m.from_household_id, toHouseholdId: m.to_household_id, fromNodeCode: m.from_node_code, toNodeCode: m.to_node_code,
      movedAt: iso(m.moved_at), by: m.by_name, note: m.note,
    })),
  };
}

interface PersonalFields {
  gender?: 'male' | 'female' | null;
  birthDate?: string | null;
  idNumber?: string | null;
  phone?: string | null;
}

/** Seals the ID number and phone, and fills gender and birth date from the ID number (they must agree when given). */
function sealPersonal(ctx: RegistryCtx, b: PersonalFields, current?: { gender: string | null; birthDate: string | null }) {
  const out: { gender: string | null; birthDate: string | null; id?: { enc: string; hash: string; masked: string } | null; phone?: { enc: string; hash: string; masked: string } | null } = {
    gender: b.gender !== undefined ? b.gender : current?.gender ?? null,
    birthDate: b.birthDate !== undefined ? b.birthDate : current?.birthDate ?? null,
  };
  if (b.idNumber !== undefined) {
    if (b.idNumber === null || b.idNumber.trim() === '') out.id = null;
    else {
      const s = sealIdNumber(ctx.pd, b.idNumber);
      if (!s.ok) throw fieldError('idNumber', s.reason);
      if (b.birthDate && b.birthDate !== s.birthDate) throw fieldError('birthDate', 'does not match the ID number');
      if (b.gender && b.gender !== s.gender) throw fieldError('gender', 'does not match the ID number');
      out.id = s.sealed;
      out.gender = s.gender;
      out.birthDate = s.birthDate;
    }
  }
  if (b.phone !== undefined) out.phone = b.phone ? sealPhone(ctx.pd, b.phone) : null;
  return out;
}

const duplicateId = () => new AppError('DUPLICATE', 'A resident with this ID number is already registered.', [{ field: 'idNumber', reason: 'already registered' }]);

/** Registers a resident in a household. Throws NOT_FOUND (household), FORBIDDEN, VALIDATION_FAILED (ID number), DUPLICATE (same ID number). */
export async function createResident(ctx: RegistryCtx, b: CreateResidentBody) {
  const h = authorize(ctx.actor, await repo.findHousehold(ctx.db, b.householdId), 'household.read', 'household', 'household.write');
  if (h.status !== 'active') throw fieldError('householdId', 'the household has moved out', 'CONFLICT');
  const p = sealPersonal(ctx, b);
  const id = await ctx.db.transaction(async (trx) => {
    if (p.id && (await repo.residentIdByHash(trx, h.city_code, p.id.hash))) throw duplicateId();
    const newId = await repo.insertResident(trx, {
      cityCode: h.city_code, householdId: h.id, nodeCode: h.node_code, nodePath: h.node_path, name: b.name.trim(), gender: p.gender, birthDate: p.birthDate,
      idNumberEnc: p.id?.enc ?? null, idNumberHash: p.id?.hash ?? null, idNumberMasked: p.id?.masked ?? null,
      phoneEnc: p.phone?.enc ?? null, phoneHash: p.phone?.hash ?? null, phoneMasked: p.phone?.masked ?? null,
      relation: b.relation ?? null, registeredResidence: trimOrNull(b.registeredResidence), actualResidence: trimOrNull(b.actualResidence),
      tags: b.tags ?? [], volunteer: b.volunteer ?? false, attributes: b.attributes ?? {},
    });
    await writeAudit(trx, audit(ctx, 'resident.create', 'residents', newId, h.city_code, { householdId: h.id }));
    return newId;
  }).catch((err: unknown) => {
    if (isUniqueViolation(err, 'residents_id_hash_idx')) throw duplicateId();
    throw err;
  });
  return getResident(ctx, id);
}

export async function updateResident(ctx: RegistryCtx, id: number, b: UpdateResidentBody) {
  const r = authorize(ctx.actor, await repo.findResident(ctx.db, id), 'household.read', 'resident', 'household.write');
  const p = sealPersonal(ctx, b, { gender: r.gender, birthDate: r.birth_date });
  // Sensitive tags the actor cannot see are kept as they are, not dropped by an edit that never showed them.
  const hidden = (r.tags ?? []).filter((t) => !visibleTags(ctx.actor, r.node_path, r.tags).includes(t));
  const tags = b.tags !== undefined ? [...new Set([...b.tags, ...hidden])] : r.tags;
  await ctx.db.transaction(async (trx) => {
    const s = (await repo.residentSecrets(trx, id))!;
    if (p.id && p.id.hash !== s.id_number_hash) {
      const other = await repo.residentIdByHash(trx, r.city_code, p.id.hash);
      if (other && other !== id) throw duplicateId();
    }
    const keepId = p.id === undefined;
    const keepPhone = p.phone === undefined;
    await repo.updateResident(trx, id, {
      name: b.name?.trim() ?? r.name, gender: p.gender, birthDate: p.birthDate,
      idNumberEnc: keepId ? s.id_number_enc : p.id?.enc ?? null, idNumberHash: keepId ? s.id_number_hash : p.id?.hash ?? null, idNumberMasked: keepId ? s.id_number_masked : p.id?.masked ?? null,
      phoneEnc: keepPhone ? s.phone_enc : p.phone?.enc ?? null, phoneHash: keepPhone ? s.phone_hash : p.phone?.hash ?? null, phoneMasked: keepPhone ? s.phone_masked : p.phone?.masked ?? null,
      relation: b.relation !== undefined ? b.relation : r.relation,
      registeredResidence: b.registeredResidence !== undefined ? trimOrNull(b.registeredResidence) : r.registered_residence,
      actualResidence: b.actualResidence !== undefined ? trimOrNull(b.actualResidence) : r.actual_residence,
      tags, volunteer: b.volunteer ?? r.volunteer, attributes: b.attributes ?? r.attributes, status: b.status ?? r.status,
    });
    // Field names only: the audit log never holds the personal data itself.
    await writeAudit(trx, audit(ctx, 'resident.update', 'residents', id, r.city_code, { fields: Object.keys(b) }));
  }).catch((err: unknown) => {
    if (isUniqueViolation(err, 'residents_id_hash_idx')) throw duplicateId();
    throw err;
  });
  return getResident(ctx, id);
}

/** Moves a resident to another household (possibly in another grid); kept in the history. */
export async function moveResident(ctx: RegistryCtx, id: number, b: MoveResidentBody) {
  const r = authorize(ctx.actor, await repo.findResident(ctx.db, id), 'household.read', 'resident', 'household.write');
  const to = await repo.findHousehold(ctx.db, b.toHouseholdId);
  if (!to || !holds(ctx.actor, 'household.read', to.node_path)) throw fieldError('toHouseholdId', 'no such household in your part of the tree', 'NOT_FOUND');
  if (!holds(ctx.actor, 'household.write', to.node_path)) throw new AppError('FORBIDDEN', 'You may not add residents to that household.');
  if (to.status !== 'active') throw fieldError('toHouseholdId', 'the household has moved out', 'CONFLICT');
  if (to.id === r.household_id) throw fieldError('toHouseholdId', 'the resident already belongs to this household');
  await ctx.db.transaction(async (trx) => {
    await repo.moveResident(trx, id, { householdId: r.household_id, nodeCode: r.node_code }, { householdId: to.id, nodeCode: to.node_code, nodePath: to.node_path }, ctx.actor.userId, b.note ?? null);
    if (b.relation) await trx.query(`UPDATE residents SET relation = $2 WHERE id = $1`, [id, b.relation]);
    await writeAudit(trx, audit(ctx, 'resident.move', 'residents', id, r.city_code, { from: r.household_id, to: to.id, note: b.note ?? null }));
  });
  return getResident(ctx, id);
}

/**
 * Shows a resident's full ID number and phone. Needs resident.reveal where
 * the resident lives; the audit row (who, when, why) is written in the same
 * transaction as the read, so no reveal goes unlogged.
 */
export async function revealResident(ctx: RegistryCtx, id: number, reason: string) {
  const r = authorize(ctx.actor, await repo.findResident(ctx.db, id), 'household.read', 'resident', 'resident.reveal');
  return ctx.db.transaction(async (trx) => {
    const s = await repo.residentSecrets(trx, id);
    await writeAudit(trx, audit(ctx, 'resident.reveal', 'residents', id, r.city_code, { reason, fields: ['idNumber', 'phone'] }));
    return { idNumber: s?.id_number_enc ? ctx.pd.decrypt(s.id_number_enc) : null, phone: s?.phone_enc ? ctx.pd.decrypt(s.phone_enc) : null, tags: r.tags };
  });
}

// -------------------------------------------------------------------- places

function presentPlace(actor: Actor, p: repo.PlaceRow) {
  return {
    id: p.id, nodeCode: p.node_code, nodeName: p.node_name, kind: p.kind, name: p.name, address: p.address, lng: p.lng, lat: p.lat,
    specialNodeCode: p.special_node_code, contactName: p.contact_name, phone: p.phone_masked, status: p.status, attributes: p.attributes ?? {},
    createdAt: iso(p.created_at), updatedAt: iso(p.updated_at), abilities: abilities(actor, p.node_path, 'place.write'),
  };
}

export async function listPlaces(ctx: RegistryCtx, q: ListPlacesQuery) {
  const params: unknown[] = [];
  const conds = [whereWith(ctx.actor, 'place.read', 'p.node_path', params), await nodeFilter(ctx.db, ctx.actor, 'place.read', q.node, 'p.node_path', params)];
  if (q.kind) {
    params.push(q.kind);
    conds.push(`p.kind = $${params.length}`);
  }
  if (q.q) {
    params.push(`%${q.q.replace(/[\\%_]/g, '\\$&')}%`);
    conds.push(`(p.name ILIKE $${params.length} OR p.address ILIKE $${params.length})`);
  }
  const { rows, total } = await repo.listPlaces(ctx.db, conds.join(' AND '), params, q.pageSize, (q.page - 1) * q.pageSize);
  return { total, page: q.page, pageSize: q.pageSize, items: rows.map((p) => presentPlace(ctx.actor, p)) };
}

export async function getPlace(ctx: RegistryCtx, id: number) {
  const p = authorize(ctx.actor, await repo.findPlace(ctx.db, id), 'place.read', 'place');
  const params: unknown[] = [id];
  const scope = whereWith(ctx.actor, 'household.read', 'h.node_path', params);
  const [households, things, cases] = await Promise.all([
    ctx.db.query<{ id: number; address: string; building: string | null; unit: string | null; room: string | null }>(
      `SELECT h.id, h.address, h.building, h.unit, h.room FROM households h WHERE h.place_id = $1 AND h.status = 'active' AND ${scope} ORDER BY h.address_key LIMIT 500`,
      params,
    ),
    ctx.db.query<{ id: number; kind: string; name: string; code: string | null; state: string }>(`SELECT id, kind, name, code, state FROM things WHERE place_id = $1 ORDER BY id LIMIT 500`, [id]),
    repo.casesOf(ctx.db, 'place_id', id),
  ]);
  return { ...presentPlace(ctx.actor, p), households, things, cases: cases.map(presentCase) };
}

async function placeInput(ctx: RegistryCtx, b: PlaceBody): Promise<repo.PlaceInput> {
  const grid = await gridFor(ctx.db, ctx.actor, b.nodeCode, 'place.write');
  if (b.specialNodeCode) {
    const s = await repo.findNodeRef(ctx.db, b.specialNodeCode);
    if (!s || s.city_code !== grid.city_code) throw fieldError('specialNodeCode', 'no such node in this city', 'NODE_NOT_FOUND');
  }
  const [lng, lat] = checkPoint(b.lng, b.lat);
  const phone = b.phone ? sealPhone(ctx.pd, b.phone) : null;
  return {
    cityCode: grid.city_code, nodeCode: grid.code, nodePath: grid.path, kind: b.kind, name: b.name.trim(), address: trimOrNull(b.address),
    matchKey: placeKey(b.kind, b.name, b.address), lng, lat, specialNodeCode: b.specialNodeCode ?? null, contactName: trimOrNull(b.contactName),
    phoneEnc: phone?.enc ?? null, phoneHash: phone?.hash ?? null, phoneMasked: phone?.masked ?? null, attributes: b.attributes ?? {}, status: b.status ?? 'active',
  };
}

const duplicatePlace = () => new AppError('DUPLICATE', 'A place of this kind with this name and address exists.', [{ field: 'name', reason: 'already registered' }]);

export async function createPlace(ctx: RegistryCtx, b: PlaceBody) {
  const input = await placeInput(ctx, b);
  const id = await ctx.db.transaction(async (trx) => {
    if (await repo.placeIdByKey(trx, input.cityCode, input.matchKey)) throw duplicatePlace();
    const { id: newId } = await repo.upsertPlace(trx, input);
    await writeAudit(trx, audit(ctx, 'place.create', 'places', newId, input.cityCode, { nodeCode: input.nodeCode, kind: input.kind }));
    return newId;
  });
  return getPlace(ctx, id);
}

export async function updatePlace(ctx: RegistryCtx, id: number, b: UpdatePlaceBody) {
  const p = authorize(ctx.actor, await repo.findPlace(ctx.db, id), 'place.read', 'place', 'place.write');
  const s = (await repo.placeSecrets(ctx.db, id))!;
  const merged: PlaceBody = {
    nodeCode: b.nodeCode ?? p.node_code, kind: b.kind ?? (p.kind as PlaceBody['kind']), name: b.name ?? p.name,
    address: b.address !== undefined ? b.address : p.address, specialNodeCode: b.specialNodeCode !== undefined ? b.specialNodeCode : p.special_node_code,
    contactName: b.contactName !== undefined ? b.contactName : p.contact_name, lng: b.lng !== undefined ? b.lng : p.lng, lat: b.lat !== undefined ? b.lat : p.lat,
    status: b.status ?? p.status, attributes: b.attributes ?? p.attributes,
  };
  const input = await placeInput(ctx, merged);
  if (b.phone === undefined) Object.assign(input, { phoneEnc: s.phone_enc, phoneHash: s.phone_hash, phoneMasked: s.phone_masked });
  else if (b.phone) Object.assign(input, (({ enc, hash, masked }) => ({ phoneEnc: enc, phoneHash: hash, phoneMasked: masked }))(sealPhone(ctx.pd, b.phone)));
  await ctx.db.transaction(async (trx) => {
    const other = await repo.placeIdByKey(trx, input.cityCode, input.matchKey);
    if (other && other !== id) throw duplicatePlace();
    await repo.updatePlace(trx, id, input);
    await writeAudit(trx, audit(ctx, 'place.update', 'places', id, p.city_code, { fields: Object.keys(b) }));
  });
  return getPlace(ctx, id);
}

// -------------------------------------------------------------------- things

function presentThing(actor: Actor, t: repo.ThingRow) {
  return {
    id: t.id, nodeCode: t.node_code, nodeName: t.node_name, kind: t.kind, categoryCode: t.category_code, categoryName: t.category_name, name: t.name, code: t.code,
    placeId: t.place_id, lng: t.lng, lat: t.lat, state: t.state, attributes: t.attributes ?? {}, createdAt: iso(t.created_at), updatedAt: iso(t.updated_at),
    abilities: { update: holds(actor, 'place.write', t.node_path) },
  };
}

function presentCase(c: repo.LinkedCaseRow) {
  return { id: c.id, number: c.number, status: c.status, categoryCode: c.category_code, categoryName: c.category_name, description: c.description, createdAt: iso(c.created_at), closedAt: iso(c.closed_at) };
}

export async function listThings(ctx: RegistryCtx, q: ListThingsQuery) {
  const params: unknown[] = [];
  const conds = [whereWith(ctx.actor, 'place.read', 't.node_path', params), await nodeFilter(ctx.db, ctx.actor, 'place.read', q.node, 't.node_path', params)];
  for (const [col, v] of [['t.kind', q.kind], ['t.state', q.state]] as const) {
    if (!v) continue;
    params.push(v);
    conds.push(`${col} = $${params.length}`);
  }
  if (q.q) {
    params.push(`%${q.q.replace(/[\\%_]/g, '\\$&')}%`);
    conds.push(`(t.name ILIKE $${params.length} OR t.code ILIKE $${params.length})`);
  }
  const { rows, total } = await repo.listThings(ctx.db, conds.join(' AND '), params, q.pageSize, (q.page - 1) * q.pageSize);
  return { total, page: q.page, pageSize: q.pageSize, items: rows.map((t) => presentThing(ctx.actor, t)) };
}

/** A thing with the cases reported about it (a street light's faults over the years). */
export async function getThing(ctx: RegistryCtx, id: number) {
  const t = authorize(ctx.actor, await repo.findThing(ctx.db, id), 'place.read', 'thing');
  const cases = await repo.casesOf(ctx.db, 'thing_id', id);
  return { ...presentThing(ctx.actor, t), cases: cases.map(presentCase) };
}

async function thingInput(ctx: RegistryCtx, b: ThingBody): Promise<repo.ThingInput> {
  const grid = await gridFor(ctx.db, ctx.actor, b.nodeCode, 'place.write');
  const categoryCode = b.categoryCode !== undefined ? b.categoryCode : THING_KINDS[b.kind as ThingKind].category;
  if (categoryCode && !(await repo.categoryExists(ctx.db, categoryCode))) throw fieldError('categoryCode', 'no such case category');
  const placeId = await checkPlace(ctx.db, ctx.actor, b.placeId);
  const [lng, lat] = checkPoint(b.lng, b.lat);
  return {
    cityCode: grid.city_code, nodeCode: grid.code, nodePath: grid.path, kind: b.kind, categoryCode: categoryCode ?? null, name: b.name.trim(), code: trimOrNull(b.code),
    placeId, lng, lat, state: b.state ?? 'normal', attributes: b.attributes ?? {},
  };
}

const duplicateThing = () => new AppError('DUPLICATE', 'A thing with this asset code exists in the city.', [{ field: 'code', reason: 'already registered' }]);

export async function createThing(ctx: RegistryCtx, b: ThingBody) {
  const input = await thingInput(ctx, b);
  const id = await ctx.db.transaction(async (trx) => {
    if (input.code && (await repo.thingIdByCode(trx, input.cityCode, input.code))) throw duplicateThing();
    const { id: newId } = await repo.upsertThing(trx, input);
    await writeAudit(trx, audit(ctx, 'thing.create', 'things', newId, input.cityCode, { nodeCode: input.nodeCode, kind: input.kind }));
    return newId;
  });
  return getThing(ctx, id);
}

export async function updateThing(ctx: RegistryCtx, id: number, b: UpdateThingBody) {
  const t = authorize(ctx.actor, await repo.findThing(ctx.db, id), 'place.read', 'thing', 'place.write');
  const merged: ThingBody = {
    nodeCode: b.nodeCode ?? t.node_code, kind: b.kind ?? (t.kind as ThingBody['kind']), name: b.name ?? t.name, code: b.code !== undefined ? b.code : t.code,
    categoryCode: b.categoryCode !== undefined ? b.categoryCode : t.category_code, placeId: b.placeId !== undefined ? b.placeId : t.place_id,
    lng: b.lng !== undefined ? b.lng : t.lng, lat: b.lat !== undefined ? b.lat : t.lat, state: b.state ?? (t.state as ThingBody['state']), attributes: b.attributes ?? t.attributes,
  };
  const input = await thingInput(ctx, merged);
  await ctx.db.transaction(async (trx) => {
    if (input.code) {
      const other = await repo.thingIdByCode(trx, input.cityCode, input.code);
      if (other && other !== id) throw duplicateThing();
    }
    await repo.updateThing(trx, id, input);
    await writeAudit(trx, audit(ctx, 'thing.update', 'things', id, t.city_code, { fields: Object.keys(b), state: input.state }));
  });
  return getThing(ctx, id);
}

// ------------------------------------------------------------ links to cases

type Target = 'household' | 'place' | 'thing';
const TARGETS: Record<Target, { column: 'household_id' | 'place_id' | 'thing_id'; read: Permission; write: Permission; find: (ex: Executor, id: number) => Promise<{ node_path: string; city_code: string } | undefined> }> = {
  household: { column: 'household_id', read: 'household.read', write: 'household.write', find: repo.findHousehold },
  place: { column: 'place_id', read: 'place.read', write: 'place.write', find: repo.findPlace },
  thing: { column: 'thing_id', read: 'place.read', write: 'place.write', find: repo.findThing },
};

/**
 * Points a case at the household, place or thing it concerns. The case must
 * be one the actor can read (its node in the actor's case scope).
 * Throws NOT_FOUND (record or case), FORBIDDEN.
 */
export async function linkCase(ctx: RegistryCtx, target: Target, id: number, caseId: number) {
  const t = TARGETS[target];
  const row = authorize(ctx.actor, await t.find(ctx.db, id), t.read, target, t.write);
  const [c] = await ctx.db.query<{ id: number; node_path: string | null; city_code: string }>(`SELECT id, node_path::text AS node_path, city_code FROM cases WHERE id = $1`, [caseId]);
  if (!c || !c.node_path || !holds(ctx.actor, 'case.read', c.node_path)) throw fieldError('caseId', 'no such case in your part of the tree', 'CASE_NOT_FOUND');
  await ctx.db.transaction(async (trx) => {
    await trx.query(`UPDATE cases SET ${t.column} = $3, updated_at = now() WHERE city_code = $1 AND id = $2`, [c.city_code, caseId, id]);
    await writeAudit(trx, audit(ctx, `${target}.link_case`, `${target}s`, id, row.city_code, { caseId }));
  });
  return { caseId, [`${target}Id`]: id };
}

// ---------------------------------------------------------------- tag kinds

export async function listTagKinds(ctx: RegistryCtx) {
  const rows = await repo.tagKinds(ctx.db);
  return rows.map((t) => ({ code: t.code, nameZh: t.name_zh, nameEn: t.name_en, visitEveryDays: t.visit_every_days, sensitive: t.sensitive }));
}

/** Changes a tag's visit interval: a city-wide setting, so only a whole-tree or city administrator may. */
export async function setTagFrequency(ctx: RegistryCtx, code: string, days: number | null) {
  const admin = ctx.actor.grants.some((g) => g.role === 'administrator' && g.nodePath.split('.').length <= 2);
  if (!admin) throw new AppError('FORBIDDEN', 'Only a city administrator changes visit intervals.');
  await ctx.db.transaction(async (trx) => {
    if (!(await repo.setTagFrequency(trx, code, days))) throw new AppError('NOT_FOUND', `No tag ${code}.`);
    await writeAudit(trx, audit(ctx, 'tag_kind.update', 'tag_kinds', code, null, { visitEveryDays: days }));
  });
  return listTagKinds(ctx);
}
