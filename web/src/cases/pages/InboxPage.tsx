/**
 * The inbox (消息): the user's notices, newest first, unread marked; opening
 * one marks it read and goes to its case. Shared by the console and the
 * phone pages (which open the case on the phone).
 */
import { useEffect, useState } from 'react';
import { App, Badge, Button, Card, Pagination, Space, Switch, Typography } from 'antd';
import { isAbort } from '../../api';
import { errorText } from '../../errors';
import { navigate } from '../../router';
import { casesApi, type Notice } from '../casesApi';
import { useLabels } from '../i18n';
import { NOTICES_CHANGED } from '../ConsoleNav';
import { casePath, h5CasePath } from '../paths';
import { SimpleList } from '../components/SimpleList';

export function InboxPage({ mobile }: { mobile?: boolean }) {
  const l = useLabels();
  const { t } = l;
  const { message } = App.useApp();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ items: Notice[]; total: number; unread: number }>();
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const pageSize = 20;

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    casesApi
      .notices({ unread: unreadOnly || undefined, page, pageSize }, ctrl.signal)
      .then(setData)
      .catch((err: unknown) => {
        if (!isAbort(err)) message.error(errorText(t, err));
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setLoading(false);
      });
    return () => ctrl.abort();
  }, [unreadOnly, page, tick, message, t]);

  const changed = () => {
    window.dispatchEvent(new Event(NOTICES_CHANGED));
    setTick((x) => x + 1);
  };

  const open = async (n: Notice) => {
    if (!n.read) {
      try {
        await casesApi.markRead(n.id);
        window.dispatchEvent(new Event(NOTICES_CHANGED));
      } catch {
        // Reading the case matters more than the mark.
      }
    }
    if (n.caseId) navigate(mobile ? h5CasePath(n.caseId) : casePath(n.caseId));
    else setTick((x) => x + 1);
  };

  const body = (
    <>
      <div className="wgc-inbox-bar">
        <Space>
          <Switch size="small" checked={unreadOnly} onChange={(v) => (setUnreadOnly(v), setPage(1))} aria-label={t('cases.inbox.unreadOnly')} />
          <span>{t('cases.inbox.unreadOnly')}</span>
        </Space>
        <Space>
          {data && <Typography.Text type="secondary">{t('cases.inbox.count', { total: data.total, unread: data.unread })}</Typography.Text>}
          <Button
            size="small"
            disabled={!data?.unread}
            onClick={() =>
              void casesApi
                .markAllRead()
                .then(changed)
                .catch((err: unknown) => message.error(errorText(t, err)))
            }
          >
            {t('cases.inbox.markAllRead')}
          </Button>
        </Space>
      </div>
      <SimpleList
        loading={loading}
        empty={t('cases.inbox.empty')}
        rows={(data?.items ?? []).map((n) => ({
          key: n.id,
          className: n.read ? 'wgc-notice' : 'wgc-notice wgc-notice-unread',
          attrs: { 'data-notice-kind': n.kind },
          onClick: () => void open(n),
          avatar: <Badge status={n.read ? 'default' : 'processing'} />,
          title: (
            <a href={n.caseId ? (mobile ? h5CasePath(n.caseId) : casePath(n.caseId)) : undefined} onClick={(e) => e.preventDefault()}>
              {n.title}
            </a>
          ),
          description: (
            <>
              {n.body && <div className="wgc-notice-body">{n.body}</div>}
              <span className="wgc-notice-time">{l.time(n.createdAt)}</span>
            </>
          ),
        }))}
      />
      {data && data.total > pageSize && <Pagination className="wgc-gap" size="small" current={page} pageSize={pageSize} total={data.total} onChange={setPage} showSizeChanger={false} />}
    </>
  );

  if (mobile) return <div className="wgh-section">{body}</div>;
  return (
    <div className="wgc-page wgc-narrow">
      <div className="wgc-page-head">
        <Typography.Title level={4} className="wgc-page-title">
          {t('cases.inbox.title')}
        </Typography.Title>
      </div>
      <Card size="small">{body}</Card>
    </div>
  );
}
