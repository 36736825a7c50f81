/** Paramètres: the company details printed on every document, the logo, and the payment reminders. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { INDIVIDUAL_FORMS, LEGAL_FORMS, type DossierSettingsUpdate } from '../../core/dossier';
import { ApiError, api, seg } from '../app/api';
import { keys } from '../app/queries';
import type { Dossier, DossierAnswer } from '../app/types';
import { useCurrentDossier } from '../dossiers/context';
import { useI18n } from '../i18n';
import { Button } from '../ui/Button';
import { CheckboxField, RequiredLegend, SelectField, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Page } from '../ui/Page';
import { LogoSection } from './LogoSection';
import { RemindersSection } from './RemindersSection';
import { FIELD_PATHS, formValuesOf, isLegalForm, localizeFieldMessage, validateSettings, type SettingsFormValues } from './settingsForm';

const COUNTRIES = ['FR', 'BE', 'LU', 'CH', 'MC', 'DE', 'ES', 'IT', 'PT', 'NL', 'GB', 'IE', 'AT'] as const;

export function SettingsPage() {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  return (
    <Page
      title={t('settings.title')}
      context={dossier.legalName}
      intro={
        <>
          <p>{t('settings.intro')}</p>
          <p>
            <Link to={`/d/${dossier.id}/settings/emails`}>{t('settings.mailTemplatesLink')}</Link>
          </p>
        </>
      }
    >
      <SettingsForm key={dossier.id} dossier={dossier} />
      <LogoSection dossier={dossier} />
      <RemindersSection />
    </Page>
  );
}

function SettingsForm({ dossier }: { dossier: Dossier }) {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const [values, setValues] = useState<SettingsFormValues>(() => formValuesOf(dossier, locale));
  const [saved, setSaved] = useState(false);

  const labels: Record<keyof SettingsFormValues, string> = {
    legalName: t('settings.legalName'),
    legalForm: t('settings.legalForm'),
    siren: t('settings.siren'),
    siret: t('settings.siret'),
    vatNumber: t('settings.vatNumber'),
    line1: t('settings.line1'),
    line2: t('settings.line2'),
    postalCode: t('settings.postalCode'),
    city: t('settings.city'),
    country: t('settings.country'),
    shareCapital: t('settings.shareCapital'),
    rcsCity: t('settings.rcsCity'),
    vatRegime: t('settings.vatRegime'),
    vatOnDebits: t('settings.vatOnDebits'),
    email: t('settings.email'),
    phone: t('settings.phone'),
    iban: t('settings.iban'),
    bic: t('settings.bic'),
    defaultPaymentDays: t('settings.defaultPaymentDays'),
    latePenaltyRate: t('settings.latePenaltyRate'),
  };
  const labelsByPath = Object.fromEntries(Object.entries(FIELD_PATHS).map(([k, path]) => [path, labels[k as keyof SettingsFormValues]]));
  const countryNames = useMemo(() => new Intl.DisplayNames([locale === 'fr' ? 'fr-FR' : 'en-GB'], { type: 'region' }), [locale]);

  const save = useMutation({
    mutationFn: (payload: DossierSettingsUpdate) => api.patch<{ dossier: Dossier }>(`/api/d/${seg(dossier.id)}/settings`, payload),
    onSuccess: async ({ dossier: updated }) => {
      queryClient.setQueryData<DossierAnswer>(keys.dossier(dossier.id), (old) => (old ? { ...old, dossier: updated } : old));
      setValues(formValuesOf(updated, locale));
      errors.clear();
      setSaved(true);
      await queryClient.invalidateQueries({ queryKey: keys.me });
    },
    onError: (error) => {
      setSaved(false);
      if (!(error instanceof ApiError)) return errors.failWith(error);
      const fields = Object.fromEntries(Object.entries(error.fields).map(([path, message]) => [path, localizeFieldMessage(message, locale)]));
      errors.fail(error.message, fields);
    },
  });

  function set<K extends keyof SettingsFormValues>(key: K) {
    return (value: SettingsFormValues[K]) => {
      setSaved(false);
      setValues((old) => ({ ...old, [key]: value }));
    };
  }
  const err = (key: keyof SettingsFormValues) => errors.fields[FIELD_PATHS[key]];

  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const result = validateSettings(values, locale);
    if (!result.ok) return errors.fail(t('error.checkFields'), result.fields);
    errors.clear();
    save.mutate(result.payload);
  }

  const individual = values.legalForm !== '' && INDIVIDUAL_FORMS.includes(values.legalForm);

  return (
    <form className="form settings" onSubmit={submit} noValidate>
      <ErrorSummary errors={errors} labels={labelsByPath} />
      <RequiredLegend />

      <fieldset className="form-section">
        <legend>{t('settings.identity')}</legend>
        <div className="grid">
          <TextField name="legalName" label={labels.legalName} value={values.legalName} onChange={set('legalName')} error={err('legalName')} autoComplete="organization" required />
          <SelectField name="legalForm" label={labels.legalForm} value={values.legalForm} onChange={(v) => set('legalForm')(isLegalForm(v) ? v : '')} error={err('legalForm')}>
            <option value="">{t('settings.legalFormNone')}</option>
            {LEGAL_FORMS.map((f) => (
              <option key={f} value={f}>
                {t(`legalForm.${f}`)}
              </option>
            ))}
          </SelectField>
          <TextField name="siren" label={labels.siren} hint={t('settings.sirenHint')} value={values.siren} onChange={set('siren')} error={err('siren')} inputMode="numeric" autoComplete="off" />
          <TextField name="siret" label={labels.siret} hint={t('settings.siretHint')} value={values.siret} onChange={set('siret')} error={err('siret')} inputMode="numeric" autoComplete="off" />
          <TextField
            name="shareCapitalCents"
            label={labels.shareCapital}
            hint={individual ? t('settings.shareCapitalIndividual') : t('settings.shareCapitalHint')}
            value={values.shareCapital}
            onChange={set('shareCapital')}
            error={err('shareCapital')}
            inputMode="decimal"
            autoComplete="off"
          />
          <TextField name="rcsCity" label={labels.rcsCity} hint={t('settings.rcsCityHint')} value={values.rcsCity} onChange={set('rcsCity')} error={err('rcsCity')} />
        </div>
      </fieldset>

      <fieldset className="form-section">
        <legend>{t('settings.address')}</legend>
        <div className="grid">
          <TextField name="address.line1" label={labels.line1} value={values.line1} onChange={set('line1')} error={err('line1')} autoComplete="address-line1" className="grid__wide" />
          <TextField name="address.line2" label={labels.line2} value={values.line2} onChange={set('line2')} error={err('line2')} autoComplete="address-line2" className="grid__wide" />
          <TextField name="address.postalCode" label={labels.postalCode} value={values.postalCode} onChange={set('postalCode')} error={err('postalCode')} autoComplete="postal-code" inputMode="numeric" />
          <TextField name="address.city" label={labels.city} value={values.city} onChange={set('city')} error={err('city')} autoComplete="address-level2" />
          <SelectField name="address.country" label={labels.country} value={values.country} onChange={set('country')} error={err('country')} autoComplete="country">
            {(COUNTRIES as readonly string[]).includes(values.country) ? null : <option value={values.country}>{values.country}</option>}
            {COUNTRIES.map((c) => (
              <option key={c} value={c}>
                {countryNames.of(c) ?? c}
              </option>
            ))}
          </SelectField>
        </div>
      </fieldset>

      <fieldset className="form-section">
        <legend>{t('settings.vat')}</legend>
        <div className="grid">
          <TextField name="vatNumber" label={labels.vatNumber} hint={t('settings.vatNumberHint')} value={values.vatNumber} onChange={set('vatNumber')} error={err('vatNumber')} autoComplete="off" />
          <fieldset className="radios" aria-describedby={err('vatRegime') ? 'f-vatRegime-error' : undefined}>
            <legend>{labels.vatRegime}</legend>
            {(['normal', 'franchise'] as const).map((regime) => (
              <div className="radio" key={regime}>
                <input type="radio" id={`f-vatRegime-${regime}`} name="vatRegime" value={regime} checked={values.vatRegime === regime} onChange={() => set('vatRegime')(regime)} />
                <label htmlFor={`f-vatRegime-${regime}`}>{t(regime === 'normal' ? 'settings.vatNormal' : 'settings.vatFranchise')}</label>
              </div>
            ))}
            {err('vatRegime') && (
              <p className="field__error" id="f-vatRegime-error">
                {err('vatRegime')}
              </p>
            )}
          </fieldset>
          <CheckboxField name="vatOnDebits" label={labels.vatOnDebits} hint={t('settings.vatOnDebitsHint')} checked={values.vatOnDebits} onChange={set('vatOnDebits')} error={err('vatOnDebits')} />
        </div>
      </fieldset>

      <fieldset className="form-section">
        <legend>{t('settings.contact')}</legend>
        <div className="grid">
          <TextField name="email" type="email" label={labels.email} value={values.email} onChange={set('email')} error={err('email')} autoComplete="email" />
          <TextField name="phone" type="tel" label={labels.phone} value={values.phone} onChange={set('phone')} error={err('phone')} autoComplete="tel" />
        </div>
      </fieldset>

      <fieldset className="form-section">
        <legend>{t('settings.bank')}</legend>
        <div className="grid">
          <TextField name="iban" label={labels.iban} value={values.iban} onChange={set('iban')} error={err('iban')} autoComplete="off" className="grid__wide" />
          <TextField name="bic" label={labels.bic} value={values.bic} onChange={set('bic')} error={err('bic')} autoComplete="off" />
        </div>
      </fieldset>

      <fieldset className="form-section">
        <legend>{t('settings.payment')}</legend>
        <p className="field__hint">{t('settings.paymentIntro')}</p>
        <div className="grid">
          <TextField
            name="defaultPaymentDays"
            label={labels.defaultPaymentDays}
            hint={t('settings.defaultPaymentDaysHint')}
            value={values.defaultPaymentDays}
            onChange={set('defaultPaymentDays')}
            error={err('defaultPaymentDays')}
            inputMode="numeric"
            autoComplete="off"
          />
          <TextField
            name="latePenaltyRate"
            label={labels.latePenaltyRate}
            hint={t('settings.latePenaltyRateHint')}
            value={values.latePenaltyRate}
            onChange={set('latePenaltyRate')}
            error={err('latePenaltyRate')}
            inputMode="decimal"
            autoComplete="off"
          />
        </div>
      </fieldset>

      <div className="form__footer">
        <Button type="submit" variant="primary" busy={save.isPending}>
          {t('settings.save')}
        </Button>
        <div role="status" className="form__status">
          {saved && <span className="status-ok">{t('settings.saved')}</span>}
        </div>
      </div>
    </form>
  );
}
