/** The catalogue item form: creation and change (versioned). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { NATURES, UNITS } from '../../core/documents';
import { rateKey } from '../../core/totals';
import { ApiError, api, seg } from '../app/api';
import { formatRate } from '../documents/format';
import { invoicingKeys } from '../documents/keys';
import { useI18n } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Field, RequiredLegend, SelectField, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { DEFAULT_REVENUE_ACCOUNTS, emptyProductValues, localizeProductMessage, productValuesOf, validateProduct, type ProductFormValues, type ProductPayload } from './productForm';
import type { Product } from './types';

interface ProductFormProps {
  dossierId: string;
  vatRates: string[];
  product: Product | null;
  readOnly?: boolean;
  onSaved: (product: Product, created: boolean) => void;
  onCancel?: () => void;
  onReload?: () => void;
}

export function ProductForm({ dossierId, vatRates, product, readOnly = false, onSaved, onCancel, onReload }: ProductFormProps) {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const unitsId = useId();
  const [values, setValues] = useState<ProductFormValues>(() => (product ? productValuesOf(product, locale) : emptyProductValues(vatRates)));
  const [stale, setStale] = useState(false);

  const labels: Record<keyof ProductFormValues, string> = {
    reference: t('products.reference'),
    designation: t('products.designation'),
    description: t('products.description'),
    unit: t('products.unit'),
    unitPrice: t('products.unitPrice'),
    vatRate: t('products.vatRate'),
    nature: t('products.nature'),
    revenueAccount: t('products.revenueAccount'),
  };

  const save = useMutation({
    mutationFn: async (payload: ProductPayload) => {
      if (product) return (await api.patch<{ product: Product }>(`/api/d/${seg(dossierId)}/products/${seg(product.id)}`, { version: product.version, ...payload })).product;
      return (await api.post<{ product: Product }>(`/api/d/${seg(dossierId)}/products`, payload)).product;
    },
    onSuccess: async (saved) => {
      errors.clear();
      queryClient.setQueryData(invoicingKeys.product(dossierId, saved.id), { product: saved });
      await queryClient.invalidateQueries({ queryKey: [...invoicingKeys.products(dossierId), 'list'] });
      onSaved(saved, !product);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'stale_version') {
        setStale(true);
        return errors.fail(error.message);
      }
      if (!(error instanceof ApiError)) return errors.failWith(error);
      const fields = Object.fromEntries(Object.entries(error.fields).map(([path, message]) => [path, localizeProductMessage(message, locale)]));
      errors.fail(error.message, fields);
    },
  });

  function set<K extends keyof ProductFormValues>(key: K) {
    return (value: ProductFormValues[K]) => setValues((old) => ({ ...old, [key]: value }));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (readOnly) return;
    const result = validateProduct(values, locale);
    if (!result.ok) return errors.fail(t('error.checkFields'), result.fields);
    errors.clear();
    setStale(false);
    save.mutate(result.payload);
  }

  // A rate removed from the dossier stays on its products until changed: keep it selectable.
  const rates = vatRates.map(rateKey);
  const current = rateKey(values.vatRate || '0');
  const options = rates.includes(current) ? rates : [current, ...rates];

  return (
    <form className="form" onSubmit={submit} noValidate>
      <ErrorSummary errors={errors} labels={labels} />
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
      <fieldset className="form-section">
        <legend>{t('products.itemSection')}</legend>
        <div className="grid">
          <TextField name="reference" label={labels.reference} hint={t('products.referenceHint')} value={values.reference} onChange={set('reference')} error={errors.fields.reference} autoComplete="off" required disabled={readOnly} />
          <fieldset className="radios radios--inline">
            <legend>{labels.nature}</legend>
            {NATURES.map((n) => (
              <div className="radio" key={n}>
                <input type="radio" id={`f-nature-${n}`} name="nature" value={n} checked={values.nature === n} onChange={() => set('nature')(n)} disabled={readOnly} />
                <label htmlFor={`f-nature-${n}`}>{t(n === 'service' ? 'nature.service' : 'nature.goods')}</label>
              </div>
            ))}
          </fieldset>
          <TextField name="designation" label={labels.designation} value={values.designation} onChange={set('designation')} error={errors.fields.designation} autoComplete="off" required className="grid__wide" disabled={readOnly} />
          <Field name="description" label={labels.description} hint={t('products.descriptionHint')} error={errors.fields.description} className="grid__wide">
            {(control) => <textarea {...control} name="description" rows={3} value={values.description} onChange={(e) => set('description')(e.target.value)} disabled={readOnly} />}
          </Field>
        </div>
      </fieldset>
      <fieldset className="form-section">
        <legend>{t('products.priceSection')}</legend>
        <div className="grid">
          <TextField name="unitPrice" label={labels.unitPrice} hint={t('products.unitPriceHint')} value={values.unitPrice} onChange={set('unitPrice')} error={errors.fields.unitPrice} inputMode="decimal" autoComplete="off" required disabled={readOnly} />
          <TextField name="unit" label={labels.unit} hint={t('products.unitHint')} value={values.unit} onChange={set('unit')} error={errors.fields.unit} list={unitsId} autoComplete="off" disabled={readOnly} />
          <datalist id={unitsId}>
            {UNITS.map((u) => (
              <option key={u} value={u} />
            ))}
          </datalist>
          <SelectField name="vatRate" label={labels.vatRate} value={current} onChange={set('vatRate')} error={errors.fields.vatRate} disabled={readOnly}>
            {options.map((r) => (
              <option key={r} value={r}>
                {formatRate(r, locale)}
              </option>
            ))}
          </SelectField>
          <TextField
            name="revenueAccount"
            label={labels.revenueAccount}
            hint={t('products.revenueAccountHint', { account: DEFAULT_REVENUE_ACCOUNTS[values.nature] })}
            value={values.revenueAccount}
            onChange={set('revenueAccount')}
            error={errors.fields.revenueAccount}
            inputMode="numeric"
            autoComplete="off"
            placeholder={DEFAULT_REVENUE_ACCOUNTS[values.nature]}
            disabled={readOnly}
          />
        </div>
      </fieldset>
      {!readOnly && (
        <div className="form__footer">
          <Button type="submit" variant="primary" busy={save.isPending}>
            {product ? t('products.save') : t('products.create')}
          </Button>
          {onCancel && <Button onClick={onCancel}>{t('common.cancel')}</Button>}
        </div>
      )}
    </form>
  );
}
