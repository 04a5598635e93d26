/** The resident's side of the linkage tree (H5): community notices with read receipts, and help requests (asking, and taking them for volunteers). */
import { useCallback, useEffect, useState } from 'react';
import { App, Button, Empty, Form, Input, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { H5Shell } from '../h5/H5Shell';
import { errorText } from '../errors';
import { careApi, type HelpRequest, type MyNotice } from './careApi';

export function H5NeighboursPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [notices, setNotices] = useState<MyNotice[]>([]);
  const [mine, setMine] = useState<HelpRequest[]>([]);
  const [serve, setServe] = useState<HelpRequest[]>([]);
  const [form] = Form.useForm();
  const load = useCallback(() => {
    careApi.myNotices().then((r) => setNotices(r.items), () => undefined);
    careApi.help('mine').then((r) => setMine(r.items), () => undefined);
    careApi.help('serve').then((r) => setServe(r.items), () => undefined);
  }, []);
  useEffect(load, [load]);
  const act = async (fn: () => Promise<unknown>, ok: string) => {
    try {
      await fn();
      message.success(ok);
      load();
    } catch (e) {
      message.error(errorText(t, e));
    }
  };
  const card = { listStyle: 'none', marginBottom: 8, padding: 12, background: '#fff', borderRadius: 8 } as const;
  return (
    <H5Shell title={t('care.help.title')}>
      <h3>{t('care.notice.mine')}</h3>
      {notices.length === 0 ? <Empty description={t('care.common.none')} /> : (
        <ul style={{ padding: 0 }}>
          {notices.map((n) => (
            <li key={n.id} style={card}>
              {n.urgent && <Tag color="red">{t('care.notice.urgent')}</Tag>}<strong>{n.title}</strong>
              <p>{n.body}</p>
              <div className="wgh-muted">{n.senderName} · {new Date(n.createdAt).toLocaleString()}</div>
              {n.read ? <Tag color="green">{t('care.notice.readDone')}</Tag> : <Button size="small" type="primary" onClick={() => act(() => careApi.readMine(n.id), t('care.notice.readDone'))}>{t('care.notice.markRead')}</Button>}
            </li>
          ))}
        </ul>
      )}
      <h3>{t('care.help.ask')}</h3>
      <Form form={form} layout="vertical" onFinish={(v: { title: string; body?: string }) => act(async () => { await careApi.askHelp(v); form.resetFields(); }, t('care.help.asked'))}>
        <Form.Item name="title" label={t('care.help.what')} rules={[{ required: true }]}><Input maxLength={100} /></Form.Item>
        <Form.Item name="body" label={t('care.help.detail')}><Input.TextArea rows={2} maxLength={2000} /></Form.Item>
        <Button type="primary" htmlType="submit">{t('care.help.ask')}</Button>
      </Form>
      <h3 style={{ marginTop: 16 }}>{t('care.help.mine')}</h3>
      {mine.length === 0 ? <Empty description={t('care.common.none')} /> : (
        <ul style={{ padding: 0 }}>{mine.map((h) => <li key={h.id} style={card}><strong>{h.title}</strong> <Tag>{t(`care.status.${h.status}`)}</Tag>{h.level > 1 && <Tag>{t('care.help.levelAt', { n: h.level })}</Tag>}{h.claimedByName && <div className="wgh-muted">{t('care.help.by')} {h.claimedByName}</div>}{h.result && <div>{h.result}</div>}</li>)}</ul>
      )}
      {serve.length > 0 && (
        <>
          <h3 style={{ marginTop: 16 }}>{t('care.help.serve')}</h3>
          <ul style={{ padding: 0 }}>
            {serve.map((h) => (
              <li key={h.id} style={card}>
                <strong>{h.title}</strong> <Tag>{t(`care.status.${h.status}`)}</Tag>
                <div className="wgh-muted">{h.residentName} · {h.groupName}</div>
                {h.body && <p>{h.body}</p>}
                {h.status === 'open' && <Button size="small" type="primary" onClick={() => act(() => careApi.claim(h.id), t('care.help.claimed'))}>{t('care.help.claim')}</Button>}
                {h.status === 'claimed' && <Button size="small" onClick={() => act(() => careApi.complete(h.id, t('care.help.completed')), t('care.help.completed'))}>{t('care.help.complete')}</Button>}
              </li>
            ))}
          </ul>
        </>
      )}
    </H5Shell>
  );
}
