/**
 * Background work of a server process: the clock sweep and the outbox worker.
 * Any number of processes may run them against one database.
 */
import type { AppDeps } from '../context.js';
import { startOutboxWorker } from './outbox-worker.js';
import { startSweeper, type SweepLog } from './sweep.js';
import { startLinkageWorker } from './linkage-worker.js';
import { startMeasuresCompactor } from '../modules/measures/measures.compactor.js';

export { runSweep, startSweeper, type SweepCounts } from './sweep.js';
export { deliverPending, startOutboxWorker } from './outbox-worker.js';

export interface Workers {
  stop(): Promise<void>;
}

/** Starts both; `stop()` lets a pass or a delivery in flight finish. */
export function startWorkers(deps: AppDeps, log?: SweepLog): Workers {
  // The first pass waits a little: right after a start the process serves its first requests (on PGlite,
  // one connection, a catch-up pass after downtime would hold them up).
  const sweeper = deps.config.sweep ? startSweeper(deps, 15_000, log, 5_000) : { stop: async () => {} };
  const outbox = startOutboxWorker(deps, { log });
  // Care and linkage: notice fan-out, help escalation, overdue visits (src/server/workers/linkage-worker.ts).
  const linkage = startLinkageWorker(deps, log, { flagVisits: deps.config.sweep });
  // Measures: fold the roll-up's insert-only deltas (src/server/modules/measures/measures.compactor.ts).
  const measures = startMeasuresCompactor(deps, 10_000, log);
  return {
    async stop() {
      await Promise.all([sweeper.stop(), outbox.stop(), linkage.stop(), measures.stop()]);
    },
  };
}
