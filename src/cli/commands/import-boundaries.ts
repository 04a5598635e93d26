import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../server/config.js';
import type { Db } from '../../server/db/db.js';
import { openDb } from '../../server/db/open.js';
import { migrate } from '../../server/db/migrate.js';
import { AppError } from '../../server/errors.js';
import { importBoundaries, type ImportReport } from '../../server/modules/boundaries/boundaries.service.js';
import type { Actor } from '../../domain/permissions.js';
import { createProgress, type Progress } from '../progress.js';

/** Whoever runs the CLI has the database itself: a whole-tree operator, named as such in the audit log. */
const CLI_ACTOR: Actor = { userId: '', name: 'wangge CLI', grants: [{ role: 'administrator', nodeCode: null, nodePath: '' }] };

/**
 * Reads a GeoJSON file and imports its boundaries (or only checks them with
 * dryRun). Returns the report; a rejected file throws GEOJSON_INVALID with
 * the report in its details, like the API.
 */
export async function importBoundariesFile(db: Db, file: string, opts: { dryRun: boolean; progress: Progress }): Promise<ImportReport> {
  const { progress } = opts;
  progress.log(`reading ${file}`);
  let body: unknown;
  try {
    body = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new AppError('GEOJSON_INVALID', `${file} is not readable JSON: ${(err as Error).message}`);
  }
  let phase = '';
  try {
    return await importBoundaries(db, CLI_ACTOR, body, {
      dryRun: opts.dryRun,
      auditActor: { id: null, name: 'wangge CLI' },
      onProgress: (p, done, total) => {
        if (p !== phase) {
          if (phase) progress.stop();
          phase = p;
          progress.start(p, total);
        }
        progress.update(done);
      },
    });
  } finally {
    if (phase) progress.stop();
  }
}

/** One line per feature that needs a look, then the totals. */
export function formatReport(r: ImportReport): string {
  const lines: string[] = [];
  for (const f of r.features) {
    if (f.status === 'ok' && f.warnings.length === 0) continue;
    const who = [f.code, f.name].filter(Boolean).join(' ') || '(unnamed)';
    lines.push(`#${f.index} ${who}: ${f.status}`);
    for (const p of f.problems) lines.push(`    problem: ${p}`);
    for (const w of f.warnings) lines.push(`    warning: ${w}`);
  }
  lines.push(
    `${r.features.length} features: ${r.accepted} accepted (${r.created} new, ${r.updated} updated), ${r.rejected} rejected, ` +
      `${r.repaired} repaired, ${r.warnings} warnings — ${r.written ? 'written' : r.dryRun ? 'dry run, nothing written' : 'nothing written'}`,
  );
  return lines.join('\n') + '\n';
}

/** `wangge import boundaries <file.geojson> [--dry-run]`. */
export function registerImportBoundaries(parent: Command): void {
  parent
    .command('boundaries')
    .description('import grid and division boundaries from a GeoJSON FeatureCollection (all or nothing)')
    .argument('<file>', 'a .geojson file: features with properties.code (or id), or properties.name + properties.parentCode')
    .option('--dry-run', 'check and report only; write nothing')
    .action(async (file: string, opts: { dryRun?: boolean }) => {
      const config = loadConfig();
      const progress = createProgress();
      const db = await openDb(config);
      try {
        await migrate(db, (name) => progress.log(`migrating: ${name}`));
        const report = await importBoundariesFile(db, file, { dryRun: !!opts.dryRun, progress });
        process.stdout.write(formatReport(report));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const report = err.details?.report as ImportReport | undefined;
        if (report) process.stdout.write(formatReport(report));
        process.stderr.write(`${err.message}\n`);
        process.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}
