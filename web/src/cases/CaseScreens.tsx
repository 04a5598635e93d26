/**
 * The case screens, loaded after sign-in as one bundle: the console's case
 * pages under the console header, and the phone pages (/h5…) in their own
 * frame. The app shell hands over every path `isCaseScreen` claims.
 */
import { useEffect, type ReactNode } from 'react';
import { Result } from 'antd';
import { AppHeader } from '../components/AppHeader';
import { navigate } from '../router';
import { useSession } from '../session';
import './i18n';
import './cases.css';
import { matchCaseRoute } from './paths';
import { useLabels } from './i18n';
import { QueuePage } from './pages/QueuePage';
import { CasePage } from './pages/CasePage';
import { IntakePage } from './pages/IntakePage';
import { InboxPage } from './pages/InboxPage';
import { CategoriesPage } from './pages/CategoriesPage';
import { ResponsibilityPage } from './pages/ResponsibilityPage';
import { H5Shell } from '../h5/H5Shell';
import { H5ReportPage } from '../h5/H5ReportPage';
import { H5MyCasesPage, H5TasksPage } from '../h5/H5ListPages';
import { H5CasePage } from '../h5/H5CasePage';

function ConsoleFrame({ children }: { children: ReactNode }) {
  return (
    <div className="wg-console">
      <AppHeader />
      <main className="wgc-main">{children}</main>
    </div>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NoAccess() {
  const { t } = useLabels();
  return <Result status="403" title={t('errors.FORBIDDEN')} />;
}

export default function CaseScreens({ path }: { path: string }) {
  const { me } = useSession();
  const has = (p: string) => me.permissions.includes(p);
  const route = matchCaseRoute(path);
  const guard = (perm: string, node: ReactNode) => (has(perm) ? node : <NoAccess />);

  if (!route) return <Redirect to="/h5" />; // the home page of a user without the map console
  switch (route.screen) {
    case 'queue':
      return <ConsoleFrame>{guard('case.read', <QueuePage />)}</ConsoleFrame>;
    case 'case':
      return <ConsoleFrame>{guard('case.read', <CasePage key={route.id} id={route.id} />)}</ConsoleFrame>;
    case 'intake':
      return <ConsoleFrame>{guard('case.dispatch', <IntakePage />)}</ConsoleFrame>;
    case 'inbox':
      return <ConsoleFrame>{guard('notice.read', <InboxPage />)}</ConsoleFrame>;
    case 'categories':
      return <ConsoleFrame>{guard('category.manage', <CategoriesPage />)}</ConsoleFrame>;
    case 'responsibility':
      return <ConsoleFrame>{has('responsibility.manage') || has('case.dispatch') ? <ResponsibilityPage /> : <NoAccess />}</ConsoleFrame>;
    case 'h5-home':
      return <Redirect to={has('case.handle') ? '/h5/tasks' : '/h5/cases'} />;
    case 'h5-report':
      return <H5ReportPage key="report" />;
    case 'h5-patrol':
      return <H5ReportPage patrol key="patrol" />;
    case 'h5-cases':
      return <H5MyCasesPage />;
    case 'h5-case':
      return <H5CasePage key={route.id} id={route.id} />;
    case 'h5-tasks':
      return <H5TasksPage />;
    case 'h5-inbox':
      return <H5InboxPage />;
  }
}

function H5InboxPage() {
  const { t } = useLabels();
  return (
    <H5Shell title={t('cases.h5.inbox')}>
      <InboxPage mobile />
    </H5Shell>
  );
}
