import type { TFunction } from 'i18next';
import { ApiError } from './api';

/**
 * A message a person can act on, in the current language: the translation of
 * the server's error code when we have one, else the server's own message.
 */
export function errorText(t: TFunction, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'ACCOUNT_LOCKED' && typeof err.details.lockedUntil === 'string') {
      return t('signIn.lockedUntil', { time: new Date(err.details.lockedUntil).toLocaleString() });
    }
    return t(`errors.${err.code}`, { defaultValue: err.message });
  }
  return err instanceof Error ? err.message : String(err);
}
