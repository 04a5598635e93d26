/** Change one's own password; opened from the user menu, or forced when the account must change it. */
import { useState } from 'react';
import { Alert, App, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api';
import { errorText } from '../errors';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export function ChangePasswordModal({ open, forced, onDone, onCancel }: { open: boolean; forced: boolean; onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await api.changePassword(v.currentPassword, v.newPassword);
      message.success(t('password.changed'));
      form.resetFields();
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.fields.length > 0) {
        form.setFields(err.fields.map((f) => ({ name: f.field as keyof Values, errors: [f.reason] })));
      } else {
        message.error(errorText(t, err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={t('password.title')}
      open={open}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onCancel}
      okText={t('password.submit')}
      cancelText={t('password.cancel')}
      confirmLoading={busy}
      closable={!forced}
      mask={{ closable: !forced }}
      keyboard={!forced}
      cancelButtonProps={{ style: forced ? { display: 'none' } : undefined }}
      destroyOnHidden
    >
      {forced && <Alert type="warning" showIcon title={t('password.mustChange')} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" requiredMark={false} name="password">
        <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true, message: t('password.required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="newPassword" label={t('password.next')} extra={t('password.rule')} rules={[{ required: true, message: t('password.required') }, { min: 8, message: t('password.rule') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('password.required') },
            ({ getFieldValue }) => ({
              validator: (_r, value) => (!value || value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
