/** An invitation link: who invites whom to which dossier; create the account or log in, then accept. */
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { PASSWORD_MIN_LENGTH } from '../../core/password';
import { ApiError, api, resetCsrfToken, seg } from '../app/api';
import { keys, useMe } from '../app/queries';
import type { PublicInvitation } from '../app/types';
import { useI18n, useT } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { RequiredLegend, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';
import { useAfterAuthentication, useLogout } from './session';

export function InvitationPage() {
  const { t, format } = useI18n();
  const { token = '' } = useParams();
  const me = useMe();
  const invitation = useQuery({
    queryKey: keys.invitation(token),
    queryFn: ({ signal }) => api.get<{ invitation: PublicInvitation }>(`/api/invitations/${seg(token)}`, signal),
    retry: false,
  });

  if (invitation.isPending || me.isPending) {
    return (
      <Page title={t('invitation.title')} narrow>
        <Loading />
      </Page>
    );
  }
  if (invitation.isError) {
    const invalid = invitation.error instanceof ApiError && (invitation.error.status === 404 || invitation.error.code === 'token_invalid');
    return (
      <Page title={t('invitation.title')} narrow>
        {invalid ? (
          <Alert kind="error">
            <p>{invitation.error.message}</p>
          </Alert>
        ) : (
          <LoadError error={invitation.error} retry={() => void invitation.refetch()} />
        )}
      </Page>
    );
  }

  const inv = invitation.data.invitation;
  const user = me.data?.user ?? null;

  return (
    <Page title={t('invitation.title')} narrow>
      <div className="invitation-card">
        <p className="invitation-card__lead">{t('invitation.lead', { inviter: inv.invitedByName, dossier: inv.dossierName })}</p>
        <dl className="details">
          <div>
            <dt>{t('invitation.dossier')}</dt>
            <dd>{inv.dossierName}</dd>
          </div>
          <div>
            <dt>{t('invitation.invitedBy')}</dt>
            <dd>{inv.invitedByName}</dd>
          </div>
          <div>
            <dt>{t('invitation.profile')}</dt>
            <dd>{inv.profileName}</dd>
          </div>
          <div>
            <dt>{t('invitation.email')}</dt>
            <dd>{inv.email}</dd>
          </div>
          <div>
            <dt>{t('invitation.expires')}</dt>
            <dd>{format.dateTime(inv.expiresAt)}</dd>
          </div>
        </dl>
      </div>
      {user ? (
        <AcceptAsUser token={token} userEmail={user.email} invitationEmail={inv.email} />
      ) : inv.accountExists ? (
        <Alert kind="info" title={t('invitation.haveAccount')}>
          <p>{t('invitation.loginFirst')}</p>
          <p>
            <Link className="btn btn--primary" to={`/login?next=${encodeURIComponent(`/invitation/${token}`)}`}>
              {t('invitation.loginToAccept')}
            </Link>
          </p>
        </Alert>
      ) : (
        <CreateAccountAndAccept token={token} email={inv.email} />
      )}
    </Page>
  );
}

function AcceptAsUser({ token, userEmail, invitationEmail }: { token: string; userEmail: string; invitationEmail: string }) {
  const t = useT();
  const afterAuthentication = useAfterAuthentication();
  const logout = useLogout();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  const otherAccount = userEmail.toLowerCase() !== invitationEmail.toLowerCase();

  async function accept() {
    errors.clear();
    setBusy(true);
    try {
      const { dossierId } = await api.post<{ dossierId: string }>(`/api/invitations/${seg(token)}/accept`, {});
      await afterAuthentication({ dossierId });
    } catch (error) {
      errors.failWith(error);
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      <ErrorSummary errors={errors} />
      <p>{t('invitation.loggedInAs', { email: userEmail })}</p>
      {otherAccount && (
        <Alert kind="warning">
          <p>{t('invitation.otherAccount', { email: invitationEmail })}</p>
          <Button small onClick={() => void logout(`/invitation/${token}`)}>
            {t('header.logout')}
          </Button>
        </Alert>
      )}
      <Button variant="primary" busy={busy} onClick={() => void accept()}>
        {t('invitation.accept')}
      </Button>
    </div>
  );
}

function CreateAccountAndAccept({ token, email }: { token: string; email: string }) {
  const t = useT();
  const afterAuthentication = useAfterAuthentication();
  const errors = useFormErrors();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const labels = { name: t('auth.name'), password: t('auth.password') };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const fields: Record<string, string> = {};
    if (!name.trim()) fields.name = t('auth.nameRequired');
    if (password.length < PASSWORD_MIN_LENGTH) fields.password = t('auth.passwordTooShort', { min: PASSWORD_MIN_LENGTH });
    if (Object.keys(fields).length > 0) return errors.fail(null, fields);
    errors.clear();
    setBusy(true);
    try {
      resetCsrfToken();
      const { dossierId } = await api.post<{ dossierId: string }>(`/api/invitations/${seg(token)}/accept`, { name: name.trim(), password });
      await afterAuthentication({ dossierId });
    } catch (error) {
      errors.failWith(error);
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="invitation-create">
      <h2 id="invitation-create">{t('invitation.createTitle')}</h2>
      <p>{t('invitation.createIntro', { email })}</p>
      <form className="form" onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} labels={labels} />
        <RequiredLegend />
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
        <TextField name="name" label={labels.name} value={name} onChange={setName} error={errors.fields.name} autoComplete="name" required />
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
        <Button type="submit" variant="primary" busy={busy} className="btn--block">
          {t('invitation.createAndAccept')}
        </Button>
      </form>
    </section>
  );
}

