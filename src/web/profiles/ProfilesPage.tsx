/** Profils: permissions × profiles. Built-in profiles are read-only; custom ones are edited in place. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { normalizePermissions, permissionsBeyond, type Permission } from '../../core/permissions';
import { api, seg } from '../app/api';
import { keys } from '../app/queries';
import type { Profile, ProfilesAnswer } from '../app/types';
import { useCurrentDossier } from '../dossiers/context';
import { useI18n } from '../i18n';
import { permissionLabel, profileLabel } from '../members/labels';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { ConfirmButton } from '../ui/ConfirmButton';
import { RequiredLegend, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';

export function ProfilesPage() {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const profiles = useQuery({
    queryKey: keys.profiles(dossier.id),
    queryFn: ({ signal }) => api.get<ProfilesAnswer>(`/api/d/${seg(dossier.id)}/profiles`, signal),
  });
  return (
    <Page title={t('profiles.title')} context={dossier.legalName} intro={<p>{t('profiles.intro')}</p>}>
      {profiles.isPending ? (
        <Loading />
      ) : profiles.isError ? (
        <LoadError error={profiles.error} retry={() => void profiles.refetch()} />
      ) : (
        <ProfilesContent data={profiles.data} />
      )}
    </Page>
  );
}

function ProfilesContent({ data }: { data: ProfilesAnswer }) {
  const { t, locale } = useI18n();
  const { dossier, membership } = useCurrentDossier();
  // As the server rules: a profile is edited only within one's own permissions.
  const mine = membership.permissions;
  const locked = (profile: Profile) => permissionsBeyond(mine, profile.permissions).length > 0;
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const permissions = data.permissions;
  const custom = data.profiles.filter((p) => !p.builtin);

  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.profiles(dossier.id) });

  const update = useMutation({
    mutationFn: ({ profile, body }: { profile: Profile; body: { name?: string; permissions?: Permission[] } }) =>
      api.patch<{ profile: Profile }>(`/api/d/${seg(dossier.id)}/profiles/${seg(profile.id)}`, body),
    onSuccess: async ({ profile }) => {
      setError(null);
      setNotice(t('profiles.saved', { name: profile.name }));
      await refresh();
      await queryClient.invalidateQueries({ queryKey: keys.dossier(dossier.id) });
    },
    onError: async (e) => {
      setNotice(null);
      setError(e.message);
      await refresh();
    },
  });

  const remove = useMutation({
    mutationFn: (profile: Profile) => api.delete(`/api/d/${seg(dossier.id)}/profiles/${seg(profile.id)}`),
    onSuccess: async (_r, profile) => {
      setError(null);
      setNotice(t('profiles.deleted', { name: profile.name }));
      await refresh();
    },
    onError: (e) => {
      setNotice(null);
      setError(e.message);
    },
  });

  function toggle(profile: Profile, permission: Permission, on: boolean) {
    const next = on ? [...profile.permissions, permission] : profile.permissions.filter((p) => p !== permission);
    queryClient.setQueryData<ProfilesAnswer>(keys.profiles(dossier.id), (old) =>
      old ? { ...old, profiles: old.profiles.map((p) => (p.id === profile.id ? { ...p, permissions: normalizePermissions(next) } : p)) } : old,
    );
    update.mutate({ profile, body: { permissions: normalizePermissions(next) } });
  }

  return (
    <>
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
      <div className="table-wrap">
        <table className="matrix">
          <caption className="visually-hidden">{t('profiles.matrixCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('profiles.permission')}</th>
              {data.profiles.map((p) => (
                <th scope="col" key={p.id}>
                  <span className="matrix__profile">{profileLabel(p.id, p.name, locale)}</span>
                  <span className="matrix__meta">
                    {p.builtin ? t('profiles.builtinShort') : t('profiles.customShort')} · {t('profiles.memberCount', { count: p.memberCount })}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {permissions.map((perm) => (
              <tr key={perm}>
                <th scope="row">
                  {permissionLabel(perm, locale)}
                  <span className="matrix__code">{perm}</span>
                </th>
                {data.profiles.map((p) => {
                  const has = p.permissions.includes(perm);
                  const name = `${permissionLabel(perm, locale)} — ${profileLabel(p.id, p.name, locale)}`;
                  if (p.builtin || perm === 'dossier.read') {
                    return (
                      <td key={p.id} className="matrix__cell">
                        <span className={has ? 'tick tick--on' : 'tick'} aria-hidden="true">
                          {has ? '✓' : '–'}
                        </span>
                        <span className="visually-hidden">{has ? t('profiles.allowed') : t('profiles.denied')}</span>
                      </td>
                    );
                  }
                  return (
                    <td key={p.id} className="matrix__cell">
                      <input
                        type="checkbox"
                        aria-label={name}
                        checked={has}
                        disabled={update.isPending || locked(p) || !mine.includes(perm)}
                        onChange={(e) => toggle(p, perm, e.target.checked)}
                      />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {custom.length > 0 && (
        <section aria-labelledby="custom-profiles">
          <h2 id="custom-profiles">{t('profiles.customTitle')}</h2>
          <ul className="custom-profiles">
            {custom.filter((p) => !locked(p)).map((p) => (
              <CustomProfileRow
                key={p.id}
                profile={p}
                busy={update.isPending || remove.isPending}
                onRename={(name) => update.mutate({ profile: p, body: { name } })}
                onDelete={() => remove.mutate(p)}
              />
            ))}
          </ul>
        </section>
      )}

      <p className="muted">{t('profiles.grantRule')}</p>
      <CreateProfileForm permissions={permissions} mine={mine} />
    </>
  );
}

function CustomProfileRow({ profile, busy, onRename, onDelete }: { profile: Profile; busy: boolean; onRename: (name: string) => void; onDelete: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(profile.name);
  const id = `rename-${profile.id}`;
  return (
    <li className="custom-profiles__row">
      <form
        className="form form--inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim() && name.trim() !== profile.name) onRename(name.trim());
        }}
      >
        <div className="field">
          <label htmlFor={id}>{t('profiles.renameLabel', { name: profile.name })}</label>
          <input id={id} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <Button type="submit" small disabled={busy || !name.trim() || name.trim() === profile.name}>
          {t('profiles.rename')}
        </Button>
        <ConfirmButton
          label={t('profiles.deleteNamed', { name: profile.name })}
          question={t('profiles.deleteQuestion', { name: profile.name })}
          confirmLabel={t('profiles.delete')}
          onConfirm={onDelete}
        >
          {t('profiles.delete')}
        </ConfirmButton>
      </form>
    </li>
  );
}

function CreateProfileForm({ permissions, mine }: { permissions: Permission[]; mine: Permission[] }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Set<Permission>>(() => new Set<Permission>(['dossier.read']));
  const [created, setCreated] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: (body: { name: string; permissions: Permission[] }) => api.post<{ profile: Profile }>(`/api/d/${seg(dossier.id)}/profiles`, body),
    onSuccess: async ({ profile }) => {
      setCreated(t('profiles.created', { name: profile.name }));
      setName('');
      setChosen(new Set<Permission>(['dossier.read']));
      await queryClient.invalidateQueries({ queryKey: keys.profiles(dossier.id) });
    },
    onError: (e) => {
      setCreated(null);
      errors.failWith(e);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    if (!name.trim()) return errors.fail(null, { name: t('profiles.nameRequired') });
    errors.clear();
    create.mutate({ name: name.trim(), permissions: normalizePermissions([...chosen]) });
  }

  return (
    <section className="panel" aria-labelledby="create-profile">
      <h2 id="create-profile">{t('profiles.createTitle')}</h2>
      <form className="form" onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} labels={{ name: t('profiles.name') }} />
        <RequiredLegend />
        <TextField name="name" label={t('profiles.name')} value={name} onChange={setName} error={errors.fields.name} required />
        <fieldset className="checklist">
          <legend>{t('profiles.permissions')}</legend>
          {permissions.map((perm) => (
            <div className="checkbox" key={perm}>
              <input
                type="checkbox"
                id={`new-${perm}`}
                checked={perm === 'dossier.read' || chosen.has(perm)}
                disabled={perm === 'dossier.read' || !mine.includes(perm)}
                onChange={(e) =>
                  setChosen((old) => {
                    const next = new Set(old);
                    if (e.target.checked) next.add(perm);
                    else next.delete(perm);
                    return next;
                  })
                }
              />
              <label htmlFor={`new-${perm}`}>{permissionLabel(perm, locale)}</label>
            </div>
          ))}
        </fieldset>
        <div>
          <Button type="submit" variant="primary" busy={create.isPending}>
            {t('profiles.create')}
          </Button>
        </div>
      </form>
      {created && (
        <Alert kind="success">
          <p>{created}</p>
        </Alert>
      )}
    </section>
  );
}
