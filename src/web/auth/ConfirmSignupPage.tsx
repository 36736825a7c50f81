/**
 * The link of a sign-up e-mail: the password chosen at sign-up, typed again, creates the account
 * and its dossier, then opens the dossier. Opening the link alone creates nothing (a mail scanner
 * that follows links, or a person who never asked for the account, confirms nothing).
 */
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiError, api, resetCsrfToken } from '../app/api';
import type { User } from '../app/types';
import { useT } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { RequiredLegend, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Page } from '../ui/Page';
import { useAfterAuthentication } from './session';

export function ConfirmSignupPage() {
  const t = useT();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const afterAuthentication = useAfterAuthentication();
  const errors = useFormErrors();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  // A link that can no longer be used: say so instead of showing the form again.
  const [spent, setSpent] = useState<{ code: string; message: string } | null>(null);

  const labels = { password: t('signupConfirm.password') };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!password) return errors.fail(null, { password: t('signupConfirm.passwordRequired') });
    errors.clear();
    setBusy(true);
    try {
      resetCsrfToken();
      const { dossierId } = await api.post<{ user: User; dossierId: string }>('/api/auth/signup/confirm', { token, password });
      afterAuthentication({ dossierId });
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'token_invalid' || error.code === 'email_taken')) setSpent({ code: error.code, message: error.message });
      else if (error instanceof ApiError && error.code === 'signup_password_mismatch') errors.fail(null, { password: error.message });
      else errors.failWith(error);
      setBusy(false);
    }
  }

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

  if (spent) {
    return (
      <Page title={t('signupConfirm.title')} narrow>
        <Alert kind="error">
          <p>{spent.message}</p>
        </Alert>
        <p className="aside-text">
          {spent.code === 'email_taken' ? (
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
      <form className="form card-form" onSubmit={submit} noValidate>
        <p>{t('signupConfirm.intro')}</p>
        <ErrorSummary errors={errors} labels={labels} />
        <RequiredLegend />
        <TextField
          name="password"
          type="password"
          label={labels.password}
          hint={t('signupConfirm.passwordHint')}
          value={password}
          onChange={setPassword}
          error={errors.fields.password}
          autoComplete="current-password"
          required
        />
        <Button type="submit" variant="primary" busy={busy} className="btn--block">
          {t('signupConfirm.submit')}
        </Button>
      </form>
    </Page>
  );
}
