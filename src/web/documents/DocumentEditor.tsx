/**
 * The draft editor: customer (with quick creation), dates, terms, VAT treatment, lines, discount,
 * notes, and live totals computed by the server's own `computeTotals` as you type. Saving sends the
 * version the form was loaded from: if someone saved in between, the server answers 409, nothing
 * is overwritten, the typing stays in the form and the page says so (`onConflict`).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type FormEvent, type RefObject } from 'react';
import { dueDate } from '../../core/dates';
import { FAMILY_OF, isLegalInvoice, VAT_TREATMENTS, type DocumentType, type VatTreatment } from '../../core/documents';
import { ApiError, api, seg } from '../app/api';
import type { DossierAnswer } from '../app/types';
import { CustomerForm } from '../customers/CustomerForm';
import { CustomerPicker } from '../customers/CustomerPicker';
import type { Customer } from '../customers/types';
import { useCan } from '../dossiers/context';
import { useI18n } from '../i18n';
import { DEFAULT_VAT_RATES } from '../products/ProductPage';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { CheckboxField, Field, RequiredLegend, SelectField, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Dialog } from './Dialog';
import { buildBody, editorPath, liveTotals, localizeDocumentMessage, validateDraft, type EditorValues } from './editorModel';
import { formatDay } from './format';
import { invoicingKeys } from './keys';
import { LinesEditor } from './LinesEditor';
import { TotalsPanel } from './TotalsPanel';
import type { Doc, DocAnswer, StaleDetails } from './types';

export interface EditorController {
  /** Saves pending changes (if any) and gives the saved document; null when the form has errors. */
  saveIfDirty: () => Promise<{ version: number } | null>;
  dirty: boolean;
}

interface DocumentEditorProps {
  current: DossierAnswer;
  doc: Doc | null;
  initial: EditorValues;
  controller?: RefObject<EditorController | null>;
  /** After the first save of a new document. */
  onCreated?: (doc: Doc) => void;
  /** A save was refused: someone else saved the document since the form was loaded, or issued it. */
  onConflict?: (conflict: { kind: 'stale'; details: Partial<StaleDetails> } | { kind: 'issued' }) => void;
  onDirtyChange?: (dirty: boolean) => void;
}

export function DocumentEditor({ current, doc, initial, controller, onCreated, onConflict, onDirtyChange }: DocumentEditorProps) {
  const { t, locale } = useI18n();
  const { dossier } = current;
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const canCreateCustomer = useCan('customers.write');
  const canReadCustomers = useCan('customers.read');
  const canSearchProducts = useCan('products.read');
  const [values, setValues] = useState<EditorValues>(initial);
  const [baseline, setBaseline] = useState(() => JSON.stringify(buildBody(initial).body));
  const [version, setVersion] = useState(doc?.version ?? 0);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const [quickCustomer, setQuickCustomer] = useState<string | null>(null);
  const lineIndex = useRef<number[]>([]);

  const family = FAMILY_OF[values.type];
  const vatRates = dossier.vatRates ?? DEFAULT_VAT_RATES;
  const zeroOnly = dossier.vatRegime === 'franchise' || values.vatTreatment !== 'normal';
  const body = useMemo(() => buildBody(values).body, [values]);
  const dirty = JSON.stringify(body) !== baseline || doc === null;
  const totals = useMemo(() => liveTotals(values, doc?.deductions ?? [], locale), [values, doc?.deductions, locale]);

  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange]);
  useEffect(() => {
    if (!dirty || doc === null) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty, doc]);

  const save = useMutation({
    mutationFn: async ({ payload }: { payload: object; snapshot: string }) => {
      if (doc) return (await api.patch<DocAnswer>(`/api/d/${seg(dossier.id)}/${family}/${seg(doc.id)}`, { version, ...payload })).document;
      return (await api.post<DocAnswer>(`/api/d/${seg(dossier.id)}/${family}`, { type: values.type, ...payload })).document;
    },
    onSuccess: async (saved, { snapshot }) => {
      errors.clear();
      setVersion(saved.version);
      setBaseline(snapshot);
      setSavedAt(Date.now());
      queryClient.setQueryData<DocAnswer>(invoicingKeys.document(dossier.id, family, saved.id), { document: saved });
      await queryClient.invalidateQueries({ queryKey: [...invoicingKeys.family(dossier.id, family), 'list'] });
      await queryClient.invalidateQueries({ queryKey: invoicingKeys.history(dossier.id, family, saved.id) });
      if (!doc) onCreated?.(saved);
    },
    onError: (error) => {
      setSavedAt(null);
      // The page's one conflict banner says it; the typing stays in the form.
      if (error instanceof ApiError && error.code === 'stale_version' && onConflict) {
        errors.clear();
        return onConflict({ kind: 'stale', details: (error.details ?? {}) as Partial<StaleDetails> });
      }
      if (error instanceof ApiError && error.code === 'not_a_draft' && onConflict) {
        errors.clear();
        return onConflict({ kind: 'issued' });
      }
      if (!(error instanceof ApiError)) return errors.failWith(error);
      const fields: Record<string, string> = {};
      for (const [path, message] of Object.entries(error.fields)) fields[editorPath(path, lineIndex.current)] ??= localizeDocumentMessage(message, locale);
      errors.fail(error.message, fields);
    },
  });

  async function saveNow(): Promise<Doc | null> {
    const result = validateDraft(values, locale);
    if (!result.ok) {
      errors.fail(t('error.checkFields'), result.fields);
      return null;
    }
    const built = buildBody(values);
    lineIndex.current = built.lineIndex;
    try {
      return await save.mutateAsync({ payload: result.body, snapshot: JSON.stringify(built.body) });
    } catch {
      return null;
    }
  }

  useEffect(
    () => () => {
      if (controller) controller.current = null;
    },
    [controller],
  );
  useEffect(() => {
    if (!controller) return;
    controller.current = {
      dirty,
      saveIfDirty: async () => {
        if (!dirty && doc) return { version };
        const saved = await saveNow();
        return saved ? { version: saved.version } : null;
      },
    };
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    void saveNow();
  }

  function set<K extends keyof EditorValues>(key: K) {
    return (value: EditorValues[K]) => setValues((old) => ({ ...old, [key]: value }));
  }

  function setTreatment(treatment: VatTreatment) {
    setValues((old) => ({
      ...old,
      vatTreatment: treatment,
      // Reverse charge and export are invoiced at 0 %: the lines follow.
      lines: treatment === 'normal' ? old.lines : old.lines.map((l) => (l.kind === 'item' ? { ...l, vatRate: '0' } : l)),
    }));
  }

  function pickCustomer(picked: { id: string; name: string } | null, customer?: Customer) {
    setValues((old) => {
      const next: EditorValues = { ...old, customer: picked };
      if (customer && customer.id !== old.customer?.id) {
        next.vatTreatment = customer.vatTreatment;
        next.customTerms = customer.paymentTerms !== null;
        if (customer.paymentTerms) {
          next.termsDays = String(customer.paymentTerms.days);
          next.termsEndOfMonth = customer.paymentTerms.endOfMonth;
        }
        if (customer.vatTreatment !== 'normal') next.lines = next.lines.map((l) => (l.kind === 'item' ? { ...l, vatRate: '0' } : l));
      }
      return next;
    });
  }

  const err = (path: string) => errors.fields[path];
  const legal = isLegalInvoice(values.type) && values.type !== 'credit_note';
  const terms = values.customTerms
    ? /^\d{1,3}$/.test(values.termsDays.trim())
      ? { days: Number(values.termsDays), endOfMonth: values.termsEndOfMonth }
      : null
    : { days: dossier.defaultPaymentDays ?? 30, endOfMonth: false };
  const due = legal && terms && values.issueDate ? dueDate(values.issueDate, terms) : null;

  const labels: Record<string, string> = {
    customerId: t('editor.customer'),
    issueDate: t('editor.issueDate'),
    serviceDate: t('editor.serviceDate'),
    validityDate: t('editor.validityDate'),
    'paymentTerms.days': t('editor.termsDays'),
    vatTreatment: t('editor.vatTreatment'),
    discount: t('editor.discountValue'),
    notes: t('editor.notes'),
    lines: t('editor.lines'),
    deposits: t('totals.deposits'),
  };
  for (const path of Object.keys(errors.fields)) {
    const m = /^lines\.(\d+)\.(\w+)$/.exec(path);
    if (m) labels[path] = t('editor.lineField', { n: Number(m[1]) + 1, field: lineFieldLabel(m[2] ?? '', t) });
  }

  return (
    <>
      <form id="document-editor" className="form editor" onSubmit={submit} noValidate aria-label={t('editor.formLabel')}>
        <ErrorSummary errors={errors} labels={labels} />
        <RequiredLegend />

        <fieldset className="form-section">
          <legend>{t('editor.partiesAndDates')}</legend>
          <div className="grid">
            <div className="customer-pick grid__wide">
              <CustomerPicker
                dossierId={dossier.id}
                name="customerId"
                label={t('editor.customer')}
                hint={t('editor.customerHint')}
                value={values.customer}
                onChange={pickCustomer}
                error={err('customerId')}
                disabled={!canReadCustomers}
              />
              {canCreateCustomer && (
                <Button small onClick={() => setQuickCustomer('')}>
                  {t('editor.newCustomer')}
                </Button>
              )}
            </div>
            {doc === null && family === 'invoices' && (values.type === 'invoice' || values.type === 'pro_forma') && (
              <SelectField name="type" label={t('editor.type')} value={values.type} onChange={(v) => set('type')(v as DocumentType)}>
                <option value="invoice">{t('editor.typeInvoice')}</option>
                <option value="pro_forma">{t('editor.typeProForma')}</option>
              </SelectField>
            )}
            <TextField name="issueDate" type="date" label={t('editor.issueDate')} value={values.issueDate} onChange={set('issueDate')} error={err('issueDate')} required />
            <TextField name="serviceDate" type="date" label={t('editor.serviceDate')} hint={t('editor.serviceDateHint')} value={values.serviceDate} onChange={set('serviceDate')} error={err('serviceDate')} />
            {values.type === 'quote' && (
              <TextField name="validityDate" type="date" label={t('editor.validityDate')} value={values.validityDate} onChange={set('validityDate')} error={err('validityDate')} />
            )}
            <div className="terms-group">
              <SelectField name="paymentTermsMode" label={t('editor.terms')} value={values.customTerms ? 'custom' : 'default'} onChange={(v) => set('customTerms')(v === 'custom')}>
                <option value="default">{t('editor.termsDefault', { days: dossier.defaultPaymentDays ?? 30 })}</option>
                <option value="custom">{t('editor.termsCustom')}</option>
              </SelectField>
              {values.customTerms && (
                <div className="terms">
                  <TextField name="paymentTerms.days" label={t('editor.termsDays')} value={values.termsDays} onChange={set('termsDays')} error={err('paymentTerms.days')} inputMode="numeric" autoComplete="off" />
                  <CheckboxField name="paymentTerms.endOfMonth" label={t('editor.termsEndOfMonth')} checked={values.termsEndOfMonth} onChange={set('termsEndOfMonth')} />
                </div>
              )}
              {due && <p className="field__hint">{t('editor.dueDate', { date: formatDay(due, locale) })}</p>}
            </div>
            <SelectField
              name="vatTreatment"
              label={t('editor.vatTreatment')}
              hint={dossier.vatRegime === 'franchise' ? t('editor.franchiseHint') : values.vatTreatment !== 'normal' ? t('editor.zeroRateHint') : undefined}
              value={values.vatTreatment}
              onChange={(v) => setTreatment(v as VatTreatment)}
              error={err('vatTreatment')}
            >
              {VAT_TREATMENTS.map((v) => (
                <option key={v} value={v}>
                  {t(`vatTreatment.${v}`)}
                </option>
              ))}
            </SelectField>
          </div>
        </fieldset>

        <section className="form-section" aria-labelledby="lines-title">
          <h2 id="lines-title" className="form-section__title">
            {t('editor.lines')}
          </h2>
          {err('lines') && (
            <p className="field__error" id="f-lines">
              {err('lines')}
            </p>
          )}
          <LinesEditor
            dossierId={dossier.id}
            lines={values.lines}
            onChange={set('lines')}
            errors={errors.fields}
            totals={totals}
            vatRates={vatRates}
            zeroOnly={zeroOnly}
            canSearchProducts={canSearchProducts}
          />
        </section>

        <div className="editor__bottom">
          <fieldset className="form-section">
            <legend>{t('editor.discountAndNotes')}</legend>
            <div className="discount">
              <SelectField name="discountType" label={t('editor.discountType')} value={values.discountType} onChange={(v) => set('discountType')(v as EditorValues['discountType'])}>
                <option value="none">{t('editor.discountNone')}</option>
                <option value="percent">{t('editor.discountPercent')}</option>
                <option value="amount">{t('editor.discountAmount')}</option>
              </SelectField>
              {values.discountType !== 'none' && (
                <TextField
                  name="discount"
                  label={values.discountType === 'percent' ? t('editor.discountValuePercent') : t('editor.discountValueAmount')}
                  value={values.discountValue}
                  onChange={set('discountValue')}
                  error={err('discount') ?? (!totals.ok && totals.field === 'discount' ? totals.message : undefined)}
                  inputMode="decimal"
                  autoComplete="off"
                />
              )}
            </div>
            <Field name="notes" label={t('editor.notes')} hint={t('editor.notesHint')} error={err('notes')}>
              {(control) => <textarea {...control} name="notes" rows={4} value={values.notes} onChange={(e) => set('notes')(e.target.value)} />}
            </Field>
          </fieldset>
          <div className="editor__totals">
            {totals.ok ? (
              <TotalsPanel totals={totals.totals} deductions={doc?.deductions} caption={t('editor.liveTotals')} />
            ) : (
              <Alert kind="info" title={t('editor.totalsUnavailable')}>
                <p>
                  {t('editor.totalsProblem', { where: totalsWhere(totals.field, t), message: totals.message })}
                </p>
              </Alert>
            )}
          </div>
        </div>

        <div className="form__footer editor__footer">
          <Button type="submit" variant="primary" busy={save.isPending}>
            {doc ? t('editor.save') : t('editor.saveNew')}
          </Button>
          <div role="status" className="form__status">
            {save.isPending ? null : dirty && doc ? <span className="muted">{t('editor.unsaved')}</span> : savedAt ? <span className="status-ok">{t('editor.saved')}</span> : null}
          </div>
        </div>
      </form>

      {quickCustomer !== null && (
        <Dialog title={t('editor.newCustomerTitle')} onClose={() => setQuickCustomer(null)} wide>
          <CustomerForm
            dossierId={dossier.id}
            customer={null}
            compact
            initialName={quickCustomer}
            onCancel={() => setQuickCustomer(null)}
            onSaved={(c) => {
              pickCustomer({ id: c.id, name: c.name }, c);
              setQuickCustomer(null);
            }}
          />
        </Dialog>
      )}
    </>
  );
}

type T = ReturnType<typeof useI18n>['t'];

function lineFieldLabel(field: string, t: T): string {
  switch (field) {
    case 'reference':
      return t('lines.reference');
    case 'designation':
      return t('lines.designation');
    case 'quantity':
      return t('lines.quantity');
    case 'unit':
      return t('lines.unit');
    case 'unitPrice':
      return t('lines.unitPrice');
    case 'vatRate':
      return t('lines.vatRate');
    case 'discount':
      return t('lines.discount');
    default:
      return field;
  }
}

function totalsWhere(field: string, t: T): string {
  const m = /^lines\.(\d+)\.(\w+)$/.exec(field);
  if (m) return t('editor.lineField', { n: Number(m[1]) + 1, field: lineFieldLabel(m[2] ?? '', t) });
  if (field === 'discount') return t('editor.discountValue');
  if (field === 'deposits') return t('totals.deposits');
  return t('editor.lines');
}
