import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { openDb } from './db/open.js';
import { migrate } from './db/migrate.js';
import { loadDataKeys, PersonalData } from './lib/personal-data.js';
import type { AppDeps } from './context.js';

export interface Running {
  app: FastifyInstance;
  db: Db;
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the database, migrates it and builds the app's shared services. The
 * HTTP app's modules load meanwhile: compiling PGlite's WebAssembly runs on
 * V8's background threads while the main thread parses the app (a restart
 * from an existing data folder is mostly these two).
 */
export async function prepare(config: Config, onStep?: (msg: string) => void): Promise<AppDeps> {
  onStep?.(config.databaseUrl ? 'connecting to PostgreSQL' : `opening embedded database in ${config.dataDir}`);
  const opening = openDb(config);
  preloadApp();
  const db = await opening;
  const applied = await migrate(db, (name) => onStep?.(`migrating: ${name}`));
  if (applied.length) onStep?.(`applied ${applied.length} migration(s)`);
  return { db, config, pd: new PersonalData(loadDataKeys(config.dataKey)) };
}

let appModules: Promise<[typeof import('./app.js'), typeof import('./workers/index.js')]> | undefined;
function preloadApp() {
  appModules ??= Promise.all([import('./app.js'), import('./workers/index.js')]);
  return appModules;
}

/** Starts the HTTP server on prepared services. */
export async function listen(deps: AppDeps): Promise<Running> {
  const [{ buildApp }, { startWorkers }] = await preloadApp();
  const app = await buildApp(deps);
  const address = await app.listen({ host: deps.config.host, port: deps.config.port });
  // Clock sweep and outbox delivery (safe with any number of processes).
  const workers = deps.config.workers ? startWorkers(deps, app.log) : undefined;
  return {
    app,
    db: deps.db,
    url: address.replace('0.0.0.0', '127.0.0.1'),
    async close() {
      await workers?.stop();
      await app.close();
      await deps.db.close();
    },
  };
}
