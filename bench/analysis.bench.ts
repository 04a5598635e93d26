/**
 * The monthly review (每月研判) at scale: a month of generated reports in the
 * lattice city (default 30,000; `--cases N`), then GET /api/analysis/monthly
 * over HTTP for the city, a district and a street (`--runs` each), and the
 * text grouping alone (groupSimilar) on the largest category. Reports are
 * built from place and problem phrases so that real recurring groups exist
 * (the same problem at the same place, reworded) among one-offs.
 *
 *   npm run bench -- analysis --engine both [--cases 30000] [--runs 5]
 */
import os from 'node:os';
import { argNumber, buildBenchCity, CITY, createBenchUser, leafCategories, pointsInGrids, rng, signInHttp, startBenchApp, summarize } from './case-data.js';
import { enginesFromArgs, fmt, openBenchDb, report } from './util.js';
import { pathOf } from '../src/domain/tree.js';
import { groupSimilar } from '../src/domain/similarity.js';

const PLACES = ['幸福路', '人民路', '建设路', '东湖公园', '菜市场', '解放路', '中山路', '新华街', '滨江路', '学府路', '文化广场', '火车站'];
const SPOTS = ['门口', '北侧', '路口', '旁边', '停车场', '小区南门', '公交站', '十字路口'];
const PROBLEMS = ['垃圾堆放无人清理', '夜间施工噪音扰民', '路灯不亮', '井盖破损', '占道经营', '机动车乱停放', '餐饮油烟扰民', '下水道堵塞冒水', '广场舞音响太大', '违规张贴小广告'];
const TAILS = ['，希望尽快处理', '，已经好几天了', '，影响出行', '', '，多次反映未解决', '，请相关部门处理'];
const MONTH = '2026-10';

export default async function run(args: string[]): Promise<void> {
  const total = argNumber(args, '--cases', 30_000);
  const runs = argNumber(args, '--runs', 5);
  for (const engine of enginesFromArgs(args)) {
    const b = await openBenchDb(engine);
    try {
      await buildBenchCity(b.db);
      const cats = await leafCategories(b.db);
      const points = await pointsInGrids(b.db, 4000, 11);
      const r = rng(42);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
      const from = Date.parse(`${MONTH}-01T00:00:00+08:00`);
      const span = 31 * 86_400_000;
      const t0 = performance.now();
      for (let i = 0; i < total; i += 2000) {
        const n = Math.min(2000, total - i);
        const rows = Array.from({ length: n }, (_, k) => {
          // A quarter of the reports repeat one of 300 place × problem pairs (recurring); the rest are one-offs.
          const recurring = r() < 0.25;
          const seed = recurring ? Math.floor(r() * 300) : -1;
          const p = recurring ? points[seed % points.length]! : pick(points);
          const text = recurring
            ? `${PLACES[seed % PLACES.length]}${SPOTS[seed % SPOTS.length]}${PROBLEMS[seed % PROBLEMS.length]}${pick(TAILS)}`
            : `${pick(PLACES)}${pick(SPOTS)}${pick(PROBLEMS)}${pick(TAILS)}`;
          return {
            number: `A${String(i + k).padStart(10, '0')}`,
            category: recurring ? cats[seed % cats.length]! : pick(cats),
            text,
            lng: p.lng + (r() - 0.5) * 0.0004,
            lat: p.lat + (r() - 0.5) * 0.0004,
            grid: p.grid,
            at: new Date(from + Math.floor(r() * span)),
          };
        });
        await b.db.query(
          `INSERT INTO cases (city_code, number, status, channel, category_code, category_path, description, location, node_code, node_path, placed_by, created_at)
           SELECT $1, x.number, 'reported', 'h5', x.category, x.category::ltree, x.text, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326), x.grid, x.path::ltree, 'location', x.at
             FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::text[], $8::text[], $9::timestamptz[]) AS x(number, category, text, lng, lat, grid, path, at)`,
          [CITY, rows.map((x) => x.number), rows.map((x) => x.category), rows.map((x) => x.text), rows.map((x) => x.lng), rows.map((x) => x.lat), rows.map((x) => x.grid), rows.map((x) => pathOf(x.grid)), rows.map((x) => x.at)],
        );
      }
      await b.db.exec('ANALYZE cases');
      const fillMs = performance.now() - t0;
      await createBenchUser(b.db, 'bench_leader', 'leader', CITY);
      const server = await startBenchApp(b.db);
      try {
        const headers = await signInHttp(server.url, 'bench_leader');
        const [district] = await b.db.query<{ code: string }>(`SELECT code FROM nodes WHERE level = 'district' ORDER BY code LIMIT 1`);
        const [street] = await b.db.query<{ code: string }>(`SELECT code FROM nodes WHERE level = 'street' ORDER BY code LIMIT 1`);
        const figures: Record<string, string | number> = { cases: fmt(total, 0), 'fill s': fmt(fillMs / 1000, 1), load: os.loadavg().map((x) => x.toFixed(1)).join(' ') };
        for (const [label, node] of [
          ['city', CITY],
          ['district', district!.code],
          ['street', street!.code],
        ] as const) {
          const ms: number[] = [];
          let body: { totals: { cases: number }; groups: unknown[]; hotSpots: unknown[] } | undefined;
          for (let k = 0; k < runs; k++) {
            const s = performance.now();
            const res = await fetch(`${server.url}/api/analysis/monthly?node=${node}&month=${MONTH}`, { headers });
            if (!res.ok) throw new Error(`analysis ${node}: ${res.status} ${await res.text()}`);
            body = (await res.json()) as typeof body;
            ms.push(performance.now() - s);
          }
          const sum = summarize(ms);
          figures[`${label} reports`] = body!.totals.cases;
          figures[`${label} groups/hot spots`] = `${body!.groups.length}/${body!.hotSpots.length}`;
          figures[`${label} p50 ms`] = fmt(sum.p50, 0);
          figures[`${label} max ms`] = fmt(sum.max, 0);
        }
        // The text grouping alone, on the month's largest category.
        const texts = await b.db.query<{ id: number; description: string }>(
          `SELECT id, description FROM cases WHERE category_code = (SELECT category_code FROM cases GROUP BY 1 ORDER BY count(*) DESC LIMIT 1)`,
        );
        const g0 = performance.now();
        const groups = groupSimilar(texts.map((x) => ({ id: x.id, text: x.description })));
        figures['groupSimilar reports'] = texts.length;
        figures['groupSimilar groups'] = groups.length;
        figures['groupSimilar ms'] = fmt(performance.now() - g0, 0);
        report('analysis', engine, figures);
      } finally {
        await server.close();
      }
    } finally {
      await b.close();
    }
  }
}
