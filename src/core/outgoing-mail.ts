/**
 * Sending a document by e-mail: what the dialog sends (validated the same way in the browser and
 * at the API's edge), the default French templates per document type, and their placeholders.
 * The templates are plain text with `{placeholder}` marks; the same function fills them for the
 * dialog's preview and for any later use, so that what is previewed is what is sent.
 */
import { z } from 'zod';
import { DOCUMENT_TITLES, type DocumentType } from './documents';
import { formatDateFr } from './dates';
import { formatEuros } from './money';
import { multilineText, text } from './text';

export const MAX_RECIPIENTS = 20;
export const MAX_BODY_LENGTH = 20_000;
export const MAX_SUBJECT_LENGTH = 250;

/** One address: single-line text (no CR/LF, so no header can be injected), a valid e-mail. */
export const emailAddress = text()
  .min(1, 'Adresse e-mail vide.')
  .max(254, 'Adresse e-mail trop longue.')
  .pipe(z.email('Adresse e-mail invalide.'));

const addressList = z.array(emailAddress).max(MAX_RECIPIENTS, `Au plus ${MAX_RECIPIENTS} destinataires.`);

export const sendMessageSchema = z
  .object({
    to: addressList.min(1, 'Indiquez au moins un destinataire.'),
    cc: addressList.default([]),
    bcc: addressList.default([]),
    subject: text().min(1, "Indiquez l'objet du message.").max(MAX_SUBJECT_LENGTH, `L'objet ne peut dépasser ${MAX_SUBJECT_LENGTH} caractères.`),
    body: multilineText()
      .min(1, 'Le message est vide.')
      .max(MAX_BODY_LENGTH, `Le message ne peut dépasser ${MAX_BODY_LENGTH.toLocaleString('fr-FR')} caractères.`),
    /** Chosen when the dialog opens: a second click (or a retried request) sends nothing more. */
    idempotencyKey: text().regex(/^[A-Za-z0-9_-]{8,64}$/, 'Clé de requête invalide.'),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.to.length + value.cc.length + value.bcc.length > MAX_RECIPIENTS) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `Au plus ${MAX_RECIPIENTS} destinataires au total (à, cc et cci).` });
    }
  });

export type SendMessageInput = z.input<typeof sendMessageSchema>;

export const MESSAGE_STATES = ['pending', 'sending', 'sent', 'retry', 'failed', 'uncertain', 'cancelled'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

/**
 * The state filter of the « Envois » page, and the states each choice covers (a message being
 * handed over to the server is still « en attente » to the person reading the list).
 */
export const MESSAGE_FILTERS = {
  pending: ['pending', 'sending'],
  sent: ['sent'],
  retry: ['retry'],
  failed: ['failed'],
  uncertain: ['uncertain'],
  cancelled: ['cancelled'],
} as const satisfies Record<string, readonly MessageState[]>;
export type MessageFilter = keyof typeof MESSAGE_FILTERS;

/** The states that show a notice to the message's sender until they dismiss it. */
export const NOTICE_STATES = ['failed', 'uncertain'] as const satisfies readonly MessageState[];

/** The values a template's placeholders take, for one document. */
export interface TemplateValues {
  type: DocumentType;
  number: string;
  grossCents: number;
  dueDate: string | null;
  validityDate: string | null;
  customer: string;
  company: string;
  /** The dossier's bank details, printed on its invoices; empty when not set. */
  iban?: string | null;
  bic?: string | null;
  /** What remains to be paid (reminders); the gross amount when absent. */
  amountDueCents?: number;
  /** Days past the due date (reminders); 0 when absent. */
  daysOverdue?: number;
}

export const PLACEHOLDERS = ['type', 'numero', 'montant_ttc', 'echeance', 'client', 'entreprise', 'iban', 'bic', 'reste_du', 'jours_retard'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export const PLACEHOLDER_LABELS: Record<Placeholder, { fr: string; en: string }> = {
  type: { fr: 'Type de pièce (« la facture », « le devis »…)', en: 'Document type' },
  numero: { fr: 'Numéro de la pièce', en: 'Document number' },
  montant_ttc: { fr: 'Montant TTC', en: 'Amount incl. VAT' },
  echeance: { fr: "Date d'échéance (ou de validité d'un devis)", en: 'Due date (or validity date of a quote)' },
  client: { fr: 'Nom du client', en: 'Customer name' },
  entreprise: { fr: 'Nom de votre entreprise', en: 'Your company name' },
  iban: { fr: 'IBAN de votre entreprise (Paramètres)', en: "Your company's IBAN (Settings)" },
  bic: { fr: 'BIC de votre entreprise (Paramètres)', en: "Your company's BIC (Settings)" },
  reste_du: { fr: 'Reste à payer TTC (relances)', en: 'Amount still due incl. VAT (reminders)' },
  jours_retard: { fr: 'Jours de retard (relances)', en: 'Days overdue (reminders)' },
};

/** « la facture », « l'avoir », « le devis »: the document named with its article, for the templates. */
const WITH_ARTICLE: Record<DocumentType, string> = {
  quote: 'le devis',
  invoice: 'la facture',
  deposit_invoice: "la facture d'acompte",
  credit_note: "l'avoir",
  pro_forma: 'la facture pro forma',
};

export interface MailTemplate {
  subject: string;
  body: string;
}

const SIGNATURE = '\n\nBien cordialement,\n{entreprise}';

export const DEFAULT_TEMPLATES: Record<DocumentType, MailTemplate> = {
  quote: {
    subject: 'Devis {numero} — {entreprise}',
    body: 'Bonjour,\n\nVeuillez trouver ci-joint notre devis {numero} d\'un montant de {montant_ttc} TTC, valable jusqu\'au {echeance}.\n\nNous restons à votre disposition pour toute question et vous remercions de votre confiance.' + SIGNATURE,
  },
  invoice: {
    subject: 'Facture {numero} — {entreprise}',
    body: 'Bonjour,\n\nVeuillez trouver ci-joint notre facture {numero} d\'un montant de {montant_ttc} TTC, à régler au plus tard le {echeance}.\n\nNous vous remercions de votre confiance.' + SIGNATURE,
  },
  deposit_invoice: {
    subject: "Facture d'acompte {numero} — {entreprise}",
    body: "Bonjour,\n\nVeuillez trouver ci-joint notre facture d'acompte {numero} d'un montant de {montant_ttc} TTC, à régler au plus tard le {echeance}.\n\nNous vous remercions de votre confiance." + SIGNATURE,
  },
  credit_note: {
    subject: 'Avoir {numero} — {entreprise}',
    body: "Bonjour,\n\nVeuillez trouver ci-joint notre avoir {numero} d'un montant de {montant_ttc} TTC.\n\nNous restons à votre disposition pour toute question." + SIGNATURE,
  },
  pro_forma: {
    subject: 'Facture pro forma {numero} — {entreprise}',
    body: 'Bonjour,\n\nVeuillez trouver ci-joint notre facture pro forma {numero} d\'un montant de {montant_ttc} TTC.\n\nNous restons à votre disposition pour toute question.' + SIGNATURE,
  },
};

/**
 * Payment reminders (*relances*): three levels, each sent at most once per invoice, a number of
 * days after the due date (the dossier's reminder plan may change the days; these are the defaults).
 */
export const REMINDER_LEVELS = [1, 2, 3] as const;
export type ReminderLevel = (typeof REMINDER_LEVELS)[number];

export const DEFAULT_REMINDER_DAYS: Record<ReminderLevel, number> = { 1: 7, 2: 30, 3: 45 };

export const REMINDER_LEVEL_LABELS: Record<ReminderLevel, { fr: string; en: string }> = {
  1: { fr: 'Relance courtoise', en: 'Courteous reminder' },
  2: { fr: 'Relance ferme', en: 'Firm reminder' },
  3: { fr: 'Mise en demeure', en: 'Formal notice' },
};

/** What a template is for: sending one type of document, or one level of reminder. */
export type TemplateKind = DocumentType | `reminder_${ReminderLevel}`;
export const TEMPLATE_KINDS: readonly TemplateKind[] = ['quote', 'invoice', 'deposit_invoice', 'credit_note', 'pro_forma', 'reminder_1', 'reminder_2', 'reminder_3'];

const BANK = "\n\nRèglement par virement : IBAN {iban} — BIC {bic}, en indiquant la référence {numero}.";

export const DEFAULT_REMINDER_TEMPLATES: Record<ReminderLevel, MailTemplate> = {
  1: {
    subject: 'Rappel : facture {numero} — {entreprise}',
    body:
      "Bonjour,\n\nSauf erreur de notre part, la facture {numero} d'un montant de {montant_ttc} TTC, arrivée à échéance le {echeance}, reste impayée : {reste_du} TTC restent dus.\n\nSi votre règlement est déjà parti, merci de ne pas tenir compte de ce message. Vous trouverez la facture ci-jointe." +
      BANK +
      SIGNATURE,
  },
  2: {
    subject: 'Deuxième rappel : facture {numero} impayée — {entreprise}',
    body:
      "Bonjour,\n\nMalgré notre précédent rappel, la facture {numero}, échue le {echeance}, reste impayée depuis {jours_retard} jours : {reste_du} TTC restent dus.\n\nNous vous remercions de procéder à son règlement sous huit jours. Conformément à nos conditions, des pénalités de retard et l'indemnité forfaitaire de 40 € pour frais de recouvrement sont exigibles." +
      BANK +
      SIGNATURE,
  },
  3: {
    subject: 'Mise en demeure de payer : facture {numero} — {entreprise}',
    body:
      "Madame, Monsieur,\n\nMalgré nos relances, la facture {numero} d'un montant de {montant_ttc} TTC, échue le {echeance}, demeure impayée : {reste_du} TTC restent dus à ce jour.\n\nPar la présente, nous vous mettons en demeure de régler cette somme sous quinze jours à compter de la réception de ce message, majorée des pénalités de retard et de l'indemnité forfaitaire de 40 € pour frais de recouvrement (articles L441-10 et D441-5 du code de commerce). À défaut, nous engagerons la procédure de recouvrement.\n\nLa facture est jointe à ce message." +
      BANK +
      SIGNATURE,
  },
};

/** The default template of a kind. */
export function defaultTemplate(kind: TemplateKind): MailTemplate {
  if (kind.startsWith('reminder_')) return DEFAULT_REMINDER_TEMPLATES[Number(kind.slice('reminder_'.length)) as ReminderLevel];
  return DEFAULT_TEMPLATES[kind as DocumentType];
}

/** The text each placeholder stands for. */
export function placeholderValues(values: TemplateValues): Record<Placeholder, string> {
  const date = values.type === 'quote' ? values.validityDate : values.dueDate;
  return {
    type: WITH_ARTICLE[values.type],
    numero: values.number,
    montant_ttc: formatEuros(values.grossCents),
    echeance: date ? formatDateFr(date) : 'réception',
    client: values.customer,
    entreprise: values.company,
    iban: values.iban ?? '',
    bic: values.bic ?? '',
    reste_du: formatEuros(values.amountDueCents ?? values.grossCents),
    jours_retard: String(values.daysOverdue ?? 0),
  };
}

/** The placeholders a template names that do not exist (a template with one is refused). */
export function unknownPlaceholders(template: string): string[] {
  const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  return [...new Set(names.filter((n) => !(PLACEHOLDERS as readonly string[]).includes(n)))];
}

/** A template with its placeholders filled; an unknown mark is left as written. */
export function fillTemplate(template: string, values: TemplateValues): string {
  const filled = placeholderValues(values);
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => ((PLACEHOLDERS as readonly string[]).includes(name) ? filled[name as Placeholder] : whole));
}

/** A template's subject and body filled for a document: what the send dialog opens with (the dossier's template of the document's type). */
export function fillMessage(template: MailTemplate, values: TemplateValues): MailTemplate {
  return { subject: fillTemplate(template.subject, values), body: fillTemplate(template.body, values) };
}

/** The attached PDF's file name: the document's number, as its download names it. */
export function attachmentName(number: string): string {
  return `${number}.pdf`;
}

/** The e-mail's title of a document in a summary (« Facture F-2026-0001 »). */
export function documentLabel(type: DocumentType, number: string): string {
  return `${DOCUMENT_TITLES[type].fr} ${number}`;
}
