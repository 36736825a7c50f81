import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../app/api';
import { useConfig } from '../app/queries';
import { useT } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { RequiredLegend, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Page } from '../ui/Page';

export function ForgotPasswordPage() {
  const t = useT();
  const config = useConfig();
  const errors = useFormErrors();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!email.trim()) return errors.fail(null, { email: t('auth.emailRequired') });
    errors.clear();
    setBusy(true);
    try {
      await api.post('/api/auth/password-reset', { email: email.trim() });
      setSent(true);
    } catch (error) {
      errors.failWith(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t('forgot.title')} intro={<p>{t('forgot.intro')}</p>} narrow>
      {sent ? (
        <Alert kind="success" title={t('forgot.sentTitle')}>
          <p>{t('forgot.sentBody', { email: email.trim() })}</p>
          {config.data?.outboxAvailable && (
            <p>
              <Link to="/outbox">{t('forgot.openOutbox')}</Link>
            </p>
          )}
        </Alert>
      ) : (
        <form className="form card-form" onSubmit={submit} noValidate>
          <ErrorSummary errors={errors} labels={{ email: t('auth.email') }} />
          <RequiredLegend />
          <TextField name="email" type="email" label={t('auth.email')} value={email} onChange={setEmail} error={errors.fields.email} autoComplete="email" required />
          <Button type="submit" variant="primary" busy={busy} className="btn--block">
            {t('forgot.submit')}
          </Button>
        </form>
      )}
      <p className="aside-text">
        <Link to="/login">{t('common.backToLogin')}</Link>
      </p>
    </Page>
  );
}
