/**
 * Hotline intake (热线受理): built for an operator with a caller on the line.
 * The phone number comes first; a full number shows the caller's earlier
 * cases at once. Category search by name or keyword, description, address or
 * grid, urgent; Ctrl+Enter registers the case (channel "hotline") and the form
 * clears for the next call, keeping the new case's number in view.
 */
import { useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Card, Col, Form, Input, Row, Space, Switch, Typography } from 'antd';
import type { InputRef } from 'antd';
import { errorText } from '../../errors';
import { ApiError, isAbort } from '../../api';
import { navigate } from '../../router';
import { casesApi, type CaseDetail, type CaseListItem } from '../casesApi';
import { newIdempotencyKey } from '../http';
import { useLabels } from '../i18n';
import { casePath } from '../paths';
import { CategoryPicker, NodePicker } from '../components/pickers';
import { StatusTag } from '../components/tags';
import { SimpleList } from '../components/SimpleList';

const PHONE = /^1[3-9]\d{9}$/;

interface Values {
  phone?: string;
  name?: string;
  categoryCode?: string;
  description?: string;
  address?: string;
  nodeCode?: string;
  urgent?: boolean;
}

export function IntakePage() {
  const l = useLabels();
  const { t } = l;
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const phone = Form.useWatch('phone', form);
  const [history, setHistory] = useState<CaseListItem[]>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CaseDetail>();
  const key = useRef(newIdempotencyKey());
  const phoneInput = useRef<InputRef>(null);

  useEffect(() => {
    if (!phone || !PHONE.test(phone)) {
      setHistory(undefined);
      return;
    }
    const ctrl = new AbortController();
    casesApi
      .byPhone(phone, ctrl.signal)
      .then((r) => setHistory(r.items))
      .catch((err: unknown) => {
        if (!isAbort(err)) message.error(errorText(t, err));
      });
    return () => ctrl.abort();
  }, [phone, message, t]);

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const c = await casesApi.create(
        {
          channel: 'hotline',
          categoryCode: v.categoryCode!,
          description: v.description!.trim(),
          address: v.address?.trim() || undefined,
          nodeCode: v.nodeCode,
          urgent: v.urgent || undefined,
          reporter: v.phone || v.name ? { phone: v.phone || undefined, name: v.name?.trim() || undefined } : undefined,
        },
        key.current,
      );
      setCreated(c);
      key.current = newIdempotencyKey();
      form.resetFields();
      setHistory(undefined);
      phoneInput.current?.focus();
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        const known = ['phone', 'name', 'categoryCode', 'description', 'address', 'nodeCode'];
        const name = (f: string) => (f.startsWith('reporter.phone') ? 'phone' : f.startsWith('reporter.name') ? 'name' : f === 'location' ? 'nodeCode' : f);
        form.setFields(err.fields.filter((f) => known.includes(name(f.field))).map((f) => ({ name: name(f.field) as keyof Values, errors: [f.reason] })));
      }
      message.error(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="wgc-page">
      <div className="wgc-page-head">
        <Typography.Title level={4} className="wgc-page-title">
          {t('cases.intake.title')}
        </Typography.Title>
      </div>
      {created && (
        <Alert
          data-testid="intake-created"
          className="wgc-gap-bottom"
          type="success"
          showIcon
          title={t('cases.intake.created', { number: created.number })}
          action={
            <Button size="small" onClick={() => navigate(casePath(created.id))}>
              {t('cases.intake.openCase')}
            </Button>
          }
          closable={{ onClose: () => setCreated(undefined) }}
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card size="small">
            <Form
              form={form}
              layout="vertical"
              requiredMark="optional"
              disabled={busy}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  void submit().catch(() => undefined);
                }
              }}
              onFinish={() => void submit().catch(() => undefined)}
            >
              <Row gutter={12}>
                <Col xs={24} md={12}>
                  <Form.Item name="phone" label={t('cases.intake.phone')} extra={t('cases.intake.phoneHint')} rules={[{ pattern: PHONE, message: t('cases.intake.phoneInvalid') }]}>
                    <Input ref={phoneInput} autoFocus inputMode="tel" maxLength={11} allowClear />
                  </Form.Item>
                </Col>
                <Col xs={24} md={12}>
                  <Form.Item name="name" label={t('cases.intake.name')}>
                    <Input maxLength={60} />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="categoryCode" label={t('cases.intake.category')} rules={[{ required: true, message: t('cases.intake.categoryRequired') }]}>
                <CategoryPicker placeholder={t('cases.intake.categorySearch')} leavesOnly />
              </Form.Item>
              <Form.Item name="description" label={t('cases.intake.description')} rules={[{ required: true, whitespace: true, message: t('cases.intake.descriptionRequired') }]}>
                <Input.TextArea rows={4} maxLength={4000} showCount />
              </Form.Item>
              <Row gutter={12}>
                <Col xs={24} md={12}>
                  <Form.Item name="address" label={t('cases.intake.address')}>
                    <Input maxLength={300} />
                  </Form.Item>
                </Col>
                <Col xs={24} md={12}>
                  <Form.Item name="nodeCode" label={t('cases.intake.node')} extra={t('cases.intake.nodeHint')}>
                    <NodePicker />
                  </Form.Item>
                </Col>
              </Row>
              <Space align="center" size="large">
                <Form.Item name="urgent" label={t('cases.intake.urgent')} valuePropName="checked" layout="horizontal" className="wgc-inline-item">
                  <Switch />
                </Form.Item>
                <Button type="primary" htmlType="submit" loading={busy}>
                  {t('cases.intake.submit')}
                </Button>
              </Space>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small" title={history ? t('cases.intake.history', { n: history.length }) : t('cases.intake.phone')} data-testid="caller-history">
            {!history ? (
              <Typography.Text type="secondary">{t('cases.intake.phoneHint')}</Typography.Text>
            ) : history.length === 0 ? (
              <Typography.Text type="secondary">{t('cases.intake.noHistory')}</Typography.Text>
            ) : (
              <SimpleList
                rows={history.map((c) => ({
                  key: c.id,
                  title: (
                    <Space wrap>
                      {c.number}
                      <StatusTag status={c.status} />
                      <Typography.Text type="secondary">{l.category(c.category)}</Typography.Text>
                    </Space>
                  ),
                  description: `${l.time(c.createdAt)} · ${c.description}`,
                  actions: [
                    <a key="o" href={casePath(c.id)} onClick={(e) => (e.preventDefault(), navigate(casePath(c.id)))}>
                      {t('cases.common.open')}
                    </a>,
                  ],
                }))}
              />
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
