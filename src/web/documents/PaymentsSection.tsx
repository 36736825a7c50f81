/** Règlements of an issued invoice: the list (cancelled ones struck through), recording and cancelling. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { parisDate } from '../../core/dates';
import { PAYMENT_METHODS, type PaymentMethod } from '../../core/documents';
import { ApiError, api, seg } from '../app/api';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { useI18n } from '../i18n';
import { Button } from '../ui/Button';
import { RequiredLegend, SelectField, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { LoadError, Loading } from '../ui/QueryState';
import { centsForInput, eurosToCents, formatDay, formatEuros } from './format';
import { invoicingKeys } from './keys';
import { localizeDocumentMessage } from './editorModel';
import type { Doc, DocAnswer, Payment } from './types';

export function PaymentsSection({ doc, onChanged }: { doc: Doc; onChanged: (doc: Doc, message: string) => void }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const canPay = useCan('payments.write');
  const [adding, setAdding] = useState(false);
  const [cancelling, setCancelling] = useState<string | null>(null);
  const payments = useQuery({
    queryKey: invoicingKeys.payments(dossier.id, doc.id),
    queryFn: ({ signal }) => api.get<{ payments: Payment[] }>(`/api/d/${seg(dossier.id)}/invoices/${seg(doc.id)}/payments`, signal),
  });
  const methodLabel = (m: PaymentMethod) => t(`payment.${m}`);

  return (
    <section className="panel" aria-labelledby="payments-title">
      <div className="panel__header">
        <h2 id="payments-title">{t('payments.title')}</h2>
        {canPay && doc.balanceCents > 0 && !adding && (
          <Button variant="primary" onClick={() => setAdding(true)}>
            {t('payments.record')}
          </Button>
        )}
      </div>
      {adding && (
        <PaymentForm
          doc={doc}
          onClose={() => setAdding(false)}
          onDone={(updated, cents) => {
            setAdding(false);
            onChanged(updated, t('payments.recorded', { amount: formatEuros(cents, locale) }));
          }}
        />
      )}
      {payments.isPending ? (
        <Loading />
      ) : payments.isError ? (
        <LoadError error={payments.error} retry={() => void payments.refetch()} />
      ) : payments.data.payments.length === 0 ? (
        <p className="muted">{t('payments.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="payments table--cards">
            <caption className="visually-hidden">{t('payments.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('payments.date')}</th>
                <th scope="col" className="num">
                  {t('payments.amount')}
                </th>
                <th scope="col">{t('payments.method')}</th>
                <th scope="col">{t('payments.reference')}</th>
                <th scope="col">{t('payments.by')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {payments.data.payments.map((p) => {
                const cancelled = p.cancelledAt !== null;
                const Amount = cancelled ? 'del' : 'span';
                return (
                  <tr key={p.id} className={cancelled ? 'payment--cancelled' : undefined}>
                    <td className="nowrap">{formatDay(p.paidOn, locale)}</td>
                    <td className="num nowrap" data-label={t('payments.amount')}>
                      <Amount>{formatEuros(p.amountCents, locale)}</Amount>
                    </td>
                    <td data-label={t('payments.method')}>{methodLabel(p.method)}</td>
                    <td data-label={t('payments.reference')}>{p.reference ?? ''}</td>
                    <td data-label={t('payments.by')}>
                      {p.createdByName}
                      {cancelled && (
                        <span className="small payment__cancel-note">
                          {t('payments.cancelledNote', { date: formatDay(p.cancelledAt?.slice(0, 10), locale), reason: p.cancelReason ?? '' })}
                        </span>
                      )}
                    </td>
                    <td className="actions">
                      {canPay && !cancelled && cancelling !== p.id && (
                        <Button small variant="ghost" aria-label={t('payments.cancelNamed', { amount: formatEuros(p.amountCents, locale), date: formatDay(p.paidOn, locale) })} onClick={() => setCancelling(p.id)}>
                          {t('payments.cancel')}
                        </Button>
                      )}
                      {cancelling === p.id && (
                        <CancelPaymentForm
                          doc={doc}
                          payment={p}
                          onClose={() => setCancelling(null)}
                          onDone={(updated) => {
                            setCancelling(null);
                            onChanged(updated, t('payments.cancelled', { amount: formatEuros(p.amountCents, locale) }));
                          }}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function PaymentForm({ doc, onClose, onDone }: { doc: Doc; onClose: () => void; onDone: (doc: Doc, cents: number) => void }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const errors = useFormErrors();
  const today = parisDate();
  const [paidOn, setPaidOn] = useState(today < doc.issueDate ? doc.issueDate : today);
  const [amount, setAmount] = useState(centsForInput(doc.balanceCents, locale));
  const [method, setMethod] = useState<PaymentMethod>('virement');
  const [reference, setReference] = useState('');
  const labels = { paidOn: t('payments.date'), amountCents: t('payments.amount'), method: t('payments.method'), reference: t('payments.reference') };
  const record = useMutation({
    mutationFn: (body: { paidOn: string; amountCents: number; method: PaymentMethod; reference: string | null }) =>
      api.post<DocAnswer & { paymentId: string }>(`/api/d/${seg(dossier.id)}/invoices/${seg(doc.id)}/payments`, body),
    onSuccess: ({ document }, body) => onDone(document, body.amountCents),
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'overpayment') return errors.fail(error.message, { amountCents: error.message });
      if (!(error instanceof ApiError)) return errors.failWith(error);
      const fields = Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, localizeDocumentMessage(v, locale)]));
      errors.fail(error.message, fields);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const fields: Record<string, string> = {};
    const cents = eurosToCents(amount);
    if (!paidOn) fields.paidOn = t('payments.dateRequired');
    if (cents === null || cents <= 0) fields.amountCents = t('payments.amountInvalid');
    else if (cents > doc.balanceCents) fields.amountCents = t('payments.amountTooHigh', { due: formatEuros(doc.balanceCents, locale) });
    if (reference.trim().length > 100) fields.reference = t('validation.tooLong', { max: 100 });
    if (Object.keys(fields).length > 0 || cents === null) return errors.fail(t('error.checkFields'), fields);
    errors.clear();
    record.mutate({ paidOn, amountCents: cents, method, reference: reference.trim() || null });
  }

  return (
    <form className="form payment-form" onSubmit={submit} noValidate aria-label={t('payments.record')}>
      <ErrorSummary errors={errors} labels={labels} />
      <RequiredLegend />
      <div className="grid grid--4">
        <TextField name="paidOn" type="date" label={labels.paidOn} value={paidOn} onChange={setPaidOn} error={errors.fields.paidOn} required />
        <TextField name="amountCents" label={labels.amountCents} hint={t('payments.amountHint', { due: formatEuros(doc.balanceCents, locale) })} value={amount} onChange={setAmount} error={errors.fields.amountCents} inputMode="decimal" autoComplete="off" required />
        <SelectField name="method" label={labels.method} value={method} onChange={(v) => setMethod(v as PaymentMethod)}>
          {PAYMENT_METHODS.map((m) => (
            <option key={m} value={m}>
              {t(`payment.${m}`)}
            </option>
          ))}
        </SelectField>
        <TextField name="reference" label={labels.reference} hint={t('payments.referenceHint')} value={reference} onChange={setReference} error={errors.fields.reference} autoComplete="off" />
      </div>
      <div className="form__footer">
        <Button type="submit" variant="primary" busy={record.isPending}>
          {t('payments.save')}
        </Button>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
      </div>
    </form>
  );
}

function CancelPaymentForm({ doc, payment, onClose, onDone }: { doc: Doc; payment: Payment; onClose: () => void; onDone: (doc: Doc) => void }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const id = `cancel-reason-${payment.id}`;
  const cancel = useMutation({
    mutationFn: () => api.post<DocAnswer>(`/api/d/${seg(dossier.id)}/invoices/${seg(doc.id)}/payments/${seg(payment.id)}/cancel`, { reason: reason.trim() }),
    onSuccess: async ({ document }) => {
      await queryClient.invalidateQueries({ queryKey: invoicingKeys.payments(dossier.id, doc.id) });
      onDone(document);
    },
    onError: (e) => setError(e instanceof ApiError ? (e.fields.reason ?? e.message) : t('error.unexpected')),
  });
  return (
    <form
      className="cancel-payment"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!reason.trim()) return setError(t('payments.reasonRequired'));
        setError(null);
        cancel.mutate();
      }}
    >
      <label htmlFor={id}>{t('payments.reason', { amount: formatEuros(payment.amountCents, locale) })}</label>
      <input id={id} type="text" value={reason} onChange={(e) => setReason(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} autoFocus />
      {error && (
        <p className="field__error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
      <span className="cancel-payment__buttons">
        <Button small type="submit" variant="danger" busy={cancel.isPending}>
          {t('payments.confirmCancel')}
        </Button>
        <Button small variant="ghost" onClick={onClose}>
          {t('common.cancel')}
        </Button>
      </span>
    </form>
  );
}
