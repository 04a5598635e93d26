/**
 * Intake (受理前的上报): every channel — resident app and H5, hotline operator,
 * grid worker on patrol, partner systems, bulk import — comes through
 * `createCase`: validate, place the case in its grid, route it by the
 * responsibility list, then write the case, its first timeline entry and its
 * outbox message in one transaction.
 */
import type { Ctx } from '../../context.js';
import type { Executor, Transaction } from '../../db/db.js';
import { AppError, fieldError } from '../../errors.js';
import { coordinateProblem, toWgs84, type Crs } from '../../../domain/geo.js';
import { cityCodeOf, isGridLevel, isWithin } from '../../../domain/tree.js';
import { can } from '../../../domain/permissions.js';
import { maskPhone } from '../../lib/personal-data.js';
import { isStoredPhoto, MAX_PHOTOS_PER_ACTION, photoPath, sniffImage } from '../../lib/photos.js';
import { locatePoint } from '../locate/locate.repository.js';
import { loadCalendar, routeFor } from '../responsibility/responsibility.service.js';
import * as repo from './cases.repository.js';
import { nudgeOutbox } from './outbox-signal.js';
import { readFileSync, statSync } from 'node:fs';

export const INTAKE_CHANNELS = ['resident_app', 'h5', 'hotline', 'patrol', 'console', 'station', 'linkage', 'partner', 'import'] as const;
export type Channel = (typeof INTAKE_CHANNELS)[number];

export interface IntakeInput {
  channel: Channel;
  categoryCode: string;
  description: string;
  location?: { lng: number; lat: number; crs?: Crs };
  address?: string;
  /** A node chosen by the operator (dispatcher, hotline) when there is no location. */
  nodeCode?: string;
  reporter?: { name?: string; phone?: string };
  urgent?: boolean;
  photos?: string[];
  attributes?: Record<string, unknown>;
  /** 自处置: the grid worker solved it on the spot. */
  selfResolved?: { result: string; photos?: string[] };
  partnerId?: number;
}

/** What a channel that creates a case on behalf of something else needs written with it. */
export interface IntakeOptions {
  /**
   * Writes that must commit with the case or not at all (the visit, patrol
   * finding or help request that the case comes from, pointing at it): run in
   * the case's transaction right after its insert. A throw rolls back both.
   * Without it the case is one statement, no transaction opened.
   */
  link?: (trx: Transaction, c: { id: number; number: string; cityCode: string }) => Promise<void>;
  /** The audit entry the case's statement writes instead of 'case.report' (a partner's request with its key). */
  audit?: { action: string; statusCode?: number; detail?: Record<string, unknown> };
}

/** The actor of an anonymous report (匿名上报): no account, no grants; placed by location or address only. */
export const ANONYMOUS_REPORTER = { userId: '', name: '匿名群众', grants: [] } as const;

export interface Placement {
  nodeCode: string;
  nodePath: string;
  level: string;
  placedBy: 'location' | 'address' | 'reporter' | 'dispatcher' | 'given';
}

/** Photo references (SHA-256 of an upload) checked and described. */
export function resolvePhotos(uploadDir: string, hashes: string[] | undefined, field: string): { sha256: string; mime: string; bytes: number }[] {
  if (!hashes?.length) return [];
  if (hashes.length > MAX_PHOTOS_PER_ACTION) throw fieldError(field, `at most ${MAX_PHOTOS_PER_ACTION} photos`);
  return hashes.map((h, i) => {
    if (!isStoredPhoto(uploadDir, h)) throw fieldError(`${field}.${i}`, 'no uploaded photo with this id (upload it to /api/cases/photos first)');
    const file = photoPath(uploadDir, h);
    const head = readFileSync(file).subarray(0, 16);
    return { sha256: h, mime: sniffImage(head) ?? 'image/jpeg', bytes: statSync(file).size };
  });
}

/**
 * Where the case lies: the grid containing its location; else a node whose
 * name the address mentions; else the reporter's registered node; else the
 * node the operator chose; else the operator's own area, waiting for the
 * dispatcher to place it.
 */
export async function placeCase(ex: Executor, ctx: Ctx, input: IntakeInput): Promise<Placement & { lng: number | null; lat: number | null }> {
  let lng: number | null = null;
  let lat: number | null = null;
  if (input.location) {
    const bad = coordinateProblem(input.location.lng, input.location.lat);
    if (bad) throw fieldError(`location.${bad.field}`, bad.reason, 'COORDINATES_OUT_OF_RANGE');
    const p = toWgs84(input.location, input.location.crs ?? 'wgs84');
    lng = p.lng;
    lat = p.lat;
    const hit = await locatePoint(ex, lng, lat);
    if (hit) {
      const path = hit.path.map((x) => x.code).join('.');
      return { nodeCode: hit.code, nodePath: path, level: hit.level, placedBy: 'location', lng, lat };
    }
  }
  const scope = ctx.actor.grants.map((g) => g.nodePath).filter((p) => p !== '');
  if (input.nodeCode) {
    const [n] = await ex.query<{ path: string; level: string; status: string }>('SELECT path::text AS path, level, status FROM nodes WHERE code = $1', [input.nodeCode]);
    if (!n || n.status !== 'active') throw fieldError('nodeCode', 'no such active node');
    return { nodeCode: input.nodeCode, nodePath: n.path, level: n.level, placedBy: 'given', lng, lat };
  }
  if (input.address && input.address.trim().length >= 2) {
    // The deepest node (in the reporter's city) whose name appears in the address.
    const city = scope[0]?.split('.').slice(0, 2).join('.') ?? null;
    const rows = await ex.query<{ code: string; path: string; level: string }>(
      `SELECT code, path::text AS path, level FROM nodes
        WHERE status = 'active' AND depth >= 3 AND ($2::ltree IS NULL OR path <@ $2::ltree)
          AND length(name) >= 2 AND strpos($1, regexp_replace(name, '(社区居委会|居委会|村委会|村民委员会)$', '')) > 0
        ORDER BY depth DESC, length(name) DESC LIMIT 1`,
      [input.address, city],
    );
    if (rows[0]) return { nodeCode: rows[0].code, nodePath: rows[0].path, level: rows[0].level, placedBy: 'address', lng, lat };
  }
  const own = ctx.actor.grants.find((g) => g.role === 'resident' && g.nodeCode) ?? ctx.actor.grants.find((g) => g.nodeCode);
  if (own?.nodeCode) {
    const [n] = await ex.query<{ level: string }>('SELECT level FROM nodes WHERE code = $1', [own.nodeCode]);
    return { nodeCode: own.nodeCode, nodePath: own.nodePath, level: n?.level ?? 'city', placedBy: own.role === 'resident' ? 'reporter' : 'dispatcher', lng, lat };
  }
  throw fieldError('location', 'the case cannot be placed: give a location, an address or a node');
}

/**
 * Creates a case from any channel. With an Idempotency-Key the same key
 * returns the same case (201 the first time, 200 after). Throws 400
 * VALIDATION_FAILED / COORDINATES_OUT_OF_RANGE naming the field, and
 * whatever `opts.link` throws (nothing is written then).
 */
export async function createCase(ctx: Ctx, input: IntakeInput, idempotencyKey?: string, opts: IntakeOptions = {}): Promise<{ id: number; created: boolean }> {
  // An anonymous reporter (ANONYMOUS_REPORTER) has no user id: the case has no creator and no reporter account.
  const createdBy = ctx.actor.userId || null;
  if (idempotencyKey) {
    const prior = await repo.findByIdempotencyKey(ctx.db, createdBy, idempotencyKey);
    if (prior) return { id: prior.id, created: false };
  }
  const place = await placeCase(ctx.db, ctx, input);
  const isResident = ctx.actor.grants.every((g) => g.role === 'resident');
  if (!isResident && !ctx.actor.grants.some((g) => g.role === 'resident') && !ctx.actor.grants.some((g) => isWithin(place.nodePath, g.nodePath)) && !can(ctx.actor, 'case.dispatch')) {
    throw fieldError('location', 'the place lies outside your part of the tree');
  }
  const photos = resolvePhotos(ctx.config.uploadDir, input.photos, 'photos');
  // Also checks the category (400 naming categoryCode when unknown or inactive).
  const route = await routeFor(ctx.db, input.categoryCode, place.nodePath);
  const cal = await loadCalendar(ctx.db);
  const now = new Date();
  const cityCode = cityCodeOf(place.nodeCode);
  const self = input.selfResolved;
  const acceptDue = self ? null : cal.addDeadline(now, route.deadlines.accept);
  if (self) {
    if (!ctx.actor.grants.some((g) => (g.role === 'grid_worker' || g.role === 'grid_leader') && isWithin(place.nodePath, g.nodePath)))
      throw fieldError('selfResolved', 'only the grid worker of this grid may record an on-the-spot solution');
    if (!isGridLevel(place.level as 'grid')) throw fieldError('selfResolved', 'on-the-spot solutions are recorded in a grid');
  }
  const selfPhotos = resolvePhotos(ctx.config.uploadDir, self?.photos, 'selfResolved.photos');
  const phone = input.reporter?.phone;
  // The reporter is the signed-in resident, or the person on whose behalf an operator enters the case.
  const reporterId = isResident || input.channel === 'resident_app' || input.channel === 'h5' ? createdBy : null;
  const actor = { ip: ctx.ip ?? null, actorId: createdBy, actorName: ctx.actor.name, actorRole: ctx.actor.grants[0]?.role ?? null, actorUnit: ctx.actor.grants[0]?.nodeCode ?? null };
  const events: repo.ReportEvent[] = [
    {
      action: 'report', from: null, to: 'reported', note: input.description, photos: photos.map((p) => p.sha256),
      data: { channel: input.channel, placedBy: place.placedBy, nodeCode: place.nodeCode, route: { source: route.source, entryId: route.entryId, handlingLevel: route.handlingLevel } },
    },
  ];
  if (self) events.push({ action: 'self_resolve', from: 'reported', to: 'awaiting_rating', note: self.result, photos: selfPhotos.map((p) => p.sha256), data: null });
  const recipients = input.urgent ? await repo.nearestHolders(ctx.db, place.nodePath, ['leader']) : [];
  const insert = (ex: Executor) =>
    repo.insertReportedCase(
      ex,
      {
        cityCode,
        status: self ? 'awaiting_rating' : 'reported',
        channel: input.channel,
        reporterId,
        reporterName: input.reporter?.name ?? (reporterId ? ctx.actor.name : null),
        reporterPhoneEnc: phone ? ctx.pd.encrypt(phone) : null,
        reporterPhoneHash: phone ? ctx.pd.hash(phone) : null,
        reporterPhoneMasked: phone ? maskPhone(phone) : null,
        partnerId: input.partnerId ?? null,
        createdBy,
        categoryCode: input.categoryCode,
        description: input.description,
        address: input.address ?? null,
        lng: place.lng,
        lat: place.lat,
        nodeCode: place.nodeCode,
        nodePath: place.nodePath,
        placedBy: place.placedBy,
        urgent: input.urgent ?? false,
        handlingLevel: self ? 'grid' : route.handlingLevel,
        route: { ...route },
        routeEntryId: route.entryId,
        deadlineUnit: route.deadlines.handle.unit,
        acceptDueAt: acceptDue,
        yellowAt: acceptDue ? cal.shareReachedAt(now, acceptDue, route.deadlines.accept.unit, ctx.config.yellowShare) : null,
        ratingDueAt: self ? new Date(+now + ctx.config.ratingDays * 86_400_000) : null,
        idempotencyKey: idempotencyKey ?? null,
        attributes: input.attributes ?? {},
        resolved: self ? { level: 'grid', handlerNodeCode: place.nodeCode, handlerNodePath: place.nodePath } : null,
      },
      actor,
      events,
      [...photos.map((p) => ({ ...p, stage: 'report' })), ...selfPhotos.map((p) => ({ ...p, stage: 'resolve' }))],
      {
        topic: self ? 'case.self_resolved' : 'case.reported',
        payload: {
          categoryCode: input.categoryCode, nodeCode: place.nodeCode, channel: input.channel, urgent: input.urgent ?? false, action: 'report', to: self ? 'awaiting_rating' : 'reported',
          notify: recipients.length ? [{ userIds: recipients, kind: 'urgent', title: '紧急事件', body: input.description.slice(0, 200) }] : [],
        },
      },
      { action: opts.audit?.action ?? 'case.report', statusCode: opts.audit?.statusCode ?? 201, detail: opts.audit?.detail ?? null },
    );
  const link = opts.link;
  const run = link
    ? () =>
        ctx.db.transaction(async (trx) => {
          const c = await insert(trx);
          await link(trx, { id: c.id, number: c.number, cityCode });
          return c.id;
        })
    : () => insert(ctx.db).then((c) => c.id);
  try {
    const id = await run();
    nudgeOutbox();
    return { id, created: true };
  } catch (err) {
    // Two requests with one Idempotency-Key raced: the loser returns the winner's case.
    if (idempotencyKey && (err as { code?: string }).code === '23505') {
      const prior = await repo.findByIdempotencyKey(ctx.db, createdBy, idempotencyKey);
      if (prior) return { id: prior.id, created: false };
    }
    throw err;
  }
}

/** A case of the same category, still open, near the new one in place and time (duplicate suggestions). */
export async function findDuplicates(ex: Executor, c: { id: number; city_code: string; category_code: string; lng: number | null; lat: number | null; node_code: string | null; created_at: Date }) {
  const [cat] = await ex.query<{ radius: number; hours: number }>(
    'SELECT duplicate_radius_m AS radius, duplicate_window_hours AS hours FROM categories WHERE code = $1',
    [c.category_code],
  );
  if (!cat) throw new AppError('NOT_FOUND', 'category missing');
  return ex.query<{ id: number; number: string; status: string; description: string; created_at: Date; distance_m: number | null }>(
    `SELECT id, number, status, description, created_at,
            CASE WHEN $4::float8 IS NULL OR location IS NULL THEN NULL
                 ELSE ST_Distance(location::geography, ST_SetSRID(ST_MakePoint($4, $5), 4326)::geography) END AS distance_m
       FROM cases
      WHERE city_code = $1 AND id <> $2 AND category_code = $3
        AND status NOT IN ('closed','rejected','cancelled','merged')
        AND created_at BETWEEN $6::timestamptz - make_interval(hours => $7) AND $6::timestamptz + make_interval(hours => $7)
        AND CASE WHEN $4::float8 IS NOT NULL AND location IS NOT NULL
                 -- A coarse test in degrees on the indexed geometry first (1° ≥ 60 km up to latitude 57°), then metres.
                 THEN ST_DWithin(location, ST_SetSRID(ST_MakePoint($4, $5), 4326), $8 / 60000.0)
                  AND ST_DWithin(location::geography, ST_SetSRID(ST_MakePoint($4, $5), 4326)::geography, $8)
                 ELSE node_code = $9 END
      ORDER BY created_at LIMIT 20`,
    [c.city_code, c.id, c.category_code, c.lng, c.lat, c.created_at, cat.hours, cat.radius, c.node_code],
  );
}
