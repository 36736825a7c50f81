/** What happens around authentication: where to go after login, logging out, the saved language. */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useNavigate } from 'react-router';
import { api, resetCsrfToken } from '../app/api';
import { fetchMe, keys } from '../app/queries';
import type { Me } from '../app/types';
import { localeChosenBeforeLogin, markLocaleChosen, useI18n } from '../i18n';

/** Any origin: only what a path resolves to against it matters. */
const PROBE_ORIGIN = 'https://ardoise.invalid';

/**
 * Only paths of this site are followed after login (an open redirect would help phishing). The
 * URL parser drops tabs and line breaks and reads a backslash as `/`, so `/\t/evil.example` is
 * `//evil.example`: control characters and backslashes are refused outright, and what is left
 * must resolve to this origin. The path given back is the one the parser resolved.
 */
export function safeNext(next: string | null): string | null {
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  if (!next || !next.startsWith('/') || /[\u0000-\u001f\u007f-\u009f\\]/.test(next)) return null;
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return null;
  }
  if (url.origin !== PROBE_ORIGIN) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

export function homePath(me: Me): string {
  const only = me.dossiers.length === 1 ? me.dossiers[0] : undefined;
  return only ? `/d/${only.id}` : '/dossiers';
}

/** After login, sign-up or accepting an invitation: fresh CSRF token, fresh data, language, then navigate. */
export function useAfterAuthentication() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { locale, setLocale } = useI18n();

  return useCallback(
    async (destination: { next?: string | null; dossierId?: string }) => {
      resetCsrfToken();
      queryClient.removeQueries();
      const me = await queryClient.fetchQuery({ queryKey: keys.me, queryFn: () => fetchMe() });
      if (me && me.user.locale !== locale) {
        if (localeChosenBeforeLogin()) {
          const { user } = await api.patch<{ user: Me['user'] }>('/api/me', { locale }).catch(() => ({ user: me.user }));
          const updated: Me = { ...me, user };
          queryClient.setQueryData(keys.me, updated);
        } else {
          setLocale(me.user.locale);
        }
      }
      markLocaleChosen(false);
      const next = safeNext(destination.next ?? null);
      if (next) navigate(next, { replace: true });
      else if (destination.dossierId) navigate(`/d/${destination.dossierId}`, { replace: true });
      else if (me) navigate(homePath(me), { replace: true });
      else navigate('/login', { replace: true });
    },
    [queryClient, navigate, locale, setLocale],
  );
}

/** Logs out; `next` is where the login page leads afterwards (e.g. back to an invitation). */
export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useCallback(async (next?: string) => {
    try {
      await api.post('/api/auth/logout');
    } catch {
      /* already logged out, or the server is gone: leave anyway */
    }
    resetCsrfToken();
    queryClient.clear();
    navigate(next ? `/login?next=${encodeURIComponent(next)}` : '/login', { replace: true });
  }, [queryClient, navigate]);
}
