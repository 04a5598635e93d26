/**
 * Care and linkage screens (走访、巡查、四级联户), one lazy bundle: the
 * console's linkage tree with notices and the patrol tracks; the phone's visit
 * list and form, patrol with its track, and the resident's notices and help.
 */
import { Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { AppHeader } from '../components/AppHeader';
import { useSession } from '../session';
import '../cases/cases.css';
import './i18n';
import { matchCareRoute } from './paths';
import { LinkagePage } from './LinkagePage';
import { PatrolsPage } from './PatrolsPage';
import { H5VisitsPage, H5VisitForm } from './H5VisitPages';
import { H5PatrolPage } from './H5PatrolPage';
import { H5NeighboursPage } from './H5NeighboursPage';

export default function CareScreens({ path }: { path: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const route = matchCareRoute(path);
  const has = (p: string) => me.permissions.includes(p);
  const forbidden = <Result status="403" title={t('errors.FORBIDDEN')} />;
  if (route?.screen === 'h5-visits') return has('visit.read') ? <H5VisitsPage /> : forbidden;
  if (route?.screen === 'h5-visit') return has('visit.record') ? <H5VisitForm residentId={route.residentId} /> : forbidden;
  if (route?.screen === 'h5-patrol') return has('patrol.record') ? <H5PatrolPage /> : forbidden;
  if (route?.screen === 'h5-neighbours') return <H5NeighboursPage />;
  const [perm, page] = route?.screen === 'patrols' ? ['patrol.read', <PatrolsPage />] : ['linkage.read', <LinkagePage />];
  return (
    <div className="wg-console">
      <AppHeader />
      <main className="wgc-main">{has(perm as string) ? page : forbidden}</main>
    </div>
  );
}
