/** Français / English: remembered in this browser, and in the account when logged in. */
import { useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import type { Locale } from '../../core/errors';
import { isLocale, markLocaleChosen, useI18n } from '../i18n';
import { api } from './api';
import { keys } from './queries';
import type { Me, User } from './types';

export function LanguageSwitch({ loggedIn, label }: { loggedIn: boolean; /** A visible label; the header's switch has a hidden one. */ label?: string }) {
  const { locale, setLocale, t } = useI18n();
  const queryClient = useQueryClient();
  const id = useId();

  async function change(next: Locale) {
    setLocale(next);
    if (!loggedIn) {
      markLocaleChosen(true);
      return;
    }
    try {
      const { user } = await api.patch<{ user: User }>('/api/me', { locale: next });
      queryClient.setQueryData<Me | null>(keys.me, (me) => (me ? { ...me, user } : me));
    } catch {
      /* the choice still applies in this browser; the account keeps the previous one */
    }
  }

  return (
    <div className="lang-switch">
      <label htmlFor={id} className={label ? undefined : 'visually-hidden'}>
        {label ?? t('lang.label')}
      </label>
      <select id={id} value={locale} onChange={(e) => isLocale(e.target.value) && void change(e.target.value)}>
        <option value="fr" lang="fr">
          Français
        </option>
        <option value="en" lang="en">
          English
        </option>
      </select>
    </div>
  );
}
