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
