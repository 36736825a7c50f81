/** Documents (pièces) as the API shows them (docs/API.md, "Documents"). */
import type { PaymentTerms } from '../../core/dates';
import type { DisplayStatus, DocumentFamily, DocumentStatus, DocumentType, Nature, PaymentMethod, VatTreatment } from '../../core/documents';
import type { DepositDeduction, Discount, Totals } from '../../core/totals';

export type { DocumentFamily };

export type DocLine =
  | {
      kind: 'item';
      productId?: string | null;
      reference?: string | null;
      designation: string;
      description?: string | null;
      unit?: string | null;
      quantity: string;
      unitPrice: string;
      discount?: Discount | null;
      vatRate: string;
      nature: Nature;
    }
  | { kind: 'section' | 'comment'; designation: string };

export interface Doc {
  id: string;
  type: DocumentType;
  status: DocumentStatus;
  displayStatus: DisplayStatus;
  number: string | null;
  issueDate: string;
  serviceDate: string | null;
  dueDate: string | null;
  validityDate: string | null;
  customerId: string | null;
  customerName: string | null;
  vatTreatment: VatTreatment;
  paymentTerms: PaymentTerms | null;
  discount: Discount | null;
  notes: string | null;
  deductions: DepositDeduction[];
  totals: Totals;
  netCents: number;
  vatCents: number;
  grossCents: number;
  paidCents: number;
  creditedCents: number;
  balanceCents: number;
  sourceId: string | null;
  correctsId: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  updatedByName: string | null;
  issuedAt: string | null;
  pdfUrl: string;
  lines?: DocLine[];
}

export interface DocAnswer {
  document: Doc;
}

/** A row of the invoice list: the highest reminder sent, and whether the customer has an address to remind. */
export interface DocListItem extends Doc {
  reminder: { level: number; at: string } | null;
  customerHasEmail: boolean;
}

export interface DocListAnswer {
  items: DocListItem[];
  total: number;
  page: number;
  pageSize: number;
  totals: { netCents: number; vatCents: number; grossCents: number; balanceCents: number };
}

export interface Payment {
  id: string;
  paidOn: string;
  amountCents: number;
  method: PaymentMethod;
  reference: string | null;
  createdAt: string;
  createdByName: string;
  cancelledAt: string | null;
  cancelReason: string | null;
}

export interface HistoryEvent {
  seq: number;
  occurredAt: string;
  actorName: string | null;
  actorProfile: string | null;
  action: string;
  summary: string;
  changes: Record<string, { before: unknown; after: unknown }> | null;
}

export interface NumberingSeries {
  series: 'quote' | 'invoice' | 'credit_note' | 'pro_forma';
  format: string;
  yearlyReset: boolean;
  firstNumber: number;
  locked: boolean;
  example: string;
}

/** Details of a 409 stale_version on a document (who saved in between, and when). */
export interface StaleDetails {
  version: number;
  updatedAt: string;
  updatedByName?: string | null;
}

export interface MentionProblem {
  field: string;
  message: string;
}
