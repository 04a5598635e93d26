/**
 * The responsibility list (责任清单): which level and unit handle each
 * category in each part of the tree, who assists, the deadlines. A table of
 * entries (filter by node and category) with create, edit and delete where
 * the user may manage them, and the explain tool: where a case of a category
 * at a node would go, and which entry decided it.
 */
import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Col, Descriptions, Form, Input, InputNumber, Modal, Popconfirm, Row, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { ApiError, isAbort } from '../../api';
import { errorText } from '../../errors';
import { useSession } from '../../session';
import { DEPARTMENT_KINDS } from '../../../../src/domain/departments.js';
import { casesApi, type Deadlines, type EntryInput, type HandlerType, type ResponsibilityEntry, type RouteExplanation } from '../casesApi';
import { useLabels, type Labels } from '../i18n';
import { CategoryPicker, NodePicker } from '../components/pickers';

const LEVELS = ['grid', 'community', 'street', 'district', 'city'] as const;

interface Values {
  nodeCode?: string;
  categoryCode?: string;
  handlingLevel?: (typeof LEVELS)[number];
  leadType?: HandlerType;
  departmentKind?: string;
  coHandlers?: string[];
  customDeadlines?: boolean;
  deadlines?: Deadlines;
  autoDispatch?: boolean;
  note?: string;
}

function leadText(l: Labels, lead: { type: HandlerType; departmentKind?: string }): string {
  return lead.type === 'department' ? l.deptKind(lead.departmentKind) : l.handlerType(lead.type);
}

function deadlinesText(l: Labels, d: Deadlines | null): string {
  if (!d) return l.t('cases.resp.useCategoryDeadlines');
  return l.t('cases.form.deadlineText', { accept: l.deadline(d.accept), sign: l.deadline(d.sign), handle: l.deadline(d.handle) });
}

export function ResponsibilityPage() {
  const l = useLabels();
  const { t } = l;
  const { message } = App.useApp();
  const { me } = useSession();
  const mayManage = me.permissions.includes('responsibility.manage');
  const [node, setNode] = useState<string>();
  const [category, setCategory] = useState<string>();
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ items: ResponsibilityEntry[]; total: number }>();
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const [editing, setEditing] = useState<ResponsibilityEntry | 'new' | null>(null);
  const [form] = Form.useForm<Values>();
  const leadType = Form.useWatch('leadType', form);
  const customDeadlines = Form.useWatch('customDeadlines', form);
  const [saving, setSaving] = useState(false);
  const [exCategory, setExCategory] = useState<string>();
  const [exNode, setExNode] = useState<string>();
  const [explained, setExplained] = useState<RouteExplanation>();
  const pageSize = 20;

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    casesApi
      .entries({ node, category, limit: pageSize, offset: (page - 1) * pageSize }, ctrl.signal)
      .then(setData)
      .catch((err: unknown) => {
        if (!isAbort(err)) message.error(errorText(t, err));
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setLoading(false);
      });
    return () => ctrl.abort();
  }, [node, category, page, tick, message, t]);

  const openEditor = (e: ResponsibilityEntry | 'new') => {
    form.resetFields();
    if (e === 'new') {
      form.setFieldsValue({ nodeCode: node, categoryCode: category, handlingLevel: 'grid', leadType: 'grid_worker', coHandlers: [], autoDispatch: false, customDeadlines: false, deadlines: { accept: { amount: 2, unit: 'hours' }, sign: { amount: 4, unit: 'hours' }, handle: { amount: 72, unit: 'hours' } } });
    } else {
      form.setFieldsValue({
        nodeCode: e.nodeCode,
        categoryCode: e.categoryCode,
        handlingLevel: e.handlingLevel,
        leadType: e.lead.type,
        departmentKind: e.lead.departmentKind,
        coHandlers: e.coHandlers,
        autoDispatch: e.autoDispatch,
        note: e.note ?? '',
        customDeadlines: !!e.deadlines,
        deadlines: e.deadlines ?? { accept: { amount: 2, unit: 'hours' }, sign: { amount: 4, unit: 'hours' }, handle: { amount: 72, unit: 'hours' } },
      });
    }
    setEditing(e);
  };

  const save = async () => {
    const v = await form.validateFields();
    const body: EntryInput = {
      handlingLevel: v.handlingLevel,
      lead: v.leadType === 'department' ? { type: 'department', departmentKind: v.departmentKind } : { type: v.leadType! },
      coHandlers: v.coHandlers ?? [],
      autoDispatch: !!v.autoDispatch,
      note: v.note?.trim() || null,
      ...(v.customDeadlines ? { deadlines: v.deadlines } : {}),
    };
    setSaving(true);
    try {
      if (editing === 'new') await casesApi.createEntry({ ...body, nodeCode: v.nodeCode, categoryCode: v.categoryCode });
      else if (editing) await casesApi.updateEntry(editing.id, body);
      message.success(t('cases.common.saved'));
      setEditing(null);
      setTick((x) => x + 1);
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        const name = (f: string) => (f === 'lead.departmentKind' ? 'departmentKind' : f === 'lead.type' || f === 'lead' ? 'leadType' : f.startsWith('deadlines') ? 'deadlines' : f.startsWith('coHandlers') ? 'coHandlers' : f);
        form.setFields(err.fields.map((f) => ({ name: name(f.field) as never, errors: [f.reason] })));
      }
      message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  const remove = async (e: ResponsibilityEntry) => {
    try {
      await casesApi.deleteEntry(e.id);
      message.success(t('cases.common.deleted'));
      setTick((x) => x + 1);
    } catch (err) {
      message.error(errorText(t, err));
    }
  };

  const explain = async () => {
    if (!exCategory || !exNode) return;
    try {
      setExplained(await casesApi.explain(exCategory, exNode));
    } catch (err) {
      setExplained(undefined);
      message.error(errorText(t, err));
    }
  };

  const columns: TableColumnsType<ResponsibilityEntry> = [
    { title: '#', dataIndex: 'id', width: 56 },
    { title: t('cases.resp.node'), dataIndex: 'nodeName', width: 200, render: (n: string | null, r) => `${n ?? ''}${l.paren(r.nodeCode)}` },
    { title: t('cases.resp.category'), dataIndex: 'categoryCode', width: 220, render: (c: string, r) => `${(l.isEn ? r.categoryNameEn : r.categoryNameZh) ?? ''}${l.paren(c)}` },
    { title: t('cases.resp.level'), dataIndex: 'handlingLevel', width: 100, render: (x: string) => l.level(x) },
    { title: t('cases.resp.lead'), dataIndex: 'lead', width: 120, render: (x: ResponsibilityEntry['lead']) => leadText(l, x) },
    { title: t('cases.resp.coHandlers'), dataIndex: 'coHandlers', width: 140, render: (xs: string[]) => xs.map((k) => <Tag key={k}>{l.deptKind(k)}</Tag>) },
    { title: t('cases.resp.deadlines'), dataIndex: 'deadlines', width: 220, render: (d: Deadlines | null) => deadlinesText(l, d) },
    { title: t('cases.resp.autoDispatch'), dataIndex: 'autoDispatch', width: 90, render: (x: boolean) => (x ? t('cases.common.yes') : t('cases.common.no')) },
    {
      title: t('cases.resp.actions'),
      key: 'actions',
      width: 130,
      fixed: 'right',
      render: (_: unknown, r) =>
        r.canManage ? (
          <Space>
            <a onClick={() => openEditor(r)}>{t('cases.common.edit')}</a>
            <Popconfirm title={t('cases.common.confirmDelete')} onConfirm={() => void remove(r)} okText={t('cases.common.delete')} cancelText={t('cases.common.cancel')}>
              <a className="wgc-danger-link">{t('cases.common.delete')}</a>
            </Popconfirm>
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('cases.resp.readOnly')}</Typography.Text>
        ),
    },
  ];

  const deadlineRow = (k: 'accept' | 'sign' | 'handle', label: string) => (
    <Form.Item label={label} key={k}>
      <Space.Compact>
        <Form.Item name={['deadlines', k, 'amount']} noStyle rules={[{ required: true }]}>
          <InputNumber min={0.5} max={720} aria-label={label} style={{ width: 90 }} />
        </Form.Item>
        <Form.Item name={['deadlines', k, 'unit']} noStyle>
          <Select style={{ width: 110 }} options={(['hours', 'workdays'] as const).map((u) => ({ value: u, label: l.unit(u) }))} />
        </Form.Item>
      </Space.Compact>
    </Form.Item>
  );

  return (
    <div className="wgc-page">
      <div className="wgc-page-head">
        <Typography.Title level={4} className="wgc-page-title">
          {t('cases.resp.title')}
        </Typography.Title>
        {mayManage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => openEditor('new')}>
            {t('cases.resp.create')}
          </Button>
        )}
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Card size="small">
            <Space wrap className="wgc-gap-bottom">
              <NodePicker value={node} onChange={(v) => (setNode(v), setPage(1))} placeholder={t('cases.resp.node')} style={{ width: 260 }} />
              <CategoryPicker value={category} onChange={(v) => (setCategory(v), setPage(1))} placeholder={t('cases.resp.category')} allowClear includeInactive style={{ width: 260 }} />
              {data && <Typography.Text type="secondary">{t('cases.resp.total', { n: data.total })}</Typography.Text>}
            </Space>
            <Table<ResponsibilityEntry>
              rowKey="id"
              size="small"
              loading={loading}
              columns={columns}
              dataSource={data?.items ?? []}
              scroll={{ x: 1250 }}
              pagination={{ current: page, pageSize, total: data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
            />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card size="small" title={t('cases.resp.explain')}>
            <Typography.Paragraph type="secondary">{t('cases.resp.explainHint')}</Typography.Paragraph>
            <Form layout="vertical" className="wgc-explain-form">
              <Form.Item label={t('cases.resp.category')} htmlFor="wgc-explain-category">
                <CategoryPicker id="wgc-explain-category" value={exCategory} onChange={setExCategory} />
              </Form.Item>
              <Form.Item label={t('cases.resp.node')} htmlFor="wgc-explain-node">
                <NodePicker id="wgc-explain-node" value={exNode} onChange={setExNode} />
              </Form.Item>
              <Button type="primary" disabled={!exCategory || !exNode} onClick={() => void explain()}>
                {t('cases.resp.explainRun')}
              </Button>
            </Form>
            {explained && (
              <div className="wgc-gap" data-testid="explain-result">
                <Descriptions size="small" column={1} bordered>
                  <Descriptions.Item label={t('cases.resp.node')}>{explained.node.name}</Descriptions.Item>
                  <Descriptions.Item label={t('cases.resp.level')}>
                    {l.level(explained.handlingLevel)} · {explained.handlingNodeName ?? explained.handlingNodeCode}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('cases.resp.lead')}>
                    {explained.leadDepartment?.name ?? leadText(l, explained.lead)}
                  </Descriptions.Item>
                  {explained.coHandlers.length > 0 && <Descriptions.Item label={t('cases.resp.coHandlers')}>{explained.coHandlers.map((k) => l.deptKind(k)).join('、')}</Descriptions.Item>}
                  <Descriptions.Item label={t('cases.resp.deadlines')}>{deadlinesText(l, explained.deadlines)}</Descriptions.Item>
                  <Descriptions.Item label={t('cases.resp.explainResult')}>{explained.entry ? t('cases.resp.entry', { id: explained.entry.id }) : t('cases.resp.noEntry')}</Descriptions.Item>
                </Descriptions>
                <Alert className="wgc-gap" type="info" title={explained.explanation} />
                {explained.alsoMatched.length > 0 && (
                  <Typography.Paragraph className="wgc-gap" type="secondary">
                    {t('cases.resp.alsoMatched')}: {explained.alsoMatched.map((e) => `#${e.id}`).join(', ')}
                  </Typography.Paragraph>
                )}
              </div>
            )}
          </Card>
        </Col>
      </Row>

      <Modal
        open={!!editing}
        title={editing === 'new' ? t('cases.resp.createTitle') : editing ? t('cases.resp.editTitle', { id: editing.id }) : ''}
        onCancel={() => setEditing(null)}
        onOk={() => void save().catch(() => undefined)}
        okText={t('cases.common.save')}
        cancelText={t('cases.common.cancel')}
        okButtonProps={{ loading: saving }}
        width={620}
        forceRender
      >
        <Form form={form} layout="vertical" requiredMark="optional">
          <Form.Item name="nodeCode" label={t('cases.resp.node')} rules={[{ required: true }]}>
            {editing === 'new' ? <NodePicker /> : <Input disabled />}
          </Form.Item>
          <Form.Item name="categoryCode" label={t('cases.resp.category')} rules={[{ required: true }]}>
            {editing === 'new' ? <CategoryPicker /> : <Input disabled />}
          </Form.Item>
          <Row gutter={12}>
            <Col span={12}>
              <Form.Item name="handlingLevel" label={t('cases.resp.level')} rules={[{ required: true }]}>
                <Select options={LEVELS.map((x) => ({ value: x, label: l.level(x) }))} />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="leadType" label={t('cases.resp.leadType')} rules={[{ required: true }]}>
                <Select options={(['department', 'node_office', 'grid_worker'] as const).map((x) => ({ value: x, label: l.handlerType(x) }))} />
              </Form.Item>
            </Col>
          </Row>
          {leadType === 'department' && (
            <Form.Item name="departmentKind" label={t('cases.resp.departmentKind')} rules={[{ required: true }]}>
              <Select showSearch={{ optionFilterProp: 'label' }} options={DEPARTMENT_KINDS.map((k) => ({ value: k, label: l.deptKind(k) }))} />
            </Form.Item>
          )}
          <Form.Item name="coHandlers" label={t('cases.resp.coHandlers')}>
            <Select mode="multiple" showSearch={{ optionFilterProp: 'label' }} options={DEPARTMENT_KINDS.map((k) => ({ value: k, label: l.deptKind(k) }))} />
          </Form.Item>
          <Form.Item name="customDeadlines" valuePropName="checked">
            <Checkbox>{t('cases.resp.deadlines')}</Checkbox>
          </Form.Item>
          {customDeadlines && (
            <Space wrap>
              {deadlineRow('accept', t('cases.categories.accept'))}
              {deadlineRow('sign', t('cases.categories.sign'))}
              {deadlineRow('handle', t('cases.categories.handle'))}
            </Space>
          )}
          <Form.Item name="autoDispatch" valuePropName="checked">
            <Checkbox>{t('cases.resp.autoDispatch')}</Checkbox>
          </Form.Item>
          <Form.Item name="note" label={t('cases.resp.note')}>
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
