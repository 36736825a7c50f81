/** Membres: who works in the dossier, with which profile; pending invitations; seats; invite. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { permissionsBeyond } from '../../core/permissions';
import { api, seg } from '../app/api';
import { keys, useMe } from '../app/queries';
import type { Member, MembersAnswer, Profile, ProfilesAnswer } from '../app/types';
import { useCurrentDossier } from '../dossiers/context';
import { useI18n } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { ConfirmButton } from '../ui/ConfirmButton';
import { RequiredLegend, SelectField, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';
import { profileLabel } from './labels';

export function MembersPage() {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const members = useQuery({
    queryKey: keys.members(dossier.id),
    queryFn: ({ signal }) => api.get<MembersAnswer>(`/api/d/${seg(dossier.id)}/members`, signal),
  });
  const profiles = useQuery({
    queryKey: keys.profiles(dossier.id),
    queryFn: ({ signal }) => api.get<ProfilesAnswer>(`/api/d/${seg(dossier.id)}/profiles`, signal),
  });

  return (
    <Page title={t('members.title')} context={dossier.legalName}>
      {members.isPending || profiles.isPending ? (
        <Loading />
      ) : members.isError ? (
        <LoadError error={members.error} retry={() => void members.refetch()} />
      ) : profiles.isError ? (
        <LoadError error={profiles.error} retry={() => void profiles.refetch()} />
      ) : (
        <MembersContent data={members.data} profiles={profiles.data.profiles} />
      )}
    </Page>
  );
}

function MembersContent({ data, profiles }: { data: MembersAnswer; profiles: Profile[] }) {
  const { t, locale, format } = useI18n();
  const { dossier, membership } = useCurrentDossier();
  const me = useMe();
  // The server's rule, reflected: nobody grants, nor manages a member or invitation holding, a
  // profile beyond their own permissions; nobody changes their own profile.
  const grantable = profiles.filter((p) => permissionsBeyond(membership.permissions, p.permissions).length === 0);
  const manageable = (profileId: string) => grantable.some((p) => p.id === profileId);
  const queryClient = useQueryClient();
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: keys.members(dossier.id) });
    await queryClient.invalidateQueries({ queryKey: keys.profiles(dossier.id) });
  };
  const onError = (error: unknown) => {
    setNotice(null);
    setActionError(error instanceof Error ? error.message : t('error.unexpected'));
  };

  const changeProfile = useMutation({
    mutationFn: ({ member, profileId }: { member: Member; profileId: string }) =>
      api.patch(`/api/d/${seg(dossier.id)}/members/${seg(member.userId)}`, { profileId }),
    // The select shows the new profile at once; a refusal (e.g. last_admin) puts the old one back.
    onMutate: ({ member, profileId }) => {
      queryClient.setQueryData<MembersAnswer>(keys.members(dossier.id), (old) =>
        old ? { ...old, members: old.members.map((m) => (m.userId === member.userId ? { ...m, profileId } : m)) } : old,
      );
    },
    onSuccess: async (_r, { member, profileId }) => {
      setActionError(null);
      const profile = profiles.find((p) => p.id === profileId);
      setNotice(t('members.profileChanged', { name: member.name, profile: profile ? profileLabel(profile.id, profile.name, locale) : profileId }));
      await refresh();
      await queryClient.invalidateQueries({ queryKey: keys.dossier(dossier.id) });
    },
    onError: async (error) => {
      onError(error);
      await refresh();
    },
  });

  const removeMember = useMutation({
    mutationFn: (member: Member) => api.delete(`/api/d/${seg(dossier.id)}/members/${seg(member.userId)}`),
    onSuccess: async (_r, member) => {
      setActionError(null);
      setNotice(t('members.removed', { name: member.name }));
      await refresh();
      // Removing oneself ends one's access: the dossier list and this dossier change.
      if (member.userId === me.data?.user.id) {
        await queryClient.invalidateQueries({ queryKey: keys.me });
        await queryClient.invalidateQueries({ queryKey: keys.dossier(dossier.id) });
      }
    },
    onError,
  });

  const revokeInvitation = useMutation({
    mutationFn: (id: string) => api.delete(`/api/d/${seg(dossier.id)}/invitations/${seg(id)}`),
    onSuccess: async () => {
      setActionError(null);
      setNotice(t('members.invitationRevoked'));
      await refresh();
    },
    onError,
  });

  const { seats } = data;
  const full = seats.used >= seats.limit;

  return (
    <>
      <p className="seats">
        <span className={full ? 'badge badge--warning' : 'badge'}>{t('members.seats', { used: seats.used, limit: seats.limit })}</span>{' '}
        {t('members.plan', { plan: seats.planLabel })}
      </p>
      {actionError && (
        <Alert kind="error">
          <p>{actionError}</p>
        </Alert>
      )}
      {notice && (
        <Alert kind="success">
          <p>{notice}</p>
        </Alert>
      )}

      <section aria-labelledby="members-list">
        <h2 id="members-list">{t('members.listTitle')}</h2>
        <div className="table-wrap">
          <table className="table--cards">
            <thead>
              <tr>
                <th scope="col">{t('members.name')}</th>
                <th scope="col">{t('members.email')}</th>
                <th scope="col">{t('members.profile')}</th>
                <th scope="col">{t('members.joinedAt')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.members.map((m) => (
                <tr key={m.userId}>
                  <th scope="row">
                    {m.name}
                    {m.userId === me.data?.user.id && <span className="muted"> ({t('members.you')})</span>}
                  </th>
                  <td className="nowrap" data-label={t('members.email')}>
                    {m.email}
                  </td>
                  <td data-label={t('members.profile')}>
                    <label className="visually-hidden" htmlFor={`profile-${m.userId}`}>
                      {t('members.profileOf', { name: m.name })}
                    </label>
                    <select
                      id={`profile-${m.userId}`}
                      value={m.profileId}
                      disabled={changeProfile.isPending || m.userId === me.data?.user.id || !manageable(m.profileId)}
                      onChange={(e) => changeProfile.mutate({ member: m, profileId: e.target.value })}
                    >
                      {!grantable.some((p) => p.id === m.profileId) && <option value={m.profileId}>{profileLabel(m.profileId, m.profileName, locale)}</option>}
                      {grantable.map((p) => (
                        <option key={p.id} value={p.id}>
                          {profileLabel(p.id, p.name, locale)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td data-label={t('members.joinedAt')}>{format.date(m.joinedAt)}</td>
                  <td className="actions">
                    {manageable(m.profileId) && (
                      <ConfirmButton
                        label={t('members.removeNamed', { name: m.name })}
                        question={t('members.removeQuestion', { name: m.name })}
                        confirmLabel={t('members.remove')}
                        busy={removeMember.isPending && removeMember.variables?.userId === m.userId}
                        onConfirm={() => removeMember.mutate(m)}
                      >
                        {t('members.remove')}
                      </ConfirmButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted">{t('members.grantRule')}</p>
      </section>

      <section aria-labelledby="invitations-list">
        <h2 id="invitations-list">{t('members.invitationsTitle')}</h2>
        {data.invitations.length === 0 ? (
          <p className="muted">{t('members.noInvitations')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table--cards">
              <thead>
                <tr>
                  <th scope="col">{t('members.email')}</th>
                  <th scope="col">{t('members.profile')}</th>
                  <th scope="col">{t('members.invitedBy')}</th>
                  <th scope="col">{t('members.expiresAt')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.invitations.map((inv) => (
                  <tr key={inv.id}>
                    <th scope="row" className="nowrap">
                      {inv.email}
                    </th>
                    <td data-label={t('members.profile')}>{profileLabel(inv.profileId, inv.profileName, locale)}</td>
                    <td data-label={t('members.invitedBy')}>{inv.invitedByName}</td>
                    <td data-label={t('members.expiresAt')}>{format.date(inv.expiresAt)}</td>
                    <td className="actions">
                      {manageable(inv.profileId) && (
                        <ConfirmButton
                          label={t('members.revokeNamed', { email: inv.email })}
                          question={t('members.revokeQuestion', { email: inv.email })}
                          confirmLabel={t('members.revoke')}
                          busy={revokeInvitation.isPending && revokeInvitation.variables === inv.id}
                          onConfirm={() => revokeInvitation.mutate(inv.id)}
                        >
                          {t('members.revoke')}
                        </ConfirmButton>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <InviteForm profiles={grantable} seatsFull={full} />
    </>
  );
}

function InviteForm({ profiles, seatsFull }: { profiles: Profile[]; seatsFull: boolean }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const [email, setEmail] = useState('');
  const [profileId, setProfileId] = useState(() => (profiles.some((p) => p.id === 'adv') ? 'adv' : (profiles[0]?.id ?? '')));
  const [done, setDone] = useState<string | null>(null);
  const labels = { email: t('members.inviteEmail'), profileId: t('members.profile') };

  const invite = useMutation({
    mutationFn: (body: { email: string; profileId: string }) =>
      api.post<{ outcome: 'added' | 'invited' }>(`/api/d/${seg(dossier.id)}/members`, body),
    onSuccess: async ({ outcome }, body) => {
      setDone(outcome === 'added' ? t('members.added', { email: body.email }) : t('members.invited', { email: body.email }));
      setEmail('');
      await queryClient.invalidateQueries({ queryKey: keys.members(dossier.id) });
    },
    onError: (error) => {
      setDone(null);
      errors.failWith(error);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return errors.fail(null, { email: t('auth.emailInvalid') });
    errors.clear();
    invite.mutate({ email: email.trim(), profileId });
  }

  const builtin = profiles.filter((p) => p.builtin);
  const custom = profiles.filter((p) => !p.builtin);

  return (
    <section className="panel" aria-labelledby="invite-title">
      <h2 id="invite-title">{t('members.inviteTitle')}</h2>
      <p className="muted">{t('members.inviteIntro')}</p>
      {seatsFull && (
        <Alert kind="warning">
          <p>{t('members.seatsFull')}</p>
        </Alert>
      )}
      <form className="form form--inline" onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} labels={labels} />
        <RequiredLegend />
        <TextField name="email" type="email" label={labels.email} value={email} onChange={setEmail} error={errors.fields.email} autoComplete="off" required />
        <SelectField name="profileId" label={labels.profileId} value={profileId} onChange={setProfileId} error={errors.fields.profileId}>
          <optgroup label={t('profiles.builtin')}>
            {builtin.map((p) => (
              <option key={p.id} value={p.id}>
                {profileLabel(p.id, p.name, locale)}
              </option>
            ))}
          </optgroup>
          {custom.length > 0 && (
            <optgroup label={t('profiles.custom')}>
              {custom.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </optgroup>
          )}
        </SelectField>
        <Button type="submit" variant="primary" busy={invite.isPending}>
          {t('members.inviteSubmit')}
        </Button>
      </form>
      {done && (
        <Alert kind="success">
          <p>{done}</p>
        </Alert>
      )}
    </section>
  );
}
