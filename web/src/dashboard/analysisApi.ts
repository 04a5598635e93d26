/**
 * Typed calls to the monthly review (每月研判) API: src/server/modules/analysis.
 * Shapes mirror analysis.schemas.ts.
 */
import { call, qs } from '../cases/http';

export type ItemStatus = 'open' | 'in_progress' | 'solved' | 'dropped';
export const ITEM_STATUSES: readonly ItemStatus[] = ['open', 'in_progress', 'solved', 'dropped'];

export interface CategoryRef {
  code: string;
  nameZh: string;
  nameEn: string;
}

export interface CaseRef {
  id: number;
  number: string;
  description: string;
  address: string | null;
  status: string;
  categoryCode: string;
  nodeCode: string | null;
  nodeName: string | null;
  createdAt: string;
}

export interface MonthlyParams {
  threshold?: number;
  minGroupSize?: number;
  radiusM?: number;
  minCases?: number;
  gapDays?: number;
}

export interface MonthlyAnalysis {
  node: { code: string; name: string; level: string };
  month: string;
  from: string;
  to: string;
  params: Required<MonthlyParams>;
  totals: { cases: number; previousMonth: number; located: number; analysed: number };
  truncated: boolean;
  topCategories: (CategoryRef & { count: number; previousCount: number; share: number })[];
  topPlaces: { code: string; name: string; level: string; count: number; previousCount: number }[];
  topAddresses: { address: string; count: number }[];
  hotSpots: {
    lng: number;
    lat: number;
    radiusM: number;
    count: number;
    from: string;
    to: string;
    categories: (CategoryRef & { count: number })[];
    nodes: { code: string; name: string; count: number }[];
    caseIds: number[];
    examples: CaseRef[];
  }[];
  groups: {
    key: string;
    category: CategoryRef;
    count: number;
    keywords: string[];
    cohesion: number;
    caseIds: number[];
    examples: CaseRef[];
    places: { code: string; name: string; count: number }[];
    tracked: { id: number; status: ItemStatus; title: string } | null;
  }[];
}

export interface Item {
  id: number;
  node: { code: string; name: string; level: string };
  month: string;
  category: CategoryRef;
  title: string;
  keywords: string[];
  status: ItemStatus;
  threshold: number;
  caseCount: number;
  newCaseCount: number;
  lastNewCaseAt: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  abilities: string[];
}

export interface ItemDetail extends Item {
  notes: { seq: number; at: string; actorName: string | null; fromStatus: string | null; toStatus: string | null; note: string | null }[];
  cases: CaseRef[];
  newCases: (CaseRef & { similarity: number })[];
}

type Q = MonthlyParams & { node: string; month: string };

export const analysisApi = {
  monthly: (q: Q, signal?: AbortSignal) => call<MonthlyAnalysis>('GET', `/api/analysis/monthly${qs({ ...q })}`, { signal }),
  /** The workbook's URL (a plain link downloads it with the session cookie). */
  exportUrl: (q: Q) => `/api/analysis/monthly.xlsx${qs({ ...q })}`,
  items: (q: { node?: string; status?: string } = {}, signal?: AbortSignal) => call<{ items: Item[] }>('GET', `/api/analysis/items${qs(q)}`, { signal }),
  item: (id: number, signal?: AbortSignal) => call<ItemDetail>('GET', `/api/analysis/items/${id}`, { signal }),
  createItem: (body: { nodeCode: string; month: string; categoryCode: string; caseIds: number[]; title?: string; note?: string; threshold?: number }) =>
    call<ItemDetail>('POST', '/api/analysis/items', { body }),
  updateItem: (id: number, body: { status?: ItemStatus; title?: string; note?: string }) => call<ItemDetail>('PATCH', `/api/analysis/items/${id}`, { body }),
};
