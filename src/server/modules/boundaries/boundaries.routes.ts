import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../context.js';

export async function boundariesRoutes(_app: FastifyInstance, _opts: { deps: AppDeps }) {
  // Routes are added by the boundaries module's work in progress.
}
