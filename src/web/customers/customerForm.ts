/**
 * The customer form's values (strings, as typed) ↔ the API's `CustomerInput`, checked with the
 * server's own zod schema and cross-field rules (src/core/customers.ts).
 */
import { customerConsistencyErrors, customerCreateSchema, type CustomerCreate, type CustomerKind } from '../../core/customers';
import type { VatTreatment } from '../../core/documents';
import type { Locale } from '../../core/errors';
import type { Address } from '../app/types';
import { translate } from '../i18n';
import type { Customer } from './types';

export interface AddressValues {
  line1: string;
  line2: string;
  postalCode: string;
  city: string;
  country: string;
}

export interface CustomerFormValues {
  kind: CustomerKind;
  name: string;
  siren: string;
  siret: string;
  vatNumber: string;
  billing: AddressValues;
  hasDelivery: boolean;
  delivery: AddressValues;
  /** Addresses separated by commas, semicolons or line breaks. */
  emails: string;
  customTerms: boolean;
  termsDays: string;
  termsEndOfMonth: boolean;
  vatTreatment: VatTreatment;
  accountCode: string;
  notes: string;
}

const blankAddress: AddressValues = { line1: '', line2: '', postalCode: '', city: '', country: 'FR' };

function addressValues(a: Address | null): AddressValues {
  return a ? { line1: a.line1, line2: a.line2 ?? '', postalCode: a.postalCode, city: a.city, country: a.country || 'FR' } : { ...blankAddress };
}

export function emptyCustomerValues(name = ''): CustomerFormValues {
  return {
    kind: 'company',
    name,
    siren: '',
    siret: '',
    vatNumber: '',
    billing: { ...blankAddress },
    hasDelivery: false,
    delivery: { ...blankAddress },
    emails: '',
    customTerms: false,
    termsDays: '30',
    termsEndOfMonth: false,
    vatTreatment: 'normal',
    accountCode: '',
    notes: '',
  };
}

export function customerValuesOf(c: Customer): CustomerFormValues {
  return {
    kind: c.kind,
    name: c.name,
    siren: c.siren ?? '',
    siret: c.siret ?? '',
    vatNumber: c.vatNumber ?? '',
    billing: addressValues(c.billingAddress),
    hasDelivery: c.deliveryAddress !== null,
    delivery: addressValues(c.deliveryAddress),
    emails: c.emails.join(', '),
    customTerms: c.paymentTerms !== null,
    termsDays: String(c.paymentTerms?.days ?? 30),
    termsEndOfMonth: c.paymentTerms?.endOfMonth ?? false,
    vatTreatment: c.vatTreatment,
    accountCode: c.accountCode ?? '',
    notes: c.notes ?? '',
  };
}

export function splitEmails(text: string): string[] {
  return text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A server or schema field path as the form shows it: every `emails.N` is the one e-mail field. */
export function formPath(path: string): string {
  return path.startsWith('emails.') ? 'emails' : path;
}

export type CustomerValidation = { ok: true; payload: CustomerCreate } | { ok: false; fields: Record<string, string> };

export function validateCustomer(v: CustomerFormValues, locale: Locale): CustomerValidation {
  const fields: Record<string, string> = {};
  let days: number | null = null;
  if (v.customTerms) {
    const n = Number(v.termsDays.trim());
    if (!/^\d{1,3}$/.test(v.termsDays.trim()) || n > 365) fields['paymentTerms.days'] = translate(locale, 'customers.termsDaysInvalid');
    else days = n;
  }
  const input = {
    kind: v.kind,
    name: v.name,
    siren: v.siren,
    siret: v.siret,
    vatNumber: v.vatNumber,
    billingAddress: { ...v.billing },
    deliveryAddress: v.hasDelivery ? { ...v.delivery } : null,
    emails: splitEmails(v.emails),
    paymentTerms: v.customTerms ? { days: days ?? 0, endOfMonth: v.termsEndOfMonth } : null,
    vatTreatment: v.vatTreatment,
    accountCode: v.accountCode.trim().toUpperCase(),
    notes: v.notes,
  };
  const parsed = customerCreateSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = formPath(issue.path.map(String).join('.'));
      if (fields[path]) continue;
      fields[path] = issue.code === 'too_big' && 'maximum' in issue ? translate(locale, 'validation.tooLong', { max: String(issue.maximum) }) : localizeCustomerMessage(issue.message, locale);
    }
  } else {
    for (const [path, message] of Object.entries(customerConsistencyErrors(parsed.data))) fields[path] ??= localizeCustomerMessage(message, locale);
  }
  if (v.hasDelivery) {
    if (!v.delivery.line1.trim()) fields['deliveryAddress.line1'] ??= translate(locale, 'customers.deliveryLine1Required');
    if (!v.delivery.postalCode.trim()) fields['deliveryAddress.postalCode'] ??= translate(locale, 'customers.postalCodeRequired');
    if (!v.delivery.city.trim()) fields['deliveryAddress.city'] ??= translate(locale, 'customers.cityRequired');
  }
  if (Object.keys(fields).length > 0 || !parsed.success) return { ok: false, fields };
  return { ok: true, payload: parsed.data };
}

/** The shared schema speaks French (it is the server's too); the known messages are translated here. */
const ENGLISH: Record<string, string> = {
  'Le nom du client est obligatoire.': "The customer's name is required.",
  'Le nom fait 200 caractères au plus.': 'The name is 200 characters at most.',
  'SIREN invalide : 9 chiffres avec une clé de contrôle correcte.': 'Invalid SIREN: 9 digits with a correct check digit.',
  'SIRET invalide : 14 chiffres avec une clé de contrôle correcte.': 'Invalid SIRET: 14 digits with a correct check digit.',
  'Numéro de TVA intracommunautaire invalide.': 'Invalid EU VAT number.',
  'Numéro de TVA invalide : la clé (les 2 chiffres après FR) ne correspond pas au SIREN qui la suit.': 'Invalid VAT number: the key (the 2 digits after FR) does not match the SIREN that follows it.',
  "L'adresse de facturation est obligatoire.": 'The billing address is required.',
  "L'adresse est obligatoire.": 'The street address is required.',
  'Le code postal est obligatoire.': 'The postcode is required.',
  'La ville est obligatoire.': 'The city is required.',
  'Adresse e-mail invalide.': 'Invalid e-mail address.',
  'Adresse e-mail trop longue.': 'E-mail address too long.',
  '10 adresses e-mail au plus.': '10 e-mail addresses at most.',
  'Délai de paiement entre 0 et 365 jours.': 'Payment terms between 0 and 365 days.',
  'Compte auxiliaire invalide : 1 à 17 lettres majuscules ou chiffres, sans espace (ex. 411DUPONT).':
    'Invalid auxiliary account: 1 to 17 capital letters or digits, no space (e.g. 411DUPONT).',
  'Renseignez le SIREN avant le SIRET.': 'Enter the SIREN before the SIRET.',
  'Le SIRET doit commencer par le SIREN du client.': "The SIRET must start with the customer's SIREN.",
  'Le numéro de TVA ne correspond pas au SIREN du client.': "The VAT number does not match the customer's SIREN.",
  'L’autoliquidation exige le numéro de TVA intracommunautaire du client.': "Reverse charge needs the customer's EU VAT number.",
};

export function localizeCustomerMessage(message: string, locale: Locale): string {
  return locale === 'en' ? (ENGLISH[message] ?? message) : message;
}
