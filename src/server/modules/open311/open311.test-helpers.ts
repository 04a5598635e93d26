/**
 * Conformance helpers for the Open311 tests: the official JSON Schemas
 * (open311/schema-validation) through ajv, and the spec's XML⇄JSON rule
 * (root dropped, repeated containers as arrays) applied to our XML with
 * fast-xml-parser, independently of how the server builds either.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';

export const SHARED = process.env.OPEN311_SHARED ?? '/work/shared/open311';
const SCHEMAS = path.join(SHARED, 'schema-validation');

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => void;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
for (const f of ['request.json', 'requests.json', 'service.json', 'services.json', 'service-definition.json']) {
  ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMAS, f), 'utf8')), f);
}

/** Validates against an official schema ('requests', 'services', 'service-definition'); returns ajv's errors or null. */
export function schemaErrors(schema: 'requests' | 'services' | 'service-definition' | 'request' | 'service', value: unknown): string | null {
  const v = ajv.getSchema(`${schema}.json`)!;
  // The official array schemas put minItems inside items (a no-op); check items one by one too.
  if (!v(value)) return ajv.errorsText(v.errors);
  if (Array.isArray(value) && schema.endsWith('s')) {
    const one = ajv.getSchema(`${schema.slice(0, -1)}.json`)!;
    for (const x of value) if (!one(x)) return ajv.errorsText(one.errors);
  }
  return null;
}

/** Containers of GeoReport v2 and its extensions: XML element → its repeated child. */
const CONTAINERS: Record<string, string> = {
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

/** The JSON the spec's conversion rule gives for an XML document. */
export function xmlToJson(xml: string): unknown {
  const parser = new XMLParser({ parseTagValue: false, trimValues: true, ignoreDeclaration: true, ignoreAttributes: true });
  const doc = parser.parse(xml) as Record<string, unknown>;
  const root = Object.keys(doc)[0]!;
  return convert(root, doc[root]);
}

function convert(name: string, v: unknown): unknown {
  const item = CONTAINERS[name];
  if (item) {
    const inner = v && typeof v === 'object' ? (v as Record<string, unknown>)[item] : undefined;
    const arr = inner === undefined ? [] : Array.isArray(inner) ? inner : [inner];
    return arr.map((x) => convert(item, x));
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, convert(k, x)]));
  return v;
}

/** JSON with every leaf as XML text would carry it (numbers and booleans as strings). */
export function asXmlText(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(asXmlText);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asXmlText(x)]));
  return v === null || v === undefined ? v : String(v);
}

/** Element names used anywhere in a value (keys of objects, recursively). */
export function keysOf(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => keysOf(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (out.add(k), keysOf(x, out));
  return out;
}

export function readShared(rel: string): string {
  return readFileSync(path.join(SHARED, rel), 'utf8');
}
