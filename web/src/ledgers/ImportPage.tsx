/**
 * Bulk import of cases (批量导入): choose a file, check it (dry run) or
 * import it, then read the report — every rejected row with its row number,
 * column and reason, and the cases created.
 */
import { useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Col, Row, Space, Statistic, Table, Tag, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorText } from '../errors';
import { ApiError } from '../api';
import { call } from '../cases/http';
import { navigate } from '../router';
import { casePath } from '../cases/paths';

interface RowProblem {
  row: number;
  column: string;
  reason: string;
  message: string;
}
interface ImportReport {
  dryRun: boolean;
  fileHash: string;
  total: number;
  accepted: number;
  created: number;
  existing: number;
  rejected: number;
  problems: RowProblem[];
  cases: { row: number; id: number; number: string; created: boolean }[];
}

export function ImportPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [file, setFile] = useState<File>();
  const [dryRun, setDryRun] = useState(true);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport>();
  const [error, setError] = useState<ApiError>();

  const run = async () => {
    if (!file) return void message.warning(t('ledgers.import.noFile'));
    const form = new FormData();
    form.append('file', file, file.name);
    setBusy(true);
    setError(undefined);
    setReport(undefined);
    try {
      const r = await call<ImportReport>('POST', `/api/ledgers/cases/import?dryRun=${dryRun}`, { form });
      setReport(r);
      message.success(r.dryRun ? t('ledgers.import.dryRunDone') : t('ledgers.import.done'));
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else message.error(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="wgc-page">
      <div className="wgc-page-head">
        <Typography.Title level={4} className="wgc-page-title">
          {t('ledgers.import.title')}
        </Typography.Title>
        <Button icon={<DownloadOutlined />} href="/api/ledgers/cases/import-template.xlsx">
          {t('ledgers.import.template')}
        </Button>
      </div>
      <Card size="small">
        <Typography.Paragraph type="secondary">{t('ledgers.import.intro')}</Typography.Paragraph>
        <Upload.Dragger
          accept=".xlsx,.csv"
          maxCount={1}
          beforeUpload={(f) => {
            setFile(f);
            setReport(undefined);
            setError(undefined);
            return false; // held here; sent by the button below
          }}
          onRemove={() => setFile(undefined)}
          fileList={file ? [{ uid: 'file', name: file.name, status: 'done' }] : []}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{t('ledgers.import.choose')}</p>
        </Upload.Dragger>
        <Space style={{ marginTop: 12 }}>
          <Checkbox checked={dryRun} onChange={(e) => setDryRun(e.target.checked)}>
            {t('ledgers.import.dryRun')}
          </Checkbox>
          <Button type="primary" loading={busy} disabled={!file} onClick={run}>
            {dryRun ? t('ledgers.import.check') : t('ledgers.import.run')}
          </Button>
        </Space>
      </Card>

      {error && (
        <Alert
          style={{ marginTop: 12 }}
          type="error"
          showIcon
          title={error.message}
          description={error.fields.length ? <ul>{error.fields.map((f, i) => <li key={i}>{f.reason}</li>)}</ul> : undefined}
        />
      )}

      {report && (
        <Card size="small" style={{ marginTop: 12 }} title={report.dryRun ? t('ledgers.import.dryRunDone') : t('ledgers.import.done')}>
          <Row gutter={16}>
            <Col span={4}><Statistic title={t('ledgers.import.total')} value={report.total} /></Col>
            <Col span={4}><Statistic title={t('ledgers.import.accepted')} value={report.accepted} /></Col>
            <Col span={4}><Statistic title={t('ledgers.import.created')} value={report.created} /></Col>
            <Col span={4}><Statistic title={t('ledgers.import.existing')} value={report.existing} /></Col>
            <Col span={4}><Statistic title={t('ledgers.import.rejected')} value={report.rejected} styles={{ content: { color: report.rejected ? '#cf1322' : undefined } }} /></Col>
          </Row>
          {report.problems.length > 0 && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                {t('ledgers.import.problems')}
              </Typography.Title>
              <Table<RowProblem>
                size="small"
                rowKey={(p) => `${p.row}-${p.column}-${p.reason}`}
                dataSource={report.problems}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                columns={[
                  { title: t('ledgers.import.row'), dataIndex: 'row', width: 80 },
                  { title: t('ledgers.import.column'), dataIndex: 'column', width: 140 },
                  { title: t('ledgers.import.reason'), dataIndex: 'reason' },
                ]}
              />
            </>
          )}
          {report.cases.length > 0 && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                {t('ledgers.import.cases')}
              </Typography.Title>
              <Table
                size="small"
                rowKey="id"
                dataSource={report.cases}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                columns={[
                  { title: t('ledgers.import.row'), dataIndex: 'row', width: 80 },
                  {
                    title: t('ledgers.import.number'),
                    dataIndex: 'number',
                    render: (n: string, c: { id: number }) => (
                      <a href={casePath(c.id)} onClick={(e) => { e.preventDefault(); navigate(casePath(c.id)); }}>
                        {n}
                      </a>
                    ),
                  },
                  { title: '', dataIndex: 'created', width: 100, render: (c: boolean) => (c ? <Tag color="green">{t('ledgers.import.newCase')}</Tag> : <Tag>{t('ledgers.import.oldCase')}</Tag>) },
                ]}
              />
            </>
          )}
        </Card>
      )}
    </div>
  );
}
