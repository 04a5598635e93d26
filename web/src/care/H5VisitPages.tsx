/** The grid worker's due list (overdue first) and the visit form (H5). */
import { useEffect, useState } from 'react';
import { Alert, App, Button, Checkbox, Empty, Form, Input, Select, Spin, Tag, Upload } from 'antd';
import { useTranslation } from 'react-i18next';
import { H5Shell } from '../h5/H5Shell';
import { useSession } from '../session';
import { navigate } from '../router';
import { errorText } from '../errors';
import { casesApi } from '../cases/casesApi';
import { careApi, categoryOptions, type Counts, type DueItem, type Visit } from './careApi';

const STATUS_COLOR = { overdue: 'red', due: 'orange', done: 'green' } as const;

export function H5VisitsPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const [data, setData] = useState<{ items: DueItem[]; counts: Counts }>();
  const [error, setError] = useState<string>();
  const [filter, setFilter] = useState('');
  useEffect(() => {
    careApi.due({ limit: 500 }).then(setData, (e: unknown) => setError(errorText(t, e)));
  }, [t]);
  return (
    <H5Shell title={t('care.visits.title')}>
      {me.permissions.includes('patrol.record') && (
        <Button block style={{ marginBottom: 8 }} onClick={() => navigate('/h5/track')}>{t('care.patrol.title')}</Button>
      )}
      {error && <Alert type="error" message={error} />}
      {!data && !error && <Spin />}
      {data && (
        <>
          <p className="wgh-muted" data-testid="visit-counts">{t('care.visits.counts', { ...data.counts })}</p>
          <Input.Search allowClear placeholder={t('care.visits.search')} aria-label={t('care.visits.search')} value={filter} onChange={(e) => setFilter(e.target.value.trim())} style={{ marginBottom: 8 }} />
          {data.items.length === 0 && <Empty description={t('care.common.none')} />}
          <ul className="wgh-list" aria-label={t('care.visits.title')}>
            {data.items.filter((d) => !filter || d.name.includes(filter) || (d.address ?? '').includes(filter)).map((d) => (
              <li key={d.residentId} className="wgh-card" style={{ listStyle: 'none', marginBottom: 8, padding: 12, background: '#fff', borderRadius: 8 }}>
                <a href={`/h5/visits/${d.residentId}`} onClick={(e) => { e.preventDefault(); navigate(`/h5/visits/${d.residentId}`); }} style={{ display: 'block', color: 'inherit' }}>
                  <strong>{d.name}</strong> <Tag color={STATUS_COLOR[d.status]}>{t(`care.status.${d.status}`)}</Tag>
                  {d.daysOverdue > 0 && <Tag>{t('care.visits.overdueDays', { n: d.daysOverdue })}</Tag>}
                  <div className="wgh-muted">{d.address}</div>
                  <div className="wgh-muted">
                    {d.tags.map((tag) => t(`registry.tags.${tag}`, { defaultValue: tag })).join('、')} · {t('care.visits.every', { n: d.everyDays })} · {t('care.visits.last')}{' '}
                    {d.lastVisitAt ? new Date(d.lastVisitAt).toLocaleDateString() : t('care.visits.never')}
                  </div>
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </H5Shell>
  );
}

export function H5VisitForm({ residentId }: { residentId: number }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [history, setHistory] = useState<Visit[]>([]);
  const [location, setLocation] = useState<{ lng: number; lat: number }>();
  const [photos, setPhotos] = useState<string[]>([]);
  const [openCase, setOpenCase] = useState(false);
  const [categories, setCategories] = useState<{ value: string; label: string }[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    careApi.visits(residentId).then((r) => setHistory(r.items), () => undefined);
    categoryOptions(i18n.language === 'en').then(setCategories, () => undefined);
  }, [residentId, i18n.language]);
  const locate = () =>
    navigator.geolocation?.getCurrentPosition(
      (p) => setLocation({ lng: Number(p.coords.longitude.toFixed(6)), lat: Number(p.coords.latitude.toFixed(6)) }),
      () => message.warning(t('care.visits.noLocation')),
      { timeout: 8000 },
    );
  const submit = async (v: { findings: string; kind: string; categoryCode?: string }) => {
    setBusy(true);
    try {
      await careApi.recordVisit({
        residentId, findings: v.findings, kind: v.kind, ...(location ? { location } : {}), ...(photos.length ? { photos } : {}),
        ...(openCase && v.categoryCode ? { openCase: { categoryCode: v.categoryCode } } : {}),
      });
      message.success(t('care.visits.saved'));
      navigate('/h5/visits');
    } catch (e) {
      message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <H5Shell title={t('care.visits.form')} back="/h5/visits">
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'home' }}>
        <Form.Item name="kind" label={t('care.visits.kind')}>
          <Select options={(['home', 'phone', 'other'] as const).map((k) => ({ value: k, label: t(`care.visits.kinds.${k}`) }))} />
        </Form.Item>
        <Form.Item name="findings" label={t('care.visits.findings')} rules={[{ required: true, message: t('care.visits.findingsRequired') }]}>
          <Input.TextArea rows={4} maxLength={2000} />
        </Form.Item>
        <Form.Item label={t('care.visits.location')}>
          <Button onClick={locate}>{t('care.visits.locate')}</Button> {location && <span className="wgh-muted">{t('care.visits.located', { x: location.lng, y: location.lat })}</span>}
        </Form.Item>
        <Form.Item label={t('care.visits.photos')}>
          <Upload
            accept="image/*"
            listType="picture"
            customRequest={async ({ file, onSuccess, onError }) => {
              try {
                const r = await casesApi.uploadPhotos([file as Blob], [(file as File).name]);
                setPhotos((p) => [...p, ...r.items.map((x) => x.sha256)]);
                onSuccess?.(r);
              } catch (e) {
                onError?.(e as Error);
              }
            }}
          >
            <Button>{t('care.visits.photos')}</Button>
          </Upload>
        </Form.Item>
        <Checkbox checked={openCase} onChange={(e) => setOpenCase(e.target.checked)}>{t('care.visits.openCase')}</Checkbox>
        {openCase && (
          <Form.Item name="categoryCode" label={t('care.visits.category')} rules={[{ required: true }]}>
            <Select showSearch optionFilterProp="label" options={categories} />
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" block loading={busy} style={{ marginTop: 12 }}>{t('care.visits.record')}</Button>
      </Form>
      <h3 style={{ marginTop: 24 }}>{t('care.visits.history')}</h3>
      {history.length === 0 ? <Empty description={t('care.common.none')} /> : (
        <ul style={{ paddingLeft: 16 }}>
          {history.map((v) => <li key={v.id}>{new Date(v.visitedAt).toLocaleString()} · {t(`care.visits.kinds.${v.kind}`)} · {v.findings}</li>)}
        </ul>
      )}
    </H5Shell>
  );
}
