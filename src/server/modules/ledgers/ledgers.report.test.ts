import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { dayOf } from '../../../domain/measures.js';

const t = useTestApp();
let dispatcher: Client;
let officerA: Client;
const today = dayOf(new Date());
const month = today.slice(0, 7);
const from = `${month}-01`;

beforeAll(async () => {
  await buildSmallCity(t.db);
  dispatcher = await clientAs(t, 'dispatcher', TREE.city);
  officerA = await clientAs(t, 'street_officer', TREE.streetA);
  const mk = async (body: Record<string, unknown>) => {
    const r = await dispatcher.post('/api/cases', { channel: 'hotline', categoryCode: 'city_env.noise', description: '噪音', ...body });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: number };
  };
  const a = await mk({ location: { lng: 114.15, lat: 22.95 } });
  await mk({ location: { lng: 114.25, lat: 23.0 }, channel: 'station', categoryCode: 'dispute.neighbour' });
  await mk({ location: { lng: 114.8, lat: 23.0 } });
  expect((await dispatcher.post(`/api/cases/${a.id}/accept`, {})).statusCode).toBe(200);
});

async function sheetOf(body: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const rows: ExcelJS.CellValue[][] = [];
  ws.eachRow((r) => rows.push((r.values as ExcelJS.CellValue[]).slice(1)));
  return rows;
}

describe('GET /api/ledgers/measures.xlsx and .csv', () => {
  it('401, 403 without measure.read, 404 out of scope, 400 bad period', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/ledgers/measures.xlsx?from=${from}&to=${today}` })).statusCode).toBe(401);
    expect((await (await clientAs(t, 'resident', TREE.communityA1)).get(`/api/ledgers/measures.xlsx?from=${from}&to=${today}`)).statusCode).toBe(403);
    expect((await officerA.get(`/api/ledgers/measures.xlsx?node=${TREE.streetB}&from=${from}&to=${today}`)).statusCode).toBe(404);
    const bad = await officerA.get(`/api/ledgers/measures.csv?from=2026-13-01&to=${today}`);
    expect(bad.statusCode).toBe(400);
    expect((await officerA.get(`/api/ledgers/measures.csv?from=${today}&to=${from}&node=${TREE.streetA}`)).statusCode).toBe(today === from ? 200 : 400);
    expect((await officerA.get(`/api/ledgers/measures.csv?from=${from}&to=${today}&by=week`)).statusCode).toBe(400);
  });

  it('by child node: the same figures as /api/measures, rates as numbers beside their counts', async () => {
    const res = await dispatcher.get(`/api/ledgers/measures.xlsx?node=${TREE.city}&from=${from}&to=${today}`);
    expect(res.statusCode, res.body).toBe(200);
    const rows = await sheetOf(res.rawPayload);
    expect(String(rows[0]![0])).toContain('惠州市');
    const header = rows[1] as string[];
    expect(header.slice(0, 4)).toEqual(['下级区域', '编码', '上报数', '响应率']);
    const total = rows[2]!;
    const api = (await dispatcher.get(`/api/measures?node=${TREE.city}&from=${from}&to=${today}`)).json();
    expect(total[0]).toBe('合计');
    expect(total[2]).toBe(api.counts.reported);
    expect(total[2]).toBe(3);
    const resolution = header.indexOf('办结率');
    expect(total[resolution + 2]).toBe(api.measures.resolution.denominator);
    const districtA = rows.find((r) => r[1] === TREE.districtA)!;
    const apiA = (await dispatcher.get(`/api/measures?node=${TREE.districtA}&from=${from}&to=${today}`)).json();
    expect(districtA[0]).toBe('惠城区');
    expect(districtA[2]).toBe(apiA.counts.reported);
    expect(districtA[2]).toBe(2);
    const response = header.indexOf('响应率');
    expect(districtA[response] === null || districtA[response] === undefined || typeof districtA[response] === 'number').toBe(true);
    expect(districtA[response + 1]).toBe(apiA.measures.response.numerator);
  });

  it('by channel and by day as CSV', async () => {
    const res = await officerA.get(`/api/ledgers/measures.csv?from=${from}&to=${today}&by=channel`);
    expect(res.statusCode).toBe(200);
    const lines = res.rawPayload.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines[0]!.startsWith('来源渠道,编码,上报数,响应率')).toBe(true);
    expect(lines[1]!.startsWith('合计,')).toBe(true);
    expect(lines.find((l) => l.startsWith('热线,hotline,1,'))).toBeTruthy();
    expect(lines.find((l) => l.startsWith('说事站,station,1,'))).toBeTruthy();
    const days = await officerA.get(`/api/ledgers/measures.csv?from=${from}&to=${today}&by=day`);
    const dl = days.rawPayload.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(dl).toHaveLength(2 + Number(today.slice(8)));
    expect(dl.find((l) => l.startsWith(`${today},${today},2,`))).toBeTruthy();
  });
});

describe('GET /api/ledgers/monthly-report', () => {
  it('401, 403, 404 out of scope, 400 bad month', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/ledgers/monthly-report?month=${month}` })).statusCode).toBe(401);
    expect((await (await clientAs(t, 'resident', TREE.communityA1)).get(`/api/ledgers/monthly-report?month=${month}`)).statusCode).toBe(403);
    expect((await officerA.get(`/api/ledgers/monthly-report?month=${month}&node=${TREE.districtB}`)).statusCode).toBe(404);
    for (const m of ['2026-13', '2026-1', 'now']) {
      const r = await officerA.get(`/api/ledgers/monthly-report?month=${m}`);
      expect(r.statusCode, m).toBe(400);
      expect(r.json().fields[0].field).toBe('month');
    }
  });

  it('an A4 HTML page: figures with counts, tables, inline SVG charts, no scripts', async () => {
    const res = await dispatcher.get(`/api/ledgers/monthly-report?month=${month}&node=${TREE.city}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const html = res.body;
    const [y, m] = month.split('-').map(Number);
    expect(html).toContain(`<title>惠州市${y}年${m}月社会治理事件月报</title>`);
    expect(html).toContain('@page { size: A4');
    expect(html).not.toContain('<script');
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(html).toContain('<div class="kpi"><b>3</b><span>上报</span></div>');
    expect(html).toContain('<div class="kpi"><b>1</b><span>受理</span></div>');
    // Rates with numerator / denominator; ranking of the districts; categories and channels by name.
    const api = (await dispatcher.get(`/api/measures?node=${TREE.city}&from=${month}-01&to=${today}`)).json();
    expect(html).toContain(`<th>办结率</th><td class="num">${api.measures.resolution.rate === null ? '—' : (api.measures.resolution.rate * 100).toFixed(1) + '%'}</td><td class="num">${api.measures.resolution.numerator} / ${api.measures.resolution.denominator}</td>`);
    expect(html).toMatch(/<td class="num">1<\/td><td>惠城区<\/td><td class="num">2<\/td>/);
    expect(html).toContain('<tr><th>市容环境</th><td class="num">2</td>');
    expect(html).toContain('<tr><th>热线</th><td class="num">2</td></tr>');
    expect(html).toContain('<tr><th>已受理</th><td class="num">1</td></tr>');
  });

  it('a street officer gets their street by default; names are escaped', async () => {
    await t.db.query(`UPDATE nodes SET name = '东一<b>社区</b>' WHERE code = $1`, [TREE.communityA1]);
    const res = await officerA.get(`/api/ledgers/monthly-report?month=${month}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('桥东街道');
    expect(res.body).toContain('东一&#60;b&#62;社区&#60;/b&#62;');
    expect(res.body).not.toContain('<b>社区</b>');
    expect(res.body).not.toContain('淡水');
  });
});
