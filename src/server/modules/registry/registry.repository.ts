/**
 * SQL of the registry (households, residents, places, things). Every function
 * takes the executor it is given. Personal data arrives here already
 * encrypted, hashed and masked: no plaintext ID number or phone reaches SQL.
 */
import type { Executor } from '../../db/db.js';
import { one } from '../../db/db.js';

export interface NodeRef {
  code: string;
  name: string;
  level: string;
  path: string;
  status: string;
  city_code: string;
}

export async function findNodeRef(ex: Executor, code: string): Promise<NodeRef | undefined> {
  return one<NodeRef>(ex, `SELECT code, name, level, path::text AS path, status, city_code FROM nodes WHERE code = $1`, [code]);
}

export async function findNodeRefs(ex: Executor, codes: readonly string[]): Promise<NodeRef[]> {
  if (codes.length === 0) return [];
  return ex.query<NodeRef>(`SELECT code, name, level, path::text AS path, status, city_code FROM nodes WHERE code = ANY($1::text[])`, [codes]);
}

// ---------------------------------------------------------------- households

export interface HouseholdRow {
  id: number;
  city_code: string;
  node_code: string;
  node_name: string;
  node_path: string;
  address: string;
  building: string | null;
  unit: string | null;
  room: string | null;
  place_id: number | null;
  lng: number | null;
  lat: number | null;
  status: 'active' | 'moved_out';
  attributes: Record<string, unknown>;
  member_count: number;
  head_name: string | null;
  created_at: Date;
  updated_at: Date;
}

const HOUSEHOLD_COLUMNS = `h.id, h.city_code, h.node_code, n.name AS node_name, h.node_path::text AS node_path, h.address, h.building, h.unit, h.room,
  h.place_id, ST_X(h.location) AS lng, ST_Y(h.location) AS lat, h.status, h.attributes, h.created_at, h.updated_at,
  (SELECT count(*) FROM residents r WHERE r.household_id = h.id AND r.status = 'active') AS member_count,
  (SELECT r.name FROM residents r WHERE r.household_id = h.id AND r.status = 'active' ORDER BY r.relation = 'head' DESC, r.id LIMIT 1) AS head_name`;

export async function findHousehold(ex: Executor, id: number): Promise<HouseholdRow | undefined> {
  return one<HouseholdRow>(ex, `SELECT ${HOUSEHOLD_COLUMNS} FROM households h JOIN nodes n ON n.city_code = h.city_code AND n.code = h.node_code WHERE h.id = $1`, [id]);
}

export interface ListFilter {
  /** SQL condition on the row's node_path, with its parameters already pushed. */
  scope: string;
  params: unknown[];
  limit: number;
  offset: number;
}

export async function listHouseholds(ex: Executor, where: string, params: unknown[], limit: number, offset: number): Promise<{ rows: HouseholdRow[]; total: number }> {
  const rows = await ex.query<HouseholdRow>(
    `SELECT ${HOUSEHOLD_COLUMNS} FROM households h JOIN nodes n ON n.city_code = h.city_code AND n.code = h.node_code
      WHERE ${where} ORDER BY h.node_code, h.address_key, h.id LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
  const [c] = await ex.query<{ n: number }>(`SELECT count(*) AS n FROM households h WHERE ${where}`, params);
  return { rows, total: c?.n ?? 0 };
}

export interface HouseholdInput {
  cityCode: string;
  nodeCode: string;
  nodePath: string;
  address: string;
  building: string | null;
  unit: string | null;
  room: string | null;
  addressKey: string;
  placeId: number | null;
  lng: number | null;
  lat: number | null;
  attributes: Record<string, unknown>;
}

export async function insertHousehold(ex: Executor, h: HouseholdInput): Promise<number> {
  const [row] = await ex.query<{ id: number }>(
    `INSERT INTO households (city_code, node_code, node_path, address, building, unit, room, address_key, place_id, location, attributes)
     VALUES ($1, $2, $3::ltree, $4, $5, $6, $7, $8, $9, CASE WHEN $10::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($10, $11), 4326) END, $12)
     RETURNING id`,
    [h.cityCode, h.nodeCode, h.nodePath, h.address, h.building, h.unit, h.room, h.addressKey, h.placeId, h.lng, h.lat, JSON.stringify(h.attributes)],
  );
  return row!.id;
}

export async function householdIdByAddress(ex: Executor, cityCode: string, addressKey: string): Promise<number | undefined> {
  return (await one<{ id: number }>(ex, `SELECT id FROM households WHERE city_code = $1 AND address_key = $2 AND status = 'active'`, [cityCode, addressKey]))?.id;
}

export async function updateHousehold(
  ex: Executor,
  id: number,
  c: { address: string; building: string | null; unit: string | null; room: string | null; addressKey: string; placeId: number | null; lng: number | null; lat: number | null; status: string; attributes: Record<string, unknown> },
): Promise<void> {
  await ex.query(
    `UPDATE households SET address = $2, building = $3, unit = $4, room = $5, address_key = $6, place_id = $7,
        location = CASE WHEN $8::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($8, $9), 4326) END,
        status = $10, attributes = $11, updated_at = now()
      WHERE id = $1`,
    [id, c.address, c.building, c.unit, c.room, c.addressKey, c.placeId, c.lng, c.lat, c.status, JSON.stringify(c.attributes)],
  );
}

/** Moves a household and its residents to another grid, and records the move. */
export async function moveHousehold(ex: Executor, id: number, to: { code: string; path: string }, from: string, by: string, note: string | null): Promise<void> {
  await ex.query(`UPDATE households SET node_code = $2, node_path = $3::ltree, updated_at = now() WHERE id = $1`, [id, to.code, to.path]);
  await ex.query(`UPDATE residents SET node_code = $2, node_path = $3::ltree, updated_at = now() WHERE household_id = $1`, [id, to.code, to.path]);
  await ex.query(
    `INSERT INTO household_moves (city_code, household_id, from_node_code, to_node_code, by, note) SELECT city_code, id, $2, $3, $4, $5 FROM households WHERE id = $1`,
    [id, from, to.code, by, note],
  );
}

export async function householdMoves(ex: Executor, id: number) {
  return ex.query<{ id: number; from_node_code: string; to_node_code: string; moved_at: Date; by_name: string | null; note: string | null }>(
    `SELECT m.id, m.from_node_code, m.to_node_code, m.moved_at, u.display_name AS by_name, m.note
       FROM household_moves m LEFT JOIN users u ON u.id = m.by WHERE m.household_id = $1 ORDER BY m.moved_at DESC, m.id DESC`,
    [id],
  );
}

// ----------------------------------------------------------------- residents

export interface ResidentRow {
  id: number;
  city_code: string;
  household_id: number | null;
  node_code: string;
  node_path: string;
  name: string;
  gender: 'male' | 'female' | null;
  birth_date: string | null;
  id_number_masked: string | null;
  phone_masked: string | null;
  relation: string | null;
  registered_residence: string | null;
  actual_residence: string | null;
  tags: string[];
  volunteer: boolean;
  status: 'active' | 'moved_out' | 'deceased';
  attributes: Record<string, unknown>;
  address: string | null;
  created_at: Date;
  updated_at: Date;
}

const RESIDENT_COLUMNS = `r.id, r.city_code, r.household_id, r.node_code, r.node_path::text AS node_path, r.name, r.gender,
  to_char(r.birth_date, 'YYYY-MM-DD') AS birth_date, r.id_number_masked, r.phone_masked, r.relation, r.registered_residence,
  r.actual_residence, r.tags, r.volunteer, r.status, r.attributes, r.created_at, r.updated_at,
  concat_ws(' ', h.address, h.building, h.unit, h.room) AS address`;

export async function findResident(ex: Executor, id: number): Promise<ResidentRow | undefined> {
  return one<ResidentRow>(ex, `SELECT ${RESIDENT_COLUMNS} FROM residents r LEFT JOIN households h ON h.id = r.household_id WHERE r.id = $1`, [id]);
}

export async function listResidents(ex: Executor, where: string, params: unknown[], limit: number, offset: number): Promise<{ rows: ResidentRow[]; total: number }> {
  const rows = await ex.query<ResidentRow>(
    `SELECT ${RESIDENT_COLUMNS} FROM residents r LEFT JOIN households h ON h.id = r.household_id
      WHERE ${where} ORDER BY r.node_code, r.household_id, r.relation = 'head' DESC, r.id LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
  const [c] = await ex.query<{ n: number }>(`SELECT count(*) AS n FROM residents r WHERE ${where}`, params);
  return { rows, total: c?.n ?? 0 };
}

export async function residentsOfHousehold(ex: Executor, householdId: number): Promise<ResidentRow[]> {
  return ex.query<ResidentRow>(
    `SELECT ${RESIDENT_COLUMNS} FROM residents r LEFT JOIN households h ON h.id = r.household_id
      WHERE r.household_id = $1 ORDER BY r.status = 'active' DESC, r.relation = 'head' DESC, r.birth_date NULLS LAST, r.id`,
    [householdId],
  );
}

/** A resident as stored: personal data only in encrypted, hashed and masked form. */
export interface ResidentInput {
  cityCode: string;
  householdId: number | null;
  nodeCode: string;
  nodePath: string;
  name: string;
  gender: string | null;
  birthDate: string | null;
  idNumberEnc: string | null;
  idNumberHash: string | null;
  idNumberMasked: string | null;
  phoneEnc: string | null;
  phoneHash: string | null;
  phoneMasked: string | null;
  relation: string | null;
  registeredResidence: string | null;
  actualResidence: string | null;
  tags: string[];
  volunteer: boolean;
  attributes: Record<string, unknown>;
}

export async function insertResident(ex: Executor, r: ResidentInput): Promise<number> {
  const [row] = await ex.query<{ id: number }>(
    `INSERT INTO residents (city_code, household_id, node_code, node_path, name, gender, birth_date, id_number_enc, id_number_hash, id_number_masked,
        phone_enc, phone_hash, phone_masked, relation, registered_residence, actual_residence, tags, volunteer, attributes)
     VALUES ($1, $2, $3, $4::ltree, $5, $6, $7::date, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::text[], $18, $19)
     RETURNING id`,
    [
      r.cityCode, r.householdId, r.nodeCode, r.nodePath, r.name, r.gender, r.birthDate, r.idNumberEnc, r.idNumberHash, r.idNumberMasked,
      r.phoneEnc, r.phoneHash, r.phoneMasked, r.relation, r.registeredResidence, r.actualResidence, r.tags, r.volunteer, JSON.stringify(r.attributes),
    ],
  );
  return row!.id;
}

export async function updateResident(ex: Executor, id: number, r: Omit<ResidentInput, 'cityCode' | 'householdId' | 'nodeCode' | 'nodePath'> & { status: string }): Promise<void> {
  await ex.query(
    `UPDATE residents SET name = $2, gender = $3, birth_date = $4::date, id_number_enc = $5, id_number_hash = $6, id_number_masked = $7,
        phone_enc = $8, phone_hash = $9, phone_masked = $10, relation = $11, registered_residence = $12, actual_residence = $13,
        tags = $14::text[], volunteer = $15, attributes = $16, status = $17, updated_at = now()
      WHERE id = $1`,
    [
      id, r.name, r.gender, r.birthDate, r.idNumberEnc, r.idNumberHash, r.idNumberMasked, r.phoneEnc, r.phoneHash, r.phoneMasked,
      r.relation, r.registeredResidence, r.actualResidence, r.tags, r.volunteer, JSON.stringify(r.attributes), r.status,
    ],
  );
}

/** The stored (encrypted) personal data of one resident, for reveal and update. */
export async function residentSecrets(ex: Executor, id: number) {
  return one<{ id_number_enc: string | null; id_number_hash: string | null; id_number_masked: string | null; phone_enc: string | null; phone_hash: string | null; phone_masked: string | null }>(
    ex,
    `SELECT id_number_enc, id_number_hash, id_number_masked, phone_enc, phone_hash, phone_masked FROM residents WHERE id = $1`,
    [id],
  );
}

export async function residentIdByHash(ex: Executor, cityCode: string, hash: string): Promise<number | undefined> {
  return (await one<{ id: number }>(ex, `SELECT id FROM residents WHERE city_code = $1 AND id_number_hash = $2`, [cityCode, hash]))?.id;
}

export async function moveResident(
  ex: Executor,
  id: number,
  from: { householdId: number | null; nodeCode: string },
  to: { householdId: number; nodeCode: string; nodePath: string },
  by: string,
  note: string | null,
): Promise<void> {
  await ex.query(`UPDATE residents SET household_id = $2, node_code = $3, node_path = $4::ltree, status = 'active', updated_at = now() WHERE id = $1`, [
    id, to.householdId, to.nodeCode, to.nodePath,
  ]);
  await ex.query(
    `INSERT INTO resident_moves (city_code, resident_id, from_household_id, to_household_id, from_node_code, to_node_code, by, note)
     SELECT city_code, id, $2, $3, $4, $5, $6, $7 FROM residents WHERE id = $1`,
    [id, from.householdId, to.householdId, from.nodeCode, to.nodeCode, by, note],
  );
}

export async function residentMoves(ex: Executor, id: number) {
  return ex.query<{ id: number; from_household_id: number | null; to_household_id: number | null; from_node_code: string | null; to_node_code: string | null; moved_at: Date; by_name: string | null; note: string | null }>(
    `SELECT m.id, m.from_household_id, m.to_household_id, m.from_node_code, m.to_node_code, m.moved_at, u.display_name AS by_name, m.note
       FROM resident_moves m LEFT JOIN users u ON u.id = m.by WHERE m.resident_id = $1 ORDER BY m.moved_at DESC, m.id DESC`,
    [id],
  );
}

// -------------------------------------------------------------------- places

export interface PlaceRow {
  id: number;
  city_code: string;
  node_code: string;
  node_name: string;
  node_path: string;
  kind: string;
  name: string;
  address: string | null;
  lng: number | null;
  lat: number | null;
  special_node_code: string | null;
  contact_name: string | null;
  phone_masked: string | null;
  attributes: Record<string, unknown>;
  status: 'active' | 'closed';
  created_at: Date;
  updated_at: Date;
}

const PLACE_COLUMNS = `p.id, p.city_code, p.node_code, n.name AS node_name, p.node_path::text AS node_path, p.kind, p.name, p.address,
  ST_X(p.location) AS lng, ST_Y(p.location) AS lat, p.special_node_code, p.contact_name, p.phone_masked, p.attributes, p.status, p.created_at, p.updated_at`;

export async function findPlace(ex: Executor, id: number): Promise<PlaceRow | undefined> {
  return one<PlaceRow>(ex, `SELECT ${PLACE_COLUMNS} FROM places p JOIN nodes n ON n.city_code = p.city_code AND n.code = p.node_code WHERE p.id = $1`, [id]);
}

export async function listPlaces(ex: Executor, where: string, params: unknown[], limit: number, offset: number): Promise<{ rows: PlaceRow[]; total: number }> {
  const rows = await ex.query<PlaceRow>(
    `SELECT ${PLACE_COLUMNS} FROM places p JOIN nodes n ON n.city_code = p.city_code AND n.code = p.node_code
      WHERE ${where} ORDER BY p.node_code, p.kind, p.name, p.id LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
  const [c] = await ex.query<{ n: number }>(`SELECT count(*) AS n FROM places p WHERE ${where}`, params);
  return { rows, total: c?.n ?? 0 };
}

export interface PlaceInput {
  cityCode: string;
  nodeCode: string;
  nodePath: string;
  kind: string;
  name: string;
  address: string | null;
  matchKey: string;
  lng: number | null;
  lat: number | null;
  specialNodeCode: string | null;
  contactName: string | null;
  phoneEnc: string | null;
  phoneHash: string | null;
  phoneMasked: string | null;
  attributes: Record<string, unknown>;
  status: string;
}

/** Inserts a place, or updates the one with the same kind, name and address. */
export async function upsertPlace(ex: Executor, p: PlaceInput): Promise<{ id: number; inserted: boolean }> {
  const [row] = await ex.query<{ id: number; inserted: boolean }>(
    `INSERT INTO places (city_code, node_code, node_path, kind, name, address, match_key, location, special_node_code, contact_name, phone_enc, phone_hash, phone_masked, attributes, status)
     VALUES ($1, $2, $3::ltree, $4, $5, $6, $7, CASE WHEN $8::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($8, $9), 4326) END, $10, $11, $12, $13, $14, $15, $16)
     ON CONFLICT (city_code, match_key) DO UPDATE SET node_code = EXCLUDED.node_code, node_path = EXCLUDED.node_path, kind = EXCLUDED.kind, name = EXCLUDED.name,
        address = EXCLUDED.address, location = coalesce(EXCLUDED.location, places.location), special_node_code = EXCLUDED.special_node_code,
        contact_name = EXCLUDED.contact_name, phone_enc = EXCLUDED.phone_enc, phone_hash = EXCLUDED.phone_hash, phone_masked = EXCLUDED.phone_masked,
        attributes = places.attributes || EXCLUDED.attributes, status = EXCLUDED.status, updated_at = now()
     RETURNING id, (xmax = 0) AS inserted`,
    [p.cityCode, p.nodeCode, p.nodePath, p.kind, p.name, p.address, p.matchKey, p.lng, p.lat, p.specialNodeCode, p.contactName, p.phoneEnc, p.phoneHash, p.phoneMasked, JSON.stringify(p.attributes), p.status],
  );
  return row!;
}

export async function placeIdByKey(ex: Executor, cityCode: string, matchKey: string): Promise<number | undefined> {
  return (await one<{ id: number }>(ex, `SELECT id FROM places WHERE city_code = $1 AND match_key = $2`, [cityCode, matchKey]))?.id;
}

export async function updatePlace(ex: Executor, id: number, p: PlaceInput): Promise<void> {
  await ex.query(
    `UPDATE places SET node_code = $2, node_path = $3::ltree, kind = $4, name = $5, address = $6, match_key = $7,
        location = CASE WHEN $8::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($8, $9), 4326) END,
        special_node_code = $10, contact_name = $11, phone_enc = $12, phone_hash = $13, phone_masked = $14, attributes = $15, status = $16, updated_at = now()
      WHERE id = $1`,
    [id, p.nodeCode, p.nodePath, p.kind, p.name, p.address, p.matchKey, p.lng, p.lat, p.specialNodeCode, p.contactName, p.phoneEnc, p.phoneHash, p.phoneMasked, JSON.stringify(p.attributes), p.status],
  );
}

export async function placeSecrets(ex: Executor, id: number) {
  return one<{ phone_enc: string | null; phone_hash: string | null; phone_masked: string | null }>(ex, `SELECT phone_enc, phone_hash, phone_masked FROM places WHERE id = $1`, [id]);
}

// -------------------------------------------------------------------- things

export interface ThingRow {
  id: number;
  city_code: string;
  node_code: string;
  node_name: string;
  node_path: string;
  kind: string;
  category_code: string | null;
  category_name: string | null;
  name: string;
  code: string | null;
  place_id: number | null;
  lng: number | null;
  lat: number | null;
  state: string;
  attributes: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const THING_COLUMNS = `t.id, t.city_code, t.node_code, n.name AS node_name, t.node_path::text AS node_path, t.kind, t.category_code, c.name_zh AS category_name,
  t.name, t.code, t.place_id, ST_X(t.location) AS lng, ST_Y(t.location) AS lat, t.state, t.attributes, t.created_at, t.updated_at`;

export async function findThing(ex: Executor, id: number): Promise<ThingRow | undefined> {
  return one<ThingRow>(
    ex,
    `SELECT ${THING_COLUMNS} FROM things t JOIN nodes n ON n.city_code = t.city_code AND n.code = t.node_code LEFT JOIN categories c ON c.code = t.category_code WHERE t.id = $1`,
    [id],
  );
}

export async function listThings(ex: Executor, where: string, params: unknown[], limit: number, offset: number): Promise<{ rows: ThingRow[]; total: number }> {
  const rows = await ex.query<ThingRow>(
    `SELECT ${THING_COLUMNS} FROM things t JOIN nodes n ON n.city_code = t.city_code AND n.code = t.node_code LEFT JOIN categories c ON c.code = t.category_code
      WHERE ${where} ORDER BY t.node_code, t.kind, t.code NULLS LAST, t.id LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
  const [c] = await ex.query<{ n: number }>(`SELECT count(*) AS n FROM things t WHERE ${where}`, params);
  return { rows, total: c?.n ?? 0 };
}

export interface ThingInput {
  cityCode: string;
  nodeCode: string;
  nodePath: string;
  kind: string;
  categoryCode: string | null;
  name: string;
  code: string | null;
  placeId: number | null;
  lng: number | null;
  lat: number | null;
  state: string;
  attributes: Record<string, unknown>;
}

/** Inserts a thing, or (with an asset code) updates the one with the same code. */
export async function upsertThing(ex: Executor, t: ThingInput): Promise<{ id: number; inserted: boolean }> {
  const [row] = await ex.query<{ id: number; inserted: boolean }>(
    `INSERT INTO things (city_code, node_code, node_path, kind, category_code, name, code, place_id, location, state, attributes)
     VALUES ($1, $2, $3::ltree, $4, $5, $6, $7, $8, CASE WHEN $9::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($9, $10), 4326) END, $11, $12)
     ON CONFLICT (city_code, code) WHERE code IS NOT NULL DO UPDATE SET node_code = EXCLUDED.node_code, node_path = EXCLUDED.node_path, kind = EXCLUDED.kind,
        category_code = EXCLUDED.category_code, name = EXCLUDED.name, place_id = coalesce(EXCLUDED.place_id, things.place_id),
        location = coalesce(EXCLUDED.location, things.location), state = EXCLUDED.state, attributes = things.attributes || EXCLUDED.attributes, updated_at = now()
     RETURNING id, (xmax = 0) AS inserted`,
    [t.cityCode, t.nodeCode, t.nodePath, t.kind, t.categoryCode, t.name, t.code, t.placeId, t.lng, t.lat, t.state, JSON.stringify(t.attributes)],
  );
  return row!;
}

export async function thingIdByCode(ex: Executor, cityCode: string, code: string): Promise<number | undefined> {
  return (await one<{ id: number }>(ex, `SELECT id FROM things WHERE city_code = $1 AND code = $2`, [cityCode, code]))?.id;
}

export async function updateThing(ex: Executor, id: number, t: ThingInput): Promise<void> {
  await ex.query(
    `UPDATE things SET node_code = $2, node_path = $3::ltree, kind = $4, category_code = $5, name = $6, code = $7, place_id = $8,
        location = CASE WHEN $9::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($9, $10), 4326) END, state = $11, attributes = $12, updated_at = now()
      WHERE id = $1`,
    [id, t.nodeCode, t.nodePath, t.kind, t.categoryCode, t.name, t.code, t.placeId, t.lng, t.lat, t.state, JSON.stringify(t.attributes)],
  );
}

export async function categoryExists(ex: Executor, code: string): Promise<boolean> {
  return !!(await one(ex, `SELECT 1 FROM categories WHERE code = $1`, [code]));
}

// --------------------------------------------------------------------- cases

export interface LinkedCaseRow {
  id: number;
  number: string;
  status: string;
  category_code: string;
  category_name: string | null;
  description: string;
  created_at: Date;
  closed_at: Date | null;
}

/** The cases pointing at a household, place or thing, newest first. */
export async function casesOf(ex: Executor, column: 'household_id' | 'place_id' | 'thing_id', id: number, limit = 100): Promise<LinkedCaseRow[]> {
  return ex.query<LinkedCaseRow>(
    `SELECT k.id, k.number, k.status, k.category_code, c.name_zh AS category_name, k.description, k.created_at, k.closed_at
       FROM cases k LEFT JOIN categories c ON c.code = k.category_code
      WHERE k.${column} = $1 ORDER BY k.created_at DESC LIMIT ${limit}`,
    [id],
  );
}

export async function tagKinds(ex: Executor) {
  return ex.query<{ code: string; name_zh: string; name_en: string; visit_every_days: number | null; sensitive: boolean }>(
    `SELECT code, name_zh, name_en, visit_every_days, sensitive FROM tag_kinds ORDER BY sort, code`,
  );
}

export async function setTagFrequency(ex: Executor, code: string, days: number | null): Promise<boolean> {
  const rows = await ex.query(`UPDATE tag_kinds SET visit_every_days = $2, updated_at = now() WHERE code = $1 RETURNING code`, [code, days]);
  return rows.length > 0;
}
