/**
 * The registry screens (人地事物), one lazy bundle: the console's lists and
 * pages under /registry, and the grid worker's household lookup under /h5.
 */
import { Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { AppHeader } from '../components/AppHeader';
import { useSession } from '../session';
import '../cases/cases.css';
import './i18n';
import { matchRegistryRoute } from './paths';
import { RegistryLists } from './RegistryLists';
import { HouseholdPage, PlacePage, ResidentPage, ThingPage } from './RegistryPages';
import { H5HouseholdPage, H5HouseholdsPage } from './H5Households';

export default function RegistryScreens({ path }: { path: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  let route = matchRegistryRoute(path);
  if (!route) return <Result status="404" />;
  // Those who read places but not households (a dispatcher) land on the places list.
  if (route.screen === 'list' && (route.tab === 'households' || route.tab === 'residents') && !me.permissions.includes('household.read') && me.permissions.includes('place.read')) {
    route = { screen: 'list', tab: 'places' };
  }
  const perm = route.screen === 'place' || route.screen === 'thing' || (route.screen === 'list' && (route.tab === 'places' || route.tab === 'things')) ? 'place.read' : 'household.read';
  if (!me.permissions.includes(perm)) return <Result status="403" title={t('errors.FORBIDDEN')} />;
  if (route.screen === 'h5-households') return <H5HouseholdsPage />;
  if (route.screen === 'h5-household') return <H5HouseholdPage id={route.id} />;
  const page =
    route.screen === 'list' ? <RegistryLists tab={route.tab} />
    : route.screen === 'household' ? <HouseholdPage id={route.id} />
    : route.screen === 'resident' ? <ResidentPage id={route.id} />
    : route.screen === 'place' ? <PlacePage id={route.id} />
    : <ThingPage id={route.id} />;
  return (
    <div className="wg-console">
      <AppHeader />
      <main className="wgc-main">
        {route.screen === 'list' ? page : <div className="wgc-page">{page}</div>}
      </main>
    </div>
  );
}
