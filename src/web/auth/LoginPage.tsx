import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, resetCsrfToken } from '../app/api';
import { useT } from '../i18n';
import { Button } from '../ui/Button';
import { RequiredLegend, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Page } from '../ui/Page';
import { safeNext, useAfterAuthentication } from './session';

export function LoginPage() {
  const t = useT();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const afterAuthentication = useAfterAuthentication();
  const errors = useFormErrors();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const fields: Record<string, string> = {};
    if (!email.trim()) fields.email = t('auth.emailRequired');
    if (!password) fields.password = t('auth.passwordRequired');
    if (Object.keys(fields).length > 0) return errors.fail(null, fields);
    errors.clear();
    setBusy(true);
    try {
      // A session may have ended in another tab: start from a fresh CSRF token.
      resetCsrfToken();
      await api.post('/api/auth/login', { email: email.trim(), password });
      await afterAuthentication({ next });
    } catch (error) {
      errors.failWith(error);
      setBusy(false);
    }
  }

  return (
    <Page title={t('login.title')} narrow>
      <form className="form card-form" onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} labels={{ email: t('auth.email'), password: t('auth.password') }} />
        <RequiredLegend />
        <TextField name="email" type="email" label={t('auth.email')} value={email} onChange={setEmail} error={errors.fields.email} autoComplete="username" required />
        <TextField
          name="password"
          type="password"
          label={t('auth.password')}
          value={password}
          onChange={setPassword}
          error={errors.fields.password}
          autoComplete="current-password"
          required
        />
        <Button type="submit" variant="primary" busy={busy} className="btn--block">
          {t('login.submit')}
        </Button>
        <p className="form__links">
          <Link to="/forgot-password">{t('login.forgot')}</Link>
        </p>
      </form>
      <p className="aside-text">
        {t('login.noAccount')} <Link to={next ? `/signup?next=${encodeURIComponent(next)}` : '/signup'}>{t('login.signupLink')}</Link>
      </p>
    </Page>
  );
}
