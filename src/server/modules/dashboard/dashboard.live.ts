/**
 * Live case events for the dashboard (server-sent events). One LISTEN per
 * process on `wangge_case_live` (NOTIFY from the trigger in
 * migrations/0021_measures_rollups.sql, sent at commit by whichever process
 * wrote the case), fanned out to this process's open streams, each filtered to
 * its subtree.
 */
import type { Db } from '../../db/db.js';
import { isWithin } from '../../../domain/tree.js';
import type { NodeRow } from '../measures/measures.repository.js';

export const LIVE_CHANNEL = 'wangge_case_live';

export interface LiveEvent {
  type: 'case.created' | 'case.status' | 'case.overdue';
  caseId: number;
  number: string;
  cityCode: string;
  nodeCode: string | null;
  nodePath: string | null;
  status: string;
  fromStatus: string | null;
  clockColour: string;
  categoryCode: string;
  at: string;
}

type Listener = (e: LiveEvent) => void;

/** Does an event belong to the node's subtree (null = the whole tree)? Cases without a node count for their city. */
export function eventWithin(e: LiveEvent, n: NodeRow | null): boolean {
  if (!n) return true;
  if (n.level === 'province') return e.cityCode.startsWith(n.code);
  if (n.level === 'city') return e.cityCode === n.code;
  return e.nodePath !== null && isWithin(e.nodePath, n.path);
}

export class LiveHub {
  private listeners = new Set<Listener>();
  private unlisten?: Promise<() => Promise<void>>;

  constructor(private readonly db: Db) {}

  /** Adds a listener; the first one starts the LISTEN. Returns the remover. */
  async subscribe(fn: Listener): Promise<() => void> {
    this.listeners.add(fn);
    this.unlisten ??= this.db.listen(LIVE_CHANNEL, (payload) => this.dispatch(payload));
    await this.unlisten;
    return () => {
      this.listeners.delete(fn);
    };
  }

  get size(): number {
    return this.listeners.size;
  }

  private dispatch(payload: string): void {
    let e: LiveEvent;
    try {
      e = JSON.parse(payload) as LiveEvent;
    } catch {
      return;
    }
    for (const fn of this.listeners) fn(e);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const u = this.unlisten;
    this.unlisten = undefined;
    if (u) await (await u)();
  }
}
