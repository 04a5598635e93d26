import type { Config } from '../config.js';
import type { Db } from './db.js';

/** Opens the configured engine: PostgreSQL when DATABASE_URL is set, else PGlite in the data folder. */
export async function openDb(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'poolSize'>): Promise<Db> {
  if (config.databaseUrl) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(config.databaseUrl, config.poolSize);
  }
  const { openPglite } = await import('./pglite.js');
  return openPglite({ dataDir: config.dataDir });
}
