/**
 * Ledgers and reports (台账与月报): open the printable monthly report of an
 * area, and export the measures with their counts by child area, category,
 * channel, day or month. Both are plain links: the server renders the files.
 */
import { useState } from 'react';
import { Button, Card, Form, Input, Select, Space, Typography } from 'antd';
import { DownloadOutlined, PrinterOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

/** Today in China Standard Time, YYYY-MM-DD. */
function todayInChina(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

const query = (o: Record<string, string>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v) p.set(k, v);
  return p.toString();
};

export function ReportsPage() {
  const { t } = useTranslation();
  const today = todayInChina();
  const [month, setMonth] = useState(today.slice(0, 7));
  const [node, setNode] = useState('');
  const [from, setFrom] = useState(`${today.slice(0, 7)}-01`);
  const [to, setTo] = useState(today);
  const [by, setBy] = useState('child');
  const nodeOk = node === '' || /^\d{2,19}$/.test(node);
  const reportUrl = `/api/ledgers/monthly-report?${query({ month, node })}`;
  const measuresUrl = (format: 'xlsx' | 'csv') => `/api/ledgers/measures.${format}?${query({ from, to, by, node })}`;

  return (
    <div className="wgc-page">
      <div className="wgc-page-head">
        <Typography.Title level={4} className="wgc-page-title">
          {t('ledgers.reports.title')}
        </Typography.Title>
      </div>
      <Form layout="inline" style={{ marginBottom: 12 }}>
        <Form.Item label={t('ledgers.reports.node')} help={nodeOk ? t('ledgers.reports.nodeHint') : '2–19'} validateStatus={nodeOk ? '' : 'error'}>
          <Input value={node} onChange={(e) => setNode(e.target.value.trim())} placeholder="441302" style={{ width: 200 }} />
        </Form.Item>
      </Form>
      <Card size="small" title={t('ledgers.reports.monthly')}>
        <Typography.Paragraph type="secondary">{t('ledgers.reports.monthlyIntro')}</Typography.Paragraph>
        <Space wrap>
          <label>
            {t('ledgers.reports.month')}{' '}
            <Input type="month" value={month} onChange={(e) => setMonth(e.target.value)} style={{ width: 170 }} aria-label={t('ledgers.reports.month')} />
          </label>
          <Button type="primary" icon={<PrinterOutlined />} href={reportUrl} target="_blank" disabled={!month || !nodeOk}>
            {t('ledgers.reports.open')}
          </Button>
        </Space>
      </Card>
      <Card size="small" title={t('ledgers.reports.measures')} style={{ marginTop: 12 }}>
        <Typography.Paragraph type="secondary">{t('ledgers.reports.measuresIntro')}</Typography.Paragraph>
        <Space wrap>
          <label>
            {t('ledgers.reports.from')} <Input type="date" value={from} onChange={(e) => setFrom(e.target.value)} style={{ width: 160 }} aria-label={t('ledgers.reports.from')} />
          </label>
          <label>
            {t('ledgers.reports.to')} <Input type="date" value={to} onChange={(e) => setTo(e.target.value)} style={{ width: 160 }} aria-label={t('ledgers.reports.to')} />
          </label>
          <label>
            {t('ledgers.reports.by')}{' '}
            <Select
              value={by}
              onChange={setBy}
              style={{ width: 140 }}
              aria-label={t('ledgers.reports.by')}
              options={(['child', 'category', 'channel', 'day', 'month'] as const).map((b) => ({ value: b, label: t(`ledgers.reports.by${b[0]!.toUpperCase()}${b.slice(1)}`) }))}
            />
          </label>
          <Button icon={<DownloadOutlined />} href={measuresUrl('xlsx')} disabled={!from || !to || !nodeOk}>
            {t('ledgers.reports.xlsx')}
          </Button>
          <Button icon={<DownloadOutlined />} href={measuresUrl('csv')} disabled={!from || !to || !nodeOk}>
            {t('ledgers.reports.csv')}
          </Button>
        </Space>
      </Card>
    </div>
  );
}
