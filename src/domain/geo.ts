/**
 * Coordinate and boundary rules, pure (no I/O): coordinate ranges, the three
 * coordinate systems phones and Chinese map SDKs send, the structural checks a
 * GeoJSON boundary must pass before the database sees it, and how a feature
 * of an imported file names the node it belongs to. Usable in the browser.
 */
import gcoordImport from 'gcoord';
import { levelOfCode } from './tree.js';

// gcoord ships CommonJS with an `export default` typing: under Node's ESM the
// default import is module.exports itself, under a bundler it is the default
// export. Accept both shapes.
type Gcoord = typeof gcoordImport.default;
const gcoord: Gcoord = (gcoordImport as unknown as { default?: Gcoord }).default ?? (gcoordImport as unknown as Gcoord);

/**
 * Coordinate systems accepted as input. Storage is always WGS-84 (SRID 4326).
 * GCJ-02 (国测局坐标, "Mars coordinates") is what AMap, Tencent and WeChat
 * send; BD-09 (百度坐标) is Baidu's further-offset variant.
 */
export const CRS_LIST = ['wgs84', 'gcj02', 'bd09'] as const;
export type Crs = (typeof CRS_LIST)[number];

export interface LngLat {
  lng: number;
  lat: number;
}

/** Shares of area below this (0.1 %) are digitising noise, not worth a warning. */
export const SHARE_THRESHOLD = 0.001;

/** Decimals kept for coordinates sent to clients: 6 ≈ 0.1 m, ample for a grid map. */
export const GEOJSON_DECIMALS = 6;

/** The first coordinate out of range, as a field name and reason; undefined when both are fine. */
export function coordinateProblem(lng: unknown, lat: unknown): { field: 'lng' | 'lat'; reason: string } | undefined {
  if (typeof lng !== 'number' || !Number.isFinite(lng) || lng < -180 || lng > 180) {
    return { field: 'lng', reason: 'must be a longitude between -180 and 180' };
  }
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    return { field: 'lat', reason: 'must be a latitude between -90 and 90' };
  }
  return undefined;
}

const GCOORD_CRS = { gcj02: gcoord.GCJ02, bd09: gcoord.BD09 } as const;

/**
 * Converts a point to WGS-84. gcoord applies the offset only inside China and
 * returns points elsewhere unchanged, so no separate "is it in China" rule.
 */
export function toWgs84(point: LngLat, crs: Crs): LngLat {
  if (crs === 'wgs84') return { lng: point.lng, lat: point.lat };
  const [lng, lat] = gcoord.transform([point.lng, point.lat], GCOORD_CRS[crs], gcoord.WGS84) as [number, number];
  return { lng, lat };
}

export type Ring = number[][];
export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: Ring[];
}
export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: Ring[][];
}
/** The only geometries a node boundary may have. */
export type AreaGeometry = PolygonGeometry | MultiPolygonGeometry;

/** Problems are capped so that a broken 32 MB file does not produce a 32 MB report. */
const MAX_PROBLEMS = 5;

function checkRing(ring: unknown, where: string, problems: string[]): void {
  if (!Array.isArray(ring)) {
    problems.push(`${where} is not an array of positions`);
    return;
  }
  if (ring.length < 4) {
    problems.push(`${where} has ${ring.length} positions; a ring needs at least 4 (closed)`);
    return;
  }
  for (let i = 0; i < ring.length; i++) {
    const p: unknown = ring[i];
    if (!Array.isArray(p) || p.length < 2 || p.length > 3 || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      problems.push(`${where} position ${i} is not [lng, lat] numbers`);
      return;
    }
    const bad = coordinateProblem(p[0], p[1]);
    if (bad) {
      problems.push(`${where} position ${i} (${p[0]}, ${p[1]}): ${bad.field} ${bad.reason}`);
      return;
    }
  }
  const first = ring[0] as number[];
  const last = ring[ring.length - 1] as number[];
  if (first[0] !== last[0] || first[1] !== last[1]) problems.push(`${where} is not closed (first and last positions differ)`);
}

function checkPolygon(rings: unknown, where: string, problems: string[]): void {
  if (!Array.isArray(rings) || rings.length === 0) {
    problems.push(`${where} has no rings`);
    return;
  }
  rings.forEach((r, i) => problems.length < MAX_PROBLEMS && checkRing(r, `${where} ring ${i}`, problems));
}

/**
 * Structural check of a boundary geometry: a Polygon or MultiPolygon whose
 * rings are closed, have at least four positions, and whose positions are
 * [lng, lat] within range. Topology (self-intersection) is the database's
 * business (ST_IsValid), since it can repair it.
 */
export function checkGeometry(geometry: unknown): { geometry?: AreaGeometry; problems: string[] } {
  const problems: string[] = [];
  if (!geometry || typeof geometry !== 'object' || Array.isArray(geometry)) {
    return { problems: ['geometry is missing'] };
  }
  const g = geometry as { type?: unknown; coordinates?: unknown };
  if (g.type === 'Polygon') {
    checkPolygon(g.coordinates, 'polygon', problems);
  } else if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) problems.push('multipolygon has no polygons');
    else g.coordinates.forEach((p, i) => problems.length < MAX_PROBLEMS && checkPolygon(p, `polygon ${i}`, problems));
  } else {
    return { problems: [`geometry type ${JSON.stringify(g.type ?? null)} is not Polygon or MultiPolygon`] };
  }
  return problems.length ? { problems: problems.slice(0, MAX_PROBLEMS) } : { geometry: g as AreaGeometry, problems };
}

/** How a feature names its node: by code, or by name under a parent. */
export type FeatureTarget =
  | { by: 'code'; code: string; name?: string }
  | { by: 'name'; name: string; parentCode: string };

function text(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/**
 * Which node a feature of an imported file is for: `properties.code` (or the
 * feature `id`) of an existing node, or `properties.name` plus
 * `properties.parentCode`. Returns a problem when it names neither or a code
 * that cannot be a node code.
 */
export function featureTarget(feature: unknown): FeatureTarget | { problem: string } {
  if (!feature || typeof feature !== 'object' || (feature as { type?: unknown }).type !== 'Feature') {
    return { problem: 'is not a GeoJSON Feature' };
  }
  const f = feature as { id?: unknown; properties?: unknown };
  const props = (f.properties && typeof f.properties === 'object' ? f.properties : {}) as Record<string, unknown>;
  const code = text(props.code) ?? text(f.id);
  const name = text(props.name);
  if (code !== undefined) {
    if (!levelOfCode(code)) return { problem: `code ${JSON.stringify(code)} is not a node code (2–19 digits of a known level)` };
    return name ? { by: 'code', code, name } : { by: 'code', code };
  }
  const parentCode = text(props.parentCode);
  if (name && parentCode) {
    if (!levelOfCode(parentCode)) return { problem: `parentCode ${JSON.stringify(parentCode)} is not a node code` };
    if (name.length > 100) return { problem: 'name is longer than 100 characters' };
    return { by: 'name', name, parentCode };
  }
  if (name) return { problem: 'has a name but no parentCode: give properties.code, or properties.name with properties.parentCode' };
  return { problem: 'names no node: give properties.code (or id), or properties.name with properties.parentCode' };
}

/** True when an area share is large enough to report. */
export function isSignificantShare(share: number): boolean {
  return share > SHARE_THRESHOLD;
}

/** A share as a person reads it: 0.1234 → "12.3%"; tiny shares keep two decimals. */
export function formatShare(share: number): string {
  const pct = share * 100;
  return `${pct < 1 ? pct.toFixed(2) : pct.toFixed(1)}%`;
}

/** A share rounded for a report (4 decimals = 0.01 %). */
export function roundShare(share: number): number {
  return Math.round(share * 10_000) / 10_000;
}
