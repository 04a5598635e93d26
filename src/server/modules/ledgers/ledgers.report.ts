/**
 * The printable monthly report (月度报告): the dashboard's figures for a node
 * and a month on A4 — the rates with their counts, the daily trend, the
 * categories, channels, level shares and the ranking of the node's children —
 * as one HTML page with print CSS. The charts are SVG rendered on the server
 * (echarts' server-side renderer), so the page prints the same with scripts off
 * and from a saved copy.
 */
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { Ctx } from '../../context.js';
import { HANDLING_LEVELS, MEASURE_KEYS, type Rate } from '../../../domain/measures.js';
import { getTrend } from '../measures/measures.service.js';
import { CHANNEL_ZH, formatChinaTime, fromChinaWallClock, LEVEL_ZH, STATUS_ZH, zh } from './ledgers.labels.js';
import { LEVEL_SHARE_ZH, MEASURE_ZH, measureRows } from './ledgers.measures.js';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (r: Rate) => (r.rate === null ? '—' : `${(r.rate * 100).toFixed(1)}%`);
const frac = (r: Rate) => `${r.numerator} / ${r.denominator}`;

/** One chart as an SVG string; no animation (there is no second frame on paper). */
function svgChart(option: Record<string, unknown>, width = 680, height = 260): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'Noto Sans CJK SC, Microsoft YaHei, sans-serif' }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function monthBounds(month: string): { from: string; to: string; start: Date; end: Date; y: number; m: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return {
    y, m,
    from: `${month}-01`,
    to: `${month}-${String(last).padStart(2, '0')}`,
    start: fromChinaWallClock(y, m, 1),
    end: fromChinaWallClock(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1),
  };
}

/**
 * The report's data. Rates, trend and ranking come from the measures service
 * (its scope check: 404 out of scope, 403 without measure.read there); the
 * category, channel and state counts of the month's reports from the cases.
 */
export async function monthlyReportData(ctx: Ctx, q: { node?: string; month: string }) {
  const b = monthBounds(q.month);
  const ledger = await measureRows(ctx, { node: q.node, from: b.from, to: b.to, by: 'child' });
  const [total, ...children] = ledger.rows;
  const trend = await getTrend(ctx, { node: q.node, from: b.from, to: b.to, bucket: 'day' });
  const node = trend.node;
  // The same cases the "reported" count takes: merged duplicates and cancelled reports count nowhere.
  const params: unknown[] = [b.start, b.end];
  let where = `c.created_at >= $1 AND c.created_at < $2 AND c.status NOT IN ('merged','cancelled') AND c.merged_into_id IS NULL`;
  if (node) {
    params.push(node.path);
    where += ` AND c.node_path <@ $3::ltree`;
  }
  const [categories, channels, states] = await Promise.all([
    ctx.db.query<{ code: string; name: string; n: number }>(
      `SELECT top AS code, coalesce(k.name_zh, top) AS name, n FROM (
         SELECT split_part(c.category_path::text, '.', 1) AS top, count(*)::int AS n FROM cases c WHERE ${where} GROUP BY 1) t
       LEFT JOIN categories k ON k.code = t.top ORDER BY n DESC, code LIMIT 10`,
      params,
    ),
    ctx.db.query<{ channel: string; n: number }>(`SELECT c.channel, count(*)::int AS n FROM cases c WHERE ${where} GROUP BY 1 ORDER BY 2 DESC, 1`, params),
    ctx.db.query<{ status: string; n: number }>(`SELECT c.status, count(*)::int AS n FROM cases c WHERE ${where} GROUP BY 1 ORDER BY 2 DESC, 1`, params),
  ]);
  return { month: q.month, year: b.y, monthNumber: b.m, from: b.from, to: b.to, node, total: total!, children, trend: trend.points, categories, channels, states };
}

export type MonthlyReportData = Awaited<ReturnType<typeof monthlyReportData>>;

/** The report as a standalone HTML page for A4 printing. */
export function renderMonthlyReport(d: MonthlyReportData, generatedAt = new Date()): string {
  const f = d.total.figures;
  const where = d.node?.name ?? '全部区域';
  const title = `${where}${d.year}年${d.monthNumber}月社会治理事件月报`;
  const days = d.trend.map((p) => p.start.slice(8));
  const trendSvg = svgChart({
    title: { text: '每日上报与办结', left: 'center', textStyle: { fontSize: 13 } },
    legend: { bottom: 0, data: ['上报', '办结'] },
    grid: { left: 40, right: 16, top: 36, bottom: 48 },
    xAxis: { type: 'category', data: days, axisLabel: { interval: 1 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: '上报', type: 'line', data: d.trend.map((p) => p.counts.reported), symbolSize: 4 },
      { name: '办结', type: 'line', data: d.trend.map((p) => p.counts.resolved), symbolSize: 4 },
    ],
  });
  const catSvg = d.categories.length
    ? svgChart({
        title: { text: '类别前十', left: 'center', textStyle: { fontSize: 13 } },
        grid: { left: 110, right: 40, top: 36, bottom: 20 },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', inverse: true, data: d.categories.map((c) => c.name) },
        series: [{ type: 'bar', data: d.categories.map((c) => c.n), label: { show: true, position: 'right' } }],
      }, 330, 280)
    : '';
  const chanSvg = d.channels.length
    ? svgChart({
        title: { text: '来源渠道', left: 'center', textStyle: { fontSize: 13 } },
        series: [{ type: 'pie', radius: ['30%', '60%'], top: 24, data: d.channels.map((c) => ({ name: zh(CHANNEL_ZH, c.channel), value: c.n })), label: { formatter: '{b} {c}' } }],
      }, 330, 280)
    : '';
  const levelSvg = svgChart({
    title: { text: '办结层级', left: 'center', textStyle: { fontSize: 13 } },
    grid: { left: 60, right: 40, top: 36, bottom: 24 },
    xAxis: { type: 'category', data: HANDLING_LEVELS.map((l) => LEVEL_ZH[l]) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: HANDLING_LEVELS.map((l) => f.levelShares[l].numerator), label: { show: true, position: 'top' } }],
  }, 330, 240);
  const childSvg = d.children.length
    ? svgChart({
        title: { text: '下级区域上报数', left: 'center', textStyle: { fontSize: 13 } },
        grid: { left: 40, right: 16, top: 36, bottom: 64 },
        xAxis: { type: 'category', data: d.children.map((c) => c.label), axisLabel: { rotate: 30, fontSize: 10 } },
        yAxis: { type: 'value', minInterval: 1 },
        series: [{ type: 'bar', data: d.children.map((c) => c.figures.counts.reported) }],
      })
    : '';
  const rateRows = MEASURE_KEYS.map((k) => `<tr><th>${MEASURE_ZH[k]}</th><td class="num">${pct(f.measures[k])}</td><td class="num">${frac(f.measures[k])}</td></tr>`).join('');
  const levelRows = HANDLING_LEVELS.map((l) => `<tr><th>${esc(LEVEL_SHARE_ZH[l])}</th><td class="num">${pct(f.levelShares[l])}</td><td class="num">${frac(f.levelShares[l])}</td></tr>`).join('');
  const ranking = [...d.children].sort((a, b) => b.figures.counts.reported - a.figures.counts.reported || a.code.localeCompare(b.code));
  const childRows = ranking
    .map((c, i) => {
      const m = c.figures.measures;
      return `<tr><td class="num">${i + 1}</td><td>${esc(c.label)}</td><td class="num">${c.figures.counts.reported}</td><td class="num">${c.figures.counts.resolved}</td>` +
        `<td class="num">${pct(m.response)}</td><td class="num">${pct(m.resolution)}</td><td class="num">${pct(m.onTime)}</td><td class="num">${pct(m.satisfaction)}</td><td class="num">${pct(c.figures.levelShares.grid)}</td></tr>`;
    })
    .join('');
  const reportedInMonth = d.states.reduce((s, x) => s + x.n, 0);
  const stateRows = d.states.map((s) => `<tr><th>${esc(zh(STATUS_ZH, s.status))}</th><td class="num">${s.n}</td></tr>`).join('');
  const catRows = d.categories.map((c) => `<tr><th>${esc(c.name)}</th><td class="num">${c.n}</td><td class="num">${reportedInMonth ? ((c.n / reportedInMonth) * 100).toFixed(1) + '%' : '—'}</td></tr>`).join('');
  const chanRows = d.channels.map((c) => `<tr><th>${esc(zh(CHANNEL_ZH, c.channel))}</th><td class="num">${c.n}</td></tr>`).join('');
  const c = f.counts;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #111; font-size: 10.5pt; line-height: 1.45; margin: 0; }
main { max-width: 186mm; margin: 0 auto; }
h1 { font-size: 17pt; text-align: center; margin: 0 0 2mm; }
.meta { text-align: center; color: #555; font-size: 9pt; margin-bottom: 5mm; }
h2 { font-size: 12.5pt; border-left: 4px solid #1677ff; padding-left: 6px; margin: 6mm 0 2mm; }
section { break-inside: avoid; page-break-inside: avoid; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 3mm; }
.kpi { border: 1px solid #ccd; border-radius: 3px; padding: 2mm 3mm; text-align: center; }
.kpi b { display: block; font-size: 15pt; }
.kpi span { color: #555; font-size: 9pt; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 2mm; font-size: 9.5pt; }
th, td { border: 1px solid #bbb; padding: 1mm 2mm; text-align: left; }
thead th { background: #f0f3f8; }
tbody th { font-weight: normal; background: #fafafa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; align-items: start; }
.chart svg { width: 100%; height: auto; display: block; }
.note { color: #555; font-size: 8.5pt; }
.toolbar { text-align: right; margin: 4mm 0; font-size: 9pt; color: #555; }
@media print { .toolbar { display: none; } thead { display: table-header-group; } tr { break-inside: avoid; } }
@media screen { body { background: #eef0f3; } main { background: #fff; padding: 12mm; margin: 6mm auto; box-shadow: 0 1px 6px rgba(0,0,0,.15); } }
</style>
</head>
<body>
<main>
<div class="toolbar">打印：Ctrl+P（A4 纵向）</div>
<h1>${esc(title)}</h1>
<div class="meta">统计区间 ${esc(d.from)} 至 ${esc(d.to)}（北京时间） · 区域编码 ${esc(d.node?.code ?? '全部')} · 生成于 ${esc(formatChinaTime(generatedAt))}</div>

<section>
<h2>一、总体情况</h2>
<div class="kpis">
  <div class="kpi"><b>${c.reported}</b><span>上报</span></div>
  <div class="kpi"><b>${c.accepted}</b><span>受理</span></div>
  <div class="kpi"><b>${c.resolved}</b><span>办结</span></div>
  <div class="kpi"><b>${pct(f.measures.satisfaction)}</b><span>满意率</span></div>
</div>
<table><thead><tr><th>指标</th><th>比率</th><th>分子 / 分母</th></tr></thead><tbody>${rateRows}</tbody></table>
<p class="note">响应率 = 受理时限内受理或不予受理 ÷ 上报；办结率 = 结案 ÷ 受理；按期办结率 = 时限内办结 ÷ 办结；满意率 = （满意 + 基本满意）÷ 评价；返工率 = 返工 ÷ 办结；退件率 = 退件 ÷ 派遣。合并的重复件与撤销件不计。</p>
</section>

<section>
<h2>二、每日趋势</h2>
<div class="chart">${trendSvg}</div>
</section>

<section>
<h2>三、类别与渠道</h2>
<div class="cols">
  <div><div class="chart">${catSvg}</div><table><thead><tr><th>类别</th><th>上报</th><th>占比</th></tr></thead><tbody>${catRows || '<tr><td colspan="3">本月无上报</td></tr>'}</tbody></table></div>
  <div><div class="chart">${chanSvg}</div><table><thead><tr><th>渠道</th><th>上报</th></tr></thead><tbody>${chanRows || '<tr><td colspan="2">本月无上报</td></tr>'}</tbody></table></div>
</div>
</section>

<section>
<h2>四、办结层级</h2>
<div class="cols">
  <div class="chart">${levelSvg}</div>
  <table><thead><tr><th>层级</th><th>占比</th><th>办结数 / 办结总数</th></tr></thead><tbody>${levelRows}</tbody></table>
</div>
</section>

<section>
<h2>五、本月上报事件当前状态</h2>
<table><thead><tr><th>状态</th><th>件数</th></tr></thead><tbody>${stateRows || '<tr><td colspan="2">本月无上报</td></tr>'}</tbody></table>
</section>

${d.children.length ? `<section>
<h2>六、下级区域排名</h2>
<div class="chart">${childSvg}</div>
<table><thead><tr><th>名次</th><th>区域</th><th>上报</th><th>办结</th><th>响应率</th><th>办结率</th><th>按期办结率</th><th>满意率</th><th>小事不出格率</th></tr></thead><tbody>${childRows}</tbody></table>
</section>` : ''}
</main>
</body>
</html>
`;
}
