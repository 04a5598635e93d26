import type { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { openDb } from '../../server/db/open.js';
import { migrate } from '../../server/db/migrate.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (also done at every start)')
    .action(async () => {
      const config = loadConfig();
      const db = await openDb(config);
      try {
        const applied = await migrate(db, (name) => process.stderr.write(`applying ${name}\n`));
        process.stdout.write(applied.length ? `applied ${applied.length} migration(s)\n` : 'database is up to date\n');
      } finally {
        await db.close();
      }
    });
}
