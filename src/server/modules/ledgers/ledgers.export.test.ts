import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { CASE_COLUMNS, EXPORT_BATCH } from './ledgers.export.js';

const t = useTestApp();
let dispatcher: Client;
let officerA: Client;
let officerB: Client;

const IN_GRID_A1 = { lng: 114.15, lat: 22.95 };
const IN_DISTRICT_B = { lng: 114.8, lat: 23.0 };
const PHONE_A = '13812345678';
const PHONE_B = '13987654321';
const BULK = EXPORT_BATCH + 150;

async function readXlsx(body: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const rows: ExcelJS.CellValue[][] = [];
  ws.eachRow((r) => rows.push((r.values as ExcelJS.CellValue[]).slice(1)));
  return { name: ws.name, header: rows[0] as string[], rows: rows.slice(1) };
}
const col = (name: string) => CASE_COLUMNS.findIndex((c) => c.header === name);

beforeAll(async () => {
  await buildSmallCity(t.db);
  dispatcher = await clientAs(t, 'dispatcher', TREE.city);
  officerA = await clientAs(t, 'street_officer', TREE.streetA);
  officerB = await clientAs(t, 'street_officer', TREE.streetB);
  const a = await dispatcher.post('/api/cases', {
    channel: 'hotline', categoryCode: 'city_env.noise', description: '=HYPERLINK("x") 夜里广场舞噪音, "很吵"', location: IN_GRID_A1,
    address: '东一社区3栋', reporter: { name: '王女士', phone: PHONE_A }, urgent: true,
  });
  expect(a.statusCode, a.body).toBe(201);
  const b = await dispatcher.post('/api/cases', { channel: 'station', categoryCode: 'dispute.neighbour', description: `淡水邻里纠纷，请回电 ${PHONE_B} 或 0752-2345678`, location: IN_DISTRICT_B, reporter: { phone: PHONE_B } });
  expect(b.statusCode, b.body).toBe(201);
  // Enough closed cases in grid A1 to span more than one keyset batch.
  await t.db.query(
    `INSERT INTO cases (city_code, number, status, channel, category_code, category_path, description, node_code, node_path, reopen_count, created_at, resolved_at, closed_at, rating)
     SELECT '4413', 'B' || lpad(g::text, 8, '0'), 'closed', 'import', 'city_env.noise', 'city_env.noise'::ltree, '批量 ' || g, $1, $2::ltree, g % 3,
            now() - g * interval '1 minute', now() - g * interval '30 seconds', now(), 'satisfied'
       FROM generate_series(1, $3::int) g`,
    [TREE.gridA1, `44.4413.441302.441302001.441302001001.${TREE.gridA1}`, BULK],
  );
}, 120_000);

describe('GET /api/ledgers/cases.xlsx and .csv', () => {
  it('401 signed out, 403 without case.export, 404 for a node outside the subtree, 400 naming a bad filter', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/ledgers/cases.xlsx' })).statusCode).toBe(401);
    const worker = await clientAs(t, 'grid_worker', TREE.gridA1);
    expect((await worker.get('/api/ledgers/cases.xlsx')).statusCode).toBe(403);
    const resident = await clientAs(t, 'resident', TREE.communityA1);
    expect((await resident.get('/api/ledgers/cases.csv')).statusCode).toBe(403);
    expect((await officerA.get(`/api/ledgers/cases.xlsx?node=${TREE.communityB1}`)).statusCode).toBe(404);
    for (const [qs, field] of [['clock=blue', 'clock'], ['node=abc', 'node'], ['surprise=1', 'surprise'], ['category=no.such', 'category']] as const) {
      const res = await officerA.get(`/api/ledgers/cases.xlsx?${qs}`);
      expect(res.statusCode, qs).toBe(400);
      expect(JSON.stringify(res.json().fields ?? res.json()), qs).toContain(field);
    }
  });

  it('xlsx: Chinese headers, every case of the subtree across batches, dates as dates, numbers as numbers, masked phones', async () => {
    const res = await officerA.get('/api/ledgers/cases.xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toContain("filename*=UTF-8''%E4%BA%8B%E4%BB%B6%E5%8F%B0%E8%B4%A6");
    const x = await readXlsx(res.rawPayload);
    expect(x.name).toBe('事件台账');
    expect(x.header).toEqual(CASE_COLUMNS.map((c) => c.header));
    const [{ n }] = (await t.db.query<{ n: number }>(`SELECT count(*) AS n FROM cases WHERE node_path <@ $1::ltree`, [`44.4413.441302.441302001`])) as [{ n: number }];
    expect(n).toBe(BULK + 1);
    expect(x.rows).toHaveLength(n);
    // Newest first, no duplicates across batch boundaries.
    expect(new Set(x.rows.map((r) => r[col('事件编号')])).size).toBe(n);
    const hot = x.rows.find((r) => r[col('来源渠道')] === '热线')!;
    expect(hot[col('状态')]).toBe('待受理');
    expect(hot[col('类别')]).toBe('噪声扰民');
    expect(hot[col('紧急')]).toBe('是');
    expect(hot[col('所属网格/区域')]).toBe('东一社区第一网格');
    expect(hot[col('联系电话')]).toBe('138****5678');
    expect(hot[col('经度')]).toBeCloseTo(114.15, 6);
    expect(typeof hot[col('重办次数')]).toBe('number');
    const [db] = await t.db.query<{ created_at: Date }>(`SELECT created_at FROM cases WHERE channel = 'hotline'`);
    const reported = hot[col('上报时间')];
    expect(reported).toBeInstanceOf(Date);
    // Shown in Beijing time: the cell's wall clock is UTC+8.
    expect(Math.abs((reported as Date).getTime() - db!.created_at.getTime() - 8 * 3_600_000)).toBeLessThan(1000);
    const bulk = x.rows.find((r) => r[col('事件编号')] === 'B00000002')!;
    expect(bulk[col('评价')]).toBe('满意');
    expect(bulk[col('重办次数')]).toBe(2);
    expect(bulk[col('办结时间')]).toBeInstanceOf(Date);
    // Another district's case is not in the file, and no plaintext phone anywhere.
    expect(x.rows.some((r) => String(r[col('问题描述')]).startsWith('淡水邻里纠纷'))).toBe(false);
    expect(JSON.stringify(x.rows)).not.toContain(PHONE_A);
  });

  it('the same filters as the queue select the same cases', async () => {
    const queue = await officerA.get('/api/cases?status=reported&urgent=true&pageSize=100');
    const res = await officerA.get('/api/ledgers/cases.xlsx?status=reported&urgent=true&sort=due&page=1&pageSize=20');
    expect(res.statusCode).toBe(200);
    const x = await readXlsx(res.rawPayload);
    expect(x.rows.map((r) => r[col('事件编号')])).toEqual(queue.json().items.map((i: { number: string }) => i.number));
    expect(x.rows).toHaveLength(1);
    const none = await readXlsx((await officerA.get('/api/ledgers/cases.xlsx?channel=partner')).rawPayload);
    expect(none.header).toHaveLength(CASE_COLUMNS.length);
    expect(none.rows).toHaveLength(0);
  });

  it('csv: UTF-8 with BOM, quoted fields, formula-looking text neutralised, masked phones, scope', async () => {
    const res = await officerB.get('/api/ledgers/cases.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const body = res.rawPayload.toString('utf8');
    expect(body.startsWith('\uFEFF事件编号,状态,类别')).toBe(true);
    const lines = body.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('淡水邻里纠纷，请回电 139****4321 或 0752-****5678');
    expect(lines[1]).toContain('139****4321');
    expect(body).not.toContain(PHONE_B);

    const all = await dispatcher.get('/api/ledgers/cases.csv?channel=hotline');
    const text = all.rawPayload.toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""x"") 夜里广场舞噪音, ""很吵"""`);
    expect(text).toMatch(/,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},/);
    expect(text.slice(1).trimEnd().split('\r\n')).toHaveLength(2);
  });

  it('csv streams every row of a large subtree', async () => {
    const res = await dispatcher.get(`/api/ledgers/cases.csv?node=${TREE.gridA1}`);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.toString('utf8').slice(1).trimEnd().split('\r\n')).toHaveLength(BULK + 2);
  });
});

describe('streaming', () => {
  it('stops reading when the client goes away (no hang, no further batches)', async () => {
    const { PassThrough } = await import('node:stream');
    const { prepareCaseExport, writeCasesXlsx, writeCasesCsv } = await import('./ledgers.export.js');
    const ctx = { db: t.db, actor: { userId: '', name: 'test', grants: [{ role: 'administrator' as const, nodeCode: null, nodePath: '' }] }, config: t.config, pd: t.deps.pd, log: console } as never;
    for (const write of [writeCasesXlsx, writeCasesCsv]) {
      let batches = 0;
      const reader = await prepareCaseExport(ctx, {});
      // Batches of 100: the whole export would take 22 of them.
      const counting = { next: async () => { batches++; return reader.next(100); } };
      const out = new PassThrough();
      out.once('data', () => out.destroy());
      const rows = await write(counting as typeof reader, out);
      expect(rows).toBeLessThan(BULK + 2);
      expect(batches).toBeLessThan(5);
    }
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await t.app.inject('/docs/json')).json();
    for (const p of ['/api/ledgers/cases.xlsx', '/api/ledgers/cases.csv', '/api/ledgers/cases/import', '/api/ledgers/cases/import-template.xlsx', '/api/ledgers/measures.xlsx', '/api/ledgers/monthly-report']) {
      expect(Object.keys(doc.paths), p).toContain(p);
    }
  });
});
