/**
 * The journal of user actions as people read it: a French (or English) label for every action
 * code, a label for every field a change names, and values written as a reader expects them
 * (euros, dates, a customer's name instead of its id). Shared by the web app (the Journal des
 * actions, a document's history) and the server (the XLSX/CSV export), so that the screen and the
 * file say the same thing.
 */
import { DOCUMENT_TITLES, type DocumentType } from './documents';
import { formatEuros } from './money';

export type Locale = 'fr' | 'en';
type Label = Record<Locale, string>;

/** Every action the app records, with its label. An action not listed here is refused as a filter. */
export const ACTION_LABELS = {
  'dossier.created': { fr: 'Création du dossier', en: 'Company file created' },
  'dossier.settings_updated': { fr: 'Paramètres du dossier modifiés', en: 'Company settings changed' },
  'dossier.logo_changed': { fr: 'Logo changé', en: 'Logo changed' },
  'dossier.logo_removed': { fr: 'Logo retiré', en: 'Logo removed' },
  'dossier.reminder_plan_updated': { fr: 'Plan de relance modifié', en: 'Reminder plan changed' },
  'numbering.updated': { fr: 'Numérotation modifiée', en: 'Numbering changed' },
  'mail_template.updated': { fr: "Modèle d'e-mail modifié", en: 'E-mail template changed' },
  'mail_template.reset': { fr: "Modèle d'e-mail rétabli", en: 'E-mail template reset' },
  'member.added': { fr: 'Membre ajouté', en: 'Member added' },
  'member.removed': { fr: 'Membre retiré', en: 'Member removed' },
  'member.renamed': { fr: 'Membre renommé', en: 'Member renamed' },
  'member.profile_changed': { fr: 'Profil d’un membre changé', en: 'Member profile changed' },
  'invitation.sent': { fr: 'Invitation envoyée', en: 'Invitation sent' },
  'invitation.revoked': { fr: 'Invitation révoquée', en: 'Invitation revoked' },
  'invitation.accepted': { fr: 'Invitation acceptée', en: 'Invitation accepted' },
  'profile.created': { fr: 'Profil créé', en: 'Profile created' },
  'profile.updated': { fr: 'Profil modifié', en: 'Profile changed' },
  'profile.deleted': { fr: 'Profil supprimé', en: 'Profile deleted' },
  'customer.created': { fr: 'Client créé', en: 'Customer created' },
  'customer.updated': { fr: 'Client modifié', en: 'Customer changed' },
  'customer.archived': { fr: 'Client archivé', en: 'Customer archived' },
  'customer.unarchived': { fr: 'Client désarchivé', en: 'Customer restored' },
  'customer.deleted': { fr: 'Client supprimé', en: 'Customer deleted' },
  'product.created': { fr: 'Article créé', en: 'Item created' },
  'product.updated': { fr: 'Article modifié', en: 'Item changed' },
  'product.archived': { fr: 'Article archivé', en: 'Item archived' },
  'product.unarchived': { fr: 'Article désarchivé', en: 'Item restored' },
  'product.deleted': { fr: 'Article supprimé', en: 'Item deleted' },
  'document.created': { fr: 'Brouillon créé', en: 'Draft created' },
  'document.updated': { fr: 'Brouillon modifié', en: 'Draft changed' },
  'document.deleted': { fr: 'Brouillon supprimé', en: 'Draft deleted' },
  'document.duplicated': { fr: 'Document dupliqué', en: 'Document duplicated' },
  'document.issued': { fr: 'Facture émise', en: 'Invoice issued' },
  'document.finalised': { fr: 'Document finalisé', en: 'Document finalised' },
  'document.credited': { fr: 'Facture corrigée par un avoir', en: 'Invoice credited' },
  'document.credit_note_created': { fr: 'Avoir créé', en: 'Credit note created' },
  'quote.converted': { fr: 'Devis transformé en facture', en: 'Quote converted to an invoice' },
  'payment.recorded': { fr: 'Paiement enregistré', en: 'Payment recorded' },
  'payment.cancelled': { fr: 'Paiement annulé', en: 'Payment cancelled' },
  'document.email_requested': { fr: 'Envoi par e-mail demandé', en: 'E-mail requested' },
  'document.email_sent': { fr: 'E-mail accepté par le serveur', en: 'E-mail accepted by the server' },
  'document.email_retry': { fr: "Nouvel essai d'envoi prévu", en: 'E-mail retry scheduled' },
  'document.email_failed': { fr: "Échec définitif de l'envoi", en: 'E-mail failed' },
  'document.email_uncertain': { fr: "État incertain de l'envoi", en: 'E-mail outcome uncertain' },
  'document.email_resend_requested': { fr: 'Nouvel envoi demandé', en: 'E-mail resend requested' },
  'document.email_marked_sent': { fr: 'Envoi marqué comme reçu', en: 'E-mail marked as sent' },
  'document.email_notice_dismissed': { fr: "Avis d'échec d'envoi lu", en: 'Failed e-mail notice dismissed' },
  'document.reminder_requested': { fr: 'Relance demandée', en: 'Reminder requested' },
  'document.reminder_cancelled': { fr: 'Relance annulée', en: 'Reminder cancelled' },
  'audit.exported': { fr: 'Journal des actions exporté', en: 'Activity log exported' },
} as const satisfies Record<string, Label>;

export type AuditAction = keyof typeof ACTION_LABELS;
export const AUDIT_ACTIONS = Object.keys(ACTION_LABELS) as AuditAction[];

export function isAuditAction(value: string): value is AuditAction {
  return Object.hasOwn(ACTION_LABELS, value);
}

/** The label of an action; an unknown code (written by a later version) is shown as it is. */
export function actionLabel(action: string, locale: Locale): string {
  return isAuditAction(action) ? ACTION_LABELS[action][locale] : action;
}

/** The action families, for the summary's columns: what an owner groups. */
export const ACTION_GROUPS: Record<string, Label> = {
  document: { fr: 'Documents', en: 'Documents' },
  payment: { fr: 'Paiements', en: 'Payments' },
  email: { fr: 'E-mails et relances', en: 'E-mails and reminders' },
  customer: { fr: 'Clients', en: 'Customers' },
  product: { fr: 'Articles', en: 'Items' },
  dossier: { fr: 'Dossier et réglages', en: 'Company file and settings' },
  team: { fr: 'Équipe', en: 'Team' },
  audit: { fr: 'Journal', en: 'Activity log' },
};

export function actionGroup(action: string): keyof typeof ACTION_GROUPS {
  if (action.startsWith('document.email') || action.startsWith('document.reminder')) return 'email';
  if (action.startsWith('document.') || action.startsWith('quote.')) return 'document';
  if (action.startsWith('payment.')) return 'payment';
  if (action.startsWith('customer.')) return 'customer';
  if (action.startsWith('product.')) return 'product';
  if (action.startsWith('member.') || action.startsWith('invitation.') || action.startsWith('profile.')) return 'team';
  if (action.startsWith('audit.')) return 'audit';
  return 'dossier';
}

const FIELD_LABELS: Record<string, Label> = {
  grossCents: { fr: 'montant TTC', en: 'amount incl. VAT' },
  netCents: { fr: 'montant HT', en: 'amount excl. VAT' },
  amountCents: { fr: 'montant', en: 'amount' },
  lineCount: { fr: 'nombre de lignes', en: 'number of lines' },
  customerId: { fr: 'client', en: 'customer' },
  issueDate: { fr: "date d'émission", en: 'issue date' },
  serviceDate: { fr: 'date de la prestation', en: 'service date' },
  validityDate: { fr: 'date de validité', en: 'valid until' },
  dueDate: { fr: "date d'échéance", en: 'due date' },
  paymentTerms: { fr: 'conditions de paiement', en: 'payment terms' },
  vatTreatment: { fr: 'régime de TVA', en: 'VAT treatment' },
  discount: { fr: 'remise', en: 'discount' },
  notes: { fr: 'notes', en: 'notes' },
  designation: { fr: 'désignation', en: 'designation' },
  description: { fr: 'description', en: 'description' },
  reference: { fr: 'référence', en: 'reference' },
  quantity: { fr: 'quantité', en: 'quantity' },
  unit: { fr: 'unité', en: 'unit' },
  unitPrice: { fr: 'prix unitaire HT', en: 'unit price excl. VAT' },
  vatRate: { fr: 'taux de TVA', en: 'VAT rate' },
  nature: { fr: 'nature', en: 'nature' },
  productId: { fr: 'article', en: 'item' },
  kind: { fr: 'type de ligne', en: 'line type' },
  name: { fr: 'nom', en: 'name' },
  email: { fr: 'e-mail', en: 'e-mail' },
  emails: { fr: 'e-mails', en: 'e-mails' },
  siren: { fr: 'SIREN', en: 'SIREN' },
  siret: { fr: 'SIRET', en: 'SIRET' },
  vatNumber: { fr: 'n° de TVA', en: 'VAT number' },
  legalName: { fr: 'raison sociale', en: 'legal name' },
  iban: { fr: 'IBAN', en: 'IBAN' },
  bic: { fr: 'BIC', en: 'BIC' },
  billingAddress: { fr: 'adresse de facturation', en: 'billing address' },
  address: { fr: 'adresse', en: 'address' },
  permissions: { fr: 'droits', en: 'permissions' },
  profile: { fr: 'profil', en: 'profile' },
  profileId: { fr: 'profil', en: 'profile' },
  createdDocumentId: { fr: 'document créé', en: 'document created' },
  sourceId: { fr: "document d'origine", en: 'source document' },
  correctsId: { fr: 'facture corrigée', en: 'corrected invoice' },
  number: { fr: 'numéro', en: 'number' },
  status: { fr: 'statut', en: 'status' },
  message: { fr: 'message', en: 'message' },
  method: { fr: 'moyen de paiement', en: 'payment method' },
  paidOn: { fr: 'date du paiement', en: 'payment date' },
  format: { fr: 'format', en: 'format' },
  rows: { fr: 'lignes exportées', en: 'rows exported' },
};

const LINE = /^lines\[(\d+)\](?:\.(\w+))?$/;

/** « ligne 2 : quantité », « client », or the key itself when it has no label. */
export function fieldLabel(field: string, locale: Locale): string {
  const line = LINE.exec(field);
  if (line) {
    const n = Number(line[1]) + 1;
    const prefix = locale === 'fr' ? `ligne ${n}` : `line ${n}`;
    return line[2] ? `${prefix} : ${FIELD_LABELS[line[2]]?.[locale] ?? line[2]}` : prefix;
  }
  return FIELD_LABELS[field]?.[locale] ?? field;
}

/** What the reader sees for a referenced record (a customer's name, a document's number). */
export type References = Readonly<Record<string, string>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ids a change refers to (fields named …Id), for the reader to resolve them in one query. */
export function referencedIds(changes: Record<string, { before: unknown; after: unknown }> | null): string[] {
  if (!changes) return [];
  const ids: string[] = [];
  for (const [field, change] of Object.entries(changes)) {
    if (!/Id$/.test(field)) continue;
    for (const v of [change.before, change.after]) if (typeof v === 'string' && UUID.test(v)) ids.push(v);
  }
  return ids;
}

/** A value as the reader expects it. `field` tells cents from other numbers and ids from text. */
export function formatValue(field: string, value: unknown, refs: References, locale: Locale): string {
  if (value === null || value === undefined || value === '') return '∅';
  const name = LINE.exec(field)?.[2] ?? field;
  if (/Cents$/.test(name) && typeof value === 'number') return formatEuros(value, locale);
  if (/Id$/.test(name) && typeof value === 'string') return refs[value] ?? (locale === 'fr' ? 'élément supprimé' : 'deleted record');
  if (typeof value === 'boolean') return value ? (locale === 'fr' ? 'oui' : 'yes') : locale === 'fr' ? 'non' : 'no';
  if (typeof value === 'string') {
    if (name === 'vatRate') return `${value.replace('.', locale === 'fr' ? ',' : '.')} %`;
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      const [y, m, d] = value.split('-');
      return locale === 'fr' ? `${d}/${m}/${y}` : value;
    }
    return value;
  }
  if (name === 'discount' && typeof value === 'object' && value && 'type' in value && 'value' in value) {
    const v = value as { type: string; value: string };
    return v.type === 'percent' ? `${v.value.replace('.', ',')} %` : `${v.value.replace('.', ',')} €`;
  }
  if (name === 'paymentTerms' && typeof value === 'object' && value && 'days' in value) {
    const v = value as { days: number; endOfMonth: boolean };
    return locale === 'fr' ? `${v.days} jours${v.endOfMonth ? ' fin de mois' : ''}` : `${v.days} days${v.endOfMonth ? ' end of month' : ''}`;
  }
  if (LINE.test(field) && typeof value === 'object' && value && 'designation' in value) return String((value as { designation: unknown }).designation);
  if (Array.isArray(value)) return value.map((v) => formatValue(name, v, refs, locale)).join(', ');
  return JSON.stringify(value);
}

export interface ChangeLine {
  field: string;
  label: string;
  before: string;
  after: string;
}

/**
 * The changes of an event as lines « ligne 2 : quantité 3 → 5 », in the order they were recorded.
 * Technical bookkeeping inside a change (e.g. a message's attempt counter) stays out.
 */
export function describeChanges(changes: Record<string, { before: unknown; after: unknown }> | null, refs: References, locale: Locale): ChangeLine[] {
  if (!changes) return [];
  // Stored as jsonb, the changes come back in no meaningful order: the record's fields, then its lines in order, then the amounts.
  const rank = (field: string): [number, number, string] => {
    const line = LINE.exec(field);
    if (line) return [1, Number(line[1]), line[2] ?? ''];
    return [/Cents$/.test(field) ? 2 : 0, 0, field];
  };
  const ordered = Object.entries(changes).sort(([a], [b]) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || ra[1] - rb[1] || (ra[2] < rb[2] ? -1 : ra[2] > rb[2] ? 1 : 0);
  });
  return ordered.map(([field, change]) => ({
    field,
    label: fieldLabel(field, locale),
    before: formatValue(field, change.before, refs, locale),
    after: formatValue(field, change.after, refs, locale),
  }));
}

export function documentTypeLabel(type: string | null, locale: Locale): string {
  return type && Object.hasOwn(DOCUMENT_TITLES, type) ? DOCUMENT_TITLES[type as DocumentType][locale] : '';
}
