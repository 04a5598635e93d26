/**
 * The monthly review of recurring problems (每月研判) for a node: the month's
 * totals against last month, top categories, grids and addresses, hot spots
 * on a map, and groups of similar reports; a leader (analysis.manage) marks a
 * group to be solved at the source (源头治理) and follows it in the list below.
 * Exports the whole review as an Excel workbook.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { App, Button, Card, DatePicker, Empty, Form, Input, InputNumber, Modal, Pagination, Result, Space, Spin, Table, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { isAbort } from '../api';
import { errorText } from '../errors';
import { navigate, usePathname } from '../router';
import { useSession } from '../session';
import { TreePanel } from '../components/TreePanel';
import { useLabels } from '../cases/i18n';
import { casePath } from '../cases/paths';
import { analysisApi, type CaseRef, type Item, type MonthlyAnalysis, type MonthlyParams } from './analysisApi';
import { AnalysisItemDrawer } from './AnalysisItemDrawer';
import { useNodeSelection } from './useNodeSelection';
import { analysisPath } from './paths';

/** Groups of similar reports shown at once: a city's month has hundreds, and each is a card. */
const GROUPS_PER_PAGE = 12;

/** Last month (the month under review at the start of a month), YYYY-MM in China time. */
function defaultMonth(): string {
  const d = new Date(Date.now() + 8 * 3_600_000);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

function useSearch(): URLSearchParams {
  const path = usePathname();
  const [s, setS] = useState(() => new URLSearchParams(location.search));
  useEffect(() => {
    const update = () => setS(new URLSearchParams(location.search));
    update();
    window.addEventListener('popstate', update);
    window.addEventListener('wangge:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('wangge:navigate', update);
    };
  }, [path]);
  return s;
}

export function AnalysisPage({ code }: { code?: string }) {
  const l = useLabels();
  const { t } = l;
  const { me } = useSession();
  const search = useSearch();
  const month = /^\d{4}-(0[1-9]|1[0-2])$/.test(search.get('month') ?? '') ? search.get('month')! : defaultMonth();
  const itemId = Number(search.get('item')) || undefined;
  const { roots, rootsError, selectedCode, current, searchRoot } = useNodeSelection(code);
  const [params, setParams] = useState<MonthlyParams>({});
  const [data, setData] = useState<MonthlyAnalysis>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);
  const [items, setItems] = useState<Item[]>();
  const [reload, setReload] = useState(0);
  const [marking, setMarking] = useState<MonthlyAnalysis['groups'][number]>();
  const [groupPage, setGroupPage] = useState(1);
  const canManage = me.permissions.includes('analysis.manage');
  const canExport = me.permissions.includes('case.export');

  const go = useCallback((node: string | undefined, m: string, item?: number) => navigate(analysisPath(node, m, item)), []);

  useEffect(() => {
    if (!selectedCode) return;
    const ctrl = new AbortController();
    setLoading(true);
    setError(undefined);
    analysisApi
      .monthly({ node: selectedCode, month, ...params }, ctrl.signal)
      .then((d) => {
        setData(d);
        setGroupPage(1);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(err);
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setLoading(false);
      });
    return () => ctrl.abort();
  }, [selectedCode, month, params, reload]);

  useEffect(() => {
    if (!selectedCode) return;
    const ctrl = new AbortController();
    analysisApi
      .items({ node: selectedCode }, ctrl.signal)
      .then((r) => setItems(r.items))
      .catch((err: unknown) => {
        if (!isAbort(err)) setItems([]);
      });
    return () => ctrl.abort();
  }, [selectedCode, reload]);

  if (rootsError) return <Result status="error" title={errorText(t, rootsError)} />;
  if (!roots || !selectedCode) return <div className="wg-fullpage-spin"><Spin size="large" /></div>;
  const a = data && data.node.code === selectedCode && data.month === month ? data : undefined;

  return (
    <div className="wgd-body">
      <section className="wg-panel wgd-tree" aria-label={t('dashboard.tree')}>
        <TreePanel roots={roots} selectedCode={selectedCode} selected={current} searchRoot={searchRoot} onSelect={(c) => go(c, month)} />
      </section>
      <div className="wgd-main">
        <div className="wgd-titlebar">
          <div className="wgd-crumbs">
            <Typography.Title level={4} className="wgd-node-name" data-testid="analysis-node">
              {t('analysis.title')} · {a?.node.name ?? current?.name ?? selectedCode}
            </Typography.Title>
          </div>
          <Space wrap>
            <DatePicker
              picker="month"
              allowClear={false}
              aria-label={t('analysis.month')}
              value={dayjs(`${month}-01`)}
              onChange={(d) => d && go(selectedCode, d.format('YYYY-MM'))}
            />
            {canExport && (
              <Button icon={<DownloadOutlined />} href={analysisApi.exportUrl({ node: selectedCode, month, ...params })} download>
                {t('analysis.export')}
              </Button>
            )}
          </Space>
        </div>
        <ParamsBar value={a?.params} onApply={setParams} />
        {error !== undefined ? (
          <Result status="error" title={errorText(t, error)} />
        ) : !a ? (
          <div className="wgd-loading"><Spin /></div>
        ) : (
          <Spin spinning={loading}>
            {a.truncated && <Typography.Paragraph type="warning">{t('analysis.totals.truncated', { count: a.totals.analysed })}</Typography.Paragraph>}
            <div className="wgd-figures wgd-analysis-totals">
              <Fig label={t('analysis.totals.cases')} value={a.totals.cases} testId="analysis-total" />
              <Fig label={t('analysis.totals.previous')} value={a.totals.previousMonth} />
              <Fig label={t('analysis.totals.located')} value={a.totals.located} />
              <Fig label={t('analysis.totals.hotSpots')} value={a.hotSpots.length} testId="analysis-hotspots" />
              <Fig label={t('analysis.totals.groups')} value={a.groups.length} testId="analysis-groups" />
            </div>
            {a.totals.cases === 0 ? (
              <Empty description={t('analysis.empty')} />
            ) : (
              <>
                <div className="wgd-row wgd-row-3">
                  <Card size="small" title={t('analysis.topCategories')} className="wgd-card">
                    <Table
                      size="small"
                      rowKey="code"
                      pagination={false}
                      dataSource={a.topCategories}
                      columns={[
                        { title: t('analysis.col.name'), render: (_, r) => l.category(r) },
                        { title: t('analysis.col.count'), dataIndex: 'count', width: 70 },
                        { title: t('analysis.col.previous'), dataIndex: 'previousCount', width: 70 },
                        { title: t('analysis.col.share'), dataIndex: 'share', width: 70, render: (s: number) => `${(s * 100).toFixed(1)}%` },
                      ]}
                    />
                  </Card>
                  <Card size="small" title={t('analysis.topPlaces')} className="wgd-card">
                    <Table
                      size="small"
                      rowKey="code"
                      pagination={false}
                      dataSource={a.topPlaces}
                      columns={[
                        { title: t('analysis.col.name'), dataIndex: 'name', render: (n: string, r) => <a onClick={() => go(r.code, month)}>{n}</a> },
                        { title: t('analysis.col.count'), dataIndex: 'count', width: 70 },
                        { title: t('analysis.col.previous'), dataIndex: 'previousCount', width: 70 },
                      ]}
                    />
                  </Card>
                  <Card size="small" title={t('analysis.topAddresses')} className="wgd-card">
                    <Table
                      size="small"
                      rowKey="address"
                      pagination={false}
                      dataSource={a.topAddresses}
                      columns={[
                        { title: t('analysis.col.address'), dataIndex: 'address' },
                        { title: t('analysis.col.count'), dataIndex: 'count', width: 70 },
                      ]}
                    />
                  </Card>
                </div>
                <Card size="small" title={t('analysis.hotSpots')} className="wgd-card">
                  {a.hotSpots.length === 0 ? (
                    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('analysis.noHotSpots')} />
                  ) : (
                    <div className="wgd-hotspots">
                      <HotSpotMap spots={a.hotSpots} />
                      <ol className="wgd-hotspot-list" data-testid="hotspot-list">
                        {a.hotSpots.map((h, i) => (
                          <li key={i}>
                            <div>
                              <strong>{h.nodes.map((n) => n.name).join('、')}</strong>{' '}
                              {h.categories.map((c) => (
                                <Tag key={c.code}>
                                  {l.category(c)} {c.count}
                                </Tag>
                              ))}
                            </div>
                            <Typography.Text type="secondary">
                              {t('analysis.hotSpot', { count: h.count, from: l.time(h.from), to: l.time(h.to), r: Math.round(h.radiusM) })}
                            </Typography.Text>
                            <CaseLinks cases={h.examples} />
                          </li>
                        ))}
                      </ol>
                    </div>
                  )}
                </Card>
                <Card size="small" title={t('analysis.groups')} className="wgd-card">
                  {a.groups.length === 0 ? (
                    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('analysis.noGroups')} />
                  ) : (
                    <div className="wgd-groups" data-testid="group-list">
                      {a.groups.slice((groupPage - 1) * GROUPS_PER_PAGE, groupPage * GROUPS_PER_PAGE).map((g) => (
                        <Card
                          key={g.key}
                          size="small"
                          className="wgd-group"
                          data-testid={`group-${g.key}`}
                          title={
                            <span>
                              <Tag color="blue">{l.category(g.category)}</Tag>
                              {t('analysis.group.count', { count: g.count })}
                            </span>
                          }
                          extra={
                            g.tracked ? (
                              <a onClick={() => go(selectedCode, month, g.tracked!.id)}>
                                {t('analysis.group.tracked', { id: g.tracked.id, status: t(`analysis.items.status.${g.tracked.status}`) })}
                              </a>
                            ) : canManage ? (
                              <Button size="small" type="primary" onClick={() => setMarking(g)}>
                                {t('analysis.group.mark')}
                              </Button>
                            ) : null
                          }
                        >
                          <div>
                            {t('analysis.group.keywords')}：
                            {g.keywords.map((k) => (
                              <Tag key={k}>{k}</Tag>
                            ))}
                            <Typography.Text type="secondary">
                              {t('analysis.group.cohesion')} {g.cohesion.toFixed(2)}
                            </Typography.Text>
                          </div>
                          <div>
                            {t('analysis.group.places')}：{g.places.map((p) => `${p.name}（${p.count}）`).join('、')}
                          </div>
                          <Typography.Paragraph className="wgd-example">“{g.examples[0]?.description}”</Typography.Paragraph>
                          <CaseLinks cases={g.examples} />
                        </Card>
                      ))}
                    </div>
                  )}
                  {a.groups.length > GROUPS_PER_PAGE && (
                    <Pagination
                      className="wgd-pager"
                      size="small"
                      current={groupPage}
                      pageSize={GROUPS_PER_PAGE}
                      total={a.groups.length}
                      showSizeChanger={false}
                      onChange={setGroupPage}
                    />
                  )}
                </Card>
              </>
            )}
          </Spin>
        )}
        <ItemsTable items={items} onOpen={(id) => go(selectedCode, month, id)} />
      </div>
      {marking && a && (
        <MarkModal
          group={marking}
          analysis={a}
          onClose={() => setMarking(undefined)}
          onDone={(id) => {
            setMarking(undefined);
            setReload((n) => n + 1);
            go(selectedCode, month, id);
          }}
        />
      )}
      <AnalysisItemDrawer id={itemId} onClose={() => go(selectedCode, month)} onChanged={() => setReload((n) => n + 1)} />
    </div>
  );
}

function Fig({ label, value, testId }: { label: string; value: number; testId?: string }) {
  return (
    <div className="wgd-figure">
      <div className="wgd-figure-value" data-testid={testId}>
        {value}
      </div>
      <div className="wgd-figure-label">{label}</div>
    </div>
  );
}

export function CaseLinks({ cases }: { cases: CaseRef[] }) {
  const l = useLabels();
  return (
    <ul className="wgd-case-links">
      {cases.map((c) => (
        <li key={c.id}>
          <a href={casePath(c.id)} onClick={(e) => (e.preventDefault(), navigate(casePath(c.id)))}>
            {c.number}
          </a>{' '}
          <Typography.Text type="secondary">
            {l.time(c.createdAt)} {c.nodeName ?? ''}
          </Typography.Text>{' '}
          <span className="wgd-case-text">{c.description}</span>
        </li>
      ))}
    </ul>
  );
}

function ParamsBar({ value, onApply }: { value?: Required<MonthlyParams>; onApply: (p: MonthlyParams) => void }) {
  const { t } = useLabels();
  const [form] = Form.useForm<Required<MonthlyParams>>();
  useEffect(() => {
    if (value) form.setFieldsValue(value);
  }, [value, form]);
  return (
    <Form form={form} layout="inline" className="wgd-params" onFinish={(v) => onApply(v)}>
      <Form.Item name="threshold" label={t('analysis.params.threshold')}>
        <InputNumber min={0.05} max={1} step={0.05} style={{ width: 80 }} />
      </Form.Item>
      <Form.Item name="minGroupSize" label={t('analysis.params.minGroupSize')}>
        <InputNumber min={2} max={100} style={{ width: 70 }} />
      </Form.Item>
      <Form.Item name="radiusM" label={t('analysis.params.radiusM')}>
        <InputNumber min={10} max={5000} step={10} style={{ width: 90 }} />
      </Form.Item>
      <Form.Item name="gapDays" label={t('analysis.params.gapDays')}>
        <InputNumber min={1} max={31} style={{ width: 70 }} />
      </Form.Item>
      <Form.Item>
        <Button htmlType="submit">{t('analysis.params.apply')}</Button>
      </Form.Item>
    </Form>
  );
}

function HotSpotMap({ spots }: { spots: MonthlyAnalysis['hotSpots'] }) {
  const box = useRef<HTMLDivElement>(null);
  const { tileUrl } = useSession().meta;
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const m = L.map(el, { attributionControl: !!tileUrl, maxZoom: 19 });
    if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(m);
    // A view first: a circle in metres needs the map's projection when it is added.
    const bounds = L.latLngBounds(spots.map((h) => [h.lat, h.lng] as [number, number]));
    m.fitBounds(bounds.pad(0.2), { maxZoom: 17 });
    const group = L.featureGroup();
    spots.forEach((h, i) => {
      L.circle([h.lat, h.lng], { radius: Math.max(h.radiusM, 25), color: '#dc2626', weight: 2, fillOpacity: 0.25 }).addTo(group);
      L.marker([h.lat, h.lng], {
        icon: L.divIcon({ className: 'wgd-spot-label', html: `<span>${i + 1}</span>`, iconSize: [22, 22] }),
        title: `${i + 1}: ${h.count}`,
      }).addTo(group);
    });
    group.addTo(m);
    const ro = new ResizeObserver(() => m.invalidateSize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      m.remove();
    };
  }, [spots, tileUrl]);
  return <div ref={box} className="wgd-hotspot-map" data-testid="hotspot-map" />;
}

function ItemsTable({ items, onOpen }: { items?: Item[]; onOpen: (id: number) => void }) {
  const l = useLabels();
  const { t } = l;
  const colour = { open: 'orange', in_progress: 'blue', solved: 'green', dropped: 'default' } as const;
  return (
    <Card size="small" title={t('analysis.items.title')} className="wgd-card">
      <Table
        size="small"
        rowKey="id"
        loading={!items}
        dataSource={items ?? []}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        locale={{ emptyText: t('analysis.items.none') }}
        data-testid="items-table"
        columns={[
          { title: '#', dataIndex: 'id', width: 60 },
          { title: t('analysis.items.col.title'), dataIndex: 'title', render: (x: string, r) => <a onClick={() => onOpen(r.id)}>{x}</a> },
          { title: t('analysis.items.col.node'), render: (_, r) => r.node.name },
          { title: t('analysis.items.col.month'), dataIndex: 'month', width: 90 },
          { title: t('analysis.items.col.status'), dataIndex: 'status', width: 90, render: (s: Item['status']) => <Tag color={colour[s]}>{t(`analysis.items.status.${s}`)}</Tag> },
          { title: t('analysis.items.col.cases'), dataIndex: 'caseCount', width: 80 },
          { title: t('analysis.items.col.newCases'), dataIndex: 'newCaseCount', width: 90, render: (n: number) => (n > 0 ? <Tag color="red">{n}</Tag> : n) },
          { title: t('analysis.items.col.last'), dataIndex: 'lastNewCaseAt', render: (x: string | null) => l.time(x) || '—' },
        ]}
      />
    </Card>
  );
}

function MarkModal({ group, analysis, onClose, onDone }: { group: MonthlyAnalysis['groups'][number]; analysis: MonthlyAnalysis; onClose: () => void; onDone: (id: number) => void }) {
  const l = useLabels();
  const { t } = l;
  const { message } = App.useApp();
  const [form] = Form.useForm<{ title: string; note?: string }>();
  const [saving, setSaving] = useState(false);
  const initial = useMemo(() => ({ title: `${l.category(group.category)}：${group.keywords.slice(0, 3).join(l.isEn ? ', ' : '、')}`.slice(0, 120) }), [group, l]);
  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      const it = await analysisApi.createItem({
        nodeCode: analysis.node.code,
        month: analysis.month,
        categoryCode: group.category.code,
        caseIds: group.caseIds,
        title: v.title,
        note: v.note || undefined,
        threshold: analysis.params.threshold,
      });
      message.success(t('analysis.items.marked'));
      onDone(it.id);
    } catch (err) {
      message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open title={t('analysis.items.markTitle')} onCancel={onClose} onOk={() => void submit()} confirmLoading={saving} okText={t('analysis.items.save')} destroyOnHidden>
      <Typography.Paragraph type="secondary">“{group.examples[0]?.description}” · {t('analysis.group.count', { count: group.count })}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={initial}>
        <Form.Item name="title" label={t('analysis.items.name')} rules={[{ required: true, max: 120 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="note" label={t('analysis.items.note')} rules={[{ max: 2000 }]}>
          <Input.TextArea rows={3} placeholder={t('analysis.items.notePlaceholder')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
