/**
 * Open311 GeoReport v2 (and mySociety's servicerequestupdates) over the case
 * loop. Services are the active case categories; a service request is a case.
 *
 * Who sees what: without an api_key, only what is safe to publish — cases of
 * the city-management kinds (events and components: appearance, facilities,
 * roads…, what FixMyStreet-style sites show), never disputes, hazards, care or
 * personal requests, and never anyone's name, phone or e-mail. With a key, the
 * partner sees every case in its key's subtree (still no reporter data);
 * a case outside it answers 404.
 *
 * Ids: service_request_id is the case id. A partner in 'immediate' mode gets
 * it at once (services are `realtime`); in 'after_acceptance' mode POST
 * answers a token (services are `batch`) and GET tokens/{token} gives the id
 * once a dispatcher has responded to the case (accepted, rejected or merged it).
 *
 * Creating goes through the one intake (`createCase`, channel 'partner'), so
 * routing, clocks, duplicates and idempotency are those of every channel.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { AppDeps, Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import { writeAudit } from '../../plugins/audit.js';
import { CRS_LIST, coordinateProblem, toWgs84, type Crs } from '../../../domain/geo.js';
import { TERMINAL_STATUSES, type CaseStatus } from '../../../domain/case-lifecycle.js';
import { isWithin } from '../../../domain/tree.js';
import { createCase, placeCase, type IntakeInput } from '../cases/cases.intake.js';
import * as cases from '../cases/cases.repository.js';
import { nudgeOutbox } from '../cases/outbox-signal.js';
import { hashApiKey } from '../partners/partners.service.js';
import * as partners from '../partners/partners.repository.js';
import { answersOf, checkAnswers, definitionsOf, ISO_DATETIME } from './open311.attributes.js';
import { bad, o311Date, Open311Error } from './open311.format.js';
import * as repo from './open311.repository.js';

export type Lang = 'zh' | 'en';
export type Params = Record<string, unknown>;
export type PartnerKey = partners.KeyIdentity;

/** Category kinds whose cases are published without a key. */
export const PUBLIC_KINDS = ['event', 'component'] as const;
/** The spec's default cap and window. */
export const MAX_ROWS = 1000;
const WINDOW_MS = 90 * 86_400_000;
const MAX_MEDIA = 10;

const STATUS_NOTES: Record<CaseStatus, [string, string]> = {
  reported: ['待受理', 'Awaiting acceptance'],
  accepted: ['已受理，待派遣', 'Accepted, awaiting dispatch'],
  dispatched: ['已派遣，待签收', 'Dispatched to the handling unit'],
  in_progress: ['处置中', 'Being handled'],
  returned: ['已退回，待重新派遣', 'Returned by the handler, being reassigned'],
  resolved: ['已处置，待核查', 'Handled, awaiting the on-site check'],
  awaiting_rating: ['已办结，待评价', "Resolved, awaiting the reporter's rating"],
  suspended: ['已挂起', 'Suspended'],
  closed: ['已结案', 'Closed'],
  rejected: ['不予受理', 'Not accepted'],
  cancelled: ['已撤销', 'Withdrawn by the reporter'],
  merged: ['已合并至重复事件', 'Merged into an earlier request'],
};

const ACTION_LABELS: Record<string, [string, string]> = {
  accept: ['已受理', 'Accepted'],
  reject: ['不予受理', 'Not accepted'],
  cancel: ['已撤销', 'Withdrawn'],
  merge: ['已合并', 'Merged into an earlier request'],
  merged_in: ['有重复事件并入', 'A duplicate was merged in'],
  self_resolve: ['网格员现场处置', 'Solved on the spot by the grid worker'],
  dispatch: ['已派遣', 'Dispatched'],
  redispatch: ['已改派', 'Reassigned'],
  sign: ['已签收', 'Taken on by the handler'],
  sign_overdue: ['签收超时', 'Not taken on by the handler in time'],
  note: ['处置进展', 'Progress'],
  return: ['已退回', 'Returned for reassignment'],
  escalate: ['已上报上级', 'Escalated one level up'],
  summon: ['已召集协办部门', 'Departments summoned to assist'],
  co_report: ['协办部门已反馈', 'An assisting department reported'],
  resolve: ['处置完成', 'Resolved'],
  check_pass: ['核查通过', 'Checked on site'],
  check_fail: ['核查未通过，返工', 'Check failed, work resumed'],
  rate_satisfied: ['评价：满意', 'Rated: satisfied'],
  rate_basically_satisfied: ['评价：基本满意', 'Rated: basically satisfied'],
  rate_unsatisfied: ['评价：不满意，重办', 'Rated: not satisfied, reopened'],
  close_unrated: ['未评价，已结案', 'Closed without a rating'],
  request_extension: ['申请延期', 'Extension requested'],
  approve_extension: ['延期已批准', 'Extension approved'],
  deny_extension: ['延期未批准', 'Extension denied'],
  request_suspension: ['申请挂起', 'Suspension requested'],
  approve_suspension: ['已挂起', 'Suspended'],
  deny_suspension: ['挂起未批准', 'Suspension denied'],
  resume: ['已恢复处置', 'Resumed'],
  supervise: ['督办', 'Supervision notice'],
  flag_urgent: ['已标为紧急', 'Flagged urgent'],
  comment: ['留言', 'Comment'],
};
/** Actions whose free text is written for the reporter, so partners and the public may read it. */
const SHARED_NOTES = new Set(['accept', 'reject', 'cancel', 'resolve', 'self_resolve', 'comment']);

/**
 * Free text written by residents and staff may carry a phone or ID number
 * ("请联系 13800138000"): masked in everything Open311 shows.
 */
export function scrub(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  return text
    .replace(/(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?![\dXx])/g, '$1********$3') // resident ID number (身份证号)
    .replace(/(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)/g, '$1****$3') // mobile
    .replace(/(?<!\d)(0\d{2,3})[- ]?(\d{3,4})(\d{4})(?!\d)/g, '$1-****$3'); // landline
}

const isOpen = (s: string) => !TERMINAL_STATUSES.includes(s as CaseStatus);
const o311Status = (s: string) => (isOpen(s) ? 'open' : 'closed');
const pick = (pair: [string, string] | undefined, lang: Lang, fallback: string) => (pair ? pair[lang === 'en' ? 1 : 0] : fallback);

// ---------- parameters ----------

/** One string parameter; empty = absent; a repeated one takes the first. */
export function str(p: Params, name: string): string | undefined {
  const v = p[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s === null) return undefined;
  const t = String(s).trim();
  return t === '' ? undefined : t;
}

/** Every value of a repeatable parameter (`media_url=a&media_url=b`, `media_url[]=…`). */
function all(p: Params, name: string): string[] {
  return [p[name], p[`${name}[]`]].flatMap((v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v])).map((x) => String(x).trim()).filter(Boolean);
}

/** A comma-separated list parameter. */
function list(p: Params, name: string): string[] | undefined {
  const s = all(p, name).join(',');
  const l = s.split(',').map((x) => x.trim()).filter(Boolean);
  return l.length ? l : undefined;
}

function dateParam(p: Params, name: string): Date | undefined {
  const s = str(p, name);
  if (s === undefined) return undefined;
  if (!ISO_DATETIME.test(s) || Number.isNaN(Date.parse(s))) throw bad(name, 'must be a W3C date and time like 2026-11-22T08:00:00Z');
  return new Date(s);
}

function intParam(p: Params, name: string, min: number, max: number): number | undefined {
  const s = str(p, name);
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > max) throw bad(name, `must be a whole number from ${min} to ${max}`);
  return Number(s);
}

function boolParam(p: Params, name: string): boolean {
  const s = str(p, name)?.toLowerCase();
  return s === 'true' || s === '1' || s === 'yes';
}

// ---------- keys and jurisdiction ----------

/** The partner key behind `api_key`, or undefined when none was sent. Throws 403 for a wrong or revoked key. */
export async function keyOf(deps: AppDeps, p: Params): Promise<PartnerKey | undefined> {
  const apiKey = str(p, 'api_key');
  if (apiKey === undefined) return undefined;
  if (apiKey.length > 200) throw new Open311Error(403, 'Invalid api_key received.');
  const k = await partners.findLiveKey(deps.db, hashApiKey(apiKey));
  if (!k) throw new Open311Error(403, 'Invalid api_key received -- it is unknown, revoked, or its partner is stopped.');
  // Coarse, so that a busy partner does not write on every call.
  if (!k.last_used_at || Date.now() - +k.last_used_at > 60_000) await partners.touchKey(deps.db, k.key_id);
  return k;
}

export function requireKey(k: PartnerKey | undefined, what: string): PartnerKey {
  if (!k) throw new Open311Error(403, `An api_key is required to ${what}.`);
  return k;
}

/** jurisdiction_id is a city code; with a key it must be the key's city. Throws 404. */
async function jurisdictionOf(deps: AppDeps, p: Params, key: PartnerKey | undefined): Promise<string | undefined> {
  const j = str(p, 'jurisdiction_id');
  // Without one, a server of a single city serves that city (as the spec means jurisdiction_id to be optional then):
  // naming it lets the (city_code, created_at) index answer a public list — 7 ms instead of 1.3 s with 1M cases.
  if (j === undefined) return key ? undefined : repo.onlyCity(deps.db);
  if ((key && j !== key.city_code) || !(await repo.isCity(deps.db, j))) throw new Open311Error(404, `jurisdiction_id not found: ${j}`);
  return j;
}

function visibility(key: PartnerKey | undefined, jurisdiction: string | undefined, params: unknown[]): string[] {
  const w: string[] = [];
  if (key) {
    params.push(key.city_code, key.node_path);
    w.push(`c.city_code = $${params.length - 1}`, `c.node_path <@ $${params.length}::ltree`);
  } else {
    params.push(PUBLIC_KINDS);
    w.push(`k.kind = ANY($${params.length}::text[])`);
  }
  if (jurisdiction) {
    params.push(jurisdiction);
    w.push(`c.city_code = $${params.length}`);
  }
  return w;
}

// ---------- discovery and services ----------

export async function discovery(deps: AppDeps, baseUrl: string) {
  const changed = await repo.lastCatalogueChange(deps.db);
  return {
    changeset: o311Date(changed ?? new Date(0)),
    contact: 'Wangge (网格化基层治理平台): ask the city command centre (指挥中心) for an api_key and for help.',
    key_service: 'API keys are issued to partner systems by the city administrators in the Wangge console (合作系统接入密钥).',
    endpoints: [
      { specification: 'http://wiki.open311.org/GeoReport_v2', url: `${baseUrl}/open311/v2`, changeset: o311Date(changed ?? new Date(0)), type: 'production', formats: ['text/xml', 'application/json'] },
    ],
  };
}

export async function services(deps: AppDeps, lang: Lang, key: PartnerKey | undefined) {
  const rows = await repo.listServices(deps.db);
  const type = key?.request_ids === 'after_acceptance' ? 'batch' : 'realtime';
  return rows.map((r) => ({
    service_code: r.code,
    service_name: lang === 'en' ? r.name_en : r.name_zh,
    description: r.description,
    metadata: definitionsOf(r.attributes).length > 0,
    type,
    keywords: r.keywords.join(','),
    group: lang === 'en' ? r.group_en : r.group_zh,
  }));
}

export async function serviceDefinition(deps: AppDeps, code: string) {
  const [r] = await repo.listServices(deps.db, code);
  if (!r) throw new Open311Error(404, `service_code not found: ${code}`);
  return {
    service_code: r.code,
    attributes: definitionsOf(r.attributes).map((a) => ({
      variable: a.variable,
      code: a.code,
      datatype: a.datatype,
      required: a.required,
      datatype_description: a.datatype_description,
      order: a.order,
      description: a.description,
      values: a.values?.map((v) => ({ key: v.key, name: v.name })),
    })),
  };
}

// ---------- requests ----------

function statusNotes(r: repo.RequestRow, lang: Lang): string {
  const base = pick(STATUS_NOTES[r.status as CaseStatus], lang, r.status);
  if (r.status === 'rejected' && r.rejected_reason) return `${base}${lang === 'en' ? ': ' : '：'}${scrub(r.rejected_reason)}`;
  if (r.status === 'merged' && r.merged_into_id) return lang === 'en' ? `Merged into request ${r.merged_into_id}` : `已合并至诉求 ${r.merged_into_id}`;
  if (r.status === 'closed') {
    if (r.close_reason === 'not_rated') return lang === 'en' ? 'Closed (not rated)' : '已结案（未评价）';
    const rating = { satisfied: ['满意', 'satisfied'], basically_satisfied: ['基本满意', 'basically satisfied'], unsatisfied: ['不满意', 'not satisfied'] }[r.rating ?? ''];
    if (rating) return lang === 'en' ? `Closed (rated ${rating[1]})` : `已结案（${rating[0]}）`;
  }
  return base;
}

function mediaOf(r: { attributes: Record<string, unknown> }): string[] {
  const m = (r.attributes?.open311 as { media_url?: unknown } | undefined)?.media_url;
  return Array.isArray(m) ? m.map(String) : [];
}

function noteOf(e: repo.EventRow, lang: Lang): { datetime?: string; type: string; description: string } {
  const label = pick(ACTION_LABELS[e.action], lang, e.action);
  const text = SHARED_NOTES.has(e.action) && e.note ? `${label}${lang === 'en' ? ': ' : '：'}${scrub(e.note)}` : label;
  return { datetime: o311Date(e.at), type: e.action, description: text };
}

function presentRequest(r: repo.RequestRow, lang: Lang, ext: { events?: repo.EventRow[]; keyed: boolean } | null) {
  const media = mediaOf(r);
  const base: Record<string, unknown> = {
    service_request_id: String(r.id),
    status: o311Status(r.status),
    status_notes: statusNotes(r, lang),
    service_name: lang === 'en' ? r.name_en : r.name_zh,
    service_code: r.category_code,
    description: scrub(r.description),
    agency_responsible: r.agency,
    requested_datetime: o311Date(r.created_at),
    updated_datetime: o311Date(r.updated_at),
    expected_datetime: o311Date(r.handle_due_at),
    address: scrub(r.address),
    lat: r.lat === null ? undefined : Math.round(r.lat * 1e6) / 1e6,
    long: r.lng === null ? undefined : Math.round(r.lng * 1e6) / 1e6,
    media_url: media[0],
  };
  if (!ext) return base;
  const answers = Object.entries(r.attributes ?? {}).filter(([k]) => k !== 'open311');
  return {
    ...base,
    // Answers to the extra questions only for a partner: free text may name people.
    attributes: ext.keyed ? answers.map(([code, v]) => ({ code, value: Array.isArray(v) ? v.join(',') : String(v) })) : undefined,
    extended_attributes: {
      case_number: r.number,
      channel: r.channel,
      grid: r.node_code,
      handling_level: r.handling_level,
      urgent: r.urgent,
      duplicate_of: r.merged_into_id === null ? undefined : String(r.merged_into_id),
      media_urls: media.length > 1 ? media : undefined,
    },
    notes: (ext.events ?? []).map((e) => noteOf(e, lang)),
  };
}

async function withExtensions(deps: AppDeps, rows: repo.RequestRow[], lang: Lang, extensions: boolean, keyed: boolean) {
  if (!extensions) return rows.map((r) => presentRequest(r, lang, null));
  const byCity = new Map<string, number[]>();
  for (const r of rows) {
    const ids = byCity.get(r.city_code);
    if (ids) ids.push(r.id);
    else byCity.set(r.city_code, [r.id]);
  }
  // Each request gets its own case's entries (grouped once, not filtered from all of them per request).
  const byCase = new Map<string, repo.EventRow[]>();
  for (const [city, ids] of byCity) {
    for (const e of await repo.eventsOf(deps.db, city, ids)) {
      const k = `${e.city_code}:${e.case_id}`;
      const list = byCase.get(k);
      if (list) list.push(e);
      else byCase.set(k, [e]);
    }
  }
  return rows.map((r) => presentRequest(r, lang, { events: byCase.get(`${r.city_code}:${r.id}`) ?? [], keyed }));
}

/**
 * GET requests: by id list, or by service codes, status, a window on
 * requested_datetime (default the last 90 days) or updated_datetime, with
 * page/page_size (≤ 1000). Throws 400 naming the parameter, 404 jurisdiction.
 */
export async function listRequests(deps: AppDeps, p: Params, key: PartnerKey | undefined, lang: Lang) {
  const jurisdiction = await jurisdictionOf(deps, p, key);
  const params: unknown[] = [];
  const where = visibility(key, jurisdiction, params);
  const ids = list(p, 'service_request_id');
  const pageSize = intParam(p, 'page_size', 1, MAX_ROWS) ?? MAX_ROWS;
  const page = intParam(p, 'page', 1, 1_000_000) ?? 1;
  const extensions = boolParam(p, 'extensions');
  if (ids) {
    if (ids.length > MAX_ROWS) throw bad('service_request_id', `at most ${MAX_ROWS} ids`);
    if (ids.some((x) => !/^\d{1,15}$/.test(x))) throw bad('service_request_id', 'must be a comma-separated list of request ids');
    params.push(ids.map(Number));
    where.push(`c.id = ANY($${params.length}::bigint[])`);
  } else {
    const codes = list(p, 'service_code');
    if (codes) {
      params.push(codes);
      where.push(`c.category_code = ANY($${params.length}::text[])`);
    }
    const status = list(p, 'status')?.map((s) => s.toLowerCase());
    if (status) {
      const wrong = status.find((s) => s !== 'open' && s !== 'closed');
      if (wrong) throw bad('status', 'must be open, closed, or both comma-separated');
      if (status.length === 1) {
        params.push(TERMINAL_STATUSES);
        where.push(`${status[0] === 'open' ? 'NOT ' : ''}(c.status = ANY($${params.length}::text[]))`);
      }
    }
    let start = dateParam(p, 'start_date');
    let end = dateParam(p, 'end_date');
    const updatedAfter = dateParam(p, 'updated_after');
    const updatedBefore = dateParam(p, 'updated_before');
    if (start && end && start > end) throw bad('start_date', 'must not be after end_date');
    if (updatedAfter && updatedBefore && updatedAfter > updatedBefore) throw bad('updated_after', 'must not be after updated_before');
    if (!updatedAfter && !updatedBefore) {
      // The spec's default span: 90 days, anchored on whichever end is given.
      if (start && !end) end = new Date(+start + WINDOW_MS);
      if (!start) {
        end ??= new Date();
        start = new Date(+end - WINDOW_MS);
      }
    }
    if (start) {
      params.push(start);
      where.push(`c.created_at >= $${params.length}`);
    }
    if (end) {
      params.push(end);
      where.push(`c.created_at <= $${params.length}`);
    }
    if (updatedAfter) {
      params.push(updatedAfter);
      where.push(`c.updated_at > $${params.length}`);
    }
    if (updatedBefore) {
      params.push(updatedBefore);
      where.push(`c.updated_at <= $${params.length}`);
    }
  }
  const rows = await repo.listRequests(deps.db, where, params, pageSize, (page - 1) * pageSize);
  return withExtensions(deps, rows, lang, extensions, !!key);
}

/** GET requests/{id}: a one-element list; 404 when missing or not visible to the caller. */
export async function getRequest(deps: AppDeps, id: string, p: Params, key: PartnerKey | undefined, lang: Lang) {
  if (!/^\d{1,15}$/.test(id)) throw new Open311Error(404, `service_request_id not found: ${id}`);
  const jurisdiction = await jurisdictionOf(deps, p, key);
  const params: unknown[] = [];
  const where = visibility(key, jurisdiction, params);
  params.push(Number(id));
  where.push(`c.id = $${params.length}`);
  const rows = await repo.listRequests(deps.db, where, params, 1, 0);
  if (!rows.length) throw new Open311Error(404, `service_request_id not found: ${id}`);
  return withExtensions(deps, rows, lang, boolParam(p, 'extensions'), !!key);
}

/** GET tokens/{token}: the id once a dispatcher has responded, else the token alone. */
export async function token(deps: AppDeps, t: string) {
  const c = /^[A-Za-z0-9_-]{8,64}$/.test(t) ? await repo.findByToken(deps.db, t) : undefined;
  if (!c) throw new Open311Error(404, `token not found: ${t}`);
  return [{ service_request_id: c.status === 'reported' ? undefined : String(c.id), token: t }];
}

/** The partner as the actor of its cases: acting at its key's node, recorded under the partner's own identity. */
function partnerCtx(deps: AppDeps, key: PartnerKey, log: FastifyBaseLogger, ip: string): Ctx {
  return {
    db: deps.db, config: deps.config, pd: deps.pd, log, ip,
    // The grant only places the case like an operator's entry (address search within the city,
    // else the key's node for a dispatcher to place); the partner never acts on cases with it.
    actor: { userId: key.actor_id, name: key.partner_name, grants: [{ role: 'dispatcher', nodeCode: key.node_code, nodePath: key.node_path }] },
  };
}

function checkUrl(u: string, field: string): string {
  if (u.length > 2000) throw bad(field, 'at most 2000 characters');
  try {
    const x = new URL(u);
    if (x.protocol !== 'http:' && x.protocol !== 'https:') throw new Error();
    return x.toString();
  } catch {
    throw bad(field, 'must be an http or https URL');
  }
}

/**
 * POST requests. Throws 403 (no or bad key), 404 (unknown service_code or
 * jurisdiction), 400 naming the parameter (location outside the key's part
 * of the tree names lat/long).
 */
export async function createRequest(deps: AppDeps, p: Params, key: PartnerKey, lang: Lang, meta: { idempotencyKey?: string; log: FastifyBaseLogger; ip: string }) {
  await jurisdictionOf(deps, p, key);
  const code = str(p, 'service_code');
  if (!code) throw bad('service_code', 'is required');
  const [service] = await repo.listServices(deps.db, code);
  if (!service) throw new Open311Error(404, `service_code not found: ${code}`);
  const latS = str(p, 'lat');
  const lngS = str(p, 'long');
  const address = str(p, 'address_string');
  if ((latS === undefined) !== (lngS === undefined)) throw bad(latS === undefined ? 'lat' : 'long', 'lat and long go together');
  if (latS === undefined && !address) {
    throw bad('lat', str(p, 'address_id') ? 'address_id is not supported here; send lat/long or address_string' : 'a location is required: lat and long, or address_string');
  }
  const crs = (str(p, 'crs')?.toLowerCase() ?? 'wgs84') as Crs;
  if (!CRS_LIST.includes(crs)) throw bad('crs', `must be one of: ${CRS_LIST.join(', ')}`);
  let location: IntakeInput['location'];
  if (latS !== undefined) {
    const lat = Number(latS);
    const lng = Number(lngS);
    const problem = coordinateProblem(lng, lat);
    if (!/^[+-]?\d+(\.\d+)?$/.test(latS) || (problem?.field === 'lat')) throw bad('lat', 'must be a latitude between -90 and 90');
    if (!/^[+-]?\d+(\.\d+)?$/.test(lngS!) || problem) throw bad('long', 'must be a longitude between -180 and 180');
    location = { lng, lat, crs };
  }
  if (address && address.length > 500) throw bad('address_string', 'at most 500 characters');
  const description = str(p, 'description');
  if (description && description.length > 4000) throw bad('description', 'at most 4000 characters');
  const answers = checkAnswers(definitionsOf(service.attributes), answersOf(p));
  const media = all(p, 'media_url');
  if (media.length > MAX_MEDIA) throw bad('media_url', `at most ${MAX_MEDIA}`);
  const mediaUrls = media.map((m) => checkUrl(m, 'media_url'));
  const email = str(p, 'email');
  if (email && (email.length > 200 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))) throw bad('email', 'must be an e-mail address');
  const phone = str(p, 'phone');
  if (phone && (phone.length > 40 || !/^[+\d][\d\s()-]{2,}$/.test(phone))) throw bad('phone', 'must be a phone number');
  const name = [str(p, 'last_name'), str(p, 'first_name')].filter(Boolean).join(lang === 'en' ? ' ' : '');
  if (name.length > 100) throw bad('first_name', 'the name is at most 100 characters');
  const idem = meta.idempotencyKey ?? str(p, 'partner_request_id');
  if (idem !== undefined && idem.length > 200) throw bad(meta.idempotencyKey ? 'Idempotency-Key' : 'partner_request_id', 'at most 200 characters');

  const ctx = partnerCtx(deps, key, meta.log, meta.ip);
  const input: IntakeInput = {
    channel: 'partner',
    categoryCode: service.code,
    description: description ?? (lang === 'en' ? service.name_en : service.name_zh),
    location,
    address,
    reporter: name || phone ? { name: name || undefined, phone } : undefined,
    partnerId: key.partner_id,
    attributes: {
      ...answers,
      open311: {
        keyId: key.key_id,
        token: key.request_ids === 'after_acceptance' ? randomBytes(12).toString('base64url') : undefined,
        media_url: mediaUrls.length ? mediaUrls : undefined,
        account_id: str(p, 'account_id')?.slice(0, 100),
        device_id: str(p, 'device_id')?.slice(0, 100),
        // Personal data: stored encrypted, never shown through Open311.
        email_enc: email ? deps.pd.encrypt(email) : undefined,
      },
    },
  };
  // Where the case would land, checked against the key's subtree before anything is written.
  const place = await placeCase(deps.db, ctx, input);
  if (location && (place.placedBy !== 'location' || !isWithin(place.nodePath, key.node_path))) {
    throw bad('lat', 'the location (lat/long) lies outside the area this api_key serves');
  }
  // An address naming a place outside the key's subtree: the case waits at the key's node for a dispatcher.
  if (!location && !isWithin(place.nodePath, key.node_path)) input.nodeCode = key.node_code;

  let created: { id: number; created: boolean };
  try {
    // The partner's audit entry is written by the case's own statement: one entry per created case, never a case without it.
    created = await createCase(ctx, input, idem, {
      audit: { action: 'open311.request.create', statusCode: 200, detail: { partnerId: key.partner_id, keyId: key.key_id, serviceCode: service.code } },
    });
  } catch (err) {
    throw fromAppError(err);
  }
  const [row] = await deps.db.query<{ id: number; status: string; accept_due_at: Date | null; token: string | null; city_code: string }>(
    `SELECT id, status, accept_due_at, city_code, attributes -> 'open311' ->> 'token' AS token FROM cases WHERE id = $1`,
    [created.id],
  );
  const due = o311Date(row!.accept_due_at);
  const notice = lang === 'en'
    ? `Received. The city command centre will accept or answer it${due ? ` by ${due}` : ''}.`
    : `已收到，指挥中心将${due ? `于 ${due} 前` : '尽快'}受理或答复。`;
  const t = row!.token;
  return {
    created: created.created,
    body: [{ service_request_id: t ? undefined : String(row!.id), token: t ?? undefined, service_notice: notice, account_id: str(p, 'account_id') }],
  };
}

/** Intake's typed errors in Open311 terms, naming Open311's parameters. */
function fromAppError(err: unknown): unknown {
  if (!(err instanceof AppError)) return err;
  const rename: Record<string, string> = { categoryCode: 'service_code', 'location.lat': 'lat', 'location.lng': 'long', location: 'lat', address: 'address_string', description: 'description', 'reporter.phone': 'phone', 'reporter.name': 'first_name', photos: 'media_url' };
  if (err.status === 400 || err.status === 409) {
    const f = err.fields?.[0];
    return f ? bad(rename[f.field] ?? f.field, f.reason) : new Open311Error(400, err.message);
  }
  if (err.status === 404) return new Open311Error(404, err.message);
  if (err.status === 401 || err.status === 403) return new Open311Error(403, err.message);
  return err;
}

// ---------- servicerequestupdates (mySociety) ----------

/** GET servicerequestupdates: timeline entries after the report between start_date and end_date (default the last 90 days). */
export async function listUpdates(deps: AppDeps, p: Params, key: PartnerKey | undefined, lang: Lang) {
  const jurisdiction = await jurisdictionOf(deps, p, key);
  let start = dateParam(p, 'start_date');
  let end = dateParam(p, 'end_date');
  if (start && end && start > end) throw bad('start_date', 'must not be after end_date');
  end ??= start ? new Date(+start + WINDOW_MS) : new Date();
  start ??= new Date(+end - WINDOW_MS);
  const params: unknown[] = [];
  const where = visibility(key, jurisdiction, params);
  params.push(start, end);
  where.push(`e.at >= $${params.length - 1}`, `e.at <= $${params.length}`);
  const rows = await repo.listUpdates(deps.db, where, params, MAX_ROWS);
  return rows.map((e) => {
    const media = e.action === 'comment' ? ((e.data?.media_url as string[] | undefined) ?? []) : [];
    return {
      update_id: `${e.case_id}-${e.seq}`,
      service_request_id: String(e.case_id),
      status: o311Status(e.to_status ?? e.case_status),
      updated_datetime: o311Date(e.at),
      description: noteOf(e, lang).description,
      media_url: media[0],
    };
  });
}

/**
 * POST servicerequestupdates: a partner's (or its resident's) comment on a
 * case, appended to the case timeline as a `comment` entry (the state does
 * not change: a requested status is recorded, not applied — the resident's
 * verdict goes through the rating). The partner's update_id makes retries safe.
 */
export async function postUpdate(deps: AppDeps, p: Params, key: PartnerKey, meta: { ip: string }) {
  await jurisdictionOf(deps, p, key);
  const id = str(p, 'service_request_id');
  if (!id) throw bad('service_request_id', 'is required');
  const description = str(p, 'description');
  const media = all(p, 'media_url');
  if (!description && !media.length) throw bad('description', 'is required');
  if (description && description.length > 4000) throw bad('description', 'at most 4000 characters');
  if (media.length > MAX_MEDIA) throw bad('media_url', `at most ${MAX_MEDIA}`);
  const mediaUrls = media.map((m) => checkUrl(m, 'media_url'));
  const status = str(p, 'status')?.toLowerCase();
  if (status && !['open', 'closed', 'fixed', 'investigating', 'in_progress', 'action_scheduled', 'not_councils_responsibility', 'duplicate', 'internal_referral', 'no_further_action'].includes(status)) {
    throw bad('status', 'is not a known status');
  }
  const at = dateParam(p, 'updated_datetime');
  const partnerUpdateId = str(p, 'update_id');
  if (partnerUpdateId && partnerUpdateId.length > 100) throw bad('update_id', 'at most 100 characters');
  const name = [str(p, 'last_name'), str(p, 'first_name')].filter(Boolean).join(' ').slice(0, 100) || undefined;

  const params: unknown[] = [];
  const where = visibility(key, undefined, params);
  if (!/^\d{1,15}$/.test(id)) throw new Open311Error(404, `service_request_id not found: ${id}`);
  params.push(Number(id));
  where.push(`c.id = $${params.length}`);
  if (!(await repo.listRequests(deps.db, where, params, 1, 0)).length) throw new Open311Error(404, `service_request_id not found: ${id}`);

  for (let attempt = 0; attempt < 5; attempt++) {
    const c = (await cases.findCase(deps.db, Number(id)))!;
    if (partnerUpdateId) {
      const seq = await repo.findCommentByPartnerUpdate(deps.db, c.city_code, c.id, key.partner_id, partnerUpdateId);
      if (seq !== undefined) return [{ update_id: `${c.id}-${seq}` }];
    }
    const seq = await deps.db.transaction(async (trx) => {
      const seq = await cases.moveStatus(trx, c.city_code, c.id, c.status, c.status, {}, c.event_seq);
      if (seq === undefined) return undefined;
      await cases.appendEvent(trx, {
        cityCode: c.city_code, caseId: c.id, seq, actorId: key.actor_id, actorName: name ? `${key.partner_name}（${name}）` : key.partner_name,
        actorRole: 'partner', actorUnit: key.node_code, action: 'comment', from: c.status, to: c.status, note: description ?? null,
        data: { partnerId: String(key.partner_id), partnerUpdateId, requestedStatus: status, partnerDatetime: at?.toISOString(), media_url: mediaUrls.length ? mediaUrls : undefined },
      });
      await cases.enqueue(trx, c.city_code, 'case.commented', { caseId: c.id, number: c.number, action: 'comment', from: c.status, to: c.status, seq, notify: [] });
      await writeAudit(trx, { cityCode: c.city_code, actorId: key.actor_id, actorName: key.partner_name, ip: meta.ip, action: 'case.comment', resource: 'cases', resourceId: String(c.id), result: 'ok', detail: { seq, partnerId: key.partner_id } });
      return seq;
    });
    if (seq !== undefined) {
      nudgeOutbox();
      return [{ update_id: `${c.id}-${seq}` }];
    }
  }
  throw new Open311Error(400, 'The request is changing right now; try again.');
}
