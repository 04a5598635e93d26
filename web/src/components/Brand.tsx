import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Meta } from '../api';

/** The product name, with the demo-mode warning tag when the installation runs in demo mode. */
export function Brand({ meta, light }: { meta: Meta; light?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className={light ? 'wg-brand wg-brand-light' : 'wg-brand'}>
      <span className="wg-brand-mark" aria-hidden>
        网
      </span>
      <span className="wg-brand-title">{t('app.title')}</span>
      {meta.mode === 'demo' && (
        <Tag color="orange" className="wg-demo-tag">
          {t('app.demoMode')}
        </Tag>
      )}
    </div>
  );
}
