/**
 * The console's main menu in the header (map, cases, hotline intake, inbox,
 * settings, phone pages), each entry shown only to users holding its
 * permission, and the inbox bell with the unread count.
 */
import { useEffect, useState } from 'react';
import { Badge, Button, Menu, Tooltip } from 'antd';
import type { MenuProps } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useSession } from '../session';
import { navigate, usePathname } from '../router';
import { casesApi } from './casesApi';
import { useLabels } from './i18n';

/** Fired after notices are read, so the bell updates at once. */
export const NOTICES_CHANGED = 'wangge:notices-changed';

export function useUnreadCount(enabled: boolean): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let ctrl = new AbortController();
    const load = () => {
      ctrl.abort();
      ctrl = new AbortController();
      casesApi
        .unreadCount(ctrl.signal)
        .then((r) => setN(r.unread))
        .catch(() => undefined);
    };
    load();
    const timer = window.setInterval(load, 30_000);
    window.addEventListener(NOTICES_CHANGED, load);
    return () => {
      ctrl.abort();
      window.clearInterval(timer);
      window.removeEventListener(NOTICES_CHANGED, load);
    };
  }, [enabled]);
  return n;
}

function selectedKey(path: string): string {
  if (path.startsWith('/cases')) return '/cases';
  if (path.startsWith('/dashboard')) return '/dashboard';
  if (path.startsWith('/analysis')) return '/analysis';
  if (path.startsWith('/settings/')) return path;
  if (path.startsWith('/care/')) return path;
  if (path.startsWith('/registry')) return '/registry';
  if (path === '/intake' || path === '/inbox') return path;
  return '/';
}

export function ConsoleNav() {
  const { me } = useSession();
  const l = useLabels();
  const { t } = l;
  const path = usePathname();
  const has = (p: string) => me.permissions.includes(p);
  const unread = useUnreadCount(has('notice.read'));

  const settings: NonNullable<MenuProps['items']> = [];
  if (has('category.manage')) settings.push({ key: '/settings/categories', label: t('cases.nav.categories') });
  if (has('responsibility.manage') || has('case.dispatch')) settings.push({ key: '/settings/responsibility', label: t('cases.nav.responsibility') });
  // Partner screens (web/src/partners): their strings load with their bundle; until then the menu names itself.
  if (has('partner.manage')) settings.push({ key: '/settings/partners', label: t('partners.nav.partners', { defaultValue: l.isEn ? 'Partner systems' : '合作系统接入' }) });
  if (has('category.manage')) settings.push({ key: '/settings/open311', label: t('partners.nav.questions', { defaultValue: l.isEn ? 'Open311 questions' : 'Open311 补充问题' }) });
  const items: NonNullable<MenuProps['items']> = [
    ...(has('node.read') ? [{ key: '/', label: t('cases.nav.map') }] : []),
    ...(has('case.read') ? [{ key: '/cases', label: t('cases.nav.queue') }] : []),
    ...(has('measure.read') ? [
          // The dashboard's own strings load with its bundle; until then the menu names itself.
          { key: '/dashboard', label: t('dashboard.nav.dashboard', { defaultValue: l.isEn ? 'Command centre' : '指挥中心' }) },
          { key: '/analysis', label: t('dashboard.nav.analysis', { defaultValue: l.isEn ? 'Monthly review' : '每月研判' }) },
        ] : []),
    ...(has('case.dispatch') ? [{ key: '/intake', label: t('cases.nav.intake') }] : []),
    // The ledger strings load with their bundle; until then the menu names itself.
    ...(has('case.dispatch') ? [{ key: '/ledgers/import', label: t('ledgers.nav.import', { defaultValue: l.isEn ? 'Bulk import' : '批量导入' }) }] : []),
    ...(has('measure.read') ? [{ key: '/ledgers/reports', label: t('ledgers.nav.reports', { defaultValue: l.isEn ? 'Ledgers & reports' : '台账与月报' }) }] : []),
    // Care and linkage (web/src/care): the strings load with their bundle; until then the menu names itself.
    ...(has('linkage.read') ? [{ key: '/care/linkage', label: t('care.nav.linkage', { defaultValue: l.isEn ? 'Linkage groups' : '四级联户' }) }] : []),
    ...(has('patrol.read') ? [{ key: '/care/patrols', label: t('care.nav.patrols', { defaultValue: l.isEn ? 'Patrol tracks' : '巡查轨迹' }) }] : []),
    // The registry (web/src/registry): strings load with its bundle; until then the menu names itself.
    ...(has('household.read') || has('place.read') ? [{ key: '/registry', label: t('registry.nav.registry', { defaultValue: l.isEn ? 'People & places' : '人地事物' }) }] : []),
    ...(settings.length ? [{ key: 'settings', label: t('cases.nav.settings'), children: settings }] : []),
    ...(has('case.create') || has('case.handle') ? [{ key: '/h5', label: t('cases.nav.h5') }] : []),
  ];

  return (
    <nav className="wgc-nav" aria-label={t('cases.nav.menu')}>
      <Menu
        mode="horizontal"
        theme="dark"
        className="wgc-nav-menu"
        selectedKeys={[selectedKey(path)]}
        items={items}
        onClick={({ key }) => navigate(key)}
      />
      {has('notice.read') && (
        <Tooltip title={t('cases.nav.inbox')}>
          <Button
            type="text"
            className="wg-header-button wgc-bell"
            aria-label={`${t('cases.nav.inbox')}${unread ? ` (${unread})` : ''}`}
            onClick={() => navigate('/inbox')}
            icon={
              <Badge count={unread} size="small" offset={[4, -2]}>
                <BellOutlined style={{ color: '#fff', fontSize: 16 }} />
              </Badge>
            }
          />
        </Tooltip>
      )}
    </nav>
  );
}
