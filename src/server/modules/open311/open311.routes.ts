/**
 * Open311 GeoReport v2 under /open311/v2/ (discovery also at /open311/discovery):
 * XML and JSON by the `.xml`/`.json` suffix, form-encoded or JSON POST bodies,
 * `jurisdiction_id` in the query of a POST, repeated `media_url`, an empty
 * parameter treated as absent, errors in the spec's `errors` format.
 *
 * The routes are public at the session level (partners have no session); POST
 * and servicerequestupdates POST need a valid api_key (403 otherwise), and a key
 * on a GET widens what is shown to the key's part of the tree. Unkeyed GETs are
 * rate-limited per address.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import { Type } from '@sinclair/typebox';
import type { AppDeps } from '../../context.js';
import { AppError } from '../../errors.js';
import { fieldsFromValidation } from '../../plugins/errors.js';
import { formatOf, Open311Error, render, renderError, stripSuffix } from './open311.format.js';
import * as svc from './open311.service.js';

/** Unkeyed GETs per address, endpoint and minute (per process). */
export const PUBLIC_GETS_PER_MINUTE = 300;

const Repeatable = (description: string) => Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description }));
const CommonQuery = {
  jurisdiction_id: Type.Optional(Type.String({ description: 'The city code (e.g. 4413); with an api_key it must be the key\'s city' })),
  api_key: Type.Optional(Type.String({ description: "A partner's key: shows every request in the key's part of the tree" })),
  locale: Type.Optional(Type.String({ description: "'en' for English names and notes (also Accept-Language); default Chinese" })),
};
const RequestsQuery = Type.Object(
  {
    ...CommonQuery,
    service_request_id: Repeatable('Comma-separated request ids; other filters are then ignored'),
    service_code: Repeatable('Comma-separated service codes'),
    start_date: Type.Optional(Type.String({ description: 'Earliest requested_datetime (W3C); default 90 days before end_date' })),
    end_date: Type.Optional(Type.String({ description: 'Latest requested_datetime (W3C); default now, or 90 days after start_date' })),
    status: Repeatable('open, closed, or both comma-separated'),
    updated_after: Type.Optional(Type.String({ description: 'Extension: updated_datetime after this (W3C)' })),
    updated_before: Type.Optional(Type.String({ description: 'Extension: updated_datetime at or before this (W3C)' })),
    page: Type.Optional(Type.String({ description: 'Extension: page number from 1' })),
    page_size: Type.Optional(Type.String({ description: 'Extension: rows per page, 1–1000 (default 1000)' })),
    extensions: Type.Optional(Type.String({ description: 'Extension: true adds extended_attributes (case number, channel, grid, level, duplicate of) and notes (the timeline)' })),
  },
  { additionalProperties: true },
);
const UpdatesQuery = Type.Object(
  {
    ...CommonQuery,
    start_date: Type.Optional(Type.String({ description: 'Updates at or after (W3C); default 90 days before end_date' })),
    end_date: Type.Optional(Type.String({ description: 'Updates at or before (W3C); default now' })),
  },
  { additionalProperties: true },
);
const LooseQuery = Type.Object(CommonQuery, { additionalProperties: true });

const lang = (req: FastifyRequest): svc.Lang => {
  const l = svc.str((req.query ?? {}) as svc.Params, 'locale') ?? req.headers['accept-language'] ?? '';
  return /^en/i.test(l) ? 'en' : 'zh';
};

/** Drops empty parameters: a client that sends `status=` means no status filter. */
function dropEmpty(o: unknown): void {
  if (!o || typeof o !== 'object') return;
  const rec = o as Record<string, unknown>;
  for (const [k, v] of Object.entries(rec)) {
    if (v === '' || v === null) delete rec[k];
    else if (Array.isArray(v)) {
      const kept = v.filter((x) => x !== '' && x !== null);
      if (!kept.length) delete rec[k];
      else rec[k] = kept.length === 1 ? kept[0] : kept;
    }
  }
}

function errorOf(err: unknown, req: FastifyRequest): { status: number; description: string } {
  if (err instanceof Open311Error) return { status: err.status, description: err.description };
  if (err instanceof AppError) {
    const status = err.status === 404 ? 404 : err.status === 401 || err.status === 403 ? 403 : err.status === 429 ? 429 : err.status >= 500 ? 500 : 400;
    const f = err.fields?.[0];
    return { status, description: f ? `${f.field}: ${f.reason}` : err.message };
  }
  const fe = err as FastifyError & { validation?: Parameters<typeof fieldsFromValidation>[0]; validationContext?: string };
  if (fe.validation) {
    const fields = fieldsFromValidation(fe.validation, fe.validationContext ?? 'query');
    return { status: 400, description: fields.map((f) => `${f.field}: ${f.reason}`).join('; ') };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode < 500) {
    return { status: fe.statusCode === 404 || fe.statusCode === 429 ? fe.statusCode : fe.statusCode === 401 || fe.statusCode === 403 ? 403 : 400, description: fe.message };
  }
  req.log.error({ err }, 'unhandled error in open311');
  return { status: 500, description: 'Internal error; it has been logged.' };
}

export async function open311Routes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const keys = new WeakMap<FastifyRequest, svc.PartnerKey>();
  await app.register(formbody);
  await app.register(rateLimit, {
    global: false,
    // After the key is known (preValidation): a keyed partner is not limited.
    hook: 'preHandler',
    allowList: (req) => keys.has(req),
    errorResponseBuilder: (_req, ctx) => new Open311Error(429, `Too many requests from this address; try again in ${Math.ceil(ctx.ttl / 1000)} s, or use an api_key.`),
  });

  const send = (req: FastifyRequest, reply: FastifyReply, root: string, value: unknown, status = 200) => {
    const out = render(formatOf(req.url, req.headers.accept), root, value);
    return reply.status(status).type(out.type).send(out.body);
  };

  app.setErrorHandler((err, req, reply) => {
    const e = errorOf(err, req);
    const out = renderError(formatOf(req.url, req.headers.accept), [{ code: e.status, description: e.description }]);
    reply.status(e.status).type(out.type).send(out.body);
  });
  app.setNotFoundHandler((req, reply) => {
    const out = renderError(formatOf(req.url, req.headers.accept), [{ code: 404, description: `No such resource: ${req.method} ${req.url.split('?')[0]}` }]);
    reply.status(404).type(out.type).send(out.body);
  });

  app.addHook('preValidation', async (req) => {
    dropEmpty(req.query);
    dropEmpty(req.body);
    const k = await svc.keyOf(deps, { ...(req.query as object), ...((req.body as object) ?? {}) });
    if (k) keys.set(req, k);
  });
  // The audit plugin logs failed writes with their body: never with the key in it.
  app.addHook('onSend', async (req) => {
    const b = req.body as Record<string, unknown> | undefined;
    if (b && typeof b === 'object' && 'api_key' in b) b.api_key = '[redacted]';
  });

  const tags = ['open311'];
  const cfg = { public: true, rateLimit: { max: PUBLIC_GETS_PER_MINUTE, timeWindow: '1 minute' } };
  const writeCfg = { public: true, auditInline: true };
  const params = (req: FastifyRequest): svc.Params => ({ ...(req.query as object), ...((req.body as object) ?? {}) });
  const both = (path: string) => [path, `${path}.json`, `${path}.xml`];

  for (const url of [...both('/discovery'), ...both('/v2/discovery')]) {
    app.get(url, { config: cfg, schema: { tags, summary: 'Service discovery: the endpoint, its formats and how to get a key' } }, async (req, reply) =>
      send(req, reply, 'discovery', await svc.discovery(deps, `${req.protocol}://${req.host}`)),
    );
  }
  for (const url of both('/v2/services')) {
    app.get(url, { config: cfg, schema: { tags, summary: 'Service list: the active case categories (事件分类)', querystring: LooseQuery } }, async (req, reply) =>
      send(req, reply, 'services', await svc.services(deps, lang(req), keys.get(req))),
    );
  }
  app.get('/v2/services/:code', { config: cfg, schema: { tags, summary: "Service definition: the category's extra questions (attributes)", querystring: LooseQuery } }, async (req, reply) =>
    send(req, reply, 'service_definition', await svc.serviceDefinition(deps, stripSuffix((req.params as { code: string }).code))),
  );
  for (const url of both('/v2/requests')) {
    app.get(url, { config: cfg, schema: { tags, summary: 'Service requests (cases) by ids, service codes, status and dates; page/page_size, updated_after/updated_before, extensions=true', querystring: RequestsQuery } }, async (req, reply) =>
      send(req, reply, 'service_requests', await svc.listRequests(deps, params(req), keys.get(req), lang(req))),
    );
    app.post(
      url,
      {
        config: writeCfg,
        schema: {
          tags,
          summary: 'Create a service request (a case through the one intake, channel partner)',
          description:
            'Form-encoded (or JSON) body: api_key, service_code, lat+long or address_string, attribute[CODE] (repeat for multivaluelist), description (≤ 4000), media_url (may repeat), first_name, last_name, phone, email, account_id, device_id; optional crs (wgs84|gcj02|bd09). Idempotency-Key header (or partner_request_id) makes retries return the same request. jurisdiction_id may come in the query string.',
          querystring: LooseQuery,
        },
      },
      async (req, reply) => {
        const key = svc.requireKey(keys.get(req), 'create a service request');
        const idem = req.headers['idempotency-key'];
        const r = await svc.createRequest(deps, params(req), key, lang(req), { idempotencyKey: typeof idem === 'string' && idem.trim() ? idem.trim() : undefined, log: req.log, ip: req.ip });
        return send(req, reply, 'service_requests', r.body);
      },
    );
  }
  app.get('/v2/requests/:id', { config: cfg, schema: { tags, summary: 'One service request (still a one-element list)', querystring: LooseQuery } }, async (req, reply) =>
    send(req, reply, 'service_requests', await svc.getRequest(deps, stripSuffix((req.params as { id: string }).id), params(req), keys.get(req), lang(req))),
  );
  app.get('/v2/tokens/:token', { config: cfg, schema: { tags, summary: 'The service_request_id behind a token (once a dispatcher has responded)', querystring: LooseQuery } }, async (req, reply) =>
    send(req, reply, 'service_requests', await svc.token(deps, stripSuffix((req.params as { token: string }).token))),
  );
  for (const url of both('/v2/servicerequestupdates')) {
    app.get(url, { config: cfg, schema: { tags, summary: "mySociety extension: updates (timeline entries) between start_date and end_date", querystring: UpdatesQuery } }, async (req, reply) =>
      send(req, reply, 'service_request_updates', await svc.listUpdates(deps, params(req), keys.get(req), lang(req))),
    );
    app.post(
      url,
      {
        config: writeCfg,
        schema: {
          tags,
          summary: "mySociety extension: add a partner's update (a comment on the case timeline)",
          description: 'Form-encoded body: api_key, service_request_id, description, update_id (yours: retries are safe), status, updated_datetime, media_url, first_name, last_name.',
          querystring: LooseQuery,
        },
      },
      async (req, reply) => send(req, reply, 'service_request_updates', await svc.postUpdate(deps, params(req), svc.requireKey(keys.get(req), 'post an update'), { ip: req.ip })),
    );
  }
}
