/**
 * The grid tree (网格体系): levels, codes and materialised paths. Pure rules,
 * no I/O; used by the server, the importers and the browser.
 */

export const LEVELS = ['province', 'city', 'district', 'street', 'community', 'grid', 'unit', 'cell'] as const;
export type Level = (typeof LEVELS)[number];

/** Grid kinds: 综合网格, 专属网格, 专业网格, 线上网格. 'admin' marks an administrative division. */
export const NODE_KINDS = ['admin', 'comprehensive', 'special', 'professional', 'online'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];
export const GRID_KINDS = ['comprehensive', 'special', 'professional', 'online'] as const satisfies readonly NodeKind[];
export type GridKind = (typeof GRID_KINDS)[number];

/** Code length of each level: 2, 4, 6, 9, 12 (official) then +3, +2, +2. */
export const CODE_LENGTH: Record<Level, number> = {
  province: 2,
  city: 4,
  district: 6,
  street: 9,
  community: 12,
  grid: 15,
  unit: 17,
  cell: 19,
};

/** Depth of a level in the tree, 1 = province. */
export function depthOf(level: Level): number {
  return LEVELS.indexOf(level) + 1;
}

export function levelOfCode(code: string): Level | undefined {
  if (!/^\d+$/.test(code)) return undefined;
  return LEVELS.find((l) => CODE_LENGTH[l] === code.length);
}

/** The level directly below, or undefined under a cell. */
export function childLevel(level: Level): Level | undefined {
  return LEVELS[LEVELS.indexOf(level) + 1];
}

/** Administrative levels come from the national division codes; grid levels are drawn by the city. */
export function isGridLevel(level: Level): boolean {
  return level === 'grid' || level === 'unit' || level === 'cell';
}

/** The parent's code: the code cut to the previous level's length. */
export function parentCodeOf(code: string): string | undefined {
  const level = levelOfCode(code);
  if (!level || level === 'province') return undefined;
  const parent = LEVELS[LEVELS.indexOf(level) - 1]!;
  return code.slice(0, CODE_LENGTH[parent]);
}

/**
 * The city code a node's rows are distributed by (Citus): the first four digits;
 * a province row uses its two digits + '00'.
 */
export function cityCodeOf(code: string): string {
  return code.length >= 4 ? code.slice(0, 4) : code.padEnd(4, '0');
}

/** Materialised path: the codes from the province down, joined by dots (an ltree). */
export function pathOf(code: string): string {
  const level = levelOfCode(code);
  if (!level) throw new Error(`not a node code: ${code}`);
  const parts: string[] = [];
  for (const l of LEVELS.slice(0, LEVELS.indexOf(level) + 1)) parts.push(code.slice(0, CODE_LENGTH[l]));
  return parts.join('.');
}

/** True when `path` is `ancestor` itself or lies beneath it. */
export function isWithin(path: string, ancestor: string): boolean {
  return ancestor === '' || path === ancestor || path.startsWith(ancestor + '.');
}

/** The next free child code under `parentCode`, given the codes already used. */
export function nextChildCode(parentCode: string, used: Iterable<string>): string {
  const parentLevel = levelOfCode(parentCode);
  const level = parentLevel && childLevel(parentLevel);
  if (!level || !isGridLevel(level)) throw new Error(`no grid level below ${parentCode}`);
  const width = CODE_LENGTH[level] - parentCode.length;
  let max = 0;
  for (const c of used) {
    if (c.length === CODE_LENGTH[level] && c.startsWith(parentCode)) max = Math.max(max, Number(c.slice(parentCode.length)));
  }
  const next = max + 1;
  if (next >= 10 ** width) throw new Error(`no free ${level} code under ${parentCode}`);
  return parentCode + String(next).padStart(width, '0');
}

export const LEVEL_NAMES: Record<Level, { zh: string; en: string }> = {
  province: { zh: '省', en: 'Province' },
  city: { zh: '市', en: 'City' },
  district: { zh: '区/县', en: 'District' },
  street: { zh: '街道/乡镇', en: 'Street/Town' },
  community: { zh: '社区/村', en: 'Community/Village' },
  grid: { zh: '网格', en: 'Grid' },
  unit: { zh: '单元格', en: 'Unit grid' },
  cell: { zh: '细胞格', en: 'Cell grid' },
};
