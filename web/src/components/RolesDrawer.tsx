/** "My roles": each role the user holds, at which node, for which department. */
import { Drawer, Empty, List, Tag, Typography } from 'antd';
import { ApartmentOutlined, TeamOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Me } from '../api';
import { LevelTag } from './LevelTag';

export function RolesDrawer({ me, open, onClose }: { me: Me; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Drawer title={t('roles.title')} open={open} onClose={onClose} size={380} className="wg-roles-drawer">
      <Typography.Paragraph>
        <Typography.Text strong>{me.displayName}</Typography.Text>{' '}
        <Typography.Text type="secondary">
          {me.username}
          {me.phone ? ` · ${me.phone}` : ''}
        </Typography.Text>
      </Typography.Paragraph>
      {me.roles.length === 0 ? (
        <Empty description={t('roles.none')} />
      ) : (
        <List
          aria-label={t('roles.title')}
          dataSource={me.roles}
          rowKey={(r) => String(r.id)}
          renderItem={(r) => (
            <List.Item className="wg-role-item">
              <List.Item.Meta
                title={<Tag color="blue">{t(`roleNames.${r.role}`, { defaultValue: r.role })}</Tag>}
                description={
                  <div className="wg-role-facts">
                    <div>
                      <ApartmentOutlined /> {t('roles.node')}:{' '}
                      {r.nodeCode ? (
                        <>
                          {r.nodeLevel && <LevelTag level={r.nodeLevel} />}
                          {r.nodeName ?? r.nodeCode} <Typography.Text type="secondary">{r.nodeCode}</Typography.Text>
                        </>
                      ) : (
                        t('roles.wholeTree')
                      )}
                    </div>
                    {r.departmentName && (
                      <div>
                        <TeamOutlined /> {t('roles.department')}: {r.departmentName}
                      </div>
                    )}
                  </div>
                }
              />
            </List.Item>
          )}
        />
      )}
    </Drawer>
  );
}
