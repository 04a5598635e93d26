/**
 * Typed calls to the measures (考核指标) and command-centre dashboard (指挥中心大屏) API.
 * Shapes follow src/server/modules/{measures,dashboard}; definitions of every
 * rate live in src/domain/measures.ts.
 *
 * Dates: `from`/`to` are calendar days `YYYY-MM-DD` in China Standard Time
 * (UTC+8), both inclusive. Omitted: the current month up to today.
 */
import type { FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';
import type { CaseStatus } from '../../../src/domain/case-lifecycle.js';
import { apiRequest, type Level } from '../api';

export type { CaseStatus, Level };
export type ClockColour = 'green' | 'yellow' | 'red';
export type HandlingLevel = 'grid' | 'community' | 'street' | 'district' | 'city';
export type Channel = 'h5' | 'resident_app' | 'hotline' | 'patrol' | 'console' | 'station' | 'linkage' | 'partner' | 'import';

/** The six rates, each a numerator over a denominator (src/domain/measures.ts). */
export type MeasureKey = 'response' | 'resolution' | 'onTime' | 'satisfaction' | 'rework' | 'return';
export const MEASURE_KEYS: readonly MeasureKey[] = ['response', 'resolution', 'onTime', 'satisfaction', 'rework', 'return'];
export const HANDLING_LEVELS: readonly HandlingLevel[] = ['grid', 'community', 'street', 'district', 'city'];

/** A rate with its counts; `rate` is numerator ÷ denominator in [0, 1], null when the denominator is 0. */
export interface Rate {
  rate: number | null;
  numerator: number;
  denominator: number;
}

/** The raw counts every rate is built from (for one period and filter). */
export interface MeasureCounts {
  /** Cases reported in the period (by created_at; merged duplicates and cancelled reports excluded). */
  reported: number;
  /** Of those, accepted or rejected within the acceptance deadline. */
  respondedOnTime: number;
  /** Cases accepted in the period (by accepted_at; self-resolved on the spot counts as accepted on report). */
  accepted: number;
  /** Of those, closed (rated, or closed when the rating period ran out). */
  acceptedClosed: number;
  /** Cases whose (latest) resolution fell in the period. */
  resolved: number;
  /** Of those, resolved before the handling deadline. */
  resolvedOnTime: number;
  /** Of those, sent back at least once by a failed check (返工). */
  reworked: number;
  /** Cases whose latest dispatch fell in the period. */
  dispatched: number;
  /** Of those, returned by a handler at least once (退件). */
  returned: number;
  /** Cases whose latest rating fell in the period. */
  rated: number;
  /** Of those, satisfied or basically satisfied. */
  satisfied: number;
  /** Resolved-in-period cases by the level that resolved them. */
  resolvedByLevel: Record<HandlingLevel, number>;
}

export interface MeasureQuery {
  /** Node code (the subtree); default: the caller's own scope root. */
  node?: string;
  /** Department id: the figures of cases that department handled. */
  department?: number;
  /** Category code (its subtree of categories). */
  category?: string;
  channel?: Channel;
  /** First day, YYYY-MM-DD (UTC+8), inclusive. */
  from?: string;
  /** Last day, YYYY-MM-DD (UTC+8), inclusive. */
  to?: string;
}

export interface NodeRef {
  code: string;
  name: string;
  level: Level;
  path: string;
}

export interface MeasuresResponse {
  node: NodeRef | null;
  department: { id: number; name: string } | null;
  category: string | null;
  channel: Channel | null;
  from: string;
  to: string;
  /** 'rollup' when answered from the roll-up table, 'scan' when counted from the cases. */
  source: 'rollup' | 'scan';
  measures: Record<MeasureKey, Rate>;
  /** 小事不出格率 …: share of the period's resolved cases resolved at each level. */
  levelShares: Record<HandlingLevel, Rate>;
  counts: MeasureCounts;
}

export type TrendBucket = 'day' | 'week' | 'month';

export interface TrendPoint {
  /** First day of the bucket (YYYY-MM-DD; weeks start on Monday). */
  start: string;
  /** Last day of the bucket clipped to the query's range. */
  end: string;
  measures: Record<MeasureKey, Rate>;
  levelShares: Record<HandlingLevel, Rate>;
  counts: MeasureCounts;
}

export interface TrendResponse {
  node: NodeRef | null;
  department: { id: number; name: string } | null;
  bucket: TrendBucket;
  from: string;
  to: string;
  source: 'rollup' | 'scan';
  points: TrendPoint[];
}

export interface CountByKey {
  key: string;
  count: number;
}

export interface PeriodOverview {
  from: string;
  to: string;
  /** Cases reported in the period, by their current state. */
  byState: Partial<Record<CaseStatus, number>>;
  /** Cases reported in the period (all states, merged included). */
  total: number;
  /** Cases reported in the period and still open now. */
  open: number;
  /** Cases resolved (first resolution) in the period. */
  resolved: number;
}

export interface CategoryCount {
  code: string;
  nameZh: string;
  nameEn: string;
  count: number;
}

export interface DashboardOverview {
  node: NodeRef;
  /** Server time (ISO) the figures were taken at. */
  at: string;
  today: PeriodOverview;
  month: PeriodOverview;
  /** This month's rates with counts. */
  measures: Record<MeasureKey, Rate>;
  levelShares: Record<HandlingLevel, Rate>;
  counts: MeasureCounts;
  /** This month's reported cases by top-level category, most first. */
  categories: CategoryCount[];
  /** This month's reported cases by channel, most first. */
  channels: { channel: Channel; count: number }[];
  /** Open cases now by clock colour (yellow = warning, red = overdue). */
  clocks: Record<ClockColour, number>;
}

export interface OverdueItem {
  id: number;
  number: string;
  status: CaseStatus;
  category: { code: string; nameZh: string; nameEn: string };
  description: string;
  node: { code: string; name: string | null } | null;
  handler: { type: 'department' | 'node_office' | 'grid_worker'; name: string | null; departmentId: number | null; nodeCode: string | null } | null;
  urgent: boolean;
  /** The deadline that ran out (acceptance while reported, else handling). */
  dueAt: string;
  /** Minutes past the deadline at `at`. */
  overdueMinutes: number;
  supervised: boolean;
}

export interface OverdueResponse {
  node: NodeRef;
  at: string;
  /** All overdue open cases in the subtree (the list is limited, the total is not). */
  total: number;
  items: OverdueItem[];
}

export type RankingBy = 'grid' | 'community' | 'street' | 'district' | 'child' | 'department';

export interface RankingItem {
  rank: number;
  /** Node code, or department id as a string. */
  key: string;
  name: string;
  level?: Level;
  rate: number | null;
  numerator: number;
  denominator: number;
}

export interface RankingResponse {
  node: NodeRef;
  by: RankingBy;
  measure: MeasureKey;
  order: 'desc' | 'asc';
  from: string;
  to: string;
  /** Rows with a zero denominator are left out. */
  items: RankingItem[];
}

export interface CasePointProps {
  id: number;
  number: string;
  status: CaseStatus;
  clockColour: ClockColour;
  categoryCode: string;
  urgent: boolean;
  createdAt: string;
}

export type CasePoints = FeatureCollection<Point, CasePointProps> & {
  /** True when more cases matched than `limit`: zoom in or use density. */
  truncated: boolean;
  limit: number;
};

export interface DensityProps {
  code: string;
  name: string;
  level: Level;
  /** Cases reported in the period under this child node. */
  count: number;
  /** Open cases now under this child node. */
  open: number;
  /** Open overdue (red) cases now under this child node. */
  overdue: number;
  /** Reported cases per 100 households when households are known. */
  per100Households: number | null;
}

export type DensityFeatures = FeatureCollection<Polygon | MultiPolygon, DensityProps> & {
  node: NodeRef;
  from: string;
  to: string;
  /** Children without a boundary still get a figure here. */
  unmapped: DensityProps[];
};

/** One live event (SSE `event: case`). Filter by `nodePath` (ltree text) for a subtree. */
export interface LiveEvent {
  type: 'case.created' | 'case.status' | 'case.overdue';
  caseId: number;
  number: string;
  cityCode: string;
  nodeCode: string | null;
  nodePath: string | null;
  status: CaseStatus;
  fromStatus: CaseStatus | null;
  clockColour: ClockColour;
  categoryCode: string;
  at: string;
}

type Params = Record<string, string | number | boolean | undefined | null>;

function qs(params: Params): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** GET with the console's conventions (same errors, same 401 reaction): web/src/api.ts's request helper. */
const get = <T,>(url: string, signal?: AbortSignal): Promise<T> => apiRequest<T>('GET', url, { signal });

export const measuresApi = {
  /** GET /api/measures: every rate with its counts, and the level shares. */
  measures: (q: MeasureQuery = {}, signal?: AbortSignal) => get<MeasuresResponse>(`/api/measures${qs({ ...q })}`, signal),
  /** GET /api/measures/trend: the same per day, week or month. */
  trend: (q: MeasureQuery & { bucket: TrendBucket }, signal?: AbortSignal) => get<TrendResponse>(`/api/measures/trend${qs({ ...q })}`, signal),
};

export const dashboardApi = {
  /** GET /api/dashboard/overview: today's and this month's counts, rates, categories, channels, level shares. */
  overview: (q: { node?: string } = {}, signal?: AbortSignal) => get<DashboardOverview>(`/api/dashboard/overview${qs(q)}`, signal),
  /** GET /api/dashboard/overdue: overdue open cases, longest overdue first. */
  overdue: (q: { node?: string; limit?: number } = {}, signal?: AbortSignal) => get<OverdueResponse>(`/api/dashboard/overdue${qs(q)}`, signal),
  /** GET /api/dashboard/rankings: child nodes at a level (or departments) ranked by a measure. */
  rankings: (
    q: { node?: string; by: RankingBy; measure: MeasureKey; order?: 'desc' | 'asc'; from?: string; to?: string; limit?: number },
    signal?: AbortSignal,
  ) => get<RankingResponse>(`/api/dashboard/rankings${qs(q)}`, signal),
  /** GET /api/dashboard/map/points: case points within a bbox (minLng,minLat,maxLng,maxLat), coloured by clock. */
  points: (
    q: { node?: string; bbox: [number, number, number, number]; open?: boolean; from?: string; to?: string; limit?: number },
    signal?: AbortSignal,
  ) => get<CasePoints>(`/api/dashboard/map/points${qs({ ...q, bbox: q.bbox.join(',') })}`, signal),
  /** GET /api/dashboard/map/density: per child node counts with the child polygons. */
  density: (q: { node?: string; from?: string; to?: string } = {}, signal?: AbortSignal) =>
    get<DensityFeatures>(`/api/dashboard/map/density${qs(q)}`, signal),
  /** The live stream URL (EventSource; cookie sent same-origin). */
  liveUrl: (q: { node?: string } = {}) => `/api/dashboard/live${qs(q)}`,
};

/**
 * Subscribes to live case events under a node. The server filters by the
 * caller's scope and the node; returns a function that closes the stream.
 */
export function subscribeLive(
  q: { node?: string },
  onEvent: (e: LiveEvent) => void,
  onError?: (e: Event) => void,
): () => void {
  const source = new EventSource(dashboardApi.liveUrl(q), { withCredentials: true });
  source.addEventListener('case', (msg) => {
    try {
      onEvent(JSON.parse((msg as MessageEvent<string>).data) as LiveEvent);
    } catch {
      // A malformed frame is dropped; the stream goes on.
    }
  });
  if (onError) source.onerror = onError;
  return () => source.close();
}
