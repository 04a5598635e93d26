/**
 * Case ledger export at scale: N generated cases (default 100,000; the
 * generator of src/server/demo) in the lattice city of bench/case-data.ts,
 * then GET /api/ledgers/cases.xlsx and .csv over real HTTP for a district
 * (about a fifth of the cases) and for the whole city, the body read as a
 * stream and thrown away as it arrives. Reports time, rows/s, bytes and the
 * process's resident memory (sampled every 25 ms; the server runs in this
 * process): before, peak, and peak minus before. Flat memory means the
 * district and the city exports peak at about the same RSS.
 *
 * Then the way back: bulk import of a generated CSV (--import N rows, default
 * 1,000, points inside random grids) over HTTP, as a dry run and for real:
 * time and rows/s (every row is placed, routed and written by the intake).
 *
 *   npm run bench -- export [--engine pglite|postgres|both] [--cases N] [--import N]
 */
import { generateCases } from '../src/server/demo/case-generator.js';
import { createProgress } from '../src/cli/progress.js';
import { argNumber, buildBenchCity, createBenchUser, leafCategories, pointsInGrids, signInHttp, startBenchApp, CITY } from './case-data.js';
import { enginesFromArgs, openBenchDb, report, type BenchEngine } from './util.js';

const MB = 1024 * 1024;

async function exportOnce(url: string, headers: Record<string, string>) {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  const t = performance.now();
  let bytes = 0;
  let lines = 0;
  try {
    const res = await fetch(url, { headers });
    if (!res.ok || !res.body) throw new Error(`export failed: ${res.status} ${await res.text()}`);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      if (url.includes('.csv')) for (const b of chunk) if (b === 10) lines++;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
  } finally {
    clearInterval(timer);
  }
  return { ms: performance.now() - t, bytes, lines, before, peak };
}

async function run(engine: BenchEngine, count: number, importRows: number) {
  const b = await openBenchDb(engine);
  const { db } = b;
  try {
    await buildBenchCity(db);
    await createBenchUser(db, 'x_leader', 'leader', CITY);
    await createBenchUser(db, 'x_dispatcher', 'dispatcher', CITY);
    const now = new Date();
    const gen = await generateCases(db, { cityCode: CITY, from: new Date(+now - 365 * 86_400_000), to: now, now, count, seed: 11, batchSize: 10_000, progress: createProgress() });
    report('export.generate', engine, { cases: gen.cases, s: gen.ms / 1000 });
    await db.exec('ANALYZE');
    const [district] = await db.query<{ code: string; n: number }>(
      `SELECT n.code, count(*)::int AS n FROM nodes n JOIN cases c ON c.node_path <@ n.path WHERE n.level = 'district' GROUP BY 1 ORDER BY 1 LIMIT 1`,
    );
    const server = await startBenchApp(db);
    try {
      const headers = await signInHttp(server.url, 'x_leader');
      for (const format of ['xlsx', 'csv'] as const) {
        for (const [scope, qs, rows] of [['district', `?node=${district!.code}`, district!.n], ['city', '', gen.cases]] as const) {
          const r = await exportOnce(`${server.url}/api/ledgers/cases.${format}${qs}`, headers);
          if (format === 'csv' && r.lines !== rows + 1) throw new Error(`csv had ${r.lines - 1} rows, expected ${rows}`);
          report('export.cases', engine, {
            format, scope, rows, s: r.ms / 1000, rows_per_s: rows / (r.ms / 1000), mb: r.bytes / MB,
            rss_before_mb: r.before / MB, rss_peak_mb: r.peak / MB, rss_growth_mb: (r.peak - r.before) / MB,
          });
        }
      }
      if (importRows > 0) {
        const cats = await leafCategories(db);
        const points = await pointsInGrids(db, importRows, 5);
        const csv = '类别,问题描述,经度,纬度,联系电话\r\n' + points.map((p, i) => `${cats[i % cats.length]},导入基准 ${i},${p.lng},${p.lat},138${String(i).padStart(8, '0')}`).join('\r\n') + '\r\n';
        const dispatcher = await signInHttp(server.url, 'x_dispatcher');
        for (const dryRun of [true, false]) {
          const form = new FormData();
          form.append('file', new Blob([csv], { type: 'text/csv' }), 'bench.csv');
          const t = performance.now();
          const res = await fetch(`${server.url}/api/ledgers/cases/import?dryRun=${dryRun}`, { method: 'POST', headers: dispatcher, body: form });
          const body = (await res.json()) as { accepted: number; created: number; rejected: number };
          if (!res.ok) throw new Error(`import failed: ${res.status} ${JSON.stringify(body)}`);
          const s = (performance.now() - t) / 1000;
          report('export.import', engine, { dryRun: String(dryRun), rows: points.length, accepted: body.accepted, created: body.created, rejected: body.rejected, s, rows_per_s: points.length / s });
        }
      }
    } finally {
      await server.close();
    }
  } finally {
    await b.close();
  }
}

export default async function (args: string[]) {
  const count = argNumber(args, '--cases', 100_000);
  const importRows = argNumber(args, '--import', 1000);
  for (const engine of enginesFromArgs(args)) await run(engine, count, importRows);
}
