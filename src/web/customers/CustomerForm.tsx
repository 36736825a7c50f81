/** The customer form: creation and change (versioned), in a page or in the editor's quick-creation dialog. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { CUSTOMER_KINDS } from '../../core/customers';
import { VAT_TREATMENTS } from '../../core/documents';
import { ApiError, api, seg } from '../app/api';
import { invoicingKeys } from '../documents/keys';
import { useI18n } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { CheckboxField, Field, RequiredLegend, SelectField, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { customerValuesOf, emptyCustomerValues, formPath, localizeCustomerMessage, validateCustomer, type AddressValues, type CustomerFormValues } from './customerForm';
import type { Customer } from './types';

export const COUNTRIES = ['FR', 'BE', 'LU', 'CH', 'MC', 'DE', 'ES', 'IT', 'PT', 'NL', 'GB', 'IE', 'AT', 'US'] as const;

interface CustomerFormProps {
  dossierId: string;
  customer: Customer | null;
  /** The quick creation: only what an invoice needs (name, address, e-mail, identifiers). */
  compact?: boolean;
  initialName?: string;
  readOnly?: boolean;
  onSaved: (customer: Customer, created: boolean) => void;
  onCancel?: () => void;
  /** Called by the "Recharger" button after a 409 stale_version. */
  onReload?: () => void;
}

export function CustomerForm({ dossierId, customer, compact = false, initialName = '', readOnly = false, onSaved, onCancel, onReload }: CustomerFormProps) {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const [values, setValues] = useState<CustomerFormValues>(() => (customer ? customerValuesOf(customer) : emptyCustomerValues(initialName)));
  const [stale, setStale] = useState<{ updatedAt: string } | null>(null);
  const prefix = compact ? 'qc-' : '';

  const labels: Record<string, string> = {
    kind: t('customers.kind'),
    name: t('customers.name'),
    siren: t('customers.siren'),
    siret: t('customers.siret'),
    vatNumber: t('customers.vatNumber'),
    'billingAddress.line1': t('customers.line1'),
    'billingAddress.line2': t('customers.line2'),
    'billingAddress.postalCode': t('customers.postalCode'),
    'billingAddress.city': t('customers.city'),
    'billingAddress.country': t('customers.country'),
    'deliveryAddress.line1': `${t('customers.delivery')} — ${t('customers.line1')}`,
    'deliveryAddress.line2': `${t('customers.delivery')} — ${t('customers.line2')}`,
    'deliveryAddress.postalCode': `${t('customers.delivery')} — ${t('customers.postalCode')}`,
    'deliveryAddress.city': `${t('customers.delivery')} — ${t('customers.city')}`,
    'deliveryAddress.country': `${t('customers.delivery')} — ${t('customers.country')}`,
    emails: t('customers.emails'),
    'paymentTerms.days': t('customers.termsDays'),
    vatTreatment: t('customers.vatTreatment'),
    accountCode: t('customers.accountCode'),
    notes: t('customers.notes'),
  };
  const prefixedLabels = Object.fromEntries(Object.entries(labels).map(([k, v]) => [prefix + k, v]));
  const countryNames = useMemo(() => new Intl.DisplayNames([locale === 'fr' ? 'fr-FR' : 'en-GB'], { type: 'region' }), [locale]);

  const save = useMutation({
    mutationFn: async (payload: object) => {
      if (customer) return (await api.patch<{ customer: Customer }>(`/api/d/${seg(dossierId)}/customers/${seg(customer.id)}`, { version: customer.version, ...payload })).customer;
      return (await api.post<{ customer: Customer }>(`/api/d/${seg(dossierId)}/customers`, payload)).customer;
    },
    onSuccess: async (saved) => {
      errors.clear();
      queryClient.setQueryData(invoicingKeys.customer(dossierId, saved.id), { customer: saved });
      await queryClient.invalidateQueries({ queryKey: [...invoicingKeys.customers(dossierId), 'list'] });
      onSaved(saved, !customer);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'stale_version') {
        const details = error.details as { updatedAt?: string } | undefined;
        setStale({ updatedAt: details?.updatedAt ?? '' });
        return errors.fail(error.message);
      }
      if (!(error instanceof ApiError)) return errors.failWith(error);
      const fields: Record<string, string> = {};
      for (const [path, message] of Object.entries(error.fields)) fields[prefix + formPath(path)] ??= localizeCustomerMessage(message, locale);
      errors.fail(error.message, fields);
    },
  });

  function set<K extends keyof CustomerFormValues>(key: K) {
    return (value: CustomerFormValues[K]) => setValues((old) => ({ ...old, [key]: value }));
  }
  function setAddress(which: 'billing' | 'delivery', key: keyof AddressValues) {
    return (value: string) => setValues((old) => ({ ...old, [which]: { ...old[which], [key]: value } }));
  }
  const err = (path: string) => errors.fields[prefix + path];

  function submit(event: FormEvent) {
    event.preventDefault();
    event.stopPropagation();
    if (readOnly) return;
    const result = validateCustomer(values, locale);
    if (!result.ok) {
      const fields = Object.fromEntries(Object.entries(result.fields).map(([k, v]) => [prefix + k, v]));
      return errors.fail(t('error.checkFields'), fields);
    }
    errors.clear();
    setStale(null);
    save.mutate(result.payload);
  }

  const address = (which: 'billing' | 'delivery') => {
    const base = which === 'billing' ? 'billingAddress' : 'deliveryAddress';
    const a = values[which];
    return (
      <div className="grid">
        <TextField name={`${prefix}${base}.line1`} label={labels[`${base}.line1`] ?? ''} value={a.line1} onChange={setAddress(which, 'line1')} error={err(`${base}.line1`)} autoComplete="off" className="grid__wide" required={which === 'billing'} disabled={readOnly} />
        <TextField name={`${prefix}${base}.line2`} label={t('customers.line2')} value={a.line2} onChange={setAddress(which, 'line2')} error={err(`${base}.line2`)} autoComplete="off" className="grid__wide" disabled={readOnly} />
        <TextField name={`${prefix}${base}.postalCode`} label={t('customers.postalCode')} value={a.postalCode} onChange={setAddress(which, 'postalCode')} error={err(`${base}.postalCode`)} autoComplete="off" required={which === 'billing'} disabled={readOnly} />
        <TextField name={`${prefix}${base}.city`} label={t('customers.city')} value={a.city} onChange={setAddress(which, 'city')} error={err(`${base}.city`)} autoComplete="off" required={which === 'billing'} disabled={readOnly} />
        <SelectField name={`${prefix}${base}.country`} label={t('customers.country')} value={a.country} onChange={setAddress(which, 'country')} error={err(`${base}.country`)} disabled={readOnly}>
          {(COUNTRIES as readonly string[]).includes(a.country) ? null : <option value={a.country}>{a.country}</option>}
          {COUNTRIES.map((c) => (
            <option key={c} value={c}>
              {countryNames.of(c) ?? c}
            </option>
          ))}
        </SelectField>
      </div>
    );
  };

  const business = values.kind === 'company';

  return (
    <form className="form customer-form" onSubmit={submit} noValidate>
      <ErrorSummary errors={errors} labels={prefixedLabels} />
      <RequiredLegend />
      {stale && (
        <Alert kind="warning" title={t('common.staleTitle')}>
          <p>{t('common.staleBody')}</p>
          {onReload && (
            <Button small onClick={onReload}>
              {t('common.reload')}
            </Button>
          )}
        </Alert>
      )}

      <fieldset className={compact ? 'form-section form-section--flat' : 'form-section'}>
        <legend>{t('customers.identity')}</legend>
        <div className="grid">
          <fieldset className="radios radios--inline grid__wide">
            <legend>{labels.kind}</legend>
            {CUSTOMER_KINDS.map((kind) => (
              <div className="radio" key={kind}>
                <input type="radio" id={`${prefix}f-kind-${kind}`} name={`${prefix}kind`} value={kind} checked={values.kind === kind} onChange={() => set('kind')(kind)} disabled={readOnly} />
                <label htmlFor={`${prefix}f-kind-${kind}`}>{t(kind === 'company' ? 'customers.kindCompany' : 'customers.kindIndividual')}</label>
              </div>
            ))}
          </fieldset>
          <TextField name={`${prefix}name`} label={labels.name} hint={business ? t('customers.nameHintCompany') : t('customers.nameHintIndividual')} value={values.name} onChange={set('name')} error={err('name')} autoComplete="off" required className="grid__wide" disabled={readOnly} />
          {business && (
            <>
              <TextField name={`${prefix}siren`} label={labels.siren} hint={t('customers.sirenHint')} value={values.siren} onChange={set('siren')} error={err('siren')} inputMode="numeric" autoComplete="off" disabled={readOnly} />
              {!compact && (
                <TextField name={`${prefix}siret`} label={labels.siret} hint={t('customers.siretHint')} value={values.siret} onChange={set('siret')} error={err('siret')} inputMode="numeric" autoComplete="off" disabled={readOnly} />
              )}
              <TextField name={`${prefix}vatNumber`} label={labels.vatNumber} hint={t('customers.vatNumberHint')} value={values.vatNumber} onChange={set('vatNumber')} error={err('vatNumber')} autoComplete="off" disabled={readOnly} />
            </>
          )}
          <TextField
            name={`${prefix}emails`}
            label={labels.emails}
            hint={t('customers.emailsHint')}
            value={values.emails}
            onChange={set('emails')}
            error={err('emails')}
            autoComplete="off"
            className="grid__wide"
            disabled={readOnly}
          />
        </div>
      </fieldset>

      <fieldset className={compact ? 'form-section form-section--flat' : 'form-section'}>
        <legend>{t('customers.billing')}</legend>
        {address('billing')}
      </fieldset>

      {!compact && (
        <>
          <fieldset className="form-section">
            <legend>{t('customers.delivery')}</legend>
            <CheckboxField name="hasDelivery" label={t('customers.hasDelivery')} checked={values.hasDelivery} onChange={set('hasDelivery')} disabled={readOnly} />
            {values.hasDelivery && address('delivery')}
          </fieldset>

          <fieldset className="form-section">
            <legend>{t('customers.billingSettings')}</legend>
            <div className="grid">
              <SelectField
                name="paymentTermsMode"
                label={t('customers.terms')}
                value={values.customTerms ? 'custom' : 'default'}
                onChange={(v) => set('customTerms')(v === 'custom')}
                disabled={readOnly}
              >
                <option value="default">{t('customers.termsDefault')}</option>
                <option value="custom">{t('customers.termsCustom')}</option>
              </SelectField>
              {values.customTerms ? (
                <div className="terms">
                  <TextField name="paymentTerms.days" label={labels['paymentTerms.days'] ?? ''} value={values.termsDays} onChange={set('termsDays')} error={err('paymentTerms.days')} inputMode="numeric" autoComplete="off" disabled={readOnly} />
                  <CheckboxField name="paymentTerms.endOfMonth" label={t('customers.termsEndOfMonth')} checked={values.termsEndOfMonth} onChange={set('termsEndOfMonth')} disabled={readOnly} />
                </div>
              ) : (
                <div />
              )}
              <SelectField name="vatTreatment" label={labels.vatTreatment} hint={t('customers.vatTreatmentHint')} value={values.vatTreatment} onChange={(v) => set('vatTreatment')(v as CustomerFormValues['vatTreatment'])} error={err('vatTreatment')} disabled={readOnly}>
                {VAT_TREATMENTS.map((v) => (
                  <option key={v} value={v}>
                    {t(`vatTreatment.${v}`)}
                  </option>
                ))}
              </SelectField>
              <TextField name="accountCode" label={labels.accountCode} hint={t('customers.accountCodeHint')} value={values.accountCode} onChange={set('accountCode')} error={err('accountCode')} autoComplete="off" disabled={readOnly} />
              <Field name="notes" label={labels.notes} error={err('notes')} className="grid__wide">
                {(control) => <textarea {...control} name="notes" rows={3} value={values.notes} onChange={(e) => set('notes')(e.target.value)} disabled={readOnly} />}
              </Field>
            </div>
          </fieldset>
        </>
      )}

      {!readOnly && (
        <div className="form__footer">
          <Button type="submit" variant="primary" busy={save.isPending}>
            {customer ? t('customers.save') : t('customers.create')}
          </Button>
          {onCancel && <Button onClick={onCancel}>{t('common.cancel')}</Button>}
        </div>
      )}
    </form>
  );
}
