import { EventEmitter } from 'node:events';

/**
 * Wakes this process's outbox worker right after a commit, so in-app notices
 * appear at once; workers in other processes find the rows on their next poll.
 */
export const outboxSignal = new EventEmitter();
outboxSignal.setMaxListeners(50);

export function nudgeOutbox(): void {
  outboxSignal.emit('nudge');
}
