import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../context.js';
import { authRoutes } from './auth/auth.routes.js';
import { metaRoutes } from './meta/meta.routes.js';

/** Every feature module, registered under its prefix. */
export async function registerModules(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(metaRoutes, { prefix: '/api', deps });
  await app.register(authRoutes, { prefix: '/api/auth', deps });
}
