/** The dialogs behind a document's actions: issue, convert, credit note, duplicate. */
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { parseDecimal } from '../../core/decimal';
import { depositForAmount } from '../../core/deposits';
import { FAMILY_OF, isLegalInvoice, type DocumentType } from '../../core/documents';
import { ApiError, api, seg } from '../app/api';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { useI18n } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { SelectField, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Dialog } from './Dialog';
import { decimalForInput, eurosToCents, formatDecimalText, formatEuros } from './format';
import { documentTitle } from './labels';
import type { Doc, DocAnswer } from './types';

/** Confirms issuing (invoices, deposits, credit notes) or finalising (quotes, pro forma). */
export function IssueDialog({ doc, busy, onConfirm, onClose }: { doc: Doc; busy: boolean; onConfirm: () => void; onClose: () => void }) {
  const { t } = useI18n();
  const warningId = useId();
  const legal = isLegalInvoice(doc.type);
  return (
    <Dialog title={t(`issue.title.${doc.type}`)} onClose={onClose} describedBy={warningId}>
      <div id={warningId}>
        {legal ? (
          <Alert kind="warning">
            <p>{doc.type === 'credit_note' ? t('issue.warningCreditNote') : t('issue.warningInvoice')}</p>
          </Alert>
        ) : (
          <p>{t('issue.warningFinalise')}</p>
        )}
        <p className="muted">{t('issue.numberHint')}</p>
      </div>
      <div className="dialog__footer">
        <Button variant="primary" busy={busy} onClick={onConfirm} data-autofocus>
          {legal ? t('issue.confirmIssue') : t('issue.confirmFinalise')}
        </Button>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
      </div>
    </Dialog>
  );
}

/** Accepted quote → final invoice, or deposit invoice (a percentage or an amount). */
export function ConvertDialog({ doc, onDone, onClose }: { doc: Doc; onDone: (created: Doc) => void; onClose: () => void }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const errors = useFormErrors();
  const [target, setTarget] = useState<'invoice' | 'deposit_invoice'>('invoice');
  const [mode, setMode] = useState<'percent' | 'amount'>('percent');
  const [percent, setPercent] = useState('30');
  const [amount, setAmount] = useState('');
  const convert = useMutation({
    mutationFn: (body: object) => api.post<DocAnswer>(`/api/d/${seg(dossier.id)}/quotes/${seg(doc.id)}/convert`, body),
    onSuccess: ({ document }) => onDone(document),
    onError: (error) => {
      if (!(error instanceof ApiError)) return errors.failWith(error);
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(error.fields)) fields[k === 'amountCents' ? 'convert-amount' : k === 'percent' ? 'convert-percent' : k] = v;
      errors.fail(error.message, fields);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    e.stopPropagation();
    if (target === 'invoice') return convert.mutate({ target });
    if (mode === 'percent') {
      const p = parseDecimal(percent.trim(), 2);
      if (p === null || p <= 0n || p > 10_000n) return errors.fail(null, { 'convert-percent': t('convert.percentInvalid') });
      return convert.mutate({ target, percent: percent.trim().replace(',', '.') });
    }
    const cents = eurosToCents(amount);
    if (cents === null || cents <= 0 || cents > doc.grossCents) return errors.fail(null, { 'convert-amount': t('convert.amountInvalid', { max: formatEuros(doc.grossCents, locale) }) });
    convert.mutate({ target, amountCents: cents });
  }

  // VAT is rounded once per rate: an amount the quote's rates cannot give to the cent is said before the draft is made.
  const askedCents = eurosToCents(amount);
  const reachedCents = askedCents !== null && askedCents > 0 && askedCents <= doc.grossCents ? depositForAmount(doc.totals, askedCents).grossCents : null;

  return (
    <Dialog title={t('convert.title')} onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} labels={{ 'convert-percent': t('convert.percent'), 'convert-amount': t('convert.amount') }} />
        <fieldset className="radios">
          <legend>{t('convert.target')}</legend>
          <div className="radio">
            <input type="radio" id="convert-invoice" name="target" checked={target === 'invoice'} onChange={() => setTarget('invoice')} />
            <label htmlFor="convert-invoice">{t('convert.toInvoice')}</label>
          </div>
          <div className="radio">
            <input type="radio" id="convert-deposit" name="target" checked={target === 'deposit_invoice'} onChange={() => setTarget('deposit_invoice')} />
            <label htmlFor="convert-deposit">{t('convert.toDeposit')}</label>
          </div>
        </fieldset>
        {target === 'invoice' && <p className="muted">{t('convert.invoiceHint')}</p>}
        {target === 'deposit_invoice' && (
          <>
            <fieldset className="radios radios--inline">
              <legend>{t('convert.depositAs')}</legend>
              <div className="radio">
                <input type="radio" id="convert-mode-percent" name="mode" checked={mode === 'percent'} onChange={() => setMode('percent')} />
                <label htmlFor="convert-mode-percent">{t('convert.byPercent')}</label>
              </div>
              <div className="radio">
                <input type="radio" id="convert-mode-amount" name="mode" checked={mode === 'amount'} onChange={() => setMode('amount')} />
                <label htmlFor="convert-mode-amount">{t('convert.byAmount')}</label>
              </div>
            </fieldset>
            {mode === 'percent' ? (
              <TextField name="convert-percent" label={t('convert.percent')} value={percent} onChange={setPercent} error={errors.fields['convert-percent']} inputMode="decimal" autoComplete="off" />
            ) : (
              <TextField
                name="convert-amount"
                label={t('convert.amount')}
                hint={t('convert.amountHint', { total: formatEuros(doc.grossCents, locale) })}
                value={amount}
                onChange={setAmount}
                error={errors.fields['convert-amount']}
                inputMode="decimal"
                autoComplete="off"
              />
            )}
            {mode === 'amount' && askedCents !== null && reachedCents !== null && reachedCents !== askedCents && (
              <p className="muted" role="status" data-testid="convert-amount-reached">
                {t('convert.amountReached', { asked: formatEuros(askedCents, locale), reached: formatEuros(reachedCents, locale) })}
              </p>
            )}
          </>
        )}
        <div className="dialog__footer">
          <Button type="submit" variant="primary" busy={convert.isPending}>
            {t('convert.submit')}
          </Button>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

/** A credit note on an issued invoice: all of it, or chosen lines with quantities. */
export function CreditNoteDialog({ doc, onDone, onClose }: { doc: Doc; onDone: (created: Doc) => void; onClose: () => void }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const errors = useFormErrors();
  const [whole, setWhole] = useState(true);
  const items = (doc.lines ?? []).map((line, position) => ({ line, position })).filter((x) => x.line.kind === 'item');
  const [chosen, setChosen] = useState<Record<number, { on: boolean; quantity: string }>>(() =>
    Object.fromEntries(items.map(({ line, position }) => [position, { on: false, quantity: line.kind === 'item' ? decimalForInput(line.quantity, locale) : '' }])),
  );
  const create = useMutation({
    mutationFn: (body: object) => api.post<DocAnswer>(`/api/d/${seg(dossier.id)}/invoices/${seg(doc.id)}/credit-note`, body),
    onSuccess: ({ document }) => onDone(document),
    onError: (error) => {
      if (!(error instanceof ApiError)) return errors.failWith(error);
      const fields: Record<string, string> = {};
      const selected = Object.entries(chosen).filter(([, c]) => c.on);
      for (const [path, message] of Object.entries(error.fields)) {
        const m = /^lines\.(\d+)\.quantity$/.exec(path);
        const position = m ? selected[Number(m[1])]?.[0] : undefined;
        fields[position !== undefined ? `credit-qty-${position}` : path] = message;
      }
      errors.fail(error.message, fields);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    e.stopPropagation();
    if (whole) return create.mutate({ lines: null });
    const lines = Object.entries(chosen)
      .filter(([, c]) => c.on)
      .map(([position, c]) => ({ position: Number(position), quantity: c.quantity.trim().replace(',', '.') }));
    if (lines.length === 0) return errors.fail(t('credit.noLine'));
    const fields: Record<string, string> = {};
    for (const l of lines) {
      const q = parseDecimal(l.quantity, 3);
      if (q === null || q <= 0n) fields[`credit-qty-${l.position}`] = t('credit.quantityInvalid');
    }
    if (Object.keys(fields).length > 0) return errors.fail(t('error.checkFields'), fields);
    create.mutate({ lines });
  }

  const labels = Object.fromEntries(items.map(({ line, position }) => [`credit-qty-${position}`, t('credit.quantityOf', { name: line.designation })]));

  return (
    <Dialog title={t('credit.title', { number: doc.number ?? '' })} onClose={onClose} wide>
      <form className="form" onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} labels={labels} />
        <fieldset className="radios">
          <legend>{t('credit.scope')}</legend>
          <div className="radio">
            <input type="radio" id="credit-whole" name="scope" checked={whole} onChange={() => setWhole(true)} />
            <label htmlFor="credit-whole">{t('credit.whole', { amount: formatEuros(doc.grossCents, locale) })}</label>
          </div>
          <div className="radio">
            <input type="radio" id="credit-lines" name="scope" checked={!whole} onChange={() => setWhole(false)} />
            <label htmlFor="credit-lines">{t('credit.someLines')}</label>
          </div>
        </fieldset>
        {!whole && (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('credit.linesCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('credit.credit')}</th>
                  <th scope="col">{t('lines.designation')}</th>
                  <th scope="col" className="num">
                    {t('credit.invoiced')}
                  </th>
                  <th scope="col">{t('credit.quantity')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map(({ line, position }) => {
                  if (line.kind !== 'item') return null;
                  const c = chosen[position] ?? { on: false, quantity: '' };
                  const qtyId = `f-credit-qty-${position}`;
                  const error = errors.fields[`credit-qty-${position}`];
                  return (
                    <tr key={position}>
                      <td>
                        <input
                          type="checkbox"
                          id={`credit-on-${position}`}
                          aria-label={t('credit.creditLine', { name: line.designation })}
                          checked={c.on}
                          onChange={(e) => setChosen((old) => ({ ...old, [position]: { ...c, on: e.target.checked } }))}
                        />
                      </td>
                      <td>
                        <label htmlFor={`credit-on-${position}`}>{line.designation}</label>
                      </td>
                      <td className="num nowrap">
                        {formatDecimalText(line.quantity, locale)} {line.unit ?? ''}
                      </td>
                      <td>
                        <input
                          id={qtyId}
                          type="text"
                          inputMode="decimal"
                          className="num input--short"
                          aria-label={t('credit.quantityOf', { name: line.designation })}
                          disabled={!c.on}
                          value={c.quantity}
                          aria-invalid={error ? true : undefined}
                          aria-describedby={error ? `${qtyId}-error` : undefined}
                          onChange={(e) => setChosen((old) => ({ ...old, [position]: { ...c, quantity: e.target.value } }))}
                        />
                        {error && (
                          <p className="field__error" id={`${qtyId}-error`}>
                            {error}
                          </p>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <p className="muted">{t('credit.hint')}</p>
        <div className="dialog__footer">
          <Button type="submit" variant="primary" busy={create.isPending}>
            {t('credit.submit')}
          </Button>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Copies the document into a new draft of the chosen type. */
export function DuplicateDialog({ doc, onDone, onClose }: { doc: Doc; onDone: (created: Doc) => void; onClose: () => void }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const errors = useFormErrors();
  const canQuotes = useCan('quotes.write');
  const canInvoices = useCan('invoices.write');
  const targets: DocumentType[] = (['quote', 'invoice', 'pro_forma', 'credit_note'] as DocumentType[]).filter((type) => {
    if (type === 'credit_note' && doc.type !== 'credit_note') return false;
    return FAMILY_OF[type] === 'quotes' ? canQuotes : canInvoices;
  });
  const [target, setTarget] = useState<DocumentType>(targets.includes(doc.type) ? doc.type : (targets[0] ?? 'quote'));
  const duplicate = useMutation({
    mutationFn: (type: DocumentType) => api.post<DocAnswer>(`/api/d/${seg(dossier.id)}/${FAMILY_OF[doc.type]}/${seg(doc.id)}/duplicate`, { type }),
    onSuccess: ({ document }) => onDone(document),
    onError: (error) => errors.failWith(error),
  });
  return (
    <Dialog title={t('duplicate.title')} onClose={onClose}>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          e.stopPropagation();
          duplicate.mutate(target);
        }}
      >
        <ErrorSummary errors={errors} />
        {targets.length === 0 ? (
          <p>{t('duplicate.none')}</p>
        ) : (
          <SelectField name="duplicate-type" label={t('duplicate.target')} hint={t('duplicate.hint')} value={target} onChange={(v) => setTarget(v as DocumentType)}>
            {targets.map((type) => (
              <option key={type} value={type}>
                {documentTitle(type, locale)}
              </option>
            ))}
          </SelectField>
        )}
        <div className="dialog__footer">
          <Button type="submit" variant="primary" busy={duplicate.isPending} disabled={targets.length === 0}>
            {t('duplicate.submit')}
          </Button>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
