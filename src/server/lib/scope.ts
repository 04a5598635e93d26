import { scopePaths, type Actor } from '../../domain/permissions.js';

/**
 * The one helper that scopes list queries to the caller's part of the tree.
 * Returns a SQL condition on an ltree column and pushes its parameter;
 * `TRUE` for a whole-tree grant.
 *
 *   const params: unknown[] = [];
 *   const where = whereInScope(actor, 'n.path', params);
 */
export function whereInScope(actor: Actor, pathColumn: string, params: unknown[]): string {
  const paths = scopePaths(actor);
  if (paths.includes('')) return 'TRUE';
  if (paths.length === 0) return 'FALSE';
  params.push(paths);
  return `${pathColumn} <@ $${params.length}::ltree[]`;
}
