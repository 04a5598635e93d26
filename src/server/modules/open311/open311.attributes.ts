/**
 * Per-category extra questions (Open311 service definition attributes), kept in
 * categories.attributes, and the answers a request gives as `attribute[CODE]`.
 */
import { Open311Error, bad } from './open311.format.js';

export const DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;
export type Datatype = (typeof DATATYPES)[number];

export interface AttributeDef {
  code: string;
  datatype: Datatype;
  required: boolean;
  /** false: the text is shown to the person reporting, no answer is asked. */
  variable: boolean;
  description: string;
  datatype_description?: string | null;
  order: number;
  values?: { key: string; name: string }[];
}

export const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Definitions as stored, ordered; unknown shapes (none are written by the editor) are skipped. */
export function definitionsOf(raw: unknown[]): AttributeDef[] {
  return raw
    .filter((a): a is AttributeDef => !!a && typeof a === 'object' && typeof (a as AttributeDef).code === 'string' && DATATYPES.includes((a as AttributeDef).datatype))
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0) || a.code.localeCompare(b.code));
}

/** Problems of a definition list (editor input), as [field, reason]. */
export function definitionProblems(defs: AttributeDef[]): [string, string][] {
  const out: [string, string][] = [];
  const codes = new Set<string>();
  const orders = new Set<number>();
  defs.forEach((d, i) => {
    if (codes.has(d.code)) out.push([`attributes.${i}.code`, 'is used twice']);
    codes.add(d.code);
    if (orders.has(d.order)) out.push([`attributes.${i}.order`, 'is used twice']);
    orders.add(d.order);
    const list = d.datatype === 'singlevaluelist' || d.datatype === 'multivaluelist';
    if (list && !d.values?.length) out.push([`attributes.${i}.values`, 'a list needs at least one value']);
    if (!list && d.values?.length) out.push([`attributes.${i}.values`, `only list datatypes take values, not ${d.datatype}`]);
    const keys = new Set<string>();
    d.values?.forEach((v, j) => {
      if (keys.has(v.key)) out.push([`attributes.${i}.values.${j}.key`, 'is used twice']);
      keys.add(v.key);
    });
    if (!d.variable && d.required) out.push([`attributes.${i}.required`, 'an informational (variable=false) attribute cannot be required']);
  });
  return out;
}

/** The `attribute[…]` answers of a request body: form keys `attribute[CODE]` (repeatable, also `attribute[CODE][]`) or a JSON object `attribute`. */
export function answersOf(input: Record<string, unknown>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (code: string, v: unknown) => {
    const list = (Array.isArray(v) ? v : [v]).filter((x) => x !== undefined && x !== null && String(x) !== '').map((x) => String(x));
    if (!list.length) return;
    out.set(code, [...(out.get(code) ?? []), ...list]);
  };
  for (const [k, v] of Object.entries(input)) {
    const m = /^attribute\[([^\]]+)\](\[\])?$/.exec(k);
    if (m) add(m[1]!, v);
  }
  const obj = input.attribute;
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) for (const [k, v] of Object.entries(obj)) add(k, v);
  return out;
}

/**
 * Checks answers against the service's definitions and returns them typed.
 * A service without definitions takes any answers (as text); one with
 * definitions refuses unknown codes. Throws 400 naming `attribute[CODE]`.
 */
export function checkAnswers(defs: AttributeDef[], answers: Map<string, string[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!defs.length) {
    if (answers.size > 50) throw bad('attribute', 'at most 50 answers');
    for (const [code, vals] of answers) {
      if (code.length > 100) throw bad(`attribute[${code.slice(0, 40)}…]`, 'the code is too long');
      const v = vals.join(',');
      if (v.length > 1000) throw bad(`attribute[${code}]`, 'at most 1000 characters');
      out[code] = v;
    }
    return out;
  }
  const byCode = new Map(defs.map((d) => [d.code, d]));
  for (const code of answers.keys()) {
    const d = byCode.get(code);
    if (!d) throw bad(`attribute[${code}]`, 'is not a question of this service (see GET services/{service_code})');
    if (!d.variable) throw bad(`attribute[${code}]`, 'is information only and takes no answer');
  }
  for (const d of defs) {
    if (!d.variable) continue;
    const vals = answers.get(d.code);
    const f = `attribute[${d.code}]`;
    if (!vals) {
      if (d.required) throw bad(f, 'is required');
      continue;
    }
    if (d.datatype !== 'multivaluelist' && vals.length > 1) throw bad(f, 'takes one value');
    const v = vals[0]!;
    const keys = new Set((d.values ?? []).map((x) => x.key));
    switch (d.datatype) {
      case 'number':
        if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v.trim())) throw bad(f, 'must be a number');
        out[d.code] = Number(v);
        break;
      case 'datetime':
        if (!ISO_DATETIME.test(v.trim()) || Number.isNaN(Date.parse(v))) throw bad(f, 'must be a date and time like 2026-11-22T08:00:00Z');
        out[d.code] = new Date(v).toISOString();
        break;
      case 'string':
        if (v.length > 1000) throw bad(f, 'at most 1000 characters');
        out[d.code] = v;
        break;
      case 'text':
        if (v.length > 4000) throw bad(f, 'at most 4000 characters');
        out[d.code] = v;
        break;
      case 'singlevaluelist':
        if (!keys.has(v)) throw bad(f, `must be one of: ${[...keys].join(', ')}`);
        out[d.code] = v;
        break;
      case 'multivaluelist': {
        const list = vals.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
        const wrong = list.find((x) => !keys.has(x));
        if (wrong !== undefined) throw bad(f, `"${wrong}" is not one of: ${[...keys].join(', ')}`);
        out[d.code] = [...new Set(list)];
        break;
      }
    }
  }
  return out;
}

export { Open311Error };
