/** The partner screens' HTTP calls (/api/partners, /api/open311). */
import { call } from '../cases/http';

export type RequestIds = 'immediate' | 'after_acceptance';

export interface PartnerKey {
  id: number;
  prefix: string;
  label: string | null;
  nodeCode: string;
  nodeName: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface Partner {
  id: number;
  name: string;
  nodeCode: string;
  nodeName: string | null;
  contact: string | null;
  requestIds: RequestIds;
  active: boolean;
  createdAt: string;
  keys: PartnerKey[];
}

export const DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;
export type Datatype = (typeof DATATYPES)[number];

export interface AttributeDef {
  code: string;
  datatype: Datatype;
  required: boolean;
  variable: boolean;
  description: string;
  datatype_description?: string | null;
  order: number;
  values?: { key: string; name: string }[];
}

export const partnersApi = {
  list: (signal?: AbortSignal) => call<{ items: Partner[] }>('GET', '/api/partners', { signal }),
  create: (body: { name: string; nodeCode: string; contact?: string; requestIds?: RequestIds }) => call<Partner>('POST', '/api/partners', { body }),
  update: (id: number, body: { contact?: string; requestIds?: RequestIds; active?: boolean }) => call<Partner>('PATCH', `/api/partners/${id}`, { body }),
  issueKey: (id: number, body: { label?: string; nodeCode?: string }) => call<PartnerKey & { key: string }>('POST', `/api/partners/${id}/keys`, { body }),
  revokeKey: (id: number, keyId: number) => call<PartnerKey>('POST', `/api/partners/${id}/keys/${keyId}/revoke`, { body: {} }),
  attributes: (code: string, signal?: AbortSignal) =>
    call<{ code: string; nameZh: string; nameEn: string; attributes: AttributeDef[] }>('GET', `/api/open311/services/${encodeURIComponent(code)}/attributes`, { signal }),
  setAttributes: (code: string, attributes: AttributeDef[]) =>
    call<{ code: string; attributes: AttributeDef[] }>('PUT', `/api/open311/services/${encodeURIComponent(code)}/attributes`, { body: { attributes } }),
};
