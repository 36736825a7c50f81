/**
 * Customers: the request schemas (zod, French messages) and the rules across fields, shared by
 * the server and the web app's forms.
 */
import { z } from 'zod';
import { VAT_TREATMENTS } from './documents';
import { addressSchema } from './dossier';
import { compact, isValidSiren, isValidSiret, isValidVatNumber, VAT_NUMBER_INVALID, vatNumberMatchesSiren, vatNumberProblem } from './identifiers';
import { multilineText, text } from './text';

export const CUSTOMER_KINDS = ['company', 'individual'] as const;
export type CustomerKind = (typeof CUSTOMER_KINDS)[number];

export const CUSTOMER_SORTS = ['name', 'createdAt'] as const;
export const MAX_CUSTOMER_EMAILS = 10;

/** A message for an absent field; other type errors keep zod's (French) wording. */
const required = (message: string) => ({ error: (issue: { input: unknown }) => (issue.input === undefined ? message : undefined) });

/** Turns "" into null so a cleared field is stored as absent. */
const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v);

const identifier = (check: (v: string) => boolean, message: string | ((v: string) => string)) =>
  z.preprocess((v) => (typeof v === 'string' ? (v.trim() === '' ? null : compact(v)) : v), text().refine(check, typeof message === 'string' ? { message } : { error: (issue) => message(String(issue.input)) }).nullable());

const optionalText = (max: number) => z.preprocess(blankToNull, multilineText().max(max).nullable());

/** The billing address is printed on every invoice (CGI, annexe II, art. 242 nonies A): street, postcode and city are needed. */
const billingAddressSchema = z
  .object(addressSchema.shape, required("L'adresse de facturation est obligatoire."))
  .strict()
  .superRefine((a, ctx) => {
    if (!a.line1) ctx.addIssue({ code: 'custom', path: ['line1'], message: "L'adresse est obligatoire." });
    if (!a.postalCode) ctx.addIssue({ code: 'custom', path: ['postalCode'], message: 'Le code postal est obligatoire.' });
    if (!a.city) ctx.addIssue({ code: 'custom', path: ['city'], message: 'La ville est obligatoire.' });
  });

export const paymentTermsSchema = z
  .object({
    days: z.number().int('Un nombre entier de jours.').min(0, 'Délai de paiement entre 0 et 365 jours.').max(365, 'Délai de paiement entre 0 et 365 jours.'),
    endOfMonth: z.boolean(),
  })
  .strict();
export type PaymentTerms = z.infer<typeof paymentTermsSchema>;

const fields = {
  kind: z.enum(CUSTOMER_KINDS, required('Précisez s’il s’agit d’une entreprise ou d’un particulier.')),
  name: text(required('Le nom du client est obligatoire.')).min(1, 'Le nom du client est obligatoire.').max(200, 'Le nom fait 200 caractères au plus.'),
  siren: identifier(isValidSiren, 'SIREN invalide : 9 chiffres avec une clé de contrôle correcte.'),
  siret: identifier(isValidSiret, 'SIRET invalide : 14 chiffres avec une clé de contrôle correcte.'),
  vatNumber: identifier(isValidVatNumber, (v) => vatNumberProblem(v) ?? VAT_NUMBER_INVALID),
  deliveryAddress: addressSchema.nullable(),
  emails: z
    .array(text().pipe(z.email('Adresse e-mail invalide.').max(254, 'Adresse e-mail trop longue.')))
    .max(MAX_CUSTOMER_EMAILS, `${MAX_CUSTOMER_EMAILS} adresses e-mail au plus.`),
  /** null: the dossier's default payment terms apply. */
  paymentTerms: paymentTermsSchema.nullable(),
  vatTreatment: z.enum(VAT_TREATMENTS),
  /** Auxiliary account (compte auxiliaire) of the customer in the accounting export, e.g. 411DUPONT. */
  accountCode: z.preprocess(
    blankToNull,
    text().regex(/^[0-9A-Z]{1,17}$/, 'Compte auxiliaire invalide : 1 à 17 lettres majuscules ou chiffres, sans espace (ex. 411DUPONT).').nullable(),
  ),
  notes: optionalText(2000),
};

export const customerCreateSchema = z
  .object({
    kind: fields.kind,
    name: fields.name,
    siren: fields.siren.default(null),
    siret: fields.siret.default(null),
    vatNumber: fields.vatNumber.default(null),
    billingAddress: billingAddressSchema,
    deliveryAddress: fields.deliveryAddress.default(null),
    emails: fields.emails.default([]),
    paymentTerms: fields.paymentTerms.default(null),
    vatTreatment: fields.vatTreatment.default('normal'),
    accountCode: fields.accountCode.default(null),
    notes: fields.notes.default(null),
  })
  .strict();
export type CustomerCreate = z.infer<typeof customerCreateSchema>;

/** A change: any subset of the fields, with the version the client read (optimistic concurrency). */
export const customerUpdateSchema = z
  .object({
    version: z.number(required('La version lue est obligatoire.')).int().min(1),
    kind: fields.kind.optional(),
    name: fields.name.optional(),
    siren: fields.siren.optional(),
    siret: fields.siret.optional(),
    vatNumber: fields.vatNumber.optional(),
    billingAddress: billingAddressSchema.optional(),
    deliveryAddress: fields.deliveryAddress.optional(),
    emails: fields.emails.optional(),
    paymentTerms: fields.paymentTerms.optional(),
    vatTreatment: fields.vatTreatment.optional(),
    accountCode: fields.accountCode.optional(),
    notes: fields.notes.optional(),
  })
  .strict();
export type CustomerUpdate = z.infer<typeof customerUpdateSchema>;

/** A customer's editable fields (what create accepts, and what an update merges into). */
export type CustomerFields = CustomerCreate;

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const customerListQuerySchema = z
  .object({
    q: text().max(100).optional(),
    kind: z.enum(CUSTOMER_KINDS).optional(),
    archived: bool.default(false),
    sort: z.enum(CUSTOMER_SORTS).default('name'),
    order: z.enum(['asc', 'desc']).default('asc'),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100, '100 lignes par page au plus.').default(50),
  })
  .strict();
export type CustomerListQuery = z.infer<typeof customerListQuerySchema>;

/** Rules across fields, checked on the merged result of a creation or an update. French messages by field. */
export function customerConsistencyErrors(c: Pick<CustomerFields, 'siren' | 'siret' | 'vatNumber' | 'vatTreatment'>): Record<string, string> {
  const errors: Record<string, string> = {};
  if (c.siret && !c.siren) errors.siren = 'Renseignez le SIREN avant le SIRET.';
  if (c.siret && c.siren && !c.siret.startsWith(c.siren)) errors.siret = 'Le SIRET doit commencer par le SIREN du client.';
  if (c.vatNumber && c.siren && !vatNumberMatchesSiren(c.vatNumber, c.siren)) {
    errors.vatNumber = 'Le numéro de TVA ne correspond pas au SIREN du client.';
  }
  if (c.vatTreatment === 'reverse_charge' && !c.vatNumber) {
    errors.vatNumber = 'L’autoliquidation exige le numéro de TVA intracommunautaire du client.';
  }
  return errors;
}
