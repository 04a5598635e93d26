/**
 * The registry lists (人地事物台账): households, residents, places and things
 * in the caller's part of the tree, with filters, the map of the page, tags,
 * a visit-status column (fed by the visits module when it sends one), the
 * import dialog and the export.
 */
import { useEffect, useMemo, useState } from 'react';
import { Button, Dropdown, Input, Modal, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { navigate } from '../router';
import { useSession } from '../session';
import { TAG_KINDS, PLACE_KIND_CODES, THING_KIND_CODES } from '../../../src/domain/registry.js';
import { nameOf } from './i18n';
import { exportUrl, registryApi, type Household, type Page, type Place, type Resident, type Thing } from './registryApi';
import type { RegistryTab } from './paths';
import { ImportDialog } from './ImportDialog';
import { PointMap } from './PointMap';
import { Go } from './Go';

const VISIT_COLOUR = { overdue: 'red', due: 'orange', done: 'green' } as const;

export function TagList({ tags }: { tags: string[] }) {
  return (
    <>
      {tags.map((tg) => (
        <Tag key={tg} color={TAG_KINDS.find((k) => k.code === tg)?.sensitive ? 'volcano' : 'blue'}>
          {nameOf('tag', tg)}
        </Tag>
      ))}
    </>
  );
}

export function RegistryLists({ tab }: { tab: RegistryTab }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const has = (p: string) => me.permissions.includes(p);
  const [node, setNode] = useState('');
  const [q, setQ] = useState('');
  const [extra, setExtra] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const [reload, setReload] = useState(0);
  const [data, setData] = useState<Page<Household | Resident | Place | Thing>>();
  const [loading, setLoading] = useState(false);
  const [exportReason, setExportReason] = useState<{ format: 'xlsx' | 'csv' } | null>(null);
  const [reason, setReason] = useState('');

  useEffect(() => {
    setPage(1);
    setQ('');
    setExtra(undefined);
  }, [tab]);

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    const base = { node: node.trim() || undefined, page, pageSize: 20 };
    const p =
      tab === 'households' ? registryApi.households({ ...base, q: q || undefined }, ctrl.signal)
      : tab === 'residents' ? registryApi.residents({ ...base, name: q || undefined, tag: extra }, ctrl.signal)
      : tab === 'places' ? registryApi.places({ ...base, q: q || undefined, kind: extra }, ctrl.signal)
      : registryApi.things({ ...base, q: q || undefined, kind: extra }, ctrl.signal);
    p.then((d) => setData(d as Page<Household | Resident | Place | Thing>))
      .catch(() => undefined)
      .finally(() => setLoading(false));
    return () => ctrl.abort();
  }, [tab, node, q, extra, page, reload]);

  const ledger = tab === 'households' || tab === 'residents' ? 'residents' : tab;
  const points = useMemo(
    () => (tab === 'residents' ? [] : (data?.items ?? []).map((x) => ({ lng: (x as Household).lng, lat: (x as Household).lat, label: (x as Place).name ?? (x as Household).address }))),
    [data, tab],
  );

  const yesNo = (b: boolean) => (b ? t('registry.yes') : t('registry.no'));
  const columns = {
    households: [
      { title: t('registry.col.address'), key: 'a', render: (h: Household) => <Go to={`/registry/households/${h.id}`}>{[h.address, h.building, h.unit, h.room].filter(Boolean).join(' ')}</Go> },
      { title: t('registry.col.head'), dataIndex: 'headName' },
      { title: t('registry.col.members'), dataIndex: 'memberCount', width: 80 },
      { title: t('registry.col.grid'), dataIndex: 'nodeName' },
    ],
    residents: [
      { title: t('registry.col.name'), key: 'n', render: (r: Resident) => <Go to={`/registry/residents/${r.id}`}>{r.name}</Go> },
      { title: t('registry.col.gender'), key: 'g', width: 60, render: (r: Resident) => nameOf('gender', r.gender) },
      { title: t('registry.col.birthDate'), dataIndex: 'birthDate', width: 110 },
      { title: t('registry.col.idNumber'), dataIndex: 'idNumber', width: 190 },
      { title: t('registry.col.phone'), dataIndex: 'phone', width: 130 },
      { title: t('registry.col.address'), dataIndex: 'address' },
      { title: t('registry.col.tags'), key: 't', render: (r: Resident) => <TagList tags={r.tags} /> },
      { title: t('registry.col.volunteer'), key: 'v', width: 80, render: (r: Resident) => yesNo(r.volunteer) },
      { title: t('registry.col.visit'), key: 'vs', width: 90, render: (r: Resident) => (r.visitStatus ? <Tag color={VISIT_COLOUR[r.visitStatus]}>{t(`registry.visit.${r.visitStatus}`)}</Tag> : '—') },
    ],
    places: [
      { title: t('registry.col.name'), key: 'n', render: (p: Place) => <Go to={`/registry/places/${p.id}`}>{p.name}</Go> },
      { title: t('registry.col.kind'), key: 'k', render: (p: Place) => nameOf('place', p.kind) },
      { title: t('registry.col.address'), dataIndex: 'address' },
      { title: t('registry.col.contact'), dataIndex: 'contactName' },
      { title: t('registry.col.phone'), dataIndex: 'phone' },
      { title: t('registry.col.grid'), dataIndex: 'nodeName' },
    ],
    things: [
      { title: t('registry.col.name'), key: 'n', render: (x: Thing) => <Go to={`/registry/things/${x.id}`}>{x.name}</Go> },
      { title: t('registry.col.code'), dataIndex: 'code' },
      { title: t('registry.col.kind'), key: 'k', render: (x: Thing) => nameOf('thing', x.kind) },
      { title: t('registry.col.state'), key: 's', render: (x: Thing) => <Tag color={x.state === 'normal' ? 'green' : 'red'}>{nameOf('state', x.state)}</Tag> },
      { title: t('registry.col.category'), dataIndex: 'categoryName' },
      { title: t('registry.col.grid'), dataIndex: 'nodeName' },
    ],
  }[tab];

  const filterOptions =
    tab === 'residents' ? TAG_KINDS.map((k) => ({ value: k.code, label: nameOf('tag', k.code) }))
    : tab === 'places' ? PLACE_KIND_CODES.map((k) => ({ value: k, label: nameOf('place', k) }))
    : tab === 'things' ? THING_KIND_CODES.map((k) => ({ value: k, label: nameOf('thing', k) }))
    : null;

  const download = (format: 'xlsx' | 'csv', revealReason?: string) => {
    window.location.href = exportUrl(ledger, { node: node.trim() || undefined, format, ...(revealReason ? { reveal: true, reason: revealReason } : {}) });
  };

  return (
    <div className="wgc-page">
      <div className="wgc-page-head">
        <Typography.Title level={4} className="wgc-page-title">
          {t('registry.nav.registry')}
        </Typography.Title>
        <Space>
          {has('ledger.import') && <ImportDialog defaultKind={ledger} onDone={() => setReload((n) => n + 1)} />}
          <Dropdown
            menu={{
              items: [
                { key: 'xlsx', label: t('registry.export.xlsx') },
                { key: 'csv', label: t('registry.export.csv') },
                ...(ledger === 'residents' && has('resident.reveal') ? [{ key: 'reveal', label: t('registry.export.revealed') }] : []),
              ],
              onClick: ({ key }) => (key === 'reveal' ? setExportReason({ format: 'xlsx' }) : download(key as 'xlsx' | 'csv')),
            }}
          >
            <Button icon={<DownloadOutlined />}>{t('registry.export.button')}</Button>
          </Dropdown>
        </Space>
      </div>
      <Tabs
        activeKey={tab}
        onChange={(k) => navigate(`/registry/${k}`)}
        items={(['households', 'residents', 'places', 'things'] as const)
          .filter((k) => (k === 'places' || k === 'things' ? has('place.read') : has('household.read')))
          .map((k) => ({ key: k, label: t(`registry.tabs.${k}`) }))}
      />
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search allowClear placeholder={t('registry.filter.node')} style={{ width: 200 }} onSearch={(v) => { setNode(v); setPage(1); }} aria-label={t('registry.filter.node')} />
        <Input.Search
          allowClear
          placeholder={t(tab === 'households' ? 'registry.filter.address' : tab === 'residents' ? 'registry.filter.name' : tab === 'places' ? 'registry.filter.placeQ' : 'registry.filter.thingQ')}
          style={{ width: 260 }}
          onSearch={(v) => { setQ(v); setPage(1); }}
          aria-label={t('registry.filter.search')}
        />
        {filterOptions && (
          <Select allowClear placeholder={tab === 'residents' ? t('registry.filter.tag') : t('registry.col.kind')} style={{ width: 180 }} value={extra} onChange={(v) => { setExtra(v); setPage(1); }} options={filterOptions} />
        )}
      </Space>
      {tab !== 'residents' && <div style={{ marginBottom: 12 }}><PointMap points={points} height={220} /></div>}
      <Table
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={data?.items ?? []}
        columns={columns as never}
        pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, onChange: setPage, showSizeChanger: false, showTotal: (n) => t('registry.total', { n }) }}
      />
      <Modal
        open={!!exportReason}
        title={t('registry.export.revealed')}
        onCancel={() => setExportReason(null)}
        okButtonProps={{ disabled: reason.trim().length < 2 }}
        onOk={() => {
          download(exportReason!.format, reason.trim());
          setExportReason(null);
          setReason('');
        }}
      >
        <Typography.Paragraph type="secondary">{t('registry.reveal.hint')}</Typography.Paragraph>
        <Input.TextArea rows={2} maxLength={200} placeholder={t('registry.export.reason')} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Modal>
    </div>
  );
}
