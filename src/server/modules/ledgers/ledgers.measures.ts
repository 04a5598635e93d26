/**
 * The measures (考核指标) as a ledger: one row per child node, category,
 * channel, day or month, each rate beside its numerator and denominator, from
 * the measures service (the same figures as the dashboard; roll-ups for a
 * city or district). Small: a city's districts, a month's days — built in
 * memory, not streamed.
 */
import type ExcelJS from 'exceljs';
import { excel } from '../../lib/excel.js';
import type { Ctx } from '../../context.js';
import { HANDLING_LEVELS, type HandlingLevel, type MeasureKey, type Rate } from '../../../domain/measures.js';
import { getMeasures, getTrend, resolveNode } from '../measures/measures.service.js';
import { CHANNEL_ZH, LEVEL_ZH } from './ledgers.labels.js';
import { csvField } from './ledgers.export.js';

export type Breakdown = 'child' | 'category' | 'channel' | 'day' | 'month';

export interface MeasuresLedgerQuery {
  node?: string;
  from: string;
  to: string;
  by?: Breakdown;
}

export const MEASURE_ZH: Record<MeasureKey, string> = {
  response: '响应率',
  resolution: '办结率',
  onTime: '按期办结率',
  satisfaction: '满意率',
  rework: '返工率',
  return: '退件率',
};
/** 小事不出格 … the level shares by their customary names. */
export const LEVEL_SHARE_ZH: Record<HandlingLevel, string> = {
  grid: '网格办结占比（小事不出格）',
  community: '社区/村办结占比（大事不出村）',
  street: '街道/乡镇办结占比',
  district: '区县办结占比',
  city: '市级办结占比',
};

type Figures = Awaited<ReturnType<typeof getMeasures>>;
interface LedgerRow {
  label: string;
  code: string;
  figures: Pick<Figures, 'measures' | 'levelShares' | 'counts'>;
}

const BREAKDOWN_ZH: Record<Breakdown, string> = { child: '下级区域', category: '类别', channel: '来源渠道', day: '日期', month: '月份' };

/** The rows of the ledger, the total first. Throws what the measures service throws (404/403/400). */
export async function measureRows(ctx: Ctx, q: MeasuresLedgerQuery): Promise<{ title: string; rows: LedgerRow[]; by: Breakdown }> {
  const by = q.by ?? 'child';
  const base = { node: q.node, from: q.from, to: q.to };
  const total = await getMeasures(ctx, base);
  const where = total.node?.name ?? '全部区域';
  const title = `${where} ${q.from} 至 ${q.to} 考核指标（按${BREAKDOWN_ZH[by]}）`;
  const rows: LedgerRow[] = [{ label: '合计', code: total.node?.code ?? '', figures: total }];
  if (by === 'day' || by === 'month') {
    const trend = await getTrend(ctx, { ...base, bucket: by });
    for (const p of trend.points) rows.push({ label: by === 'day' ? p.start : p.start.slice(0, 7), code: p.start, figures: p });
    return { title, rows, by };
  }
  let parts: { code: string; label: string; query: Record<string, string> }[];
  if (by === 'child') {
    const n = await resolveNode(ctx.db, ctx.actor, q.node);
    const kids = await ctx.db.query<{ code: string; name: string }>(
      n ? `SELECT code, name FROM nodes WHERE parent_code = $1 AND status = 'active' ORDER BY code` : `SELECT code, name FROM nodes WHERE parent_code IS NULL AND status = 'active' ORDER BY code`,
      n ? [n.code] : [],
    );
    parts = kids.map((k) => ({ code: k.code, label: k.name, query: { node: k.code } }));
  } else if (by === 'category') {
    const cats = await ctx.db.query<{ code: string; name_zh: string }>(`SELECT code, name_zh FROM categories WHERE parent_code IS NULL AND active ORDER BY sort, code`);
    parts = cats.map((c) => ({ code: c.code, label: c.name_zh, query: { category: c.code } }));
  } else {
    parts = Object.keys(CHANNEL_ZH).map((c) => ({ code: c, label: CHANNEL_ZH[c]!, query: { channel: c } }));
  }
  for (const p of parts) rows.push({ label: p.label, code: p.code, figures: await getMeasures(ctx, { ...base, ...p.query }) });
  return { title, rows, by };
}

interface Col {
  header: string;
  kind: 'text' | 'count' | 'rate';
  value(r: LedgerRow): string | number | null;
}

const rateCols = (name: string, r: (x: LedgerRow) => Rate, num: string, den: string): Col[] => [
  { header: name, kind: 'rate', value: (x) => r(x).rate },
  { header: num, kind: 'count', value: (x) => r(x).numerator },
  { header: den, kind: 'count', value: (x) => r(x).denominator },
];

/** Every rate with its counts, so each figure can be checked by hand. */
export function measureColumns(by: Breakdown): Col[] {
  const m = (k: MeasureKey) => (x: LedgerRow) => x.figures.measures[k];
  return [
    { header: BREAKDOWN_ZH[by], kind: 'text', value: (x) => x.label },
    { header: '编码', kind: 'text', value: (x) => x.code },
    { header: '上报数', kind: 'count', value: (x) => x.figures.counts.reported },
    ...rateCols(MEASURE_ZH.response, m('response'), '按时响应数', '上报数（应响应）'),
    ...rateCols(MEASURE_ZH.resolution, m('resolution'), '结案数', '受理数'),
    ...rateCols(MEASURE_ZH.onTime, m('onTime'), '按期办结数', '办结数'),
    ...rateCols(MEASURE_ZH.satisfaction, m('satisfaction'), '满意数（含基本满意）', '评价数'),
    ...rateCols(MEASURE_ZH.rework, m('rework'), '返工数', '办结数（返工）'),
    ...rateCols(MEASURE_ZH.return, m('return'), '退件数', '派遣数'),
    ...HANDLING_LEVELS.flatMap((l): Col[] => [
      { header: LEVEL_SHARE_ZH[l], kind: 'rate', value: (x) => x.figures.levelShares[l].rate },
      { header: `${LEVEL_ZH[l]}办结数`, kind: 'count', value: (x) => x.figures.levelShares[l].numerator },
    ]),
  ];
}

export async function measuresXlsx(ledger: Awaited<ReturnType<typeof measureRows>>): Promise<Buffer> {
  const wb = new (await excel()).Workbook();
  wb.creator = 'Wangge';
  const ws = wb.addWorksheet('考核指标', { views: [{ state: 'frozen', ySplit: 2, xSplit: 1 }] });
  const cols = measureColumns(ledger.by);
  ws.addRow([ledger.title]).font = { bold: true, size: 14 };
  ws.addRow(cols.map((c) => c.header)).font = { bold: true };
  cols.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    col.width = c.kind === 'text' ? 18 : 12;
    if (c.kind === 'rate') col.numFmt = '0.0%';
    if (c.kind === 'count') col.numFmt = '0';
  });
  for (const r of ledger.rows) ws.addRow(cols.map((c) => c.value(r)));
  ws.getRow(3).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** CSV: rates as percentages with one decimal (how the reports quote them), counts as integers. */
export function measuresCsv(ledger: Awaited<ReturnType<typeof measureRows>>): string {
  const cols = measureColumns(ledger.by);
  const lines = [cols.map((c) => csvField(c.header)).join(',')];
  for (const r of ledger.rows)
    lines.push(cols.map((c) => {
      const v = c.value(r);
      return c.kind === 'rate' ? (v === null ? '' : `${((v as number) * 100).toFixed(1)}%`) : csvField(v);
    }).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
