/**
 * Report a problem from the phone. A resident: category, what happened,
 * photos from the camera, the place from the phone's location with a pin to
 * drag (or an address). A grid worker on patrol: the same, sent as a patrol
 * finding, optionally "solved on the spot" (自处置) with what was done and
 * photos of the result. One Idempotency-Key per submission, so a double tap
 * on a weak network makes one case.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Form, Input, Switch, Typography } from 'antd';
import { AimOutlined, LoadingOutlined } from '@ant-design/icons';
import { ApiError } from '../api';
import { errorText } from '../errors';
import { navigate } from '../router';
import { useSession } from '../session';
import { casesApi, type LocateResult } from '../cases/casesApi';
import { newIdempotencyKey } from '../cases/http';
import { useLabels } from '../cases/i18n';
import { h5CasePath } from '../cases/paths';
import { CategoryPicker } from '../cases/components/pickers';
import { PhotoPicker } from '../cases/components/PhotoPicker';
import { PinMap } from '../cases/components/PinMap';
import { H5Shell } from './H5Shell';

interface Values {
  categoryCode?: string;
  description?: string;
  address?: string;
  urgent?: boolean;
  photos?: string[];
  solved?: boolean;
  result?: string;
  resultPhotos?: string[];
}

type Fix = { lng: number; lat: number };

export function H5ReportPage({ patrol }: { patrol?: boolean }) {
  const l = useLabels();
  const { t } = l;
  const { message } = App.useApp();
  const { meta } = useSession();
  const [form] = Form.useForm<Values>();
  const solved = Form.useWatch('solved', form);
  const [fix, setFix] = useState<Fix | null>(null);
  const [locating, setLocating] = useState(false);
  const [locProblem, setLocProblem] = useState<string>();
  const [place, setPlace] = useState<LocateResult | null>(null);
  const [uploading, setUploading] = useState(false);
  const [uploading2, setUploading2] = useState(false);
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());

  const locate = useCallback(() => {
    if (!('geolocation' in navigator)) {
      setLocProblem(t('cases.h5.locateDenied'));
      return;
    }
    setLocating(true);
    setLocProblem(undefined);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocating(false);
        // Browsers report WGS-84 (GPS) coordinates; the server converts other systems.
        setFix({ lng: Math.round(pos.coords.longitude * 1e6) / 1e6, lat: Math.round(pos.coords.latitude * 1e6) / 1e6 });
      },
      (err) => {
        setLocating(false);
        setLocProblem(err.code === err.PERMISSION_DENIED ? t('cases.h5.locateDenied') : t('cases.h5.locateFailed', { reason: err.message }));
      },
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  }, [t]);

  useEffect(() => locate(), [locate]);

  // Which grid the pin is in, so the reporter sees where the case will go.
  useEffect(() => {
    if (!fix) return;
    const ctrl = new AbortController();
    casesApi
      .locate(fix.lng, fix.lat, ctrl.signal)
      .then(setPlace)
      .catch(() => setPlace(null));
    return () => ctrl.abort();
  }, [fix]);

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const c = await casesApi.create(
        {
          channel: patrol ? 'patrol' : 'h5',
          categoryCode: v.categoryCode!,
          description: v.description!.trim(),
          location: fix ? { ...fix, crs: 'wgs84' } : undefined,
          address: v.address?.trim() || undefined,
          urgent: v.urgent || undefined,
          photos: v.photos?.length ? v.photos : undefined,
          selfResolved: patrol && v.solved ? { result: v.result!.trim(), photos: v.resultPhotos?.length ? v.resultPhotos : undefined } : undefined,
        },
        key.current,
      );
      key.current = newIdempotencyKey();
      message.success(t('cases.h5.submitted', { number: c.number }));
      navigate(h5CasePath(c.id));
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        const known: Record<string, keyof Values> = { categoryCode: 'categoryCode', description: 'description', address: 'address', photos: 'photos', 'selfResolved.result': 'result', selfResolved: 'result' };
        const f = err.fields.map((x) => ({ name: known[x.field.replace(/\.\d+$/, '')], reason: x.reason })).filter((x) => x.name);
        form.setFields(f.map((x) => ({ name: x.name!, errors: [x.reason] })));
        if (err.fields.some((x) => x.field.startsWith('location'))) setLocProblem(err.fields.find((x) => x.field.startsWith('location'))!.reason);
      }
      message.error(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <H5Shell title={patrol ? t('cases.h5.patrol') : t('cases.h5.report')}>
      <Form form={form} layout="vertical" requiredMark="optional" disabled={busy} className="wgh-form" onFinish={() => void submit().catch(() => undefined)}>
        <section className="wgh-section">
          <Form.Item name="categoryCode" label={t('cases.h5.category')} rules={[{ required: true, message: t('cases.h5.categoryPick') }]}>
            <CategoryPicker placeholder={t('cases.h5.categoryPick')} leavesOnly size="large" />
          </Form.Item>
          <Form.Item name="description" label={t('cases.h5.description')} rules={[{ required: true, whitespace: true, message: t('cases.h5.descriptionPlaceholder') }]}>
            <Input.TextArea rows={4} maxLength={4000} placeholder={t('cases.h5.descriptionPlaceholder')} showCount />
          </Form.Item>
          <Form.Item name="photos" label={t('cases.h5.photos')}>
            <PhotoPicker capture label={t('cases.h5.takePhoto')} onBusyChange={setUploading} />
          </Form.Item>
        </section>

        <section className="wgh-section">
          <div className="wgh-section-head">
            <Typography.Text strong>{t('cases.h5.location')}</Typography.Text>
            <Button size="small" icon={locating ? <LoadingOutlined /> : <AimOutlined />} onClick={locate} disabled={locating}>
              {locating ? t('cases.h5.locating') : t('cases.h5.locate')}
            </Button>
          </div>
          {locProblem && <Alert type="warning" showIcon title={locProblem} className="wgh-gap" />}
          {fix && (
            <>
              <PinMap location={fix} onMove={setFix} tileUrl={meta.tileUrl} height={200} label={t('cases.h5.location')} fallbackCenter={meta.city?.center} />
              <div className="wgh-hint" data-testid="located-in">
                {place ? (place.inGrid ? t('cases.h5.inGrid', { name: place.path.slice(-3).map((p) => p.name).join(' ') }) : t('cases.h5.outsideGrids', { name: place.node.name })) : ' '}
                <span className="wgh-hint-muted"> · {t('cases.h5.dragPin')}</span>
              </div>
            </>
          )}
          <Form.Item name="address" label={t('cases.h5.address')} className="wgh-gap">
            <Input maxLength={300} placeholder={t('cases.h5.addressPlaceholder')} />
          </Form.Item>
          <Form.Item name="urgent" label={t('cases.h5.urgent')} valuePropName="checked" className="wgh-inline">
            <Switch />
          </Form.Item>
        </section>

        {patrol && (
          <section className="wgh-section">
            <Form.Item name="solved" label={t('cases.h5.solvedOnSpot')} valuePropName="checked" className="wgh-inline">
              <Switch />
            </Form.Item>
            {solved && (
              <>
                <Form.Item name="result" label={t('cases.h5.solvedResult')} rules={[{ required: true, whitespace: true, message: t('cases.h5.solvedResultRequired') }]}>
                  <Input.TextArea rows={3} maxLength={2000} />
                </Form.Item>
                <Form.Item name="resultPhotos" label={t('cases.form.photos')}>
                  <PhotoPicker capture onBusyChange={setUploading2} />
                </Form.Item>
              </>
            )}
          </section>
        )}

        <div className="wgh-submit">
          <Button type="primary" size="large" block htmlType="submit" loading={busy} disabled={uploading || uploading2}>
            {t('cases.h5.submit')}
          </Button>
        </div>
      </Form>
    </H5Shell>
  );
}
