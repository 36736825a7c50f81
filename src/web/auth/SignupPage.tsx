import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { PASSWORD_MIN_LENGTH } from '../../core/password';
import { api } from '../app/api';
import { useConfig } from '../app/queries';
import { useT } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { RequiredLegend, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Page } from '../ui/Page';

export function SignupPage() {
  const t = useT();
  const config = useConfig();
  const errors = useFormErrors();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [dossierName, setDossierName] = useState('');
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);

  const labels = { name: t('auth.name'), email: t('auth.email'), password: t('auth.password'), dossierName: t('signup.dossierName') };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const fields: Record<string, string> = {};
    if (!name.trim()) fields.name = t('auth.nameRequired');
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) fields.email = t('auth.emailInvalid');
    if (password.length < PASSWORD_MIN_LENGTH) fields.password = t('auth.passwordTooShort', { min: PASSWORD_MIN_LENGTH });
    if (!dossierName.trim()) fields.dossierName = t('signup.dossierNameRequired');
    if (Object.keys(fields).length > 0) return errors.fail(null, fields);
    errors.clear();
    setBusy(true);
    try {
      // The same answer whether or not the address has an account: the e-mail says which.
      await api.post('/api/auth/signup', { name: name.trim(), email: email.trim(), password, dossierName: dossierName.trim() });
      setPassword('');
      setSentTo(email.trim());
    } catch (error) {
      errors.failWith(error);
    } finally {
      setBusy(false);
    }
  }

  if (sentTo) {
    return (
      <Page title={t('signup.title')} narrow>
        <Alert kind="success" title={t('signup.sentTitle')}>
          <p>{t('signup.sentBody', { email: sentTo })}</p>
          <p>{t('signup.sentNoMail')}</p>
          {config.data?.outboxAvailable && (
            <p>
              <Link to="/outbox">{t('forgot.openOutbox')}</Link>
            </p>
          )}
        </Alert>
        <p className="aside-text">
          <Button small onClick={() => setSentTo(null)}>
            {t('signup.startAgain')}
          </Button>
        </p>
      </Page>
    );
  }

  return (
    <Page title={t('signup.title')} intro={<p>{t('signup.intro')}</p>} narrow>
      <form className="form card-form" onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} labels={labels} />
        <RequiredLegend />
        <TextField name="name" label={labels.name} value={name} onChange={setName} error={errors.fields.name} autoComplete="name" required />
        <TextField name="email" type="email" label={labels.email} value={email} onChange={setEmail} error={errors.fields.email} autoComplete="email" required />
        <TextField
          name="password"
          type="password"
          label={labels.password}
          hint={t('auth.passwordHint', { min: PASSWORD_MIN_LENGTH })}
          value={password}
          onChange={setPassword}
          error={errors.fields.password}
          autoComplete="new-password"
          minLength={PASSWORD_MIN_LENGTH}
          required
        />
        <TextField
          name="dossierName"
          label={labels.dossierName}
          hint={t('signup.dossierNameHint')}
          value={dossierName}
          onChange={setDossierName}
          error={errors.fields.dossierName}
          autoComplete="organization"
          required
        />
        <Button type="submit" variant="primary" busy={busy} className="btn--block">
          {t('signup.submit')}
        </Button>
      </form>
      <p className="aside-text">
        {t('signup.haveAccount')} <Link to="/login">{t('signup.loginLink')}</Link>
      </p>
    </Page>
  );
}
