/**
 * National administrative divisions (行政区划, GB/T 2260 and the statistical
 * codes to village level): which rows an import region takes, and the short
 * names people use. Pure rules, no I/O.
 */
import { CODE_LENGTH, levelOfCode, type Level } from './tree.js';

/** An import region: the whole country, or one province, city or district with everything below it. */
export type Region = { kind: 'all' } | { kind: 'code'; code: string; level: 'province' | 'city' | 'district' };

export type RegionParse = { ok: true; region: Region } | { ok: false; reason: string };

/**
 * Parses `--region`: `all`, or a 2-, 4- or 6-digit division code. Whether the
 * code exists is for the importer to say (it has the data).
 */
export function parseRegion(input: string): RegionParse {
  const s = input.trim();
  if (s.toLowerCase() === 'all') return { ok: true, region: { kind: 'all' } };
  if (!/^\d+$/.test(s)) return { ok: false, reason: 'must be "all" or a 2-, 4- or 6-digit division code (e.g. 44, 4413, 441302)' };
  const level = levelOfCode(s);
  if (level !== 'province' && level !== 'city' && level !== 'district') {
    return { ok: false, reason: `must have 2, 4 or 6 digits (a province, city or district code), got ${s.length}` };
  }
  return { ok: true, region: { kind: 'code', code: s, level } };
}

/**
 * True when the division `code` belongs to an import of `region`: the region's
 * own division, its ancestors (so every path is complete) and its whole subtree.
 */
export function regionIncludes(region: Region, code: string): boolean {
  if (region.kind === 'all') return true;
  return code.startsWith(region.code) || (code.length < region.code.length && region.code.startsWith(code));
}

/** The ancestor codes of a region's division, top first (e.g. 441302 → 44, 4413). */
export function regionAncestors(region: Region): string[] {
  if (region.kind === 'all') return [];
  const out: string[] = [];
  for (const l of ['province', 'city'] as const) {
    if (CODE_LENGTH[l] < region.code.length) out.push(region.code.slice(0, CODE_LENGTH[l]));
  }
  return out;
}

/**
 * The short name of a village-level division: the official names end in the
 * committee's title (社区居委会 residents' committee, 村委会 villagers'
 * committee); people say 东湖社区 or 石湾村. Other levels keep their name.
 */
export function shortDivisionName(name: string, level: Level): string {
  if (level !== 'community') return name;
  const rules: [RegExp, string][] = [
    [/社区(居委会|居民委员会)$/, '社区'],
    [/(居委会|居民委员会)$/, '社区'],
    [/村(委会|民委员会)$/, '村'],
  ];
  for (const [re, to] of rules) {
    if (re.test(name)) {
      const short = name.replace(re, to);
      return short.length > to.length ? short : name;
    }
  }
  return name;
}

/**
 * Placeholder city-level rows of the national data (市辖区 under the
 * municipalities, 省直辖县级行政区划 for county-level cities governed by the
 * province): real rows with real codes that hold children, but no city of
 * their own. Marked so that the UI can label them by their province.
 */
export function isPlaceholderCity(name: string): boolean {
  return name === '市辖区' || name === '县' || /直辖县级行政区划$/.test(name);
}

/** The name of the n-th (1-based) comprehensive grid of a community: 东湖社区第1网格. */
export function gridName(communityShortName: string, n: number): string {
  return `${communityShortName}第${n}网格`;
}
