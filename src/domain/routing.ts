/**
 * Routing by the responsibility list (责任清单): for each category (or category
 * subtree) and each part of the grid tree, which level handles a case, which
 * unit leads, who assists, and the deadlines. The most specific entry wins:
 * the deepest node first, then the most specific category. Entries are unique
 * per (node, category), so ties cannot happen; `resolveRoute` still reports one
 * if it is handed duplicates.
 */
import type { DeadlineSpec } from './calendar.js';
import { isWithin, type Level } from './tree.js';

/** Levels a case can be handled at (办理层级). */
export const HANDLING_LEVELS = ['grid', 'community', 'street', 'district', 'city'] as const satisfies readonly Level[];
export type HandlingLevel = (typeof HANDLING_LEVELS)[number];

/**
 * The lead unit (主办): a department of a kind (found at the handling level's
 * node or the nearest above it), the handling node's own office, or the grid
 * worker of the case's grid.
 */
export type LeadUnit = { type: 'department'; departmentKind: string } | { type: 'node_office' } | { type: 'grid_worker' };

export interface Deadlines {
  accept: DeadlineSpec; // 受理时限
  sign: DeadlineSpec; // 签收时限
  handle: DeadlineSpec; // 处置时限
}

export interface ResponsibilityEntry {
  id: number;
  /** ltree path of the category codes, e.g. 'dispute.neighbour'. */
  categoryPath: string;
  /** ltree path of the node the entry covers (and its subtree). */
  nodePath: string;
  handlingLevel: HandlingLevel;
  lead: LeadUnit;
  /** Department kinds that assist (协办). */
  coHandlers: string[];
  deadlines: Deadlines;
  /** Dispatch at once on acceptance, without a dispatcher. */
  autoDispatch: boolean;
}

export interface RouteDecision {
  entry: ResponsibilityEntry;
  /** Code of the node at the handling level on the case's path (the handling node). */
  handlingNodeCode: string;
  /** Entries that also matched, less specific, most specific first. */
  alsoMatched: ResponsibilityEntry[];
  /** Why this entry won, for people. */
  explanation: string;
}

const LEVEL_DEPTH: Record<HandlingLevel, number> = { city: 2, district: 3, street: 4, community: 5, grid: 6 };

function depth(path: string): number {
  return path === '' ? 0 : path.split('.').length;
}

export class RoutingTieError extends Error {
  constructor(readonly entries: ResponsibilityEntry[]) {
    super(`responsibility entries ${entries.map((e) => e.id).join(', ')} are equally specific`);
  }
}

/** Orders matching entries most specific first: deeper node, then deeper category. */
export function bySpecificity(a: ResponsibilityEntry, b: ResponsibilityEntry): number {
  return depth(b.nodePath) - depth(a.nodePath) || depth(b.categoryPath) - depth(a.categoryPath);
}

/**
 * The entry that decides where a case of `categoryPath` at `casePath` (the
 * path of the grid or node it is in) goes, or undefined when none covers it.
 * When the handling level lies below the case's node (a case placed only at
 * a street, an entry saying "grid"), the case's own node handles it.
 */
export function resolveRoute(entries: readonly ResponsibilityEntry[], categoryPath: string, casePath: string): RouteDecision | undefined {
  const matching = entries.filter((e) => isWithin(categoryPath, e.categoryPath) && isWithin(casePath, e.nodePath)).sort(bySpecificity);
  const [best, second] = matching;
  if (!best) return undefined;
  if (second && bySpecificity(best, second) === 0) throw new RoutingTieError(matching.filter((e) => bySpecificity(best, e) === 0));
  const labels = casePath.split('.');
  const handlingNodeCode = labels[Math.min(LEVEL_DEPTH[best.handlingLevel], labels.length) - 1]!;
  return {
    entry: best,
    handlingNodeCode,
    alsoMatched: matching.slice(1),
    explanation:
      `Entry #${best.id} covers category ${best.categoryPath} at node ${best.nodePath.split('.').pop() ?? '(all)'}` +
      (matching.length > 1 ? `; it is the most specific of ${matching.length} matching entries (deepest node, then most specific category)` : '; it is the only matching entry') +
      `. Handling level ${best.handlingLevel} → node ${handlingNodeCode}.`,
  };
}

/** Pairs of entries that would tie: same node and same category. */
export function findTies(entries: readonly ResponsibilityEntry[]): [ResponsibilityEntry, ResponsibilityEntry][] {
  const seen = new Map<string, ResponsibilityEntry>();
  const ties: [ResponsibilityEntry, ResponsibilityEntry][] = [];
  for (const e of entries) {
    const key = `${e.nodePath}|${e.categoryPath}`;
    const prev = seen.get(key);
    if (prev) ties.push([prev, e]);
    else seen.set(key, e);
  }
  return ties;
}

/** One level up from a handling level (上报), or undefined at the city. */
export function levelAbove(level: HandlingLevel): HandlingLevel | undefined {
  return HANDLING_LEVELS[HANDLING_LEVELS.indexOf(level) + 1];
}
