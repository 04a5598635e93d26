/** Registers the registry screens' strings (deep merge, never overwriting other bundles' keys), and names from the domain vocabulary. */
import i18n from '../i18n';
import zhCN from '../i18n/registry.zh-CN';
import en from '../i18n/registry.en';
import { GENDERS, PLACE_KINDS, RELATIONS, TAG_TABLE, THING_KINDS, THING_STATES } from '../../../src/domain/registry.js';

i18n.addResourceBundle('zh-CN', 'translation', zhCN, true, false);
i18n.addResourceBundle('en', 'translation', en, true, false);

const TABLES = { gender: GENDERS, relation: RELATIONS, tag: TAG_TABLE, place: PLACE_KINDS, thing: THING_KINDS, state: THING_STATES } as const;

/** The name of a code in the current language (tags, relations, kinds …); the code itself when unknown. */
export function nameOf(table: keyof typeof TABLES, code: string | null | undefined): string {
  if (!code) return '';
  const entry = (TABLES[table] as Record<string, { zh: string; en: string }>)[code];
  return entry ? (i18n.language?.startsWith('en') ? entry.en : entry.zh) : code;
}
