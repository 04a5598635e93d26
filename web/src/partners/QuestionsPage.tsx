/**
 * A category's extra questions (补充问题), which partners read as the Open311
 * service definition and answer as attribute[CODE]: all six datatypes, choices
 * for the list types, required, order. A page of its own beside the category
 * editor, which it does not change.
 */
import { useEffect, useState } from 'react';
import { App, Button, Card, Checkbox, Empty, Form, Input, InputNumber, Select, Space, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorText } from '../errors';
import { CategoryPicker } from '../cases/components/pickers';
import { DATATYPES, partnersApi, type AttributeDef, type Datatype } from './partnersApi';

interface Row extends Omit<AttributeDef, 'values'> {
  valuesText?: string;
}

const isList = (d: Datatype | undefined) => d === 'singlevaluelist' || d === 'multivaluelist';
const toText = (v: AttributeDef['values']) => (v ?? []).map((x) => `${x.key}=${x.name}`).join('\n');
function fromText(s: string | undefined): { key: string; name: string }[] | null {
  const lines = (s ?? '').split('\n').map((x) => x.trim()).filter(Boolean);
  const out = lines.map((l) => {
    const i = l.indexOf('=');
    return i > 0 ? { key: l.slice(0, i).trim(), name: l.slice(i + 1).trim() } : null;
  });
  return out.some((x) => !x || !x.key || !x.name) ? null : (out as { key: string; name: string }[]);
}

export function QuestionsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [code, setCode] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ rows: Row[] }>();

  useEffect(() => {
    if (!code) return;
    const ctrl = new AbortController();
    setLoading(true);
    partnersApi
      .attributes(code, ctrl.signal)
      .then((r) => form.setFieldsValue({ rows: r.attributes.map(({ values, ...a }) => ({ ...a, valuesText: toText(values) })) }))
      .catch((err) => (err as Error).name !== 'AbortError' && message.error(errorText(t, err)))
      .finally(() => setLoading(false));
    return () => ctrl.abort();
  }, [code, form, message, t]);

  const save = async () => {
    if (!code) return;
    const { rows = [] } = await form.validateFields();
    const attributes: AttributeDef[] = rows.map(({ valuesText, ...r }) => ({
      ...r,
      datatype_description: r.datatype_description || null,
      ...(isList(r.datatype) ? { values: fromText(valuesText) ?? [] } : {}),
    }));
    setSaving(true);
    try {
      await partnersApi.setAttributes(code, attributes);
      message.success(t('partners.saved'));
    } catch (err) {
      message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="wgc-page">
      <div className="wgc-page-head">
        <Typography.Title level={4} className="wgc-page-title">{t('partners.q.title')}</Typography.Title>
      </div>
      <Typography.Paragraph type="secondary">{t('partners.q.intro')}</Typography.Paragraph>
      <Space style={{ marginBottom: 16 }}>
        <label htmlFor="q-category">{t('partners.q.category')}</label>
        <CategoryPicker id="q-category" value={code} onChange={setCode} placeholder={t('partners.q.pick')} style={{ minWidth: 320 }} />
      </Space>
      {!code ? null : (
        <Form form={form} layout="vertical" disabled={loading}>
          <Form.List name="rows">
            {(fields, { add, remove }) => (
              <>
                {fields.length === 0 && <Empty description={t('partners.q.none')} />}
                {fields.map((f) => (
                  <Card key={f.key} size="small" style={{ marginBottom: 12 }} extra={<Button type="text" danger icon={<MinusCircleOutlined />} onClick={() => remove(f.name)}>{t('partners.q.remove')}</Button>}>
                    <Space wrap align="start">
                      <Form.Item name={[f.name, 'code']} label={t('partners.q.code')} rules={[{ required: true, pattern: /^[A-Za-z0-9_-]{1,40}$/, message: 'A–Z a–z 0–9 _ -' }]}>
                        <Input style={{ width: 140 }} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'datatype']} label={t('partners.q.datatype')} rules={[{ required: true }]}>
                        <Select style={{ width: 140 }} options={DATATYPES.map((d) => ({ value: d, label: t(`partners.q.types.${d}`) }))} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'description']} label={t('partners.q.question')} rules={[{ required: true, whitespace: true, max: 400 }]}>
                        <Input style={{ width: 280 }} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'datatype_description']} label={t('partners.q.hint')} rules={[{ max: 200 }]}>
                        <Input style={{ width: 180 }} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'order']} label={t('partners.q.order')} rules={[{ required: true }]}>
                        <InputNumber min={0} max={1000} precision={0} style={{ width: 80 }} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'required']} label={t('partners.q.requiredQ')} valuePropName="checked">
                        <Checkbox />
                      </Form.Item>
                      <Form.Item name={[f.name, 'variable']} label={t('partners.q.variable')} valuePropName="checked">
                        <Checkbox />
                      </Form.Item>
                    </Space>
                    <Form.Item noStyle shouldUpdate>
                      {() =>
                        isList(form.getFieldValue(['rows', f.name, 'datatype'])) ? (
                          <Form.Item
                            name={[f.name, 'valuesText']}
                            label={t('partners.q.values')}
                            rules={[{ validator: (_, v: string) => (fromText(v)?.length ? Promise.resolve() : Promise.reject(new Error(t('partners.q.badValues')))) }]}
                          >
                            <Input.TextArea rows={3} placeholder={'square=方形\ncircle=圆形'} />
                          </Form.Item>
                        ) : null
                      }
                    </Form.Item>
                  </Card>
                ))}
                <Space>
                  <Button icon={<PlusOutlined />} onClick={() => add({ code: '', datatype: 'string', description: '', order: (fields.length + 1) * 10, required: false, variable: true })}>
                    {t('partners.q.add')}
                  </Button>
                  <Button type="primary" loading={saving} onClick={save}>{t('partners.save')}</Button>
                </Space>
              </>
            )}
          </Form.List>
        </Form>
      )}
    </div>
  );
}
