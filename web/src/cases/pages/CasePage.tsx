/**
 * One case in the console: what, where (a pin in its grid), who reported it,
 * who handles it and by when, the route the responsibility list chose and
 * why, photos, possible duplicates, the timeline, and exactly the actions the
 * signed-in user may take now.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Collapse, Descriptions, Empty, Image, Result, Row, Space, Spin, Tag, Typography } from 'antd';
import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons';
import { ApiError, isAbort, type NodeFeatures } from '../../api';
import { errorText } from '../../errors';
import { navigate } from '../../router';
import { useSession } from '../../session';
import { casesApi, type ActionResult, type CaseDetail } from '../casesApi';
import { useLabels } from '../i18n';
import { casePath } from '../paths';
import { CaseActions, useDialogState } from '../components/CaseActions';
import { CaseTimeline } from '../components/CaseTimeline';
import { PinMap } from '../components/PinMap';
import { SimpleList } from '../components/SimpleList';
import { ClockTag, StatusTag, UrgentTag } from '../components/tags';

export function useCase(id: number) {
  const [c, setC] = useState<CaseDetail>();
  const [error, setError] = useState<unknown>();
  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const r = await casesApi.get(id, signal);
        setC(r);
        setError(undefined);
      } catch (err) {
        if (!isAbort(err)) setError(err);
      }
    },
    [id],
  );
  useEffect(() => {
    setC(undefined);
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);
  return { c, setC, error, reload: () => load() };
}

export function CasePage({ id }: { id: number }) {
  const l = useLabels();
  const { t } = l;
  const { message } = App.useApp();
  const { meta, me } = useSession();
  const { c, setC, error, reload } = useCase(id);
  const [outline, setOutline] = useState<NodeFeatures | null>(null);
  const [dialog, setDialog] = useDialogState();

  const nodeCode = c?.node?.code;
  useEffect(() => {
    if (!nodeCode || !me.permissions.includes('node.read')) return;
    const ctrl = new AbortController();
    casesApi
      .geojson(nodeCode, ctrl.signal)
      .then((fc) => setOutline({ ...fc, features: fc.features.filter((f) => f.properties.role === 'self') }))
      .catch(() => setOutline(null));
    return () => ctrl.abort();
  }, [nodeCode, me.permissions]);

  const onGone = (r: ActionResult) => {
    message.info(t('cases.detail.noLongerVisible'));
    setC((prev) => (prev ? { ...prev, status: r.status, abilities: [] } : prev));
    navigate('/cases');
  };

  if (error) {
    const notFound = error instanceof ApiError && error.status === 404;
    return (
      <Result
        status={notFound ? '404' : 'error'}
        title={notFound ? t('errors.CASE_NOT_FOUND') : t('cases.common.loadFailed')}
        subTitle={notFound ? undefined : errorText(t, error)}
        extra={<Button onClick={() => navigate('/cases')}>{t('cases.detail.back')}</Button>}
      />
    );
  }
  if (!c) {
    return (
      <div className="wg-fullpage-spin">
        <Spin size="large" />
      </div>
    );
  }

  const open = !['closed', 'rejected', 'cancelled', 'merged'].includes(c.status);
  const route = c.route;
  const reporterPhotos = c.photos;

  return (
    <div className="wgc-page" data-testid="case-page" data-status={c.status}>
      <div className="wgc-page-head">
        <Space wrap align="center">
          <Button icon={<ArrowLeftOutlined />} onClick={() => navigate('/cases')} aria-label={t('cases.detail.back')} />
          <Typography.Title level={4} className="wgc-page-title" data-testid="case-number">
            {c.number}
          </Typography.Title>
          <StatusTag status={c.status} />
          {open && <ClockTag colour={c.clock.colour} />}
          {c.urgent && <UrgentTag />}
          {c.counts.reopen > 0 && <Tag color="volcano">{t('cases.queue.reopened', { n: c.counts.reopen })}</Tag>}
        </Space>
        <Button icon={<ReloadOutlined />} onClick={() => void reload()}>
          {t('cases.common.refresh')}
        </Button>
      </div>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card size="small" title={t('cases.detail.title')}>
            <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
              <Descriptions.Item label={t('cases.detail.category')}>{l.category(c.category)}</Descriptions.Item>
              <Descriptions.Item label={t('cases.detail.channel')}>{l.channel(c.channel)}</Descriptions.Item>
              <Descriptions.Item label={t('cases.detail.description')} span="filled">
                <Typography.Paragraph className="wgc-description" data-testid="case-description">
                  {c.description}
                </Typography.Paragraph>
              </Descriptions.Item>
              <Descriptions.Item label={t('cases.detail.place')} span="filled">
                {c.node?.pathNames ?? c.node?.name ?? '—'}
              </Descriptions.Item>
              {c.address && (
                <Descriptions.Item label={t('cases.detail.address')} span="filled">
                  {c.address}
                </Descriptions.Item>
              )}
              <Descriptions.Item label={t('cases.detail.reporter')}>
                {[c.reporter.name, c.reporter.phone].filter(Boolean).join(' · ') || '—'}
                {c.reporter.isMe && t('cases.detail.reporterMe')}
              </Descriptions.Item>
              <Descriptions.Item label={t('cases.detail.createdAt')}>{l.time(c.createdAt)}</Descriptions.Item>
              <Descriptions.Item label={t('cases.detail.handler')} span="filled">
                <span data-testid="case-handler">{c.handler ? `${c.handler.name ?? ''}${l.paren(l.handlerType(c.handler.type))}` : '—'}</span>
                {c.handler && c.handlingLevel && <Tag style={{ marginInlineStart: 8 }}>{l.level(c.handlingLevel)}</Tag>}
              </Descriptions.Item>
              {c.coHandlers.length > 0 && (
                <Descriptions.Item label={t('cases.detail.coHandlers')} span="filled">
                  {c.coHandlers.map((x) => (
                    <div key={x.departmentId}>
                      {x.name} <Tag>{x.status === 'pending' ? t('cases.detail.coPending') : t('cases.detail.coReported')}</Tag>
                      {x.report && <Typography.Text type="secondary">{x.report}</Typography.Text>}
                    </div>
                  ))}
                </Descriptions.Item>
              )}
              {open && (c.clock.handleDueAt || (c.status === 'reported' && c.clock.acceptDueAt)) && (
                <Descriptions.Item label={t('cases.detail.clock')} span="filled">
                  <Space wrap size={[12, 4]}>
                    {c.status === 'reported' && c.clock.acceptDueAt && (
                      <span>
                        {t('cases.detail.acceptDue')}: {l.time(c.clock.acceptDueAt)}
                      </span>
                    )}
                    {c.status === 'dispatched' && c.clock.signDueAt && (
                      <span>
                        {t('cases.detail.signDue')}: {l.time(c.clock.signDueAt)}
                      </span>
                    )}
                    {c.clock.handleDueAt && (
                      <span>
                        {t('cases.detail.handleDue')}: {l.time(c.clock.handleDueAt)}
                      </span>
                    )}
                    {c.clock.supervisedAt && <Tag color="red">{t('cases.detail.supervised')}</Tag>}
                  </Space>
                </Descriptions.Item>
              )}
              <Descriptions.Item label={t('cases.detail.counts')} span="filled">
                {t('cases.detail.countsText', c.counts)}
              </Descriptions.Item>
              {(c.outcome.rating || c.outcome.closedAt || c.outcome.rejectedReason || c.outcome.mergedInto) && (
                <Descriptions.Item label={t('cases.detail.outcome')} span="filled">
                  <Space orientation="vertical" size={2}>
                    {c.outcome.rating && (
                      <span>
                        {t('cases.detail.rating')}: {l.rating(c.outcome.rating)} {c.outcome.ratingComment ? `— ${c.outcome.ratingComment}` : ''}
                      </span>
                    )}
                    {c.outcome.closedAt && (
                      <span>
                        {t('cases.detail.closedAt')}: {l.time(c.outcome.closedAt)}
                      </span>
                    )}
                    {c.outcome.rejectedReason && (
                      <span>
                        {t('cases.detail.rejectedReason')}: {c.outcome.rejectedReason}
                      </span>
                    )}
                    {c.outcome.mergedInto && (
                      <a onClick={() => navigate(casePath(c.outcome.mergedInto!))}>
                        {t('cases.detail.mergedInto')} #{c.outcome.mergedInto}
                      </a>
                    )}
                  </Space>
                </Descriptions.Item>
              )}
            </Descriptions>
            {c.pendingExtension && (
              <Alert
                className="wgc-gap"
                type="warning"
                showIcon
                title={t('cases.detail.pendingExtension', { amount: c.pendingExtension.amount, unit: l.unit(c.pendingExtension.unit) })}
                description={c.pendingExtension.reason}
              />
            )}
            {c.pendingSuspension && <Alert className="wgc-gap" type="warning" showIcon title={t('cases.detail.pendingSuspension')} description={c.pendingSuspension.reason} />}
            {route && (
              <Collapse
                className="wgc-gap"
                size="small"
                items={[
                  {
                    key: 'route',
                    label: `${t('cases.detail.route')} · ${t(`cases.detail.routeSource.${route.source}`)} · ${l.level(route.handlingLevel)} · ${route.lead.departmentKind ? l.deptKind(route.lead.departmentKind) : l.handlerType(route.lead.type)}`,
                    children: (
                      <Space orientation="vertical" size={4}>
                        <span>{t('cases.form.deadlineText', { accept: l.deadline(route.deadlines.accept), sign: l.deadline(route.deadlines.sign), handle: l.deadline(route.deadlines.handle) })}</span>
                        <Typography.Text type="secondary">{route.explanation}</Typography.Text>
                      </Space>
                    ),
                  },
                ]}
              />
            )}
          </Card>

          <Row gutter={[16, 16]} className="wgc-gap">
            <Col xs={24} md={12}>
              <Card size="small" title={t('cases.detail.map')}>
                {c.location ? (
                  <PinMap location={c.location} outline={outline} tileUrl={meta.tileUrl} height={260} label={t('cases.detail.map')} fallbackCenter={meta.city?.center} />
                ) : outline ? (
                  <PinMap location={null} outline={outline} tileUrl={meta.tileUrl} height={260} label={t('cases.detail.map')} />
                ) : (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('cases.detail.noLocation')} />
                )}
              </Card>
            </Col>
            <Col xs={24} md={12}>
              <Card size="small" title={`${t('cases.detail.photos')} (${reporterPhotos.length})`}>
                {reporterPhotos.length ? (
                  <Image.PreviewGroup>
                    <div className="wgc-photo-grid" data-testid="case-photos">
                      {reporterPhotos.map((p) => (
                        <figure key={p.sha256 + p.stage} className="wgc-photo-fig">
                          <Image src={p.url} width={96} height={96} className="wgc-photo" alt={t(`cases.photoStage.${p.stage}`)} />
                          <figcaption>{t(`cases.photoStage.${p.stage}`, { defaultValue: p.stage })}</figcaption>
                        </figure>
                      ))}
                    </div>
                  </Image.PreviewGroup>
                ) : (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('cases.detail.noPhotos')} />
                )}
              </Card>
            </Col>
          </Row>

          {c.duplicates.length > 0 && (
            <Card size="small" className="wgc-gap" title={t('cases.detail.duplicates')} extra={<Typography.Text type="secondary">{t('cases.detail.duplicatesHint')}</Typography.Text>}>
              <SimpleList
                rows={c.duplicates.map((d) => ({
                  key: d.id,
                  title: (
                    <Space>
                      {d.number}
                      <StatusTag status={d.status} />
                      {d.distanceM !== null && <Typography.Text type="secondary">{t('cases.detail.distance', { m: d.distanceM })}</Typography.Text>}
                    </Space>
                  ),
                  description: `${l.time(d.createdAt)} · ${d.description}`,
                  actions: [
                    <a key="open" onClick={() => navigate(casePath(d.id))}>
                      {t('cases.common.open')}
                    </a>,
                    ...(c.abilities.includes('merge')
                      ? [
                          <a key="merge" onClick={() => setDialog({ action: 'merge', into: d.id, n: Date.now() })}>
                            {t('cases.detail.mergeInto')}
                          </a>,
                        ]
                      : []),
                  ],
                }))}
              />
            </Card>
          )}
        </Col>

        <Col xs={24} xl={10}>
          <Card size="small" title={t('cases.detail.actions')}>
            <CaseActions c={c} onChanged={setC} onGone={onGone} reload={reload} dialog={dialog} setDialog={setDialog} />
          </Card>
          <Card size="small" className="wgc-gap" title={t('cases.detail.timeline')}>
            <CaseTimeline c={c} />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
