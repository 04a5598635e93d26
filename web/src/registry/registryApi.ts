/** Calls of the registry screens (same client as the case screens: CSRF, 401, ApiError). */
import { call, qs } from '../cases/http';

export interface Abilities {
  update: boolean;
  reveal?: boolean;
}
export interface Household {
  id: number;
  nodeCode: string;
  nodeName: string;
  address: string;
  building: string | null;
  unit: string | null;
  room: string | null;
  placeId: number | null;
  lng: number | null;
  lat: number | null;
  status: string;
  memberCount: number;
  headName: string | null;
  abilities: Abilities;
}
export interface Resident {
  id: number;
  householdId: number | null;
  nodeCode: string;
  name: string;
  gender: 'male' | 'female' | null;
  birthDate: string | null;
  idNumber: string | null;
  phone: string | null;
  relation: string | null;
  registeredResidence: string | null;
  actualResidence: string | null;
  tags: string[];
  volunteer: boolean;
  status: string;
  address: string | null;
  /** Visit status, when the visits module supplies it (due, overdue, done). */
  visitStatus?: 'due' | 'overdue' | 'done' | null;
  abilities: Abilities;
  moves?: { id: number; fromHouseholdId: number | null; toHouseholdId: number | null; fromNodeCode: string | null; toNodeCode: string | null; movedAt: string; by: string | null; note: string | null }[];
}
export interface LinkedCase {
  id: number;
  number: string;
  status: string;
  categoryName: string | null;
  description: string;
  createdAt: string;
}
export interface HouseholdDetail extends Household {
  residents: Resident[];
  moves: { id: number; fromNodeCode: string; toNodeCode: string; movedAt: string; by: string | null; note: string | null }[];
  cases: LinkedCase[];
}
export interface Place {
  id: number;
  nodeCode: string;
  nodeName: string;
  kind: string;
  name: string;
  address: string | null;
  lng: number | null;
  lat: number | null;
  specialNodeCode: string | null;
  contactName: string | null;
  phone: string | null;
  status: string;
  abilities: Abilities;
}
export interface PlaceDetail extends Place {
  households: { id: number; address: string; building: string | null; unit: string | null; room: string | null }[];
  things: { id: number; kind: string; name: string; code: string | null; state: string }[];
  cases: LinkedCase[];
}
export interface Thing {
  id: number;
  nodeCode: string;
  nodeName: string;
  kind: string;
  categoryCode: string | null;
  categoryName: string | null;
  name: string;
  code: string | null;
  placeId: number | null;
  lng: number | null;
  lat: number | null;
  state: string;
  abilities: Abilities;
}
export interface ThingDetail extends Thing {
  cases: LinkedCase[];
}
export interface Page<T> {
  total: number;
  page: number;
  pageSize: number;
  items: T[];
}
export interface TagKind {
  code: string;
  nameZh: string;
  nameEn: string;
  visitEveryDays: number | null;
  sensitive: boolean;
}
export interface ImportReport {
  kind: string;
  dryRun: boolean;
  rows: number;
  inserted: number;
  updated: number;
  rejected: number;
  households?: { inserted: number; matched: number };
  problems: { row: number; column: string; reason: string; message: string }[];
  ms: number;
}

type Q = Record<string, string | number | boolean | undefined | null>;

export const registryApi = {
  households: (q: Q, signal?: AbortSignal) => call<Page<Household>>('GET', `/api/registry/households${qs(q)}`, { signal }),
  household: (id: number) => call<HouseholdDetail>('GET', `/api/registry/households/${id}`),
  residents: (q: Q, signal?: AbortSignal) => call<Page<Resident>>('GET', `/api/registry/residents${qs(q)}`, { signal }),
  searchResidents: (body: Q) => call<Page<Resident>>('POST', '/api/registry/residents/search', { body }),
  resident: (id: number) => call<Resident>('GET', `/api/registry/residents/${id}`),
  reveal: (id: number, reason: string) => call<{ idNumber: string | null; phone: string | null }>('POST', `/api/registry/residents/${id}/reveal`, { body: { reason } }),
  places: (q: Q, signal?: AbortSignal) => call<Page<Place>>('GET', `/api/registry/places${qs(q)}`, { signal }),
  place: (id: number) => call<PlaceDetail>('GET', `/api/registry/places/${id}`),
  things: (q: Q, signal?: AbortSignal) => call<Page<Thing>>('GET', `/api/registry/things${qs(q)}`, { signal }),
  thing: (id: number) => call<ThingDetail>('GET', `/api/registry/things/${id}`),
  updateThing: (id: number, body: Q) => call<ThingDetail>('PATCH', `/api/registry/things/${id}`, { body }),
  tagKinds: () => call<TagKind[]>('GET', '/api/registry/tag-kinds'),
  importLedger: (kind: string, file: File, dryRun: boolean, nodeCode?: string) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return call<ImportReport>('POST', `/api/registry/import${qs({ kind, dryRun, nodeCode })}`, { form });
  },
};

export function exportUrl(kind: string, q: Q): string {
  return `/api/registry/export/${kind}${qs(q)}`;
}
