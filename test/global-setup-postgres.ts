import { ensurePostgresTemplate, postgresAdminUrl } from './engines.js';

/** Prepares the migrated PostgreSQL template database once per run. */
export default async function setup() {
  const url = postgresAdminUrl();
  if (url) await ensurePostgresTemplate(url);
}
