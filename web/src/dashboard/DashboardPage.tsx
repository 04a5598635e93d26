/**
 * The command-centre dashboard (指挥中心) for one node's subtree: today's and
 * this month's counts by state, the six rates as gauges with their counts,
 * the month's trend, categories, channels, level shares (小事不出格率), the
 * overdue list, rankings, and the map; drill down from the tree or the map.
 * Live: new and changed cases under the node arrive by server-sent events
 * and refresh the figures.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { App, Badge, Button, Card, Empty, Result, Segmented, Select, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { ApiError, isAbort } from '../api';
import { errorText } from '../errors';
import { navigate } from '../router';
import { useSession } from '../session';
import { TreePanel } from '../components/TreePanel';
import { LevelTag } from '../components/LevelTag';
import { useLabels } from '../cases/i18n';
import { casePath } from '../cases/paths';
import {
  dashboardApi,
  HANDLING_LEVELS,
  MEASURE_KEYS,
  measuresApi,
  subscribeLive,
  type DashboardOverview,
  type LiveEvent,
  type MeasureKey,
  type OverdueResponse,
  type PeriodOverview,
  type Rate,
  type RankingBy,
  type RankingResponse,
  type TrendResponse,
} from './dashboardApi';
import { EChart, type ChartOption } from './EChart';
import { DashboardMap } from './DashboardMap';
import { useNodeSelection } from './useNodeSelection';
import { analysisPath, dashboardPath } from './paths';

/** Rates where lower is better (the gauge colours turn the other way). */
const LOWER_IS_BETTER: readonly MeasureKey[] = ['rework', 'return'];
const CLOCK_HEX = { green: '#16a34a', yellow: '#d97706', red: '#dc2626' } as const;

export const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);

/** The first day of this month and today, YYYY-MM-DD in China time. */
function monthToDate(now = Date.now()): { from: string; to: string } {
  const today = new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
  return { from: `${today.slice(0, 8)}01`, to: today };
}

function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): { data?: T; error?: unknown; loading: boolean } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(ctrl.signal)
      .then((data) => setState({ data, loading: false }))
      .catch((error: unknown) => {
        if (!isAbort(error)) setState({ error, loading: false });
      });
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}

export function DashboardPage({ code }: { code?: string }) {
  const l = useLabels();
  const { t } = l;
  const { meta } = useSession();
  const { roots, rootsError, selectedCode, current, detailError, searchRoot } = useNodeSelection(code);
  const select = useCallback((c: string) => navigate(dashboardPath(c)), []);
  /** Bumped by live events (throttled) and the refresh button: reloads what changes with new cases. */
  const [tick, setTick] = useState(0);
  const [feed, setFeed] = useState<LiveEvent[]>([]);
  const [liveOk, setLiveOk] = useState(true);

  // Live events: every event under the node goes to the feed; figures reload at most every 1.5 s.
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (!selectedCode) return;
    setFeed([]);
    const unsubscribe = subscribeLive(
      { node: selectedCode },
      (e) => {
        setLiveOk(true);
        setFeed((f) => [e, ...f.filter((x) => !(x.caseId === e.caseId && x.type === e.type && x.at === e.at))].slice(0, 12));
        if (timer.current === undefined)
          timer.current = window.setTimeout(() => {
            timer.current = undefined;
            setTick((n) => n + 1);
          }, 1500);
      },
      () => setLiveOk(false),
    );
    return () => {
      unsubscribe();
      window.clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [selectedCode]);

  const overview = useLoad((s) => dashboardApi.overview({ node: selectedCode }, s), [selectedCode, tick]);
  const overdue = useLoad((s) => dashboardApi.overdue({ node: selectedCode, limit: 20 }, s), [selectedCode, tick]);
  const range = useMemo(() => monthToDate(), [tick]);
  const trend = useLoad((s) => measuresApi.trend({ node: selectedCode, bucket: 'day', ...range }, s), [selectedCode, range]);

  if (rootsError || detailError) {
    const err = rootsError ?? detailError;
    const status = err instanceof ApiError && err.status === 403 ? '403' : err instanceof ApiError && err.status === 404 ? '404' : 'error';
    return <Result status={status} title={errorText(t, err)} extra={<Button onClick={() => navigate(dashboardPath())}>{t('dashboard.title')}</Button>} />;
  }
  if (!roots || !selectedCode) return <div className="wg-fullpage-spin"><Spin size="large" /></div>;

  const o = overview.data && overview.data.node.code === selectedCode ? overview.data : undefined;
  return (
    <div className="wgd-body">
      <section className="wg-panel wgd-tree" aria-label={t('dashboard.tree')}>
        <TreePanel roots={roots} selectedCode={selectedCode} selected={current} searchRoot={searchRoot} onSelect={select} />
      </section>
      <div className="wgd-main">
        <div className="wgd-titlebar">
          <div className="wgd-crumbs">
            {current?.ancestors
              .filter((a) => roots.some((r) => a.code.startsWith(r.code)) && a.code !== current.code)
              .map((a) => (
                <Button key={a.code} type="link" size="small" onClick={() => select(a.code)}>
                  {a.name}
                </Button>
              ))}
            <Typography.Title level={4} className="wgd-node-name" data-testid="dashboard-node" data-code={selectedCode}>
              {o?.node.name ?? current?.name ?? selectedCode}
            </Typography.Title>
            {current && <LevelTag level={current.level} />}
          </div>
          <div className="wgd-tools">
            <Badge status={liveOk ? 'processing' : 'error'} text={liveOk ? t('dashboard.live.on') : t('dashboard.live.off')} data-testid="live-status" />
            {o && <Typography.Text type="secondary">{t('dashboard.updatedAt', { time: l.time(o.at) })}</Typography.Text>}
            <Button icon={<ReloadOutlined />} onClick={() => setTick((n) => n + 1)} aria-label={t('dashboard.refresh')} />
            <Button onClick={() => navigate(analysisPath(selectedCode))}>{t('dashboard.nav.analysis')}</Button>
          </div>
        </div>

        {overview.error !== undefined && !o ? (
          <Result status="error" title={errorText(t, overview.error)} />
        ) : !o ? (
          <div className="wgd-loading"><Spin /></div>
        ) : (
          <>
            <div className="wgd-row wgd-row-counts">
              <PeriodCard title={t('dashboard.today')} p={o.today} prefix="today" />
              <PeriodCard title={t('dashboard.month')} p={o.month} prefix="month" />
              <ClocksCard clocks={o.clocks} />
              <LiveFeed feed={feed} />
            </div>
            <Card size="small" title={t('dashboard.measures.title')} className="wgd-card">
              <div className="wgd-gauges">
                {MEASURE_KEYS.map((k) => (
                  <Gauge key={k} k={k} rate={o.measures[k]} />
                ))}
              </div>
            </Card>
            <div className="wgd-row wgd-row-2">
              <TrendCard trend={trend.data} loading={trend.loading} />
              <LevelSharesCard o={o} />
            </div>
            <div className="wgd-row wgd-row-2">
              <CategoriesCard o={o} />
              <ChannelsCard o={o} />
            </div>
          </>
        )}
        <Card size="small" title={t('dashboard.map.title')} className="wgd-card" extra={<Typography.Text type="secondary">{t('dashboard.map.drill')}</Typography.Text>}>
          <DashboardMap code={selectedCode} tileUrl={meta.tileUrl} city={meta.city} onSelect={select} tick={tick} />
        </Card>
        <div className="wgd-row wgd-row-2">
          <OverdueCard data={overdue.data} loading={overdue.loading} error={overdue.error} />
          <RankingCard code={selectedCode} level={current?.level} />
        </div>
      </div>
    </div>
  );
}

function PeriodCard({ title, p, prefix }: { title: string; p: PeriodOverview; prefix: string }) {
  const l = useLabels();
  const { t } = l;
  const states = Object.entries(p.byState).filter(([, n]) => (n ?? 0) > 0);
  return (
    <Card size="small" title={title} className="wgd-card" data-testid={`${prefix}-card`}>
      <div className="wgd-figures">
        <Figure label={t('dashboard.total')} value={p.total} testId={`${prefix}-total`} />
        <Figure label={t('dashboard.open')} value={p.open} testId={`${prefix}-open`} />
        <Figure label={t('dashboard.resolved')} value={p.resolved} testId={`${prefix}-resolved`} />
      </div>
      <div className="wgd-states" aria-label={t('dashboard.byState')}>
        {states.map(([s, n]) => (
          <Tag key={s} data-testid={`${prefix}-state-${s}`}>
            {l.status(s)} {n}
          </Tag>
        ))}
      </div>
    </Card>
  );
}

function Figure({ label, value, testId, colour }: { label: string; value: number | string; testId?: string; colour?: string }) {
  return (
    <div className="wgd-figure">
      <div className="wgd-figure-value" data-testid={testId} style={colour ? { color: colour } : undefined}>
        {value}
      </div>
      <div className="wgd-figure-label">{label}</div>
    </div>
  );
}

function ClocksCard({ clocks }: { clocks: DashboardOverview['clocks'] }) {
  const { t } = useLabels();
  return (
    <Card size="small" title={t('dashboard.clocks.title')} className="wgd-card">
      <div className="wgd-figures">
        {(['green', 'yellow', 'red'] as const).map((c) => (
          <Figure key={c} label={t(`dashboard.clocks.${c}`)} value={clocks[c]} colour={CLOCK_HEX[c]} testId={`clock-${c}`} />
        ))}
      </div>
    </Card>
  );
}

function LiveFeed({ feed }: { feed: LiveEvent[] }) {
  const l = useLabels();
  const { t } = l;
  return (
    <Card size="small" title={t('dashboard.live.feed')} className="wgd-card wgd-feed">
      {feed.length === 0 ? (
        <Typography.Text type="secondary">{t('dashboard.live.empty')}</Typography.Text>
      ) : (
        <ul className="wgd-feed-list" data-testid="live-feed">
          {feed.map((e) => (
            <li key={`${e.caseId}-${e.type}-${e.at}`}>
              <Tag color={e.type === 'case.overdue' ? 'red' : e.type === 'case.created' ? 'blue' : 'default'}>
                {t(`dashboard.live.${e.type === 'case.created' ? 'created' : e.type === 'case.overdue' ? 'overdue' : 'status'}`)}
              </Tag>
              <a href={casePath(e.caseId)} onClick={(ev) => (ev.preventDefault(), navigate(casePath(e.caseId)))}>
                {e.number}
              </a>{' '}
              <Typography.Text type="secondary">
                {l.status(e.status)} · {new Date(e.at).toLocaleTimeString(l.isEn ? 'en-GB' : 'zh-CN', { hour12: false })}
              </Typography.Text>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function Gauge({ k, rate }: { k: MeasureKey; rate: Rate }) {
  const { t } = useLabels();
  const good = LOWER_IS_BETTER.includes(k)
    ? [
        [0.05, '#16a34a'],
        [0.15, '#d97706'],
        [1, '#dc2626'],
      ]
    : [
        [0.8, '#dc2626'],
        [0.9, '#d97706'],
        [1, '#16a34a'],
      ];
  const option = useMemo<ChartOption>(
    () => ({
      series: [
        {
          type: 'gauge',
          min: 0,
          max: 100,
          radius: '95%',
          startAngle: 210,
          endAngle: -30,
          progress: { show: false },
          axisLine: { lineStyle: { width: 10, color: good } },
          axisTick: { show: false },
          splitLine: { length: 8, lineStyle: { width: 1, color: '#94a3b8' } },
          axisLabel: { show: false },
          pointer: { width: 4, length: '60%' },
          anchor: { show: true, size: 8 },
          title: { show: false },
          detail: { valueAnimation: false, fontSize: 16, offsetCenter: [0, '55%'], formatter: () => pct(rate.rate) },
          data: [{ value: rate.rate === null ? 0 : Math.round(rate.rate * 1000) / 10 }],
        },
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [rate.rate, rate.numerator, rate.denominator],
  );
  return (
    <div className="wgd-gauge" data-testid={`measure-${k}`}>
      <div className="wgd-gauge-title">{t(`dashboard.measures.${k}`)}</div>
      <EChart option={option} height={130} label={`${t(`dashboard.measures.${k}`)} ${pct(rate.rate)}`} />
      <div className="wgd-gauge-rate" data-testid={`measure-${k}-rate`}>
        {pct(rate.rate)}
      </div>
      <div className="wgd-gauge-counts" data-testid={`measure-${k}-counts`}>
        {t('dashboard.measures.counts', { numerator: rate.numerator, denominator: rate.denominator })}
      </div>
    </div>
  );
}

function TrendCard({ trend, loading }: { trend?: TrendResponse; loading: boolean }) {
  const { t } = useLabels();
  const option = useMemo<ChartOption>(() => {
    const pts = trend?.points ?? [];
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 40, top: 30, bottom: 24 },
      xAxis: { type: 'category', data: pts.map((p) => p.start.slice(5)) },
      yAxis: [
        { type: 'value', minInterval: 1 },
        { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      ],
      series: [
        { name: t('dashboard.trend.reported'), type: 'bar', data: pts.map((p) => p.counts.reported), itemStyle: { color: '#3b82f6' } },
        { name: t('dashboard.trend.resolved'), type: 'bar', data: pts.map((p) => p.counts.resolved), itemStyle: { color: '#22c55e' } },
        {
          name: t('dashboard.trend.satisfaction'),
          type: 'line',
          yAxisIndex: 1,
          connectNulls: true,
          data: pts.map((p) => (p.measures.satisfaction.rate === null ? null : Math.round(p.measures.satisfaction.rate * 1000) / 10)),
          itemStyle: { color: '#f59e0b' },
        },
      ],
    };
  }, [trend, t]);
  return (
    <Card size="small" title={t('dashboard.trend.title')} className="wgd-card" loading={loading && !trend}>
      <EChart option={option} height={240} label={t('dashboard.trend.title')} testId="trend-chart" />
    </Card>
  );
}

function LevelSharesCard({ o }: { o: DashboardOverview }) {
  const { t } = useLabels();
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 80, right: 40, top: 10, bottom: 20 },
      xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      yAxis: { type: 'category', inverse: true, data: HANDLING_LEVELS.map((lv) => t(`dashboard.levelShares.${lv}`)) },
      series: [
        {
          type: 'bar',
          data: HANDLING_LEVELS.map((lv) => (o.levelShares[lv].rate === null ? 0 : Math.round(o.levelShares[lv].rate! * 1000) / 10)),
          label: { show: true, position: 'right', formatter: '{c}%' },
          itemStyle: { color: '#6366f1' },
        },
      ],
    }),
    [o, t],
  );
  const grid = o.levelShares.grid;
  return (
    <Card
      size="small"
      title={t('dashboard.levelShares.title')}
      className="wgd-card"
      extra={
        <span data-testid="level-grid">
          {t('dashboard.levelShares.gridShare')} <strong>{pct(grid.rate)}</strong>
        </span>
      }
    >
      <EChart option={option} height={170} label={t('dashboard.levelShares.title')} />
      <ul className="wgd-inline-list">
        {HANDLING_LEVELS.map((lv) => (
          <li key={lv} data-testid={`level-${lv}-counts`}>
            {t(`dashboard.levelShares.${lv}`)} {o.levelShares[lv].numerator}/{o.levelShares[lv].denominator}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function pieOption(data: { name: string; value: number }[]): ChartOption {
  return {
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { type: 'scroll', orient: 'vertical', right: 0, top: 'middle' },
    series: [{ type: 'pie', radius: ['40%', '70%'], center: ['35%', '50%'], label: { show: false }, data }],
  };
}

function CategoriesCard({ o }: { o: DashboardOverview }) {
  const l = useLabels();
  const option = useMemo(() => pieOption(o.categories.map((c) => ({ name: l.category(c), value: c.count }))), [o, l]);
  return (
    <Card size="small" title={l.t('dashboard.categories')} className="wgd-card">
      {o.categories.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> : <EChart option={option} height={220} label={l.t('dashboard.categories')} testId="categories-chart" />}
      <ul className="wgd-inline-list" data-testid="categories-list">
        {o.categories.slice(0, 8).map((c) => (
          <li key={c.code} data-code={c.code}>
            {l.category(c)} {c.count}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function ChannelsCard({ o }: { o: DashboardOverview }) {
  const l = useLabels();
  const option = useMemo(() => pieOption(o.channels.map((c) => ({ name: l.channel(c.channel), value: c.count }))), [o, l]);
  return (
    <Card size="small" title={l.t('dashboard.channels')} className="wgd-card">
      {o.channels.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> : <EChart option={option} height={220} label={l.t('dashboard.channels')} testId="channels-chart" />}
      <ul className="wgd-inline-list" data-testid="channels-list">
        {o.channels.map((c) => (
          <li key={c.channel} data-channel={c.channel}>
            {l.channel(c.channel)} {c.count}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function overdueText(t: (k: string, o?: Record<string, unknown>) => string, minutes: number): string {
  if (minutes >= 48 * 60) return t('dashboard.overdue.days', { d: Math.floor(minutes / 1440) });
  if (minutes >= 60) return t('dashboard.overdue.hours', { h: Math.floor(minutes / 60) });
  return t('dashboard.overdue.minutes', { m: minutes });
}

function OverdueCard({ data, loading, error }: { data?: OverdueResponse; loading: boolean; error?: unknown }) {
  const l = useLabels();
  const { t } = l;
  return (
    <Card
      size="small"
      title={t('dashboard.overdue.title')}
      className="wgd-card"
      extra={data && <span data-testid="overdue-total">{t('dashboard.overdue.total', { count: data.total })}</span>}
    >
      {error !== undefined ? (
        <Typography.Text type="danger">{errorText(t, error)}</Typography.Text>
      ) : (
        <Table
          size="small"
          rowKey="id"
          loading={loading && !data}
          pagination={false}
          scroll={{ y: 320 }}
          dataSource={data?.items ?? []}
          locale={{ emptyText: t('dashboard.overdue.none') }}
          columns={[
            {
              title: t('dashboard.overdue.number'),
              dataIndex: 'number',
              render: (n: string, r) => (
                <a href={casePath(r.id)} onClick={(e) => (e.preventDefault(), navigate(casePath(r.id)))}>
                  {n}
                </a>
              ),
            },
            { title: t('dashboard.overdue.category'), render: (_, r) => l.category(r.category) },
            { title: t('dashboard.overdue.node'), render: (_, r) => r.node?.name ?? '—' },
            { title: t('dashboard.overdue.handler'), render: (_, r) => r.handler?.name ?? '—' },
            {
              title: t('dashboard.overdue.overdueBy'),
              render: (_, r) => (
                <span>
                  <Tag color="red">{overdueText(t, r.overdueMinutes)}</Tag>
                  {r.supervised && <Tag>{t('dashboard.overdue.supervised')}</Tag>}
                </span>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}

function RankingCard({ code, level }: { code: string; level?: string }) {
  const { t } = useLabels();
  const { message } = App.useApp();
  const options: RankingBy[] = useMemo(() => {
    const deeper: RankingBy[] = (['district', 'street', 'community', 'grid'] as const).filter((b) => {
      const order = ['province', 'city', 'district', 'street', 'community', 'grid'];
      return !level || order.indexOf(b) > order.indexOf(level);
    });
    return [...deeper, 'department'];
  }, [level]);
  const [by, setBy] = useState<RankingBy>('grid');
  const [measure, setMeasure] = useState<MeasureKey>('satisfaction');
  const [order, setOrder] = useState<'desc' | 'asc'>('desc');
  const effectiveBy = options.includes(by) ? by : options[0]!;
  const [data, setData] = useState<RankingResponse>();
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    dashboardApi
      .rankings({ node: code, by: effectiveBy, measure, order, ...monthToDate(), limit: 20 }, ctrl.signal)
      .then(setData)
      .catch((err: unknown) => {
        if (!isAbort(err)) message.error(errorText(t, err));
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setLoading(false);
      });
    return () => ctrl.abort();
  }, [code, effectiveBy, measure, order, message, t]);
  return (
    <Card size="small" title={t('dashboard.ranking.title')} className="wgd-card">
      <div className="wgd-ranking-tools">
        <Segmented size="small" value={effectiveBy} onChange={(v) => setBy(v as RankingBy)} options={options.map((b) => ({ value: b, label: t(`dashboard.ranking.by.${b}`) }))} />
        <Select
          size="small"
          value={measure}
          onChange={setMeasure}
          aria-label={t('dashboard.ranking.measure')}
          style={{ width: 130 }}
          options={MEASURE_KEYS.map((k) => ({ value: k, label: t(`dashboard.measures.${k}`) }))}
        />
        <Select size="small" value={order} onChange={setOrder} style={{ width: 110 }} options={(['desc', 'asc'] as const).map((o) => ({ value: o, label: t(`dashboard.ranking.order.${o}`) }))} />
      </div>
      <Table
        size="small"
        rowKey="key"
        loading={loading}
        pagination={false}
        scroll={{ y: 280 }}
        dataSource={data?.items ?? []}
        locale={{ emptyText: t('dashboard.ranking.none') }}
        data-testid="ranking-table"
        columns={[
          { title: t('dashboard.ranking.rank'), dataIndex: 'rank', width: 60 },
          {
            title: t('dashboard.ranking.name'),
            dataIndex: 'name',
            render: (n: string, r) =>
              r.level ? (
                <Tooltip title={r.key}>
                  <a onClick={() => navigate(dashboardPath(r.key))}>{n}</a>
                </Tooltip>
              ) : (
                n
              ),
          },
          { title: t('dashboard.ranking.rate'), dataIndex: 'rate', render: (r: number | null) => pct(r), width: 90 },
          { title: t('dashboard.ranking.counts'), render: (_, r) => `${r.numerator}/${r.denominator}`, width: 110 },
        ]}
      />
    </Card>
  );
}
