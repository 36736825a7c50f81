import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { PaymentInput } from '../../core/document-schema';
import type { PaymentMethod } from '../../core/documents';
import { formatDateFr, parisDate } from '../../core/dates';
import { formatEuros } from '../../core/money';
import type { DossierContext } from '../platform/auth';
import { AppError, invalid, notFound } from '../platform/errors';
import { loadDocument } from './store';

const PAYABLE = ['invoice', 'deposit_invoice'] as const;

/** How the history names a payment method, in French ("chèque", not the API's key "cheque"). */
const METHOD_WORDS: Record<PaymentMethod, string> = {
  virement: 'virement',
  cheque: 'chèque',
  carte: 'carte bancaire',
  especes: 'espèces',
  prelevement: 'prélèvement',
};

/** Records a payment on an issued invoice; more than what is still due is refused. */
export async function recordPayment(d: DossierContext, documentId: string, input: PaymentInput): Promise<string> {
  const doc = await loadDocument(d.t, d.id, documentId, { forUpdate: true, types: PAYABLE });
  if (doc.status !== 'issued') throw new AppError(409, 'invalid_transition');
  if (input.paidOn < doc.issue_date) throw invalid({ paidOn: `Le règlement ne peut pas précéder la facture (${formatDateFr(doc.issue_date)}).` });
  if (input.paidOn > parisDate()) throw invalid({ paidOn: 'Un règlement ne peut pas être daté dans le futur.' });
  const due = Number(doc.gross_cents) - Number(doc.paid_cents) - Number(doc.credited_cents);
  if (input.amountCents > due) throw new AppError(409, 'overpayment', { due: formatEuros(Math.max(due, 0)), dueCents: Math.max(due, 0) });
  const id = randomUUID();
  await d.t
    .insertInto('payments')
    .values({ dossier_id: d.id, id, document_id: documentId, paid_on: input.paidOn, amount_cents: input.amountCents, method: input.method, reference: input.reference ?? null, created_by: d.user.id })
    .execute();
  const paid = Number(doc.paid_cents) + input.amountCents;
  await d.t.updateTable('documents').set({ paid_cents: paid, updated_at: sql<Date>`now()` }).where('dossier_id', '=', d.id).where('id', '=', documentId).execute();
  await d.audit({
    action: 'payment.recorded',
    entityType: 'document',
    entityId: documentId,
    entityLabel: doc.number,
    summary: `Règlement de ${formatEuros(input.amountCents)} (${METHOD_WORDS[input.method]}) du ${formatDateFr(input.paidOn)}${input.reference ? `, réf. ${input.reference}` : ''}`,
    changes: { paidCents: { before: Number(doc.paid_cents), after: paid } },
  });
  return id;
}

/** Cancels a payment (it stays in the history, marked cancelled); the balance follows. */
export async function cancelPayment(d: DossierContext, documentId: string, paymentId: string, reason: string): Promise<void> {
  const doc = await loadDocument(d.t, d.id, documentId, { forUpdate: true, types: PAYABLE });
  const payment = await d.t.selectFrom('payments').selectAll().where('dossier_id', '=', d.id).where('id', '=', paymentId).where('document_id', '=', documentId).executeTakeFirst();
  if (!payment) throw notFound();
  if (payment.cancelled_at) throw new AppError(409, 'invalid_transition');
  await d.t
    .updateTable('payments')
    .set({ cancelled_at: sql<Date>`now()`, cancelled_by: d.user.id, cancel_reason: reason })
    .where('dossier_id', '=', d.id)
    .where('id', '=', paymentId)
    .execute();
  const paid = Number(doc.paid_cents) - Number(payment.amount_cents);
  await d.t.updateTable('documents').set({ paid_cents: paid, updated_at: sql<Date>`now()` }).where('dossier_id', '=', d.id).where('id', '=', documentId).execute();
  await d.audit({
    action: 'payment.cancelled',
    entityType: 'document',
    entityId: documentId,
    entityLabel: doc.number,
    summary: `Annulation du règlement de ${formatEuros(Number(payment.amount_cents))} du ${formatDateFr(payment.paid_on)} : ${reason}`,
    changes: { paidCents: { before: Number(doc.paid_cents), after: paid } },
  });
}
