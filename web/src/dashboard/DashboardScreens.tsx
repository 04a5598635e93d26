/**
 * The dashboard area, loaded after sign-in as its own bundle: the
 * command-centre dashboard (指挥中心, measure.read) and the monthly review of
 * recurring problems (每月研判). Both under the console header.
 */
import { Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { AppHeader } from '../components/AppHeader';
import { useSession } from '../session';
import '../cases/i18n';
import './i18n';
import './dashboard.css';
import { matchDashboardRoute } from './paths';
import { DashboardPage } from './DashboardPage';
import { AnalysisPage } from './AnalysisPage';

export default function DashboardScreens({ path }: { path: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const route = matchDashboardRoute(path);
  const allowed = me.permissions.includes('measure.read');
  let body;
  if (!route || !allowed) body = <Result status="403" title={t(route?.screen === 'analysis' ? 'analysis.noAccess' : 'dashboard.noAccess')} />;
  else if (route.screen === 'dashboard') body = <DashboardPage code={route.node} />;
  else body = <AnalysisPage code={route.node} />;
  return (
    <div className="wg-console">
      <AppHeader />
      {body}
    </div>
  );
}
