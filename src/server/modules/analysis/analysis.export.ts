/**
 * The monthly review as a workbook (每月研判 .xlsx): one sheet per part, Chinese
 * headers, numbers as numbers, times as Excel dates in China time. Small (a
 * month's summary, not a ledger), so it is built in memory.
 */
import type ExcelJS from 'exceljs';
import { excel } from '../../lib/excel.js';
import type { Item, MonthlyAnalysis } from './analysis.schemas.js';

const CST_MS = 8 * 3_600_000;
/** Excel has no time zones: write the China wall-clock time. */
const chinaTime = (iso: string) => new Date(Date.parse(iso) + CST_MS);
const STATUS_ZH: Record<string, string> = { open: '待治理', in_progress: '治理中', solved: '已解决', dropped: '不再跟踪' };
const LEVEL_ZH: Record<string, string> = { province: '省', city: '市', district: '区县', street: '街道乡镇', community: '社区村', grid: '网格', unit: '单元格', cell: '细胞格' };

type Col = { header: string; key: string; width: number; numFmt?: string };

function sheet(wb: ExcelJS.Workbook, name: string, cols: Col[], rows: Record<string, unknown>[]): void {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = cols.map((c) => ({ header: c.header, key: c.key, width: c.width, style: c.numFmt ? { numFmt: c.numFmt } : {} }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r);
}

export async function analysisWorkbook(a: MonthlyAnalysis, items: Item[]): Promise<Buffer> {
  const wb = new (await excel()).Workbook();
  wb.creator = 'Wangge';
  wb.created = new Date();

  sheet(wb, '概况', [{ header: '项目', key: 'k', width: 24 }, { header: '内容', key: 'v', width: 40 }], [
    { k: '研判区域', v: `${a.node.name}（${a.node.code}）` },
    { k: '月份', v: a.month },
    { k: '本月诉求数', v: a.totals.cases },
    { k: '上月诉求数', v: a.totals.previousMonth },
    { k: '有定位的诉求数', v: a.totals.located },
    { k: '参与文本比对的诉求数', v: a.totals.analysed },
    { k: '热点数', v: a.hotSpots.length },
    { k: '相似诉求组数', v: a.groups.length },
    { k: '相似度阈值', v: a.params.threshold },
    { k: '热点半径（米）', v: a.params.radiusM },
    { k: '热点最少诉求数', v: a.params.minCases },
    { k: '热点间隔天数', v: a.params.gapDays },
  ]);

  sheet(
    wb,
    '高发类型',
    [
      { header: '排名', key: 'rank', width: 6 },
      { header: '事件类型', key: 'name', width: 22 },
      { header: '类型编码', key: 'code', width: 28 },
      { header: '本月', key: 'count', width: 8 },
      { header: '上月', key: 'prev', width: 8 },
      { header: '占比', key: 'share', width: 8, numFmt: '0.0%' },
    ],
    a.topCategories.map((c, i) => ({ rank: i + 1, name: c.nameZh, code: c.code, count: c.count, prev: c.previousCount, share: c.share })),
  );

  sheet(
    wb,
    '高发地点',
    [
      { header: '排名', key: 'rank', width: 6 },
      { header: '地点', key: 'name', width: 28 },
      { header: '层级', key: 'level', width: 10 },
      { header: '编码', key: 'code', width: 20 },
      { header: '本月', key: 'count', width: 8 },
      { header: '上月', key: 'prev', width: 8 },
    ],
    [
      ...a.topPlaces.map((p, i) => ({ rank: i + 1, name: p.name, level: LEVEL_ZH[p.level] ?? p.level, code: p.code, count: p.count, prev: p.previousCount })),
      ...a.topAddresses.map((p, i) => ({ rank: i + 1, name: p.address, level: '地址', code: '', count: p.count, prev: null })),
    ],
  );

  sheet(
    wb,
    '热点',
    [
      { header: '序号', key: 'n', width: 6 },
      { header: '诉求数', key: 'count', width: 8 },
      { header: '经度', key: 'lng', width: 12, numFmt: '0.000000' },
      { header: '纬度', key: 'lat', width: 12, numFmt: '0.000000' },
      { header: '半径（米）', key: 'r', width: 10, numFmt: '0' },
      { header: '首次上报', key: 'from', width: 18, numFmt: 'yyyy-mm-dd hh:mm' },
      { header: '最近上报', key: 'to', width: 18, numFmt: 'yyyy-mm-dd hh:mm' },
      { header: '所在网格', key: 'nodes', width: 30 },
      { header: '事件类型', key: 'cats', width: 30 },
      { header: '诉求示例', key: 'ex', width: 60 },
    ],
    a.hotSpots.map((h, i) => ({
      n: i + 1,
      count: h.count,
      lng: h.lng,
      lat: h.lat,
      r: h.radiusM,
      from: chinaTime(h.from),
      to: chinaTime(h.to),
      nodes: h.nodes.map((x) => `${x.name}（${x.count}）`).join('、'),
      cats: h.categories.map((x) => `${x.nameZh}（${x.count}）`).join('、'),
      ex: h.examples.map((e) => `${e.number} ${e.description}`).join('\n'),
    })),
  );

  sheet(
    wb,
    '相似诉求',
    [
      { header: '序号', key: 'n', width: 6 },
      { header: '事件类型', key: 'cat', width: 18 },
      { header: '诉求数', key: 'count', width: 8 },
      { header: '关键词', key: 'kw', width: 24 },
      { header: '集中度', key: 'coh', width: 8, numFmt: '0.00' },
      { header: '主要地点', key: 'places', width: 30 },
      { header: '典型诉求', key: 'ex', width: 60 },
      { header: '诉求编号', key: 'numbers', width: 40 },
      { header: '源头治理', key: 'tracked', width: 16 },
    ],
    a.groups.map((g, i) => ({
      n: i + 1,
      cat: g.category.nameZh,
      count: g.count,
      kw: g.keywords.join('、'),
      coh: g.cohesion,
      places: g.places.map((p) => `${p.name}（${p.count}）`).join('、'),
      ex: g.examples[0]?.description ?? '',
      numbers: g.examples.map((e) => e.number).join('、') + (g.count > g.examples.length ? ` 等${g.count}件` : ''),
      tracked: g.tracked ? `#${g.tracked.id} ${STATUS_ZH[g.tracked.status]}` : '',
    })),
  );

  sheet(
    wb,
    '源头治理',
    [
      { header: '编号', key: 'id', width: 8 },
      { header: '事项', key: 'title', width: 30 },
      { header: '区域', key: 'node', width: 20 },
      { header: '研判月份', key: 'month', width: 10 },
      { header: '事件类型', key: 'cat', width: 18 },
      { header: '状态', key: 'status', width: 10 },
      { header: '原诉求数', key: 'cases', width: 10 },
      { header: '此后新增同类诉求', key: 'new', width: 16 },
      { header: '最近新增', key: 'last', width: 18, numFmt: 'yyyy-mm-dd hh:mm' },
      { header: '标记人', key: 'by', width: 12 },
      { header: '标记时间', key: 'at', width: 18, numFmt: 'yyyy-mm-dd hh:mm' },
    ],
    items.map((it) => ({
      id: it.id,
      title: it.title,
      node: it.node.name,
      month: it.month,
      cat: it.category.nameZh,
      status: STATUS_ZH[it.status] ?? it.status,
      cases: it.caseCount,
      new: it.newCaseCount,
      last: it.lastNewCaseAt ? chinaTime(it.lastNewCaseAt) : null,
      by: it.createdBy,
      at: chinaTime(it.createdAt),
    })),
  );

  return Buffer.from(await wb.xlsx.writeBuffer());
}
