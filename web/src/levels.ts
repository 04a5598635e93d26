/**
 * Colours of the tree's levels and grid kinds, shared by the tree's tags and
 * the map's polygons so a district looks the same in both places.
 */
import type { Level, NodeKind } from './api';

export const LEVEL_ORDER: readonly Level[] = ['province', 'city', 'district', 'street', 'community', 'grid', 'unit', 'cell'];

export const LEVEL_COLORS: Record<Level, string> = {
  province: '#6d28d9',
  city: '#1d5fd1',
  district: '#0f8a7a',
  street: '#c2680a',
  community: '#b8367a',
  grid: '#2f6fdb',
  unit: '#0b8ba6',
  cell: '#5b8c12',
};

/** Grids are told apart by kind (综合/专属/专业/线上) rather than by level. */
export const KIND_COLORS: Record<Exclude<NodeKind, 'admin'>, string> = {
  comprehensive: '#2f6fdb',
  special: '#d9480f',
  professional: '#7b3fd1',
  online: '#64748b',
};

export function colorOf(level: Level, kind: NodeKind): string {
  return kind === 'admin' ? LEVEL_COLORS[level] : KIND_COLORS[kind];
}
