import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../context.js';

export async function departmentsRoutes(_app: FastifyInstance, _opts: { deps: AppDeps }) {
  // Routes are added by the departments module's work in progress.
}
