/**
 * Open311 GeoReport v2 wire formats. One JS value per response; XML is built
 * from it and JSON is the same value with the root dropped ("Spark"
 * convention of the spec's JSON_and_XML_Conversion): repeated containers are
 * arrays even with one item, their XML children take the singular name below.
 * Empty optional elements are omitted (never `<x/>`), datetimes are UTC
 * `YYYY-MM-DDTHH:MM:SSZ`.
 */
export type Format = 'xml' | 'json';

/** XML child element name of each container (JSON array). */
export const ITEM_NAMES: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  attributes: 'attribute',
  values: 'value',
  notes: 'note',
  service_request_updates: 'request_update',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
  media_urls: 'media_url',
};

/** `YYYY-MM-DDTHH:MM:SSZ`, the form every Open311 validator accepts. */
export function o311Date(d: Date | null | undefined): string | undefined {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
// XML 1.0 forbids most control characters even escaped: drop them.
const NEEDS_WORK = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
// Most values need nothing: test once, rewrite only those that do.
const escapeXml = (s: string) =>
  NEEDS_WORK.test(s) ? s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => ESC[c]!) : s;

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** Drops empty optional values (recursively), so JSON and XML omit the same elements. */
export function prune<T>(v: T): T {
  if (Array.isArray(v)) return v.map(prune) as T;
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!isEmpty(x)) out[k] = prune(x);
    return out as T;
  }
  return v;
}

function element(name: string, v: unknown, out: string[], indent: string): void {
  if (isEmpty(v)) return;
  if (Array.isArray(v)) {
    const item = ITEM_NAMES[name] ?? 'item';
    out.push(`${indent}<${name}>`);
    for (const x of v) element(item, x, out, indent + '  ');
    out.push(`${indent}</${name}>`);
  } else if (typeof v === 'object') {
    out.push(`${indent}<${name}>`);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) element(k, x, out, indent + '  ');
    out.push(`${indent}</${name}>`);
  } else {
    out.push(`${indent}<${name}>${escapeXml(String(v))}</${name}>`);
  }
}

/** The XML document for `value` under the root `root` (an array: one child per item). */
export function toXml(root: string, value: unknown): string {
  const out = ['<?xml version="1.0" encoding="utf-8"?>'];
  if (Array.isArray(value)) {
    const item = ITEM_NAMES[root] ?? 'item';
    out.push(`<${root}>`);
    for (const x of value) element(item, x, out, '  ');
    out.push(`</${root}>`);
  } else {
    const inner: string[] = [];
    for (const [k, x] of Object.entries((value ?? {}) as Record<string, unknown>)) element(k, x, inner, '  ');
    out.push(`<${root}>`, ...inner, `</${root}>`);
  }
  return out.join('\n') + '\n';
}

/** Serializes `value` (already pruned) for the wire. */
export function render(format: Format, root: string, value: unknown): { type: string; body: string } {
  const v = prune(value);
  if (format === 'json') return { type: 'application/json; charset=utf-8', body: JSON.stringify(v) };
  return { type: 'text/xml; charset=utf-8', body: toXml(root, v) };
}

/** An error in the spec's format: `errors` → `error` {code, description}; HTTP 400, 403, 404 (or 429). */
export class Open311Error extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 429 | 500,
    readonly description: string,
  ) {
    super(description);
  }
}

export const bad = (field: string, reason: string) => new Open311Error(400, `${field}: ${reason}`);

export function renderError(format: Format, errors: { code: number; description: string }[]) {
  return render(format, 'errors', errors);
}

/**
 * The format a request asks for: the `.json`/`.xml` suffix of the path; without
 * one, JSON when the Accept header prefers it, else XML (the spec's mandatory format).
 */
export function formatOf(url: string, accept: string | undefined): Format {
  const path = url.split('?')[0]!.replace(/\/+$/, '');
  if (/\.json$/i.test(path)) return 'json';
  if (/\.xml$/i.test(path)) return 'xml';
  if (accept && /application\/json/i.test(accept) && !/xml/i.test(accept.split(',')[0] ?? '')) return 'json';
  return 'xml';
}

/** Splits a `.json`/`.xml` suffix off a path parameter. */
export function stripSuffix(s: string): string {
  return s.replace(/\.(json|xml)$/i, '');
}
