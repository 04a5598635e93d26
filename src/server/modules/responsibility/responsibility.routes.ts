import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../context.js';

export async function responsibilityRoutes(_app: FastifyInstance, _opts: { deps: AppDeps }) {
  // Routes are added by the responsibility module's work in progress.
}
