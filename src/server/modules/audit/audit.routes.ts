import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../context.js';

export async function auditRoutes(_app: FastifyInstance, _opts: { deps: AppDeps }) {
  // Routes are added by the audit module's work in progress.
}
