/**
 * The action bar: exactly the actions the server says the signed-in user may
 * take on this case (its `abilities`), each opening its form. The three
 * rating abilities make one "rate" button. After an action the case is shown
 * as the server now returns it; a conflict (someone acted first) shows the
 * message and reloads the case.
 */
import { useState } from 'react';
import { App, Button, Empty, Space } from 'antd';
import { ApiError } from '../../api';
import { errorText } from '../../errors';
import { casesApi, isGone, type ActionResult, type CaseAction, type CaseDetail } from '../casesApi';
import { useLabels } from '../i18n';
import { ActionDialog, type DialogAction } from './ActionDialog';

/** Main actions first (primary buttons), the rest after. */
const ORDER: string[] = [
  'accept',
  'dispatch',
  'sign',
  'resolve',
  'check_pass',
  'rate',
  'note',
  'escalate',
  'summon',
  'co_report',
  'check_fail',
  'return',
  'redispatch',
  'merge',
  'reject',
  'request_extension',
  'approve_extension',
  'deny_extension',
  'request_suspension',
  'approve_suspension',
  'deny_suspension',
  'resume',
  'supervise',
  'flag_urgent',
  'cancel',
];
const PRIMARY = new Set(['accept', 'dispatch', 'sign', 'resolve', 'check_pass', 'rate', 'approve_extension', 'approve_suspension', 'resume', 'co_report']);
const DANGER = new Set(['reject', 'return', 'check_fail', 'cancel', 'deny_extension', 'deny_suspension']);

/** The buttons for a case's abilities. */
export function buttonsFor(abilities: readonly CaseAction[]): DialogAction[] {
  const set = new Set<string>(abilities.map((a) => (a.startsWith('rate_') ? 'rate' : a)));
  return ORDER.filter((a) => set.has(a));
}

interface Props {
  c: CaseDetail;
  onChanged: (c: CaseDetail) => void;
  /** The case moved out of the user's sight (after a return or an escalation). */
  onGone: (r: ActionResult) => void;
  reload: () => Promise<void>;
  mobile?: boolean;
  /** The open dialog, held by the page so other parts (the duplicates list's "merge into") can open one. */
  dialog: DialogState | null;
  setDialog: (d: DialogState | null) => void;
  block?: boolean;
}

export interface DialogState {
  action: DialogAction;
  into?: number;
  /** A fresh key per opening: the form starts empty. */
  n: number;
}

/** The dialog state a page holds for CaseActions. */
export function useDialogState() {
  return useState<DialogState | null>(null);
}

export function CaseActions({ c, onChanged, onGone, reload, mobile, dialog, setDialog, block }: Props) {
  const l = useLabels();
  const { message } = App.useApp();
  const setOpen = setDialog;
  const current = dialog;
  const buttons = buttonsFor(c.abilities);

  const submit = async (action: DialogAction, body: Parameters<typeof casesApi.act>[2] & { rating?: 'satisfied' | 'basically_satisfied' | 'unsatisfied'; comment?: string }) => {
    try {
      const r = action === 'rate' ? await casesApi.rate(c.id, body.rating!, body.comment) : await casesApi.act(c.id, action as CaseAction, body);
      setOpen(null);
      message.success(l.t('cases.form.done', { action: action === 'rate' ? l.t('cases.button.rate') : l.button(action) }));
      if (isGone(r)) onGone(r);
      else onChanged(r);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        message.warning(errorText(l.t, err));
        setOpen(null);
        await reload();
      } else if (!(err instanceof ApiError && err.status === 400)) {
        message.error(errorText(l.t, err));
      }
      throw err;
    }
  };

  if (!buttons.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={l.t('cases.detail.noActions')} />;
  return (
    <>
      <Space wrap className={block ? 'wgc-actions wgc-actions-block' : 'wgc-actions'} data-testid="case-actions">
        {buttons.map((a) => (
          <Button
            key={a}
            type={PRIMARY.has(a) ? 'primary' : 'default'}
            danger={DANGER.has(a)}
            size={mobile ? 'large' : 'middle'}
            data-action={a}
            onClick={() => setOpen({ action: a, n: Date.now() })}
          >
            {a === 'rate' ? (c.reporter.isMe ? l.t('cases.button.rate') : l.t('cases.button.rateCallback')) : l.button(a)}
          </Button>
        ))}
      </Space>
      {current && (
        <ActionDialog
          key={current.n}
          action={current.action}
          initialInto={current.into}
          c={c}
          mobile={mobile}
          onClose={() => setOpen(null)}
          onSubmit={submit}
        />
      )}
    </>
  );
}
