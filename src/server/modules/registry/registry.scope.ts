/**
 * Scope of the registry: a record is visible to the grants whose role holds the
 * reading permission (a department's grant at a district does not make the
 * district's households visible). Out of scope answers 404, like a missing
 * record; visible but without the permission to act answers 403.
 */
import { ROLE_PERMISSIONS, type Actor, type Permission } from '../../../domain/permissions.js';
import { isWithin } from '../../../domain/tree.js';
import { AppError } from '../../errors.js';
import type { PersonalData } from '../../lib/personal-data.js';
import { maskPhone } from '../../lib/personal-data.js';
import { maskId, parseIdNumber, ID_NUMBER_PROBLEM_TEXT } from '../../../domain/id-number.js';
import { SENSITIVE_TAGS } from '../../../domain/registry.js';

/** The tops of the subtrees where the actor holds `perm`. */
export function pathsWith(actor: Actor, perm: Permission): string[] {
  const paths = [...new Set(actor.grants.filter((g) => ROLE_PERMISSIONS[g.role].includes(perm)).map((g) => g.nodePath))].sort((a, b) => a.length - b.length);
  const tops: string[] = [];
  for (const p of paths) if (!tops.some((t) => isWithin(p, t))) tops.push(p);
  return tops;
}

/** A SQL condition on an ltree column limiting rows to where the actor holds `perm`; pushes its parameter. */
export function whereWith(actor: Actor, perm: Permission, column: string, params: unknown[]): string {
  const paths = pathsWith(actor, perm);
  if (paths.includes('')) return 'TRUE';
  if (paths.length === 0) return 'FALSE';
  params.push(paths);
  return `${column} <@ $${params.length}::ltree[]`;
}

export function holds(actor: Actor, perm: Permission, path: string): boolean {
  return pathsWith(actor, perm).some((p) => isWithin(path, p));
}

/**
 * Throws NOT_FOUND (404) when the record is missing or outside where the actor
 * may read it (`read`), FORBIDDEN (403) when the actor may not `act` there.
 */
export function authorize<T extends { node_path: string }>(actor: Actor, row: T | undefined, read: Permission, what: string, act?: Permission): T {
  if (!row || !holds(actor, read, row.node_path)) throw new AppError('NOT_FOUND', `No such ${what} in your part of the tree.`);
  if (act && !holds(actor, act, row.node_path)) throw new AppError('FORBIDDEN', `You may not do ${act} here.`);
  return row;
}

/** Tags the actor may see: sensitive ones (community correction …) only for those who may reveal. */
export function visibleTags(actor: Actor, path: string, tags: readonly string[]): string[] {
  if (tags.every((t) => !SENSITIVE_TAGS.has(t)) || holds(actor, 'resident.reveal', path)) return [...tags];
  return tags.filter((t) => !SENSITIVE_TAGS.has(t));
}

export interface SealedValue {
  enc: string;
  hash: string;
  masked: string;
}

export type IdNumberSealing = { ok: true; sealed: SealedValue; birthDate: string; gender: 'male' | 'female' } | { ok: false; reason: string; reasonZh: string };

/** Checks an ID number and seals it: ciphertext, keyed hash (of the normalised form), masked form. */
export function sealIdNumber(pd: PersonalData, raw: string): IdNumberSealing {
  const r = parseIdNumber(raw);
  if (!r.ok) return { ok: false, reason: ID_NUMBER_PROBLEM_TEXT[r.problem].en, reasonZh: ID_NUMBER_PROBLEM_TEXT[r.problem].zh };
  const id = r.info.normalised;
  return { ok: true, sealed: { enc: pd.encrypt(id), hash: pd.hash(id), masked: maskId(id) }, birthDate: r.info.birthDate, gender: r.info.gender };
}

export function sealPhone(pd: PersonalData, phone: string): SealedValue {
  const p = phone.replace(/[\s-]/g, '');
  return { enc: pd.encrypt(p), hash: pd.hash(p), masked: maskPhone(p) };
}

/** Postgres unique violation (both engines report SQLSTATE 23505). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return e?.code === '23505' && (!constraint || e.constraint === constraint || (e.message ?? '').includes(constraint));
}
