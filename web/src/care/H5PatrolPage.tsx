/**
 * Patrol on the phone (巡查): start and end, the track recorded from the
 * phone's position. Points are queued in localStorage and sent in batches;
 * a lost connection only delays them (the server ignores a point it already
 * has, so a batch may be sent twice). Findings become cases with the patrol attached.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Form, Input, Select, Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { H5Shell } from '../h5/H5Shell';
import { errorText } from '../errors';
import { careApi, categoryOptions, type Patrol, type TrackPoint } from './careApi';
import { TrackMap } from './TrackMap';

const queueKey = (id: number) => `wangge.patrol.${id}.queue`;
const readQueue = (id: number): TrackPoint[] => {
  try {
    return JSON.parse(localStorage.getItem(queueKey(id)) ?? '[]') as TrackPoint[];
  } catch {
    return [];
  }
};
const writeQueue = (id: number, q: TrackPoint[]) => localStorage.setItem(queueKey(id), JSON.stringify(q));

export function H5PatrolPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [patrol, setPatrol] = useState<Patrol>();
  const [queued, setQueued] = useState(0);
  const [online, setOnline] = useState(navigator.onLine);
  const [track, setTrack] = useState<number[][]>([]);
  const [categories, setCategories] = useState<{ value: string; label: string }[]>([]);
  const [findings, setFindings] = useState<{ number: string; description: string }[]>([]);
  const seq = useRef(0);
  const [form] = Form.useForm();

  useEffect(() => {
    careApi.patrols({ mine: true, status: 'active', limit: 1 }).then((r) => setPatrol(r.items[0]), () => undefined);
    categoryOptions(i18n.language === 'en').then(setCategories, () => undefined);
  }, [i18n.language]);

  const flush = useCallback(async () => {
    if (!patrol) return;
    const q = readQueue(patrol.id);
    setQueued(q.length);
    if (!q.length || !navigator.onLine) return;
    try {
      const batch = q.slice(0, 500);
      const r = await careApi.sendPoints(patrol.id, batch);
      // Drop only what was sent: points queued meanwhile stay.
      const sent = new Set(batch.map((p) => p.id));
      const rest = readQueue(patrol.id).filter((p) => !sent.has(p.id));
      writeQueue(patrol.id, rest);
      setQueued(rest.length);
      setPatrol((p) => (p ? { ...p, points: r.total } : p));
      const tr = await careApi.track(patrol.id);
      setTrack(tr.geometry.coordinates);
    } catch {
      // Kept in the queue; the next flush retries.
    }
  }, [patrol]);

  const record = useCallback(
    (lng: number, lat: number, accuracy?: number) => {
      if (!patrol) return;
      const q = readQueue(patrol.id);
      q.push({ id: `${patrol.id}-${Date.now()}-${seq.current++}`, seq: seq.current, at: new Date().toISOString(), lng, lat, ...(accuracy !== undefined ? { accuracy } : {}) });
      writeQueue(patrol.id, q);
      setQueued(q.length);
    },
    [patrol],
  );

  useEffect(() => {
    if (!patrol || patrol.status !== 'active') return;
    const watch = navigator.geolocation?.watchPosition((p) => record(p.coords.longitude, p.coords.latitude, p.coords.accuracy), () => undefined, { enableHighAccuracy: true, maximumAge: 10_000 });
    const timer = window.setInterval(() => void flush(), 10_000);
    const on = () => { setOnline(true); void flush(); };
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    void flush();
    return () => {
      if (watch !== undefined) navigator.geolocation?.clearWatch(watch);
      window.clearInterval(timer);
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, [patrol, record, flush]);

  const start = async () => {
    try {
      setPatrol(await careApi.startPatrol({}));
      setTrack([]);
      message.success(t('care.patrol.started'));
    } catch (e) {
      message.error(errorText(t, e));
    }
  };
  const stop = async () => {
    if (!patrol) return;
    await flush();
    try {
      await careApi.stopPatrol(patrol.id);
      message.success(t('care.patrol.stopped'));
      setPatrol(undefined);
    } catch (e) {
      message.error(errorText(t, e));
    }
  };
  const addCurrent = () =>
    navigator.geolocation?.getCurrentPosition((p) => { record(p.coords.longitude, p.coords.latitude, p.coords.accuracy); void flush(); }, () => message.warning(t('care.visits.noLocation')));
  const report = async (v: { categoryCode: string; description: string }) => {
    if (!patrol) return;
    try {
      const last = track.at(-1);
      const r = await careApi.finding(patrol.id, { ...v, ...(last ? { location: { lng: last[0], lat: last[1] } } : {}) });
      message.success(t('care.patrol.reported', { number: r.number }));
      setFindings((f) => [...f, { number: r.number, description: v.description }]);
      form.resetFields();
    } catch (e) {
      message.error(errorText(t, e));
    }
  };

  return (
    <H5Shell title={t('care.patrol.title')}>
      {!online && <Alert type="warning" message={t('care.patrol.offline')} style={{ marginBottom: 8 }} />}
      {!patrol ? (
        <Button type="primary" size="large" block onClick={start}>{t('care.patrol.start')}</Button>
      ) : (
        <Space direction="vertical" style={{ width: '100%' }}>
          <div>
            <Tag color="blue">{patrol.nodeName}</Tag> <span data-testid="patrol-status">{t('care.patrol.running', { n: patrol.points })}</span>
            {queued > 0 && <Tag color="orange">{t('care.patrol.queued', { n: queued })}</Tag>}
          </div>
          <TrackMap coordinates={track} height={220} />
          <Button onClick={addCurrent}>{t('care.patrol.addPoint')}</Button>
          <Form form={form} layout="vertical" onFinish={report}>
            <h3>{t('care.patrol.report')}</h3>
            <Form.Item name="categoryCode" label={t('care.patrol.category')} rules={[{ required: true }]}>
              <Select showSearch optionFilterProp="label" options={categories} />
            </Form.Item>
            <Form.Item name="description" label={t('care.patrol.description')} rules={[{ required: true }]}>
              <Input.TextArea rows={3} maxLength={2000} />
            </Form.Item>
            <Button htmlType="submit">{t('care.patrol.report')}</Button>
          </Form>
          {findings.length > 0 && (
            <ul aria-label={t('care.patrol.findings')}>{findings.map((f) => <li key={f.number}>{f.number} · {f.description}</li>)}</ul>
          )}
          <Button danger block size="large" onClick={stop}>{t('care.patrol.stop')}</Button>
        </Space>
      )}
    </H5Shell>
  );
}
