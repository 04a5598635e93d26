import type { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { prepare, listen } from '../../server/server.js';
import { createProgress } from '../progress.js';

export function registerServe(program: Command): void {
  program
    .command('serve', { isDefault: true })
    .description('start the server (creates the demo city on the first start in demo mode)')
    .option('-p, --port <port>', 'port to listen on')
    .option('--host <host>', 'address to listen on')
    .action(async (opts: { port?: string; host?: string }) => {
      const t0 = performance.now();
      const env = { ...process.env, ...(opts.port ? { PORT: opts.port } : {}), ...(opts.host ? { HOST: opts.host } : {}) };
      const config = loadConfig(env);
      const progress = createProgress();
      const deps = await prepare(config, (m) => progress.log(m));
      if (config.mode === 'demo') {
        const [{ ensureDemoCity }, { generateDemoCases }] = await Promise.all([import('../../server/demo/demo-city.js'), import('../../server/demo/case-generator.js')]);
        await ensureDemoCity(deps, progress);
        // Three months of cases so every screen has something true to show (once; then one indexed read).
        await generateDemoCases(deps.db, {
          cityCode: '4413',
          months: 3,
          progress,
          ratingDays: config.ratingDays,
          yellowShare: config.yellowShare,
          autoEscalateHours: config.autoEscalateHours,
        });
        // Households, residents, places and things in the demo communities, cases about things linked (once).
        await (await import('../../server/demo/demo-registry.js')).generateDemoRegistry(deps, progress);
        // Visits, a patrol, linkage trees and a storm warning (after the registry; once).
        await (await import('../../server/demo/demo-care.js')).generateDemoCare(deps.db, progress);
      }
      else await (await import('../../server/modules/users/first-admin.js')).ensureFirstAdmin(deps, (m) => progress.log(m));
      const running = await listen(deps);
      const ms = Math.round(performance.now() - t0);
      process.stderr.write(
        `\nWangge is ready at ${running.url} (${deps.db.engine}${deps.db.engine === 'pglite' ? ` in ${config.dataDir}` : ''}, ${config.mode} mode, ${ms} ms)\n` +
          `API docs: ${running.url}/docs\n`,
      );
      if (config.mode === 'demo') {
        const rows = await deps.db.query<{ value: { logins?: { username: string; password: string; role: string; node: string }[] } }>(
          `SELECT value FROM app_meta WHERE key = 'demo'`,
        );
        const logins = rows[0]?.value.logins ?? [];
        if (logins.length) {
          process.stderr.write('\nDEMO MODE — demo logins (never use demo mode for real data):\n');
          for (const l of logins) process.stderr.write(`  ${l.username.padEnd(16)} ${l.password.padEnd(14)} ${l.role} @ ${l.node}\n`);
        }
      }
      const stop = async () => {
        await running.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
