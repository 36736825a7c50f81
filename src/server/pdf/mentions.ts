/**
 * What a printed document says besides its lines and totals: title, dates and the mandatory
 * mentions (CGI annexe II art. 242 nonies A; Code de commerce L441-9 and D441-5). Pure functions
 * of the frozen `DocumentView`, so each rule can be tested without drawing anything.
 */
import { DOCUMENT_TITLES, isLegalInvoice, operationNature, vatExemptionMention, type DocumentView, type SellerSnapshot } from '../../core/documents';
import { formatIban } from '../../core/identifiers';
import { formatEuros } from '../../core/money';
import { INDIVIDUAL_FORMS } from '../../core/dossier';
import { NBSP, displayName, formatDate, formatNumberFr, formatRate, formatSiren } from './format';

export const NATURE_LABELS = { goods: 'Livraison de biens', services: 'Prestation de services', mixed: 'Mixte' } as const;

export const NO_EARLY_PAYMENT_DISCOUNT = "Pas d'escompte pour paiement anticipé";
export const RECOVERY_FEE = `Indemnité forfaitaire pour frais de recouvrement : 40${NBSP}€`;
export const VAT_ON_DEBITS = "Option pour le paiement de la taxe d'après les débits";
export const NOT_AN_INVOICE = "Ce document n'est pas une facture";
export const WATERMARK = 'BROUILLON — document sans valeur';

/** "Facture", "Avoir"… */
export function documentTitle(view: Pick<DocumentView, 'type'>): string {
  return DOCUMENT_TITLES[view.type].fr;
}

/** "n° F-2026-0042", or "Brouillon" for a draft or a document not numbered yet. */
export function documentNumberLabel(view: Pick<DocumentView, 'number' | 'draft'>): string {
  return view.draft || view.number === null ? 'Brouillon' : `n°${NBSP}${view.number}`;
}

/**
 * What a continuation page repeats at its top, so that a loose page still says whose document it
 * is: "Facture n° F-2026-0042 du 14/03/2026 — Boulangerie Léa Martin".
 */
export function runningHeader(view: DocumentView): string {
  const number = view.draft || view.number === null ? '(brouillon)' : `n°${NBSP}${view.number}`;
  return `${documentTitle(view)} ${number} du ${formatDate(view.issueDate)} — ${displayName(view.customer)}`;
}

/** The dates printed under the title, as [label, value] pairs. */
export function headerDates(view: DocumentView): [string, string][] {
  const dates: [string, string][] = [["Date d'émission", formatDate(view.issueDate)]];
  if (view.serviceDate) {
    const nature = operationNature(view.lines);
    const label = nature === 'goods' ? 'Date de la vente' : nature === 'services' ? 'Date de la prestation' : 'Date de la vente / prestation';
    dates.push([label, formatDate(view.serviceDate)]);
  }
  if (isLegalInvoice(view.type) && view.type !== 'credit_note' && view.dueDate) dates.push(["Date d'échéance", formatDate(view.dueDate)]);
  if ((view.type === 'quote' || view.type === 'pro_forma') && view.validityDate) dates.push(["Valable jusqu'au", formatDate(view.validityDate)]);
  return dates;
}

/** The label over the customer's name: a credit note is not billed, it owes money back. */
export function customerLabel(view: Pick<DocumentView, 'type'>): string {
  return view.type === 'quote' || view.type === 'credit_note' ? 'Client' : 'Facturé à';
}

/** For a credit note: the invoice it corrects. */
export function correctsLine(view: DocumentView): string | null {
  if (view.type !== 'credit_note' || !view.corrects) return null;
  return `Avoir sur la facture n°${NBSP}${view.corrects.number} du ${formatDate(view.corrects.issueDate)}`;
}

/** What the customer does with a credit note's amount. */
export function creditSettlement(corrects: { number: string; issueDate: string }): string {
  return `Montant à déduire de la facture n°${NBSP}${corrects.number} du ${formatDate(corrects.issueDate)} ou, si elle est déjà réglée, à vous rembourser`;
}

/** Share capital without cents when it is a whole number of euros: "10 000 €". */
function formatCapital(cents: number): string {
  return cents % 100 === 0 ? `${formatNumberFr(String(cents / 100), 0)}${NBSP}€` : formatEuros(cents);
}

const FORM_LABELS: Partial<Record<NonNullable<SellerSnapshot['legalForm']>, string>> = { ASSOCIATION: 'Association', AUTRE: '' };

/** The seller's legal identity, printed in every page's footer. */
export function legalIdentity(seller: SellerSnapshot): string {
  const parts = [displayName(seller)];
  const form = seller.legalForm;
  if (form && !INDIVIDUAL_FORMS.includes(form)) {
    const label = FORM_LABELS[form] ?? form;
    const capital = seller.shareCapitalCents !== null && seller.shareCapitalCents !== undefined ? ` au capital de ${formatCapital(seller.shareCapitalCents)}` : '';
    if (label || capital) parts.push(`${label}${capital}`.trim());
  }
  if (seller.rcsCity) parts.push(`RCS ${seller.rcsCity}`);
  if (seller.siren) parts.push(`SIREN ${formatSiren(seller.siren)}`);
  return parts.join(' — ');
}

export interface DocumentMentions {
  /** Legal and payment mentions, one per printed paragraph, in the order printed. */
  legal: string[];
  /** Bank details ("IBAN : …", "BIC : …"), empty when the seller gave none. */
  bank: string[];
  notes: string | null;
}

/** Every mention that applies to this document. */
export function documentMentions(view: DocumentView): DocumentMentions {
  const { seller, customer, type } = view;
  const legal: string[] = [];
  const exemption = vatExemptionMention(seller, view.vatTreatment);
  if (exemption) legal.push(exemption);
  const nature = operationNature(view.lines);
  // The option concerns services only (CGI art. 269, 2-c): a delivery of goods is taxed on delivery whatever the option.
  if (seller.vatOnDebits && seller.vatRegime !== 'franchise' && nature !== 'goods') legal.push(VAT_ON_DEBITS);
  legal.push(`Nature de l'opération : ${NATURE_LABELS[nature]}`);

  if (type === 'credit_note') {
    // A credit note owes money back: no due date, payment terms, penalties or recovery fee.
    if (view.corrects) legal.push(creditSettlement(view.corrects));
  } else if (isLegalInvoice(type)) {
    if (view.dueDate) legal.push(`Date d'échéance du paiement : ${formatDate(view.dueDate)}`);
    if (view.paymentTermsLabel) legal.push(`Conditions de paiement : ${view.paymentTermsLabel}`);
    legal.push(NO_EARLY_PAYMENT_DISCOUNT);
    legal.push(`Taux des pénalités de retard : ${formatRate(seller.latePenaltyRate)}`);
    if (customer.kind !== 'individual') legal.push(RECOVERY_FEE);
  } else {
    if (type === 'pro_forma') legal.push(NOT_AN_INVOICE);
    if (view.validityDate) legal.push(`${type === 'quote' ? 'Devis valable' : 'Valable'} jusqu'au ${formatDate(view.validityDate)}`);
    if (view.paymentTermsLabel) legal.push(`Conditions de paiement : ${view.paymentTermsLabel}`);
    if (type === 'quote') legal.push('Bon pour accord : date et signature du client, précédées de la mention « Bon pour accord »');
  }

  const bank: string[] = [];
  if (type !== 'credit_note') {
    if (seller.iban) bank.push(`IBAN : ${formatIban(seller.iban)}`);
    if (seller.bic) bank.push(`BIC : ${seller.bic}`);
  }
  const notes = view.notes?.trim() ? view.notes.trim() : null;
  return { legal, bank, notes };
}
