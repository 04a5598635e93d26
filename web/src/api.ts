/**
 * The one HTTP client of the console: same-origin JSON calls with the session
 * cookie, the CSRF header on every write, typed errors, and one place that
 * reacts to 401 (the session is gone → back to the sign-in page).
 */
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { Level, NodeKind } from '../../src/domain/tree.js';

export type { Level, NodeKind };

export interface FieldError {
  field: string;
  reason: string;
}

/** An error answered by the server (or a network failure, status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface DemoLogin {
  username: string;
  password: string;
  role: string;
  node: string;
  nodeName: string;
}

export interface Meta {
  mode: 'demo' | 'production' | 'test';
  engine: string;
  tileUrl: string | null;
  city: { code: string; name: string; center: [number, number]; bbox: [number, number, number, number] } | null;
  demoLogins: DemoLogin[];
}

export interface RoleGrant {
  id: number | string;
  role: string;
  nodeCode: string | null;
  nodeName: string | null;
  nodeLevel: Level | null;
  departmentId: number | null;
  departmentName: string | null;
}

export interface Me {
  id: string;
  username: string;
  displayName: string;
  phone: string | null;
  mustChangePassword: boolean;
  roles: RoleGrant[];
  permissions: string[];
  csrfToken: string;
}

export interface GridNode {
  code: string;
  name: string;
  level: Level;
  kind: NodeKind;
  parentCode: string | null;
  path: string;
  depth: number;
  status: 'active' | 'retired';
  households: number | null;
  attributes: Record<string, unknown> | null;
  hasBoundary: boolean;
  childCount: number;
  retiredAt?: string | null;
  retiredReason?: string | null;
}

export interface NodeDetail extends GridNode {
  ancestors: { code: string; name: string; level: Level }[];
}

export interface SearchHit extends GridNode {
  /** Names from the searched root down to the hit. */
  pathNames: string[] | string;
}

export interface NodeCounts {
  code: string;
  counts: Partial<Record<Level, number>>;
  households: number | null;
}

export interface NodeFeatureProps {
  code: string;
  name: string;
  level: Level;
  kind: NodeKind;
  status: string;
  households: number | null;
  role: 'self' | 'child';
}

export type NodeFeatures = FeatureCollection<Polygon | MultiPolygon, NodeFeatureProps>;

let csrfToken = '';
let onUnauthorized: (() => void) | undefined;

/** Remember the session's CSRF token (from login or /auth/me). */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called once by the app shell: what to do when any call answers 401. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/** For clients that build their own requests (multipart uploads, Idempotency-Key): the token and the 401 reaction. */
export function currentCsrfToken(): string {
  return csrfToken;
}
export function signalUnauthorized(): void {
  onUnauthorized?.();
}

interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** Do not run the global 401 handler (the sign-in form and the first /me handle 401 themselves). */
  quiet401?: boolean;
  /** Extra headers, e.g. Idempotency-Key. */
  headers?: Record<string, string>;
}

async function request<T>(method: string, url: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', (err as Error).message || 'Network error');
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const body = (data ?? {}) as { code?: string; message?: string; fields?: FieldError[]; details?: Record<string, unknown> };
    const error = new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? res.statusText, body.fields ?? [], body.details ?? {});
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
    throw error;
  }
  return data as T;
}

const enc = encodeURIComponent;

export const api = {
  meta: () => request<Meta>('GET', '/api/meta'),
  login: (login: string, password: string) =>
    request<{ userId: string; csrfToken: string; mustChangePassword: boolean }>('POST', '/api/auth/login', {
      body: { login, password },
      quiet401: true,
    }),
  me: () => request<Me>('GET', '/api/auth/me', { quiet401: true }),
  logout: () => request<{ ok: true }>('POST', '/api/auth/logout', { quiet401: true }),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<{ ok: true }>('POST', '/api/auth/password', { body: { currentPassword, newPassword } }),

  roots: (signal?: AbortSignal) => request<{ items: GridNode[] }>('GET', '/api/nodes/roots', { signal }),
  node: (code: string, signal?: AbortSignal) => request<NodeDetail>('GET', `/api/nodes/${enc(code)}`, { signal }),
  children: (code: string, signal?: AbortSignal) => request<{ items: GridNode[] }>('GET', `/api/nodes/${enc(code)}/children`, { signal }),
  search: (code: string, q: string, signal?: AbortSignal) =>
    request<{ items: SearchHit[] }>('GET', `/api/nodes/${enc(code)}/search?q=${enc(q)}`, { signal }),
  counts: (code: string, signal?: AbortSignal) => request<NodeCounts>('GET', `/api/nodes/${enc(code)}/counts`, { signal }),
  geojson: (code: string, signal?: AbortSignal) => request<NodeFeatures>('GET', `/api/nodes/${enc(code)}/geojson`, { signal }),
};

/** True for an aborted fetch (a newer selection replaced the request): not an error to show. */
export function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** The request helper for screen areas with their own typed calls. */
export { request as apiRequest };
