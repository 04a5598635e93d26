/** Small labels: a case's state, its clock colour, urgency. */
import { Tag } from 'antd';
import { ClockCircleOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { CLOCK_COLOURS, STATUS_COLOURS, useLabels } from '../i18n';

export function StatusTag({ status }: { status: string }) {
  const l = useLabels();
  return (
    <Tag color={STATUS_COLOURS[status] ?? 'default'} data-status={status} className="wgc-status-tag">
      {l.status(status)}
    </Tag>
  );
}

export function ClockTag({ colour }: { colour: string | null | undefined }) {
  const l = useLabels();
  if (!colour) return null;
  return (
    <Tag color={CLOCK_COLOURS[colour] ?? 'default'} icon={<ClockCircleOutlined />} data-clock={colour}>
      {l.clock(colour)}
    </Tag>
  );
}

export function UrgentTag() {
  const l = useLabels();
  return (
    <Tag color="red" icon={<ThunderboltOutlined />}>
      {l.t('cases.detail.urgent')}
    </Tag>
  );
}
