/** Mon compte: password, open sessions, security log, language. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { PASSWORD_MIN_LENGTH } from '../../core/password';
import { api, seg } from '../app/api';
import { LanguageSwitch } from '../app/LanguageSwitch';
import { keys, useMe } from '../app/queries';
import { SECURITY_EVENT_KINDS, type SecurityEvent, type SecurityEventKind, type Session } from '../app/types';
import { useI18n } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { ConfirmButton } from '../ui/ConfirmButton';
import { TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';
import { describeUserAgent } from './userAgent';

export function AccountPage() {
  const { t } = useI18n();
  const me = useMe();
  const user = me.data?.user;
  return (
    <Page title={t('account.title')} intro={user && <p>{t('account.intro', { name: user.name, email: user.email })}</p>}>
      <div className="account">
        <section className="panel" aria-labelledby="account-language">
          <h2 id="account-language">{t('account.language')}</h2>
          <p className="muted">{t('account.languageHint')}</p>
          <LanguageSwitch loggedIn label={t('account.languageLabel')} />
        </section>
        <PasswordForm />
        <Sessions />
        <SecurityLog />
      </div>
    </Page>
  );
}

function PasswordForm() {
  const { t } = useI18n();
  const email = useMe().data?.user.email ?? '';
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState(false);
  const labels = { currentPassword: t('account.currentPassword'), newPassword: t('account.newPassword'), confirm: t('reset.confirm') };

  const change = useMutation({
    mutationFn: () => api.post('/api/me/password', { currentPassword, newPassword }),
    onSuccess: async () => {
      setDone(true);
      setCurrent('');
      setNew('');
      setConfirm('');
      await queryClient.invalidateQueries({ queryKey: keys.sessions });
      await queryClient.invalidateQueries({ queryKey: keys.securityEvents });
    },
    onError: errors.failWith,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    const fields: Record<string, string> = {};
    if (!currentPassword) fields.currentPassword = t('auth.passwordRequired');
    if (newPassword.length < PASSWORD_MIN_LENGTH) fields.newPassword = t('auth.passwordTooShort', { min: PASSWORD_MIN_LENGTH });
    if (confirm !== newPassword) fields.confirm = t('auth.passwordMismatch');
    if (Object.keys(fields).length > 0) return errors.fail(null, fields);
    errors.clear();
    change.mutate();
  }

  return (
    <section className="panel" aria-labelledby="account-password">
      <h2 id="account-password">{t('account.passwordTitle')}</h2>
      <form className="form" onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} labels={labels} />
        {/* Tells password managers whose password this is. */}
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
        <TextField name="currentPassword" type="password" label={labels.currentPassword} value={currentPassword} onChange={setCurrent} error={errors.fields.currentPassword} autoComplete="current-password" />
        <TextField
          name="newPassword"
          type="password"
          label={labels.newPassword}
          hint={t('auth.passwordHint', { min: PASSWORD_MIN_LENGTH })}
          value={newPassword}
          onChange={setNew}
          error={errors.fields.newPassword}
          autoComplete="new-password"
        />
        <TextField name="confirm" type="password" label={labels.confirm} value={confirm} onChange={setConfirm} error={errors.fields.confirm} autoComplete="new-password" />
        <div>
          <Button type="submit" variant="primary" busy={change.isPending}>
            {t('account.changePassword')}
          </Button>
        </div>
      </form>
      {done && (
        <Alert kind="success">
          <p>{t('account.passwordChanged')}</p>
        </Alert>
      )}
    </section>
  );
}

function Sessions() {
  const { t, format } = useI18n();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sessions = useQuery({
    queryKey: keys.sessions,
    queryFn: ({ signal }) => api.get<{ sessions: Session[] }>('/api/me/sessions', signal),
  });
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: keys.sessions });
    await queryClient.invalidateQueries({ queryKey: keys.securityEvents });
  };

  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/api/me/sessions/${seg(id)}`),
    onSuccess: async () => {
      setError(null);
      setNotice(t('account.sessionRevoked'));
      await refresh();
    },
    onError: (e) => setError(e.message),
  });
  const revokeOthers = useMutation({
    mutationFn: () => api.post<{ revoked: number }>('/api/me/sessions/revoke-others'),
    onSuccess: async ({ revoked }) => {
      setError(null);
      setNotice(t('account.othersRevoked', { count: revoked }));
      await refresh();
    },
    onError: (e) => setError(e.message),
  });

  const others = sessions.data?.sessions.filter((s) => !s.current).length ?? 0;

  return (
    <section className="panel" aria-labelledby="account-sessions">
      <div className="panel__header">
        <h2 id="account-sessions">{t('account.sessionsTitle')}</h2>
        {others > 0 && (
          <ConfirmButton question={t('account.revokeOthersQuestion')} confirmLabel={t('account.revokeOthers')} busy={revokeOthers.isPending} onConfirm={() => revokeOthers.mutate()}>
            {t('account.revokeOthers')}
          </ConfirmButton>
        )}
      </div>
      {error && (
        <Alert kind="error">
          <p>{error}</p>
        </Alert>
      )}
      {notice && (
        <Alert kind="success">
          <p>{notice}</p>
        </Alert>
      )}
      {sessions.isPending ? (
        <Loading />
      ) : sessions.isError ? (
        <LoadError error={sessions.error} retry={() => void sessions.refetch()} />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('account.device')}</th>
                <th scope="col">{t('account.ip')}</th>
                <th scope="col">{t('account.lastSeen')}</th>
                <th scope="col">{t('account.opened')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.sessions.map((s) => (
                <tr key={s.id}>
                  <th scope="row" title={s.userAgent ?? undefined}>
                    {describeUserAgent(s.userAgent) ?? t('account.unknownDevice')}
                    {s.current && <span className="badge badge--accent">{t('account.thisDevice')}</span>}
                  </th>
                  <td>{s.ip ?? '—'}</td>
                  <td>{format.dateTime(s.lastSeenAt)}</td>
                  <td>{format.dateTime(s.createdAt)}</td>
                  <td className="actions">
                    {!s.current && (
                      <Button small variant="ghost" busy={revoke.isPending && revoke.variables === s.id} onClick={() => revoke.mutate(s.id)}>
                        {t('account.revoke')}
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function isKind(kind: string): kind is SecurityEventKind {
  return (SECURITY_EVENT_KINDS as readonly string[]).includes(kind);
}

function SecurityLog() {
  const { t, format } = useI18n();
  const events = useQuery({
    queryKey: keys.securityEvents,
    queryFn: ({ signal }) => api.get<{ events: SecurityEvent[] }>('/api/me/security-events', signal),
  });
  return (
    <section className="panel" aria-labelledby="account-security">
      <h2 id="account-security">{t('account.securityTitle')}</h2>
      {events.isPending ? (
        <Loading />
      ) : events.isError ? (
        <LoadError error={events.error} retry={() => void events.refetch()} />
      ) : events.data.events.length === 0 ? (
        <p className="muted">{t('account.noEvents')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('audit.when')}</th>
                <th scope="col">{t('account.event')}</th>
                <th scope="col">{t('account.ip')}</th>
                <th scope="col">{t('account.device')}</th>
              </tr>
            </thead>
            <tbody>
              {events.data.events.map((e) => (
                <tr key={e.id} className={e.kind === 'login_failed' ? 'row--warning' : undefined}>
                  <td className="nowrap">{format.dateTime(e.occurredAt)}</td>
                  <td>{isKind(e.kind) ? t(`security.${e.kind}`) : e.kind}</td>
                  <td>{e.ip ?? '—'}</td>
                  <td title={e.userAgent ?? undefined}>{describeUserAgent(e.userAgent) ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
