import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../context.js';

export async function locateRoutes(_app: FastifyInstance, _opts: { deps: AppDeps }) {
  // Routes are added by the locate module's work in progress.
}
