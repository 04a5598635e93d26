import { Button, Tooltip } from 'antd';
import { TranslationOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { setLanguage } from '../i18n';

/** One button that flips between 中文 and English; its label names the language it switches to. */
export function LanguageSwitch({ ghost }: { ghost?: boolean }) {
  const { t, i18n } = useTranslation();
  const next = i18n.language === 'en' ? 'zh-CN' : 'en';
  return (
    <Tooltip title={t('app.switchLanguage')}>
      <Button
        type={ghost ? 'text' : 'default'}
        className={ghost ? 'wg-header-button' : undefined}
        icon={<TranslationOutlined />}
        lang={next}
        aria-label={t('app.otherLanguage')}
        onClick={() => setLanguage(next)}
      >
        <span className="wg-lang-label">{t('app.otherLanguage')}</span>
      </Button>
    </Tooltip>
  );
}
