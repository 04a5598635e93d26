/**
 * The case screens' HTTP calls: like the console's client (same CSRF token,
 * same 401 reaction, same ApiError), plus extra headers (Idempotency-Key) and
 * multipart bodies for photo uploads.
 */
import { ApiError, currentCsrfToken, signalUnauthorized, type FieldError } from '../api';

export interface CallOptions {
  body?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function call<T>(method: string, url: string, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const token = currentCsrfToken();
  if (method !== 'GET' && token) headers['X-CSRF-Token'] = token;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.form ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', (err as Error).message || 'Network error');
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const b = (data ?? {}) as { code?: string; message?: string; fields?: FieldError[]; details?: Record<string, unknown> };
    if (res.status === 401) signalUnauthorized();
    throw new ApiError(res.status, b.code ?? `HTTP_${res.status}`, b.message ?? res.statusText, b.fields ?? [], b.details ?? {});
  }
  return data as T;
}

/** A query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** A fresh key per form submission: a double tap or a retry does not make two cases. */
export function newIdempotencyKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
