import { parisDate } from '../../core/dates';
import type { LineInput } from '../../core/document-schema';
import { displayStatus, type PartySnapshot } from '../../core/documents';
import type { DepositDeduction, Discount, Totals } from '../../core/totals';
import type { DocumentRow } from './store';

export function familyPath(type: DocumentRow['type']): 'quotes' | 'invoices' {
  return type === 'quote' ? 'quotes' : 'invoices';
}

/** What the API shows of a document. */
export function presentDocument(row: DocumentRow, extra: { lines?: LineInput[]; customerName?: string | null; updatedByName?: string | null } = {}) {
  const gross = Number(row.gross_cents);
  const paid = Number(row.paid_cents);
  const credited = Number(row.credited_cents);
  const customer = row.customer_snapshot as PartySnapshot | null;
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    displayStatus: displayStatus({ type: row.type, status: row.status, validityDate: row.validity_date, dueDate: row.due_date, grossCents: gross, paidCents: paid, creditedCents: credited }, parisDate()),
    number: row.number,
    issueDate: row.issue_date,
    serviceDate: row.service_date,
    dueDate: row.due_date,
    validityDate: row.validity_date,
    customerId: row.customer_id,
    customerName: customer?.name ?? extra.customerName ?? null,
    vatTreatment: row.vat_treatment,
    paymentTerms: row.payment_terms,
    discount: row.discount as Discount | null,
    notes: row.notes,
    deductions: row.deductions as DepositDeduction[],
    totals: row.totals as Totals,
    netCents: Number(row.net_cents),
    vatCents: Number(row.vat_cents),
    grossCents: gross,
    paidCents: paid,
    creditedCents: credited,
    balanceCents: row.type === 'invoice' || row.type === 'deposit_invoice' ? gross - paid - credited : 0,
    sourceId: row.source_id,
    correctsId: row.corrects_id,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    updatedByName: extra.updatedByName ?? null,
    issuedAt: row.issued_at,
    pdfUrl: `/api/d/${row.dossier_id}/${familyPath(row.type)}/${row.id}/pdf`,
    ...(extra.lines ? { lines: extra.lines } : {}),
  };
}

export type DocumentJson = ReturnType<typeof presentDocument>;
