/**
 * Registry benchmark: import a generated residents ledger (CSV, Chinese
 * headers, one row per resident, 2.5 residents per household) through the
 * real streaming import — validation, AES-GCM encryption and keyed hashes of
 * ID numbers and phones, batched upserts — and report rows/s and peak RSS;
 * then the exact lookup of a resident by ID number (keyed hash) p50/p95.
 *
 *   npm run bench -- registry --engine both [--rows 1000000] [--pglite-rows 100000] [--batch 1000]
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { loadDataKeys, PersonalData } from '../src/server/lib/personal-data.js';
import { importLedger } from '../src/server/modules/registry/registry.import.js';
import { makeIdNumber } from '../src/domain/id-number.js';
import { pathOf } from '../src/domain/tree.js';
import type { Actor } from '../src/domain/permissions.js';
import type { Db } from '../src/server/db/db.js';
import { enginesFromArgs, fmt, openBenchDb, percentile } from './util.js';

const ADMIN: Actor = { userId: '', name: 'bench', grants: [{ role: 'administrator', nodeCode: null, nodePath: '' }] };
const GRIDS = 400;
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = ['伟', '芳', '秀英', '建国', '丽', '强', '敏', '静', '军', '婷'];

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

/** The n-th resident's ID number: unique for n < 30,000 days (1930–2012) × 500 sequences. */
function idOf(n: number): string {
  const day = n % 30_000;
  const birth = new Date(Date.UTC(1930, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
  return makeIdNumber('441302', birth, Math.floor(n / 30_000) * 2 + (n % 2));
}

const gridCode = (g: number) => `441302001${String(1 + Math.floor(g / 100)).padStart(3, '0')}${String(1 + (g % 100)).padStart(3, '0')}`;

async function buildTree(db: Db): Promise<void> {
  const codes = ['44', '4413', '441302', '441302001'];
  for (let c = 1; c <= Math.ceil(GRIDS / 100); c++) codes.push(`441302001${String(c).padStart(3, '0')}`);
  for (let g = 0; g < GRIDS; g++) codes.push(gridCode(g));
  const levels: Record<number, string> = { 2: 'province', 4: 'city', 6: 'district', 9: 'street', 12: 'community', 15: 'grid' };
  await db.query(
    `INSERT INTO nodes (city_code, code, parent_code, name, level, kind, path, depth)
     SELECT '4413', x.code, x.parent, x.code, x.level, CASE WHEN x.level = 'grid' THEN 'comprehensive' ELSE 'admin' END, x.path::ltree, x.depth
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) AS x(code, parent, level, path, depth)`,
    [
      codes, codes.map((c) => (c.length === 2 ? null : c.slice(0, { 4: 2, 6: 4, 9: 6, 12: 9, 15: 12 }[c.length]))), codes.map((c) => levels[c.length]),
      codes.map((c) => pathOf(c)), codes.map((c) => ({ 2: 1, 4: 2, 6: 3, 9: 4, 12: 5, 15: 6 })[c.length]),
    ],
  );
}

/** Writes the ledger: `rows` residents in rows/2.5 households spread over the grids. */
async function writeCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('网格编码,地址,楼栋,单元,房号,姓名,性别,出生日期,身份证号,联系电话,与户主关系,户籍地,现居住地,标签,友邻服务队\n');
  const rel = ['户主', '配偶', '子女', '子女', '父母'];
  let r = 0;
  for (let h = 0; r < rows; h++) {
    const size = h % 2 === 0 ? 2 : 3; // 2.5 on average
    const grid = gridCode(h % GRIDS);
    const building = `${1 + (Math.floor(h / GRIDS) % 40)}栋`;
    const room = `${1 + Math.floor(h / (GRIDS * 40))}0${1 + (h % 4)}`;
    let chunk = '';
    for (let m = 0; m < size && r < rows; m++, r++) {
      const name = SURNAMES[r % SURNAMES.length]! + GIVEN[(r * 7) % GIVEN.length]!;
      const phone = m === 0 ? `139${String(r).padStart(8, '0')}` : '';
      const tags = r % 23 === 0 ? '独居老人' : r % 37 === 0 ? '低保户、残疾人' : '';
      chunk += `${grid},惠城区演达大道${1 + (h % 997)}号,${building},${1 + (h % 3)}单元,${room},${name},,,${idOf(r)},${phone},${rel[m]},广东省惠州市,,${tags},${r % 10 === 0 ? '是' : ''}\n`;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export default async function run(args: string[]): Promise<void> {
  const pgRows = arg(args, '--rows', 1_000_000);
  const pgliteRows = arg(args, '--pglite-rows', 100_000);
  const batchSize = arg(args, '--batch', 1000);
  const pd = new PersonalData(loadDataKeys(undefined));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wangge-registry-bench-'));
  try {
    for (const engine of enginesFromArgs(args)) {
      const rows = engine === 'postgres' ? pgRows : pgliteRows;
      const file = path.join(dir, `residents-${rows}.csv`);
      const tw = performance.now();
      await writeCsv(file, rows);
      console.log(`${engine}: generated ${fmt(rows, 0)} residents in ${fmt(rows / 2.5, 0)} households (${((performance.now() - tw) / 1000).toFixed(1)} s)`);
      const b = await openBenchDb(engine);
      try {
        await buildTree(b.db);
        global.gc?.();
        const rss0 = process.memoryUsage().rss;
        let peak = rss0;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
        const t0 = performance.now();
        const r = await importLedger(b.db, pd, ADMIN, { kind: 'residents', input: createReadStream(file, { highWaterMark: 1 << 20 }), filename: 'bench.csv', batchSize });
        const ms = performance.now() - t0;
        clearInterval(sampler);
        peak = Math.max(peak, process.memoryUsage().rss);
        console.log(
          `${engine}: import ${fmt(r.rows, 0)} rows → ${fmt(r.inserted, 0)} residents, ${fmt(r.households!.inserted, 0)} households, ${r.rejected} rejected in ${(ms / 1000).toFixed(1)} s = ` +
            `${fmt(r.rows / (ms / 1000), 0)} rows/s; RSS ${fmt(rss0 / 2 ** 20, 0)} MB before, peak ${fmt(peak / 2 ** 20, 0)} MB (+${fmt((peak - rss0) / 2 ** 20, 0)} MB)`,
        );
        await b.db.query('ANALYZE residents');
        await b.db.query('ANALYZE households');
        // Exact lookups by ID number: hash in the app, one indexed query.
        const times: number[] = [];
        for (let i = 0; i < 2000; i++) {
          const n = Math.floor(((i * 7919) % 1000) / 1000 * rows + (i % 997)) % rows;
          const t = performance.now();
          const found = await b.db.query(`SELECT id, name, id_number_masked FROM residents WHERE city_code = $1 AND id_number_hash = $2`, ['4413', pd.hash(idOf(n))]);
          times.push(performance.now() - t);
          if (found.length !== 1) throw new Error(`lookup of resident ${n} found ${found.length}`);
        }
        times.sort((a, c) => a - c);
        console.log(`${engine}: lookup by ID number (keyed hash) over ${fmt(rows, 0)} residents: p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms (2,000 lookups)`);
        // Re-import of the first tenth: updates, not duplicates.
        if (args.includes('--reimport')) {
          const t1 = performance.now();
          const again = await importLedger(b.db, pd, ADMIN, { kind: 'residents', input: createReadStream(file), filename: 'bench.csv', batchSize });
          console.log(`${engine}: re-import ${fmt(again.rows, 0)} rows → ${fmt(again.updated, 0)} updated, ${again.inserted} inserted in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
        }
      } finally {
        await b.close();
        rmSync(file, { force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
