/** One household, resident, place or thing: its facts (masked), map, members, history and the cases about it. */
import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Descriptions, Empty, List, Result, Space, Spin, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText } from '../errors';
import { ApiError } from '../api';
import { nameOf } from './i18n';
import { registryApi, type HouseholdDetail, type LinkedCase, type PlaceDetail, type Resident, type ThingDetail } from './registryApi';
import { PointMap } from './PointMap';
import { Go } from './Go';
import { RevealButton } from './RevealButton';
import { TagList } from './RegistryLists';

function useLoad<T>(load: () => Promise<T>): { data?: T; error?: unknown; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [n, setN] = useState(0);
  useEffect(() => {
    setError(undefined);
    load().then(setData, setError);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [n]);
  return { data, error, reload: useCallback(() => setN((x) => x + 1), []) };
}

function Loading({ error }: { error?: unknown }) {
  const { t } = useTranslation();
  if (error) return <Result status={error instanceof ApiError && error.status === 404 ? '404' : 'error'} title={errorText(t, error)} />;
  return <Spin style={{ display: 'block', margin: 48 }} />;
}

export function CaseList({ cases }: { cases: LinkedCase[] }) {
  const { t } = useTranslation();
  return (
    <Card size="small" title={t('registry.cases')}>
      {cases.length === 0 ? (
        <Empty description={t('registry.noCases')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={cases}
          columns={[
            { title: t('registry.col.case'), key: 'n', render: (c: LinkedCase) => <Go to={`/cases/${c.id}`}>{c.number}</Go> },
            { title: t('registry.col.category'), dataIndex: 'categoryName' },
            { title: t('registry.col.description'), dataIndex: 'description' },
            { title: t('registry.col.status'), dataIndex: 'status' },
            { title: t('registry.col.createdAt'), key: 'd', render: (c: LinkedCase) => new Date(c.createdAt).toLocaleString() },
          ]}
        />
      )}
    </Card>
  );
}

export function HouseholdPage({ id, compact }: { id: number; compact?: boolean }) {
  const { t } = useTranslation();
  const { data: h, error } = useLoad(() => registryApi.household(id));
  if (!h) return <Loading error={error} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {!compact && <Typography.Title level={4}>{[h.address, h.building, h.unit, h.room].filter(Boolean).join(' ')}</Typography.Title>}
      <Descriptions size="small" bordered column={compact ? 1 : 3}>
        <Descriptions.Item label={t('registry.col.address')}>{[h.address, h.building, h.unit, h.room].filter(Boolean).join(' ')}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.grid')}>{h.nodeName}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.status')}>{t(`registry.status.${h.status}`)}</Descriptions.Item>
      </Descriptions>
      <Card size="small" title={t('registry.members')}>
        <List
          dataSource={h.residents}
          renderItem={(r: Resident) => (
            <List.Item actions={h.abilities.reveal ? [<RevealButton key="r" residentId={r.id} size="small" />] : []}>
              <List.Item.Meta
                title={compact ? r.name : <Go to={`/registry/residents/${r.id}`}>{r.name}</Go>}
                description={
                  <Space wrap size={4}>
                    <span>{nameOf('relation', r.relation)}</span>
                    <span>{nameOf('gender', r.gender)}</span>
                    <span>{r.birthDate}</span>
                    <span>{r.idNumber}</span>
                    <span>{r.phone}</span>
                    <TagList tags={r.tags} />
                    {r.volunteer && <Tag color="green">{t('registry.col.volunteer')}</Tag>}
                    {r.status !== 'active' && <Tag>{t(`registry.status.${r.status}`)}</Tag>}
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      </Card>
      <Card size="small" title={t('registry.map')}>
        {h.lng != null ? <PointMap points={[{ lng: h.lng, lat: h.lat, label: h.address }]} height={compact ? 180 : 240} /> : <Typography.Text type="secondary">{t('registry.noLocation')}</Typography.Text>}
      </Card>
      {h.moves.length > 0 && (
        <Card size="small" title={t('registry.moves')}>
          {h.moves.map((m) => (
            <div key={m.id}>
              {new Date(m.movedAt).toLocaleString()} {t('registry.movedGrid', { from: m.fromNodeCode, to: m.toNodeCode })} {m.by ?? ''} {m.note ?? ''}
            </div>
          ))}
        </Card>
      )}
      {!compact && <CaseList cases={h.cases} />}
    </Space>
  );
}

export function ResidentPage({ id }: { id: number }) {
  const { t } = useTranslation();
  const { data: r, error } = useLoad(() => registryApi.resident(id));
  if (!r) return <Loading error={error} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space>
        <Typography.Title level={4} style={{ margin: 0 }}>{r.name}</Typography.Title>
        {r.abilities.reveal && <RevealButton residentId={r.id} />}
      </Space>
      <Descriptions size="small" bordered column={2}>
        <Descriptions.Item label={t('registry.col.gender')}>{nameOf('gender', r.gender)}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.birthDate')}>{r.birthDate}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.idNumber')}>{r.idNumber ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.phone')}>{r.phone ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.relation')}>{nameOf('relation', r.relation)}</Descriptions.Item>
        <Descriptions.Item label={t('registry.household')}>{r.householdId ? <Go to={`/registry/households/${r.householdId}`}>{r.address}</Go> : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.registered')}>{r.registeredResidence}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.actual')}>{r.actualResidence}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.tags')}><TagList tags={r.tags} /></Descriptions.Item>
        <Descriptions.Item label={t('registry.col.volunteer')}>{r.volunteer ? t('registry.yes') : t('registry.no')}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.status')}>{t(`registry.status.${r.status}`)}</Descriptions.Item>
      </Descriptions>
      {(r.moves ?? []).length > 0 && (
        <Card size="small" title={t('registry.moves')}>
          {r.moves!.map((m) => (
            <div key={m.id}>
              {new Date(m.movedAt).toLocaleString()} {t('registry.movedHousehold', { from: m.fromHouseholdId ?? '—', to: m.toHouseholdId ?? '—' })} {m.by ?? ''} {m.note ?? ''}
            </div>
          ))}
        </Card>
      )}
    </Space>
  );
}

export function PlacePage({ id }: { id: number }) {
  const { t } = useTranslation();
  const { data: p, error } = useLoad<PlaceDetail>(() => registryApi.place(id));
  if (!p) return <Loading error={error} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Title level={4}>{p.name}</Typography.Title>
      <Descriptions size="small" bordered column={3}>
        <Descriptions.Item label={t('registry.col.kind')}>{nameOf('place', p.kind)}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.address')}>{p.address}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.grid')}>{p.nodeName}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.contact')}>{p.contactName}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.phone')}>{p.phone}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.special')}>{p.specialNodeCode ?? '—'}</Descriptions.Item>
      </Descriptions>
      <PointMap points={[{ lng: p.lng, lat: p.lat, label: p.name }]} height={220} />
      {p.households.length > 0 && (
        <Card size="small" title={t('registry.households')}>
          <Space wrap>
            {p.households.map((h) => (
              <Go key={h.id} to={`/registry/households/${h.id}`}>{[h.building, h.unit, h.room].filter(Boolean).join(' ') || h.address}</Go>
            ))}
          </Space>
        </Card>
      )}
      {p.things.length > 0 && (
        <Card size="small" title={t('registry.things')}>
          <Space wrap>
            {p.things.map((x) => (
              <Go key={x.id} to={`/registry/things/${x.id}`}>{x.name}</Go>
            ))}
          </Space>
        </Card>
      )}
      <CaseList cases={p.cases} />
    </Space>
  );
}

export function ThingPage({ id }: { id: number }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { data: x, error, reload } = useLoad<ThingDetail>(() => registryApi.thing(id));
  if (!x) return <Loading error={error} />;
  const setState = async (state: string) => {
    try {
      await registryApi.updateThing(x.id, { state });
      reload();
    } catch (err) {
      message.error(errorText(t, err));
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space>
        <Typography.Title level={4} style={{ margin: 0 }}>{x.name}</Typography.Title>
        <Tag color={x.state === 'normal' ? 'green' : 'red'}>{nameOf('state', x.state)}</Tag>
        {x.abilities.update && (x.state === 'normal' ? <Button size="small" onClick={() => setState('faulty')}>{t('registry.thing.markFaulty')}</Button> : <Button size="small" onClick={() => setState('normal')}>{t('registry.thing.markNormal')}</Button>)}
      </Space>
      <Descriptions size="small" bordered column={3}>
        <Descriptions.Item label={t('registry.col.kind')}>{nameOf('thing', x.kind)}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.code')}>{x.code}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.category')}>{x.categoryName}</Descriptions.Item>
        <Descriptions.Item label={t('registry.col.grid')}>{x.nodeName}</Descriptions.Item>
      </Descriptions>
      <PointMap points={[{ lng: x.lng, lat: x.lat, label: x.name, colour: x.state === 'normal' ? '#1677ff' : '#f5222d' }]} height={220} />
      <CaseList cases={x.cases} />
    </Space>
  );
}
