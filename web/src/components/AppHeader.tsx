/** The console header: brand and demo tag, language switch, and the user menu (roles, password, sign-out). */
import { useState } from 'react';
import { Button, Dropdown } from 'antd';
import { DownOutlined, KeyOutlined, LogoutOutlined, SafetyCertificateOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useSession } from '../session';
import { Brand } from './Brand';
import { LanguageSwitch } from './LanguageSwitch';
import { RolesDrawer } from './RolesDrawer';
import { ChangePasswordModal } from './ChangePasswordModal';
import { ConsoleNav } from '../cases/ConsoleNav';

export function AppHeader() {
  const { t } = useTranslation();
  const { meta, me, signOut } = useSession();
  const [rolesOpen, setRolesOpen] = useState(false);
  const [passwordOpen, setPasswordOpen] = useState(false);
  const [passwordChanged, setPasswordChanged] = useState(false);
  const forced = me.mustChangePassword && !passwordChanged;

  return (
    <header className="wg-header">
      <Brand meta={meta} light />
      <ConsoleNav />
      <div className="wg-header-tools">
        <LanguageSwitch ghost />
        <Dropdown
          trigger={['click']}
          menu={{
            items: [
              { key: 'roles', icon: <SafetyCertificateOutlined />, label: t('header.myRoles') },
              { key: 'password', icon: <KeyOutlined />, label: t('header.changePassword') },
              { type: 'divider' },
              { key: 'signout', icon: <LogoutOutlined />, label: t('header.signOut'), danger: true },
            ],
            onClick: ({ key }) => {
              if (key === 'roles') setRolesOpen(true);
              else if (key === 'password') setPasswordOpen(true);
              else if (key === 'signout') void signOut();
            },
          }}
        >
          <Button type="text" className="wg-header-button wg-user-button" aria-label={`${t('header.userMenu')}: ${me.displayName}`} icon={<UserOutlined />}>
            <span className="wg-user-name">{me.displayName}</span>
            <DownOutlined className="wg-user-caret" />
          </Button>
        </Dropdown>
      </div>
      <RolesDrawer me={me} open={rolesOpen} onClose={() => setRolesOpen(false)} />
      <ChangePasswordModal
        open={passwordOpen || forced}
        forced={forced}
        onDone={() => {
          setPasswordOpen(false);
          setPasswordChanged(true);
        }}
        onCancel={() => setPasswordOpen(false)}
      />
    </header>
  );
}
