/**
 * Catalogue products and services: request schemas (zod, French messages). Pure, like the
 * customers' schemas in core/customers.ts.
 */
import { z } from 'zod';
import { decimalPlaces, formatDecimal, parseDecimal, readDecimal } from './decimal';
import { vatRateString } from './document-schema';
import { NATURES, type Nature } from './documents';
import { PRICE_SCALE } from './totals';
import { multilineText, text } from './text';

export const PRODUCT_SORTS = ['reference', 'designation', 'unitPrice', 'createdAt'] as const;

/** The revenue account (compte de produits) used when a product names none. */
export const DEFAULT_REVENUE_ACCOUNTS: Record<Nature, string> = { service: '706000', goods: '707000' };

const required = (message: string) => ({ error: (issue: { input: unknown }) => (issue.input === undefined ? message : undefined) });
const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v);

/** An exact decimal price as text, read like every decimal ("12.5", "0.0125", "12,5", "1 200,50"), at most 4 decimals, never negative; canonical on output. */
export const unitPriceSchema = text({
  error: (issue) =>
    issue.input === undefined ? 'Le prix unitaire est obligatoire.' : 'Le prix unitaire s’écrit en texte (ex. "12.5"), pour rester exact.',
}).transform((price, ctx) => {
  const fail = (message: string) => {
    ctx.issues.push({ code: 'custom', message, input: price });
    return z.NEVER;
  };
  if (!readDecimal(price)) return fail('Prix unitaire invalide : un nombre comme 12.5 ou 0.0125.');
  if (decimalPlaces(price) > PRICE_SCALE) return fail(`Le prix unitaire a au plus ${PRICE_SCALE} décimales.`);
  const value = parseDecimal(price, PRICE_SCALE);
  if (value === null) return fail('Prix unitaire trop élevé.');
  if (value < 0n) return fail('Le prix unitaire ne peut pas être négatif.');
  return formatDecimal(value, PRICE_SCALE);
});

const fields = {
  reference: text(required('La référence est obligatoire.')).min(1, 'La référence est obligatoire.').max(50, 'La référence fait 50 caractères au plus.'),
  designation: text(required('La désignation est obligatoire.')).min(1, 'La désignation est obligatoire.').max(200, 'La désignation fait 200 caractères au plus.'),
  description: z.preprocess(blankToNull, multilineText().max(2000, 'La description fait 2000 caractères au plus.').nullable()),
  /** Free text; the web app suggests UNITS (core/documents.ts). */
  unit: text().min(1, 'L’unité est obligatoire.').max(20, 'L’unité fait 20 caractères au plus.'),
  unitPrice: unitPriceSchema,
  /** Checked against the dossier's rates by the server; canonical key ("5.5"). */
  vatRate: text(required('Le taux de TVA est obligatoire.')).pipe(vatRateString),
  nature: z.enum(NATURES, required('Précisez s’il s’agit d’un bien ou d’une prestation de services.')),
  /** null: the default account of the product's nature (706000 services, 707000 goods). */
  revenueAccount: z.preprocess(
    blankToNull,
    text().regex(/^7[0-9]{2,7}$/, 'Compte de produits invalide : 7 suivi de 2 à 7 chiffres (ex. 706000).').nullable(),
  ),
};

export const productCreateSchema = z
  .object({
    reference: fields.reference,
    designation: fields.designation,
    description: fields.description.default(null),
    unit: fields.unit.default('unité'),
    unitPrice: fields.unitPrice,
    vatRate: fields.vatRate,
    nature: fields.nature,
    revenueAccount: fields.revenueAccount.default(null),
  })
  .strict();
export type ProductCreate = z.infer<typeof productCreateSchema>;

/** A change: any subset of the fields, with the version the client read (optimistic concurrency). */
export const productUpdateSchema = z
  .object({
    version: z.number(required('La version lue est obligatoire.')).int().min(1),
    reference: fields.reference.optional(),
    designation: fields.designation.optional(),
    description: fields.description.optional(),
    unit: fields.unit.optional(),
    unitPrice: fields.unitPrice.optional(),
    vatRate: fields.vatRate.optional(),
    nature: fields.nature.optional(),
    revenueAccount: fields.revenueAccount.optional(),
  })
  .strict();
export type ProductUpdate = z.infer<typeof productUpdateSchema>;

export const productListQuerySchema = z
  .object({
    q: text().max(100).optional(),
    nature: z.enum(NATURES).optional(),
    archived: z.enum(['true', 'false']).transform((v) => v === 'true').default(false),
    sort: z.enum(PRODUCT_SORTS).default('reference'),
    order: z.enum(['asc', 'desc']).default('asc'),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100, '100 lignes par page au plus.').default(50),
  })
  .strict();
export type ProductListQuery = z.infer<typeof productListQuerySchema>;
