/**
 * The case lifecycle (事件闭环): the seven steps of digital city management
 * (GB/T 30428) plus the resident's verdict, as one table of states × actions.
 * Services ask `nextStatus(state, action)` and never compare states themselves.
 *
 *   report (上报) → accept (受理) | reject (不予受理) | merge (合并)
 *   → dispatch (派遣) → sign for (签收) → handle, progress notes
 *   → resolve (处置完成) → check on site (核查: pass, or rework 返工)
 *   → rate (评价: 满意 / 基本满意 / 不满意) → close (结案)
 *
 * "Not satisfied" reopens the case (重办); it is never closed over the
 * resident's head. No rating within the period closes it as "not rated".
 */

export const CASE_STATUSES = [
  'reported', // 待受理
  'accepted', // 已受理，待派遣
  'dispatched', // 已派遣，待签收
  'in_progress', // 处置中
  'returned', // 已退回，待指定
  'resolved', // 已处置，待核查
  'awaiting_rating', // 待评价
  'suspended', // 挂起
  'closed', // 已结案
  'rejected', // 不予受理
  'cancelled', // 已撤销
  'merged', // 已合并
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const TERMINAL_STATUSES: readonly CaseStatus[] = ['closed', 'rejected', 'cancelled', 'merged'];
export const OPEN_STATUSES: readonly CaseStatus[] = CASE_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));

export const CASE_ACTIONS = [
  'accept', // 受理
  'reject', // 不予受理 (reason)
  'cancel', // 撤销 by the reporter before acceptance
  'merge', // 合并 a duplicate into its original
  'self_resolve', // 自处置: a grid worker solves it on the spot
  'dispatch', // 派遣 (also 指定/商定 after a return)
  'redispatch', // change the handler before sign-for (reason)
  'sign', // 签收
  'sign_overdue', // 签收超时: the clock sweep flags a dispatch not signed for by its deadline
  'note', // progress note
  'return', // 退回 to the dispatcher (reason)
  'escalate', // 上报 one level up
  'summon', // 吹哨: call departments in as co-handlers (协办)
  'co_report', // a co-handler reports its part
  'resolve', // 处置完成
  'check_pass', // 核查通过
  'check_fail', // 核查不通过 → 返工
  'rate_satisfied', // 满意
  'rate_basically_satisfied', // 基本满意
  'rate_unsatisfied', // 不满意 → 重办
  'close_unrated', // 未评价 after the rating period
  'request_extension', // 申请延期
  'approve_extension',
  'deny_extension',
  'request_suspension', // 申请挂起
  'approve_suspension',
  'deny_suspension',
  'resume', // 恢复 from suspension to the state it left
  'supervise', // 督办
  'flag_urgent', // 高位联动
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** The state a resumed case returns to is the one it was suspended from. */
export const PREVIOUS = 'previous' as const;
type Target = CaseStatus | typeof PREVIOUS;

const HANDLING: CaseStatus[] = ['dispatched', 'in_progress'];
const ANY_OPEN = OPEN_STATUSES;
const same = (states: readonly CaseStatus[]) => Object.fromEntries(states.map((s) => [s, s])) as Partial<Record<CaseStatus, Target>>;

/** TRANSITIONS[action][from] = to. A missing entry is an invalid transition. */
export const TRANSITIONS: Record<CaseAction, Partial<Record<CaseStatus, Target>>> = {
  accept: { reported: 'accepted' },
  reject: { reported: 'rejected' },
  cancel: { reported: 'cancelled' },
  merge: { reported: 'merged', accepted: 'merged' },
  self_resolve: { reported: 'awaiting_rating' },
  dispatch: { accepted: 'dispatched', returned: 'dispatched' },
  redispatch: { dispatched: 'dispatched' },
  sign: { dispatched: 'in_progress' },
  sign_overdue: { dispatched: 'dispatched' },
  note: same(ANY_OPEN),
  return: { dispatched: 'returned', in_progress: 'returned' },
  escalate: { dispatched: 'dispatched', in_progress: 'dispatched' },
  summon: { in_progress: 'in_progress' },
  co_report: { in_progress: 'in_progress' },
  resolve: { in_progress: 'resolved' },
  check_pass: { resolved: 'awaiting_rating' },
  check_fail: { resolved: 'in_progress' },
  rate_satisfied: { awaiting_rating: 'closed' },
  rate_basically_satisfied: { awaiting_rating: 'closed' },
  rate_unsatisfied: { awaiting_rating: 'dispatched' },
  close_unrated: { awaiting_rating: 'closed' },
  request_extension: same(HANDLING),
  approve_extension: same(HANDLING),
  deny_extension: same(HANDLING),
  request_suspension: same(HANDLING),
  approve_suspension: { dispatched: 'suspended', in_progress: 'suspended' },
  deny_suspension: same(HANDLING),
  resume: { suspended: PREVIOUS },
  supervise: same(['accepted', 'dispatched', 'in_progress', 'returned', 'resolved']),
  flag_urgent: same(['reported', 'accepted', 'dispatched', 'in_progress', 'returned', 'resolved', 'suspended']),
};

export class InvalidTransitionError extends Error {
  constructor(
    readonly from: CaseStatus,
    readonly action: CaseAction,
  ) {
    super(`cannot ${action} a case that is ${from}`);
  }
}

/**
 * The state after `action`, or throws InvalidTransitionError (409
 * CASE_INVALID_TRANSITION). `suspendedFrom` is needed only to resume.
 */
export function nextStatus(from: CaseStatus, action: CaseAction, suspendedFrom?: CaseStatus | null): CaseStatus {
  const to = TRANSITIONS[action][from];
  if (!to) throw new InvalidTransitionError(from, action);
  if (to === PREVIOUS) {
    if (!suspendedFrom || !HANDLING.includes(suspendedFrom)) throw new InvalidTransitionError(from, action);
    return suspendedFrom;
  }
  return to;
}

export function canTransition(from: CaseStatus, action: CaseAction): boolean {
  return TRANSITIONS[action][from] !== undefined;
}

/** Actions possible from a state, whoever the actor is (the service narrows them by role). */
export function actionsFrom(from: CaseStatus): CaseAction[] {
  return CASE_ACTIONS.filter((a) => canTransition(from, a));
}

export function isTerminal(s: CaseStatus): boolean {
  return TERMINAL_STATUSES.includes(s);
}

/** Actions that need a written reason. */
export const REASON_REQUIRED: readonly CaseAction[] = [
  'reject',
  'redispatch',
  'return',
  'escalate',
  'check_fail',
  'request_extension',
  'deny_extension',
  'request_suspension',
  'deny_suspension',
];

export const RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Rating = (typeof RATINGS)[number];

export function rateAction(r: Rating): CaseAction {
  return r === 'satisfied' ? 'rate_satisfied' : r === 'basically_satisfied' ? 'rate_basically_satisfied' : 'rate_unsatisfied';
}
