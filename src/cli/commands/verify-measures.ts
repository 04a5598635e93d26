/**
 * `wangge verify measures [--city <code>]`: recounts every measure from the
 * cases (case_measure_facts, the SQL mirror of src/domain/measures.ts) and
 * compares it with the roll-up plus its unfolded deltas. Prints the differences
 * and the time taken; exits 1 when anything differs.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { openDb } from '../../server/db/open.js';
import type { Db } from '../../server/db/db.js';
import { diffRollup, type RollupDifference } from '../../server/modules/measures/measures.repository.js';
import { createProgress } from '../progress.js';

export interface VerifyResult {
  cases: number;
  rollupRows: number;
  pendingDeltas: number;
  differences: RollupDifference[];
  ms: number;
}

/** The check itself, shared by the command and the benchmark. */
export async function verifyMeasures(db: Db, cityCode?: string): Promise<VerifyResult> {
  const started = performance.now();
  const where = cityCode ? 'WHERE city_code = $1' : '';
  const params = cityCode ? [cityCode] : [];
  const [c] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases ${where}`, params);
  const [r] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM measure_rollup ${where}`, params);
  const [d] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM measure_deltas ${where}`, params);
  const differences = await diffRollup(db, cityCode);
  return { cases: c?.n ?? 0, rollupRows: r?.n ?? 0, pendingDeltas: d?.n ?? 0, differences, ms: performance.now() - started };
}

export function registerVerifyMeasures(program: Command): void {
  const verify = program.commands.find((c) => c.name() === 'verify') ?? program.command('verify').description('check derived data against its source');
  verify
    .command('measures')
    .description('recount the measures from the cases and compare with the roll-ups; exit 1 on a difference')
    .option('--city <code>', 'one city (4-digit code); default all')
    .action(async (opts: { city?: string }) => {
      if (opts.city !== undefined && !/^\d{4}$/.test(opts.city)) {
        process.stderr.write(`--city must be a 4-digit city code, got "${opts.city}"\n`);
        process.exit(2);
      }
      const config = loadConfig();
      const db = await openDb(config);
      const progress = createProgress();
      try {
        progress.log(`recounting the measures of ${opts.city ? `city ${opts.city}` : 'every city'} …`);
        const res = await verifyMeasures(db, opts.city);
        const out = process.stdout;
        out.write(`cases: ${res.cases}, roll-up rows: ${res.rollupRows}, deltas not yet folded: ${res.pendingDeltas}\n`);
        if (res.differences.length) {
          out.write(`DIFFERENCES (${res.differences.length}${res.differences.length >= 1000 ? '+' : ''}):\n`);
          out.write('city  day         district  category  channel  counter  recount  roll-up\n');
          for (const d of res.differences) {
            out.write(`${d.city_code}  ${d.day}  ${d.district_code || '-'}  ${d.category_top}  ${d.channel}  ${d.counter}  ${d.recount}  ${d.rollup}\n`);
          }
        } else {
          out.write('roll-ups agree with a full recount\n');
        }
        out.write(`time: ${(res.ms / 1000).toFixed(2)} s\n`);
        process.exitCode = res.differences.length ? 1 : 0;
      } finally {
        progress.stop();
        await db.close();
      }
    });
}
