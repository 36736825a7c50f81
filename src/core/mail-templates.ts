/**
 * A dossier's e-mail templates as Paramètres › Modèles d'e-mails edits them: what a saved template
 * may hold (validated the same way in the browser and at the API's edge), the name of each kind,
 * and the sample invoice its preview is filled with.
 */
import { z } from 'zod';
import type { DocumentType } from './documents';
import { MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH, PLACEHOLDERS, TEMPLATE_KINDS, unknownPlaceholders, type MailTemplate, type TemplateKind, type TemplateValues } from './outgoing-mail';
import { multilineText, text } from './text';

export const TEMPLATE_KIND_LABELS: Record<TemplateKind, { fr: string; en: string }> = {
  quote: { fr: 'Devis', en: 'Quote' },
  invoice: { fr: 'Facture', en: 'Invoice' },
  deposit_invoice: { fr: "Facture d'acompte", en: 'Deposit invoice' },
  credit_note: { fr: 'Avoir', en: 'Credit note' },
  pro_forma: { fr: 'Pro forma', en: 'Pro forma' },
  reminder_1: { fr: 'Relance 1 — courtoise', en: 'Reminder 1 — courteous' },
  reminder_2: { fr: 'Relance 2 — ferme', en: 'Reminder 2 — firm' },
  reminder_3: { fr: 'Relance 3 — mise en demeure', en: 'Reminder 3 — formal notice' },
};

export function isTemplateKind(value: string): value is TemplateKind {
  return (TEMPLATE_KINDS as readonly string[]).includes(value);
}

const ALL_PLACEHOLDERS = PLACEHOLDERS.map((p) => `{${p}}`).join(', ');

/** Why a template's text names placeholders that do not exist (they would be sent as typed), or null. */
export function unknownPlaceholderMessage(template: string): string | null {
  const unknown = unknownPlaceholders(template);
  if (unknown.length === 0) return null;
  const named = unknown.map((n) => `{${n}}`).join(', ');
  return `${unknown.length === 1 ? 'Variable inconnue' : 'Variables inconnues'} : ${named}. Variables possibles : ${ALL_PLACEHOLDERS}.`;
}

export const templateKindSchema = z.enum(TEMPLATE_KINDS as [TemplateKind, ...TemplateKind[]], { message: `Modèle inconnu. Modèles possibles : ${TEMPLATE_KINDS.join(', ')}.` });

/** A template as saved: a single-line subject (no CR/LF), a body, and only known placeholders in either. */
export const mailTemplateSchema = z
  .object({
    subject: text().min(1, "Indiquez l'objet du message.").max(MAX_SUBJECT_LENGTH, `L'objet ne peut dépasser ${MAX_SUBJECT_LENGTH} caractères.`),
    body: multilineText()
      .min(1, 'Le message est vide.')
      .max(MAX_BODY_LENGTH, `Le message ne peut dépasser ${MAX_BODY_LENGTH.toLocaleString('fr-FR')} caractères.`),
  })
  .strict()
  .superRefine((value, ctx) => {
    for (const field of ['subject', 'body'] as const) {
      const message = unknownPlaceholderMessage(value[field]);
      if (message) ctx.addIssue({ code: 'custom', path: [field], message });
    }
  });

export type MailTemplateInput = z.input<typeof mailTemplateSchema>;

/** One kind as the API answers it: the text in use, whether the dossier edited it, and the default. */
export interface MailTemplateJson extends MailTemplate {
  kind: TemplateKind;
  custom: boolean;
  default: MailTemplate;
  updatedAt: string | null;
}

/**
 * What the editor's preview is filled with: a plausible invoice of the dossier (its real name and
 * bank details), its reminders 12 days late.
 */
export function sampleValues(kind: TemplateKind, dossier: { legalName: string; iban: string | null; bic: string | null }): TemplateValues {
  const type: DocumentType = kind.startsWith('reminder_') ? 'invoice' : (kind as DocumentType);
  const prefix = { quote: 'D', invoice: 'F', deposit_invoice: 'FA', credit_note: 'AV', pro_forma: 'PF' }[type];
  return {
    type,
    number: `${prefix}-2026-0042`,
    grossCents: 123_456,
    dueDate: '2026-03-31',
    validityDate: '2026-03-31',
    customer: 'Boulangerie Renard',
    company: dossier.legalName,
    iban: dossier.iban,
    bic: dossier.bic,
    amountDueCents: kind.startsWith('reminder_') ? 83_456 : 123_456,
    daysOverdue: kind.startsWith('reminder_') ? 12 : 0,
  };
}
