/**
 * Mandatory mentions (CGI annexe II art. 242 nonies A; Code de commerce L441-9): what must be
 * known before a document can be issued. Returns French messages; the server refuses to issue
 * while `missing` is not empty, and shows `warnings` to the user.
 */
import { INDIVIDUAL_FORMS } from './dossier';
import type { DocumentLineView, DocumentType, PartySnapshot, SellerSnapshot, VatTreatment } from './documents';

export interface MentionProblem {
  field: string;
  message: string;
}

export interface MentionCheck {
  missing: MentionProblem[];
  warnings: MentionProblem[];
}

export interface MentionInput {
  type: DocumentType;
  seller: SellerSnapshot;
  customer: PartySnapshot | null;
  vatTreatment: VatTreatment;
  lines: DocumentLineView[];
  dueDate?: string | null;
}

function hasAddress(p: PartySnapshot | null): boolean {
  const a = p?.address;
  return Boolean(a && a.line1.trim() && a.postalCode.trim() && a.city.trim());
}

export function checkMandatoryMentions(doc: MentionInput): MentionCheck {
  const missing: MentionProblem[] = [];
  const warnings: MentionProblem[] = [];
  const need = (ok: boolean, field: string, message: string) => {
    if (!ok) missing.push({ field, message });
  };
  const { seller, customer } = doc;
  const invoiceLike = doc.type !== 'quote' && doc.type !== 'pro_forma';

  need(Boolean(seller.name.trim()), 'seller.name', 'La raison sociale du vendeur (Paramètres du dossier).');
  need(hasAddress(seller), 'seller.address', "L'adresse du vendeur (Paramètres du dossier).");
  need(Boolean(seller.siren), 'seller.siren', 'Le SIREN du vendeur (Paramètres du dossier).');
  if (seller.vatRegime === 'normal') need(Boolean(seller.vatNumber), 'seller.vatNumber', 'Le numéro de TVA intracommunautaire du vendeur (Paramètres du dossier).');
  const company = seller.legalForm && !INDIVIDUAL_FORMS.includes(seller.legalForm) && seller.legalForm !== 'ASSOCIATION';
  if (invoiceLike) {
    need(Boolean(seller.legalForm), 'seller.legalForm', 'La forme juridique du vendeur (Paramètres du dossier).');
    if (company) {
      need(seller.shareCapitalCents !== null && seller.shareCapitalCents !== undefined, 'seller.shareCapital', 'Le capital social du vendeur (Paramètres du dossier).');
      need(Boolean(seller.rcsCity), 'seller.rcsCity', 'La ville du RCS du vendeur (Paramètres du dossier).');
    }
  }

  need(customer !== null && Boolean(customer.name.trim()), 'customer.name', 'Le nom du client.');
  need(hasAddress(customer), 'customer.address', "L'adresse de facturation du client.");
  const business = customer?.kind !== 'individual';
  if (customer && business && !customer.siren) {
    warnings.push({ field: 'customer.siren', message: "Le SIREN du client professionnel n'est pas renseigné (obligatoire sur les factures électroniques)." });
  }
  if (doc.vatTreatment === 'reverse_charge') need(Boolean(customer?.vatNumber), 'customer.vatNumber', "Le numéro de TVA intracommunautaire du client (autoliquidation).");

  const items = doc.lines.filter((l) => l.kind === 'item');
  need(items.length > 0, 'lines', 'Au moins une ligne facturée.');
  items.forEach((l, i) => need(Boolean(l.designation.trim()), `lines.${i}.designation`, `La désignation de la ligne ${i + 1}.`));
  if (invoiceLike && doc.type !== 'credit_note') need(Boolean(doc.dueDate), 'dueDate', "La date d'échéance.");
  return { missing, warnings };
}
