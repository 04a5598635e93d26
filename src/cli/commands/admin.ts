import type { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { openDb } from '../../server/db/open.js';
import { migrate } from '../../server/db/migrate.js';
import { createAdministrator } from '../../server/modules/users/first-admin.js';
import { AppError } from '../../server/errors.js';

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('manage administrators');
  admin
    .command('create')
    .description('create an administrator (the password is generated and printed once unless WANGGE_ADMIN_PASSWORD is set)')
    .requiredOption('-u, --username <username>', 'username')
    .option('-n, --name <name>', 'display name', 'Administrator')
    .option('--node <code>', 'node code the role covers (default: the whole tree)')
    .action(async (opts: { username: string; name: string; node?: string }) => {
      const config = loadConfig();
      const db = await openDb(config);
      try {
        await migrate(db);
        const password = process.env.WANGGE_ADMIN_PASSWORD || undefined;
        const created = await db.transaction((trx) =>
          createAdministrator(trx, { username: opts.username, displayName: opts.name, password, nodeCode: opts.node, mustChangePassword: !password }),
        );
        process.stdout.write(`created administrator ${opts.username} (${created.id})\n`);
        if (!password) process.stdout.write(`one-time password (change it at first sign-in): ${created.password}\n`);
      } catch (err) {
        if (err instanceof AppError) {
          process.stderr.write(`${err.message}\n`);
          process.exitCode = 2;
        } else throw err;
      } finally {
        await db.close();
      }
    });
}
