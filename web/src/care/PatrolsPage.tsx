/** Patrol tracks on the map (console): the patrols of the area, newest first; the chosen one's track and findings. */
import { useEffect, useState } from 'react';
import { Alert, Card, Empty, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText } from '../errors';
import { careApi, type Patrol } from './careApi';
import { TrackMap } from './TrackMap';

export function PatrolsPage() {
  const { t } = useTranslation();
  const [items, setItems] = useState<Patrol[]>([]);
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<Patrol>();
  const [track, setTrack] = useState<number[][]>();
  useEffect(() => {
    careApi.patrols({ limit: 100 }).then((r) => {
      setItems(r.items);
      setSelected(r.items[0]);
    }, (e: unknown) => setError(errorText(t, e)));
  }, [t]);
  useEffect(() => {
    setTrack(undefined);
    if (selected) careApi.track(selected.id).then((tr) => setTrack(tr.geometry.coordinates), () => setTrack([]));
  }, [selected]);
  return (
    <div className="wgc-page">
      <Typography.Title level={4} className="wgc-page-title">{t('care.nav.patrols')}</Typography.Title>
      {error && <Alert type="error" message={error} />}
      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(320px, 2fr) 3fr', gap: 16 }}>
        <Table<Patrol>
          size="small"
          rowKey="id"
          dataSource={items}
          pagination={{ pageSize: 15 }}
          onRow={(r) => ({ onClick: () => setSelected(r), style: { cursor: 'pointer', background: r.id === selected?.id ? '#e6f4ff' : undefined } })}
          columns={[
            { title: t('care.patrol.startedAt'), dataIndex: 'startedAt', render: (v: string) => new Date(v).toLocaleString() },
            { title: t('care.patrol.worker'), dataIndex: 'workerName' },
            { title: t('care.patrol.points'), dataIndex: 'points' },
            { title: t('care.patrol.distance'), dataIndex: 'distanceM', render: (v: number) => Math.round(v) },
            { title: '', dataIndex: 'status', render: (s: string) => <Tag color={s === 'active' ? 'blue' : undefined}>{t(`care.status.${s}`)}</Tag> },
          ]}
        />
        <Card title={selected ? `${selected.nodeName} · ${selected.workerName}` : t('care.nav.patrols')}>
          {!selected ? <Empty /> : track && track.length === 0 ? <Empty description={t('care.patrol.noTrack')} /> : track ? <TrackMap coordinates={track} height={420} /> : null}
          {selected && selected.findings.length > 0 && (
            <>
              <h4 style={{ marginTop: 12 }}>{t('care.patrol.findings')}</h4>
              <ul>{selected.findings.map((f) => <li key={f.caseId}><a href={`/cases/${f.caseId}`}>{f.number}</a> · {f.description}</li>)}</ul>
            </>
          )}
        </Card>
      </div>
    </div>
  );
}
