/**
 * The whole national division tree (665,276 rows, province → village) into a
 * fresh database on each engine, then the same import again (idempotency:
 * nothing to write). `npm run bench -- import-divisions --engine both
 * [--region all] [--batch 5000] [--concurrency 4]`.
 */
import { silentProgress } from '../src/cli/progress.js';
import { importDivisions } from '../src/server/modules/divisions/divisions.service.js';
import { enginesFromArgs, openBenchDb, report } from './util.js';

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export default async function (args: string[]): Promise<void> {
  const region = arg(args, '--region') ?? 'all';
  const batchSize = arg(args, '--batch') ? Number(arg(args, '--batch')) : undefined;
  const concurrency = arg(args, '--concurrency') ? Number(arg(args, '--concurrency')) : undefined;
  for (const engine of enginesFromArgs(args)) {
    const b = await openBenchDb(engine);
    try {
      for (const run of ['first', 'second'] as const) {
        const r = await importDivisions(b.db, region, silentProgress, { batchSize, concurrency });
        report('import-divisions', engine, {
          region,
          run,
          rows: r.total,
          inserted: r.inserted,
          updated: r.updated,
          unchanged: r.unchanged,
          seconds: r.ms / 1000,
          'rows/s': Math.round(r.total / (r.ms / 1000)),
        });
      }
      const [count] = await b.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM nodes`);
      report('import-divisions', engine, { region, 'nodes in table': count!.n });
    } finally {
      await b.close();
    }
  }
}
