/**
 * The category editor (事件分类): the tree on the left (searchable), the
 * chosen category's settings on the right — names, default handling level,
 * deadlines and lead department kind, photo required on resolution,
 * duplicate detection, keywords, order, active (for its whole subtree) —
 * and adding a subcategory.
 */
import { useEffect, useMemo, useState, type Key } from 'react';
import { App, Button, Card, Col, Empty, Form, Input, InputNumber, Modal, Row, Select, Space, Switch, Tag, Tree, Typography } from 'antd';
import type { TreeDataNode } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { ApiError } from '../../api';
import { errorText } from '../../errors';
import { DEPARTMENT_KINDS } from '../../../../src/domain/departments.js';
import { casesApi, type Category, type Deadlines } from '../casesApi';
import { useLabels } from '../i18n';
import { useCategories } from '../components/pickers';

const LEVELS = ['grid', 'community', 'street', 'district', 'city'] as const;
/** The select's stand-in for "no department kind" (null in the API; antd options cannot hold null). */
const NO_KIND = '-';
const KINDS = ['event', 'component', 'dispute', 'hazard', 'request', 'care', 'suggestion', 'wish'];

interface Values {
  nameZh: string;
  nameEn: string;
  description?: string | null;
  defaultLevel: string;
  defaultDeadlines: Deadlines;
  defaultDepartmentKind: string | null;
  photoRequiredOnResolve: boolean;
  duplicateRadiusM: number;
  duplicateWindowHours: number;
  keywords: string[];
  active: boolean;
  sort: number;
}

function DeadlineInput({ name, label }: { name: 'accept' | 'sign' | 'handle'; label: string }) {
  const l = useLabels();
  return (
    <Form.Item label={label} required>
      <Space.Compact>
        <Form.Item name={['defaultDeadlines', name, 'amount']} noStyle rules={[{ required: true }]}>
          <InputNumber min={0.5} max={720} step={1} aria-label={`${label}`} style={{ width: 90 }} />
        </Form.Item>
        <Form.Item name={['defaultDeadlines', name, 'unit']} noStyle>
          <Select style={{ width: 110 }} options={(['hours', 'workdays'] as const).map((u) => ({ value: u, label: l.unit(u) }))} />
        </Form.Item>
      </Space.Compact>
    </Form.Item>
  );
}

export function CategoriesPage() {
  const l = useLabels();
  const { t } = l;
  const { message } = App.useApp();
  const { tree, byCode, reload } = useCategories();
  const [selected, setSelected] = useState<string>();
  const [search, setSearch] = useState('');
  const [expanded, setExpanded] = useState<Key[]>([]);
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const [adding, setAdding] = useState<{ parent: string | null } | null>(null);
  const [addForm] = Form.useForm<{ label: string; nameZh: string; nameEn: string; kind?: string; defaultLevel?: string }>();
  const current = selected ? byCode.get(selected) : undefined;

  useEffect(() => {
    if (current) form.setFieldsValue({ ...current, description: current.description ?? '', defaultDepartmentKind: current.defaultDepartmentKind ?? NO_KIND });
  }, [current, form]);

  /** The tree, filtered by the search (a match keeps its ancestors), and the keys to open while searching. */
  const { treeData, matchedParents } = useMemo(() => {
    const q = search.trim().toLowerCase();
    const open: string[] = [];
    const match = (c: Category): boolean => !q || [c.nameZh, c.nameEn, c.code, ...c.keywords].join(' ').toLowerCase().includes(q) || (c.children ?? []).some(match);
    const map = (xs: Category[]): TreeDataNode[] =>
      xs.filter(match).map((c) => {
        const children = map(c.children ?? []);
        if (q && children.length) open.push(c.code);
        return {
          key: c.code,
          title: (
            <span className={c.active ? undefined : 'wgc-inactive'}>
              {l.category(c)} <Typography.Text type="secondary" className="wgc-code">{c.code.split('.').pop()}</Typography.Text>
              {!c.active && <Tag style={{ marginInlineStart: 4 }}>{t('cases.categories.inactive')}</Tag>}
            </span>
          ),
          children,
        };
      });
    return { treeData: map(tree ?? []), matchedParents: open };
  }, [tree, search, l, t]);

  const save = async () => {
    if (!current) return;
    const v = await form.validateFields();
    const patch: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) {
      const before = (current as unknown as Record<string, unknown>)[k];
      const norm = k === 'description' ? (val ? val : null) : k === 'defaultDepartmentKind' && val === NO_KIND ? null : val;
      if (JSON.stringify(norm) !== JSON.stringify(before)) patch[k] = norm;
    }
    if (!Object.keys(patch).length) {
      message.info(t('cases.common.saved'));
      return;
    }
    setSaving(true);
    try {
      await casesApi.updateCategory(current.code, patch);
      message.success(t('cases.common.saved'));
      reload();
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        form.setFields(err.fields.map((f) => ({ name: f.field.split('.') as never, errors: [f.reason] })));
      }
      message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  const add = async () => {
    const v = await addForm.validateFields();
    try {
      // A top-level category needs deadlines; 72 hours is Rongcheng's rule and the catalogue's default.
      const deadlines = adding?.parent ? {} : { defaultDeadlines: { accept: { amount: 2, unit: 'hours' }, sign: { amount: 4, unit: 'hours' }, handle: { amount: 72, unit: 'hours' } } };
      const created = await casesApi.createCategory({ parentCode: adding?.parent ?? null, ...v, ...deadlines });
      message.success(t('cases.categories.created', { name: created.nameZh }));
      setAdding(null);
      reload();
      setSelected(created.code);
      if (adding?.parent) setExpanded((e) => [...new Set([...e, adding.parent!])]);
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) addForm.setFields(err.fields.map((f) => ({ name: f.field as never, errors: [f.reason] })));
      message.error(errorText(t, err));
    }
  };

  return (
    <div className="wgc-page">
      <div className="wgc-page-head">
        <Typography.Title level={4} className="wgc-page-title">
          {t('cases.categories.title')}
        </Typography.Title>
        <Button icon={<PlusOutlined />} onClick={() => (addForm.resetFields(), setAdding({ parent: null }))}>
          {t('cases.categories.addRoot')}
        </Button>
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={9}>
          <Card size="small" className="wgc-tree-card">
            <Input.Search allowClear placeholder={t('cases.categories.search')} aria-label={t('cases.categories.search')} onChange={(e) => setSearch(e.target.value)} className="wgc-gap-bottom" />
            <Tree
              treeData={treeData}
              selectedKeys={selected ? [selected] : []}
              onSelect={(keys) => keys[0] && setSelected(String(keys[0]))}
              expandedKeys={search.trim() ? matchedParents : expanded}
              onExpand={(keys) => setExpanded(keys)}
              height={560}
              blockNode
            />
          </Card>
        </Col>
        <Col xs={24} lg={15}>
          <Card
            size="small"
            title={current ? `${l.category(current)} · ${current.code}` : t('cases.categories.title')}
            extra={
              current && (
                <Button size="small" icon={<PlusOutlined />} onClick={() => (addForm.resetFields(), setAdding({ parent: current.code }))}>
                  {t('cases.categories.addChild')}
                </Button>
              )
            }
          >
            {!current ? (
              <Empty description={t('cases.categories.select')} />
            ) : (
              <Form form={form} layout="vertical" disabled={saving} onFinish={() => void save().catch(() => undefined)}>
                <Row gutter={12}>
                  <Col xs={24} md={12}>
                    <Form.Item name="nameZh" label={t('cases.categories.nameZh')} rules={[{ required: true, whitespace: true }]}>
                      <Input maxLength={40} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item name="nameEn" label={t('cases.categories.nameEn')} rules={[{ required: true, whitespace: true }]}>
                      <Input maxLength={80} />
                    </Form.Item>
                  </Col>
                </Row>
                <Form.Item name="description" label={t('cases.categories.description')}>
                  <Input.TextArea rows={2} maxLength={500} />
                </Form.Item>
                <Row gutter={12}>
                  <Col xs={24} md={12}>
                    <Form.Item name="defaultLevel" label={t('cases.categories.defaultLevel')}>
                      <Select options={LEVELS.map((x) => ({ value: x, label: l.level(x) }))} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item name="defaultDepartmentKind" label={t('cases.categories.defaultDepartmentKind')}>
                      <Select options={[{ value: NO_KIND, label: t('cases.categories.noDepartment') }, ...DEPARTMENT_KINDS.map((k) => ({ value: k, label: l.deptKind(k) }))]} />
                    </Form.Item>
                  </Col>
                </Row>
                <div className="wgc-deadlines-title">
                  <Typography.Text strong>{t('cases.categories.defaultDeadlines')}</Typography.Text>
                </div>
                <Space wrap size="large" className="wgc-deadlines">
                  <DeadlineInput name="accept" label={t('cases.categories.accept')} />
                  <DeadlineInput name="sign" label={t('cases.categories.sign')} />
                  <DeadlineInput name="handle" label={t('cases.categories.handle')} />
                </Space>
                <Row gutter={12}>
                  <Col xs={12} md={8}>
                    <Form.Item name="duplicateRadiusM" label={t('cases.categories.duplicateRadius')}>
                      <InputNumber min={0} max={5000} precision={0} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col xs={12} md={8}>
                    <Form.Item name="duplicateWindowHours" label={t('cases.categories.duplicateWindow')}>
                      <InputNumber min={0} max={8760} precision={0} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col xs={12} md={8}>
                    <Form.Item name="sort" label={t('cases.categories.sort')}>
                      <InputNumber min={-100000} max={100000} precision={0} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                </Row>
                <Form.Item name="keywords" label={t('cases.categories.keywords')}>
                  <Select mode="tags" tokenSeparators={[',', '，', ' ']} open={false} />
                </Form.Item>
                <Space size="large" wrap>
                  <Form.Item name="photoRequiredOnResolve" label={t('cases.categories.photoRequired')} valuePropName="checked">
                    <Switch />
                  </Form.Item>
                  <Form.Item name="active" label={t('cases.categories.active')} valuePropName="checked" extra={t('cases.categories.activeHint')}>
                    <Switch />
                  </Form.Item>
                </Space>
                <div>
                  <Button type="primary" htmlType="submit" loading={saving}>
                    {t('cases.common.save')}
                  </Button>
                </div>
              </Form>
            )}
          </Card>
        </Col>
      </Row>
      <Modal
        open={!!adding}
        title={adding?.parent ? `${t('cases.categories.addChild')} · ${l.category(byCode.get(adding.parent))}` : t('cases.categories.addRoot')}
        onCancel={() => setAdding(null)}
        onOk={() => void add().catch(() => undefined)}
        okText={t('cases.common.save')}
        cancelText={t('cases.common.cancel')}
      >
        <Form form={addForm} layout="vertical">
          <Form.Item name="label" label={t('cases.categories.label')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,30}$/ }]}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="nameZh" label={t('cases.categories.nameZh')} rules={[{ required: true, whitespace: true }]}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="nameEn" label={t('cases.categories.nameEn')} rules={[{ required: true, whitespace: true }]}>
            <Input maxLength={80} />
          </Form.Item>
          {!adding?.parent && (
            <>
              <Form.Item name="kind" label={t('cases.categories.kind')} rules={[{ required: true }]}>
                <Select options={KINDS.map((k) => ({ value: k, label: k }))} />
              </Form.Item>
              <Form.Item name="defaultLevel" label={t('cases.categories.defaultLevel')} rules={[{ required: true }]}>
                <Select options={LEVELS.map((x) => ({ value: x, label: l.level(x) }))} />
              </Form.Item>
            </>
          )}
        </Form>
      </Modal>
    </div>
  );
}
