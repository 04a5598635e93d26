/**
 * Hot spots (热点) for the monthly review: reports clustered by place AND
 * time. The database finds clusters in space (PostGIS ST_ClusterDBSCAN, on
 * both engines); this module splits each spatial cluster where its reports
 * are far apart in time, so a corner that had three reports in the first
 * week and three in the last is two bursts, and describes each part.
 *
 * Pure: no I/O.
 */

export interface SpotPoint<K> {
  id: K;
  lng: number;
  lat: number;
  at: Date;
}

export interface TimeSplitOptions {
  /** A gap longer than this between consecutive reports starts a new burst. */
  gapHours: number;
  /** Bursts with fewer reports are dropped. */
  minPoints: number;
}

/**
 * Splits points (one spatial cluster) into bursts: sorted by time, a new
 * burst starts wherever consecutive reports are more than gapHours apart.
 * Bursts smaller than minPoints are dropped. Ties in time keep input order.
 */
export function splitByTime<K>(points: readonly SpotPoint<K>[], opts: TimeSplitOptions): SpotPoint<K>[][] {
  if (!(opts.gapHours > 0)) throw new RangeError('gapHours must be positive');
  const sorted = points.map((p, i) => ({ p, i })).sort((a, b) => +a.p.at - +b.p.at || a.i - b.i).map((x) => x.p);
  const out: SpotPoint<K>[][] = [];
  let cur: SpotPoint<K>[] = [];
  for (const p of sorted) {
    const last = cur[cur.length - 1];
    if (last && +p.at - +last.at > opts.gapHours * 3_600_000) {
      if (cur.length >= opts.minPoints) out.push(cur);
      cur = [];
    }
    cur.push(p);
  }
  if (cur.length >= opts.minPoints) out.push(cur);
  return out;
}

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (d: number) => (d * Math.PI) / 180;

/** Great-circle distance in metres (haversine). */
export function distanceM(a: { lng: number; lat: number }, b: { lng: number; lat: number }): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The centre (mean of the points: they are metres apart, so plain averages are exact enough) and the radius reaching the farthest. */
export function circleOf(points: readonly { lng: number; lat: number }[]): { lng: number; lat: number; radiusM: number } {
  if (points.length === 0) throw new RangeError('no points');
  const lng = points.reduce((s, p) => s + p.lng, 0) / points.length;
  const lat = points.reduce((s, p) => s + p.lat, 0) / points.length;
  const radiusM = Math.max(...points.map((p) => distanceM({ lng, lat }, p)));
  return { lng, lat, radiusM };
}

/**
 * Metres per degree of longitude and latitude near `lat`: the scale the
 * database applies to lng/lat before clustering, so the DBSCAN radius is in
 * metres on either engine without a projection library.
 */
export function metresPerDegree(lat: number): { x: number; y: number } {
  const y = (Math.PI / 180) * EARTH_RADIUS_M;
  return { x: y * Math.cos(rad(lat)), y };
}
