/**
 * The linkage tree of a community (四级联户) with what breaks its rules, and
 * notices down the tree with read receipts (通知下达): who has not read, and a
 * reminder to the owners of their groups.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Drawer, Empty, Form, Input, List, Modal, Space, Table, Tag, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useTranslation } from 'react-i18next';
import { useSession } from '../session';
import { errorText } from '../errors';
import { careApi, type Broadcast, type BroadcastDetail, type LinkageTree, type Unread } from './careApi';

function defaultCommunity(roles: { nodeCode: string | null }[]): string {
  const r = roles.find((g) => g.nodeCode && g.nodeCode.length >= 12);
  return r?.nodeCode?.slice(0, 12) ?? '';
}

export function LinkagePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { me } = useSession();
  const canManage = me.permissions.includes('linkage.manage');
  const canSend = me.permissions.includes('broadcast.send');
  const [code, setCode] = useState(() => defaultCommunity(me.roles));
  const [tree, setTree] = useState<LinkageTree>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [broadcasts, setBroadcasts] = useState<Broadcast[]>([]);
  const [detail, setDetail] = useState<{ b: BroadcastDetail; unread: Unread[] }>();
  const [form] = Form.useForm();

  const load = useCallback(async (c: string) => {
    if (!/^\d{12}$/.test(c)) return;
    setError(undefined);
    try {
      setTree(await careApi.tree(c));
      setBroadcasts((await careApi.broadcasts(c)).items);
    } catch (e) {
      setTree(undefined);
      setError(errorText(t, e));
    }
  }, [t]);
  useEffect(() => void load(code), []); // eslint-disable-line react-hooks/exhaustive-deps

  const propose = async () => {
    setBusy(true);
    try {
      setTree(await careApi.proposal(code));
    } catch (e) {
      message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  const apply = async (replace: boolean) => {
    setBusy(true);
    try {
      setTree(await careApi.applyTree(code, replace));
      message.success(t('care.linkage.applied'));
    } catch (e) {
      message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  const send = async (v: { title: string; body: string; urgent?: boolean }) => {
    const top = tree?.groups.find((g) => g.level === 4 && g.id !== null);
    try {
      const b = await careApi.send({ ...(top?.id ? { groupId: top.id } : { nodeCode: code }), title: v.title, body: v.body, urgent: !!v.urgent });
      message.success(t('care.notice.sent', { n: b.recipients }));
      form.resetFields();
      setBroadcasts((await careApi.broadcasts(code)).items);
    } catch (e) {
      message.error(errorText(t, e));
    }
  };
  const open = async (id: number) => {
    try {
      const [b, u] = await Promise.all([careApi.broadcast(id), careApi.unread(id)]);
      setDetail({ b, unread: u.items });
    } catch (e) {
      message.error(errorText(t, e));
    }
  };
  const remind = async () => {
    if (!detail) return;
    try {
      const r = await careApi.remind(detail.b.id);
      message.success(t('care.notice.reminded', { n: r.notified }));
    } catch (e) {
      message.error(errorText(t, e));
    }
  };

  const treeData = useMemo(() => {
    if (!tree) return [];
    const bad = new Set(tree.violations.map((v) => v.groupKey).filter(Boolean));
    const byParent = new Map<string | null, typeof tree.groups>();
    for (const g of tree.groups) byParent.set(g.parentKey, [...(byParent.get(g.parentKey) ?? []), g]);
    const build = (parent: string | null): DataNode[] =>
      (byParent.get(parent) ?? []).map((g) => ({
        key: g.key,
        title: (
          <span>
            <Tag color={['', 'green', 'cyan', 'blue', 'purple'][g.level]}>{t('care.linkage.level', { n: g.level })}</Tag>
            {g.name} · {g.level === 1 ? `${g.households} ${t('care.common.households')}` : `${g.members} ${t('care.common.people')}`} · {t('care.linkage.owner')}: {g.owner?.name ?? t('care.linkage.noOwner')}
            {bad.has(g.key) && <Tag color="red" style={{ marginLeft: 6 }}>!</Tag>}
          </span>
        ),
        children: build(g.key),
      }));
    return build(null);
  }, [tree, t]);

  return (
    <div className="wgc-page">
      <div className="wgc-page-head">
        <Typography.Title level={4} className="wgc-page-title">{t('care.linkage.title')}</Typography.Title>
        <Space>
          <Input aria-label={t('care.common.community')} placeholder={t('care.common.community')} value={code} onChange={(e) => setCode(e.target.value.trim())} style={{ width: 180 }} />
          <Button onClick={() => void load(code)}>{t('care.common.load')}</Button>
          {canManage && <Button onClick={propose} loading={busy}>{t('care.linkage.propose')}</Button>}
          {canManage && tree && !tree.stored && tree.groups.length > 0 && (
            <Button type="primary" loading={busy} onClick={() => void apply(false).catch(() => undefined)}>{t('care.linkage.apply')}</Button>
          )}
          {canManage && tree?.stored && tree.groups.length > 0 && (
            <Button danger onClick={() => Modal.confirm({ content: t('care.linkage.confirmReplace'), onOk: () => apply(true) })}>{t('care.linkage.rebuild')}</Button>
          )}
        </Space>
      </div>
      {error && <Alert type="error" message={error} />}
      {tree && (
        <div style={{ display: 'grid', gridTemplateColumns: '3fr 2fr', gap: 16 }}>
          <Card title={tree.stored ? `${tree.communityName} · ${t('care.linkage.stored')}` : `${tree.communityName} · ${t('care.linkage.proposal')}`}>
            <p data-testid="linkage-stats">
              {t('care.linkage.stats', { households: tree.stats.households, l1: tree.stats.groups.level1, l2: tree.stats.groups.level2, l3: tree.stats.groups.level3, volunteers: tree.stats.volunteers, share: (tree.stats.volunteerShare * 100).toFixed(1) })}
            </p>
            {tree.groups.length === 0 ? <Empty description={t('care.linkage.noTree')} /> : <Tree treeData={treeData} defaultExpandedKeys={tree.groups.filter((g) => g.level >= 3).map((g) => g.key)} height={520} />}
          </Card>
          <Space direction="vertical" style={{ width: '100%' }}>
            <Card title={t('care.linkage.violations')} size="small">
              {tree.violations.length === 0 ? <Alert type="success" message={t('care.linkage.noViolations')} /> : (
                <List size="small" dataSource={tree.violations.slice(0, 100)} renderItem={(v) => <List.Item><Tag color="red">{t(`care.linkage.codes.${v.code}`, { defaultValue: v.code })}</Tag>{v.message}</List.Item>} />
              )}
            </Card>
            {canSend && tree.stored && (
              <Card title={t('care.notice.compose')} size="small">
                <Form form={form} layout="vertical" onFinish={send}>
                  <Form.Item name="title" label={t('care.notice.subject')} rules={[{ required: true }]}><Input maxLength={100} /></Form.Item>
                  <Form.Item name="body" label={t('care.notice.body')} rules={[{ required: true }]}><Input.TextArea rows={3} maxLength={5000} /></Form.Item>
                  <Form.Item name="urgent" valuePropName="checked"><Checkbox>{t('care.notice.urgent')}</Checkbox></Form.Item>
                  <Button type="primary" htmlType="submit">{t('care.notice.send')}</Button>
                </Form>
              </Card>
            )}
            <Card title={t('care.notice.list')} size="small">
              {broadcasts.length === 0 ? <Empty description={t('care.common.none')} /> : (
                <List
                  size="small"
                  dataSource={broadcasts}
                  renderItem={(b) => (
                    <List.Item actions={[<Button key="o" size="small" onClick={() => void open(b.id)}>{t('care.notice.unreadList')}</Button>]}>
                      <List.Item.Meta
                        title={<>{b.urgent && <Tag color="red">{t('care.notice.urgent')}</Tag>}{b.title}</>}
                        description={t('care.notice.reach', { recipients: b.recipients, read: b.read, unread: b.unread })}
                      />
                    </List.Item>
                  )}
                />
              )}
            </Card>
          </Space>
        </div>
      )}
      <Drawer open={!!detail} width={640} onClose={() => setDetail(undefined)} title={detail ? `${detail.b.title} · ${t('care.notice.reach', { recipients: detail.b.recipients, read: detail.b.read, unread: detail.b.unread })}` : ''}>
        {detail && (
          <>
            {canSend && detail.b.unread > 0 && <Button type="primary" onClick={remind} style={{ marginBottom: 12 }}>{t('care.notice.remind')}</Button>}
            <Table<Unread>
              size="small"
              rowKey="householdId"
              dataSource={detail.unread}
              pagination={{ pageSize: 20 }}
              columns={[
                { title: t('care.notice.address'), dataIndex: 'address' },
                { title: t('care.notice.group'), dataIndex: 'groupName' },
                { title: t('care.notice.owner'), dataIndex: 'ownerName' },
              ]}
            />
          </>
        )}
      </Drawer>
    </div>
  );
}
