/**
 * Typed calls to the case loop's API (cases, photos, categories, the
 * responsibility list, departments, notices, locate). Shapes follow the
 * server's presenters in src/server/modules/{cases,categories,responsibility,notices}.
 */
import type { CaseAction, CaseStatus, Rating } from '../../../src/domain/case-lifecycle.js';
import type { GridNode, NodeFeatures } from '../api';
import { call, qs } from './http';

export type { CaseAction, CaseStatus, Rating };
export type ClockColour = 'green' | 'yellow' | 'red';
export type HandlerType = 'department' | 'node_office' | 'grid_worker';
export type HandlingLevel = 'grid' | 'community' | 'street' | 'district' | 'city';
export type Channel = 'h5' | 'resident_app' | 'hotline' | 'patrol' | 'console' | 'station' | 'linkage' | 'partner' | 'import';
export type DeadlineUnit = 'hours' | 'workdays';
export interface DeadlineSpec {
  amount: number;
  unit: DeadlineUnit;
}
export interface Deadlines {
  accept: DeadlineSpec;
  sign: DeadlineSpec;
  handle: DeadlineSpec;
}

export interface CategoryRef {
  code: string;
  nameZh?: string;
  nameEn?: string;
}

export interface CaseListItem {
  id: number;
  number: string;
  status: CaseStatus;
  category: CategoryRef;
  description: string;
  address: string | null;
  node: { code: string; name: string | null } | null;
  channel: Channel;
  urgent: boolean;
  clockColour: ClockColour;
  handleDueAt: string | null;
  acceptDueAt: string | null;
  handler: { type: HandlerType; nodeCode: string | null; name: string | null; departmentId: number | null } | null;
  reopenCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface CasePage {
  items: CaseListItem[];
  page: number;
  pageSize: number;
  hasMore: boolean;
}

export interface RouteInfo {
  source: 'entry' | 'category_default';
  entryId: number | null;
  handlingLevel: HandlingLevel;
  handlingNodeCode: string;
  lead: { type: HandlerType; departmentKind?: string };
  leadDepartmentId: number | null;
  coHandlers: string[];
  deadlines: Deadlines;
  autoDispatch: boolean;
  explanation: string;
}

export interface TimelineEntry {
  seq: number;
  at: string;
  actor: { id: string | null; name: string | null; role: string | null; unit: string | null };
  action: string;
  from: CaseStatus | null;
  to: CaseStatus | null;
  note: string | null;
  photos: string[] | null;
  clock: Record<string, unknown> | null;
  data: Record<string, unknown> | null;
}

export interface CaseDetail {
  id: number;
  number: string;
  status: CaseStatus;
  suspendedFrom: CaseStatus | null;
  channel: Channel;
  category: CategoryRef;
  description: string;
  address: string | null;
  location: { lng: number; lat: number } | null;
  node: { code: string; name: string | null; pathNames: string | null } | null;
  placedBy: string | null;
  urgent: boolean;
  reporter: { name: string | null; phone: string | null; isMe: boolean };
  handlingLevel: HandlingLevel | null;
  handler: { type: HandlerType; nodeCode: string | null; departmentId: number | null; name: string | null } | null;
  coHandlers: { departmentId: number; name: string; status: string; report: string | null; reportedAt: string | null }[];
  route: RouteInfo | null;
  clock: { colour: ClockColour; acceptDueAt: string | null; signDueAt: string | null; handleDueAt: string | null; unit: DeadlineUnit | null; supervisedAt: string | null };
  pendingExtension: { amount: number; unit: DeadlineUnit; reason: string } | null;
  pendingSuspension: { reason: string } | null;
  counts: { reopen: number; rework: number; return: number; escalation: number };
  outcome: {
    resolvedAt: string | null;
    resolvedLevel: string | null;
    resolvedOnTime: boolean | null;
    rating: Rating | null;
    ratingComment: string | null;
    closedAt: string | null;
    closeReason: string | null;
    mergedInto: number | null;
    rejectedReason: string | null;
  };
  photos: { sha256: string; mime: string; stage: string; url: string }[];
  timeline: TimelineEntry[];
  duplicates: { id: number; number: string; status: CaseStatus; description: string; createdAt: string; distanceM: number | null }[];
  abilities: CaseAction[];
  createdAt: string;
  updatedAt: string;
}

/** What an action answers when the caller can no longer see the case (after a return or an escalation). */
export interface CaseGone {
  id: number;
  number: string;
  status: CaseStatus;
  abilities: [];
}
export type ActionResult = CaseDetail | CaseGone;
export const isGone = (r: ActionResult): r is CaseGone => !('timeline' in r);

export interface QueueQuery {
  status?: string;
  category?: string;
  clock?: ClockColour;
  handler?: string;
  node?: string;
  channel?: string;
  urgent?: boolean;
  q?: string;
  mine?: 'handling' | 'reported';
  sort?: 'newest' | 'oldest' | 'due';
  page?: number;
  pageSize?: number;
}

export interface CaseCounts {
  byStatus: Partial<Record<CaseStatus, number>>;
  openByClock: Record<ClockColour, number>;
  total: number;
}

export interface NewCase {
  channel: Channel;
  categoryCode: string;
  description: string;
  location?: { lng: number; lat: number; crs: 'wgs84' | 'gcj02' | 'bd09' };
  address?: string;
  nodeCode?: string;
  reporter?: { name?: string; phone?: string };
  urgent?: boolean;
  photos?: string[];
  selfResolved?: { result: string; photos?: string[] };
}

export interface UploadedPhoto {
  sha256: string;
  mime: string;
  bytes: number;
}

export interface Category {
  code: string;
  parentCode: string | null;
  depth: number;
  nameZh: string;
  nameEn: string;
  description: string | null;
  kind: string;
  defaultLevel: HandlingLevel;
  defaultDeadlines: Deadlines;
  defaultDepartmentKind: string | null;
  photoRequiredOnResolve: boolean;
  duplicateRadiusM: number;
  duplicateWindowHours: number;
  keywords: string[];
  active: boolean;
  sort: number;
  updatedAt: string;
  children?: Category[];
}

export interface Department {
  id: number;
  nodeCode: string;
  nodeName: string;
  name: string;
  kind: string;
  status: string;
  members: number;
}

export interface ResponsibilityEntry {
  id: number;
  nodeCode: string;
  nodeName: string | null;
  categoryCode: string;
  categoryNameZh: string | null;
  categoryNameEn: string | null;
  handlingLevel: HandlingLevel;
  lead: { type: HandlerType; departmentKind?: string };
  coHandlers: string[];
  deadlines: Deadlines | null;
  autoDispatch: boolean;
  note: string | null;
  updatedAt: string;
  canManage: boolean;
}

export interface EntryInput {
  nodeCode?: string;
  categoryCode?: string;
  handlingLevel?: HandlingLevel;
  lead?: { type: HandlerType; departmentKind?: string };
  coHandlers?: string[];
  deadlines?: Deadlines;
  autoDispatch?: boolean;
  note?: string | null;
}

export interface RouteExplanation {
  categoryCode: string;
  node: { code: string; name: string; level: string };
  source: 'entry' | 'category_default';
  entry: ResponsibilityEntry | null;
  handlingLevel: HandlingLevel;
  handlingNodeCode: string;
  handlingNodeName: string | null;
  lead: { type: HandlerType; departmentKind?: string };
  leadDepartment: { id: number; name: string; nodeCode: string } | null;
  coHandlers: string[];
  deadlines: Deadlines;
  autoDispatch: boolean;
  alsoMatched: ResponsibilityEntry[];
  explanation: string;
}

export interface Notice {
  id: number;
  kind: string;
  title: string;
  body: string | null;
  caseId: number | null;
  caseNumber: string | null;
  createdAt: string;
  readAt: string | null;
  read: boolean;
}

export interface LocateResult {
  point: { lng: number; lat: number };
  node: { code: string; name: string; level: string; kind: string };
  path: { code: string; name: string; level: string }[];
  inGrid: boolean;
  outsideGrids: boolean;
}

/** The body of one action (each action reads the fields it needs). */
export interface ActionBody {
  note?: string;
  reason?: string;
  photos?: string[];
  handler?: { type: HandlerType; departmentId?: number; nodeCode?: string };
  mode?: 'designate' | 'negotiate';
  into?: number;
  departmentIds?: number[];
  departmentId?: number;
  extension?: DeadlineSpec;
}

const enc = encodeURIComponent;

export const casesApi = {
  list: (q: QueueQuery, signal?: AbortSignal) => call<CasePage>('GET', `/api/cases${qs({ ...q })}`, { signal }),
  mine: (q: QueueQuery, signal?: AbortSignal) => call<CasePage>('GET', `/api/cases/mine${qs({ ...q })}`, { signal }),
  counts: (node?: string, signal?: AbortSignal) => call<CaseCounts>('GET', `/api/cases/counts${qs({ node })}`, { signal }),
  byPhone: (phone: string, signal?: AbortSignal) => call<{ items: CaseListItem[] }>('GET', `/api/cases/by-phone${qs({ phone })}`, { signal }),
  get: (id: number, signal?: AbortSignal) => call<CaseDetail>('GET', `/api/cases/${id}`, { signal }),
  create: (body: NewCase, idempotencyKey: string) => call<CaseDetail>('POST', '/api/cases', { body, headers: { 'Idempotency-Key': idempotencyKey } }),
  act: (id: number, action: CaseAction, body: ActionBody) => call<ActionResult>('POST', `/api/cases/${id}/${action.replaceAll('_', '-')}`, { body }),
  rate: (id: number, rating: Rating, comment?: string) => call<ActionResult>('POST', `/api/cases/${id}/rate`, { body: { rating, ...(comment ? { comment } : {}) } }),
  uploadPhotos: (files: Blob[], names: string[]) => {
    const form = new FormData();
    files.forEach((f, i) => form.append('photos', f, names[i] ?? `photo-${i}.jpg`));
    return call<{ items: UploadedPhoto[] }>('POST', '/api/cases/photos', { form });
  },

  categories: (signal?: AbortSignal) => call<Category[] | { items: Category[] }>('GET', '/api/categories', { signal }).then((r) => (Array.isArray(r) ? r : r.items)),
  updateCategory: (code: string, patch: Partial<Category>) => call<Category>('PATCH', `/api/categories/${enc(code)}`, { body: patch }),
  createCategory: (body: Record<string, unknown>) => call<Category>('POST', '/api/categories', { body }),

  departments: (node?: string, signal?: AbortSignal) => call<{ items: Department[] }>('GET', `/api/departments${qs({ node })}`, { signal }),

  entries: (q: { node?: string; category?: string; limit?: number; offset?: number }, signal?: AbortSignal) =>
    call<{ items: ResponsibilityEntry[]; total: number }>('GET', `/api/responsibility${qs(q)}`, { signal }),
  createEntry: (body: EntryInput) => call<ResponsibilityEntry>('POST', '/api/responsibility', { body }),
  updateEntry: (id: number, body: EntryInput) => call<ResponsibilityEntry>('PATCH', `/api/responsibility/${id}`, { body }),
  deleteEntry: (id: number) => call<void>('DELETE', `/api/responsibility/${id}`),
  explain: (category: string, node: string, signal?: AbortSignal) => call<RouteExplanation>('GET', `/api/responsibility/explain${qs({ category, node })}`, { signal }),

  notices: (q: { unread?: boolean; page?: number; pageSize?: number }, signal?: AbortSignal) =>
    call<{ items: Notice[]; total: number; unread: number; page: number; pageSize: number }>('GET', `/api/notices${qs(q)}`, { signal }),
  unreadCount: (signal?: AbortSignal) => call<{ unread: number }>('GET', '/api/notices/unread-count', { signal }),
  markRead: (id: number) => call<Notice>('POST', `/api/notices/${id}/read`),
  markAllRead: () => call<{ marked: number; unread: number }>('POST', '/api/notices/read-all'),

  locate: (lng: number, lat: number, signal?: AbortSignal) => call<LocateResult>('GET', `/api/locate${qs({ lng, lat, crs: 'wgs84' })}`, { signal }),
  roots: (signal?: AbortSignal) => call<{ items: GridNode[] }>('GET', '/api/nodes/roots', { signal }),
  searchNodes: (root: string, q: string, signal?: AbortSignal) =>
    call<{ items: (GridNode & { pathNames: string | string[] })[] }>('GET', `/api/nodes/${enc(root)}/search${qs({ q })}`, { signal }),
  children: (code: string, signal?: AbortSignal) => call<{ items: GridNode[] }>('GET', `/api/nodes/${enc(code)}/children`, { signal }),
  geojson: (code: string, signal?: AbortSignal) => call<NodeFeatures>('GET', `/api/nodes/${enc(code)}/geojson`, { signal }),
};
