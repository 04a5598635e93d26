import AjvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AppDeps } from './context.js';
import { errorsPlugin } from './plugins/errors.js';
import { authPlugin } from './plugins/auth.js';
import { auditPlugin } from './plugins/audit.js';
import { registerModules } from './modules/index.js';
import { WEB_DIST_DIR } from './paths.js';

export type App = FastifyInstance;

type ValidatorFn = ((data: unknown) => unknown) & { errors?: unknown };
type RouteSchema = { schema: unknown; method: string; url: string; httpPart?: string };
const buildAjvValidators = AjvCompiler() as unknown as (ext: unknown, opts: unknown) => (route: RouteSchema) => ValidatorFn;

type SerializerFn = (data: unknown) => string;
const buildSerializers = SerializerSelector() as unknown as (ext: unknown, opts: unknown) => (route: RouteSchema & { httpStatus?: string }) => SerializerFn;

/** Fastify's own response serializers, each compiled when its route first answers (as the validators below). */
function lazySerializers(externalSchemas: unknown, serializerOptions: unknown) {
  const compile = buildSerializers(externalSchemas, serializerOptions);
  return (route: RouteSchema & { httpStatus?: string }): SerializerFn => {
    let real: SerializerFn | undefined;
    return (data: unknown) => (real ??= compile(route))(data);
  };
}

/**
 * Fastify's own Ajv compiler (same options, same behaviour), each validator
 * compiled when its route is first called: a restart no longer compiles the
 * schemas of ~200 routes before it can answer.
 */
function lazyValidators(externalSchemas: unknown, ajvOptions: unknown) {
  const compile = buildAjvValidators(externalSchemas, ajvOptions);
  return (route: RouteSchema): ValidatorFn => {
    let real: ValidatorFn | undefined;
    const lazy: ValidatorFn = (data: unknown) => {
      real ??= compile(route);
      const result = real(data);
      lazy.errors = real.errors;
      return result;
    };
    return lazy;
  };
}

export interface BuildOptions {
  /** Serve the built web console from dist/web (default true when it exists). */
  serveWeb?: boolean;
  logger?: boolean;
}

/** Builds the whole HTTP app on the given database; `listen` is the caller's business. */
export async function buildApp(deps: AppDeps, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger === false || deps.config.logLevel === 'silent' ? false : { level: deps.config.logLevel },
    trustProxy: deps.config.trustProxy,
    bodyLimit: 32 * 1024 * 1024,
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    // Each route's validators and serializers are compiled on its first request instead of at start (~0.8 s of a restart).
    schemaController: { compilersFactory: { buildValidator: lazyValidators as never, buildSerializer: lazySerializers as never } },
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(errorsPlugin);
  await app.register(cookie);
  // Before any route: its onRoute hook checks every route's declaration.
  await app.register(authPlugin, deps);
  await app.register(auditPlugin, deps);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Wangge API',
        description: 'Grid-based grassroots governance (网格化基层治理). Cookie sessions need the X-CSRF-Token header on writes.',
        version: '0.1.0',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'wangge_session' } } },
      security: [{ session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    try {
      await deps.db.query('SELECT 1');
      return { status: 'ready', engine: deps.db.engine };
    } catch {
      return reply.status(503).send({ status: 'unavailable' });
    }
  });

  await registerModules(app, deps);

  const serveWeb = opts.serveWeb ?? existsSync(path.join(WEB_DIST_DIR, 'index.html'));
  if (serveWeb) {
    await app.register(fastifyStatic, { root: WEB_DIST_DIR, wildcard: false, index: ['index.html'] });
    // Client-side routes fall back to the app shell; unknown API paths stay 404 JSON.
    // A catch-all route, not a second not-found handler: errorsPlugin already owns that one.
    app.get('/*', { config: { public: true }, schema: { hide: true } }, (req, reply) => {
      const url = req.url.split('?')[0]!;
      if (req.method === 'GET' && !url.startsWith('/api') && !url.startsWith('/open311') && !path.extname(url)) {
        return reply.type('text/html').sendFile('index.html');
      }
      return reply.status(404).send({ statusCode: 404, code: 'NOT_FOUND', message: `No route ${req.method} ${url}` });
    });
  }
  return app;
}
