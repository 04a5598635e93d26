import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../context.js';

export async function nodesRoutes(_app: FastifyInstance, _opts: { deps: AppDeps }) {
  // Routes are added by the nodes module's work in progress.
}
