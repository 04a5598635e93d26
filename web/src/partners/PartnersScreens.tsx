/**
 * The partner screens, one lazy bundle under the console header: partner
 * systems and their keys (partner.manage), the Open311 extra questions of the
 * categories (category.manage).
 */
import { Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { AppHeader } from '../components/AppHeader';
import { useSession } from '../session';
import '../cases/cases.css';
import './i18n';
import { matchPartnerRoute } from './paths';
import { PartnersPage } from './PartnersPage';
import { QuestionsPage } from './QuestionsPage';

export default function PartnersScreens({ path }: { path: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const route = matchPartnerRoute(path);
  const [perm, page] = route?.screen === 'questions' ? ['category.manage', <QuestionsPage />] : ['partner.manage', <PartnersPage />];
  return (
    <div className="wg-console">
      <AppHeader />
      <main className="wgc-main">{me.permissions.includes(perm as string) ? page : <Result status="403" title={t('errors.FORBIDDEN')} />}</main>
    </div>
  );
}
