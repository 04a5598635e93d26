/**
 * One case on the phone: what and where, the photos, the progress timeline,
 * and what this person may do now. A resident whose case awaits their
 * verdict rates it with one tap (with an optional comment); a grid worker or
 * department gets the action buttons (sign for, progress, resolve with
 * photos, escalate, check on site …) from the case's abilities.
 */
import { useState } from 'react';
import { App, Button, Image, Input, Result, Space, Spin, Tag, Typography } from 'antd';
import { FrownOutlined, MehOutlined, SmileOutlined } from '@ant-design/icons';
import { ApiError } from '../api';
import { errorText } from '../errors';
import { navigate } from '../router';
import { useSession } from '../session';
import { casesApi, isGone, type Rating } from '../cases/casesApi';
import { useLabels } from '../cases/i18n';
import { useCase } from '../cases/pages/CasePage';
import { CaseActions, useDialogState } from '../cases/components/CaseActions';
import { CaseTimeline } from '../cases/components/CaseTimeline';
import { PinMap } from '../cases/components/PinMap';
import { ClockTag, StatusTag, UrgentTag } from '../cases/components/tags';
import { H5Shell } from './H5Shell';

const RATING_ICONS: Record<Rating, React.ReactNode> = { satisfied: <SmileOutlined />, basically_satisfied: <MehOutlined />, unsatisfied: <FrownOutlined /> };

export function H5CasePage({ id }: { id: number }) {
  const l = useLabels();
  const { t } = l;
  const { message } = App.useApp();
  const { meta } = useSession();
  const { c, setC, error, reload } = useCase(id);
  const [dialog, setDialog] = useDialogState();
  const [comment, setComment] = useState('');
  const [rating, setRating] = useState<Rating>();
  const back = () => (history.length > 1 ? history.back() : navigate('/h5'));

  if (error) {
    const notFound = error instanceof ApiError && error.status === 404;
    return (
      <H5Shell title={t('cases.h5.detail')} back={back}>
        <Result status={notFound ? '404' : 'error'} title={notFound ? t('errors.CASE_NOT_FOUND') : t('cases.common.loadFailed')} subTitle={notFound ? undefined : errorText(t, error)} />
      </H5Shell>
    );
  }
  if (!c) {
    return (
      <H5Shell title={t('cases.h5.detail')} back={back}>
        <Spin className="wgh-spin" />
      </H5Shell>
    );
  }

  const ratingAbilities = (['satisfied', 'basically_satisfied', 'unsatisfied'] as const).filter((r) => c.abilities.includes(`rate_${r}`));
  const selfRating = c.reporter.isMe && ratingAbilities.length > 0;
  const otherAbilities = selfRating ? c.abilities.filter((a) => !a.startsWith('rate_')) : c.abilities;
  const open = !['closed', 'rejected', 'cancelled', 'merged'].includes(c.status);

  const rate = async (r: Rating) => {
    setRating(r);
    try {
      const after = await casesApi.rate(c.id, r, comment.trim() || undefined);
      message.success(t('cases.h5.rated'));
      setComment('');
      if (isGone(after)) await reload();
      else setC(after);
    } catch (err) {
      message.error(errorText(t, err));
      if (err instanceof ApiError && err.status === 409) await reload();
    } finally {
      setRating(undefined);
    }
  };

  return (
    <H5Shell title={t('cases.h5.detail')} back={back}>
      <div data-testid="case-page" data-status={c.status}>
        <section className="wgh-section">
          <div className="wgh-case-head">
            <Typography.Text strong className="wgh-case-cat">
              {l.category(c.category)}
            </Typography.Text>
            <StatusTag status={c.status} />
          </div>
          <Space wrap size={[4, 4]} className="wgh-case-tags">
            <Typography.Text type="secondary" data-testid="case-number">
              {c.number}
            </Typography.Text>
            {open && c.clock.colour !== 'green' && <ClockTag colour={c.clock.colour} />}
            {c.urgent && <UrgentTag />}
            {c.counts.reopen > 0 && <Tag color="volcano">{t('cases.queue.reopened', { n: c.counts.reopen })}</Tag>}
          </Space>
          <Typography.Paragraph className="wgh-case-desc">{c.description}</Typography.Paragraph>
          <div className="wgh-kv">
            <span>{t('cases.detail.place')}</span>
            <span>{c.node?.pathNames?.split(' / ').slice(-3).join(' ') ?? '—'}</span>
          </div>
          {c.address && (
            <div className="wgh-kv">
              <span>{t('cases.detail.address')}</span>
              <span>{c.address}</span>
            </div>
          )}
          {c.handler && (
            <div className="wgh-kv">
              <span>{t('cases.detail.handler')}</span>
              <span data-testid="case-handler">{c.handler.name ?? l.handlerType(c.handler.type)}</span>
            </div>
          )}
          {(c.status === 'dispatched' || c.status === 'in_progress') && c.clock.handleDueAt && (
            <div className="wgh-kv">
              <span>{t('cases.detail.handleDue')}</span>
              <span>{l.time(c.clock.handleDueAt)}</span>
            </div>
          )}
          {c.outcome.rating && (
            <div className="wgh-kv">
              <span>{t('cases.detail.rating')}</span>
              <span>{l.rating(c.outcome.rating)}</span>
            </div>
          )}
          {c.photos.length > 0 && (
            <div className="wgh-photos" data-testid="case-photos">
              <Image.PreviewGroup>
                {c.photos.map((p) => (
                  <Image key={p.sha256 + p.stage} src={p.url} width={72} height={72} className="wgc-photo" alt={t(`cases.photoStage.${p.stage}`)} />
                ))}
              </Image.PreviewGroup>
            </div>
          )}
        </section>

        {selfRating && (
          <section className="wgh-section wgh-rate" data-testid="rate-box">
            <Typography.Text strong>{t('cases.h5.rateTitle')}</Typography.Text>
            <Typography.Paragraph type="secondary" className="wgh-hint">
              {t('cases.h5.rateHint')}
            </Typography.Paragraph>
            <Input.TextArea rows={2} maxLength={1000} placeholder={t('cases.form.comment')} aria-label={t('cases.form.comment')} value={comment} onChange={(e) => setComment(e.target.value)} />
            <div className="wgh-rate-buttons">
              {ratingAbilities.map((r) => (
                <Button
                  key={r}
                  data-rating={r}
                  size="large"
                  icon={RATING_ICONS[r]}
                  type={r === 'unsatisfied' ? 'default' : 'primary'}
                  danger={r === 'unsatisfied'}
                  ghost={r === 'basically_satisfied'}
                  loading={rating === r}
                  disabled={!!rating && rating !== r}
                  onClick={() => void rate(r)}
                >
                  {l.rating(r)}
                </Button>
              ))}
            </div>
          </section>
        )}

        {otherAbilities.length > 0 && (
          <section className="wgh-section">
            <CaseActions
              c={{ ...c, abilities: otherAbilities }}
              onChanged={setC}
              onGone={() => {
                message.info(t('cases.detail.noLongerVisible'));
                navigate('/h5');
              }}
              reload={reload}
              dialog={dialog}
              setDialog={setDialog}
              mobile
              block
            />
          </section>
        )}

        {c.location && (
          <section className="wgh-section">
            <PinMap location={c.location} tileUrl={meta.tileUrl} height={160} label={t('cases.detail.map')} />
          </section>
        )}

        <section className="wgh-section">
          <Typography.Text strong>{t('cases.h5.timeline')}</Typography.Text>
          <div className="wgh-gap">
            <CaseTimeline c={c} compact />
          </div>
        </section>
      </div>
    </H5Shell>
  );
}
