import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { IMPORT_COLUMNS, IMPORT_MAX_ROWS, parseReportedAt, readSheet } from './ledgers.import.js';

const t = useTestApp();
let dispatcherA: Client;
let dispatcherCity: Client;

const HEADERS = ['序号', '类别*', '问题描述', '地址', '经度', '纬度', '网格编码', '上报人', '联系电话', '上报时间', '紧急'];

async function xlsxOf(rows: unknown[][], header = HEADERS): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('事件导入');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function upload(c: Client, file: Buffer, name: string, query = '', field = 'file') {
  const boundary = '----wangge' + Math.random().toString(16).slice(2);
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return c.request('POST', `/api/ledgers/cases/import${query}`, payload, { 'content-type': `multipart/form-data; boundary=${boundary}` });
}

const countImported = async () => Number((await t.db.query<{ n: number }>(`SELECT count(*) AS n FROM cases WHERE channel = 'import'`))[0]!.n);

/** Rows 2–8 of the sheet: three good, four bad in different ways. */
const MIXED = [
  [1, 'city_env.noise', '广场舞音响太大', '东一社区3栋', 114.15, 22.95, null, '李先生', 13812345678, new Date(Date.UTC(2026, 9, 1, 9, 30)), '是'],
  [2, '噪声扰民', '装修噪音', null, null, null, TREE.gridA1, null, '139-8765-4321', '2026-10-02 08:00', null],
  [3, '不存在的类别', '描述', '东一社区', null, null, null, null, null, null, null],
  [4, 'city_env.noise', '电话写错', '东一社区', null, null, null, null, '12345', null, null],
  [5, 'city_env.noise', '没有位置', null, null, null, null, null, null, null, null],
  [6, 'city_env.noise', '在另一个区', null, 114.8, 23.0, null, null, null, null, null],
  [7, 'city_env.noise', '时间错', '东二社区', null, null, null, null, null, '2026-02-30', '也许'],
  [8, 'dispute.neighbour', '邻里纠纷', '桥东街道东二社区5号', null, null, null, null, null, 46000.5, '否'],
];

beforeAll(async () => {
  await buildSmallCity(t.db);
  dispatcherA = await clientAs(t, 'dispatcher', TREE.districtA);
  dispatcherCity = await clientAs(t, 'dispatcher', TREE.city);
});

describe('POST /api/ledgers/cases/import', () => {
  it('401 signed out, 403 without case.dispatch, 415 not multipart', async () => {
    const file = await xlsxOf([MIXED[0]!]);
    expect((await t.app.inject({ method: 'POST', url: '/api/ledgers/cases/import', payload: file })).statusCode).toBe(401);
    expect((await upload(await clientAs(t, 'street_officer', TREE.streetA), file, 'a.xlsx')).statusCode).toBe(403);
    expect((await upload(await clientAs(t, 'resident', TREE.communityA1), file, 'a.xlsx')).statusCode).toBe(403);
    const res = await dispatcherA.post('/api/ledgers/cases/import', { rows: [] });
    expect(res.statusCode).toBe(415);
    expect(res.json().fields[0].field).toBe('file');
    expect((await upload(dispatcherA, file, 'a.xlsx', '?dryRun=maybe')).statusCode).toBe(400);
    expect(await countImported()).toBe(0);
  });

  it('file-level errors import nothing: not a spreadsheet, wrong headers, no rows, too many rows, wrong field', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(64), Buffer.from('binary')]);
    const notSheet = await upload(dispatcherA, pdf, 'a.pdf');
    expect(notSheet.statusCode).toBe(415);
    expect(notSheet.json().fields[0].field).toBe('file');
    const brokenZip = await upload(dispatcherA, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 1)]), 'a.xlsx');
    expect(brokenZip.statusCode).toBe(415);

    const wrong = await upload(dispatcherA, await xlsxOf([MIXED[0]!], ['类型', '问题描述', '地址']), 'a.xlsx');
    expect(wrong.statusCode).toBe(400);
    const fields = wrong.json().fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['类型', '类别']));
    expect(wrong.json().message).toContain('表头不正确');

    const empty = await upload(dispatcherA, await xlsxOf([]), 'a.xlsx');
    expect(empty.statusCode).toBe(400);

    const many = '类别,问题描述,地址\r\n' + Array.from({ length: IMPORT_MAX_ROWS + 1 }, (_, i) => `city_env.noise,第${i}条,东一社区`).join('\r\n');
    const tooMany = await upload(dispatcherA, Buffer.from(many), 'a.csv');
    expect(tooMany.statusCode).toBe(413);

    expect((await upload(dispatcherA, await xlsxOf([MIXED[0]!]), 'a.xlsx', '', 'photos')).statusCode).toBe(400);
    expect(await countImported()).toBe(0);
  });

  it('dry run: every row checked and reported by row and column, nothing written', async () => {
    const res = await upload(dispatcherA, await xlsxOf(MIXED), '台账.xlsx', '?dryRun=true');
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ dryRun: true, total: 8, accepted: 3, rejected: 5, created: 0, existing: 0 });
    const messages = r.problems.map((p: { message: string }) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        '第4行 类别 不存在',
        '第5行 联系电话 格式不正确（应为 11 位手机号）',
        '第6行 经度/地址 无法定位：请填写经纬度、地址或网格编码',
        '第7行 经度 不在您的管辖范围内',
        '第8行 上报时间 时间格式不正确（如 2026-11-01 09:30）',
        '第8行 紧急 应为“是”或“否”',
      ]),
    );
    expect(r.problems.find((p: { row: number }) => p.row === 4)).toMatchObject({ row: 4, column: '类别', reason: '不存在' });
    expect(await countImported()).toBe(0);
  });

  it('imports the good rows through the intake, reports the rest; a re-upload creates nothing twice', async () => {
    const file = await xlsxOf(MIXED);
    const res = await upload(dispatcherA, file, '台账.xlsx');
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ dryRun: false, total: 8, accepted: 3, created: 3, existing: 0, rejected: 5 });
    expect(r.cases.map((c: { row: number }) => c.row)).toEqual([2, 3, 9]);
    const rows = await t.db.query<{
      id: number; status: string; channel: string; category_code: string; node_code: string; placed_by: string; reporter_name: string | null;
      reporter_phone_masked: string | null; reporter_phone_enc: string | null; urgent: boolean; idempotency_key: string; attributes: { reportedAt?: string };
    }>(`SELECT * FROM cases WHERE channel = 'import' ORDER BY id`);
    expect(rows).toHaveLength(3);
    expect(rows.map((c) => c.id)).toEqual(r.cases.map((c: { id: number }) => c.id));
    const [first, second, third] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    expect(first).toMatchObject({ status: 'reported', category_code: 'city_env.noise', node_code: TREE.gridA1, placed_by: 'location', reporter_name: '李先生', reporter_phone_masked: '138****5678', urgent: true });
    expect(first.reporter_phone_enc).not.toContain('13812345678');
    // The date cell reads 2026-10-01 09:30 on the sheet: Beijing time.
    expect(first.attributes.reportedAt).toBe('2026-10-01T01:30:00.000Z');
    expect(first.idempotency_key).toBe(`import:${r.fileHash.slice(0, 40)}:2`);
    expect(second).toMatchObject({ category_code: 'city_env.noise', node_code: TREE.gridA1, placed_by: 'given', reporter_phone_masked: '139****4321', urgent: false });
    expect(second.attributes.reportedAt).toBe('2026-10-02T00:00:00.000Z');
    expect(third).toMatchObject({ category_code: 'dispute.neighbour', node_code: TREE.communityA2, placed_by: 'address' });
    // A timeline entry per case, from the intake.
    const [{ n }] = (await t.db.query<{ n: number }>(`SELECT count(*) AS n FROM case_events WHERE case_id = ANY($1::bigint[]) AND action = 'report'`, [rows.map((c) => c.id)])) as [{ n: number }];
    expect(Number(n)).toBe(3);
    const audit = await t.db.query<{ detail: { created: number; fileHash: string } }>(`SELECT detail FROM audit_log WHERE action = 'ledger.import_cases'`);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ created: 3, fileHash: r.fileHash });

    const again = await upload(dispatcherA, file, '台账-副本.xlsx');
    expect(again.json()).toMatchObject({ created: 0, existing: 3, rejected: 5 });
    expect(again.json().cases.map((c: { id: number }) => c.id)).toEqual(r.cases.map((c: { id: number }) => c.id));
    expect(await countImported()).toBe(3);
  });

  it('CSV in UTF-8 or GB18030 (Excel on Chinese Windows), header aliases, the city dispatcher places anywhere', async () => {
    const csv = '类别编码,描述,经度,纬度,手机号\r\ncity_env.noise,"淡水, 夜间噪音",114.8,23.0,13700001111\r\n';
    const utf8 = await upload(dispatcherCity, Buffer.from('\uFEFF' + csv), 'a.csv');
    expect(utf8.statusCode, utf8.body).toBe(200);
    expect(utf8.json()).toMatchObject({ created: 1, rejected: 0 });
    const gbCsv = csv.replace('淡水, 夜间噪音', '淡水, 清晨噪音');
    // Node has no GB18030 encoder; build the bytes from a known table for the characters used.
    const table: Record<string, number[]> = {
      类: [0xc0, 0xe0], 别: [0xb1, 0xf0], 编: [0xb1, 0xe0], 码: [0xc2, 0xeb], 描: [0xc3, 0xe8], 述: [0xca, 0xf6], 经: [0xbe, 0xad], 度: [0xb6, 0xc8],
      纬: [0xce, 0xb3], 手: [0xca, 0xd6], 机: [0xbb, 0xfa], 号: [0xba, 0xc5], 淡: [0xb5, 0xad], 水: [0xcb, 0xae], 清: [0xc7, 0xe5], 晨: [0xb3, 0xbf],
      噪: [0xd4, 0xeb], 音: [0xd2, 0xf4],
    };
    const bytes: number[] = [];
    for (const ch of gbCsv) bytes.push(...(table[ch] ?? [...Buffer.from(ch, 'utf8')]));
    expect(new TextDecoder('gb18030').decode(Buffer.from(bytes))).toBe(gbCsv);
    const res = await upload(dispatcherCity, Buffer.from(bytes), 'gbk.csv');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ created: 1, rejected: 0 });
    const [c] = await t.db.query<{ description: string; node_code: string }>(`SELECT description, node_code FROM cases WHERE id = $1`, [res.json().cases[0].id]);
    expect(c).toMatchObject({ description: '淡水, 清晨噪音', node_code: TREE.communityB1 });
  });

  it('template: the import columns, instructions and categories', async () => {
    expect((await (await clientAs(t, 'leader', TREE.city)).get('/api/ledgers/cases/import-template.xlsx')).statusCode).toBe(403);
    const res = await dispatcherA.get('/api/ledgers/cases/import-template.xlsx');
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['事件导入', '填写说明', '类别']);
    const header = (wb.worksheets[0]!.getRow(1).values as string[]).slice(1);
    expect(header).toEqual(IMPORT_COLUMNS.map((c) => (c.required ? `${c.header}*` : c.header)));
    const cats = wb.getWorksheet('类别')!;
    expect(cats.rowCount).toBeGreaterThan(20);
    // The template itself, filled in, imports.
    wb.worksheets[0]!.addRow(['city_env.noise', '模板填写', '东一社区']);
    const filled = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await upload(dispatcherA, filled, '模板.xlsx', '?dryRun=true');
    expect(r.json()).toMatchObject({ accepted: 1, rejected: 0 });
  });
});

describe('parseReportedAt', () => {
  it('reads Beijing wall-clock times in the forms people type', () => {
    expect(parseReportedAt('2026-11-01 09:30')).toEqual(new Date('2026-11-01T01:30:00Z'));
    expect(parseReportedAt('2026/11/1')).toEqual(new Date('2026-10-31T16:00:00Z'));
    expect(parseReportedAt('2026年11月1日 9:05:07')).toEqual(new Date('2026-11-01T01:05:07Z'));
    expect(parseReportedAt('2026-02-30')).toBe('invalid');
    expect(parseReportedAt('昨天')).toBe('invalid');
    expect(parseReportedAt(null)).toBeNull();
    expect(parseReportedAt(46000.5)).toEqual(new Date('2025-12-09T04:00:00Z'));
  });
});

describe('readSheet', () => {
  it('takes the row limit it is given (the CLI allows more than an upload), blank rows not counted', async () => {
    const csv = Buffer.from('类别,问题描述\r\na,1\r\n,\r\nb,2\r\nc,3\r\n');
    await expect(readSheet(csv, 2)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const ok = await readSheet(csv, 3);
    expect(ok.header).toEqual(['类别', '问题描述']);
    expect(ok.rows.map((r) => r.row)).toEqual([2, 4, 5]);
  });
});
