/**
 * Folds the measures' insert-only deltas into the roll-up now and then. Safe in
 * any number of processes (an advisory lock; the SQL itself skips locked rows).
 * Readers add unfolded deltas, so a slow or stopped compactor never makes a
 * figure wrong, only the delta table longer.
 */
import type { AppDeps } from '../../context.js';
import { compact } from './measures.repository.js';

const COMPACT_LOCK = 7_242_021;

export function startMeasuresCompactor(deps: AppDeps, intervalMs = 10_000, log?: { warn(o: unknown, msg?: string): void }): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = deps.db
      .withAdvisoryLock(COMPACT_LOCK, () => compact(deps.db, 5000, 20), false)
      .catch((err: unknown) => log?.warn({ err }, 'measures compaction failed'))
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
