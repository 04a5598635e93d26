/**
 * Who may take which action on a case. Pure: the server uses it to authorize
 * and sends the result to the client as the case's `abilities`, so the UI
 * shows exactly the actions the server will accept.
 */
import { actionsFrom, type CaseAction, type CaseStatus } from './case-lifecycle.js';
import { can, ROLE_PERMISSIONS, type Actor } from './permissions.js';
import { isWithin } from './tree.js';

export interface CaseFacts {
  status: CaseStatus;
  /** Path of the node the case lies in. */
  nodePath: string;
  handlerType: 'department' | 'node_office' | 'grid_worker' | null;
  handlerNodePath: string | null;
  handlerDepartmentId: number | null;
  reporterId: string | null;
  /** Departments summoned as co-handlers that have not reported yet. */
  pendingCoDepartmentIds: readonly number[];
  /** All summoned co-handler departments. */
  coDepartmentIds: readonly number[];
  hasPendingExtension: boolean;
  hasPendingSuspension: boolean;
  suspendedFrom: CaseStatus | null;
}

function parentPath(path: string): string {
  const i = path.lastIndexOf('.');
  return i < 0 ? '' : path.slice(0, i);
}

/** A dispatcher (指挥中心) whose area covers the case or its handling node. */
export function isDispatcherFor(actor: Actor, c: CaseFacts): boolean {
  return can(actor, 'case.dispatch', c.nodePath) || (c.handlerNodePath !== null && can(actor, 'case.dispatch', c.handlerNodePath));
}

/**
 * A member of the unit the case is dispatched to: staff of the department, or
 * a case worker at the handling node or the node just above it (a grid
 * leader or community secretary for the grids of the community).
 */
export function isHandlerOf(actor: Actor, c: CaseFacts): boolean {
  if (!c.handlerType) return false;
  if (c.handlerType === 'department') return actor.grants.some((g) => g.role === 'department_staff' && g.departmentId === c.handlerDepartmentId);
  const path = c.handlerNodePath;
  if (path === null) return false;
  return actor.grants.some(
    (g) => g.role !== 'department_staff' && ROLE_PERMISSIONS[g.role].includes('case.handle') && (g.nodePath === path || g.nodePath === parentPath(path)),
  );
}

export function isCoHandlerOf(actor: Actor, c: CaseFacts, pendingOnly = true): boolean {
  const ids = pendingOnly ? c.pendingCoDepartmentIds : c.coDepartmentIds;
  return actor.grants.some((g) => g.role === 'department_staff' && g.departmentId != null && ids.includes(g.departmentId));
}

/** May see the case: in the caller's part of the tree, its department's or co-handled case, or the reporter's own. */
export function canReadCase(actor: Actor, c: CaseFacts): boolean {
  if (c.reporterId === actor.userId) return true;
  if (isHandlerOf(actor, c) || isCoHandlerOf(actor, c, false)) return true;
  return actor.grants.some(
    (g) =>
      g.role !== 'department_staff' &&
      g.role !== 'resident' &&
      ROLE_PERMISSIONS[g.role].includes('case.read') &&
      (isWithin(c.nodePath, g.nodePath) || (c.handlerNodePath !== null && isWithin(c.handlerNodePath, g.nodePath))),
  );
}

type Rule = (actor: Actor, c: CaseFacts) => boolean;

const dispatcher: Rule = isDispatcherFor;
const handler: Rule = isHandlerOf;
const supervisor: Rule = (a, c) => can(a, 'case.supervise', c.nodePath) || dispatcher(a, c);
const reporterOrCallback: Rule = (a, c) => (c.reporterId !== null && c.reporterId === a.userId) || dispatcher(a, c);

/** Who may take each action (on top of the lifecycle table allowing it from the case's state). */
export const ACTION_RULES: Record<CaseAction, Rule> = {
  accept: dispatcher,
  reject: dispatcher,
  cancel: (a, c) => c.reporterId !== null && c.reporterId === a.userId,
  merge: dispatcher,
  self_resolve: () => false, // only at intake, by the grid worker reporting
  dispatch: dispatcher,
  redispatch: dispatcher,
  sign: handler,
  sign_overdue: () => false, // the clock sweep only
  note: (a, c) => handler(a, c) || dispatcher(a, c) || isCoHandlerOf(a, c, false),
  return: handler,
  escalate: handler,
  summon: handler,
  co_report: (a, c) => isCoHandlerOf(a, c, false),
  resolve: handler,
  // The unit that did the work does not check it itself, unless it is also the dispatcher.
  check_pass: (a, c) => can(a, 'case.check', c.nodePath) && (c.handlerType === 'department' || !handler(a, c) || dispatcher(a, c)),
  check_fail: (a, c) => can(a, 'case.check', c.nodePath) && (c.handlerType === 'department' || !handler(a, c) || dispatcher(a, c)),
  rate_satisfied: reporterOrCallback,
  rate_basically_satisfied: reporterOrCallback,
  rate_unsatisfied: reporterOrCallback,
  close_unrated: () => false, // the clock sweep only
  request_extension: handler,
  approve_extension: supervisor,
  deny_extension: supervisor,
  request_suspension: handler,
  approve_suspension: supervisor,
  deny_suspension: supervisor,
  resume: dispatcher,
  supervise: (a, c) => can(a, 'case.supervise', c.nodePath),
  flag_urgent: (a, c) => dispatcher(a, c) || handler(a, c) || can(a, 'case.supervise', c.nodePath),
};

/**
 * Conditions of the case beyond its state (a request pending, co-handlers
 * still working). Failing one is a conflict (409), not a lack of right (403).
 */
export const STATE_CONDITIONS: Partial<Record<CaseAction, (c: CaseFacts, a: Actor) => string | undefined>> = {
  resolve: (c) => (c.pendingCoDepartmentIds.length ? 'co-handlers have not reported their part yet' : undefined),
  co_report: (c, a) => (isCoHandlerOf(a, c, true) ? undefined : 'your department has already reported its part'),
  request_extension: (c) => (c.hasPendingExtension ? 'an extension request is already pending' : undefined),
  approve_extension: (c) => (c.hasPendingExtension ? undefined : 'no extension request is pending'),
  deny_extension: (c) => (c.hasPendingExtension ? undefined : 'no extension request is pending'),
  request_suspension: (c) => (c.hasPendingSuspension ? 'a suspension request is already pending' : undefined),
  approve_suspension: (c) => (c.hasPendingSuspension ? undefined : 'no suspension request is pending'),
  deny_suspension: (c) => (c.hasPendingSuspension ? undefined : 'no suspension request is pending'),
};

/** Why the action cannot be taken from the case's current state, or undefined when it can. */
export function stateProblem(actor: Actor, c: CaseFacts, action: CaseAction): string | undefined {
  if (!actionsFrom(c.status).includes(action)) return `cannot ${action} a case that is ${c.status}`;
  return STATE_CONDITIONS[action]?.(c, actor);
}

/** May the actor take `action` on the case now (state allows it and the actor is the right person)? */
export function mayAct(actor: Actor, c: CaseFacts, action: CaseAction): boolean {
  return ACTION_RULES[action](actor, c) && stateProblem(actor, c, action) === undefined;
}

/** The actions the actor may take now: sent to the client as the case's abilities. */
export function abilitiesOf(actor: Actor, c: CaseFacts): CaseAction[] {
  return actionsFrom(c.status).filter((a) => mayAct(actor, c, a));
}
