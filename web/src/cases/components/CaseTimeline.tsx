/**
 * The case's timeline (办理记录): every step with its time, who (name and
 * role), what, the change of state, the note and the photos. Nothing in it is
 * ever edited; corrections are new entries.
 */
import { Image, Tag, Timeline, Typography } from 'antd';
import type { CaseDetail, TimelineEntry } from '../casesApi';
import { STATUS_COLOURS, useLabels, type Labels } from '../i18n';

const EVENT_COLOURS: Record<string, string> = {
  report: 'blue',
  reject: 'gray',
  return: 'red',
  escalate: 'orange',
  check_fail: 'red',
  rate_unsatisfied: 'red',
  rate_satisfied: 'green',
  rate_basically_satisfied: 'green',
  check_pass: 'green',
  resolve: 'green',
  self_resolve: 'green',
  supervise: 'red',
  flag_urgent: 'red',
};

function extra(e: TimelineEntry, l: Labels): string | null {
  const d = e.data ?? {};
  const who = (h: unknown) => (h && typeof h === 'object' && 'name' in h ? String((h as { name: unknown }).name) : null);
  if (e.action === 'dispatch' || e.action === 'redispatch') return who(d.handler);
  if (e.action === 'escalate') return who(d.to);
  if (e.action === 'rate_unsatisfied') return who(d.reopenedTo);
  if (e.action === 'report' && typeof d.channel === 'string') return l.channel(d.channel);
  if (e.action === 'request_extension' && d.extension && typeof d.extension === 'object') {
    const x = d.extension as { amount: number; unit: string };
    return l.deadline(x);
  }
  return null;
}

export function CaseTimeline({ c, compact }: { c: CaseDetail; compact?: boolean }) {
  const l = useLabels();
  const items = [...c.timeline].reverse().map((e) => {
    const detail = extra(e, l);
    return {
      key: e.seq,
      color: EVENT_COLOURS[e.action] ?? 'blue',
      content: (
        <div className="wgc-event" data-action={e.action} data-seq={e.seq} data-testid="timeline-entry">
          <div className="wgc-event-head">
            <Typography.Text strong className="wgc-event-name">
              {l.event(e)}
            </Typography.Text>
            {detail && <span className="wgc-event-detail">→ {detail}</span>}
            {e.to && e.from !== e.to && (
              <Tag color={STATUS_COLOURS[e.to] ?? 'default'} className="wgc-event-state">
                {l.status(e.to)}
              </Tag>
            )}
          </div>
          <div className="wgc-event-meta">
            <time dateTime={e.at}>{l.time(e.at)}</time>
            <span>
              {e.actor.name ?? ''}
              {e.actor.role && !compact ? l.paren(l.role(e.actor.role)) : ''}
            </span>
          </div>
          {e.note && <div className="wgc-event-note">{e.note}</div>}
          {!!e.photos?.length && (
            <div className="wgc-event-photos">
              <Image.PreviewGroup>
                {e.photos.map((sha) => (
                  <Image key={sha} src={`/api/cases/${c.id}/photos/${sha}`} width={compact ? 56 : 72} height={compact ? 56 : 72} className="wgc-photo" alt={l.event(e)} />
                ))}
              </Image.PreviewGroup>
            </div>
          )}
        </div>
      ),
    };
  });
  return (
    <div data-testid="timeline">
      <Timeline className="wgc-timeline" items={items} />
    </div>
  );
}
