#!/usr/bin/env node
/**
 * The `wangge` command: serve, migrate, import divisions and boundaries,
 * create the first administrator.
 */
import { Command } from 'commander';
import { ConfigError } from '../server/config.js';
import { registerServe } from './commands/serve.js';
import { registerMigrate } from './commands/migrate.js';
import { registerAdmin } from './commands/admin.js';
import { registerImportDivisions } from './commands/import-divisions.js';
import { registerImportBoundaries } from './commands/import-boundaries.js';
import { registerImportCases } from './commands/import-cases.js';
import { registerImportRegistry } from './commands/import-registry.js';
import { registerKeys } from './commands/keys.js';
import { registerVerifyMeasures } from './commands/verify-measures.js';

const program = new Command('wangge').description('Wangge (网格): grid-based grassroots governance').showHelpAfterError();
registerServe(program);
registerMigrate(program);
registerAdmin(program);
const imp = program.command('import').description('import divisions or boundaries');
registerImportDivisions(imp);
registerImportBoundaries(imp);
registerImportCases(imp);
registerImportRegistry(imp);
registerKeys(program);
registerVerifyMeasures(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(err.message + '\n');
    process.exit(2);
  }
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
