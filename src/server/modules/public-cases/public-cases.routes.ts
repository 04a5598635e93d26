/**
 * Public case routes, no account needed: report with a phone number, upload
 * photos for it, follow the case and rate it with the follow-up token. Each
 * address is rate-limited (per process); each phone is capped per day in the
 * database (across processes).
 */
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { AppDeps } from '../../context.js';
import { AppError, fieldError } from '../../errors.js';
import { MAX_PHOTOS_PER_ACTION } from '../../lib/photos.js';
import { receivePhotos } from '../../lib/photo-upload.js';
import type { Rating } from '../../../domain/case-lifecycle.js';
import { AnonymousReportBody, NumberParams, PublicRateBody, TokenQuery } from './public-cases.schemas.js';
import { listCategories } from '../categories/categories.service.js';
import { followCase, rateFollowed, reportAnonymously } from './public-cases.service.js';

export async function publicCasesRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['public'];
  await app.register(multipart, { limits: { fileSize: deps.config.maxPhotoBytes, files: MAX_PHOTOS_PER_ACTION, fields: 10 } });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => new AppError('RATE_LIMITED', `Too many requests from this address; try again in ${Math.ceil(ctx.ttl / 1000)} s.`),
  });
  const writes = { max: deps.config.publicReportsPerHour, timeWindow: '1 hour' };
  const reads = { max: 600, timeWindow: '1 hour' };

  app.post(
    '/cases',
    {
      config: { public: true, auditInline: true, rateLimit: writes },
      schema: { tags, summary: 'Report a case without an account (匿名上报): a phone number is required; keep the follow-up token', body: AnonymousReportBody },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || key.length < 1 || key.length > 200)) throw fieldError('Idempotency-Key', 'must be 1–200 characters');
      const r = await reportAnonymously(deps, req.body as AnonymousReportBody, req, key as string | undefined);
      return reply.status(r.created ? 201 : 200).send({ number: r.number, status: r.status, followToken: r.followToken, followUrl: `/h5/follow/${r.number}?token=${r.followToken}` });
    },
  );

  app.post(
    '/photos',
    { config: { public: true, rateLimit: writes }, schema: { tags, summary: 'Upload photos for an anonymous report (multipart, field "photos")' } },
    (req) => receivePhotos(req, deps.config),
  );

  app.get(
    '/categories',
    { config: { public: true, rateLimit: reads }, schema: { tags, summary: 'The active case categories (a tree), for the anonymous report form' } },
    () => listCategories({ db: deps.db }, { active: true }),
  );

  app.get(
    '/cases/:number',
    { config: { public: true, rateLimit: reads }, schema: { tags, summary: 'Follow a case with its follow-up token', params: NumberParams, querystring: TokenQuery } },
    (req) => followCase(deps, (req.params as { number: string }).number, (req.query as { token: string }).token),
  );

  app.post(
    '/cases/:number/rate',
    { config: { public: true, auditInline: true, rateLimit: writes }, schema: { tags, summary: 'The reporter\'s verdict with the follow-up token', params: NumberParams, body: PublicRateBody } },
    (req) => {
      const b = req.body as { token: string; rating: Rating; comment?: string };
      return rateFollowed(deps, (req.params as { number: string }).number, b.token, b.rating, b.comment, req.ip);
    },
  );
}
