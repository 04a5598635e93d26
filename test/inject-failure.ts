/**
 * Failure injection for API tests, the same on both engines: a trigger that
 * makes a chosen write fail, as a crash between two statements would. Used to
 * show that writes meant to commit together roll back together.
 */
import type { Db } from '../src/server/db/db.js';

/**
 * Makes every `event` ('INSERT' | 'UPDATE' | 'DELETE') on `table` whose row
 * matches `when` (an SQL condition over NEW/OLD) fail with "injected failure",
 * until the returned function is called.
 */
export async function failOn(db: Db, table: string, event: 'INSERT' | 'UPDATE' | 'DELETE', when = 'true'): Promise<() => Promise<void>> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`bad table ${table}`);
  const trigger = `test_inject_failure_${table}`;
  await db.exec(
    `CREATE OR REPLACE FUNCTION test_inject_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
     CREATE TRIGGER ${trigger} BEFORE ${event} ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION test_inject_failure();`,
  );
  return async () => {
    await db.exec(`DROP TRIGGER ${trigger} ON ${table}`);
  };
}
