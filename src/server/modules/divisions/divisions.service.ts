/**
 * Imports the national division tree (行政区划, province → village) into
 * `nodes`: kind 'admin', source 'division', path = the codes from the
 * province down. Idempotent: rows already right are left alone, a changed
 * name is updated, nothing is duplicated.
 */
import type { Progress } from '../../../cli/progress.js';
import type { Db } from '../../db/db.js';
import { isPlaceholderCity, parseRegion, regionAncestors, shortDivisionName, type Region } from '../../../domain/divisions.js';
import { cityCodeOf, depthOf, parentCodeOf, pathOf } from '../../../domain/tree.js';
import { fieldError } from '../../errors.js';
import { readDivisions, type DivisionLevelRows } from './divisions.source.js';
import { analyzeNodes, upsertDivisions, type DivisionBatch } from './divisions.repository.js';

export interface ImportDivisionsResult {
  inserted: number;
  updated: number;
  unchanged: number;
  total: number;
  ms: number;
}

export interface ImportDivisionsOptions {
  /** Rows per statement (and per transaction). */
  batchSize?: number;
  /** Statements in flight at once on PostgreSQL (PGlite is one connection: always 1). */
  concurrency?: number;
  /** Folder with the package's CSV files (tests). */
  dataDir?: string;
  /** The region already loaded with loadRegion (the CLI checks it before opening the database). */
  loaded?: LoadedRegion;
}

export interface LoadedRegion {
  /** The region as given. */
  input: string;
  region: Region;
  levels: DivisionLevelRows[];
}

/**
 * Reads the rows of `region` and checks it names a division.
 * @throws AppError VALIDATION_FAILED (field `region`) for a malformed or unknown region.
 */
export async function loadRegion(region: string, dataDir?: string): Promise<LoadedRegion> {
  const parsed = parseRegion(region);
  if (!parsed.ok) throw fieldError('region', parsed.reason);
  const levels = await readDivisions(parsed.region, dataDir);
  return { input: region, region: checkRegion(region, levels), levels };
}

/**
 * Parses and checks `region` against the data: VALIDATION_FAILED (field
 * `region`) when it is malformed or names no division.
 */
export function checkRegion(region: string, levels: DivisionLevelRows[]): Region {
  const parsed = parseRegion(region);
  if (!parsed.ok) throw fieldError('region', parsed.reason);
  const r = parsed.region;
  if (r.kind === 'code') {
    const rows = levels.find((l) => l.level === r.level)?.rows ?? [];
    if (!rows.some((row) => row.code === r.code)) throw fieldError('region', `no ${r.level} with code ${r.code} in the national division data`);
    for (const a of regionAncestors(r)) {
      if (!levels.some((l) => l.rows.some((row) => row.code === a))) throw fieldError('region', `the division data lacks ${a}, an ancestor of ${r.code}`);
    }
  }
  return r;
}

function toBatch(level: DivisionLevelRows['level'], rows: DivisionLevelRows['rows']): DivisionBatch {
  const b: DivisionBatch = { level, depth: depthOf(level), cityCodes: [], codes: [], parentCodes: [], names: [], paths: [], attributes: [] };
  for (const r of rows) {
    b.cityCodes.push(cityCodeOf(r.code));
    b.codes.push(r.code);
    b.parentCodes.push(parentCodeOf(r.code) ?? null);
    b.names.push(r.name);
    b.paths.push(pathOf(r.code));
    const short = shortDivisionName(r.name, level);
    b.attributes.push(
      short !== r.name ? JSON.stringify({ shortName: short }) : level === 'city' && isPlaceholderCity(r.name) ? '{"placeholder":true}' : '{}',
    );
  }
  return b;
}

/**
 * Imports `region` ('all', or a 2-, 4- or 6-digit code: that division, its
 * ancestors and everything below it).
 *
 * Batched transactions, levels top-down: each batch is one statement, hence
 * one transaction. Why not one transaction for the whole country: PGlite is
 * a single connection that a 660,000-row transaction would hold for the whole
 * run, and PostgreSQL would keep every row version until the end; since each
 * batch is idempotent, an interrupted import is completed by running it
 * again. Levels go top-down with a barrier between them, so even a partial
 * import never has a row whose parent is missing.
 *
 * @throws AppError VALIDATION_FAILED (field `region`) for a malformed or unknown region.
 */
export async function importDivisions(db: Db, region: string, progress: Progress, opts: ImportDivisionsOptions = {}): Promise<ImportDivisionsResult> {
  const t0 = performance.now();
  const { levels } = opts.loaded ?? (await loadRegion(region, opts.dataDir));
  const batchSize = opts.batchSize ?? 5000;
  const concurrency = db.engine === 'pglite' ? 1 : Math.max(1, opts.concurrency ?? 4);
  const total = levels.reduce((n, l) => n + l.rows.length, 0);
  let inserted = 0;
  let updated = 0;
  let done = 0;
  progress.start(`import divisions ${region}`, total);
  try {
    for (const { level, rows } of levels) {
      const batches: DivisionBatch[] = [];
      for (let i = 0; i < rows.length; i += batchSize) batches.push(toBatch(level, rows.slice(i, i + batchSize)));
      let next = 0;
      const worker = async () => {
        while (next < batches.length) {
          const b = batches[next++]!;
          const r = await upsertDivisions(db, b);
          inserted += r.inserted;
          updated += r.updated;
          done += b.codes.length;
          progress.update(done);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
    }
    if (inserted > 0) await analyzeNodes(db);
  } finally {
    progress.stop();
  }
  return { inserted, updated, unchanged: total - inserted - updated, total, ms: Math.round(performance.now() - t0) };
}
