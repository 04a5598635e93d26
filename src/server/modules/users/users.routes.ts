import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../context.js';

export async function usersRoutes(_app: FastifyInstance, _opts: { deps: AppDeps }) {}
