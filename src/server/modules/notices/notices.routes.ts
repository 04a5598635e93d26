import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../context.js';

export async function noticesRoutes(_app: FastifyInstance, _opts: { deps: AppDeps }) {
  // Routes are added by the notices module's work in progress.
}
