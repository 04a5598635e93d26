/**
 * Every step of a case after intake, through one use case: load in scope →
 * authorize (who) → check the state (lifecycle table) → plan the change →
 * one transaction: guarded status UPDATE + timeline entry + outbox message.
 * The planners below hold the rules of each action; nothing else changes a case.
 */
import type { AppDeps } from '../../context.js';
import type { Executor, Transaction } from '../../db/db.js';
import { AppError, fieldError } from '../../errors.js';
import { ACTION_RULES, canReadCase, stateProblem, type CaseFacts } from '../../../domain/case-abilities.js';
import { nextStatus, REASON_REQUIRED, rateAction, type CaseAction, type CaseStatus, type Rating } from '../../../domain/case-lifecycle.js';
import type { DeadlineSpec } from '../../../domain/calendar.js';
import { HANDLING_LEVELS, levelAbove, type HandlingLevel } from '../../../domain/routing.js';
import type { Actor } from '../../../domain/permissions.js';
import { isWithin, levelOfCode } from '../../../domain/tree.js';
import { loadCalendar, routeFor, type RouteResult } from '../responsibility/responsibility.service.js';
import * as repo from './cases.repository.js';
import type { CaseRow } from './cases.repository.js';
import { resolvePhotos } from './cases.intake.js';
import { nudgeOutbox } from './outbox-signal.js';
import { writeAudit } from '../../plugins/audit.js';

export interface HandlerInput {
  type: 'department' | 'node_office' | 'grid_worker';
  departmentId?: number;
  nodeCode?: string;
}

/** The body of any action; each action reads the fields it needs. */
export interface ActionInput {
  note?: string;
  reason?: string;
  photos?: string[];
  handler?: HandlerInput;
  mode?: 'designate' | 'negotiate';
  into?: number;
  departmentIds?: number[];
  departmentId?: number;
  extension?: DeadlineSpec;
  rating?: Rating;
  comment?: string;
}

export function factsOf(c: CaseRow): CaseFacts {
  return {
    status: c.status,
    nodePath: c.node_path ?? '',
    handlerType: c.handler_type,
    handlerNodePath: c.handler_node_path,
    handlerDepartmentId: c.handler_department_id,
    reporterId: c.reporter_id,
    pendingCoDepartmentIds: c.co.filter((a) => a.status === 'pending').map((a) => a.department_id),
    coDepartmentIds: c.co.map((a) => a.department_id),
    hasPendingExtension: c.pending_extension !== null,
    hasPendingSuspension: c.pending_suspension !== null,
    suspendedFrom: c.suspended_from,
  };
}

/** Loads a case the actor may see; out of scope (or missing) is 404. */
export async function loadCaseFor(ex: Executor, actor: Actor, id: number): Promise<CaseRow> {
  const c = await repo.findCase(ex, id);
  if (!c || !(canReadCase(actor, factsOf(c)) || c.followers.includes(actor.userId))) throw new AppError('CASE_NOT_FOUND', 'No such case in your part of the tree.');
  return c;
}

interface Handler {
  type: 'department' | 'node_office' | 'grid_worker';
  departmentId: number | null;
  nodeCode: string;
  nodePath: string;
  level: HandlingLevel;
  name: string;
}

const LEVEL_DEPTH: Record<HandlingLevel, number> = { city: 2, district: 3, street: 4, community: 5, grid: 6 };

function levelOfPath(path: string): HandlingLevel {
  const depth = path.split('.').length;
  return (HANDLING_LEVELS.find((l) => LEVEL_DEPTH[l] === depth) ?? (depth > 6 ? 'grid' : 'city')) as HandlingLevel;
}

/** Checks and describes a handling unit (department, node office, grid worker). */
async function loadHandler(ex: Executor, h: HandlerInput, c: CaseRow, field = 'handler'): Promise<Handler> {
  if (h.type === 'department') {
    if (!h.departmentId) throw fieldError(`${field}.departmentId`, 'is required for a department');
    const [d] = await ex.query<{ node_code: string; path: string; name: string; status: string }>(
      `SELECT d.node_code, n.path::text AS path, d.name, d.status FROM departments d JOIN nodes n ON n.code = d.node_code WHERE d.id = $1`,
      [h.departmentId],
    );
    const casePath = c.node_path ?? '';
    if (!d || d.status !== 'active' || !(isWithin(casePath, d.path) || isWithin(d.path, casePath.split('.').slice(0, 2).join('.'))))
      throw fieldError(`${field}.departmentId`, 'no such active department serving this case\'s area');
    return { type: 'department', departmentId: h.departmentId, nodeCode: d.node_code, nodePath: d.path, level: levelOfPath(d.path), name: d.name };
  }
  if (!h.nodeCode) throw fieldError(`${field}.nodeCode`, 'is required');
  const [n] = await ex.query<{ path: string; name: string; status: string; level: string }>(
    `SELECT path::text AS path, name, status, level FROM nodes WHERE code = $1`,
    [h.nodeCode],
  );
  if (!n || n.status !== 'active' || !isWithin(c.node_path ?? '', n.path)) throw fieldError(`${field}.nodeCode`, 'must be an active node on the case\'s path');
  if (h.type === 'grid_worker' && !['grid', 'unit', 'cell'].includes(n.level)) throw fieldError(`${field}.nodeCode`, 'a grid worker handles cases in a grid');
  return { type: h.type, departmentId: null, nodeCode: h.nodeCode, nodePath: n.path, level: levelOfPath(n.path), name: n.name };
}

/** The unit the responsibility list names for this case. */
async function handlerFromRoute(ex: Executor, route: RouteResult, c: CaseRow): Promise<Handler> {
  if (route.lead.type === 'department' && route.leadDepartmentId) return loadHandler(ex, { type: 'department', departmentId: route.leadDepartmentId }, c);
  const caseLevel = c.node_code ? levelOfCode(c.node_code) : undefined;
  if (route.lead.type === 'grid_worker' && c.node_code && caseLevel && ['grid', 'unit', 'cell'].includes(caseLevel)) {
    return loadHandler(ex, { type: 'grid_worker', nodeCode: c.node_path!.split('.')[5] ?? c.node_code }, c);
  }
  return loadHandler(ex, { type: 'node_office', nodeCode: route.handlingNodeCode }, c);
}

function handlerPatch(h: Handler) {
  return {
    handler_type: h.type,
    handler_department_id: h.departmentId,
    handler_node_code: h.nodeCode,
    handler_node_path: { sql: `'${h.nodePath.replace(/'/g, '')}'::ltree` },
    handling_level: h.level,
  };
}

interface Plan {
  to?: CaseStatus;
  patch: Record<string, unknown>;
  note?: string | null;
  photos?: { sha256: string; mime: string; bytes: number }[];
  photoStage?: 'progress' | 'resolve' | 'check' | 'rating';
  clock?: Record<string, unknown>;
  data?: Record<string, unknown>;
  /** Extra writes in the same transaction. */
  extra?: (trx: Transaction) => Promise<void>;
  /** In-app notices (delivered from the outbox). */
  notify: { userIds: string[]; kind: string; title: string; body?: string }[];
  topic: string;
}

interface PlanCtx {
  ex: Executor;
  actor: Actor | null;
  c: CaseRow;
  input: ActionInput;
  now: Date;
  deps: AppDeps;
  /** Who acts when `actor` is null and it is not the system: an anonymous reporter holding the case's follow-up token. */
  onBehalf?: { name: string; role: string };
}

async function assignmentPlan(p: PlanCtx, h: Handler, route: RouteResult | null, kind: string): Promise<Pick<Plan, 'patch' | 'clock' | 'notify'>> {
  const cal = await loadCalendar(p.ex);
  const deadlines = (route?.deadlines ?? (p.c.route as RouteResult | null)?.deadlines) as RouteResult['deadlines'] | undefined;
  const sign = deadlines ? cal.addDeadline(p.now, deadlines.sign) : null;
  const handle = deadlines ? cal.addDeadline(p.now, deadlines.handle) : null;
  const members = await repo.unitMembers(p.ex, { type: h.type, departmentId: h.departmentId, nodeCode: h.nodeCode });
  return {
    patch: {
      ...handlerPatch(h),
      dispatched_at: p.now,
      sign_due_at: sign,
      handle_due_at: handle,
      deadline_unit: deadlines?.handle.unit ?? 'hours',
      clock_started_at: p.now,
      yellow_at: handle && deadlines ? cal.shareReachedAt(p.now, handle, deadlines.handle.unit, yellowShare(p)) : null,
      clock_colour: 'green',
      supervised_at: null,
      auto_escalated_at: null,
      signed_at: null,
      sign_overdue_at: null,
      ...(route ? { route: { ...route }, route_entry_id: route.entryId } : {}),
    },
    clock: { signDueAt: sign?.toISOString() ?? null, handleDueAt: handle?.toISOString() ?? null },
    notify: [{ userIds: members, kind, title: `${kindTitle[kind] ?? '新任务'} ${p.c.number}`, body: p.c.description.slice(0, 200) }],
  };
}

const kindTitle: Record<string, string> = {
  assignment: '新派遣',
  rework: '返工',
  reopened: '重办',
  escalated: '上报转办',
  returned: '退回',
  co_handling: '协办',
  rating: '评价',
  supervision: '督办',
};

function residentNotice(c: CaseRow, title: string): Plan['notify'] {
  const ids = [...new Set([c.reporter_id, ...c.followers].filter((x): x is string => !!x))];
  return ids.length ? [{ userIds: ids, kind: 'case_update', title: `${title} ${c.number}` }] : [];
}

function requireReason(action: CaseAction, input: ActionInput): string | null {
  const r = input.reason?.trim();
  if (REASON_REQUIRED.includes(action) && !r) throw fieldError('reason', `is required to ${action}`);
  return r ?? null;
}

type Planner = (p: PlanCtx) => Promise<Plan>;

const PLANNERS: Record<CaseAction, Planner> = {
  accept: async (p) => {
    const onTime = !p.c.accept_due_at || p.now <= p.c.accept_due_at;
    return { patch: { accepted_at: p.now, responded_at: p.now, yellow_at: null, clock_colour: 'green' }, note: p.input.note, data: { respondedOnTime: onTime }, notify: residentNotice(p.c, '已受理'), topic: 'case.accepted' };
  },
  reject: async (p) => {
    const reason = requireReason('reject', p.input);
    if (p.input.into) await loadOriginal(p, p.input.into);
    return {
      patch: { rejected_reason: reason, responded_at: p.now, merged_into_id: p.input.into ?? null },
      note: reason,
      data: p.input.into ? { duplicateOf: p.input.into } : undefined,
      notify: residentNotice(p.c, '不予受理'),
      topic: 'case.rejected',
    };
  },
  cancel: async (p) => ({ patch: {}, note: p.input.reason ?? p.input.note, notify: [], topic: 'case.cancelled' }),
  merge: async (p) => {
    const original = await loadOriginal(p, p.input.into);
    return {
      patch: { merged_into_id: original.id, responded_at: p.c.responded_at ?? p.now },
      note: p.input.reason ?? p.input.note ?? `合并至 ${original.number}`,
      data: { into: original.id, intoNumber: original.number },
      extra: async (trx) => {
        // The duplicate's reporter follows the original from now on.
        if (p.c.reporter_id || p.c.reporter_phone_hash) {
          await trx.query(
            `INSERT INTO case_followers (city_code, case_id, user_id, phone_hash, reason, from_case_id) VALUES ($1, $2, $3, $4, 'merged', $5)`,
            [original.city_code, original.id, p.c.reporter_id, p.c.reporter_phone_hash, p.c.id],
          );
        }
        const seq = await repo.moveStatus(trx, original.city_code, original.id, original.status, original.status, {}, original.event_seq);
        if (seq === undefined) throw new AppError('CASE_CHANGED_CONCURRENTLY', 'The original case changed meanwhile; try again.');
        await repo.appendEvent(trx, { ...eventActor(p), cityCode: original.city_code, caseId: original.id, seq, action: 'merged_in', from: original.status, to: original.status, note: `合并重复事件 ${p.c.number}`, data: { from: p.c.id, fromNumber: p.c.number } });
      },
      notify: residentNotice(p.c, '已合并至原事件'),
      topic: 'case.merged',
    };
  },
  self_resolve: async () => {
    throw new AppError('CASE_INVALID_TRANSITION', 'On-the-spot solutions are recorded at intake.');
  },
  dispatch: async (p) => {
    const route = await routeFor(p.ex, p.c.category_code, p.c.node_path ?? '');
    const suggested = await handlerFromRoute(p.ex, route, p.c);
    const h = p.input.handler ? await loadHandler(p.ex, p.input.handler, p.c) : suggested;
    const overridden = h.type !== suggested.type || h.departmentId !== suggested.departmentId || h.nodeCode !== suggested.nodeCode;
    if (overridden && !p.input.reason?.trim()) throw fieldError('reason', 'is required when dispatching elsewhere than the responsibility list suggests');
    const a = await assignmentPlan(p, h, route, 'assignment');
    return {
      ...a,
      note: p.input.reason ?? p.input.note,
      data: { handler: h, suggested: overridden ? suggested : undefined, mode: p.input.mode, routeSource: route.source, routeEntryId: route.entryId, explanation: route.explanation },
      notify: [...a.notify, ...residentNotice(p.c, '已派遣')],
      topic: 'case.dispatched',
    };
  },
  redispatch: async (p) => {
    const reason = requireReason('redispatch', p.input);
    if (!p.input.handler) throw fieldError('handler', 'is required');
    const h = await loadHandler(p.ex, p.input.handler, p.c);
    const a = await assignmentPlan(p, h, null, 'assignment');
    return { ...a, note: reason, data: { handler: h }, topic: 'case.dispatched' };
  },
  sign: async (p) => ({ patch: { signed_at: p.now }, note: p.input.note, data: { signedOnTime: !p.c.sign_due_at || p.now <= p.c.sign_due_at }, notify: [], topic: 'case.signed' }),
  sign_overdue: async (p) => {
    // The sweep read its candidates before loading the case: a sign-for, a new dispatch or an earlier flag since then wins.
    if (p.c.signed_at || p.c.sign_overdue_at || !p.c.sign_due_at || p.c.sign_due_at > p.now) {
      throw new AppError('CASE_INVALID_TRANSITION', 'The case is not overdue for signing.', undefined, { status: p.c.status });
    }
    const members = await repo.unitMembers(p.ex, { type: p.c.handler_type, departmentId: p.c.handler_department_id, nodeCode: p.c.handler_node_code });
    const dispatchers = await dispatchersOf(p);
    const due = p.c.sign_due_at.toISOString();
    const body = `签收期限 ${due} 已过，承办单位尚未签收：${p.c.description.slice(0, 120)}`;
    return {
      patch: { sign_overdue_at: p.now },
      note: '已超过签收时限，承办单位尚未签收',
      clock: { signDueAt: due },
      data: { dispatcherIds: dispatchers },
      notify: [
        { userIds: members, kind: 'sign_overdue', title: `签收超时 ${p.c.number}`, body },
        { userIds: dispatchers.filter((u) => !members.includes(u)), kind: 'sign_overdue_dispatcher', title: `派遣未签收 ${p.c.number}`, body },
      ],
      topic: 'case.sign_overdue',
    };
  },
  note: async (p) => {
    if (!p.input.note?.trim()) throw fieldError('note', 'is required');
    return { patch: {}, note: p.input.note, photos: photosOf(p), photoStage: 'progress', notify: [], topic: 'case.noted' };
  },
  return: async (p) => {
    const reason = requireReason('return', p.input);
    const dispatchers = await repo.nearestHolders(p.ex, p.c.node_path ?? '', ['dispatcher']);
    return {
      patch: { return_count: { sql: 'return_count + 1' }, handler_type: null, handler_department_id: null, handler_node_code: null, handler_node_path: null, sign_due_at: null, handle_due_at: null, clock_colour: 'green' },
      note: reason,
      data: { from: { type: p.c.handler_type, departmentId: p.c.handler_department_id, nodeCode: p.c.handler_node_code } },
      notify: [{ userIds: dispatchers, kind: 'returned', title: `退回 ${p.c.number}`, body: reason ?? undefined }],
      topic: 'case.returned',
    };
  },
  escalate: async (p) => {
    const reason = requireReason('escalate', p.input);
    // 网格吹哨、部门报到: the grid can hand the case straight to a department; else it goes one level up.
    const h = p.input.departmentId
      ? await loadHandler(p.ex, { type: 'department', departmentId: p.input.departmentId }, p.c, 'departmentId')
      : await escalationTarget(p);
    if (h.type === 'department' && h.departmentId === p.c.handler_department_id) throw fieldError('departmentId', 'the case is already with this department');
    const a = await assignmentPlan(p, h, null, 'escalated');
    // A system escalation (超时自动上报) marks the new assignment so the sweep escalates it only once.
    return { ...a, patch: { ...a.patch, escalation_count: { sql: 'escalation_count + 1' }, auto_escalated_at: p.actor === null ? p.now : null }, note: reason, data: { to: h, auto: p.actor === null }, topic: 'case.escalated' };
  },
  summon: async (p) => {
    const ids = [...new Set(p.input.departmentIds ?? [])];
    if (!ids.length) throw fieldError('departmentIds', 'name at least one department');
    const depts = [];
    for (const [i, id] of ids.entries()) {
      if (id === p.c.handler_department_id) throw fieldError(`departmentIds.${i}`, 'is the lead unit itself');
      if (p.c.co.some((x) => x.department_id === id)) throw fieldError(`departmentIds.${i}`, 'is already a co-handler');
      depts.push(await loadHandler(p.ex, { type: 'department', departmentId: id }, p.c, `departmentIds.${i}`));
    }
    const members = (await Promise.all(ids.map((id) => repo.unitMembers(p.ex, { type: 'department', departmentId: id, nodeCode: null })))).flat();
    return {
      patch: {},
      note: p.input.note,
      data: { departments: depts.map((d) => ({ id: d.departmentId, name: d.name })) },
      extra: async (trx) => {
        for (const id of ids)
          await trx.query(`INSERT INTO case_assignments (city_code, case_id, department_id, summoned_by) VALUES ($1, $2, $3, $4)`, [p.c.city_code, p.c.id, id, p.actor?.userId ?? null]);
      },
      notify: [{ userIds: members, kind: 'co_handling', title: `协办 ${p.c.number}`, body: p.c.description.slice(0, 200) }],
      topic: 'case.summoned',
    };
  },
  co_report: async (p) => {
    if (!p.input.note?.trim()) throw fieldError('note', 'is required: what your department did');
    const mine = p.actor!.grants.filter((g) => g.role === 'department_staff' && g.departmentId && p.c.co.some((x) => x.department_id === g.departmentId && x.status === 'pending')).map((g) => g.departmentId!);
    const dept = p.input.departmentId ?? mine[0];
    if (!dept || !mine.includes(dept)) throw fieldError('departmentId', 'name the co-handling department you report for');
    const lead = await repo.unitMembers(p.ex, { type: p.c.handler_type, departmentId: p.c.handler_department_id, nodeCode: p.c.handler_node_code });
    return {
      patch: {},
      note: p.input.note,
      photos: photosOf(p),
      photoStage: 'progress',
      data: { departmentId: dept },
      extra: async (trx) => {
        const r = await trx.query(
          `UPDATE case_assignments SET status = 'reported', report = $4, reported_at = now(), reported_by = $5
            WHERE city_code = $1 AND case_id = $2 AND department_id = $3 AND status = 'pending' RETURNING 1`,
          [p.c.city_code, p.c.id, dept, p.input.note, p.actor!.userId],
        );
        if (!r.length) throw new AppError('CASE_CHANGED_CONCURRENTLY', 'Your department has already reported its part.');
      },
      notify: [{ userIds: lead, kind: 'co_report', title: `协办反馈 ${p.c.number}` }],
      topic: 'case.co_reported',
    };
  },
  resolve: async (p) => {
    const result = p.input.note?.trim();
    if (!result) throw fieldError('note', 'is required: the result of the handling');
    const photos = photosOf(p);
    const [cat] = await p.ex.query<{ photo_required_on_resolve: boolean }>('SELECT photo_required_on_resolve FROM categories WHERE code = $1', [p.c.category_code]);
    if (cat?.photo_required_on_resolve && photos.length === 0) throw fieldError('photos', 'this category needs a photo of the result');
    const checkers = await repo.unitMembers(p.ex, { type: 'grid_worker', departmentId: null, nodeCode: p.c.node_path?.split('.')[5] ?? null });
    const onTime = !p.c.handle_due_at || p.now <= p.c.handle_due_at;
    return {
      patch: { resolved_at: p.now, resolved_level: p.c.handling_level, resolved_on_time: onTime },
      note: result,
      photos,
      photoStage: 'resolve',
      data: { onTime, level: p.c.handling_level },
      notify: [{ userIds: checkers.length ? checkers : await repo.nearestHolders(p.ex, p.c.node_path ?? '', ['dispatcher']), kind: 'check', title: `待核查 ${p.c.number}` }],
      topic: 'case.resolved',
    };
  },
  check_pass: async (p) => ({
    patch: { rating_due_at: new Date(+p.now + ratingDays(p) * 86_400_000), yellow_at: null, clock_colour: 'green' },
    note: p.input.note,
    photos: photosOf(p),
    photoStage: 'check',
    notify: residentNotice(p.c, '已办结，请评价'),
    topic: 'case.checked',
  }),
  check_fail: async (p) => {
    const reason = requireReason('check_fail', p.input);
    const cal = await loadCalendar(p.ex);
    const d = (p.c.route as RouteResult | null)?.deadlines?.handle ?? { amount: 72, unit: 'hours' as const };
    const handle = cal.addDeadline(p.now, d);
    const members = await repo.unitMembers(p.ex, { type: p.c.handler_type, departmentId: p.c.handler_department_id, nodeCode: p.c.handler_node_code });
    return {
      patch: {
        rework_count: { sql: 'rework_count + 1' }, resolved_at: null, resolved_level: null, resolved_on_time: null, handle_due_at: handle,
        clock_started_at: p.now, yellow_at: cal.shareReachedAt(p.now, handle, d.unit, yellowShare(p)), clock_colour: 'green', supervised_at: null, auto_escalated_at: null,
      },
      note: reason,
      photos: photosOf(p),
      photoStage: 'check',
      clock: { handleDueAt: handle.toISOString() },
      notify: [{ userIds: members, kind: 'rework', title: `返工 ${p.c.number}`, body: reason ?? undefined }],
      topic: 'case.rework',
    };
  },
  rate_satisfied: (p) => ratePlan(p, 'satisfied'),
  rate_basically_satisfied: (p) => ratePlan(p, 'basically_satisfied'),
  rate_unsatisfied: (p) => ratePlan(p, 'unsatisfied'),
  close_unrated: async (p) => ({ patch: { closed_at: p.now, close_reason: 'not_rated' }, note: '评价期满未评价，按未评价结案', notify: residentNotice(p.c, '已结案（未评价）'), topic: 'case.closed' }),
  request_extension: async (p) => {
    const reason = requireReason('request_extension', p.input);
    const e = p.input.extension;
    if (!e) throw fieldError('extension', 'is required: how much more time');
    const sup = await repo.nearestHolders(p.ex, p.c.node_path ?? '', ['dispatcher']);
    return {
      patch: { pending_extension: { ...e, reason, by: p.actor?.userId, at: p.now.toISOString() } },
      note: reason,
      data: { extension: e },
      notify: [{ userIds: sup, kind: 'approval', title: `延期申请 ${p.c.number}`, body: reason ?? undefined }],
      topic: 'case.extension_requested',
    };
  },
  approve_extension: async (p) => {
    const e = p.c.pending_extension!;
    const cal = await loadCalendar(p.ex);
    const base = p.c.handle_due_at ?? p.now;
    const due = cal.addDeadline(base, { amount: e.amount, unit: e.unit });
    const members = await repo.unitMembers(p.ex, { type: p.c.handler_type, departmentId: p.c.handler_department_id, nodeCode: p.c.handler_node_code });
    return {
      patch: {
        pending_extension: null, handle_due_at: due, supervised_at: null, auto_escalated_at: null,
        yellow_at: cal.shareReachedAt(p.c.clock_started_at ?? p.now, due, e.unit, yellowShare(p)),
        clock_colour: { sql: `CASE WHEN now() >= '${cal.shareReachedAt(p.c.clock_started_at ?? p.now, due, e.unit, yellowShare(p)).toISOString()}'::timestamptz THEN 'yellow' ELSE 'green' END` },
      },
      note: p.input.note,
      clock: { handleDueAt: { from: p.c.handle_due_at?.toISOString() ?? null, to: due.toISOString() }, extension: e },
      notify: [{ userIds: members, kind: 'approval_result', title: `延期已批准 ${p.c.number}` }],
      topic: 'case.extension_approved',
    };
  },
  deny_extension: async (p) => {
    const reason = requireReason('deny_extension', p.input);
    const members = await repo.unitMembers(p.ex, { type: p.c.handler_type, departmentId: p.c.handler_department_id, nodeCode: p.c.handler_node_code });
    return { patch: { pending_extension: null }, note: reason, notify: [{ userIds: members, kind: 'approval_result', title: `延期未批准 ${p.c.number}`, body: reason ?? undefined }], topic: 'case.extension_denied' };
  },
  request_suspension: async (p) => {
    const reason = requireReason('request_suspension', p.input);
    const sup = await repo.nearestHolders(p.ex, p.c.node_path ?? '', ['dispatcher']);
    return {
      patch: { pending_suspension: { reason, by: p.actor?.userId, at: p.now.toISOString() } },
      note: reason,
      notify: [{ userIds: sup, kind: 'approval', title: `挂起申请 ${p.c.number}`, body: reason ?? undefined }],
      topic: 'case.suspension_requested',
    };
  },
  approve_suspension: async (p) => ({
    patch: { pending_suspension: null, suspended_from: p.c.status, suspended_at: p.now },
    note: p.input.note ?? p.c.pending_suspension?.reason,
    clock: { paused: p.now.toISOString() },
    notify: [],
    topic: 'case.suspended',
  }),
  deny_suspension: async (p) => {
    const reason = requireReason('deny_suspension', p.input);
    return { patch: { pending_suspension: null }, note: reason, notify: [], topic: 'case.suspension_denied' };
  },
  resume: async (p) => {
    // The clock stood still while suspended: deadlines move by the time spent.
    const paused = p.c.suspended_at ? +p.now - +p.c.suspended_at : 0;
    const shift = (d: Date | null) => (d ? new Date(+d + paused) : null);
    return {
      to: nextStatus('suspended', 'resume', p.c.suspended_from),
      patch: { suspended_from: null, suspended_at: null, sign_due_at: shift(p.c.sign_due_at), handle_due_at: shift(p.c.handle_due_at), yellow_at: shift(p.c.yellow_at) },
      note: p.input.note,
      clock: { pausedMs: paused, handleDueAt: shift(p.c.handle_due_at)?.toISOString() ?? null },
      notify: [],
      topic: 'case.resumed',
    };
  },
  supervise: async (p) => {
    const members = await repo.unitMembers(p.ex, { type: p.c.handler_type, departmentId: p.c.handler_department_id, nodeCode: p.c.handler_node_code });
    return { patch: { supervised_at: p.now }, note: p.input.note ?? '督办', notify: [{ userIds: members, kind: 'supervision', title: `督办 ${p.c.number}`, body: p.input.note }], topic: 'case.supervised' };
  },
  flag_urgent: async (p) => {
    const leaders = await repo.nearestHolders(p.ex, p.c.node_path ?? '', ['leader']);
    return { patch: { urgent: true }, note: p.input.note, notify: [{ userIds: leaders, kind: 'urgent', title: `紧急事件 ${p.c.number}`, body: p.c.description.slice(0, 200) }], topic: 'case.urgent' };
  },
};

/**
 * Who dispatched the current assignment: the person of the latest dispatch or
 * redispatch entry; when the system assigned it (automatic escalation, a
 * reopened case), the dispatchers nearest the case.
 */
async function dispatchersOf(p: PlanCtx): Promise<string[]> {
  // The latest entry that made the current assignment; an escalation or a reopening was not a dispatcher's choice.
  const [last] = await p.ex.query<{ action: string; actor_id: string | null }>(
    `SELECT action, actor_id::text AS actor_id FROM case_events
      WHERE city_code = $1 AND case_id = $2 AND action IN ('dispatch','redispatch','escalate','rate_unsatisfied')
      ORDER BY seq DESC LIMIT 1`,
    [p.c.city_code, p.c.id],
  );
  if (last?.actor_id && (last.action === 'dispatch' || last.action === 'redispatch')) return [last.actor_id];
  return repo.nearestHolders(p.ex, p.c.node_path ?? '', ['dispatcher']);
}

function yellowShare(p: PlanCtx): number {
  return p.deps.config.yellowShare;
}

function ratingDays(p: PlanCtx): number {
  return p.deps.config.ratingDays;
}

function photosOf(p: PlanCtx) {
  return resolvePhotos(p.deps.config.uploadDir, p.input.photos, 'photos');
}

function eventActor(p: PlanCtx) {
  return {
    actorId: p.actor?.userId ?? null,
    actorName: p.actor?.name ?? p.onBehalf?.name ?? '系统',
    actorRole: p.actor ? (p.actor.grants[0]?.role ?? null) : (p.onBehalf?.role ?? 'system'),
    actorUnit: p.actor ? (p.actor.grants[0]?.nodeCode ?? null) : null,
  };
}

async function loadOriginal(p: PlanCtx, into: number | undefined): Promise<CaseRow> {
  if (!into) throw fieldError('into', 'is required: the original case');
  if (into === p.c.id) throw fieldError('into', 'a case cannot be merged into itself');
  const o = p.actor ? await loadCaseFor(p.ex, p.actor, into).catch(() => undefined) : await repo.findCase(p.ex, into);
  if (!o) throw fieldError('into', 'no such case in your part of the tree');
  if (['rejected', 'cancelled', 'merged'].includes(o.status)) throw fieldError('into', `the original is ${o.status}`);
  return o;
}

/** One level up from the current handler: the office of the ancestor node at that level. */
async function escalationTarget(p: PlanCtx): Promise<Handler> {
  const current = (p.c.handling_level ?? 'grid') as HandlingLevel;
  const up = levelAbove(current);
  if (!up) throw new AppError('CASE_INVALID_TRANSITION', 'The case is already handled at the top level.');
  const code = (p.c.node_path ?? '').split('.')[LEVEL_DEPTH[up] - 1];
  if (!code) throw new AppError('CASE_INVALID_TRANSITION', 'No level above on this case\'s path.');
  return loadHandler(p.ex, { type: 'node_office', nodeCode: code }, p.c);
}

async function ratePlan(p: PlanCtx, rating: Rating): Promise<Plan> {
  const comment = p.input.comment?.trim() || null;
  const members = await repo.unitMembers(p.ex, { type: p.c.handler_type, departmentId: p.c.handler_department_id, nodeCode: p.c.handler_node_code });
  const base = { note: comment, data: { rating, byCallback: p.onBehalf ? false : p.actor?.userId !== p.c.reporter_id } };
  if (rating !== 'unsatisfied') {
    return {
      ...base,
      patch: { rating, rating_comment: comment, rated_at: p.now, closed_at: p.now, close_reason: 'rated' },
      notify: [{ userIds: members, kind: 'rating', title: `评价：${rating === 'satisfied' ? '满意' : '基本满意'} ${p.c.number}` }, ...residentNotice(p.c, '已结案')],
      topic: 'case.closed',
    };
  }
  // 重办: first to the same handler, after that one level up. Never closed over the resident's head.
  let h: Handler;
  if (p.c.reopen_count === 0 && p.c.handler_type) {
    h = await loadHandler(p.ex, { type: p.c.handler_type, departmentId: p.c.handler_department_id ?? undefined, nodeCode: p.c.handler_node_code ?? undefined }, p.c);
  } else {
    h = await escalationTarget(p).catch(() => loadHandler(p.ex, { type: p.c.handler_type ?? 'node_office', departmentId: p.c.handler_department_id ?? undefined, nodeCode: p.c.handler_node_code ?? undefined }, p.c));
  }
  const a = await assignmentPlan(p, h, null, 'reopened');
  return {
    ...base,
    ...a,
    patch: { ...a.patch, rating, rating_comment: comment, rated_at: p.now, reopen_count: { sql: 'reopen_count + 1' }, resolved_at: null, resolved_level: null, resolved_on_time: null },
    data: { ...base.data, reopenedTo: h },
    topic: 'case.reopened',
  };
}

/**
 * Takes one action on a case. Throws CASE_NOT_FOUND (404), FORBIDDEN (403),
 * VALIDATION_FAILED (400, naming the field), CASE_INVALID_TRANSITION (409,
 * with the current state), CASE_CHANGED_CONCURRENTLY (409: someone acted first).
 * `actor` null is the system (clock sweep), or with `onBehalf` an anonymous
 * reporter whose follow-up token the caller has checked.
 */
export async function actOnCase(deps: AppDeps, actor: Actor | null, id: number, action: CaseAction, input: ActionInput = {}, ip?: string, onBehalf?: PlanCtx['onBehalf']): Promise<CaseRow> {
  const db = deps.db;
  const c = actor ? await loadCaseFor(db, actor, id) : await repo.findCase(db, id);
  if (!c) throw new AppError('CASE_NOT_FOUND', 'No such case.');
  const facts = factsOf(c);
  if (actor && !ACTION_RULES[action](actor, facts)) throw new AppError('FORBIDDEN', `You may not ${action} this case.`);
  const problem = stateProblem(actor ?? { userId: '', name: '', grants: [] }, facts, action);
  if (problem && !(actor === null && action === 'escalate')) {
    throw new AppError('CASE_INVALID_TRANSITION', problem, undefined, { status: c.status });
  }
  const to0 = nextStatus(c.status, action, c.suspended_from);
  const now = new Date();
  const pc: PlanCtx = { ex: db, actor, c, input, now, deps, onBehalf };
  const plan = await PLANNERS[action](pc);
  const to = plan.to ?? to0;
  await db.transaction(async (trx) => {
    const seq = await repo.moveStatus(trx, c.city_code, c.id, c.status, to, plan.patch, c.event_seq);
    if (seq === undefined) {
      const current = await repo.findCase(trx, c.id);
      throw new AppError('CASE_CHANGED_CONCURRENTLY', `Someone else acted on this case first; it is now ${current?.status}.`, undefined, { status: current?.status });
    }
    await repo.appendEvent(trx, { ...eventActor(pc), cityCode: c.city_code, caseId: c.id, seq, action, from: c.status, to, note: plan.note ?? null, photos: plan.photos?.map((x) => x.sha256), clock: plan.clock ?? null, data: plan.data ?? null });
    if (plan.photos?.length) await repo.linkPhotos(trx, c.city_code, c.id, plan.photos, plan.photoStage ?? 'progress', actor?.userId ?? null);
    await plan.extra?.(trx);
    await repo.enqueue(trx, c.city_code, plan.topic, { caseId: c.id, number: c.number, action, from: c.status, to, seq, notify: plan.notify.filter((n) => n.userIds.length) });
    await writeAudit(trx, { cityCode: c.city_code, actorId: actor?.userId ?? null, actorName: actor?.name ?? onBehalf?.name ?? '系统', ip: ip ?? null, action: `case.${action}`, resource: 'cases', resourceId: String(c.id), result: 'ok', detail: { from: c.status, to, seq } });
  });
  nudgeOutbox();
  return (await repo.findCase(db, c.id))!;
}

/** The rating endpoint's action. */
export function ratingAction(r: Rating): CaseAction {
  return rateAction(r);
}
