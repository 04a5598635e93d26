/**
 * One problem followed at the source (源头治理): its history, a form to change
 * its status or record progress (analysis.manage), its original reports and
 * the later reports of the same problem.
 */
import { useEffect, useState } from 'react';
import { App, Button, Descriptions, Drawer, Form, Input, Select, Spin, Tag, Timeline, Typography } from 'antd';
import { isAbort } from '../api';
import { errorText } from '../errors';
import { useLabels } from '../cases/i18n';
import { analysisApi, ITEM_STATUSES, type ItemDetail, type ItemStatus } from './analysisApi';
import { CaseLinks } from './AnalysisPage';

interface Props {
  id: number | undefined;
  onClose: () => void;
  onChanged: () => void;
}

export function AnalysisItemDrawer({ id, onClose, onChanged }: Props) {
  const l = useLabels();
  const { t } = l;
  const { message } = App.useApp();
  const [item, setItem] = useState<ItemDetail>();
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ status: ItemStatus; note?: string }>();

  useEffect(() => {
    if (!id) return setItem(undefined);
    const ctrl = new AbortController();
    analysisApi
      .item(id, ctrl.signal)
      .then((it) => {
        setItem(it);
        form.setFieldsValue({ status: it.status, note: undefined });
      })
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        message.error(errorText(t, err));
        onClose();
      });
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  const save = async () => {
    if (!item) return;
    const v = await form.validateFields();
    setSaving(true);
    try {
      const body: { status?: ItemStatus; note?: string } = {};
      if (v.status !== item.status) body.status = v.status;
      if (v.note) body.note = v.note;
      const it = await analysisApi.updateItem(item.id, body);
      setItem(it);
      form.setFieldsValue({ status: it.status, note: undefined });
      message.success(t('analysis.items.saved'));
      onChanged();
    } catch (err) {
      message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  const status = Form.useWatch('status', form);
  const canUpdate = item?.abilities.includes('update');
  return (
    <Drawer open={!!id} onClose={onClose} size={640} title={id ? t('analysis.items.detail', { id }) : ''} destroyOnHidden>
      {!item ? (
        <Spin />
      ) : (
        <div data-testid="item-drawer">
          <Typography.Title level={5}>{item.title}</Typography.Title>
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label={t('analysis.items.col.node')}>{item.node.name}</Descriptions.Item>
            <Descriptions.Item label={t('analysis.items.col.month')}>{item.month}</Descriptions.Item>
            <Descriptions.Item label={t('analysis.items.col.status')}>
              <Tag data-testid="item-status">{t(`analysis.items.status.${item.status}`)}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('analysis.group.keywords')}>{item.keywords.join('、')}</Descriptions.Item>
            <Descriptions.Item label={t('analysis.items.col.cases')}>{item.caseCount}</Descriptions.Item>
            <Descriptions.Item label={t('analysis.items.col.newCases')}>
              <span data-testid="item-new-count">{item.newCaseCount}</span>
            </Descriptions.Item>
          </Descriptions>
          {canUpdate && (
            <Form form={form} layout="vertical" className="wgd-item-form">
              <Form.Item name="status" label={t('analysis.items.changeStatus')}>
                <Select options={ITEM_STATUSES.map((s) => ({ value: s, label: t(`analysis.items.status.${s}`) }))} />
              </Form.Item>
              <Form.Item
                name="note"
                label={t('analysis.items.addNote')}
                rules={[{ required: (status === 'solved' || status === 'dropped') && status !== item.status, message: t('analysis.items.noteRequired') }, { max: 2000 }]}
              >
                <Input.TextArea rows={2} />
              </Form.Item>
              <Button type="primary" loading={saving} onClick={() => void save()}>
                {t('analysis.items.save')}
              </Button>
            </Form>
          )}
          <Typography.Title level={5} className="wgd-drawer-h">
            {t('analysis.items.history')}
          </Typography.Title>
          <Timeline
            items={item.notes.map((n) => ({
              key: n.seq,
              children: (
                <div>
                  <Typography.Text type="secondary">
                    {l.time(n.at)} {n.actorName}
                  </Typography.Text>{' '}
                  {n.toStatus && <Tag>{n.fromStatus ? `${t(`analysis.items.status.${n.fromStatus}`)} → ` : `${t('analysis.items.created')} · `}{t(`analysis.items.status.${n.toStatus}`)}</Tag>}
                  {n.note && <div>{n.note}</div>}
                </div>
              ),
            }))}
          />
          <Typography.Title level={5} className="wgd-drawer-h">
            {t('analysis.items.newCases', { count: item.newCaseCount })}
          </Typography.Title>
          {item.newCases.length === 0 ? <Typography.Text type="secondary">{t('analysis.items.noNewCases')}</Typography.Text> : <CaseLinks cases={item.newCases} />}
          <Typography.Title level={5} className="wgd-drawer-h">
            {t('analysis.items.cases', { count: item.caseCount })}
          </Typography.Title>
          <CaseLinks cases={item.cases} />
        </div>
      )}
    </Drawer>
  );
}
