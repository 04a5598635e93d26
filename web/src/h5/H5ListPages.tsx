/**
 * Lists on the phone: "my reports" (a resident follows their cases) and a
 * handler's tasks — their own work, overdue first, then by deadline — plus,
 * for those who check on site, the resolved cases in their area waiting for
 * the check.
 */
import { useEffect, useState } from 'react';
import { App, Button, Empty, Spin, Tag, Typography } from 'antd';
import { PlusOutlined, RightOutlined } from '@ant-design/icons';
import { isAbort } from '../api';
import { errorText } from '../errors';
import { navigate } from '../router';
import { useSession } from '../session';
import { casesApi, type CaseListItem } from '../cases/casesApi';
import { useLabels } from '../cases/i18n';
import { h5CasePath } from '../cases/paths';
import { ClockTag, StatusTag } from '../cases/components/tags';
import { H5Shell } from './H5Shell';

const CLOCK_RANK: Record<string, number> = { red: 0, yellow: 1, green: 2 };
const TERMINAL = ['closed', 'rejected', 'cancelled', 'merged'];

/** Overdue first, then warnings, then by the handling deadline. */
export function byUrgency(a: CaseListItem, b: CaseListItem): number {
  return (CLOCK_RANK[a.clockColour] ?? 3) - (CLOCK_RANK[b.clockColour] ?? 3) || (a.handleDueAt ?? '9999').localeCompare(b.handleDueAt ?? '9999') || a.id - b.id;
}

function CaseCard({ c, showDue }: { c: CaseListItem; showDue?: boolean }) {
  const l = useLabels();
  const open = !TERMINAL.includes(c.status);
  return (
    <a
      className={`wgh-card${c.clockColour === 'red' && open ? ' wgh-card-red' : ''}`}
      href={h5CasePath(c.id)}
      data-case-id={c.id}
      data-number={c.number}
      onClick={(e) => {
        e.preventDefault();
        navigate(h5CasePath(c.id));
      }}
    >
      <div className="wgh-card-top">
        <span className="wgh-card-cat">{l.category(c.category)}</span>
        <StatusTag status={c.status} />
      </div>
      <div className="wgh-card-desc">{c.description}</div>
      <div className="wgh-card-meta">
        <span>{c.number}</span>
        {open && showDue && c.clockColour !== 'green' && <ClockTag colour={c.clockColour} />}
        {c.urgent && <Tag color="red">{l.t('cases.queue.urgentTag')}</Tag>}
        {c.reopenCount > 0 && <Tag color="volcano">{l.t('cases.queue.reopened', { n: c.reopenCount })}</Tag>}
        <span className="wgh-card-time">{showDue && c.handleDueAt && open ? l.t('cases.h5.dueAt', { time: l.time(c.handleDueAt) }) : l.time(c.createdAt)}</span>
        <RightOutlined className="wgh-card-arrow" />
      </div>
    </a>
  );
}

function useList(load: (signal: AbortSignal) => Promise<CaseListItem[]>, deps: unknown[]) {
  const { t } = useLabels();
  const { message } = App.useApp();
  const [items, setItems] = useState<CaseListItem[]>();
  useEffect(() => {
    const ctrl = new AbortController();
    load(ctrl.signal)
      .then(setItems)
      .catch((err: unknown) => {
        if (!isAbort(err)) {
          message.error(errorText(t, err));
          setItems([]);
        }
      });
    return () => ctrl.abort();
  }, deps); // eslint-disable-line react-hooks/exhaustive-deps
  return items;
}

export function H5MyCasesPage() {
  const l = useLabels();
  const { me } = useSession();
  const [size, setSize] = useState(20);
  const [more, setMore] = useState(false);
  const items = useList(
    async (signal) => {
      const r = await casesApi.mine({ pageSize: size, sort: 'newest' }, signal);
      setMore(r.hasMore);
      return r.items;
    },
    [size],
  );
  const canReport = me.permissions.includes('case.create');
  return (
    <H5Shell title={l.t('cases.h5.myCases')}>
      {canReport && (
        <div className="wgh-section wgh-cta">
          <Button type="primary" block size="large" icon={<PlusOutlined />} onClick={() => navigate(me.permissions.includes('case.handle') ? '/h5/patrol' : '/h5/report')}>
            {l.t('cases.h5.newReport')}
          </Button>
        </div>
      )}
      {!items ? (
        <Spin className="wgh-spin" />
      ) : items.length === 0 ? (
        <Empty description={l.t('cases.h5.noCases')} className="wgh-empty" />
      ) : (
        <div className="wgh-list" data-testid="my-cases">
          {items.map((c) => (
            <CaseCard key={c.id} c={c} />
          ))}
          {more && (
            <Button block onClick={() => setSize((s) => Math.min(100, s + 20))}>
              {l.t('cases.h5.loadMore')}
            </Button>
          )}
        </div>
      )}
    </H5Shell>
  );
}

export function H5TasksPage() {
  const l = useLabels();
  const { me } = useSession();
  const checks = me.permissions.includes('case.check');
  const [tick, setTick] = useState(0);
  const work = useList(
    async (signal) => (await casesApi.list({ mine: 'handling', status: 'dispatched,in_progress,suspended', sort: 'due', pageSize: 100 }, signal)).items.sort(byUrgency),
    [tick],
  );
  const toCheck = useList(async (signal) => (checks ? (await casesApi.list({ status: 'resolved', sort: 'due', pageSize: 100 }, signal)).items : []), [tick, checks]);
  const section = (title: string, items: CaseListItem[] | undefined, testId: string) => (
    <section className="wgh-list-section" data-testid={testId}>
      <Typography.Title level={5} className="wgh-list-title">
        {title} {items ? <span className="wgh-count">{items.length}</span> : null}
      </Typography.Title>
      {!items ? (
        <Spin className="wgh-spin" />
      ) : items.length === 0 ? (
        <Typography.Text type="secondary" className="wgh-none">
          {l.t('cases.h5.noTasks')}
        </Typography.Text>
      ) : (
        <div className="wgh-list">
          {items.map((c) => (
            <CaseCard key={c.id} c={c} showDue />
          ))}
        </div>
      )}
    </section>
  );
  return (
    <H5Shell title={l.t('cases.h5.tasks')}>
      <div className="wgh-refresh">
        <Button size="small" onClick={() => setTick((x) => x + 1)}>
          {l.t('cases.common.refresh')}
        </Button>
      </div>
      {section(l.t('cases.h5.myHandling'), work, 'tasks-handling')}
      {checks && section(l.t('cases.status.resolved'), toCheck, 'tasks-check')}
    </H5Shell>
  );
}
