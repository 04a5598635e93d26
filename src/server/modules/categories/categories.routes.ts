import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../context.js';

export async function categoriesRoutes(_app: FastifyInstance, _opts: { deps: AppDeps }) {
  // Routes are added by the categories module's work in progress.
}
