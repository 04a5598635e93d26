import { beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { clientAs, buildSmallCity, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { makeIdNumber } from '../../../domain/id-number.js';
import { importLedger } from './registry.import.js';

const t = useTestApp();
let gwA1: Client;
let gwA2: Client;
let leader: Client;

const HEADER = '网格编码,地址,楼栋,单元,房号,姓名,性别,出生日期,身份证号,联系电话,与户主关系,户籍地,现居住地,标签,友邻服务队';
const ID = (n: number, birth = '1950-03-07') => makeIdNumber('441302', birth, n);

function upload(c: Client, body: Buffer | string, filename: string, query: string) {
  const boundary = '----wangge' + Math.random().toString(16).slice(2);
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.isBuffer(body) ? body : Buffer.from(body),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return c.request('POST', `/api/registry/import?${query}`, payload, { 'content-type': `multipart/form-data; boundary=${boundary}` });
}

async function count(table: string, where = 'TRUE', params: unknown[] = []): Promise<number> {
  const [r] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
  return r!.n;
}

beforeAll(async () => {
  await buildSmallCity(t.db);
  gwA1 = await clientAs(t, 'grid_worker', TREE.gridA1);
  gwA2 = await clientAs(t, 'grid_worker', TREE.gridA2);
  leader = await clientAs(t, 'leader', TREE.city);
});

const badCheck = (() => {
  const id = ID(5);
  return id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
})();

const LEDGER = [
  HEADER,
  `${TREE.gridA1},东平路1号 幸福小区,3栋,2单元,1201,张建国,男,1950-03-07,${ID(1)},13912345678,户主,广东惠州,东平路1号,独居老人、退役军人,是`,
  `${TREE.gridA1},东平路1号 幸福小区,3栋,2单元,1201,李秀英,女,,${ID(2, '1952-08-01')},,配偶,,,,否`,
  `${TREE.gridA1},东平路1号 幸福小区,3栋,2单元,1202,王小明,,,${badCheck},,户主,,,,`,
  `${TREE.gridA1},东平路1号 幸福小区,3栋,2单元,1202,王小红,,,,1234,子女,,,外星人,也许`,
  `${TREE.gridA2},西湖路8号,,,,陈大文,男,,${ID(3, '1980-01-01')},,户主,,,,`,
  `,东平路2号,,,,赵六,,,,,,,,,`,
].join('\n');

describe('ledger import', () => {
  it('401, 403 and 400 before any row is read', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/registry/import?kind=residents' })).statusCode).toBe(401);
    expect((await upload(leader, LEDGER, 'a.csv', 'kind=residents')).statusCode).toBe(403);
    expect((await upload(gwA1, LEDGER, 'a.csv', 'kind=people')).statusCode).toBe(400);
    expect((await gwA1.post('/api/registry/import?kind=residents', { file: 'x' })).statusCode).toBe(415);
    expect((await upload(gwA1, LEDGER, 'a.csv', `kind=residents&nodeCode=${TREE.gridA2}`)).statusCode).toBe(404);
  });

  it('reports every rejected row with row, column and reason; imports the others; the dry run keeps nothing', async () => {
    const dry = await upload(gwA1, LEDGER, '人口台账.csv', 'kind=residents&dryRun=true');
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ dryRun: true, rows: 6, inserted: 2, rejected: 4 });
    expect(await count('residents')).toBe(0);
    expect(await count('households')).toBe(0);

    const res = await upload(gwA1, LEDGER, '人口台账.csv', 'kind=residents');
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ kind: 'residents', dryRun: false, rows: 6, inserted: 2, updated: 0, rejected: 4, households: { inserted: 1, matched: 0 } });
    const messages = r.problems.map((p: { message: string }) => p.message);
    expect(messages).toEqual([
      '第4行 身份证号 校验位错误',
      '第5行 联系电话 手机号格式错误；第5行 标签 无法识别：外星人；第5行 友邻服务队 应为是或否',
      '第6行 网格编码 网格不存在或不在您的辖区',
      '第7行 网格编码 不能为空（或在导入时指定网格）',
    ]);
    expect(r.problems[0]).toMatchObject({ row: 4, column: '身份证号', reason: '校验位错误' });
    const rows = await t.db.query<Record<string, unknown>>(`SELECT name, gender, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, relation, tags, volunteer, id_number_enc, id_number_hash, phone_enc, node_code FROM residents ORDER BY id`);
    expect(rows.map((x) => [x.name, x.gender, x.birth_date, x.relation, x.tags, x.volunteer, x.node_code])).toEqual([
      ['张建国', 'male', '1950-03-07', 'head', ['elderly_alone', 'veteran'], true, TREE.gridA1],
      ['李秀英', 'female', '1952-08-01', 'spouse', [], false, TREE.gridA1],
    ]);
    expect(JSON.stringify(rows)).not.toContain(ID(1));
    expect(JSON.stringify(rows)).not.toContain('13912345678');
    expect(t.deps.pd.decrypt(String(rows[0]!.id_number_enc))).toBe(ID(1));
    const [h] = await t.db.query<{ address: string; building: string; room: string; node_code: string }>(`SELECT address, building, room, node_code FROM households`);
    expect(h).toEqual({ address: '东平路1号 幸福小区', building: '3栋', room: '1201', node_code: TREE.gridA1 });
    const audit = await t.db.query<{ detail: { rows: number; rejected: number } }>(`SELECT detail FROM audit_log WHERE action = 'ledger.import'`);
    expect(audit.map((a) => [a.detail.rows, a.detail.rejected])).toEqual([[6, 4]]);
  });

  it('re-import updates instead of duplicating (by ID-number hash, else by household and name), and records moves', async () => {
    const again = [
      HEADER,
      // Same person, new phone, moved to room 1202 (a new household): matched by the ID number.
      `${TREE.gridA1},东平路1号 幸福小区,3栋,2单元,1202,张建国,男,1950-03-07,${ID(1)},13800001111,户主,,,独居老人,是`,
      // Same person by ID, unchanged address.
      `${TREE.gridA1},东平路1号 幸福小区,3栋,2单元,1201,李秀英,女,,${ID(2, '1952-08-01')},,户主,,,,否`,
      `${TREE.gridA1},东平路1号 幸福小区,3栋,2单元,1201,孙悟空,男,,,,子女,,,,`,
    ].join('\n');
    const r = (await upload(gwA1, again, 'again.csv', 'kind=residents')).json();
    expect(r).toMatchObject({ rows: 3, inserted: 1, updated: 2, rejected: 0, households: { inserted: 1, matched: 1 } });
    expect(await count('residents')).toBe(3);
    const [zhang] = await t.db.query<{ id: number; phone_masked: string; household_room: string }>(
      `SELECT r.id, r.phone_masked, h.room AS household_room FROM residents r JOIN households h ON h.id = r.household_id WHERE r.name = '张建国'`,
    );
    expect(zhang).toMatchObject({ phone_masked: '138****1111', household_room: '1202' });
    expect(await count('resident_moves', 'resident_id = $1', [zhang!.id])).toBe(1);
    // A row without an ID number matches by household and name the second time.
    const third = (await upload(gwA1, [HEADER, `${TREE.gridA1},东平路1号 幸福小区,3栋,2单元,1201,孙悟空,男,,,,子女,,,留守儿童,`].join('\n'), 'b.csv', 'kind=residents')).json();
    expect(third).toMatchObject({ inserted: 0, updated: 1 });
    expect(await count('residents')).toBe(3);
    // The same person twice in one file is a rejected row, not a silent overwrite.
    const twice = (await upload(gwA1, [HEADER, `${TREE.gridA1},新路1号,,,,甲,,,${ID(7)},,,,,,`, `${TREE.gridA1},新路2号,,,,甲,,,${ID(7)},,,,,,`].join('\n'), 'c.csv', 'kind=residents')).json();
    expect(twice.problems.map((p: { message: string }) => p.message)).toEqual(['第3行 身份证号 与第2行重复']);
  });

  it('a person registered outside the importer\'s grid is rejected, not moved', async () => {
    const r = (await upload(gwA2, [HEADER, `${TREE.gridA2},西湖路8号,,,,张建国,,,${ID(1)},,,,,,`].join('\n'), 'x.csv', 'kind=residents')).json();
    expect(r).toMatchObject({ inserted: 0, updated: 0, rejected: 1 });
    expect(r.problems[0].column).toBe('身份证号');
    const [zhang] = await t.db.query<{ node_code: string }>(`SELECT node_code FROM residents WHERE name = '张建国'`);
    expect(zhang!.node_code).toBe(TREE.gridA1);
  });

  it('a file-level error leaves nothing behind, even after thousands of rows were written', async () => {
    const before = await count('residents');
    expect((await upload(gwA1, '姓名,性别\n张三,男\n', 'h.csv', 'kind=residents')).json()).toMatchObject({ statusCode: 400, fields: [{ field: 'file' }] });
    expect((await upload(gwA1, '', 'e.csv', 'kind=residents')).statusCode).toBe(400);
    expect((await upload(gwA1, HEADER + '\n', 'e.csv', 'kind=residents')).statusCode).toBe(400);
    expect((await upload(gwA1, Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 0, 0, 0]), 'broken.xlsx', 'kind=residents')).statusCode).toBe(415);
    const lines = [HEADER];
    for (let i = 0; i < 2500; i++) lines.push(`${TREE.gridA1},批量路${i}号,,,,居民${i},,,${ID(i % 1000, `19${60 + Math.floor(i / 1000)}-01-01`)},,户主,,,,`);
    lines.push(`${TREE.gridA1},"未闭合的引号,,,,坏行,,,,,,,,,`);
    // Go through the service with small batches so that rows are written before the error.
    const input = Readable.from([Buffer.from(lines.join('\n'))]);
    const actor = { userId: '00000000-0000-0000-0000-000000000000', name: 'test', grants: [{ role: 'grid_worker' as const, nodeCode: TREE.gridA1, nodePath: `44.4413.441302.441302001.441302001001.${TREE.gridA1}` }] };
    let progressed = 0;
    await expect(importLedger(t.db, t.deps.pd, actor, { kind: 'residents', input, filename: 'big.csv', batchSize: 500, onProgress: (n) => (progressed = n) })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(progressed).toBeGreaterThanOrEqual(2000);
    expect(await count('residents')).toBe(before);
    expect(await count('households', `address LIKE '批量路%'`)).toBe(0);
  });

  it('imports places and things, re-import updates them', async () => {
    const places = ['网格编码,类型,名称,地址,专属网格编码,联系人,联系电话,经度,纬度', `${TREE.gridA1},商铺,好又多超市,东平路3号,,李老板,13700001234,114.15,22.95`, `${TREE.gridA1},城堡,x,,,,,,`].join('\n');
    const p = (await upload(gwA1, places, 'p.csv', 'kind=places')).json();
    expect(p).toMatchObject({ inserted: 1, rejected: 1, problems: [{ message: '第3行 类型 无法识别：城堡' }] });
    expect((await upload(gwA1, places, 'p.csv', 'kind=places')).json()).toMatchObject({ inserted: 0, updated: 1 });
    const [place] = await t.db.query<Record<string, unknown>>(`SELECT * FROM places`);
    expect(JSON.stringify(place)).not.toContain('13700001234');
    const things = ['网格编码,类型,名称,编号,事件分类,状态,经度,纬度', `${TREE.gridA1},路灯,东平路路灯1号,LD-1,,故障,114.15,22.95`, `${TREE.gridA1},井盖,井盖,JG-1,no.such,,,`].join('\n');
    const th = (await upload(gwA1, things, 't.csv', 'kind=things')).json();
    expect(th).toMatchObject({ inserted: 1, rejected: 1, problems: [{ row: 3, column: '事件分类' }] });
    const [thing] = await t.db.query<{ kind: string; state: string; category_code: string }>(`SELECT kind, state, category_code FROM things`);
    expect(thing).toEqual({ kind: 'street_light', state: 'faulty', category_code: 'facility.street_light' });
  });
});

describe('ledger export', () => {
  it('exports masked, with the import headers; a masked export imports again without changes', async () => {
    const res = await gwA1.get('/api/registry/export/residents?format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const text = res.body.replace(/^\uFEFF/, '');
    const [head, ...rows] = text.trim().split('\r\n');
    expect(head).toBe(HEADER + ',经度,纬度');
    expect(text).not.toContain(ID(1));
    expect(text).toContain(`${ID(1).slice(0, 3)}***********${ID(1).slice(-4)}`);
    expect(rows.some((r) => r.includes('张建国') && r.includes('138****1111') && r.includes('独居老人'))).toBe(true);
    // Nothing of grid A2 in grid A1's export.
    expect(text).not.toContain('西湖路8号');
    const before = await t.db.query(`SELECT id, id_number_hash, phone_hash, household_id FROM residents ORDER BY id`);
    const r = (await upload(gwA1, Buffer.from(res.body), 'export.csv', 'kind=residents')).json();
    expect(r).toMatchObject({ inserted: 0, rejected: 0 });
    expect(await t.db.query(`SELECT id, id_number_hash, phone_hash, household_id FROM residents ORDER BY id`)).toEqual(before);
  });

  it('xlsx export reads back; reveal needs the permission and a reason, and is logged', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/registry/export/residents', cookies: {}, headers: {} });
    expect(res.statusCode).toBe(401);
    expect((await leader.get('/api/registry/export/residents?reveal=true&reason=核查')).statusCode).toBe(403);
    expect((await gwA1.get('/api/registry/export/residents?reveal=true')).statusCode).toBe(400);
    const full = await gwA1.request('GET', '/api/registry/export/residents?reveal=true&reason=%E6%A0%B8%E6%9F%A5%E4%BD%8F%E6%88%B7');
    expect(full.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(full.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(9).value).toBe('身份证号');
    const ids = [] as string[];
    ws.eachRow((row, n) => n > 1 && ids.push(String(row.getCell(9).value ?? '')));
    expect(ids).toContain(ID(1));
    const audit = await t.db.query<{ detail: { reason: string; export: string } }>(`SELECT detail FROM audit_log WHERE action = 'resident.reveal' AND resource = 'registry'`);
    expect(audit.map((a) => a.detail)).toEqual([{ reason: '核查住户', export: 'residents', node: null }]);
    const masked = await leader.get('/api/registry/export/places?format=csv');
    expect(masked.body).toContain('137****1234');
  });
});
