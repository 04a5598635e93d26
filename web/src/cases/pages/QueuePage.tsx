/**
 * The case queue (事件队列): counts by state and clock at the top (click to
 * filter), filters (state, category, clock colour, handler, area, channel,
 * urgency, words or number, my work), sort and paging; a row opens the case.
 * The filters live for the page session, so coming back from a case keeps them.
 */
import { useEffect, useMemo, useState } from 'react';
import { App, Badge, Button, Card, Checkbox, Col, Input, Row, Segmented, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { errorText } from '../../errors';
import { isAbort } from '../../api';
import { navigate } from '../../router';
import { useSession } from '../../session';
import { CASE_STATUSES } from '../../../../src/domain/case-lifecycle.js';
import { casesApi, type CaseCounts, type CaseListItem, type CasePage, type Department, type QueueQuery } from '../casesApi';
import { CLOCK_COLOURS, STATUS_COLOURS, useLabels } from '../i18n';
import { casePath } from '../paths';
import { CategoryPicker, NodePicker } from '../components/pickers';
import { ClockTag, StatusTag } from '../components/tags';
import { ExportButton } from '../../ledgers/ExportButton';

const CHANNELS = ['h5', 'resident_app', 'hotline', 'patrol', 'console', 'station', 'linkage', 'partner', 'import'];

interface Filters {
  status: string[];
  category?: string;
  clock?: 'green' | 'yellow' | 'red';
  /** department:<id> or node:<code> */
  handler?: string;
  node?: string;
  channel?: string;
  urgent: boolean;
  q: string;
  mine: '' | 'handling' | 'reported';
  sort: 'newest' | 'oldest' | 'due';
  page: number;
  pageSize: number;
}

const INITIAL: Filters = { status: ['open'], urgent: false, q: '', mine: '', sort: 'newest', page: 1, pageSize: 20 };
let remembered: Filters | undefined;

function toQuery(f: Filters): QueueQuery {
  return {
    status: f.status.length ? f.status.join(',') : undefined,
    category: f.category,
    clock: f.clock,
    handler: f.handler,
    node: f.node,
    channel: f.channel,
    urgent: f.urgent || undefined,
    q: f.q.trim() || undefined,
    mine: f.mine || undefined,
    sort: f.sort,
    page: f.page,
    pageSize: f.pageSize,
  };
}

export function QueuePage() {
  const l = useLabels();
  const { t } = l;
  const { message } = App.useApp();
  const { me } = useSession();
  const [f, setF] = useState<Filters>(() => remembered ?? INITIAL);
  const [q, setQ] = useState(f.q);
  const [data, setData] = useState<CasePage>();
  const [counts, setCounts] = useState<CaseCounts>();
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const set = (patch: Partial<Filters>) => setF((prev) => ({ ...prev, page: 1, ...patch }));

  useEffect(() => {
    remembered = f;
    const ctrl = new AbortController();
    setLoading(true);
    casesApi
      .list(toQuery(f), ctrl.signal)
      .then(setData)
      .catch((err: unknown) => {
        if (!isAbort(err)) message.error(errorText(t, err));
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setLoading(false);
      });
    return () => ctrl.abort();
  }, [f, tick, message, t]);

  useEffect(() => {
    const ctrl = new AbortController();
    casesApi
      .counts(f.node, ctrl.signal)
      .then(setCounts)
      .catch(() => undefined);
    return () => ctrl.abort();
  }, [f.node, tick]);

  const columns: TableColumnsType<CaseListItem> = useMemo(
    () => [
      {
        title: t('cases.queue.number'),
        dataIndex: 'number',
        width: 190,
        render: (n: string, r) => (
          <Space size={4} orientation="vertical">
            <a
              href={casePath(r.id)}
              onClick={(e) => {
                e.preventDefault();
                e.stopPropagation();
                navigate(casePath(r.id));
              }}
            >
              {n}
            </a>
            {r.urgent && <Tag color="red">{t('cases.queue.urgentTag')}</Tag>}
          </Space>
        ),
      },
      { title: t('cases.queue.status'), dataIndex: 'status', width: 110, render: (s: string) => <StatusTag status={s} /> },
      { title: t('cases.queue.clock'), dataIndex: 'clockColour', width: 90, render: (c: string, r) => (['closed', 'rejected', 'cancelled', 'merged'].includes(r.status) ? null : <ClockTag colour={c} />) },
      { title: t('cases.queue.category'), dataIndex: 'category', width: 150, render: (_: unknown, r) => l.category(r.category) },
      {
        title: t('cases.queue.description'),
        dataIndex: 'description',
        ellipsis: true,
        render: (d: string, r) => (
          <Tooltip title={d} placement="topLeft">
            {d}
            {r.reopenCount > 0 && (
              <Tag color="volcano" style={{ marginInlineStart: 6 }}>
                {t('cases.queue.reopened', { n: r.reopenCount })}
              </Tag>
            )}
          </Tooltip>
        ),
      },
      { title: t('cases.queue.node'), dataIndex: 'node', width: 150, ellipsis: true, render: (_: unknown, r) => r.node?.name ?? '—' },
      { title: t('cases.queue.handler'), dataIndex: 'handler', width: 160, ellipsis: true, render: (_: unknown, r) => (r.handler ? (r.handler.name ?? l.handlerType(r.handler.type)) : '—') },
      { title: t('cases.queue.channel'), dataIndex: 'channel', width: 90, render: (c: string) => l.channel(c) },
      { title: t('cases.queue.createdAt'), dataIndex: 'createdAt', width: 160, render: (x: string) => l.time(x) },
      { title: t('cases.queue.dueAt'), dataIndex: 'handleDueAt', width: 160, render: (x: string | null, r) => l.time(x ?? r.acceptDueAt) || '—' },
    ],
    [l, t],
  );

  const statusOptions = [{ value: 'open', label: t('cases.queue.openOnly') }, ...CASE_STATUSES.map((s) => ({ value: s, label: l.status(s) }))];
  const total = data ? (data.page - 1) * data.pageSize + data.items.length + (data.hasMore ? 1 : 0) : 0;

  return (
    <div className="wgc-page">
      <div className="wgc-page-head">
        <Typography.Title level={4} className="wgc-page-title">
          {t('cases.queue.title')}
        </Typography.Title>
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => setTick((x) => x + 1)}>
            {t('cases.common.refresh')}
          </Button>
          {me.permissions.includes('case.export') && <ExportButton query={toQuery(f)} />}
          {me.permissions.includes('case.dispatch') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/intake')}>
              {t('cases.queue.newCase')}
            </Button>
          )}
        </Space>
      </div>

      {counts && (
        <Card size="small" className="wgc-counts" aria-label={t('cases.queue.status')}>
          <Space wrap size={[8, 8]}>
            {CASE_STATUSES.filter((s) => counts.byStatus[s]).map((s) => (
              <Tag.CheckableTag
                key={s}
                checked={f.status.length === 1 && f.status[0] === s}
                onChange={(on) => set({ status: on ? [s] : ['open'] })}
                className="wgc-count-tag"
                data-status={s}
              >
                <Badge color={STATUS_COLOURS[s] === 'processing' ? 'blue' : STATUS_COLOURS[s]} text={`${l.status(s)} ${counts.byStatus[s]}`} />
              </Tag.CheckableTag>
            ))}
            <span className="wgc-count-sep">{t('cases.queue.openByClock')}:</span>
            {(['red', 'yellow', 'green'] as const).map((c) => (
              <Tag.CheckableTag key={c} checked={f.clock === c} onChange={(on) => set({ clock: on ? c : undefined })} className="wgc-count-tag" data-clock={c}>
                <Badge color={CLOCK_COLOURS[c] === 'gold' ? 'orange' : CLOCK_COLOURS[c]} text={`${l.clock(c)} ${counts.openByClock[c] ?? 0}`} />
              </Tag.CheckableTag>
            ))}
          </Space>
        </Card>
      )}

      <Card size="small" className="wgc-filters" title={t('cases.queue.filters')}>
        <Row gutter={[12, 8]}>
          <Col xs={24} md={12} xl={6}>
            <Select
              mode="multiple"
              allowClear
              style={{ width: '100%' }}
              aria-label={t('cases.queue.status')}
              placeholder={t('cases.queue.status')}
              value={f.status}
              options={statusOptions}
              maxTagCount="responsive"
              onChange={(v: string[]) => set({ status: v.includes('open') && v[v.length - 1] !== 'open' ? v.filter((x) => x !== 'open') : v.includes('open') ? ['open'] : v })}
            />
          </Col>
          <Col xs={24} md={12} xl={6}>
            <CategoryPicker value={f.category} onChange={(v) => set({ category: v })} placeholder={t('cases.queue.category')} allowClear includeInactive />
          </Col>
          <Col xs={12} md={6} xl={3}>
            <Select
              allowClear
              style={{ width: '100%' }}
              aria-label={t('cases.queue.clock')}
              placeholder={t('cases.queue.clock')}
              value={f.clock}
              onChange={(v) => set({ clock: v })}
              options={(['green', 'yellow', 'red'] as const).map((c) => ({ value: c, label: l.clock(c) }))}
            />
          </Col>
          <Col xs={12} md={6} xl={3}>
            <Select
              allowClear
              style={{ width: '100%' }}
              aria-label={t('cases.queue.channel')}
              placeholder={t('cases.queue.channel')}
              value={f.channel}
              onChange={(v) => set({ channel: v })}
              options={CHANNELS.map((c) => ({ value: c, label: l.channel(c) }))}
            />
          </Col>
          <Col xs={24} md={12} xl={6}>
            <NodePicker value={f.node} onChange={(v) => set({ node: v })} placeholder={t('cases.queue.node')} />
          </Col>
          <Col xs={24} md={12} xl={6}>
            <HandlerFilter value={f.handler} onChange={(v) => set({ handler: v })} />
          </Col>
          <Col xs={24} md={12} xl={6}>
            <Input.Search
              allowClear
              aria-label={t('cases.queue.q')}
              placeholder={t('cases.queue.q')}
              value={q}
              onChange={(e) => setQ(e.target.value)}
              onSearch={(v) => set({ q: v })}
            />
          </Col>
          <Col xs={24} md={12} xl={6}>
            <Segmented
              value={f.mine}
              onChange={(v) => set({ mine: v as Filters['mine'] })}
              options={[
                { value: '', label: t('cases.queue.mineAll') },
                ...(me.permissions.includes('case.handle') ? [{ value: 'handling', label: t('cases.queue.mineHandling') }] : []),
                { value: 'reported', label: t('cases.queue.mineReported') },
              ]}
            />
          </Col>
          <Col xs={12} md={6} xl={3}>
            <Select
              style={{ width: '100%' }}
              aria-label={t('cases.queue.sort')}
              value={f.sort}
              onChange={(v) => set({ sort: v })}
              options={[
                { value: 'newest', label: t('cases.queue.sortNewest') },
                { value: 'oldest', label: t('cases.queue.sortOldest') },
                { value: 'due', label: t('cases.queue.sortDue') },
              ]}
            />
          </Col>
          <Col xs={12} md={6} xl={3}>
            <Space>
              <Checkbox checked={f.urgent} onChange={(e) => set({ urgent: e.target.checked })}>
                {t('cases.queue.urgent')}
              </Checkbox>
              <Button
                type="link"
                onClick={() => {
                  setQ('');
                  setF(INITIAL);
                }}
              >
                {t('cases.common.reset')}
              </Button>
            </Space>
          </Col>
        </Row>
      </Card>

      <Table<CaseListItem>
        className="wgc-queue"
        rowKey="id"
        size="middle"
        loading={loading}
        columns={columns}
        dataSource={data?.items ?? []}
        locale={{ emptyText: t('cases.queue.empty') }}
        scroll={{ x: 1200 }}
        onRow={(r) => ({ onClick: () => navigate(casePath(r.id)), className: 'wg-clickable', 'data-case-id': r.id } as React.HTMLAttributes<HTMLElement>)}
        pagination={{
          current: f.page,
          pageSize: f.pageSize,
          total,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100],
          showTotal: () => t('cases.common.page', { page: f.page }),
          onChange: (page, pageSize) => setF((prev) => ({ ...prev, page: pageSize !== prev.pageSize ? 1 : page, pageSize })),
        }}
      />
    </div>
  );
}

/**
 * The handler filter: a department (department:<id>), or a node's own office
 * or grid worker (node:<code>) among the nodes where the user holds a role.
 */
function HandlerFilter({ value, onChange }: { value?: string; onChange: (v: string | undefined) => void }) {
  const { t } = useLabels();
  const { me } = useSession();
  const [depts, setDepts] = useState<Department[]>();
  useEffect(() => {
    const ctrl = new AbortController();
    casesApi
      .departments(undefined, ctrl.signal)
      .then((r) => setDepts(r.items.filter((d) => d.status === 'active')))
      .catch(() => setDepts([]));
    return () => ctrl.abort();
  }, []);
  const options = useMemo(() => {
    const nodes = me.roles.filter((r) => r.nodeCode && r.role !== 'department_staff' && r.role !== 'resident');
    const groups: { label: string; options: { value: string; label: string }[] }[] = [];
    if (nodes.length) groups.push({ label: t('cases.handlerType.node_office'), options: [...new Map(nodes.map((r) => [r.nodeCode!, { value: `node:${r.nodeCode}`, label: r.nodeName ?? r.nodeCode! }])).values()] });
    const byNode = new Map<string, { label: string; options: { value: string; label: string }[] }>();
    for (const d of depts ?? []) {
      const g = byNode.get(d.nodeCode) ?? { label: `${t('cases.handlerType.department')} · ${d.nodeName}`, options: [] };
      g.options.push({ value: `department:${d.id}`, label: d.name });
      byNode.set(d.nodeCode, g);
    }
    return [...groups, ...[...byNode.entries()].sort((a, b) => b[0].length - a[0].length).map(([, g]) => g)];
  }, [depts, me.roles, t]);
  return (
    <Select
      allowClear
      style={{ width: '100%' }}
      aria-label={t('cases.queue.handler')}
      placeholder={t('cases.queue.handler')}
      value={value}
      onChange={(v) => onChange(v ?? undefined)}
      options={options}
      loading={!depts}
      showSearch={{ optionFilterProp: 'label' }}
    />
  );
}
