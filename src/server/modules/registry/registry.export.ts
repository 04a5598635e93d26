/**
 * Ledger export (台账导出): the same columns and Chinese headers the import
 * reads, so an exported file can be edited and imported again. ID numbers
 * and phones are masked unless the caller asks to reveal them, may reveal
 * them over the whole export, and gives a reason; such an export is logged as
 * a reveal. Rows are read in keyset pages and streamed out.
 */
import { PassThrough } from 'node:stream';
import type { Ctx } from '../../context.js';
import { AppError, fieldError } from '../../errors.js';
import { writeAudit } from '../../plugins/audit.js';
import { GENDERS, LEDGER_COLUMNS, PLACE_KINDS, RELATIONS, TAG_TABLE, THING_KINDS, THING_STATES, type LedgerKind } from '../../../domain/registry.js';
import { isWithin } from '../../../domain/tree.js';
import type { Permission } from '../../../domain/permissions.js';
import { holds, pathsWith, visibleTags, whereWith } from './registry.scope.js';
import * as repo from './registry.repository.js';
import { sheetWriter, type SheetFormat } from './registry.sheet.js';
import type { ExportQuery } from './registry.schemas.js';

const PAGE = 2000;
const READ: Record<LedgerKind, Permission> = { residents: 'household.read', places: 'place.read', things: 'place.read' };
const NAMES: Record<LedgerKind, string> = { residents: '人口台账', places: '场所台账', things: '部件台账' };

const zh = (table: Record<string, { zh: string }>, code: string | null) => (code ? table[code]?.zh ?? code : '');

export interface LedgerFile {
  filename: string;
  contentType: string;
  stream: PassThrough;
}

/**
 * Starts streaming a ledger. Throws NODE_NOT_FOUND (node filter), FORBIDDEN
 * (reveal without resident.reveal over the whole export), VALIDATION_FAILED
 * (reveal without a reason).
 */
export async function exportLedger(ctx: Pick<Ctx, 'db' | 'actor' | 'pd' | 'ip' | 'log'>, kind: LedgerKind, q: ExportQuery): Promise<LedgerFile> {
  const perm = READ[kind];
  const params: unknown[] = [];
  const alias = kind === 'residents' ? 'r' : kind === 'places' ? 'p' : 't';
  const conds = [whereWith(ctx.actor, perm, `${alias}.node_path`, params)];
  let nodePath: string | null = null;
  if (q.node) {
    const n = await repo.findNodeRef(ctx.db, q.node);
    const visible = n && (holds(ctx.actor, perm, n.path) || ctx.actor.grants.some((g) => isWithin(g.nodePath, n.path) && holds(ctx.actor, perm, g.nodePath)));
    if (!n || !visible) throw fieldError('node', 'no such node in your part of the tree', 'NODE_NOT_FOUND');
    nodePath = n.path;
    params.push(n.path);
    conds.push(`${alias}.node_path <@ $${params.length}::ltree`);
  }
  const reveal = !!q.reveal;
  if (reveal) {
    if (!q.reason) throw fieldError('reason', 'is required to export full ID numbers and phones');
    // Every part of the export must be one where the caller may reveal.
    const readTops = pathsWith(ctx.actor, perm).filter((p) => !nodePath || isWithin(p, nodePath) || isWithin(nodePath, p)).map((p) => (nodePath && isWithin(nodePath, p) ? nodePath : p));
    if (readTops.length === 0 || !readTops.every((p) => holds(ctx.actor, 'resident.reveal', p))) throw new AppError('FORBIDDEN', 'You may not reveal personal data over all of this export.');
    await ctx.db.transaction((trx) =>
      writeAudit(trx, {
        actorId: ctx.actor.userId, actorName: ctx.actor.name, ip: ctx.ip ?? null, action: 'resident.reveal', resource: 'registry', resourceId: kind, result: 'ok',
        detail: { reason: q.reason, export: kind, node: q.node ?? null },
      }),
    );
  }
  const format: SheetFormat = q.format ?? 'xlsx';
  const out = new PassThrough();
  const writer = sheetWriter(format, out, NAMES[kind], LEDGER_COLUMNS[kind].map((c) => (c.key === 'address' || c.key.endsWith('Residence') ? 30 : c.key === 'idNumber' ? 22 : 12)));
  const where = conds.join(' AND ');
  (async () => {
    try {
      await writer.write(LEDGER_COLUMNS[kind].map((c) => c.header));
      let after = 0;
      for (;;) {
        const rows = await page(ctx, kind, where, params, after, reveal);
        for (const row of rows.cells) await writer.write(row);
        if (rows.lastId === null) break;
        after = rows.lastId;
      }
      await writer.end();
    } catch (err) {
      ctx.log.error({ err }, 'ledger export failed');
      out.destroy(err as Error);
    }
  })();
  const stamp = new Date().toISOString().slice(0, 10);
  return {
    filename: `${NAMES[kind]}-${q.node ?? 'all'}-${stamp}.${format}`,
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    stream: out,
  };
}

async function page(ctx: Pick<Ctx, 'db' | 'actor' | 'pd'>, kind: LedgerKind, where: string, params: unknown[], after: number, reveal: boolean): Promise<{ cells: (string | number | null)[][]; lastId: number | null }> {
  const p = [...params, after];
  const afterParam = `$${p.length}`;
  const dec = (enc: string | null, masked: string | null) => (reveal && enc ? ctx.pd.decrypt(enc) : masked ?? '');
  if (kind === 'residents') {
    const rows = await ctx.db.query<{ id: number; node_code: string; node_path: string; address: string | null; building: string | null; unit: string | null; room: string | null; name: string; gender: string | null; birth_date: string | null; id_number_enc: string | null; id_number_masked: string | null; phone_enc: string | null; phone_masked: string | null; relation: string | null; registered_residence: string | null; actual_residence: string | null; tags: string[]; volunteer: boolean; lng: number | null; lat: number | null }>(
      `SELECT r.id, r.node_code, r.node_path::text AS node_path, h.address, h.building, h.unit, h.room, r.name, r.gender, to_char(r.birth_date, 'YYYY-MM-DD') AS birth_date,
              r.id_number_enc, r.id_number_masked, r.phone_enc, r.phone_masked, r.relation, r.registered_residence, r.actual_residence, r.tags, r.volunteer,
              ST_X(h.location) AS lng, ST_Y(h.location) AS lat
         FROM residents r LEFT JOIN households h ON h.id = r.household_id
        WHERE ${where} AND r.status = 'active' AND r.id > ${afterParam} ORDER BY r.id LIMIT ${PAGE}`,
      p,
    );
    return {
      lastId: rows.length === PAGE ? rows[rows.length - 1]!.id : null,
      cells: rows.map((r) => [
        r.node_code, r.address, r.building, r.unit, r.room, r.name, zh(GENDERS, r.gender), r.birth_date, dec(r.id_number_enc, r.id_number_masked), dec(r.phone_enc, r.phone_masked),
        zh(RELATIONS, r.relation), r.registered_residence, r.actual_residence, visibleTags(ctx.actor, r.node_path, r.tags).map((t) => TAG_TABLE[t]?.zh ?? t).join('、'),
        r.volunteer ? '是' : '否', r.lng, r.lat,
      ]),
    };
  }
  if (kind === 'places') {
    const rows = await ctx.db.query<{ id: number; node_code: string; kind: string; name: string; address: string | null; special_node_code: string | null; contact_name: string | null; phone_enc: string | null; phone_masked: string | null; lng: number | null; lat: number | null }>(
      `SELECT p.id, p.node_code, p.kind, p.name, p.address, p.special_node_code, p.contact_name, p.phone_enc, p.phone_masked, ST_X(p.location) AS lng, ST_Y(p.location) AS lat
         FROM places p WHERE ${where} AND p.id > ${afterParam} ORDER BY p.id LIMIT ${PAGE}`,
      p,
    );
    return {
      lastId: rows.length === PAGE ? rows[rows.length - 1]!.id : null,
      cells: rows.map((r) => [r.node_code, zh(PLACE_KINDS, r.kind), r.name, r.address, r.special_node_code, r.contact_name, dec(r.phone_enc, r.phone_masked), r.lng, r.lat]),
    };
  }
  const rows = await ctx.db.query<{ id: number; node_code: string; kind: string; name: string; code: string | null; category_code: string | null; state: string; lng: number | null; lat: number | null }>(
    `SELECT t.id, t.node_code, t.kind, t.name, t.code, t.category_code, t.state, ST_X(t.location) AS lng, ST_Y(t.location) AS lat
       FROM things t WHERE ${where} AND t.id > ${afterParam} ORDER BY t.id LIMIT ${PAGE}`,
    p,
  );
  return {
    lastId: rows.length === PAGE ? rows[rows.length - 1]!.id : null,
    cells: rows.map((r) => [r.node_code, zh(THING_KINDS, r.kind), r.name, r.code, r.category_code, zh(THING_STATES, r.state), r.lng, r.lat]),
  };
}
