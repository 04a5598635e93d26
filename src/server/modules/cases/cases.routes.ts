import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../context.js';

export async function casesRoutes(_app: FastifyInstance, _opts: { deps: AppDeps }) {
  // Routes are added by the cases module's work in progress.
}
