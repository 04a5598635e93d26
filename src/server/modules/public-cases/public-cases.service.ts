/**
 * Anonymous reports (匿名上报): a resident without an account reports with a
 * phone number, through the same intake as every other channel. The answer
 * carries a follow-up token — a keyed hash of the case, so nothing is stored
 * for it and a retried report gets the same token — with which the resident
 * follows the case and gives the verdict. SMS tells them of each step (the
 * outbox's sms channel, as for any case with a reporter phone).
 */
import { timingSafeEqual } from 'node:crypto';
import type { AppDeps, Ctx } from '../../context.js';
import { AppError, fieldError } from '../../errors.js';
import { ratingAction, actOnCase } from '../cases/cases.actions.js';
import { ANONYMOUS_REPORTER, createCase } from '../cases/cases.intake.js';
import type { Rating } from '../../../domain/case-lifecycle.js';
import type { AnonymousReportBody } from './public-cases.schemas.js';
import type { FastifyBaseLogger } from 'fastify';

/** The follow-up token of a case: 128 bits of a keyed hash of its number. */
export function followToken(deps: Pick<AppDeps, 'pd'>, number: string): string {
  return deps.pd.hash(`case-follow:${number}`).slice(0, 32);
}

function tokenMatches(deps: Pick<AppDeps, 'pd'>, number: string, token: string): boolean {
  const want = Buffer.from(followToken(deps, number));
  const got = Buffer.from(token);
  return want.length === got.length && timingSafeEqual(want, got);
}

export async function reportAnonymously(
  deps: AppDeps,
  body: AnonymousReportBody,
  req: { ip: string; log: FastifyBaseLogger },
  idempotencyKey?: string,
): Promise<{ created: boolean; number: string; status: string; followToken: string }> {
  const phoneHash = deps.pd.hash(body.reporter.phone);
  // Scoped to the phone: two strangers using the same key never see each other's case.
  const key = idempotencyKey ? `anon:${phoneHash.slice(0, 16)}:${idempotencyKey}` : undefined;
  if (!key || !(await priorCase(deps, key))) {
    const [n] = await deps.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM cases
        WHERE created_by IS NULL AND reporter_phone_hash = $1 AND created_at > now() - interval '1 day' AND partner_id IS NULL AND channel IN ('h5','resident_app')`,
      [phoneHash],
    );
    if ((n?.n ?? 0) >= deps.config.publicReportsPerPhoneDay) {
      throw new AppError('RATE_LIMITED', `This phone number has sent ${deps.config.publicReportsPerPhoneDay} reports today; please call the hotline or sign in.`, [
        { field: 'reporter.phone', reason: `at most ${deps.config.publicReportsPerPhoneDay} anonymous reports a day` },
      ]);
    }
  }
  if (!body.location && !(body.address && body.address.trim().length >= 2)) throw fieldError('location', 'give a location or an address');
  const ctx: Ctx = { db: deps.db, actor: ANONYMOUS_REPORTER as unknown as Ctx['actor'], config: deps.config, pd: deps.pd, log: req.log, ip: req.ip };
  const r = await createCase(
    ctx,
    {
      channel: body.channel ?? 'h5',
      categoryCode: body.categoryCode,
      description: body.description,
      location: body.location,
      address: body.address,
      reporter: { name: body.reporter.name, phone: body.reporter.phone },
      photos: body.photos,
    },
    key,
  );
  const [c] = await deps.db.query<{ number: string; status: string }>('SELECT number, status FROM cases WHERE id = $1', [r.id]);
  return { created: r.created, number: c!.number, status: c!.status, followToken: followToken(deps, c!.number) };
}

async function priorCase(deps: AppDeps, key: string): Promise<boolean> {
  const rows = await deps.db.query('SELECT 1 FROM cases WHERE created_by IS NULL AND idempotency_key = $1 LIMIT 1', [key]);
  return rows.length > 0;
}

interface PublicCaseRow {
  city_code: string;
  id: number;
  number: string;
  status: string;
  category_code: string;
  name_zh: string;
  name_en: string;
  description: string;
  address: string | null;
  node_name: string | null;
  created_at: Date;
  handle_due_at: Date | null;
  rating: string | null;
}

/** Loads a case by number and token; a wrong token is indistinguishable from no such case. */
async function loadFollowed(deps: AppDeps, number: string, token: string): Promise<PublicCaseRow> {
  if (!tokenMatches(deps, number, token)) throw new AppError('CASE_NOT_FOUND', 'No such case, or the token does not match.');
  const [c] = await deps.db.query<PublicCaseRow>(
    `SELECT c.city_code, c.id, c.number, c.status, c.category_code, k.name_zh, k.name_en, c.description, c.address, n.name AS node_name,
            c.created_at, c.handle_due_at, c.rating
       FROM cases c JOIN categories k ON k.code = c.category_code LEFT JOIN nodes n ON n.code = c.node_code
      WHERE c.number = $1`,
    [number],
  );
  if (!c) throw new AppError('CASE_NOT_FOUND', 'No such case, or the token does not match.');
  return c;
}

/** Timeline entries a reporter sees, with the notes meant for them; internal notes stay internal. */
const NOTE_VISIBLE = new Set(['report', 'reject', 'resolve', 'self_resolve', 'check_pass', 'rate_satisfied', 'rate_basically_satisfied', 'rate_unsatisfied', 'cancel', 'merge']);

/** What the reporter may see: state, category, place name, the steps with their times (no names of staff). */
export async function followCase(deps: AppDeps, number: string, token: string) {
  const c = await loadFollowed(deps, number, token);
  const events = await deps.db.query<{ seq: number; action: string; from_status: string | null; to_status: string | null; note: string | null; at: Date }>(
    'SELECT seq, action, from_status, to_status, note, at FROM case_events WHERE city_code = $1 AND case_id = $2 ORDER BY seq',
    [c.city_code, c.id],
  );
  return {
    number: c.number,
    status: c.status,
    category: { code: c.category_code, nameZh: c.name_zh, nameEn: c.name_en },
    description: c.description,
    address: c.address,
    place: c.node_name,
    reportedAt: c.created_at.toISOString(),
    dueAt: c.handle_due_at?.toISOString() ?? null,
    rating: c.rating,
    canRate: c.status === 'awaiting_rating',
    timeline: events.map((e) => ({ seq: e.seq, action: e.action, from: e.from_status, to: e.to_status, note: NOTE_VISIBLE.has(e.action) ? e.note : null, at: e.at.toISOString() })),
  };
}

/** The reporter's verdict with the token; "not satisfied" reopens the case as for any reporter. */
export async function rateFollowed(deps: AppDeps, number: string, token: string, rating: Rating, comment: string | undefined, ip: string) {
  const c = await loadFollowed(deps, number, token);
  await actOnCase(deps, null, c.id, ratingAction(rating), { rating, comment }, ip, { name: ANONYMOUS_REPORTER.name, role: 'reporter' });
  return followCase(deps, number, token);
}
