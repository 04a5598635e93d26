/**
 * Ledger import (台账导入) of households+residents, places and things from
 * .xlsx or CSV with Chinese headers. Streaming: rows are read, checked and
 * written in batches (multi-row statements over unnest), so memory stays
 * flat. Every row is checked; rejected rows are reported ("第57行 身份证号
 * 校验位错误") and the others imported. The whole file is one transaction: a
 * file-level error (bad header, unreadable file, even half-way) leaves nothing
 * behind, and a dry run does all the work and rolls it back.
 * Re-import updates: residents are matched by the keyed hash of their ID
 * number (else by household and name), households by address, places by
 * kind+name+address, things by asset code.
 */
import type { Readable } from 'node:stream';
import type { Db, Executor, Transaction } from '../../db/db.js';
import { AppError } from '../../errors.js';
import { writeAudit } from '../../plugins/audit.js';
import type { PersonalData } from '../../lib/personal-data.js';
import type { Actor } from '../../../domain/permissions.js';
import { isGridLevel, type Level } from '../../../domain/tree.js';
import {
  addressKey, GENDERS, headerOf, LEDGER_COLUMNS, lookupCode, mapHeaders, parseDateCell, parseYesNo, placeKey, PLACE_KINDS, RELATIONS,
  splitList, TAG_TABLE, THING_KINDS, THING_STATES, type LedgerKind, type ThingKind,
} from '../../../domain/registry.js';
import { parseIdNumber, ID_NUMBER_PROBLEM_TEXT, maskId } from '../../../domain/id-number.js';
import { isMobilePhone, maskPhone } from '../../lib/personal-data.js';
import { fileError, readRows, type SheetRow } from './registry.sheet.js';
import { holds, pathsWith } from './registry.scope.js';
import * as repo from './registry.repository.js';

export interface RowProblem {
  row: number;
  column: string;
  reason: string;
  /** "第57行 身份证号 校验位错误" */
  message: string;
}

export interface ImportReport {
  kind: LedgerKind;
  dryRun: boolean;
  /** Data rows read (the header not counted). */
  rows: number;
  inserted: number;
  updated: number;
  rejected: number;
  /** Residents ledger: households created and matched by address. */
  households?: { inserted: number; matched: number };
  /** The first problems (at most MAX_PROBLEMS; `rejected` counts them all). */
  problems: RowProblem[];
  ms: number;
}

export interface ImportOptions {
  kind: LedgerKind;
  input: Readable;
  filename?: string;
  dryRun?: boolean;
  /** The grid for rows without a 网格编码 cell. */
  defaultNodeCode?: string;
  batchSize?: number;
  onProgress?: (rows: number) => void;
  ip?: string;
}

export const MAX_PROBLEMS = 1000;
const MASKED_ID = /^\d{3}\*+[\dX]{4}$/i;
const MASKED_PHONE = /^\d{3}\*{4}\d{4}$/;

class DryRunRollback extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}

/** A data row as text cells by column key. */
type Cells = Record<string, string>;

interface Grid {
  code: string;
  path: string;
  city_code: string;
}

/** Checks shared by every ledger: the grid of the row, cached per code. */
class RowChecker {
  private grids = new Map<string, Grid | string>();
  constructor(private readonly ex: Executor, private readonly actor: Actor) {}

  /** The grid or the reason it cannot be used. */
  async grid(code: string): Promise<Grid | string> {
    const cached = this.grids.get(code);
    if (cached) return cached;
    let result: Grid | string;
    if (!/^\d{15,19}$/.test(code)) result = '不是网格编码';
    else {
      const n = await repo.findNodeRef(this.ex, code);
      if (!n || !holds(this.actor, 'household.read', n.path) && !holds(this.actor, 'ledger.import', n.path)) result = '网格不存在或不在您的辖区';
      else if (!holds(this.actor, 'ledger.import', n.path)) result = '您无权向该网格导入';
      else if (n.status !== 'active') result = '网格已撤销';
      else if (!isGridLevel(n.level as Level)) result = '不是网格编码';
      else result = { code: n.code, path: n.path, city_code: n.city_code };
    }
    if (this.grids.size < 100_000) this.grids.set(code, result);
    return result;
  }
}

function problem(row: number, column: string, reason: string): RowProblem {
  return { row, column, reason, message: `第${row}行 ${column} ${reason}` };
}

function coords(c: Cells, kind: LedgerKind, errs: RowProblem[], line: number): [number | null, number | null] {
  const [x, y] = [c.lng?.trim() ?? '', c.lat?.trim() ?? ''];
  if (!x && !y) return [null, null];
  const [lng, lat] = [Number(x), Number(y)];
  if (!x || !y || !Number.isFinite(lng) || !Number.isFinite(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90) {
    errs.push(problem(line, headerOf(kind, x && Number.isFinite(lng) && lng >= -180 && lng <= 180 ? 'lat' : 'lng'), '经纬度无效'));
    return [null, null];
  }
  return [lng, lat];
}

function tooLong(kind: LedgerKind, c: Cells, limits: Record<string, number>, errs: RowProblem[], line: number) {
  for (const [k, max] of Object.entries(limits)) if ((c[k]?.length ?? 0) > max) errs.push(problem(line, headerOf(kind, k), `超过${max}个字`));
}

const nz = (s: string | undefined) => (s && s.trim() !== '' ? s.trim() : null);

// ------------------------------------------------------------------ residents

interface ResidentValue {
  line: number;
  grid: Grid;
  address: string;
  building: string | null;
  unit: string | null;
  room: string | null;
  addressKey: string;
  lng: number | null;
  lat: number | null;
  name: string;
  gender: string | null;
  birthDate: string | null;
  id: { enc: string; hash: string; masked: string } | null;
  phone: { enc: string; hash: string; masked: string } | null;
  relation: string | null;
  registeredResidence: string | null;
  actualResidence: string | null;
  tags: string[];
  volunteer: boolean;
}

async function checkResidentRow(pd: PersonalData, checker: RowChecker, line: number, c: Cells, defaultNode: string | undefined, errs: RowProblem[]): Promise<ResidentValue | null> {
  const k: LedgerKind = 'residents';
  const before = errs.length;
  for (const col of LEDGER_COLUMNS.residents) if (col.required && !nz(c[col.key])) errs.push(problem(line, col.header, '不能为空'));
  tooLong(k, c, { address: 200, building: 40, unit: 40, room: 40, name: 50, registeredResidence: 200, actualResidence: 200 }, errs, line);
  const nodeCode = nz(c.nodeCode) ?? defaultNode;
  let grid: Grid | null = null;
  if (!nodeCode) errs.push(problem(line, headerOf(k, 'nodeCode'), '不能为空（或在导入时指定网格）'));
  else {
    const g = await checker.grid(nodeCode);
    if (typeof g === 'string') errs.push(problem(line, headerOf(k, 'nodeCode'), g));
    else grid = g;
  }
  let gender: string | null = null;
  if (nz(c.gender)) {
    gender = lookupCode(GENDERS, c.gender!) ?? null;
    if (!gender) errs.push(problem(line, headerOf(k, 'gender'), '应为男或女'));
  }
  let birthDate: string | null = null;
  if (nz(c.birthDate)) {
    birthDate = parseDateCell(c.birthDate!) ?? null;
    if (!birthDate) errs.push(problem(line, headerOf(k, 'birthDate'), '日期格式错误'));
  }
  let id: ResidentValue['id'] = null;
  const rawId = nz(c.idNumber);
  // A masked number (from an export) means "unchanged": the row is matched by household and name.
  if (rawId && !MASKED_ID.test(rawId)) {
    const r = parseIdNumber(rawId);
    if (!r.ok) errs.push(problem(line, headerOf(k, 'idNumber'), ID_NUMBER_PROBLEM_TEXT[r.problem].zh));
    else {
      if (birthDate && birthDate !== r.info.birthDate) errs.push(problem(line, headerOf(k, 'birthDate'), '与身份证号不符'));
      if (gender && gender !== r.info.gender) errs.push(problem(line, headerOf(k, 'gender'), '与身份证号不符'));
      birthDate = r.info.birthDate;
      gender = r.info.gender;
      const n = r.info.normalised;
      id = { enc: pd.encrypt(n), hash: pd.hash(n), masked: maskId(n) };
    }
  }
  let phone: ResidentValue['phone'] = null;
  const rawPhone = nz(c.phone)?.replace(/[\s-]/g, '');
  if (rawPhone && !MASKED_PHONE.test(rawPhone)) {
    if (!isMobilePhone(rawPhone)) errs.push(problem(line, headerOf(k, 'phone'), '手机号格式错误'));
    else phone = { enc: pd.encrypt(rawPhone), hash: pd.hash(rawPhone), masked: maskPhone(rawPhone) };
  }
  let relation: string | null = null;
  if (nz(c.relation)) {
    relation = lookupCode(RELATIONS, c.relation!) ?? null;
    if (!relation) errs.push(problem(line, headerOf(k, 'relation'), `无法识别：${c.relation!.trim()}`));
  }
  const tags: string[] = [];
  for (const t of splitList(c.tags ?? '')) {
    const code = lookupCode(TAG_TABLE, t);
    if (!code) errs.push(problem(line, headerOf(k, 'tags'), `无法识别：${t}`));
    else if (!tags.includes(code)) tags.push(code);
  }
  const volunteer = parseYesNo(c.volunteer ?? '');
  if (volunteer === undefined) errs.push(problem(line, headerOf(k, 'volunteer'), '应为是或否'));
  const [lng, lat] = coords(c, k, errs, line);
  if (errs.length > before || !grid) return null;
  const [building, unit, room] = [nz(c.building), nz(c.unit), nz(c.room)];
  return {
    line, grid, address: c.address!.trim(), building, unit, room, addressKey: addressKey(c.address!, building, unit, room), lng, lat,
    name: c.name!.trim(), gender, birthDate, id, phone, relation, registeredResidence: nz(c.registeredResidence), actualResidence: nz(c.actualResidence),
    tags, volunteer: volunteer ?? false,
  };
}

interface Counters {
  inserted: number;
  updated: number;
  householdsInserted: number;
  householdsMatched: number;
}

/**
 * Writes one batch of checked resident rows: households by address (created
 * or matched), then residents matched by ID-number hash or by household and
 * name, updated or inserted in multi-row statements. Rows that conflict with
 * records outside the importer's part of the tree, or repeat a person already
 * imported from this file, are rejected.
 */
async function flushResidents(trx: Transaction, actor: Actor, batch: ResidentValue[], scope: string[] | null, c: Counters, reject: (p: RowProblem) => void): Promise<void> {
  if (batch.length === 0) return;
  // 1. Households, one per address key.
  const byKey = new Map<string, ResidentValue>();
  for (const r of batch) if (!byKey.has(`${r.grid.city_code}|${r.addressKey}`)) byKey.set(`${r.grid.city_code}|${r.addressKey}`, r);
  const hs = [...byKey.values()];
  const scopeSql = scope ? `WHERE households.node_path <@ $11::ltree[]` : '';
  const hRows = await trx.query<{ id: number; city_code: string; address_key: string; node_code: string; node_path: string; inserted: boolean }>(
    `INSERT INTO households (city_code, node_code, node_path, address, building, unit, room, address_key, location)
     SELECT x.c, x.n, x.p::ltree, x.a, x.b, x.u, x.r, x.k, CASE WHEN x.lng IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326) END
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::float8[], $10::float8[]) AS x(c, n, p, a, b, u, r, k, lng, lat)
     ON CONFLICT (city_code, address_key) WHERE status = 'active'
     DO UPDATE SET location = coalesce(EXCLUDED.location, households.location), updated_at = now() ${scopeSql}
     RETURNING id, city_code, address_key, node_code, node_path::text AS node_path, (xmax = 0) AS inserted`,
    [
      hs.map((r) => r.grid.city_code), hs.map((r) => r.grid.code), hs.map((r) => r.grid.path), hs.map((r) => r.address), hs.map((r) => r.building),
      hs.map((r) => r.unit), hs.map((r) => r.room), hs.map((r) => r.addressKey), hs.map((r) => r.lng), hs.map((r) => r.lat), ...(scope ? [scope] : []),
    ],
  );
  const household = new Map<string, { id: number; node_code: string; node_path: string }>();
  for (const h of hRows) {
    household.set(`${h.city_code}|${h.address_key}`, h);
    if (h.inserted) c.householdsInserted++;
    else c.householdsMatched++;
  }

  // 2. Existing residents: by ID hash, else by (household, name) among those without an ID number.
  const rows: (ResidentValue & { hh: { id: number; node_code: string; node_path: string } })[] = [];
  const seenHash = new Map<string, number>();
  for (const r of batch) {
    const hh = household.get(`${r.grid.city_code}|${r.addressKey}`);
    if (!hh) {
      reject(problem(r.line, '地址', '该地址的住户登记在您辖区以外，请联系上级核实'));
      continue;
    }
    if (r.id) {
      const first = seenHash.get(r.id.hash);
      if (first !== undefined) {
        reject(problem(r.line, '身份证号', `与第${first}行重复`));
        continue;
      }
      seenHash.set(r.id.hash, r.line);
    }
    rows.push({ ...r, hh });
  }
  const withId = rows.filter((r) => r.id);
  const existingById = new Map<string, { id: number; household_id: number | null; node_code: string; node_path: string; touched: boolean }>();
  if (withId.length) {
    // One indexed probe per city (= ANY on the unique (city_code, id_number_hash) index).
    const byCity = new Map<string, string[]>();
    for (const r of withId) byCity.set(r.grid.city_code, [...(byCity.get(r.grid.city_code) ?? []), r.id!.hash]);
    for (const [city, hashes] of byCity) {
      const found = await trx.query<{ id: number; id_number_hash: string; household_id: number | null; node_code: string; node_path: string; touched: boolean }>(
        `SELECT r.id, r.id_number_hash, r.household_id, r.node_code, r.node_path::text AS node_path, (r.updated_at = now()) AS touched
           FROM residents r WHERE r.city_code = $1 AND r.id_number_hash = ANY($2::text[])`,
        [city, hashes],
      );
      for (const f of found) existingById.set(f.id_number_hash, f);
    }
  }
  const noId = rows.filter((r) => !r.id);
  const existingByName = new Map<string, { id: number; touched: boolean }>();
  if (noId.length) {
    const found = await trx.query<{ id: number; household_id: number; name: string; touched: boolean }>(
      `SELECT DISTINCT ON (r.household_id, r.name) r.id, r.household_id, r.name, (r.updated_at = now()) AS touched
         FROM residents r WHERE r.household_id = ANY($1::bigint[]) AND r.name = ANY($2::text[]) ORDER BY r.household_id, r.name, r.id_number_hash NULLS FIRST, r.id`,
      [[...new Set(noId.map((r) => r.hh.id))], [...new Set(noId.map((r) => r.name))]],
    );
    for (const f of found) existingByName.set(`${f.household_id}|${f.name}`, f);
  }

  const inserts: typeof rows = [];
  const updates: (typeof rows[number] & { existingId: number; move: { from: number | null; fromNode: string } | null })[] = [];
  const seenName = new Set<string>();
  for (const r of rows) {
    if (r.id) {
      const e = existingById.get(r.id.hash);
      if (!e) inserts.push(r);
      else if (e.touched) reject(problem(r.line, '身份证号', '与本文件中前面的行重复'));
      else if (!holds(actor, 'household.read', e.node_path)) reject(problem(r.line, '身份证号', '此人已在其他辖区登记，请联系上级核实'));
      else updates.push({ ...r, existingId: e.id, move: e.household_id !== r.hh.id ? { from: e.household_id, fromNode: e.node_code } : null });
    } else {
      const key = `${r.hh.id}|${r.name}`;
      const e = existingByName.get(key);
      if (seenName.has(key) || e?.touched) reject(problem(r.line, '姓名', '同一住户中与本文件前面的行重复（无身份证号时按住户和姓名匹配）'));
      else if (e) updates.push({ ...r, existingId: e.id, move: null });
      else inserts.push(r);
      seenName.add(key);
    }
  }

  // 3. Multi-row writes. Personal data goes in sealed; tags as comma-joined codes.
  if (inserts.length) {
    await trx.query(
      `INSERT INTO residents (city_code, household_id, node_code, node_path, name, gender, birth_date, id_number_enc, id_number_hash, id_number_masked,
          phone_enc, phone_hash, phone_masked, relation, registered_residence, actual_residence, tags, volunteer)
       SELECT x.c, x.hh, x.n, x.p::ltree, x.name, x.g, x.bd::date, x.ie, x.ih, x.im, x.pe, x.ph, x.pm, x.rel, x.reg, x.act,
              CASE WHEN x.tags = '' THEN '{}'::text[] ELSE string_to_array(x.tags, ',') END, x.vol
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                     $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::boolean[])
           AS x(c, hh, n, p, name, g, bd, ie, ih, im, pe, ph, pm, rel, reg, act, tags, vol)`,
      residentArrays(inserts),
    );
    c.inserted += inserts.length;
  }
  if (updates.length) {
    await trx.query(
      `UPDATE residents r SET household_id = x.hh, node_code = x.n, node_path = x.p::ltree, name = x.name, gender = coalesce(x.g, r.gender),
          birth_date = coalesce(x.bd::date, r.birth_date),
          id_number_enc = coalesce(x.ie, r.id_number_enc), id_number_hash = coalesce(x.ih, r.id_number_hash), id_number_masked = coalesce(x.im, r.id_number_masked),
          phone_enc = coalesce(x.pe, r.phone_enc), phone_hash = coalesce(x.ph, r.phone_hash), phone_masked = coalesce(x.pm, r.phone_masked),
          relation = coalesce(x.rel, r.relation), registered_residence = coalesce(x.reg, r.registered_residence), actual_residence = coalesce(x.act, r.actual_residence),
          tags = CASE WHEN x.tags = '' THEN r.tags ELSE string_to_array(x.tags, ',') END, volunteer = x.vol, status = 'active', updated_at = now()
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                     $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::boolean[], $19::bigint[])
           AS x(c, hh, n, p, name, g, bd, ie, ih, im, pe, ph, pm, rel, reg, act, tags, vol, id)
        WHERE r.id = x.id`,
      [...residentArrays(updates), updates.map((u) => u.existingId)],
    );
    const moves = updates.filter((u) => u.move);
    if (moves.length) {
      await trx.query(
        `INSERT INTO resident_moves (city_code, resident_id, from_household_id, to_household_id, from_node_code, to_node_code, by, note)
         SELECT x.c, x.id, x.fh, x.th, x.fn, x.tn, $7::uuid, '台账导入' FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[]) AS x(c, id, fh, th, fn, tn)`,
        [
          moves.map((m) => m.grid.city_code), moves.map((m) => m.existingId), moves.map((m) => m.move!.from), moves.map((m) => m.hh.id),
          moves.map((m) => m.move!.fromNode), moves.map((m) => m.hh.node_code), uuidOrNull(actor.userId),
        ],
      );
    }
    c.updated += updates.length;
  }
}

function residentArrays(rs: (ResidentValue & { hh: { id: number; node_code: string; node_path: string } })[]): unknown[] {
  return [
    rs.map((r) => r.grid.city_code), rs.map((r) => r.hh.id), rs.map((r) => r.hh.node_code), rs.map((r) => r.hh.node_path), rs.map((r) => r.name),
    rs.map((r) => r.gender), rs.map((r) => r.birthDate), rs.map((r) => r.id?.enc ?? null), rs.map((r) => r.id?.hash ?? null), rs.map((r) => r.id?.masked ?? null),
    rs.map((r) => r.phone?.enc ?? null), rs.map((r) => r.phone?.hash ?? null), rs.map((r) => r.phone?.masked ?? null), rs.map((r) => r.relation),
    rs.map((r) => r.registeredResidence), rs.map((r) => r.actualResidence), rs.map((r) => r.tags.join(',')), rs.map((r) => r.volunteer),
  ];
}

const uuidOrNull = (s: string | null | undefined) => (s && /^[0-9a-f-]{36}$/i.test(s) ? s : null);

// ----------------------------------------------------------- places, things

async function importPlaceRow(trx: Transaction, pd: PersonalData, actor: Actor, checker: RowChecker, line: number, c: Cells, defaultNode: string | undefined, counters: Counters, errs: RowProblem[]) {
  const k: LedgerKind = 'places';
  const before = errs.length;
  for (const col of LEDGER_COLUMNS.places) if (col.required && !nz(c[col.key])) errs.push(problem(line, col.header, '不能为空'));
  tooLong(k, c, { name: 100, address: 200, contactName: 50 }, errs, line);
  const nodeCode = nz(c.nodeCode) ?? defaultNode;
  const g = nodeCode ? await checker.grid(nodeCode) : '不能为空（或在导入时指定网格）';
  if (typeof g === 'string') errs.push(problem(line, headerOf(k, 'nodeCode'), g));
  const kind = nz(c.kind) ? lookupCode(PLACE_KINDS, c.kind!) : undefined;
  if (nz(c.kind) && !kind) errs.push(problem(line, headerOf(k, 'kind'), `无法识别：${c.kind!.trim()}`));
  let special: string | null = null;
  if (nz(c.specialNodeCode)) {
    const s = await repo.findNodeRef(trx, c.specialNodeCode!.trim());
    if (!s) errs.push(problem(line, headerOf(k, 'specialNodeCode'), '网格不存在'));
    else special = s.code;
  }
  const rawPhone = nz(c.phone)?.replace(/\s/g, '');
  const phoneOk = !rawPhone || MASKED_PHONE.test(rawPhone) || /^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$/.test(rawPhone);
  if (!phoneOk) errs.push(problem(line, headerOf(k, 'phone'), '电话格式错误'));
  const [lng, lat] = coords(c, k, errs, line);
  if (errs.length > before || typeof g === 'string' || !kind) return;
  const matchKey = placeKey(kind, c.name!, c.address);
  const existing = await trx.query<{ id: number; node_path: string; updated: boolean; phone_enc: string | null; phone_hash: string | null; phone_masked: string | null }>(
    `SELECT id, node_path::text AS node_path, updated_at = now() AS updated, phone_enc, phone_hash, phone_masked FROM places WHERE city_code = $1 AND match_key = $2`,
    [g.city_code, matchKey],
  );
  const e = existing[0];
  if (e && !holds(actor, 'place.read', e.node_path)) return void errs.push(problem(line, headerOf(k, 'name'), '该场所登记在您辖区以外，请联系上级核实'));
  if (e?.updated) return void errs.push(problem(line, headerOf(k, 'name'), '与本文件中前面的行重复'));
  const phone = rawPhone && !MASKED_PHONE.test(rawPhone) ? { enc: pd.encrypt(rawPhone), hash: pd.hash(rawPhone), masked: maskPhone(rawPhone) } : null;
  const r = await repo.upsertPlace(trx, {
    cityCode: g.city_code, nodeCode: g.code, nodePath: g.path, kind, name: c.name!.trim(), address: nz(c.address), matchKey, lng, lat, specialNodeCode: special,
    contactName: nz(c.contactName), phoneEnc: phone?.enc ?? e?.phone_enc ?? null, phoneHash: phone?.hash ?? e?.phone_hash ?? null, phoneMasked: phone?.masked ?? e?.phone_masked ?? null,
    attributes: {}, status: 'active',
  });
  if (r.inserted) counters.inserted++;
  else counters.updated++;
}

async function importThingRow(trx: Transaction, actor: Actor, checker: RowChecker, categories: Set<string>, line: number, c: Cells, defaultNode: string | undefined, counters: Counters, errs: RowProblem[]) {
  const k: LedgerKind = 'things';
  const before = errs.length;
  for (const col of LEDGER_COLUMNS.things) if (col.required && !nz(c[col.key])) errs.push(problem(line, col.header, '不能为空'));
  tooLong(k, c, { name: 100, code: 60 }, errs, line);
  const nodeCode = nz(c.nodeCode) ?? defaultNode;
  const g = nodeCode ? await checker.grid(nodeCode) : '不能为空（或在导入时指定网格）';
  if (typeof g === 'string') errs.push(problem(line, headerOf(k, 'nodeCode'), g));
  const kind = nz(c.kind) ? (lookupCode(THING_KINDS, c.kind!) as ThingKind | undefined) : undefined;
  if (nz(c.kind) && !kind) errs.push(problem(line, headerOf(k, 'kind'), `无法识别：${c.kind!.trim()}`));
  const state = nz(c.state) ? lookupCode(THING_STATES, c.state!) : 'normal';
  if (!state) errs.push(problem(line, headerOf(k, 'state'), `无法识别：${c.state!.trim()}`));
  const category = nz(c.categoryCode) ?? (kind ? THING_KINDS[kind].category : null);
  if (category && !categories.has(category)) errs.push(problem(line, headerOf(k, 'categoryCode'), '事件分类不存在'));
  const [lng, lat] = coords(c, k, errs, line);
  if (errs.length > before || typeof g === 'string' || !kind || !state) return;
  const code = nz(c.code);
  if (code) {
    const [e] = await trx.query<{ node_path: string; updated: boolean }>(`SELECT node_path::text AS node_path, updated_at = now() AS updated FROM things WHERE city_code = $1 AND code = $2`, [g.city_code, code]);
    if (e && !holds(actor, 'place.read', e.node_path)) return void errs.push(problem(line, headerOf(k, 'code'), '该编号的部件登记在您辖区以外，请联系上级核实'));
    if (e?.updated) return void errs.push(problem(line, headerOf(k, 'code'), '与本文件中前面的行重复'));
  }
  const r = await repo.upsertThing(trx, {
    cityCode: g.city_code, nodeCode: g.code, nodePath: g.path, kind, categoryCode: category, name: c.name!.trim(), code, placeId: null, lng, lat, state, attributes: {},
  });
  if (r.inserted) counters.inserted++;
  else counters.updated++;
}

// ---------------------------------------------------------------- the import

/**
 * Imports one ledger file. File-level errors (unreadable file, missing or
 * repeated headers, no data rows) throw 400/415 and leave nothing behind.
 */
export async function importLedger(db: Db, pd: PersonalData, actor: Actor, opts: ImportOptions): Promise<ImportReport> {
  const started = Date.now();
  const kind = opts.kind;
  const batchSize = opts.batchSize ?? 1000;
  if (opts.defaultNodeCode) {
    const n = await repo.findNodeRef(db, opts.defaultNodeCode);
    if (!n || !holds(actor, 'household.read', n.path) && !holds(actor, 'ledger.import', n.path)) throw new AppError('NODE_NOT_FOUND', 'No such grid in your part of the tree.', [{ field: 'nodeCode', reason: 'no such grid in your part of the tree' }]);
    if (!holds(actor, 'ledger.import', n.path)) throw new AppError('FORBIDDEN', `You may not import into ${n.code}.`);
    if (!isGridLevel(n.level as Level)) throw new AppError('VALIDATION_FAILED', 'nodeCode: must be a grid', [{ field: 'nodeCode', reason: 'must be a grid' }]);
  }
  const importScope = pathsWith(actor, 'ledger.import');
  const scope = importScope.includes('') ? null : pathsWith(actor, 'household.read');
  const report: ImportReport = { kind, dryRun: !!opts.dryRun, rows: 0, inserted: 0, updated: 0, rejected: 0, problems: [], ms: 0, ...(kind === 'residents' ? { households: { inserted: 0, matched: 0 } } : {}) };
  const reject = (p: RowProblem) => {
    report.rejected++;
    if (report.problems.length < MAX_PROBLEMS) report.problems.push(p);
  };
  const counters: Counters = { inserted: 0, updated: 0, householdsInserted: 0, householdsMatched: 0 };
  try {
    await db.transaction(async (trx) => {
      const checker = new RowChecker(trx, actor);
      const categories = kind === 'things' ? new Set((await trx.query<{ code: string }>('SELECT code FROM categories')).map((r) => r.code)) : new Set<string>();
      let keys: (string | null)[] | null = null;
      let batch: ResidentValue[] = [];
      let pending: Promise<void> = Promise.resolve();
      let failed: unknown = null;
      // A file-level error half-way waits for the batch in flight, then rolls everything back.
      try {
        for await (const row of readRows(opts.input, opts.filename) as AsyncGenerator<SheetRow>) {
          if (!keys) {
            const m = mapHeaders(kind, row.cells);
            if (m.missing.length) throw fileError(`缺少必填列：${m.missing.join('、')}（第${row.line}行应为表头，请使用导出的台账或模板）`);
            if (m.duplicated.length) throw fileError(`表头重复：${m.duplicated.join('、')}`);
            keys = m.keys;
            continue;
          }
          report.rows++;
          const cells: Cells = {};
          keys.forEach((k, i) => {
            if (k) cells[k] = row.cells[i] ?? '';
          });
          const errs: RowProblem[] = [];
          if (kind === 'residents') {
            const v = await checkResidentRow(pd, checker, row.line, cells, opts.defaultNodeCode, errs);
            if (v) batch.push(v);
            if (batch.length >= batchSize) {
              // The database writes one batch while the next is read and sealed; batches still apply in order.
              await pending;
              if (failed) throw failed;
              const full = batch;
              batch = [];
              pending = flushResidents(trx, actor, full, scope, counters, reject).catch((err: unknown) => {
                failed = err;
              });
            }
          } else if (kind === 'places') {
            await importPlaceRow(trx, pd, actor, checker, row.line, cells, opts.defaultNodeCode, counters, errs);
          } else {
            await importThingRow(trx, actor, checker, categories, row.line, cells, opts.defaultNodeCode, counters, errs);
          }
          // One report line per row: the first problem names the column; the rest follow it.
          if (errs.length) {
            const first = errs[0]!;
            reject(errs.length === 1 ? first : { ...first, reason: errs.map((e) => `${e.column} ${e.reason}`).join('；'), message: errs.map((e) => e.message).join('；') });
          }
          if (opts.onProgress && report.rows % 1000 === 0) opts.onProgress(report.rows);
        }
      } catch (err) {
        await pending;
        throw err;
      }
      await pending;
      if (failed) throw failed;
      if (!keys) throw fileError('文件中没有表头');
      if (report.rows === 0) throw fileError('文件中没有数据行');
      await flushResidents(trx, actor, batch, scope, counters, reject);
      report.problems.sort((a, b) => a.row - b.row);
      Object.assign(report, { inserted: counters.inserted, updated: counters.updated, ms: Date.now() - started });
      if (report.households) report.households = { inserted: counters.householdsInserted, matched: counters.householdsMatched };
      await writeAudit(trx, {
        actorId: uuidOrNull(actor.userId), actorName: actor.name, ip: opts.ip ?? null, action: 'ledger.import', resource: 'registry', resourceId: kind, result: 'ok',
        detail: { kind, filename: opts.filename ?? null, rows: report.rows, inserted: report.inserted, updated: report.updated, rejected: report.rejected, dryRun: report.dryRun },
      });
      if (opts.dryRun) throw new DryRunRollback(report);
    });
  } catch (err) {
    if (err instanceof DryRunRollback) return err.report;
    throw err;
  }
  opts.onProgress?.(report.rows);
  return report;
}
