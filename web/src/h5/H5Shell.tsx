/**
 * The phone pages' frame (H5): a title bar with back, language and sign-out,
 * the page, and a bottom tab bar with what this user does on the phone —
 * a resident reports and follows their cases; a grid worker also has tasks
 * and patrol reports.
 */
import type { ReactNode } from 'react';
import { Badge, Button, Dropdown } from 'antd';
import { HeartOutlined, TeamOutlined } from '@ant-design/icons';
import { BellOutlined, CheckSquareOutlined, DesktopOutlined, EditOutlined, EllipsisOutlined, FileTextOutlined, LeftOutlined, LogoutOutlined, ScanOutlined, TranslationOutlined } from '@ant-design/icons';
import { setLanguage } from '../i18n';
import { navigate, usePathname } from '../router';
import { useSession } from '../session';
import { useUnreadCount } from '../cases/ConsoleNav';
import { useLabels } from '../cases/i18n';
import './h5.css';

export interface H5Tab {
  path: string;
  label: string;
  icon: ReactNode;
  badge?: number;
}

export function useH5Tabs(): H5Tab[] {
  const { me } = useSession();
  const { t, isEn } = useLabels();
  const has = (p: string) => me.permissions.includes(p);
  const unread = useUnreadCount(has('notice.read'));
  const handles = has('case.handle');
  const tabs: H5Tab[] = [];
  if (handles) tabs.push({ path: '/h5/tasks', label: t('cases.h5.tasks'), icon: <CheckSquareOutlined /> });
  if (has('case.create')) {
    if (handles) tabs.push({ path: '/h5/patrol', label: t('cases.h5.patrol'), icon: <ScanOutlined /> });
    else tabs.push({ path: '/h5/report', label: t('cases.h5.report'), icon: <EditOutlined /> });
  }
  tabs.push({ path: '/h5/cases', label: t('cases.h5.myCases'), icon: <FileTextOutlined /> });
  // Care (web/src/care): the grid worker's visits, the resident's notices and neighbour help.
  if (has('visit.record')) tabs.push({ path: '/h5/visits', label: t('care.nav.visits', { defaultValue: isEn ? 'Visits' : '走访' }), icon: <HeartOutlined /> });
  if (has('help.request')) tabs.push({ path: '/h5/neighbours', label: t('care.nav.neighbours', { defaultValue: isEn ? 'Neighbours' : '邻里' }), icon: <TeamOutlined /> });
  if (has('notice.read')) tabs.push({ path: '/h5/inbox', label: t('cases.h5.inbox'), icon: <BellOutlined />, badge: unread });
  return tabs;
}

export function H5Shell({ title, back, children }: { title: string; back?: string | (() => void); children: ReactNode }) {
  const { me, signOut } = useSession();
  const l = useLabels();
  const path = usePathname();
  const tabs = useH5Tabs();
  return (
    <div className="wgh-app">
      <header className="wgh-bar">
        <div className="wgh-bar-side">
          {back && (
            <Button
              type="text"
              className="wgh-bar-button"
              icon={<LeftOutlined />}
              aria-label={l.t('cases.common.back')}
              onClick={() => (typeof back === 'string' ? navigate(back) : back())}
            />
          )}
        </div>
        <h1 className="wgh-title">{title}</h1>
        <div className="wgh-bar-side wgh-bar-right">
          <Dropdown
            trigger={['click']}
            menu={{
              items: [
                { key: 'user', label: me.displayName, disabled: true },
                { key: 'lang', icon: <TranslationOutlined />, label: l.t('cases.h5.language') },
                ...(me.permissions.includes('node.read') ? [{ key: 'console', icon: <DesktopOutlined />, label: l.t('cases.h5.switchToConsole') }] : []),
                { type: 'divider' as const },
                { key: 'out', icon: <LogoutOutlined />, danger: true, label: l.t('cases.h5.signOut') },
              ],
              onClick: ({ key }) => {
                if (key === 'lang') setLanguage(l.isEn ? 'zh-CN' : 'en');
                else if (key === 'console') navigate('/cases');
                else if (key === 'out') void signOut();
              },
            }}
          >
            <Button type="text" className="wgh-bar-button" icon={<EllipsisOutlined />} aria-label={l.t('cases.h5.me')} />
          </Dropdown>
        </div>
      </header>
      <main className="wgh-main">{children}</main>
      <nav className="wgh-tabs" aria-label={l.t('cases.nav.menu')}>
        {tabs.map((tab) => {
          const active = path === tab.path || (tab.path === '/h5/cases' && path.startsWith('/h5/cases/'));
          return (
            <a
              key={tab.path}
              href={tab.path}
              className={active ? 'wgh-tab wgh-tab-active' : 'wgh-tab'}
              aria-current={active ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate(tab.path);
              }}
            >
              <Badge count={tab.badge} size="small" offset={[6, 0]}>
                <span className="wgh-tab-icon">{tab.icon}</span>
              </Badge>
              <span className="wgh-tab-label">{tab.label}</span>
            </a>
          );
        })}
      </nav>
    </div>
  );
}
