/**
 * The ledger screens (台账), one lazy bundle: bulk import of cases and the
 * reports page (monthly report, measures export), under the console header.
 * The case export itself is a button on the queue (ExportButton).
 */
import { Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { AppHeader } from '../components/AppHeader';
import { useSession } from '../session';
import '../cases/cases.css';
import './i18n';
import { matchLedgerRoute } from './paths';
import { ImportPage } from './ImportPage';
import { ReportsPage } from './ReportsPage';

export default function LedgerScreens({ path }: { path: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const route = matchLedgerRoute(path);
  const [perm, page] = route?.screen === 'import' ? ['case.dispatch', <ImportPage />] : ['measure.read', <ReportsPage />];
  return (
    <div className="wg-console">
      <AppHeader />
      <main className="wgc-main">{me.permissions.includes(perm as string) ? page : <Result status="403" title={t('errors.FORBIDDEN')} />}</main>
    </div>
  );
}
