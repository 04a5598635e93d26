/**
 * The pages a resident opens without an account (匿名上报): report a problem
 * with a mobile number, then follow the case and rate it with the link the
 * report returns. Phone-sized, zh-CN first.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Radio, Result, Spin, Steps, TreeSelect, Typography } from 'antd';
import { AimOutlined } from '@ant-design/icons';
import { apiRequest, ApiError, isAbort } from '../api';
import { errorText } from '../errors';
import { navigate } from '../router';
import i18n from '../i18n';
import zhCN from '../i18n/public.zh-CN';
import en from '../i18n/public.en';
import { useLabels } from '../cases/i18n';
import { newIdempotencyKey } from '../cases/http';
import { matchPublicRoute } from './paths';
import '../h5/h5.css';

i18n.addResourceBundle('zh-CN', 'translation', zhCN, true, false);
i18n.addResourceBundle('en', 'translation', en, true, false);

interface PublicCategory {
  code: string;
  nameZh: string;
  nameEn: string;
  children: PublicCategory[];
}

interface Followed {
  number: string;
  status: string;
  category: { code: string; nameZh: string; nameEn: string };
  description: string;
  address: string | null;
  place: string | null;
  reportedAt: string;
  dueAt: string | null;
  rating: string | null;
  canRate: boolean;
  timeline: { seq: number; action: string; from: string | null; to: string | null; note: string | null; at: string }[];
}

function Frame({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="wgh-app">
      <header className="wgh-bar">
        <h1 className="wgh-title">{title}</h1>
      </header>
      <main className="wgh-main">{children}</main>
    </div>
  );
}

export default function PublicScreens({ path }: { path: string }) {
  const route = matchPublicRoute(path);
  if (route?.screen === 'follow') return <FollowPage number={route.number} token={new URLSearchParams(window.location.search).get('token') ?? ''} />;
  return <AnonymousReportPage />;
}

interface Values {
  categoryCode?: string;
  description?: string;
  phone?: string;
  name?: string;
  address?: string;
}

function AnonymousReportPage() {
  const l = useLabels();
  const { t, isEn } = l;
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [cats, setCats] = useState<PublicCategory[]>();
  const [fix, setFix] = useState<{ lng: number; lat: number } | null>(null);
  const [locProblem, setLocProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ number: string; followUrl: string }>();
  const key = useRef(newIdempotencyKey());

  useEffect(() => {
    const ctrl = new AbortController();
    apiRequest<{ items: PublicCategory[] }>('GET', '/api/public/categories', { signal: ctrl.signal })
      .then((r) => setCats(r.items))
      .catch((err: unknown) => isAbort(err) || message.error(errorText(t, err)));
    return () => ctrl.abort();
  }, [message, t]);

  const treeData = useMemo(() => {
    const map = (xs: PublicCategory[]): object[] =>
      xs.map((c) => ({ value: c.code, title: isEn ? c.nameEn : c.nameZh, selectable: c.children.length === 0, children: map(c.children) }));
    return map(cats ?? []);
  }, [cats, isEn]);

  const locate = useCallback(() => {
    if (!('geolocation' in navigator)) return setLocProblem(t('public.locateFailed'));
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocProblem(undefined);
        setFix({ lng: Math.round(pos.coords.longitude * 1e6) / 1e6, lat: Math.round(pos.coords.latitude * 1e6) / 1e6 });
      },
      () => setLocProblem(t('public.locateFailed')),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  }, [t]);

  const submit = async (v: Values) => {
    if (!fix && !v.address?.trim()) {
      form.setFields([{ name: 'address', errors: [t('public.needPlace')] }]);
      return;
    }
    setBusy(true);
    try {
      const r = await apiRequest<{ number: string; followUrl: string }>('POST', '/api/public/cases', {
        body: {
          channel: 'h5',
          categoryCode: v.categoryCode,
          description: v.description!.trim(),
          location: fix ? { ...fix, crs: 'wgs84' } : undefined,
          address: v.address?.trim() || undefined,
          reporter: { phone: v.phone!.trim(), name: v.name?.trim() || undefined },
        },
        headers: { 'Idempotency-Key': key.current },
      });
      key.current = newIdempotencyKey();
      setDone(r);
    } catch (err) {
      if (err instanceof ApiError) {
        const known: Record<string, keyof Values> = { categoryCode: 'categoryCode', description: 'description', 'reporter.phone': 'phone', address: 'address', location: 'address' };
        form.setFields(err.fields.filter((f) => known[f.field]).map((f) => ({ name: known[f.field]!, errors: [f.reason] })));
      }
      message.error(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    const url = `${window.location.origin}${done.followUrl}`;
    return (
      <Frame title={t('public.reportTitle')}>
        <Result
          status="success"
          title={t('public.submitted', { number: done.number })}
          subTitle={
            <>
              <div>{t('public.keepLink')}</div>
              <Typography.Text copyable data-testid="follow-url">
                {url}
              </Typography.Text>
            </>
          }
          extra={<Button type="primary" onClick={() => navigate(done.followUrl)}>{t('public.openFollow')}</Button>}
        />
      </Frame>
    );
  }
  return (
    <Frame title={t('public.reportTitle')}>
      <Alert type="info" showIcon title={t('public.reportIntro')} className="wgh-gap" />
      <Form form={form} layout="vertical" disabled={busy} className="wgh-form" onFinish={(v) => void submit(v)}>
        <section className="wgh-section">
          <Form.Item name="categoryCode" label={t('public.category')} rules={[{ required: true, message: t('public.categoryPick') }]}>
            <TreeSelect treeData={treeData} showSearch treeNodeFilterProp="title" placeholder={t('public.categoryPick')} loading={!cats} size="large" />
          </Form.Item>
          <Form.Item name="description" label={t('public.description')} rules={[{ required: true, whitespace: true, message: t('public.descriptionPlaceholder') }]}>
            <Input.TextArea rows={4} maxLength={4000} showCount placeholder={t('public.descriptionPlaceholder')} />
          </Form.Item>
        </section>
        <section className="wgh-section">
          <Form.Item label={t('public.location')}>
            <Button icon={<AimOutlined />} onClick={locate}>
              {fix ? t('public.located') : t('public.locate')}
            </Button>
            {locProblem && <Alert type="warning" showIcon title={locProblem} className="wgh-gap" />}
          </Form.Item>
          <Form.Item name="address" label={t('public.address')}>
            <Input maxLength={300} placeholder={t('public.addressPlaceholder')} />
          </Form.Item>
        </section>
        <section className="wgh-section">
          <Form.Item name="phone" label={t('public.phone')} rules={[{ required: true, pattern: /^1[3-9]\d{9}$/, message: t('public.phoneInvalid') }]}>
            <Input inputMode="tel" maxLength={11} size="large" />
          </Form.Item>
          <Form.Item name="name" label={t('public.name')}>
            <Input maxLength={60} />
          </Form.Item>
        </section>
        <div className="wgh-submit">
          <Button type="primary" size="large" block htmlType="submit" loading={busy}>
            {t('public.submit')}
          </Button>
          <Button type="link" block onClick={() => navigate('/login')}>
            {t('public.signIn')}
          </Button>
        </div>
      </Form>
    </Frame>
  );
}

function FollowPage({ number, token }: { number: string; token: string }) {
  const l = useLabels();
  const { t, isEn } = l;
  const { message } = App.useApp();
  const [c, setC] = useState<Followed | null>();
  const [rating, setRating] = useState<string>('satisfied');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const url = `/api/public/cases/${number}`;

  useEffect(() => {
    const ctrl = new AbortController();
    apiRequest<Followed>('GET', `${url}?token=${encodeURIComponent(token)}`, { signal: ctrl.signal })
      .then(setC)
      .catch((err: unknown) => isAbort(err) || setC(null));
    return () => ctrl.abort();
  }, [url, token]);

  const rate = async () => {
    setBusy(true);
    try {
      setC(await apiRequest<Followed>('POST', `${url}/rate`, { body: { token, rating, comment: comment.trim() || undefined } }));
      message.success(t('public.rated'));
    } catch (err) {
      message.error(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  if (c === undefined) return <Spin size="large" className="wg-fullpage-spin" />;
  if (c === null) return <Frame title={t('public.followTitle')}><Result status="404" title={t('public.notFound')} /></Frame>;
  const when = (iso: string) => new Date(iso).toLocaleString(isEn ? 'en-GB' : 'zh-CN', { hour12: false });
  return (
    <Frame title={t('public.followTitle')}>
      <Card size="small" className="wgh-gap">
        <Typography.Paragraph strong>
          {c.number} · {isEn ? c.category.nameEn : c.category.nameZh}
        </Typography.Paragraph>
        <Typography.Paragraph>{c.description}</Typography.Paragraph>
        <div>
          {t('public.status')}: <strong data-testid="follow-status">{l.status(c.status)}</strong>
        </div>
        <div>{t('public.reportedAt')}: {when(c.reportedAt)}</div>
        {c.dueAt && <div>{t('public.dueAt')}: {when(c.dueAt)}</div>}
      </Card>
      {c.canRate && (
        <Card size="small" title={t('public.rateTitle')} className="wgh-gap">
          <Radio.Group value={rating} onChange={(e) => setRating(e.target.value as string)} optionType="button" buttonStyle="solid"
            options={['satisfied', 'basically_satisfied', 'unsatisfied'].map((r) => ({ value: r, label: l.rating(r) }))} />
          <Input.TextArea rows={2} maxLength={500} value={comment} onChange={(e) => setComment(e.target.value)} placeholder={t('public.comment')} className="wgh-gap" />
          <Button type="primary" block loading={busy} onClick={() => void rate()} className="wgh-gap">
            {t('public.submit')}
          </Button>
        </Card>
      )}
      <Card size="small" title={t('public.timeline')}>
        <Steps
          direction="vertical"
          size="small"
          current={c.timeline.length - 1}
          items={c.timeline.map((e) => ({ title: l.event({ action: e.action, data: null }), description: <>{when(e.at)}{e.note ? ` · ${e.note}` : ''}</> }))}
        />
      </Card>
    </Frame>
  );
}
