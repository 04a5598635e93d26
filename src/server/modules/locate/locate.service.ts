/**
 * Locate (落格): the deepest active node whose boundary contains a point. A
 * resident's phone pin, a hotline address geocoded, a patrol finding: each is
 * placed in its grid before anyone knows who will handle it, so locate is not
 * limited to the caller's subtree (grid names are public, posted on notice
 * boards); it needs node.locate, which residents hold too.
 */
import { coordinateProblem, toWgs84, type Crs, type LngLat } from '../../../domain/geo.js';
import { isGridLevel } from '../../../domain/tree.js';
import type { Db, Executor } from '../../db/db.js';
import { AppError, fieldError } from '../../errors.js';
import * as repo from './locate.repository.js';

function checked(p: LngLat, field: (f: 'lng' | 'lat') => string): void {
  const bad = coordinateProblem(p.lng, p.lat);
  if (bad) throw fieldError(field(bad.field), bad.reason, 'COORDINATES_OUT_OF_RANGE');
}

/**
 * Throws COORDINATES_OUT_OF_RANGE (400) naming lng or lat, NOT_LOCATED (404)
 * when no active node contains the point.
 */
export async function locate(ex: Executor, q: { lng: number; lat: number; crs: Crs }) {
  checked(q, (f) => f);
  const point = toWgs84(q, q.crs);
  const hit = await repo.locatePoint(ex, point.lng, point.lat);
  if (!hit) throw new AppError('NOT_LOCATED', `No area of the tree contains the point (${point.lng}, ${point.lat}).`);
  const inGrid = isGridLevel(hit.level);
  return {
    point,
    node: { code: hit.code, name: hit.name, level: hit.level, kind: hit.kind },
    path: hit.path,
    inGrid,
    outsideGrids: !inGrid,
  };
}

/** Locates up to 10,000 points in one statement. Throws COORDINATES_OUT_OF_RANGE naming `points.<i>.lng|lat`. */
export async function locateBatch(db: Db, body: { crs: Crs; points: LngLat[] }) {
  const lngs: number[] = [];
  const lats: number[] = [];
  body.points.forEach((p, i) => {
    checked(p, (f) => `points.${i}.${f}`);
    const w = toWgs84(p, body.crs);
    lngs.push(w.lng);
    lats.push(w.lat);
  });
  const rows = await db.transaction((trx) => repo.locatePoints(trx, lngs, lats));
  return {
    results: rows.map((r) => {
      const inGrid = r.level !== null && isGridLevel(r.level);
      return {
        index: r.i,
        node: r.code ? { code: r.code, name: r.name!, level: r.level! } : null,
        inGrid,
        outsideGrids: !inGrid,
      };
    }),
  };
}
