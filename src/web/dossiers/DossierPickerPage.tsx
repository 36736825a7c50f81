/** The dossier picker: every dossier this login opens, and a form to create another one. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../app/api';
import { keys, useMe } from '../app/queries';
import type { Dossier } from '../app/types';
import { useI18n } from '../i18n';
import { Button } from '../ui/Button';
import { RequiredLegend, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';

export function DossierPickerPage() {
  const { t } = useI18n();
  const me = useMe();

  return (
    <Page title={t('picker.title')} intro={<p>{t('picker.intro')}</p>}>
      {me.isPending ? (
        <Loading />
      ) : me.isError ? (
        <LoadError error={me.error} retry={() => void me.refetch()} />
      ) : me.data && me.data.dossiers.length > 0 ? (
        <ul className="dossier-list">
          {me.data.dossiers.map((d) => (
            <li key={d.id}>
              <Link to={`/d/${d.id}`} className="dossier-list__link">
                <span className="dossier-list__name">{d.legalName}</span>
                <span className="dossier-list__profile">{d.profileName}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : (
        <p>{t('picker.empty')}</p>
      )}
      <CreateDossierForm />
    </Page>
  );
}

function CreateDossierForm() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const errors = useFormErrors();
  const [legalName, setLegalName] = useState('');

  const create = useMutation({
    mutationFn: (name: string) => api.post<{ dossier: Dossier }>('/api/dossiers', { legalName: name }),
    onSuccess: async ({ dossier }) => {
      await queryClient.invalidateQueries({ queryKey: keys.me });
      navigate(`/d/${dossier.id}`);
    },
    onError: errors.failWith,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!legalName.trim()) {
      errors.fail(null, { legalName: t('picker.nameRequired') });
      return;
    }
    errors.clear();
    create.mutate(legalName.trim());
  }

  return (
    <section className="panel" aria-labelledby="create-dossier">
      <h2 id="create-dossier">{t('picker.createTitle')}</h2>
      <form onSubmit={submit} noValidate className="form form--inline">
        <ErrorSummary errors={errors} labels={{ legalName: t('picker.nameLabel') }} />
        <RequiredLegend />
        <TextField
          name="legalName"
          label={t('picker.nameLabel')}
          value={legalName}
          onChange={setLegalName}
          error={errors.fields.legalName}
          autoComplete="organization"
          required
        />
        <Button type="submit" variant="primary" busy={create.isPending}>
          {t('picker.create')}
        </Button>
      </form>
    </section>
  );
}
