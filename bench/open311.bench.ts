/**
 * Open311 GET requests at page size 1000: N generated cases (default 50,000
 * on PostgreSQL, 20,000 on PGlite; the demo generator, last 60 days) in the
 * lattice city of bench/case-data.ts, ANALYZE, then over HTTP on the real app,
 * one request at a time, JSON and XML:
 *
 *   - a partner key at the city (every case, 1000 rows) — target p95 ≤ 100 ms;
 *   - the same with status=open, with a service_code list, and with extensions=true (the timeline as notes);
 *   - without a key (the published kinds only; the per-address limit allows these few requests).
 *
 *   npm run bench -- open311 [--engine pglite|postgres|both] [--cases N] [--repeat 30]
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../src/server/db/db.js';
import { generateCases } from '../src/server/demo/case-generator.js';
import { createProgress } from '../src/cli/progress.js';
import { argNumber, buildBenchCity, startBenchApp, summarize, CITY } from './case-data.js';
import { loadConfig } from '../src/server/config.js';
import { loadDataKeys, PersonalData } from '../src/server/lib/personal-data.js';
import { hashApiKey } from '../src/server/modules/partners/partners.service.js';
import { findLiveKey } from '../src/server/modules/partners/partners.repository.js';
import { listRequests } from '../src/server/modules/open311/open311.service.js';
import { render } from '../src/server/modules/open311/open311.format.js';
import { enginesFromArgs, openBenchDb, report, type BenchEngine } from './util.js';

export default async function (args: string[]) {
  const repeat = argNumber(args, '--repeat', 30);
  for (const engine of enginesFromArgs(args)) {
    const count = argNumber(args, '--cases', engine === 'postgres' ? 50_000 : 20_000);
    const bench = await openBenchDb(engine, 20);
    try {
      await run(engine, bench.db, count, repeat);
    } finally {
      await bench.close();
    }
  }
}

/** A partner with a key at the city, written as the console would (only the hash stored). */
async function partnerKey(db: Db): Promise<string> {
  const key = `wg_${randomBytes(24).toString('base64url')}`;
  const [p] = await db.query<{ id: number }>(
    `INSERT INTO partners (city_code, name, node_code, node_path, actor_id) VALUES ($1, 'bench partner', $1, ('44.' || $1)::ltree, gen_random_uuid()) RETURNING id`,
    [CITY],
  );
  await db.query(
    `INSERT INTO partner_keys (city_code, partner_id, key_hash, key_prefix, node_code, node_path) VALUES ($1, $2, $3, $4, $1, ('44.' || $1)::ltree)`,
    [CITY, p!.id, createHash('sha256').update(key).digest('hex'), key.slice(0, 10)],
  );
  return key;
}

async function run(engine: BenchEngine, db: Db, count: number, repeat: number): Promise<void> {
  await buildBenchCity(db);
  const now = new Date();
  const t0 = performance.now();
  await generateCases(db, { cityCode: CITY, from: new Date(+now - 60 * 86_400_000), to: now, now, count, seed: 11, batchSize: 10_000, progress: createProgress() });
  await db.exec('ANALYZE');
  console.log(`${engine}: ${count} cases generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const key = await partnerKey(db);
  const codes = (await db.query<{ category_code: string }>(`SELECT category_code FROM cases GROUP BY 1 ORDER BY count(*) DESC LIMIT 5`)).map((r) => r.category_code);
  // Where the time goes, without HTTP: the service (SQL + mapping), then the serializer.
  const deps = { db, config: loadConfig({ WANGGE_MODE: 'test', LOG_LEVEL: 'silent' }), pd: new PersonalData(loadDataKeys(undefined)) };
  const identity = await findLiveKey(db, hashApiKey(key));
  const svcMs: number[] = [];
  const jsonMs: number[] = [];
  const xmlMs: number[] = [];
  for (let i = 0; i < repeat + 2; i++) {
    const s = performance.now();
    const list = await listRequests(deps, {}, identity, 'zh');
    const a = performance.now();
    render('json', 'service_requests', list);
    const b = performance.now();
    render('xml', 'service_requests', list);
    const c = performance.now();
    if (i < 2) continue;
    svcMs.push(a - s);
    jsonMs.push(b - a);
    xmlMs.push(c - b);
  }
  report('open311', engine, { variant: '"keyed, in process"', service_p50_ms: summarize(svcMs).p50, service_p95_ms: summarize(svcMs).p95, json_render_p95_ms: summarize(jsonMs).p95, xml_render_p95_ms: summarize(xmlMs).p95 });
  const server = await startBenchApp(db);
  try {
    const variants: [string, string, number][] = [
      ['keyed', `api_key=${key}`, repeat],
      ['keyed status=open', `api_key=${key}&status=open`, repeat],
      ['keyed service_code×5', `api_key=${key}&service_code=${codes.join(',')}`, repeat],
      ['keyed extensions', `api_key=${key}&extensions=true`, Math.max(5, Math.floor(repeat / 3))],
      ['public', '', Math.min(repeat, 60)],
    ];
    for (const [label, q, n] of variants) {
      for (const fmt of ['json', 'xml'] as const) {
        const url = `${server.url}/open311/v2/requests.${fmt}${q ? `?${q}` : ''}`;
        let rows = 0;
        let bytes = 0;
        const ms: number[] = [];
        for (let i = 0; i < n + 2; i++) {
          const s = performance.now();
          const res = await fetch(url);
          const body = await res.text();
          const took = performance.now() - s;
          if (res.status !== 200) throw new Error(`${label} ${fmt}: ${res.status} ${body.slice(0, 200)}`);
          if (i < 2) continue; // warm-up: plans, JIT
          ms.push(took);
          bytes = body.length;
          rows = fmt === 'json' ? (JSON.parse(body) as unknown[]).length : (body.match(/<request>/g) ?? []).length;
        }
        const s = summarize(ms);
        report('open311', engine, { variant: `"${label}"`, format: fmt, rows, kB: Math.round(bytes / 1024), n: ms.length, p50_ms: s.p50, p95_ms: s.p95, max_ms: s.max, target: 'p95<=100ms' });
      }
    }
  } finally {
    await server.close();
  }
}
