import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { createReadStream } from 'node:fs';
import { ctxOf, type AppDeps, type Ctx } from '../../context.js';
import type { CaseRow } from './cases.repository.js';
import { AppError, fieldError } from '../../errors.js';
import type { CaseAction, Rating } from '../../../domain/case-lifecycle.js';
import type { Permission } from '../../../domain/permissions.js';
import { MAX_PHOTOS_PER_ACTION, isStoredPhoto, photoPath } from '../../lib/photos.js';
import { receivePhotos } from '../../lib/photo-upload.js';
import { ACTION_BODIES, CountQuery, CreateCaseBody, IdParams, PhoneQuery, PhotoParams, QueueQuery, RateBody } from './cases.schemas.js';
import { createCase } from './cases.intake.js';
import { actOnCase, loadCaseFor, ratingAction, type ActionInput } from './cases.actions.js';
import { casesByPhone, countCases, getCase, listCases, type QueueQuery as Q } from './cases.queries.js';

/**
 * The case as the actor now sees it; after a return or an escalation the
 * actor may no longer see it, and gets its number and new state only.
 */
async function caseAfterAction(ctx: Ctx, after: CaseRow) {
  try {
    return await getCase(ctx, after.id);
  } catch (err) {
    if (err instanceof AppError && err.code === 'CASE_NOT_FOUND') return { id: after.id, number: after.number, status: after.status, abilities: [] };
    throw err;
  }
}

/** The route-level permission of each action; who exactly may act is decided per case. */
const ACTION_PERMISSION: Record<keyof typeof ACTION_BODIES, Permission> = {
  accept: 'case.dispatch',
  reject: 'case.dispatch',
  cancel: 'case.create',
  merge: 'case.dispatch',
  dispatch: 'case.dispatch',
  redispatch: 'case.dispatch',
  sign: 'case.handle',
  note: 'case.read',
  return: 'case.handle',
  escalate: 'case.handle',
  summon: 'case.handle',
  co_report: 'case.handle',
  resolve: 'case.handle',
  check_pass: 'case.check',
  check_fail: 'case.check',
  request_extension: 'case.handle',
  approve_extension: 'case.read',
  deny_extension: 'case.read',
  request_suspension: 'case.handle',
  approve_suspension: 'case.read',
  deny_suspension: 'case.read',
  resume: 'case.dispatch',
  supervise: 'case.supervise',
  flag_urgent: 'case.read',
};

const SUMMARY: Record<keyof typeof ACTION_BODIES, string> = {
  accept: 'Accept (受理)',
  reject: 'Reject with a reason (不予受理); `into` marks it a duplicate of another case',
  cancel: 'Cancel before acceptance (the reporter)',
  merge: 'Merge a duplicate into its original; its reporter then follows the original',
  dispatch: 'Dispatch (派遣) to the unit the responsibility list names, or elsewhere with a reason (指定/商定 after a return)',
  redispatch: 'Change the handler before sign-for (with a reason)',
  sign: 'Sign for the case (签收)',
  note: 'Add a progress note (with photos)',
  return: 'Return to the dispatcher: not ours (退回, reason)',
  escalate: 'Escalate one level up (上报, reason)',
  summon: 'Summon departments as co-handlers (吹哨/协办)',
  co_report: 'A co-handling department reports its part',
  resolve: 'Report the result (处置完成; photos where the category needs them)',
  check_pass: 'Check on site: passed (核查通过)',
  check_fail: 'Check on site: failed, back for rework (返工)',
  request_extension: 'Ask for more time (延期申请)',
  approve_extension: 'Approve the extension: the handling deadline moves',
  deny_extension: 'Deny the extension (reason)',
  request_suspension: 'Ask to suspend (挂起申请)',
  approve_suspension: 'Approve the suspension: the clock stops',
  deny_suspension: 'Deny the suspension (reason)',
  resume: 'Resume a suspended case: deadlines move by the time suspended',
  supervise: 'Supervise an overdue case (督办)',
  flag_urgent: 'Flag urgent: the node\'s leaders are told (高位联动)',
};

export async function casesRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['cases'];
  await app.register(multipart, { limits: { fileSize: deps.config.maxPhotoBytes, files: MAX_PHOTOS_PER_ACTION, fields: 10 } });

  app.post('/', { config: { permission: 'case.create', auditInline: true }, schema: { tags, summary: 'Report a case (any channel). Idempotency-Key header makes retries safe.', body: CreateCaseBody } }, async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || key.length < 1 || key.length > 200)) throw fieldError('Idempotency-Key', 'must be 1–200 characters');
    const ctx = ctxOf(req, deps);
    const r = await createCase(ctx, req.body as CreateCaseBody, key as string | undefined);
    return reply.status(r.created ? 201 : 200).send(await getCase(ctx, r.id));
  });

  app.get('/', { config: { permission: 'case.read' }, schema: { tags, summary: 'The case queue, scoped to your part of the tree', querystring: QueueQuery } }, (req) =>
    listCases(ctxOf(req, deps), req.query as Q),
  );
  app.get('/mine', { config: { permission: 'case.read' }, schema: { tags, summary: 'Cases I reported (residents)', querystring: QueueQuery } }, (req) =>
    listCases(ctxOf(req, deps), { ...(req.query as Q), mine: 'reported' }),
  );
  app.get('/counts', { config: { permission: 'case.read' }, schema: { tags, summary: 'Counts by state and clock colour', querystring: CountQuery } }, (req) =>
    countCases(ctxOf(req, deps), (req.query as { node?: string }).node),
  );
  app.get('/by-phone', { config: { permission: 'case.dispatch' }, schema: { tags, summary: 'A caller\'s earlier cases (hotline), by phone number', querystring: PhoneQuery } }, (req) =>
    casesByPhone(ctxOf(req, deps), (req.query as { phone: string }).phone),
  );

  app.post('/photos', { config: { permission: 'case.read' }, schema: { tags, summary: 'Upload photos (multipart, field "photos"; JPEG, PNG or WebP); returns their ids' } }, (req) =>
    receivePhotos(req, deps.config),
  );

  app.get('/:id', { config: { permission: 'case.read' }, schema: { tags, summary: 'One case: details, timeline, photos and the actions you may take', params: IdParams } }, (req) =>
    getCase(ctxOf(req, deps), (req.params as { id: number }).id),
  );

  app.get('/:id/photos/:sha256', { config: { permission: 'case.read' }, schema: { tags, summary: 'A photo of the case', params: PhotoParams } }, async (req, reply) => {
    const { id, sha256 } = req.params as { id: number; sha256: string };
    const ctx = ctxOf(req, deps);
    const c = await loadCaseFor(ctx.db, ctx.actor, id);
    const rows = await ctx.db.query<{ mime: string }>('SELECT mime FROM case_photos WHERE city_code = $1 AND case_id = $2 AND sha256 = $3 LIMIT 1', [c.city_code, c.id, sha256]);
    if (!rows[0] || !isStoredPhoto(deps.config.uploadDir, sha256)) throw new AppError('NOT_FOUND', 'No such photo on this case.');
    return reply.type(rows[0].mime).header('cache-control', 'private, max-age=86400, immutable').send(createReadStream(photoPath(deps.config.uploadDir, sha256)));
  });

  for (const action of Object.keys(ACTION_BODIES) as (keyof typeof ACTION_BODIES)[]) {
    app.post(
      `/:id/${action.replaceAll('_', '-')}`,
      { config: { permission: ACTION_PERMISSION[action], auditInline: true }, schema: { tags, summary: SUMMARY[action], params: IdParams, body: ACTION_BODIES[action] } },
      async (req) => {
        const ctx = ctxOf(req, deps);
        const after = await actOnCase(deps, ctx.actor, (req.params as { id: number }).id, action as CaseAction, req.body as ActionInput, ctx.ip);
        return caseAfterAction(ctx, after);
      },
    );
  }

  app.post('/:id/rate', { config: { permission: 'case.rate', auditInline: true }, schema: { tags, summary: 'The resident\'s verdict (评价); not satisfied reopens the case (重办)', params: IdParams, body: RateBody } }, async (req) => {
    const ctx = ctxOf(req, deps);
    const { rating, comment } = req.body as { rating: Rating; comment?: string };
    const after = await actOnCase(deps, ctx.actor, (req.params as { id: number }).id, ratingAction(rating), { rating, comment }, ctx.ip);
    return caseAfterAction(ctx, after);
  });
}
