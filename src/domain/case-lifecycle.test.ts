import { describe, expect, it } from 'vitest';
import {
  actionsFrom,
  CASE_ACTIONS,
  CASE_STATUSES,
  InvalidTransitionError,
  isTerminal,
  nextStatus,
  OPEN_STATUSES,
  rateAction,
  TERMINAL_STATUSES,
  TRANSITIONS,
  type CaseAction,
  type CaseStatus,
} from './case-lifecycle.js';

/** The expected table, written out by hand: every allowed (state, action) and its result. */
const EXPECTED: Record<string, CaseStatus> = {
  'reported/accept': 'accepted',
  'reported/reject': 'rejected',
  'reported/cancel': 'cancelled',
  'reported/merge': 'merged',
  'accepted/merge': 'merged',
  'reported/self_resolve': 'awaiting_rating',
  'accepted/dispatch': 'dispatched',
  'returned/dispatch': 'dispatched',
  'dispatched/redispatch': 'dispatched',
  'dispatched/sign': 'in_progress',
  'dispatched/sign_overdue': 'dispatched',
  'dispatched/return': 'returned',
  'in_progress/return': 'returned',
  'dispatched/escalate': 'dispatched',
  'in_progress/escalate': 'dispatched',
  'in_progress/summon': 'in_progress',
  'in_progress/co_report': 'in_progress',
  'in_progress/resolve': 'resolved',
  'resolved/check_pass': 'awaiting_rating',
  'resolved/check_fail': 'in_progress',
  'awaiting_rating/rate_satisfied': 'closed',
  'awaiting_rating/rate_basically_satisfied': 'closed',
  'awaiting_rating/rate_unsatisfied': 'dispatched',
  'awaiting_rating/close_unrated': 'closed',
  'dispatched/request_extension': 'dispatched',
  'in_progress/request_extension': 'in_progress',
  'dispatched/approve_extension': 'dispatched',
  'in_progress/approve_extension': 'in_progress',
  'dispatched/deny_extension': 'dispatched',
  'in_progress/deny_extension': 'in_progress',
  'dispatched/request_suspension': 'dispatched',
  'in_progress/request_suspension': 'in_progress',
  'dispatched/approve_suspension': 'suspended',
  'in_progress/approve_suspension': 'suspended',
  'dispatched/deny_suspension': 'dispatched',
  'in_progress/deny_suspension': 'in_progress',
  'accepted/supervise': 'accepted',
  'dispatched/supervise': 'dispatched',
  'in_progress/supervise': 'in_progress',
  'returned/supervise': 'returned',
  'resolved/supervise': 'resolved',
};
for (const s of OPEN_STATUSES) EXPECTED[`${s}/note`] = s;
for (const s of ['reported', 'accepted', 'dispatched', 'in_progress', 'returned', 'resolved', 'suspended'] as const) EXPECTED[`${s}/flag_urgent`] = s;

describe('case lifecycle table', () => {
  const pairs = CASE_STATUSES.flatMap((s) => CASE_ACTIONS.map((a) => [s, a] as [CaseStatus, CaseAction]));

  it.each(pairs.filter(([s, a]) => a !== 'resume'))('%s × %s', (s, a) => {
    const want = EXPECTED[`${s}/${a}`];
    if (want) expect(nextStatus(s, a)).toBe(want);
    else expect(() => nextStatus(s, a)).toThrow(InvalidTransitionError);
  });

  it('resume returns to the state the case was suspended from, and only from suspension', () => {
    expect(nextStatus('suspended', 'resume', 'in_progress')).toBe('in_progress');
    expect(nextStatus('suspended', 'resume', 'dispatched')).toBe('dispatched');
    expect(() => nextStatus('suspended', 'resume', null)).toThrow(InvalidTransitionError);
    expect(() => nextStatus('suspended', 'resume', 'closed')).toThrow(InvalidTransitionError);
    for (const s of CASE_STATUSES.filter((x) => x !== 'suspended')) expect(() => nextStatus(s, 'resume', 'in_progress')).toThrow(InvalidTransitionError);
  });

  it('the table has no entry beyond the expected ones', () => {
    let count = 0;
    for (const a of CASE_ACTIONS) count += Object.keys(TRANSITIONS[a]).length;
    expect(count).toBe(Object.keys(EXPECTED).length + 1 /* resume */);
  });

  it('terminal states allow nothing; a case is never closed except from awaiting_rating', () => {
    for (const s of TERMINAL_STATUSES) {
      expect(isTerminal(s)).toBe(true);
      expect(actionsFrom(s)).toEqual([]);
    }
    for (const [key, to] of Object.entries(EXPECTED)) if (to === 'closed') expect(key.startsWith('awaiting_rating/')).toBe(true);
  });

  it('"not satisfied" reopens the case, never closes it', () => {
    expect(nextStatus('awaiting_rating', rateAction('unsatisfied'))).toBe('dispatched');
    expect(nextStatus('awaiting_rating', rateAction('satisfied'))).toBe('closed');
    expect(nextStatus('awaiting_rating', rateAction('basically_satisfied'))).toBe('closed');
  });

  it('every open state can still move on (no dead ends)', () => {
    for (const s of OPEN_STATUSES) {
      const moves = actionsFrom(s).filter((a) => {
        try {
          return nextStatus(s, a, 'in_progress') !== s;
        } catch {
          return false;
        }
      });
      expect(moves.length, s).toBeGreaterThan(0);
    }
  });
});
