/** Shows a resident's full ID number and phone after a reason is given; the server logs who, when and why. */
import { useState } from 'react';
import { Alert, App, Button, Descriptions, Form, Input, Modal } from 'antd';
import { EyeOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorText } from '../errors';
import { registryApi } from './registryApi';

export function RevealButton({ residentId, size }: { residentId: number; size?: 'small' | 'middle' }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<{ idNumber: string | null; phone: string | null }>();
  const [form] = Form.useForm<{ reason: string }>();
  const submit = async () => {
    const { reason } = await form.validateFields();
    setBusy(true);
    try {
      setShown(await registryApi.reveal(residentId, reason));
    } catch (err) {
      message.error(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setOpen(false);
    setShown(undefined);
    form.resetFields();
  };
  return (
    <>
      <Button size={size} icon={<EyeOutlined />} onClick={() => setOpen(true)}>
        {t('registry.reveal.button')}
      </Button>
      <Modal open={open} title={t('registry.reveal.title')} onCancel={close} onOk={shown ? close : submit} okText={shown ? t('cases.common.close', { defaultValue: 'OK' }) : t('registry.reveal.ok')} confirmLoading={busy} destroyOnHidden>
        <Alert type="warning" showIcon title={t('registry.reveal.hint')} style={{ marginBottom: 12 }} />
        {shown ? (
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t('registry.reveal.idNumber')}>{shown.idNumber ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('registry.reveal.phone')}>{shown.phone ?? '—'}</Descriptions.Item>
          </Descriptions>
        ) : (
          <Form form={form} layout="vertical">
            <Form.Item name="reason" label={t('registry.reveal.reason')} rules={[{ required: true, min: 2, message: t('registry.reveal.reasonRequired') }]}>
              <Input.TextArea rows={2} maxLength={200} />
            </Form.Item>
          </Form>
        )}
      </Modal>
    </>
  );
}
