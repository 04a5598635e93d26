import type { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform } from 'node:stream';
import { loadConfig } from '../../server/config.js';
import type { Db } from '../../server/db/db.js';
import { openDb } from '../../server/db/open.js';
import { migrate } from '../../server/db/migrate.js';
import { AppError } from '../../server/errors.js';
import { loadDataKeys, PersonalData } from '../../server/lib/personal-data.js';
import { importLedger, type ImportReport } from '../../server/modules/registry/registry.import.js';
import { grantsOf } from '../../server/modules/users/users.repository.js';
import type { Actor } from '../../domain/permissions.js';
import type { LedgerKind } from '../../domain/registry.js';
import { createProgress, type Progress } from '../progress.js';

/** Whoever runs the CLI has the database itself: a whole-tree operator, named as such in the audit log. */
const CLI_ACTOR: Actor = { userId: '', name: 'wangge CLI', grants: [{ role: 'administrator', nodeCode: null, nodePath: '' }] };

async function actorFor(db: Db, username: string | undefined): Promise<Actor> {
  if (!username) return CLI_ACTOR;
  const [u] = await db.query<{ id: string; display_name: string }>('SELECT id, display_name FROM users WHERE username = $1', [username]);
  if (!u) throw new AppError('USER_NOT_FOUND', `No user ${username}.`);
  const grants = (await grantsOf(db, u.id)).map((g) => ({ role: g.role, nodeCode: g.node_code, nodePath: g.node_path, departmentId: g.department_id }));
  return { userId: u.id, name: u.display_name, grants } as Actor;
}

/**
 * Streams a ledger file into the registry with a progress bar over the bytes
 * read (the row count is not known before the end of a streamed file).
 */
export async function importRegistryFile(
  db: Db,
  pd: PersonalData,
  kind: LedgerKind,
  file: string,
  opts: { dryRun?: boolean; node?: string; as?: string; progress: Progress; batchSize?: number },
): Promise<ImportReport> {
  const size = (await stat(file)).size;
  const actor = await actorFor(db, opts.as);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const input = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(counter);
  opts.progress.start(`${opts.dryRun ? 'checking' : 'importing'} ${kind} (bytes)`, size);
  try {
    return await importLedger(db, pd, actor, {
      kind, input, filename: basename(file), dryRun: opts.dryRun, defaultNodeCode: opts.node, batchSize: opts.batchSize,
      onProgress: () => opts.progress.update(bytes),
    });
  } finally {
    opts.progress.update(bytes);
    opts.progress.stop();
  }
}

/** One line per rejected row ("第57行 身份证号 校验位错误"), then the totals. */
export function formatRegistryReport(r: ImportReport): string {
  const lines = r.problems.map((p) => p.message);
  if (r.rejected > r.problems.length) lines.push(`… and ${r.rejected - r.problems.length} more rejected rows`);
  const hh = r.households ? `; households ${r.households.inserted} created, ${r.households.matched} matched by address` : '';
  lines.push(
    `${r.rows} rows: ${r.inserted} inserted, ${r.updated} updated, ${r.rejected} rejected${hh} in ${(r.ms / 1000).toFixed(1)} s` +
      (r.ms > 0 ? ` (${Math.round((r.rows / r.ms) * 1000)} rows/s)` : '') + (r.dryRun ? ' — dry run, nothing written' : ''),
  );
  return lines.join('\n') + '\n';
}

/** `wangge import residents|places|things <file> [--dry-run] [--node <grid>] [--as <username>]`. */
export function registerImportRegistry(parent: Command): void {
  const kinds: [LedgerKind, string][] = [
    ['residents', 'households and residents (one row per resident, with the household address columns; Chinese headers)'],
    ['places', 'places: buildings, shops, enterprises, schools, hospitals'],
    ['things', 'things (city components): street lights, manholes, hydrants …'],
  ];
  for (const [kind, description] of kinds) {
    parent
      .command(`${kind} <file>`)
      .description(`import a ledger of ${description} from .xlsx or .csv`)
      .option('--dry-run', 'check every row and report, keep nothing', false)
      .option('--node <grid>', 'the grid for rows without a 网格编码 cell')
      .option('--as <username>', 'import as this user (their roles decide where rows may land)')
      .action(async (file: string, opts: { dryRun: boolean; node?: string; as?: string }) => {
        const config = loadConfig();
        const progress = createProgress();
        const db = await openDb(config);
        try {
          await migrate(db, (name) => progress.log(`migrating: ${name}`));
          const r = await importRegistryFile(db, new PersonalData(loadDataKeys(config.dataKey)), kind, file, { ...opts, progress });
          process.stdout.write(formatRegistryReport(r));
          if (r.rejected > 0) process.exitCode = 1;
        } catch (err) {
          if (err instanceof AppError) {
            process.stderr.write(`${err.message}\n`);
            process.exitCode = 2;
            return;
          }
          throw err;
        } finally {
          await db.close();
        }
      });
  }
}
