import type { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import type { Db } from '../../server/db/db.js';
import { openDb } from '../../server/db/open.js';
import { migrate } from '../../server/db/migrate.js';
import { loadDataKeys, PersonalData } from '../../server/lib/personal-data.js';
import { createProgress, silentProgress, type Progress } from '../progress.js';

/**
 * Every encrypted column, with its lookup hash when it has one. The lookup
 * hash key is derived from the first data key, so rotating re-hashes too.
 */
export const SEALED_COLUMNS: readonly { table: string; keys: string[]; enc: string; hash: string | null }[] = [
  { table: 'users', keys: ['id'], enc: 'phone_enc', hash: 'phone_hash' },
  { table: 'cases', keys: ['city_code', 'id'], enc: 'reporter_phone_enc', hash: 'reporter_phone_hash' },
  { table: 'residents', keys: ['id'], enc: 'id_number_enc', hash: 'id_number_hash' },
  { table: 'residents', keys: ['id'], enc: 'phone_enc', hash: 'phone_hash' },
  { table: 'places', keys: ['id'], enc: 'phone_enc', hash: 'phone_hash' },
  { table: 'webhook_subscriptions', keys: ['id'], enc: 'secret_enc', hash: null },
];

export interface RotateResult {
  keyId: string;
  rows: number;
  byColumn: Record<string, number>;
}

/**
 * Re-encrypts every value not yet under the first key of WANGGE_DATA_KEY
 * (older keys must still be listed after it, to decrypt), and recomputes its
 * lookup hash, in batches of `batch` rows, each batch its own transaction —
 * safe to stop and run again. Until it finishes, exact lookups miss the rows
 * not yet rotated.
 */
export async function rotateKeys(db: Db, pd: PersonalData, progress: Progress = silentProgress, batch = 1000): Promise<RotateResult> {
  const keyId = pd.currentKeyId;
  const stale = `${keyId}:%`;
  const result: RotateResult = { keyId, rows: 0, byColumn: {} };
  let total = 0;
  for (const c of SEALED_COLUMNS) {
    const [r] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${c.table} WHERE ${c.enc} IS NOT NULL AND ${c.enc} NOT LIKE $1`, [stale]);
    total += r!.n;
  }
  progress.start(`re-encrypting under key ${keyId}`, total);
  for (const c of SEALED_COLUMNS) {
    const name = `${c.table}.${c.enc}`;
    result.byColumn[name] = 0;
    const keyList = c.keys.join(', ');
    for (;;) {
      const done = await db.transaction(async (trx) => {
        const rows = await trx.query<Record<string, unknown>>(
          `SELECT ${keyList}, ${c.enc} AS enc FROM ${c.table} WHERE ${c.enc} IS NOT NULL AND ${c.enc} NOT LIKE $1 LIMIT ${batch} FOR UPDATE`,
          [stale],
        );
        if (rows.length === 0) return 0;
        const plain = rows.map((r) => pd.decrypt(String(r.enc)));
        const params: unknown[] = c.keys.map((k) => rows.map((r) => (k === 'id' && typeof r[k] === 'number' ? r[k] : String(r[k]))));
        params.push(plain.map((p) => pd.encrypt(p)));
        if (c.hash) params.push(plain.map((p) => pd.hash(p)));
        const types = c.keys.map((k) => (c.table === 'users' ? 'uuid[]' : k === 'id' ? 'bigint[]' : 'text[]'));
        const cols = c.keys.map((_, i) => `k${i}`);
        const unnest = [...c.keys.map((_, i) => `$${i + 1}::${types[i]}`), `$${c.keys.length + 1}::text[]`, ...(c.hash ? [`$${c.keys.length + 2}::text[]`] : [])].join(', ');
        await trx.query(
          `UPDATE ${c.table} t SET ${c.enc} = x.enc${c.hash ? `, ${c.hash} = x.hash` : ''}
             FROM unnest(${unnest}) AS x(${[...cols, 'enc', ...(c.hash ? ['hash'] : [])].join(', ')})
            WHERE ${c.keys.map((k, i) => `t.${k} = x.k${i}`).join(' AND ')}`,
          params,
        );
        return rows.length;
      });
      if (done === 0) break;
      result.rows += done;
      result.byColumn[name] += done;
      progress.update(result.rows);
    }
  }
  progress.stop();
  return result;
}

/** `wangge keys rotate`: after putting a new key first in WANGGE_DATA_KEY (`new:…,old:…`). */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('data keys for personal data (ID numbers, phones)');
  keys
    .command('rotate')
    .description('re-encrypt every ID number and phone under the first key of WANGGE_DATA_KEY and re-hash it (keep the old key listed after it until this finishes)')
    .option('--batch <n>', 'rows per transaction', '1000')
    .action(async (opts: { batch: string }) => {
      const config = loadConfig();
      const progress = createProgress();
      const db = await openDb(config);
      try {
        await migrate(db, (name) => progress.log(`migrating: ${name}`));
        const r = await rotateKeys(db, new PersonalData(loadDataKeys(config.dataKey)), progress, Math.max(1, Number(opts.batch) || 1000));
        process.stdout.write(`re-encrypted ${r.rows} values under key ${r.keyId}: ${Object.entries(r.byColumn).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      } finally {
        await db.close();
      }
    });
}
