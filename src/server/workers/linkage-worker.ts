/**
 * Background work of care and linkage, in its own loop beside the clock sweep:
 *  - notices still fanning out (status 'sending'), chunk by chunk;
 *  - help requests unclaimed past their time go up a level;
 *  - overdue visits are flagged to the grid worker and the community (hourly);
 *  - notices sent over REMIND_AFTER_MS ago with unread households remind the
 *    group owners once.
 * Every step is safe with several processes (row locks, unique keys).
 */
import type { AppDeps } from '../context.js';
import { fanOutPending, remindUnread } from '../modules/linkage/linkage.broadcasts.js';
import { escalateHelpRequests } from '../modules/linkage/linkage.help.js';
import { flagOverdueVisits } from '../modules/visits/visits.overdue.js';
import type { SweepLog } from './sweep.js';

export const REMIND_AFTER_MS = 2 * 3_600_000;
const VISIT_FLAG_EVERY_MS = 3_600_000;

export interface LinkagePassCounts {
  fannedOut: number;
  escalated: number;
  flagged: number;
  reminded: number;
}

/** One pass; `flagVisits` false skips the (whole-registry) overdue scan. */
export async function runLinkagePass(deps: AppDeps, now = new Date(), flagVisits = true): Promise<LinkagePassCounts> {
  const fannedOut = await fanOutPending(deps.db);
  const escalated = await deps.db.transaction((trx) => escalateHelpRequests(trx, now));
  const flagged = flagVisits ? (await deps.db.transaction((trx) => flagOverdueVisits(trx, now))).flagged : 0;
  const due = await deps.db.query<{ id: number }>(
    `SELECT b.id FROM broadcasts b WHERE b.status = 'sent' AND b.reminded_at IS NULL AND b.sent_at < $1 AND b.sent_at > $1::timestamptz - interval '2 days'
        AND EXISTS (SELECT 1 FROM broadcast_receipts rc WHERE rc.broadcast_id = b.id AND rc.read_at IS NULL) LIMIT 20`,
    [new Date(now.getTime() - REMIND_AFTER_MS)],
  );
  for (const b of due) await deps.db.transaction((trx) => remindUnread(trx, Number(b.id)));
  return { fannedOut, escalated, flagged, reminded: due.length };
}

/**
 * Runs a pass every `intervalMs` (the first after `firstDelayMs`); stop() waits for a pass in flight.
 * With the clock sweep off (browser journeys) the whole-registry overdue scan is off too (flagVisits).
 */
export function startLinkageWorker(
  deps: AppDeps,
  log?: SweepLog,
  { flagVisits = true, intervalMs = 15_000, firstDelayMs = 10_000 }: { flagVisits?: boolean; intervalMs?: number; firstDelayMs?: number } = {},
): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let lastFlag = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped) return;
    const now = Date.now();
    const flag = flagVisits && now - lastFlag >= VISIT_FLAG_EVERY_MS;
    running = runLinkagePass(deps, new Date(now), flag)
      .then(() => {
        if (flag) lastFlag = now;
      })
      .catch((err: unknown) => log?.error?.({ err }, 'linkage pass failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, firstDelayMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
