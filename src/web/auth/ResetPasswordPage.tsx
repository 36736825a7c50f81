import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { PASSWORD_MIN_LENGTH } from '../../core/password';
import { api } from '../app/api';
import { useT } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { RequiredLegend, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Page } from '../ui/Page';

export function ResetPasswordPage() {
  const t = useT();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const errors = useFormErrors();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const labels = { password: t('reset.newPassword'), confirm: t('reset.confirm') };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const fields: Record<string, string> = {};
    if (password.length < PASSWORD_MIN_LENGTH) fields.password = t('auth.passwordTooShort', { min: PASSWORD_MIN_LENGTH });
    if (confirm !== password) fields.confirm = t('auth.passwordMismatch');
    if (Object.keys(fields).length > 0) return errors.fail(null, fields);
    errors.clear();
    setBusy(true);
    try {
      await api.post('/api/auth/password-reset/confirm', { token, password });
      setDone(true);
    } catch (error) {
      errors.failWith(error);
    } finally {
      setBusy(false);
    }
  }

  if (!token) {
    return (
      <Page title={t('reset.title')} narrow>
        <Alert kind="error">
          <p>{t('reset.missingToken')}</p>
        </Alert>
        <p className="aside-text">
          <Link to="/forgot-password">{t('reset.askAgain')}</Link>
        </p>
      </Page>
    );
  }

  return (
    <Page title={t('reset.title')} narrow>
      {done ? (
        <Alert kind="success" title={t('reset.doneTitle')}>
          <p>
            <Link to="/login">{t('reset.doneLogin')}</Link>
          </p>
        </Alert>
      ) : (
        <form className="form card-form" onSubmit={submit} noValidate>
          <ErrorSummary errors={errors} labels={labels} />
          <RequiredLegend />
          <TextField
            name="password"
            type="password"
            label={labels.password}
            hint={t('auth.passwordHint', { min: PASSWORD_MIN_LENGTH })}
            value={password}
            onChange={setPassword}
            error={errors.fields.password}
            autoComplete="new-password"
            required
          />
          <TextField name="confirm" type="password" label={labels.confirm} value={confirm} onChange={setConfirm} error={errors.fields.confirm} autoComplete="new-password" required />
          <Button type="submit" variant="primary" busy={busy} className="btn--block">
            {t('reset.submit')}
          </Button>
        </form>
      )}
    </Page>
  );
}
