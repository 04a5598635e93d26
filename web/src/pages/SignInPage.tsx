/**
 * Sign-in with a username or phone number. In demo mode the demo logins are
 * listed below the form; clicking one fills the form in.
 */
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Table, Tag, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, ApiError, type DemoLogin, type Meta } from '../api';
import { errorText } from '../errors';
import { Brand } from '../components/Brand';
import { LanguageSwitch } from '../components/LanguageSwitch';

interface Values {
  login: string;
  password: string;
}

export function SignInPage({ meta, onSignedIn }: { meta: Meta; onSignedIn: (csrfToken: string) => Promise<void> }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (values: Values) => {
    setBusy(true);
    setError(undefined);
    try {
      const res = await api.login(values.login.trim(), values.password);
      await onSignedIn(res.csrfToken);
    } catch (err) {
      if (err instanceof ApiError && err.fields.length > 0) {
        // Name the failing field next to its input, as the server named it.
        form.setFields(
          err.fields
            .filter((f) => f.field === 'login' || f.field === 'password')
            .map((f) => ({ name: f.field as keyof Values, errors: [f.reason] })),
        );
      }
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const fill = (l: DemoLogin) => {
    form.setFieldsValue({ login: l.username, password: l.password });
    form.setFields([
      { name: 'login', errors: [] },
      { name: 'password', errors: [] },
    ]);
    setError(undefined);
  };

  return (
    <div className="wg-signin">
      <header className="wg-signin-top">
        <Brand meta={meta} />
        <LanguageSwitch />
      </header>
      <main className="wg-signin-main">
        <Card className="wg-signin-card" title={<h1 className="wg-signin-title">{t('signIn.title')}</h1>}>
          <Typography.Paragraph type="secondary">{t('app.subtitle')}</Typography.Paragraph>
          {error && <Alert type="error" showIcon title={error} className="wg-signin-error" role="alert" />}
          <Form<Values> form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false} disabled={busy} name="signin">
            <Form.Item label={t('signIn.login')} name="login" rules={[{ required: true, whitespace: true, message: t('signIn.loginRequired') }]}>
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus size="large" />
            </Form.Item>
            <Form.Item label={t('signIn.password')} name="password" rules={[{ required: true, message: t('signIn.passwordRequired') }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" />
            </Form.Item>
            {/* An explicit name: antd keeps the spinner's "loading" icon in the DOM while its leave animation runs, and a
                leave that never finishes in a busy browser left the button named "loading 登录" for good. */}
            <Button type="primary" htmlType="submit" block size="large" loading={busy} aria-label={t('signIn.submit')}>
              {t('signIn.submit')}
            </Button>
          </Form>
          <Button type="link" block href="/h5/anonymous" className="wg-anonymous-link">
            {t('signIn.anonymous')}
          </Button>
        </Card>
        {meta.mode === 'demo' && meta.demoLogins.length > 0 && (
          <Card className="wg-demo-card" title={t('signIn.demoLogins')} size="small">
            <Typography.Paragraph type="secondary" className="wg-demo-hint">
              {t('signIn.demoHint')}
            </Typography.Paragraph>
            <Table<DemoLogin>
              size="small"
              rowKey="username"
              pagination={false}
              dataSource={meta.demoLogins}
              scroll={{ x: true }}
              onRow={(l) => ({ onClick: () => fill(l), className: 'wg-clickable', title: t('signIn.demoHint') })}
              columns={[
                { title: t('signIn.username'), dataIndex: 'username', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
                { title: t('signIn.password'), dataIndex: 'password', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
                { title: t('signIn.role'), dataIndex: 'role', render: (v: string) => <Tag color="blue">{t(`roleNames.${v}`, { defaultValue: v })}</Tag> },
                { title: t('signIn.node'), key: 'node', render: (_: unknown, l) => l.nodeName || l.node },
              ]}
            />
          </Card>
        )}
      </main>
    </div>
  );
}
