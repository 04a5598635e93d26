/**
 * Partner systems and their Open311 API keys (合作系统接入): register a
 * partner at a node, issue keys (shown once: only the SHA-256 is stored),
 * see when each was last used, revoke at once, stop a whole partner.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { KeyOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorText } from '../errors';
import { NodePicker } from '../cases/components/pickers';
import { partnersApi, type Partner, type PartnerKey, type RequestIds } from './partnersApi';

const time = (iso: string | null, en: boolean) => (iso ? new Date(iso).toLocaleString(en ? 'en-GB' : 'zh-CN', { hour12: false }) : '');

export function PartnersPage() {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const { message } = App.useApp();
  const [items, setItems] = useState<Partner[] | undefined>();
  const [adding, setAdding] = useState(false);
  const [issuing, setIssuing] = useState<Partner | null>(null);
  const [issued, setIssued] = useState<(PartnerKey & { key: string }) | null>(null);
  const [busy, setBusy] = useState(false);
  const [addForm] = Form.useForm();
  const [keyForm] = Form.useForm();

  const load = useCallback((signal?: AbortSignal) => {
    partnersApi
      .list(signal)
      .then((r) => setItems(r.items))
      .catch((err) => (err as Error).name !== 'AbortError' && message.error(errorText(t, err)));
  }, [message, t]);
  useEffect(() => {
    const ctrl = new AbortController();
    load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
      load();
      return true;
    } catch (err) {
      message.error(errorText(t, err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const create = async () => {
    const v = (await addForm.validateFields()) as { name: string; nodeCode: string; contact?: string; requestIds: RequestIds };
    if (await run(() => partnersApi.create(v))) {
      setAdding(false);
      message.success(t('partners.saved'));
    }
  };
  const issue = async () => {
    if (!issuing) return;
    const v = (await keyForm.validateFields()) as { label?: string; nodeCode?: string };
    await run(async () => {
      const k = await partnersApi.issueKey(issuing.id, { label: v.label || undefined, nodeCode: v.nodeCode || undefined });
      setIssuing(null);
      setIssued(k);
    });
  };

  const keyColumns = (p: Partner) => [
    { title: t('partners.prefix'), dataIndex: 'prefix', render: (s: string) => <Typography.Text code>{s}…</Typography.Text> },
    { title: t('partners.label'), dataIndex: 'label' },
    { title: t('partners.node'), dataIndex: 'nodeName', render: (_: unknown, k: PartnerKey) => k.nodeName ?? k.nodeCode },
    { title: t('partners.created'), dataIndex: 'createdAt', render: (s: string) => time(s, en) },
    { title: t('partners.lastUsed'), dataIndex: 'lastUsedAt', render: (s: string | null) => (s ? time(s, en) : <Typography.Text type="secondary">{t('partners.never')}</Typography.Text>) },
    {
      title: '',
      key: 'actions',
      render: (_: unknown, k: PartnerKey) =>
        k.revokedAt ? (
          <Tag>{t('partners.revoked')} {time(k.revokedAt, en)}</Tag>
        ) : (
          <Popconfirm title={t('partners.revokeConfirm')} onConfirm={() => run(() => partnersApi.revokeKey(p.id, k.id))}>
            <Button danger size="small">{t('partners.revoke')}</Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <div className="wgc-page">
      <div className="wgc-page-head">
        <Typography.Title level={4} className="wgc-page-title">{t('partners.title')}</Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => (addForm.resetFields(), setAdding(true))}>{t('partners.add')}</Button>
      </div>
      <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('partners.intro')} description={<span>{t('partners.endpoint')}: <Typography.Text code copyable>{`${window.location.origin}/open311/v2/`}</Typography.Text></span>} />
      <Table<Partner>
        rowKey="id"
        loading={!items}
        dataSource={items}
        pagination={false}
        locale={{ emptyText: t('partners.empty') }}
        expandable={{
          defaultExpandAllRows: true,
          expandedRowRender: (p) => (p.keys.length ? <Table<PartnerKey> rowKey="id" size="small" pagination={false} dataSource={p.keys} columns={keyColumns(p)} /> : <Typography.Text type="secondary">{t('partners.noKeys')}</Typography.Text>),
        }}
        columns={[
          { title: t('partners.name'), dataIndex: 'name' },
          { title: t('partners.node'), dataIndex: 'nodeName', render: (_: unknown, p: Partner) => p.nodeName ?? p.nodeCode },
          { title: t('partners.contact'), dataIndex: 'contact' },
          { title: t('partners.requestIds'), dataIndex: 'requestIds', render: (r: RequestIds) => t(`partners.ids.${r}`) },
          { title: t('partners.active'), dataIndex: 'active', render: (a: boolean) => <Tag color={a ? 'green' : 'default'}>{a ? t('partners.on') : t('partners.off')}</Tag> },
          {
            title: '',
            key: 'actions',
            render: (_: unknown, p: Partner) => (
              <Space>
                <Button size="small" icon={<KeyOutlined />} disabled={!p.active} onClick={() => (keyForm.resetFields(), setIssuing(p))}>{t('partners.issue')}</Button>
                <Button size="small" onClick={() => run(() => partnersApi.update(p.id, { active: !p.active }))}>{p.active ? t('partners.stop') : t('partners.start')}</Button>
              </Space>
            ),
          },
        ]}
      />

      <Modal open={adding} title={t('partners.add')} okText={t('partners.save')} cancelText={t('partners.cancel')} confirmLoading={busy} onOk={create} onCancel={() => setAdding(false)} destroyOnHidden>
        <Form form={addForm} layout="vertical" initialValues={{ requestIds: 'immediate' }}>
          <Form.Item name="name" label={t('partners.name')} rules={[{ required: true, whitespace: true, message: t('partners.required') }, { max: 80 }]}>
            <Input placeholder="12345 政务服务便民热线" />
          </Form.Item>
          <Form.Item name="nodeCode" label={t('partners.node')} rules={[{ required: true, message: t('partners.required') }]}>
            <NodePicker />
          </Form.Item>
          <Form.Item name="contact" label={t('partners.contact')} rules={[{ max: 200 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="requestIds" label={t('partners.requestIds')}>
            <Select options={(['immediate', 'after_acceptance'] as const).map((v) => ({ value: v, label: t(`partners.ids.${v}`) }))} />
          </Form.Item>
        </Form>
      </Modal>

      <Modal open={!!issuing} title={`${t('partners.issue')} · ${issuing?.name ?? ''}`} okText={t('partners.issue')} cancelText={t('partners.cancel')} confirmLoading={busy} onOk={issue} onCancel={() => setIssuing(null)} destroyOnHidden>
        <Form form={keyForm} layout="vertical">
          <Form.Item name="label" label={t('partners.label')} rules={[{ max: 80 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="nodeCode" label={t('partners.keyNode')}>
            <NodePicker />
          </Form.Item>
        </Form>
      </Modal>

      <Modal open={!!issued} title={t('partners.issuedTitle')} footer={<Button type="primary" onClick={() => setIssued(null)}>OK</Button>} onCancel={() => setIssued(null)} closable={false} maskClosable={false}>
        <Alert type="warning" showIcon message={t('partners.issuedOnce')} style={{ marginBottom: 12 }} />
        <Typography.Paragraph code copyable={{ text: issued?.key, tooltips: [t('partners.copy'), t('partners.copied')] }} aria-label="api_key" style={{ wordBreak: 'break-all' }}>
          {issued?.key}
        </Typography.Paragraph>
      </Modal>
    </div>
  );
}
