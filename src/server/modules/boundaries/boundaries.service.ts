/**
 * Boundary checks and the GeoJSON boundary import (边界导入). A boundary must
 * be a Polygon or MultiPolygon with coordinates in range (else rejected); an
 * invalid one (self-intersecting …) is repaired and reported; lying partly
 * outside its parent or overlapping a sibling is accepted with a warning.
 */
import type { Actor } from '../../../domain/permissions.js';
import { can } from '../../../domain/permissions.js';
import {
  checkGeometry,
  featureTarget,
  formatShare,
  isSignificantShare,
  roundShare,
  type FeatureTarget,
} from '../../../domain/geo.js';
import {
  childLevel,
  cityCodeOf,
  depthOf,
  GRID_KINDS,
  isGridLevel,
  levelOfCode,
  nextChildCode,
  pathOf,
  type GridKind,
  type NodeKind,
} from '../../../domain/tree.js';
import type { Db, Transaction } from '../../db/db.js';
import { AppError, fieldError } from '../../errors.js';
import { writeAudit } from '../../plugins/audit.js';
import * as nodes from '../nodes/nodes.repository.js';
import * as repo from './boundaries.repository.js';

export interface BoundaryVerdict {
  status: 'ok' | 'repaired' | 'rejected';
  problems: string[];
  warnings: string[];
  outsideShare?: number;
  overlaps?: { code: string; name: string; share: number }[];
}

const CHUNK = 500;

/**
 * Checks staged-to-be boundaries inside `trx`: validity (repaired when
 * possible), area left, share outside the nearest ancestor with a boundary,
 * overlaps with siblings. Leaves the accepted ones in the stage for the writes.
 */
export async function checkBoundaries(
  trx: Transaction,
  cands: readonly repo.StageCandidate[],
  onProgress?: (done: number, total: number) => void,
): Promise<Map<number, BoundaryVerdict>> {
  await repo.createStage(trx);
  for (let i = 0; i < cands.length; i += CHUNK) {
    await repo.stageCandidates(trx, cands.slice(i, i + CHUNK));
    onProgress?.(Math.min(i + CHUNK, cands.length), cands.length);
  }
  await repo.analyzeStage(trx);
  const out = new Map<number, BoundaryVerdict>();
  const empty: number[] = [];
  for (const s of await repo.stagedChecks(trx)) {
    const v: BoundaryVerdict = { status: s.invalidReason ? 'repaired' : 'ok', problems: [], warnings: [] };
    if (s.invalidReason) v.problems.push(`invalid geometry repaired: ${s.invalidReason}`);
    if (!(s.area > 0)) {
      v.status = 'rejected';
      v.problems.push(s.invalidReason ? 'no area is left after repairing it' : 'the boundary has no area');
      empty.push(s.idx);
    }
    out.set(s.idx, v);
  }
  await repo.dropFromStage(trx, empty);
  for (const c of await repo.containment(trx)) {
    const v = out.get(c.idx)!;
    v.outsideShare = roundShare(c.outsideShare);
    if (isSignificantShare(c.outsideShare)) {
      v.warnings.push(`${formatShare(c.outsideShare)} of its area lies outside ${c.containerName} (${c.containerCode})`);
    }
  }
  for (const o of await repo.siblingOverlaps(trx)) {
    if (!isSignificantShare(o.share)) continue;
    const v = out.get(o.idx)!;
    (v.overlaps ??= []).push({ code: o.code, name: o.name, share: roundShare(o.share) });
    v.warnings.push(`overlaps ${o.name} (${o.code}) by ${formatShare(o.share)} of its area`);
  }
  return out;
}

/**
 * One boundary for a node being created or edited: checked like an import
 * feature. Throws GEOJSON_INVALID (400) naming the `boundary` field when it is
 * rejected; returns the warnings (repairs included) otherwise, with the
 * checked geometry left in the stage for the write.
 */
export async function checkOneBoundary(
  trx: Transaction,
  node: { code: string; parentCode: string | null; name: string },
  geometry: unknown,
): Promise<string[]> {
  const shape = checkGeometry(geometry);
  if (!shape.geometry) throw fieldError('boundary', shape.problems.join('; '), 'GEOJSON_INVALID');
  const verdicts = await checkBoundaries(trx, [{ idx: 0, ...node, geojson: JSON.stringify(shape.geometry) }]);
  const v = verdicts.get(0)!;
  if (v.status === 'rejected') throw fieldError('boundary', v.problems.join('; '), 'GEOJSON_INVALID');
  return [...v.problems.map((p) => `boundary ${p}`), ...v.warnings];
}

export interface FeatureReport {
  index: number;
  code: string | null;
  name: string | null;
  status: 'ok' | 'repaired' | 'rejected';
  /** 'update' an existing node's boundary or 'create' a new grid; null when rejected early. */
  action: 'update' | 'create' | null;
  problems: string[];
  warnings: string[];
  outsideShare?: number;
  overlaps?: { code: string; name: string; share: number }[];
}

export interface ImportReport {
  dryRun: boolean;
  /** True when the boundaries were written (not a dry run, nothing rejected). */
  written: boolean;
  accepted: number;
  rejected: number;
  repaired: number;
  /** Warnings over all features. */
  warnings: number;
  created: number;
  updated: number;
  features: FeatureReport[];
}

export interface ImportOptions {
  dryRun: boolean;
  ip?: string;
  /** The CLI runs without a signed-in user: the audit row says so. */
  auditActor?: { id: string | null; name: string };
  onProgress?: (phase: string, done: number, total: number) => void;
}

/** What a feature resolves to before the geometry checks. */
interface Planned {
  report: FeatureReport;
  geojson?: string;
  parentCode: string | null;
  create?: nodes.NewNode;
}

/** Thrown inside the transaction to roll back a dry run, carrying its report out. */
class DryRun extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}

const MAX_FEATURES = 50_000;

/**
 * Imports the boundaries of a GeoJSON FeatureCollection: every feature names
 * an existing node (properties.code or id) or a node by name under a parent
 * (properties.name + parentCode; a new grid, unit or cell is created when no
 * active child has that name). All or nothing, in one transaction with one
 * audit row. Throws GEOJSON_INVALID (400) with `details.report` when any
 * feature is rejected; a dry run returns the report and writes nothing.
 */
export async function importBoundaries(db: Db, actor: Actor, body: unknown, opts: ImportOptions): Promise<ImportReport> {
  const fc = body as { type?: unknown; features?: unknown };
  if (!fc || typeof fc !== 'object' || fc.type !== 'FeatureCollection') throw fieldError('type', 'must be "FeatureCollection"', 'GEOJSON_INVALID');
  if (!Array.isArray(fc.features)) throw fieldError('features', 'must be an array of features', 'GEOJSON_INVALID');
  if (fc.features.length === 0) throw fieldError('features', 'is empty: nothing to import', 'GEOJSON_INVALID');
  if (fc.features.length > MAX_FEATURES) throw fieldError('features', `has ${fc.features.length} features; at most ${MAX_FEATURES} per import`, 'GEOJSON_INVALID');
  const features = fc.features as unknown[];
  const progress = opts.onProgress ?? (() => {});

  const run = async (trx: Transaction): Promise<ImportReport> => {
    const planned = await planFeatures(trx, actor, features);
    const cands = planned.flatMap((p, index) =>
      p.geojson ? [{ idx: index, code: p.report.code!, parentCode: p.parentCode, name: p.report.name ?? '', geojson: p.geojson }] : [],
    );
    progress('checking boundaries', 0, cands.length);
    const verdicts = await checkBoundaries(trx, cands, (d, t) => progress('checking boundaries', d, t));
    for (const [idx, v] of verdicts) {
      const r = planned[idx]!.report;
      r.status = v.status;
      r.problems.push(...v.problems);
      r.warnings.push(...v.warnings);
      if (v.outsideShare !== undefined) r.outsideShare = v.outsideShare;
      if (v.overlaps) r.overlaps = v.overlaps;
    }
    const report = summarise(planned.map((p) => p.report), opts.dryRun);
    if (report.rejected > 0) {
      throw new AppError('GEOJSON_INVALID', `${report.rejected} of ${features.length} features were rejected; nothing was imported.`, undefined, { report });
    }
    if (opts.dryRun) throw new DryRun(report);
    progress('writing', 0, planned.length);
    const creates = planned.flatMap((p) => (p.create ? [p.create] : []));
    const updates = planned.flatMap((p) => (p.report.action === 'update' ? [p.report.code!] : []));
    for (let i = 0; i < creates.length; i += CHUNK) await nodes.insertNodes(trx, creates.slice(i, i + CHUNK), true);
    for (let i = 0; i < updates.length; i += CHUNK) await nodes.setStagedBoundaries(trx, updates.slice(i, i + CHUNK));
    await writeAudit(trx, {
      actorId: opts.auditActor ? opts.auditActor.id : actor.userId,
      actorName: opts.auditActor ? opts.auditActor.name : actor.name,
      ip: opts.ip,
      action: 'boundary.import',
      resource: 'boundaries',
      resourceId: null,
      result: 'ok',
      cityCode: cityCodeOf(creates[0]?.code ?? updates[0]!),
      detail: { created: creates.map((c) => c.code), updated: updates, repaired: report.repaired, warnings: report.warnings },
    });
    progress('writing', planned.length, planned.length);
    return { ...report, written: true };
  };

  try {
    return await db.transaction(run);
  } catch (err) {
    if (err instanceof DryRun) return err.report;
    throw err;
  }
}

function summarise(features: FeatureReport[], dryRun: boolean): ImportReport {
  const count = (s: FeatureReport['status']) => features.filter((f) => f.status === s).length;
  const ok = features.filter((f) => f.status !== 'rejected');
  return {
    dryRun,
    written: false,
    accepted: ok.length,
    rejected: count('rejected'),
    repaired: count('repaired'),
    warnings: features.reduce((n, f) => n + f.warnings.length, 0),
    created: ok.filter((f) => f.action === 'create').length,
    updated: ok.filter((f) => f.action === 'update').length,
    features,
  };
}

const OUT_OF_SCOPE = 'is not in your part of the tree';

/**
 * Resolves every feature to a node (existing, or a new grid with its code),
 * without touching geometry in the database yet. Features outside the
 * caller's scope are rejected from the code alone, so the answer says nothing
 * about whether such a node exists.
 */
async function planFeatures(trx: Transaction, actor: Actor, features: unknown[]): Promise<Planned[]> {
  const planned: Planned[] = [];
  const targets: (FeatureTarget | undefined)[] = [];
  for (const [index, f] of features.entries()) {
    const report: FeatureReport = { index, code: null, name: null, status: 'rejected', action: null, problems: [], warnings: [] };
    const target = featureTarget(f);
    let geojson: string | undefined;
    if ('problem' in target) {
      report.problems.push(`feature ${target.problem}`);
      const name = (f as { properties?: { name?: unknown } } | null)?.properties?.name;
      if (typeof name === 'string' && name.trim()) report.name = name.trim().slice(0, 100);
      targets.push(undefined);
    } else {
      report.code = target.by === 'code' ? target.code : null;
      report.name = target.name ?? null;
      const scopeCode = target.by === 'code' ? target.code : target.parentCode;
      if (!can(actor, 'node.import', pathOf(scopeCode))) {
        report.problems.push(`${target.by === 'code' ? 'code' : 'parentCode'} ${scopeCode} ${OUT_OF_SCOPE}`);
        targets.push(undefined);
      } else {
        targets.push(target);
      }
    }
    const shape = checkGeometry((f as { geometry?: unknown } | null)?.geometry);
    if (shape.geometry) geojson = JSON.stringify(shape.geometry);
    else report.problems.push(...shape.problems);
    planned.push({ report, geojson, parentCode: null });
  }

  const byCode = targets.flatMap((t) => (t?.by === 'code' ? [t.code] : []));
  const parents = [...new Set(targets.flatMap((t) => (t?.by === 'name' ? [t.parentCode] : [])))];
  const existing = new Map((await nodes.findNodes(trx, [...new Set([...byCode, ...parents])])).map((n) => [n.code, n]));
  // Lock the parents that may get new children, then read their children: codes are allocated under the lock.
  for (const p of parents) if (existing.has(p)) await nodes.lockNode(trx, p);
  const children = new Map<string, { code: string; name: string; status: string }[]>();
  for (const c of await nodes.childCodes(trx, parents)) {
    if (!children.has(c.parent_code)) children.set(c.parent_code, []);
    children.get(c.parent_code)!.push(c);
  }
  const claimed = new Map<string, number>();

  for (const [index, t] of targets.entries()) {
    const p = planned[index]!;
    const r = p.report;
    if (!t) continue;
    if (t.by === 'code') {
      const n = existing.get(t.code);
      if (!n) {
        r.problems.push(`code ${t.code}: no such node`);
        continue;
      }
      r.name = n.name;
      p.parentCode = n.parent_code;
      if (n.status !== 'active') r.problems.push(`node ${t.code} is retired`);
      if (t.name && t.name !== n.name) r.warnings.push(`properties.name "${t.name}" differs from the node's name "${n.name}"; the name is not changed`);
      r.action = 'update';
    } else {
      const parent = existing.get(t.parentCode);
      if (!parent) {
        r.problems.push(`parentCode ${t.parentCode}: no such node`);
        continue;
      }
      if (parent.status !== 'active') {
        r.problems.push(`parent ${t.parentCode} is retired`);
        continue;
      }
      p.parentCode = parent.code;
      const siblings = children.get(parent.code) ?? [];
      const matches = siblings.filter((c) => c.status === 'active' && c.name === t.name);
      if (matches.length > 1) {
        r.problems.push(`${matches.length} active children of ${parent.code} are named "${t.name}"; give properties.code instead`);
        continue;
      }
      if (matches.length === 1) {
        r.code = matches[0]!.code;
        r.action = 'update';
      } else {
        const level = childLevel(parent.level);
        if (!level || !isGridLevel(level)) {
          r.problems.push(`no child of ${parent.code} is named "${t.name}", and new nodes can be created only under a community, grid or unit grid`);
          continue;
        }
        const props = ((features[index] as { properties?: Record<string, unknown> }).properties ?? {}) as Record<string, unknown>;
        const kind = gridKind(props.kind, parent.kind);
        if (!kind) {
          r.problems.push(`properties.kind must be one of ${GRID_KINDS.join(', ')}`);
          continue;
        }
        const households = props.households;
        if (households !== undefined && households !== null && !(Number.isInteger(households) && (households as number) >= 0)) {
          r.problems.push('properties.households must be a whole number ≥ 0');
          continue;
        }
        let code: string;
        try {
          code = nextChildCode(parent.code, siblings.map((s) => s.code));
        } catch {
          r.problems.push(`no free ${level} code left under ${parent.code}`);
          continue;
        }
        siblings.push({ code, name: t.name, status: 'active' });
        children.set(parent.code, siblings);
        r.code = code;
        r.action = 'create';
        p.create = {
          code,
          parentCode: parent.code,
          name: t.name,
          level,
          kind,
          path: pathOf(code),
          depth: depthOf(level),
          households: (households as number | null | undefined) ?? null,
          attributes: {},
          source: 'import',
        };
      }
    }
    const first = claimed.get(r.code!);
    if (first !== undefined) r.problems.push(`node ${r.code} is already given by feature ${first}`);
    else claimed.set(r.code!, index);
  }
  // Only features with a node and a sound shape reach the geometry checks.
  for (const p of planned) {
    if (p.report.problems.length > 0 || !p.report.code || !levelOfCode(p.report.code)) p.geojson = undefined;
  }
  return planned;
}

/** The kind of a new grid: as given, else its parent grid's kind, else comprehensive. */
function gridKind(given: unknown, parentKind: NodeKind): GridKind | undefined {
  if (given === undefined || given === null || given === '') return parentKind === 'admin' ? 'comprehensive' : (parentKind as GridKind);
  return (GRID_KINDS as readonly unknown[]).includes(given) ? (given as GridKind) : undefined;
}
