/** The link of a sign-up e-mail: creates the account and its dossier, then opens the dossier. */
import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiError, api, resetCsrfToken } from '../app/api';
import type { User } from '../app/types';
import { useT } from '../i18n';
import { Alert } from '../ui/Alert';
import { Page } from '../ui/Page';
import { Loading } from '../ui/QueryState';
import { useAfterAuthentication } from './session';

export function ConfirmSignupPage() {
  const t = useT();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const afterAuthentication = useAfterAuthentication();
  const [failure, setFailure] = useState<{ code: string | null; message: string } | null>(null);
  // A link is spent by its first use: sent once, even when an effect runs twice.
  const sent = useRef(false);

  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    resetCsrfToken();
    api
      .post<{ user: User; dossierId: string }>('/api/auth/signup/confirm', { token })
      .then(({ dossierId }) => afterAuthentication({ dossierId }))
      .catch((error: unknown) => {
        if (error instanceof ApiError) setFailure({ code: error.code, message: error.message });
        else setFailure({ code: null, message: t('error.unexpected') });
      });
  }, [token, afterAuthentication, t]);

  if (!token) {
    return (
      <Page title={t('signupConfirm.title')} narrow>
        <Alert kind="error">
          <p>{t('signupConfirm.missingToken')}</p>
        </Alert>
        <p className="aside-text">
          <Link to="/signup">{t('signupConfirm.signUpAgain')}</Link>
        </p>
      </Page>
    );
  }

  if (failure) {
    return (
      <Page title={t('signupConfirm.title')} narrow>
        <Alert kind="error">
          <p>{failure.message}</p>
        </Alert>
        <p className="aside-text">
          {failure.code === 'email_taken' ? (
            <>
              <Link to="/login">{t('signup.loginLink')}</Link> · <Link to="/forgot-password">{t('signupConfirm.forgotPassword')}</Link>
            </>
          ) : (
            <Link to="/signup">{t('signupConfirm.signUpAgain')}</Link>
          )}
        </p>
      </Page>
    );
  }

  return (
    <Page title={t('signupConfirm.title')} narrow>
      <p>{t('signupConfirm.working')}</p>
      <Loading />
    </Page>
  );
}
