import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../server/config.js';
import type { Db } from '../../server/db/db.js';
import { openDb } from '../../server/db/open.js';
import { migrate } from '../../server/db/migrate.js';
import { AppError } from '../../server/errors.js';
import { loadDataKeys, PersonalData } from '../../server/lib/personal-data.js';
import { CLI_IMPORT_MAX_ROWS, importCases, type ImportReport } from '../../server/modules/ledgers/ledgers.import.js';
import { grantsOf } from '../../server/modules/users/users.repository.js';
import type { Actor } from '../../domain/permissions.js';
import type { Config } from '../../server/config.js';
import { createProgress, type Progress } from '../progress.js';

/** Whoever runs the CLI has the database itself: a whole-tree operator, named as such in the audit log. */
const CLI_ACTOR: Actor = { userId: '', name: 'wangge CLI', grants: [{ role: 'administrator', nodeCode: null, nodePath: '' }] };

/** The actor to import as: a named user (their grants decide where rows may land), or the CLI operator. */
async function actorFor(db: Db, username: string | undefined): Promise<Actor> {
  if (!username) return CLI_ACTOR;
  const [u] = await db.query<{ id: string; display_name: string }>('SELECT id, display_name FROM users WHERE username = $1', [username]);
  if (!u) throw new AppError('USER_NOT_FOUND', `No user ${username}.`);
  const grants = (await grantsOf(db, u.id)).map((g) => ({ role: g.role, nodeCode: g.node_code, nodePath: g.node_path, departmentId: g.department_id }));
  return { userId: u.id, name: u.display_name, grants } as Actor;
}

/** Reads a case file and imports it (or only checks it) with a progress bar; returns the row report. */
export async function importCasesFile(db: Db, config: Config, file: string, opts: { dryRun: boolean; as?: string; progress: Progress }): Promise<ImportReport> {
  const buf = await readFile(file);
  const actor = await actorFor(db, opts.as);
  const ctx = { db, actor, config, pd: new PersonalData(loadDataKeys(config.dataKey)), log: pino({ level: 'warn' }) };
  let started = false;
  try {
    return await importCases(ctx, buf, {
      dryRun: opts.dryRun,
      fileName: basename(file),
      maxRows: CLI_IMPORT_MAX_ROWS,
      onProgress: (done, total) => {
        if (!started) opts.progress.start(opts.dryRun ? 'checking rows' : 'importing rows', total);
        started = true;
        opts.progress.update(done);
      },
    });
  } finally {
    if (started) opts.progress.stop();
  }
}

/** One line per rejected row ("第57行 类别 不存在"), then the totals. */
export function formatImportReport(r: ImportReport): string {
  const lines = r.problems.map((p) => p.message);
  lines.push(
    `${r.total} rows: ${r.accepted} accepted (${r.created} created, ${r.existing} already imported), ${r.rejected} rejected` +
      (r.dryRun ? ' — dry run, nothing written' : ''),
  );
  return lines.join('\n') + '\n';
}

/** `wangge import cases <file.xlsx|file.csv> [--dry-run] [--as <username>]`. */
export function registerImportCases(parent: Command): void {
  parent
    .command('cases')
    .description('import cases from an .xlsx or .csv file with Chinese headers (see the import template); a re-run creates nothing twice')
    .argument('<file>', 'an .xlsx or .csv file (UTF-8 or GB18030)')
    .option('--dry-run', 'check every row and report; write nothing')
    .option('--as <username>', 'import as this user (their part of the tree); default: the CLI operator (whole tree)')
    .action(async (file: string, opts: { dryRun?: boolean; as?: string }) => {
      const config = loadConfig();
      const progress = createProgress();
      const db = await openDb(config);
      try {
        await migrate(db, (name) => progress.log(`migrating: ${name}`));
        const report = await importCasesFile(db, config, file, { dryRun: !!opts.dryRun, as: opts.as, progress });
        process.stdout.write(formatImportReport(report));
        if (report.rejected) process.exitCode = 1;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        process.stderr.write(`${err.message}\n`);
        for (const f of err.fields ?? []) process.stderr.write(`  ${f.field}: ${f.reason}\n`);
        process.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}
