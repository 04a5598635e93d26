/** Registers the partner screens' strings (deep merge, never overwriting other bundles' keys). */
import i18n from '../i18n';
import zhCN from '../i18n/partners.zh-CN';
import en from '../i18n/partners.en';

i18n.addResourceBundle('zh-CN', 'translation', zhCN, true, false);
i18n.addResourceBundle('en', 'translation', en, true, false);
