/**
 * The ledger import dialog (台账导入): pick the ledger kind and a file, check
 * it (dry run) or import it, and read the report — every rejected row with
 * its row number, column and reason ("第57行 身份证号 校验位错误").
 */
import { useState } from 'react';
import { Alert, App, Button, Checkbox, Col, Input, Modal, Row, Select, Space, Statistic, Table, Upload } from 'antd';
import { InboxOutlined, UploadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { errorText } from '../errors';
import { registryApi, type ImportReport } from './registryApi';

export function ImportDialog({ defaultKind = 'residents', onDone }: { defaultKind?: string; onDone?: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState(defaultKind);
  const [node, setNode] = useState('');
  const [file, setFile] = useState<File>();
  const [dryRun, setDryRun] = useState(true);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport>();
  const [error, setError] = useState<ApiError>();

  const run = async () => {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    setReport(undefined);
    try {
      const r = await registryApi.importLedger(kind, file, dryRun, node.trim() || undefined);
      setReport(r);
      message.success(r.dryRun ? t('registry.import.dryRunDone') : t('registry.import.done'));
      if (!r.dryRun) onDone?.();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else message.error(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button icon={<UploadOutlined />} onClick={() => setOpen(true)}>
        {t('registry.import.button')}
      </Button>
      <Modal open={open} title={t('registry.import.title')} width={820} footer={null} onCancel={() => setOpen(false)} destroyOnHidden>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Space wrap>
            <span>{t('registry.import.kind')}</span>
            <Select
              value={kind}
              onChange={(v) => {
                setKind(v);
                setReport(undefined);
              }}
              style={{ width: 280 }}
              options={(['residents', 'places', 'things'] as const).map((k) => ({ value: k, label: t(`registry.import.kinds.${k}`) }))}
            />
            <Input placeholder={t('registry.import.node')} value={node} onChange={(e) => setNode(e.target.value)} style={{ width: 320 }} aria-label={t('registry.import.node')} />
          </Space>
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
            <p className="ant-upload-text">{t('registry.import.choose')}</p>
          </Upload.Dragger>
          <Space>
            <Checkbox checked={dryRun} onChange={(e) => setDryRun(e.target.checked)}>
              {t('registry.import.dryRun')}
            </Checkbox>
            <Button type="primary" loading={busy} disabled={!file} onClick={run}>
              {dryRun ? t('registry.import.check') : t('registry.import.run')}
            </Button>
          </Space>
          {error && (
            <Alert type="error" showIcon title={error.message} description={error.fields.length ? <ul>{error.fields.map((f, i) => <li key={i}>{f.reason}</li>)}</ul> : undefined} />
          )}
          {report && (
            <>
              <Row gutter={16}>
                <Col span={4}><Statistic title={t('registry.import.rows')} value={report.rows} /></Col>
                <Col span={4}><Statistic title={t('registry.import.inserted')} value={report.inserted} /></Col>
                <Col span={4}><Statistic title={t('registry.import.updated')} value={report.updated} /></Col>
                <Col span={4}><Statistic title={t('registry.import.rejected')} value={report.rejected} styles={{ content: { color: report.rejected ? '#cf1322' : undefined } }} /></Col>
                {report.households && <Col span={5}><Statistic title={t('registry.import.householdsNew')} value={report.households.inserted} /></Col>}
              </Row>
              {report.problems.length > 0 && (
                <Table
                  size="small"
                  rowKey={(p) => `${p.row}-${p.column}`}
                  title={() => t('registry.import.problems')}
                  dataSource={report.problems}
                  pagination={{ pageSize: 10, hideOnSinglePage: true }}
                  columns={[
                    { title: t('registry.import.row'), dataIndex: 'row', width: 70 },
                    { title: t('registry.import.column'), dataIndex: 'column', width: 120 },
                    { title: t('registry.import.reason'), dataIndex: 'message' },
                  ]}
                  footer={report.rejected > report.problems.length ? () => t('registry.import.more', { n: report.rejected - report.problems.length }) : undefined}
                />
              )}
            </>
          )}
        </Space>
      </Modal>
    </>
  );
}
