import { ensurePgliteTemplate } from './engines.js';

/** Prepares the migrated PGlite template once per run. */
export default async function setup() {
  await ensurePgliteTemplate();
}
