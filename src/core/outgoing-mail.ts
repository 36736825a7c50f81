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

export const MESSAGE_STATES = ['pending', 'sending', 'sent', 'retry', 'failed', 'uncertain'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

/** The values a template's placeholders take, for one document. */
export interface TemplateValues {
  type: DocumentType;
  number: string;
  grossCents: number;
  dueDate: string | null;
  validityDate: string | null;
  customer: string;
  company: string;
}

export const PLACEHOLDERS = ['type', 'numero', 'montant_ttc', 'echeance', 'client', 'entreprise'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export const PLACEHOLDER_LABELS: Record<Placeholder, { fr: string; en: string }> = {
  type: { fr: 'Type de pièce (« la facture », « le devis »…)', en: 'Document type' },
  numero: { fr: 'Numéro de la pièce', en: 'Document number' },
  montant_ttc: { fr: 'Montant TTC', en: 'Amount incl. VAT' },
  echeance: { fr: "Date d'échéance (ou de validité d'un devis)", en: 'Due date (or validity date of a quote)' },
  client: { fr: 'Nom du client', en: 'Customer name' },
  entreprise: { fr: 'Nom de votre entreprise', en: 'Your company name' },
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

/** The subject and body the dialog opens with, for a document. */
export function defaultMessage(values: TemplateValues): MailTemplate {
  const template = DEFAULT_TEMPLATES[values.type];
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
