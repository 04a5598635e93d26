/**
 * Registers the case screens' strings with the app's i18next instance (deep
 * merge into the default namespace, never overwriting the console's keys),
 * and the label helpers every case screen uses.
 */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import i18n from '../i18n';
import zhCN from '../i18n/cases.zh-CN';
import en from '../i18n/cases.en';
import { DEPARTMENT_KIND_NAMES, type DepartmentKind } from '../../../src/domain/departments.js';
import type { CategoryRef, TimelineEntry } from './casesApi';

i18n.addResourceBundle('zh-CN', 'translation', zhCN, true, false);
i18n.addResourceBundle('en', 'translation', en, true, false);

export function useLabels() {
  const { t, i18n: inst } = useTranslation();
  const isEn = inst.language === 'en';
  return useMemo(
    () => ({
      t,
      isEn,
      status: (s: string | null | undefined) => (s ? t(`cases.status.${s}`, { defaultValue: s }) : ''),
      button: (a: string) => t(`cases.button.${a}`, { defaultValue: a }),
      /** A timeline entry's name: an escalation straight to a department is 吹哨报到. */
      event: (e: Pick<TimelineEntry, 'action' | 'data'>) => {
        const to = e.data?.to as { type?: string } | undefined;
        if (e.action === 'escalate' && to?.type === 'department') return isEn ? `${t('cases.event.escalate')} (${t('cases.event.escalateTo')})` : `${t('cases.event.escalate')}（${t('cases.event.escalateTo')}）`;
        return t(`cases.event.${e.action}`, { defaultValue: e.action });
      },
      channel: (c: string) => t(`cases.channel.${c}`, { defaultValue: c }),
      clock: (c: string) => t(`cases.clock.${c}`, { defaultValue: c }),
      level: (l: string | null | undefined) => (l ? t(`cases.level.${l}`, { defaultValue: l }) : ''),
      handlerType: (h: string) => t(`cases.handlerType.${h}`, { defaultValue: h }),
      rating: (r: string) => t(`cases.rating.${r}`, { defaultValue: r }),
      unit: (u: string) => t(`cases.unit.${u}`, { defaultValue: u }),
      role: (r: string | null | undefined) => (r ? t(`roleNames.${r}`, { defaultValue: r }) : ''),
      category: (c: CategoryRef | { nameZh?: string | null; nameEn?: string | null; code: string } | undefined) =>
        c ? ((isEn ? c.nameEn : c.nameZh) ?? c.nameZh ?? c.code) : '',
      deptKind: (k: string | null | undefined) => {
        if (!k) return '';
        const n = DEPARTMENT_KIND_NAMES[k as DepartmentKind];
        return n ? (isEn ? n.en : n.zh) : k;
      },
      time: (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString(isEn ? 'en-GB' : 'zh-CN', { hour12: false }) : ''),
      /** A parenthesised aside in the language's own brackets. */
      paren: (x: string | null | undefined) => (x ? (isEn ? ` (${x})` : `（${x}）`) : ''),
      deadline: (d: { amount: number; unit: string } | undefined) => (d ? `${d.amount} ${t(`cases.unit.${d.unit}`)}` : ''),
    }),
    [t, isEn],
  );
}
export type Labels = ReturnType<typeof useLabels>;

/** Antd tag colours of the states. */
export const STATUS_COLOURS: Record<string, string> = {
  reported: 'orange',
  accepted: 'gold',
  dispatched: 'blue',
  in_progress: 'processing',
  returned: 'magenta',
  resolved: 'cyan',
  awaiting_rating: 'purple',
  suspended: 'default',
  closed: 'success',
  rejected: 'default',
  cancelled: 'default',
  merged: 'default',
};

export const CLOCK_COLOURS: Record<string, string> = { green: 'green', yellow: 'gold', red: 'red' };
