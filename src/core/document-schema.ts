/** What a document draft looks like on the wire: validated by the server, reused by the web editor. */
import { z } from 'zod';
import { formatDecimal, parseDecimal, pow10, readDecimal } from './decimal';
import { isIsoDate } from './dates';
import { DOCUMENT_TYPES, NATURES, PAYMENT_METHODS, VAT_TREATMENTS } from './documents';
import { multilineText, text } from './text';
import { RATE_SCALE } from './totals';

export const MAX_QUANTITY = 1_000_000;
export const MAX_UNIT_PRICE = 10_000_000;

/**
 * A non-negative decimal typed by a person, read as every decimal field reads it (readDecimal:
 * "5,5", "5.50", " 5,5 ", "1 000,5"), with at most `scale` decimals and at most `max` in value;
 * canonical on output ("5.5", "1000.5").
 */
export function decimalString(scale: number, max: number, label: string) {
  return text().transform((input, ctx) => {
    const fail = (message: string) => {
      ctx.issues.push({ code: 'custom', message, input });
      return z.NEVER;
    };
    const read = readDecimal(input);
    if (!read || read.negative) return fail(`${label} : nombre positif attendu.`);
    if (read.decimals.length > scale) return fail(`${label} : ${scale} décimale${scale > 1 ? 's' : ''} au plus.`);
    const value = parseDecimal(input, scale);
    if (value === null || value > BigInt(max) * pow10(scale)) return fail(`${label} : ${max.toLocaleString('fr-FR')} au plus.`);
    return formatDecimal(value, scale);
  });
}

export const VAT_RATE_INVALID = 'Taux de TVA invalide (ex. 20 ou 5,5).';

/** A VAT rate in percent, read like every decimal ("5,5", "5,50", "5.5"), at most 2 decimals; its canonical key on output ("5.5"). */
export const vatRateString = text().transform((input, ctx) => {
  const value = parseDecimal(input, RATE_SCALE);
  if (value === null || value < 0n || value > 100n * pow10(RATE_SCALE)) {
    ctx.issues.push({ code: 'custom', message: VAT_RATE_INVALID, input });
    return z.NEVER;
  }
  return formatDecimal(value, RATE_SCALE);
});

export const isoDate = text().refine(isIsoDate, { message: 'Date invalide (AAAA-MM-JJ).' });

export const discountSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('percent'), value: decimalString(2, 100, 'Remise (%)') }).strict(),
  z.object({ type: z.literal('amount'), value: decimalString(2, 100_000_000, 'Remise (€)') }).strict(),
]);

export const itemLineSchema = z
  .object({
    kind: z.literal('item'),
    productId: z.uuid().nullable().optional(),
    reference: text().max(50).nullable().optional(),
    designation: text().max(500).min(1, 'La désignation est obligatoire.'),
    description: multilineText().max(4000).nullable().optional(),
    unit: text().max(20).nullable().optional(),
    quantity: decimalString(3, MAX_QUANTITY, 'Quantité'),
    unitPrice: decimalString(4, MAX_UNIT_PRICE, 'Prix unitaire HT'),
    discount: discountSchema.nullable().optional(),
    vatRate: vatRateString,
    nature: z.enum(NATURES).default('service'),
  })
  .strict();

export const lineSchema = z.discriminatedUnion('kind', [
  itemLineSchema,
  z.object({ kind: z.literal('section'), designation: text().max(500).min(1, 'Le titre de section est vide.') }).strict(),
  z.object({ kind: z.literal('comment'), designation: multilineText().max(4000).min(1, 'Le commentaire est vide.') }).strict(),
]);
export type LineInput = z.infer<typeof lineSchema>;

export const paymentTermsSchema = z.object({ days: z.number().int().min(0).max(365), endOfMonth: z.boolean() }).strict();

const draftFields = {
  customerId: z.uuid().nullable().optional(),
  issueDate: isoDate.optional(),
  serviceDate: isoDate.nullable().optional(),
  validityDate: isoDate.nullable().optional(),
  paymentTerms: paymentTermsSchema.nullable().optional(),
  vatTreatment: z.enum(VAT_TREATMENTS).optional(),
  discount: discountSchema.nullable().optional(),
  notes: multilineText().max(4000).nullable().optional(),
  lines: z.array(lineSchema).max(2000, '2 000 lignes au plus.').optional(),
};

export const createDraftSchema = z
  .object({ type: z.enum(DOCUMENT_TYPES.filter((t) => t !== 'credit_note' && t !== 'deposit_invoice') as ['quote', 'invoice', 'pro_forma']), ...draftFields })
  .strict();
export type CreateDraftInput = z.infer<typeof createDraftSchema>;

export const updateDraftSchema = z.object({ version: z.number().int().min(1), ...draftFields }).strict();
export type UpdateDraftInput = z.infer<typeof updateDraftSchema>;

export const paymentSchema = z
  .object({
    paidOn: isoDate,
    amountCents: z.number().int().min(1, 'Le montant doit être positif.').max(1e13),
    method: z.enum(PAYMENT_METHODS),
    reference: text().max(100).nullable().optional(),
  })
  .strict();
export type PaymentInput = z.infer<typeof paymentSchema>;
