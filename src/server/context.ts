import type { FastifyBaseLogger } from 'fastify';
import type { Actor } from '../domain/permissions.js';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import type { PersonalData } from './lib/personal-data.js';

/** What a use case gets: the database, the caller, and the app's services. */
export interface Ctx {
  db: Db;
  actor: Actor;
  config: Config;
  pd: PersonalData;
  log: FastifyBaseLogger;
  /** Caller's address, for the audit log. */
  ip?: string;
}

/** Services shared by the whole app (one per process). */
export interface AppDeps {
  db: Db;
  config: Config;
  pd: PersonalData;
}

/** The use-case context of a signed-in request. */
export function ctxOf(req: { actor: Actor | null; ip: string; log: FastifyBaseLogger }, deps: AppDeps): Ctx {
  if (!req.actor) throw new Error('ctxOf called on a route without a signed-in actor');
  return { db: deps.db, actor: req.actor, config: deps.config, pd: deps.pd, log: req.log, ip: req.ip };
}
