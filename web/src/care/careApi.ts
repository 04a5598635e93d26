/** The care and linkage screens' HTTP calls. */
import { call, qs } from '../cases/http';

export interface DueItem {
  residentId: number;
  name: string;
  householdId: number | null;
  address: string | null;
  nodeCode: string;
  tags: string[];
  everyDays: number;
  lastVisitAt: string | null;
  dueAt: string;
  status: 'overdue' | 'due' | 'done';
  daysOverdue: number;
}
export interface Counts { total: number; overdue: number; due: number; done: number }
export interface Visit { id: number; residentId: number; residentName: string; visitedAt: string; kind: string; findings: string; caseId: number | null; visitorName: string }
export interface Patrol {
  id: number; nodeCode: string; nodeName: string; workerName: string; status: 'active' | 'ended'; startedAt: string; endedAt: string | null; note: string | null;
  points: number; distanceM: number; findings: { caseId: number; number: string; status: string; categoryCode: string; description: string }[];
}
export interface Track { type: 'Feature'; geometry: { type: 'LineString'; coordinates: number[][] }; properties: Record<string, unknown> }
export interface TrackPoint { id: string; seq: number; at: string; lng: number; lat: number; accuracy?: number }
export interface Party { kind: string; id: string; name: string | null }
export interface TreeGroup { key: string; id: number | null; level: number; parentKey: string | null; name: string; nodeCode: string; owner: Party | null; households: number; members: number }
export interface Violation { code: string; groupKey?: string; householdId?: number; message: string; details?: Record<string, unknown> }
export interface LinkageTree {
  communityCode: string; communityName: string; stored: boolean;
  stats: { households: number; groups: { level1: number; level2: number; level3: number; level4: number }; residents: number; volunteers: number; volunteerShare: number };
  groups: TreeGroup[]; violations: Violation[];
}
export interface Broadcast {
  id: number; title: string; body: string; urgent: boolean; status: string; nodeCode: string; groupId: number | null; groupName: string | null; senderName: string;
  recipients: number; read: number; unread: number; createdAt: string; sentAt: string | null; remindedAt: string | null;
}
export interface BroadcastDetail extends Broadcast { groups: { groupId: number; name: string; ownerName: string | null; unread: number; total: number }[] }
export interface Unread { householdId: number; address: string; groupId: number; groupName: string | null; ownerName: string | null }
export interface MyNotice { id: number; title: string; body: string; urgent: boolean; senderName: string; createdAt: string; readAt: string | null; read: boolean }
export interface HelpRequest {
  id: number; residentName: string; groupName: string | null; level: number; title: string; body: string | null; status: string; claimedByName: string | null; result: string | null; createdAt: string; caseId: number | null;
}

export const careApi = {
  due: (q: { nodeCode?: string; status?: string; limit?: number } = {}) => call<{ items: DueItem[]; counts: Counts }>('GET', `/api/visits/due${qs(q)}`),
  visits: (residentId: number) => call<{ items: Visit[] }>('GET', `/api/visits${qs({ residentId })}`),
  recordVisit: (body: unknown) => call<Visit>('POST', '/api/visits', { body }),
  uploadPhoto: (file: File) => {
    const form = new FormData();
    form.append('file', file);
    return call<{ sha256: string }>('POST', '/api/cases/photos', { form });
  },
  patrols: (q: { nodeCode?: string; mine?: boolean; status?: string; from?: string; to?: string; limit?: number } = {}) => call<{ items: Patrol[] }>('GET', `/api/patrols${qs(q)}`),
  startPatrol: (body: { nodeCode?: string; note?: string } = {}) => call<Patrol>('POST', '/api/patrols', { body }),
  stopPatrol: (id: number) => call<Patrol>('POST', `/api/patrols/${id}/stop`, { body: {} }),
  sendPoints: (id: number, points: TrackPoint[]) => call<{ accepted: number; duplicates: number; total: number }>('POST', `/api/patrols/${id}/points`, { body: { points } }),
  track: (id: number) => call<Track>('GET', `/api/patrols/${id}/track`),
  finding: (id: number, body: unknown) => call<{ caseId: number; number: string; status: string }>('POST', `/api/patrols/${id}/findings`, { body }),
  tree: (code: string) => call<LinkageTree>('GET', `/api/linkage/communities/${code}/tree`),
  proposal: (code: string) => call<LinkageTree>('GET', `/api/linkage/communities/${code}/proposal`),
  applyTree: (code: string, replace: boolean) => call<LinkageTree>('POST', `/api/linkage/communities/${code}/tree`, { body: { replace } }),
  send: (body: { groupId?: number; nodeCode?: string; title: string; body: string; urgent?: boolean }) => call<Broadcast>('POST', '/api/linkage/broadcasts', { body }),
  broadcasts: (nodeCode?: string) => call<{ items: Broadcast[] }>('GET', `/api/linkage/broadcasts${qs({ nodeCode })}`),
  broadcast: (id: number) => call<BroadcastDetail>('GET', `/api/linkage/broadcasts/${id}`),
  unread: (id: number) => call<{ items: Unread[] }>('GET', `/api/linkage/broadcasts/${id}/unread?limit=500`),
  remind: (id: number) => call<{ groups: number; notified: number }>('POST', `/api/linkage/broadcasts/${id}/remind`),
  myNotices: () => call<{ items: MyNotice[] }>('GET', '/api/linkage/my/broadcasts'),
  readMine: (id: number) => call<unknown>('POST', `/api/linkage/my/broadcasts/${id}/read`),
  help: (view: 'mine' | 'serve') => call<{ items: HelpRequest[] }>('GET', `/api/linkage/help${qs({ view })}`),
  askHelp: (body: { title: string; body?: string }) => call<HelpRequest>('POST', '/api/linkage/help', { body }),
  claim: (id: number) => call<HelpRequest>('POST', `/api/linkage/help/${id}/claim`),
  complete: (id: number, result: string) => call<HelpRequest>('POST', `/api/linkage/help/${id}/complete`, { body: { result } }),
};

/** Case categories as select options: the leaves of the catalogue (tree or flat list). */
export async function categoryOptions(isEn: boolean): Promise<{ value: string; label: string }[]> {
  const { casesApi } = await import('../cases/casesApi');
  const all = await casesApi.categories();
  const out: { value: string; label: string }[] = [];
  const walk = (cs: typeof all) => {
    for (const c of cs) {
      if (c.children?.length) walk(c.children);
      else if (c.parentCode && c.active !== false) out.push({ value: c.code, label: isEn ? c.nameEn : c.nameZh });
    }
  };
  walk(all);
  return out;
}
