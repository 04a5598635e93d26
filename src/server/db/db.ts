/**
 * The one database interface both engines implement. Repositories take an
 * `Executor` (the pool or a transaction) and never open transactions themselves.
 */
export interface Executor {
  /** Runs one statement with positional parameters ($1, $2 …) and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/** An open transaction: an executor that can also run multi-statement text. */
export interface Transaction extends Executor {
  exec(sql: string): Promise<void>;
}

export type Engine = 'pglite' | 'postgres';

export interface Db extends Executor {
  readonly engine: Engine;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (trx: Transaction) => Promise<T>): Promise<T>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` holding a session-level advisory lock; returns undefined without
   * running it when `wait` is false and another process holds the lock.
   */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>, wait?: boolean): Promise<T | undefined>;
  /** Subscribes to a NOTIFY channel; returns an unsubscribe function. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * Re-reads type metadata after migrations (PGlite learns array types such
   * as ltree[] at start; a type created later must be registered).
   */
  refreshTypes?(): Promise<void>;
  close(): Promise<void>;
}

/** First row or undefined. */
export async function one<T>(ex: Executor, sql: string, params?: readonly unknown[]): Promise<T | undefined> {
  const rows = await ex.query<T>(sql, params);
  return rows[0];
}
