import type { Executor } from '../../db/db.js';
import type { CaseStatus } from '../../../domain/case-lifecycle.js';

/** A case row as the services use it (snake_case as stored). */
export interface CaseRow {
  city_code: string;
  id: number;
  number: string;
  status: CaseStatus;
  suspended_from: CaseStatus | null;
  channel: string;
  reporter_id: string | null;
  reporter_name: string | null;
  reporter_phone_masked: string | null;
  reporter_phone_hash: string | null;
  partner_id: number | null;
  created_by: string | null;
  category_code: string;
  category_path: string;
  description: string;
  address: string | null;
  lng: number | null;
  lat: number | null;
  node_code: string | null;
  node_path: string | null;
  placed_by: string | null;
  urgent: boolean;
  handling_level: string | null;
  handler_type: 'department' | 'node_office' | 'grid_worker' | null;
  handler_node_code: string | null;
  handler_node_path: string | null;
  handler_department_id: number | null;
  route_entry_id: number | null;
  route: Record<string, unknown> | null;
  deadline_unit: string | null;
  accept_due_at: Date | null;
  sign_due_at: Date | null;
  handle_due_at: Date | null;
  clock_started_at: Date | null;
  yellow_at: Date | null;
  rating_due_at: Date | null;
  clock_colour: 'green' | 'yellow' | 'red';
  supervised_at: Date | null;
  auto_escalated_at: Date | null;
  pending_extension: { amount: number; unit: 'hours' | 'workdays'; reason: string; by: string; at: string } | null;
  pending_suspension: { reason: string; by: string; at: string } | null;
  suspended_at: Date | null;
  event_seq: number;
  reopen_count: number;
  rework_count: number;
  return_count: number;
  escalation_count: number;
  accepted_at: Date | null;
  responded_at: Date | null;
  dispatched_at: Date | null;
  signed_at: Date | null;
  /** When the sweep found the current assignment not signed for by sign_due_at (签收超时). */
  sign_overdue_at: Date | null;
  resolved_at: Date | null;
  resolved_level: string | null;
  resolved_on_time: boolean | null;
  rating: string | null;
  rating_comment: string | null;
  rated_at: Date | null;
  closed_at: Date | null;
  close_reason: string | null;
  merged_into_id: number | null;
  rejected_reason: string | null;
  attributes: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  /** Co-handlers: [{department_id, status}] */
  co: { department_id: number; status: 'pending' | 'reported' }[];
  followers: string[];
}

const CASE_SELECT = `SELECT c.city_code, c.id, c.number, c.status, c.suspended_from, c.channel, c.reporter_id, c.reporter_name,
  c.reporter_phone_masked, c.reporter_phone_hash, c.partner_id, c.created_by, c.category_code, c.category_path::text AS category_path,
  c.description, c.address, ST_X(c.location) AS lng, ST_Y(c.location) AS lat, c.node_code, c.node_path::text AS node_path, c.placed_by,
  c.urgent, c.handling_level, c.handler_type, c.handler_node_code, c.handler_node_path::text AS handler_node_path,
  c.handler_department_id, c.route_entry_id, c.route, c.deadline_unit, c.accept_due_at, c.sign_due_at, c.handle_due_at,
  c.clock_started_at, c.yellow_at, c.rating_due_at, c.clock_colour, c.supervised_at, c.auto_escalated_at, c.pending_extension, c.pending_suspension,
  c.suspended_at, c.event_seq, c.reopen_count, c.rework_count, c.return_count, c.escalation_count, c.accepted_at,
  c.responded_at, c.dispatched_at, c.signed_at, c.sign_overdue_at, c.resolved_at, c.resolved_level, c.resolved_on_time, c.rating,
  c.rating_comment, c.rated_at, c.closed_at, c.close_reason, c.merged_into_id, c.rejected_reason, c.attributes,
  c.created_at, c.updated_at,
  coalesce((SELECT json_agg(json_build_object('department_id', a.department_id, 'status', a.status) ORDER BY a.department_id)
     FROM case_assignments a WHERE a.city_code = c.city_code AND a.case_id = c.id), '[]'::json) AS co,
  coalesce((SELECT array_agg(f.user_id::text) FROM case_followers f WHERE f.case_id = c.id AND f.user_id IS NOT NULL), '{}') AS followers
  FROM cases c`;

export async function findCase(ex: Executor, id: number): Promise<CaseRow | undefined> {
  const rows = await ex.query<CaseRow>(`${CASE_SELECT} WHERE c.id = $1`, [id]);
  return rows[0];
}

export interface CaseDetailRow extends CaseRow {
  timeline: (Omit<EventRow, 'at'> & { at: string })[];
  photo_list: { sha256: string; mime: string; stage: string }[];
  co_list: { department_id: number; name: string; status: string; report: string | null; reported_at: string | null }[];
  category_zh: string | null;
  category_en: string | null;
  node_name: string | null;
  handler_node_name: string | null;
  department_name: string | null;
  path_names: string | null;
}

/** One case with everything its page shows, in one round trip. */
export async function findCaseDetail(ex: Executor, id: number): Promise<CaseDetailRow | undefined> {
  const rows = await ex.query<CaseDetailRow>(
    `SELECT x.*,
       coalesce((SELECT json_agg(json_build_object('seq', e.seq, 'at', e.at, 'actor_id', e.actor_id, 'actor_name', e.actor_name,
                  'actor_role', e.actor_role, 'actor_unit', e.actor_unit, 'action', e.action, 'from_status', e.from_status,
                  'to_status', e.to_status, 'note', e.note, 'photos', e.photos, 'clock', e.clock, 'data', e.data) ORDER BY e.seq)
           FROM case_events e WHERE e.city_code = x.city_code AND e.case_id = x.id), '[]'::json) AS timeline,
       coalesce((SELECT json_agg(json_build_object('sha256', p.sha256, 'mime', p.mime, 'stage', p.stage) ORDER BY p.id)
           FROM case_photos p WHERE p.city_code = x.city_code AND p.case_id = x.id), '[]'::json) AS photo_list,
       coalesce((SELECT json_agg(json_build_object('department_id', a.department_id, 'name', d.name, 'status', a.status,
                  'report', a.report, 'reported_at', a.reported_at) ORDER BY a.summoned_at)
           FROM case_assignments a JOIN departments d ON d.id = a.department_id
          WHERE a.city_code = x.city_code AND a.case_id = x.id), '[]'::json) AS co_list,
       k.name_zh AS category_zh, k.name_en AS category_en, n.name AS node_name, hn.name AS handler_node_name, d.name AS department_name,
       (SELECT string_agg(a.name, ' / ' ORDER BY a.depth) FROM nodes a WHERE a.path @> n.path AND a.depth >= 2) AS path_names
     FROM (${CASE_SELECT} WHERE c.id = $1) x
     LEFT JOIN categories k ON k.code = x.category_code
     LEFT JOIN nodes n ON n.code = x.node_code
     LEFT JOIN nodes hn ON hn.code = x.handler_node_code
     LEFT JOIN departments d ON d.id = x.handler_department_id`,
    [id],
  );
  return rows[0];
}

/** `createdBy` null: an anonymous report, whose key the caller has already made specific to the reporter's phone. */
export async function findByIdempotencyKey(ex: Executor, createdBy: string | null, key: string): Promise<CaseRow | undefined> {
  const rows = await ex.query<CaseRow>(`${CASE_SELECT} WHERE c.created_by IS NOT DISTINCT FROM $1::uuid AND c.idempotency_key = $2`, [createdBy, key]);
  return rows[0];
}

export interface NewCase {
  cityCode: string;
  status: CaseStatus;
  channel: string;
  reporterId: string | null;
  reporterName: string | null;
  reporterPhoneEnc: string | null;
  reporterPhoneHash: string | null;
  reporterPhoneMasked: string | null;
  partnerId: number | null;
  createdBy: string | null;
  categoryCode: string;
  description: string;
  address: string | null;
  lng: number | null;
  lat: number | null;
  nodeCode: string | null;
  nodePath: string | null;
  placedBy: string | null;
  urgent: boolean;
  handlingLevel: string | null;
  route: Record<string, unknown> | null;
  routeEntryId: number | null;
  deadlineUnit: string | null;
  acceptDueAt: Date | null;
  yellowAt: Date | null;
  ratingDueAt: Date | null;
  idempotencyKey: string | null;
  attributes: Record<string, unknown>;
  /** Extra columns for cases created already resolved (自处置). */
  resolved?: { level: string; handlerNodeCode: string; handlerNodePath: string } | null;
}

export interface ReportEvent {
  action: 'report' | 'self_resolve';
  from: CaseStatus | null;
  to: CaseStatus;
  note: string | null;
  photos: string[];
  data: Record<string, unknown> | null;
}

export interface ReportActor {
  ip?: string | null;
  actorId: string | null;
  actorName: string | null;
  actorRole: string | null;
  actorUnit: string | null;
}

/**
 * Inserts a case, its first timeline entries, its photos and its outbox
 * message in ONE statement (atomic without BEGIN/COMMIT round trips: intake is
 * the hottest write). The number is city code + China date + the id, so
 * numbering needs no shared counter row that every intake would queue on.
 * The outbox payload gets caseId and number added.
 */
/** The audit entry written with a new case: 'case.report' unless the channel names its own (a partner's request). */
export interface ReportAudit {
  action: string;
  statusCode: number;
  detail: Record<string, unknown> | null;
}

export async function insertReportedCase(
  ex: Executor,
  c: NewCase,
  actor: ReportActor,
  events: ReportEvent[],
  photos: { sha256: string; mime: string; bytes: number; stage: string }[],
  outbox: { topic: string; payload: Record<string, unknown> },
  audit: ReportAudit = { action: 'case.report', statusCode: 201, detail: null },
): Promise<{ id: number; number: string; created_at: Date }> {
  const rows = await ex.query<{ id: number; number: string; created_at: Date }>(
    `WITH next AS (SELECT nextval(pg_get_serial_sequence('cases', 'id')) AS id),
     c AS (
       INSERT INTO cases (city_code, id, number, status, channel, reporter_id, reporter_name, reporter_phone_enc, reporter_phone_hash,
          reporter_phone_masked, partner_id, created_by, category_code, category_path, description, address, location, node_code,
          node_path, placed_by, urgent, handling_level, route, route_entry_id, deadline_unit, accept_due_at, idempotency_key,
          attributes, event_seq, responded_at, resolved_at, resolved_level, resolved_on_time, handler_type, handler_node_code, handler_node_path,
          yellow_at, rating_due_at)
       SELECT $1, next.id, $1 || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || lpad(next.id::text, greatest(7, length(next.id::text)), '0'),
          $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, (SELECT path FROM categories WHERE code = $11), $12, $13,
          CASE WHEN $14::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($14, $15), 4326) END,
          $16, $17::ltree, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27,
          CASE WHEN $28::text IS NOT NULL THEN now() END,
          CASE WHEN $28::text IS NOT NULL THEN now() END, $28, CASE WHEN $28::text IS NOT NULL THEN true END,
          CASE WHEN $28::text IS NOT NULL THEN 'grid_worker' END, $29, $30::ltree, $31, $32
         FROM next
       RETURNING city_code, id, number, created_at),
     e AS (
       INSERT INTO case_events (city_code, case_id, seq, actor_id, actor_name, actor_role, actor_unit, action, from_status, to_status, note, photos, data)
       SELECT c.city_code, c.id, ev.seq::int, $33, $34, $35, $36, ev.action, ev.from_status, ev.to_status, ev.note, ev.photos::jsonb, ev.data::jsonb
         FROM c, unnest($37::int[], $38::text[], $39::text[], $40::text[], $41::text[], $42::text[], $43::text[])
              AS ev(seq, action, from_status, to_status, note, photos, data)),
     p AS (
       INSERT INTO case_photos (city_code, case_id, sha256, mime, bytes, stage, created_by)
       SELECT c.city_code, c.id, ph.sha256, ph.mime, ph.bytes::int, ph.stage, $33
         FROM c, unnest($44::text[], $45::text[], $46::int[], $47::text[]) AS ph(sha256, mime, bytes, stage)),
     o AS (
       INSERT INTO outbox (city_code, topic, payload)
       SELECT c.city_code, $48, $49::jsonb || jsonb_build_object('caseId', c.id, 'number', c.number) FROM c),
     a AS (
       INSERT INTO audit_log (city_code, actor_id, actor_name, ip, action, resource, resource_id, result, status_code, detail)
       SELECT c.city_code, $33, $34, $50, $51, 'cases', c.id::text, 'ok', $52, $53::jsonb FROM c)
     SELECT id, number, created_at FROM c`,
    [
      c.cityCode, c.status, c.channel, c.reporterId, c.reporterName, c.reporterPhoneEnc, c.reporterPhoneHash, c.reporterPhoneMasked,
      c.partnerId, c.createdBy, c.categoryCode, c.description, c.address, c.lng, c.lat, c.nodeCode, c.nodePath,
      c.placedBy, c.urgent, c.handlingLevel, c.route ? JSON.stringify(c.route) : null, c.routeEntryId, c.deadlineUnit, c.acceptDueAt,
      c.idempotencyKey, JSON.stringify(c.attributes), events.length, c.resolved?.level ?? null, c.resolved?.handlerNodeCode ?? null,
      c.resolved?.handlerNodePath ?? null, c.yellowAt, c.ratingDueAt,
      actor.actorId, actor.actorName, actor.actorRole, actor.actorUnit,
      events.map((_, i) => i + 1), events.map((e) => e.action), events.map((e) => e.from), events.map((e) => e.to),
      events.map((e) => e.note), events.map((e) => JSON.stringify(e.photos)), events.map((e) => (e.data ? JSON.stringify(e.data) : null)),
      photos.map((x) => x.sha256), photos.map((x) => x.mime), photos.map((x) => x.bytes), photos.map((x) => x.stage),
      outbox.topic, JSON.stringify(outbox.payload), actor.ip ?? null,
      audit.action, audit.statusCode, audit.detail ? JSON.stringify(audit.detail) : null,
    ],
  );
  return rows[0]!;
}

/**
 * Moves a case from `from` to `to` and applies `patch` (column → value; a
 * value `{ sql: '…' }` is an SQL expression) in one guarded UPDATE: the case
 * must still be in `from` AND at timeline entry `seq` — so two actions read
 * from the same state can never both apply, even ones that keep the state
 * (two approvals of one extension, a supervision by a person and by the sweep).
 * Returns the new event sequence number, or undefined when someone acted first.
 */
export async function moveStatus(
  ex: Executor,
  cityCode: string,
  id: number,
  from: CaseStatus,
  to: CaseStatus,
  patch: Record<string, unknown>,
  seq: number,
): Promise<number | undefined> {
  const params: unknown[] = [cityCode, id, from, to, seq];
  const sets = ['status = $4', 'event_seq = event_seq + 1', 'updated_at = now()'];
  for (const [col, v] of Object.entries(patch)) {
    if (!/^[a-z_]+$/.test(col)) throw new Error(`bad column ${col}`);
    if (v && typeof v === 'object' && 'sql' in (v as object)) {
      sets.push(`${col} = ${(v as { sql: string }).sql}`);
    } else {
      params.push(v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v);
      sets.push(`${col} = $${params.length}`);
    }
  }
  const rows = await ex.query<{ event_seq: number }>(
    `UPDATE cases SET ${sets.join(', ')} WHERE city_code = $1 AND id = $2 AND status = $3 AND event_seq = $5 RETURNING event_seq`,
    params,
  );
  return rows[0]?.event_seq;
}

export interface NewEvent {
  cityCode: string;
  caseId: number;
  seq: number;
  actorId: string | null;
  actorName: string | null;
  actorRole: string | null;
  actorUnit: string | null;
  action: string;
  from: CaseStatus | null;
  to: CaseStatus | null;
  note?: string | null;
  photos?: string[];
  clock?: Record<string, unknown> | null;
  data?: Record<string, unknown> | null;
}

/** Appends one timeline entry; the (case, seq) key makes a gap or a duplicate impossible to commit. */
export async function appendEvent(ex: Executor, e: NewEvent): Promise<void> {
  await ex.query(
    `INSERT INTO case_events (city_code, case_id, seq, actor_id, actor_name, actor_role, actor_unit, action, from_status, to_status, note, photos, clock, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      e.cityCode, e.caseId, e.seq, e.actorId, e.actorName, e.actorRole, e.actorUnit, e.action, e.from, e.to, e.note ?? null,
      JSON.stringify(e.photos ?? []), e.clock ? JSON.stringify(e.clock) : null, e.data ? JSON.stringify(e.data) : null,
    ],
  );
}

export async function linkPhotos(ex: Executor, cityCode: string, caseId: number, photos: { sha256: string; mime: string; bytes: number }[], stage: string, by: string | null): Promise<void> {
  for (const p of photos) {
    await ex.query(
      `INSERT INTO case_photos (city_code, case_id, sha256, mime, bytes, stage, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [cityCode, caseId, p.sha256, p.mime, p.bytes, stage, by],
    );
  }
}

export interface EventRow {
  seq: number;
  at: Date;
  actor_id: string | null;
  actor_name: string | null;
  actor_role: string | null;
  actor_unit: string | null;
  action: string;
  from_status: string | null;
  to_status: string | null;
  note: string | null;
  photos: string[];
  clock: Record<string, unknown> | null;
  data: Record<string, unknown> | null;
}

export async function timeline(ex: Executor, cityCode: string, caseId: number): Promise<EventRow[]> {
  return ex.query<EventRow>(
    `SELECT seq, at, actor_id, actor_name, actor_role, actor_unit, action, from_status, to_status, note, photos, clock, data
       FROM case_events WHERE city_code = $1 AND case_id = $2 ORDER BY seq`,
    [cityCode, caseId],
  );
}

/** Adds an outbox message in the caller's transaction; it is delivered after commit. */
export async function enqueue(ex: Executor, cityCode: string, topic: string, payload: Record<string, unknown>): Promise<void> {
  // No NOTIFY here: it takes a global lock at commit and would serialize intake. The worker polls,
  // and the service nudges the worker of its own process after commit.
  await ex.query(`INSERT INTO outbox (city_code, topic, payload) VALUES ($1, $2, $3)`, [cityCode, topic, JSON.stringify(payload)]);
}

/**
 * Users who act for a handling unit: staff of the department, or case workers
 * holding a role exactly at the handling node.
 */
export async function unitMembers(ex: Executor, unit: { type: string | null; departmentId: number | null; nodeCode: string | null }): Promise<string[]> {
  if (unit.type === 'department' && unit.departmentId) {
    const rows = await ex.query<{ user_id: string }>(
      `SELECT DISTINCT r.user_id FROM role_assignments r JOIN users u ON u.id = r.user_id
        WHERE r.department_id = $1 AND r.role = 'department_staff' AND u.status = 'active'`,
      [unit.departmentId],
    );
    return rows.map((r) => r.user_id);
  }
  if (!unit.nodeCode) return [];
  const roles = unit.type === 'grid_worker' ? ['grid_worker'] : ['grid_worker', 'grid_leader', 'community_secretary', 'street_officer'];
  const rows = await ex.query<{ user_id: string }>(
    `SELECT DISTINCT r.user_id FROM role_assignments r JOIN users u ON u.id = r.user_id
      WHERE r.node_code = $1 AND r.role = ANY($2::text[]) AND u.status = 'active'`,
    [unit.nodeCode, roles],
  );
  return rows.map((r) => r.user_id);
}

/** Users holding `roles` at the deepest nodes on `path` that have any (the nearest dispatchers, leaders…). */
export async function nearestHolders(ex: Executor, path: string, roles: string[]): Promise<string[]> {
  const rows = await ex.query<{ user_id: string }>(
    `WITH holders AS (
       SELECT r.user_id, nlevel(n.path) AS depth FROM role_assignments r JOIN nodes n ON n.code = r.node_code JOIN users u ON u.id = r.user_id
        WHERE n.path @> $1::ltree AND r.role = ANY($2::text[]) AND u.status = 'active')
     SELECT DISTINCT user_id FROM holders WHERE depth = (SELECT max(depth) FROM holders)`,
    [path, roles],
  );
  return rows.map((r) => r.user_id);
}
