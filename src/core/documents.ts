/**
 * Commercial documents (pièces): types, lifecycle and the frozen view that PDFs and e-invoices
 * are made from.
 */
import type { Address, LegalForm, VatRegime } from './dossier';
import type { DepositDeduction, Discount, Totals } from './totals';
import type { Series } from './numbering';

export const DOCUMENT_TYPES = ['quote', 'invoice', 'deposit_invoice', 'credit_note', 'pro_forma'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const DOCUMENT_STATUSES = ['draft', 'finalised', 'accepted', 'refused', 'issued'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export const VAT_TREATMENTS = ['normal', 'reverse_charge', 'export'] as const;
export type VatTreatment = (typeof VAT_TREATMENTS)[number];

export const NATURES = ['goods', 'service'] as const;
export type Nature = (typeof NATURES)[number];

export const UNITS = ['unité', 'pièce', 'heure', 'jour', 'forfait', 'm²', 'm', 'kg', 'l', 'lot', 'mois'] as const;

export const PAYMENT_METHODS = ['virement', 'cheque', 'carte', 'especes', 'prelevement'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** The numbering series of each type: deposit invoices are invoices and share their series. */
export const SERIES_OF: Record<DocumentType, Series> = {
  quote: 'quote',
  invoice: 'invoice',
  deposit_invoice: 'invoice',
  credit_note: 'credit_note',
  pro_forma: 'pro_forma',
};

/** Legal documents (invoices, credit notes) are "issued"; quotes and pro forma are "finalised". */
export function isLegalInvoice(type: DocumentType): boolean {
  return type === 'invoice' || type === 'deposit_invoice' || type === 'credit_note';
}

export function numberedStatus(type: DocumentType): DocumentStatus {
  return isLegalInvoice(type) ? 'issued' : 'finalised';
}

export const DOCUMENT_TITLES: Record<DocumentType, { fr: string; en: string }> = {
  quote: { fr: 'Devis', en: 'Quote' },
  invoice: { fr: 'Facture', en: 'Invoice' },
  deposit_invoice: { fr: "Facture d'acompte", en: 'Deposit invoice' },
  credit_note: { fr: 'Avoir', en: 'Credit note' },
  pro_forma: { fr: 'Facture pro forma', en: 'Pro forma invoice' },
};

export interface PartySnapshot {
  name: string;
  legalForm?: LegalForm | null;
  siren?: string | null;
  siret?: string | null;
  vatNumber?: string | null;
  address: Address | null;
  deliveryAddress?: Address | null;
  shareCapitalCents?: number | null;
  rcsCity?: string | null;
  email?: string | null;
  phone?: string | null;
  iban?: string | null;
  bic?: string | null;
  kind?: 'company' | 'individual';
}

export interface SellerSnapshot extends PartySnapshot {
  vatRegime: VatRegime;
  vatOnDebits: boolean;
  /** Legal penalty rate for late payment, in percent (e.g. "12.15"); shown between professionals. */
  latePenaltyRate: string;
}

export interface DocumentLineView {
  kind: 'item' | 'section' | 'comment';
  reference?: string | null;
  designation: string;
  description?: string | null;
  unit?: string | null;
  quantity?: string;
  unitPrice?: string;
  vatRate?: string;
  discount?: Discount | null;
  nature?: Nature | null;
}

/** A deposit invoice deducted by a final invoice: what it invoiced, as deducted. */
export interface DepositView {
  number: string;
  issueDate: string;
  netCents: number;
  vatCents: number;
  grossCents: number;
}

/** A deposit's printed figures from the net and VAT per rate that the final invoice deducts. */
export function depositView(number: string, issueDate: string, vat: DepositDeduction['vat']): DepositView {
  const netCents = vat.reduce((s, v) => s + v.baseCents, 0);
  const vatCents = vat.reduce((s, v) => s + v.vatCents, 0);
  return { number, issueDate, netCents, vatCents, grossCents: netCents + vatCents };
}

/** Everything a printed document shows: frozen at issue, rendered by the PDF and e-invoice writers. */
export interface DocumentView {
  type: DocumentType;
  number: string | null;
  draft: boolean;
  issueDate: string;
  serviceDate?: string | null;
  dueDate?: string | null;
  validityDate?: string | null;
  seller: SellerSnapshot;
  customer: PartySnapshot;
  vatTreatment: VatTreatment;
  lines: DocumentLineView[];
  discount?: Discount | null;
  totals: Totals;
  deposits?: DepositView[];
  /** For a credit note: the invoice it corrects. */
  corrects?: { number: string; issueDate: string } | null;
  paymentTermsLabel?: string | null;
  notes?: string | null;
  logo?: { contentType: string; content: Uint8Array } | null;
}

/** The operation's nature, printed from the e-invoicing reform on: goods, services, or both. */
export function operationNature(lines: DocumentLineView[]): 'goods' | 'services' | 'mixed' {
  const natures = new Set(lines.filter((l) => l.kind === 'item').map((l) => l.nature ?? 'service'));
  if (natures.size > 1) return 'mixed';
  return natures.has('goods') ? 'goods' : 'services';
}

/** The VAT exemption wording a document must print, if any. */
export function vatExemptionMention(seller: { vatRegime: VatRegime }, treatment: VatTreatment): string | null {
  if (seller.vatRegime === 'franchise') return 'TVA non applicable, art. 293 B du CGI';
  if (treatment === 'reverse_charge') return 'Autoliquidation';
  if (treatment === 'export') return 'Exonération de TVA, article 262 I du CGI';
  return null;
}

/** Which route family (and permissions) a document type belongs to. */
export type DocumentFamily = 'quotes' | 'invoices';
export const FAMILY_OF: Record<DocumentType, DocumentFamily> = {
  quote: 'quotes',
  invoice: 'invoices',
  deposit_invoice: 'invoices',
  credit_note: 'invoices',
  pro_forma: 'invoices',
};

export type DisplayStatus = 'draft' | 'finalised' | 'accepted' | 'refused' | 'expired' | 'issued' | 'partially_paid' | 'paid' | 'overdue' | 'cancelled' | 'to_refund';

/** What the user sees: quotes expire after their validity date; invoices follow their payments and credit notes. */
export function displayStatus(
  doc: { type: DocumentType; status: DocumentStatus; validityDate: string | null; dueDate: string | null; grossCents: number; paidCents: number; creditedCents: number },
  today: string,
): DisplayStatus {
  if (doc.status === 'draft') return 'draft';
  if (doc.type === 'quote') {
    if (doc.status === 'finalised' && doc.validityDate && doc.validityDate < today) return 'expired';
    return doc.status;
  }
  if (doc.type === 'invoice' || doc.type === 'deposit_invoice') {
    const balance = doc.grossCents - doc.paidCents - doc.creditedCents;
    // Paid, then reduced by a credit note: the customer is owed the difference.
    if (balance < 0) return 'to_refund';
    if (doc.creditedCents >= doc.grossCents && doc.grossCents > 0) return 'cancelled';
    if (balance === 0) return 'paid';
    if (doc.dueDate && doc.dueDate < today) return 'overdue';
    return doc.paidCents > 0 ? 'partially_paid' : 'issued';
  }
  return doc.status;
}

export const DISPLAY_STATUS_LABELS: Record<DisplayStatus, { fr: string; en: string }> = {
  draft: { fr: 'Brouillon', en: 'Draft' },
  finalised: { fr: 'Finalisé', en: 'Finalised' },
  accepted: { fr: 'Accepté', en: 'Accepted' },
  refused: { fr: 'Refusé', en: 'Refused' },
  expired: { fr: 'Expiré', en: 'Expired' },
  issued: { fr: 'Émise', en: 'Issued' },
  partially_paid: { fr: 'Partiellement réglée', en: 'Partially paid' },
  paid: { fr: 'Réglée', en: 'Paid' },
  overdue: { fr: 'En retard', en: 'Overdue' },
  cancelled: { fr: 'Annulée par avoir', en: 'Cancelled by credit note' },
  to_refund: { fr: 'À rembourser', en: 'To refund' },
};

/** Whether a type's French name is feminine: the words that describe it agree (« facture émise », « avoir émis »). */
const FEMININE_FR: Record<DocumentType, boolean> = { quote: false, invoice: true, deposit_invoice: true, credit_note: false, pro_forma: true };

/** A French participle agreeing with the type's name: `agreeFr('credit_note', 'émis', 'émise')` is « émis ». */
export function agreeFr(type: DocumentType, masculine: string, feminine: string): string {
  return FEMININE_FR[type] ? feminine : masculine;
}

/** French status labels as [masculine, feminine]; DISPLAY_STATUS_LABELS names a family's statuses when no one document is meant. */
const STATUS_FR: Record<DisplayStatus, [string, string]> = {
  draft: ['Brouillon', 'Brouillon'],
  finalised: ['Finalisé', 'Finalisée'],
  accepted: ['Accepté', 'Acceptée'],
  refused: ['Refusé', 'Refusée'],
  expired: ['Expiré', 'Expirée'],
  issued: ['Émis', 'Émise'],
  partially_paid: ['Partiellement réglé', 'Partiellement réglée'],
  paid: ['Réglé', 'Réglée'],
  overdue: ['En retard', 'En retard'],
  cancelled: ['Annulé par avoir', 'Annulée par avoir'],
  to_refund: ['À rembourser', 'À rembourser'],
};

/** One document's status, in French agreeing with its type (« Avoir : Émis », « Pro forma : Finalisée »). */
export function documentStatusLabel(status: DisplayStatus, type: DocumentType, locale: 'fr' | 'en'): string {
  if (locale === 'en') return DISPLAY_STATUS_LABELS[status].en;
  const [masculine, feminine] = STATUS_FR[status];
  return agreeFr(type, masculine, feminine);
}
