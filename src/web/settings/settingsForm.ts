/**
 * The settings form's values (strings, as typed) ↔ the API's `DossierSettings`, validated with the
 * same zod schema and cross-field rules as the server (src/core/dossier.ts).
 */
import { DEFAULT_LATE_PENALTY_RATE, DEFAULT_PAYMENT_DAYS, dossierConsistencyErrors, dossierSettingsUpdateSchema, type DossierSettingsUpdate, type LegalForm, type VatRegime } from '../../core/dossier';
import { LEGAL_FORMS } from '../../core/dossier';
import { formatIban } from '../../core/identifiers';
import type { Locale } from '../../core/errors';
import type { Dossier } from '../app/types';
import { translate } from '../i18n';

export interface SettingsFormValues {
  legalName: string;
  legalForm: LegalForm | '';
  siren: string;
  siret: string;
  vatNumber: string;
  line1: string;
  line2: string;
  postalCode: string;
  city: string;
  country: string;
  shareCapital: string;
  rcsCity: string;
  vatRegime: VatRegime;
  vatOnDebits: boolean;
  email: string;
  phone: string;
  iban: string;
  bic: string;
  defaultPaymentDays: string;
  latePenaltyRate: string;
}

/** Form field → the API's field path, used for error messages and for `details.fields` from the server. */
export const FIELD_PATHS: Record<keyof SettingsFormValues, string> = {
  legalName: 'legalName',
  legalForm: 'legalForm',
  siren: 'siren',
  siret: 'siret',
  vatNumber: 'vatNumber',
  line1: 'address.line1',
  line2: 'address.line2',
  postalCode: 'address.postalCode',
  city: 'address.city',
  country: 'address.country',
  shareCapital: 'shareCapitalCents',
  rcsCity: 'rcsCity',
  vatRegime: 'vatRegime',
  vatOnDebits: 'vatOnDebits',
  email: 'email',
  phone: 'phone',
  iban: 'iban',
  bic: 'bic',
  defaultPaymentDays: 'defaultPaymentDays',
  latePenaltyRate: 'latePenaltyRate',
};

export function isLegalForm(value: string): value is LegalForm {
  return (LEGAL_FORMS as readonly string[]).includes(value);
}

/** Cents as the amount is typed back: "8 000,00" in French (spaces between thousands, as eurosToCents reads them), "8000.00" in English. */
export function centsToEuros(cents: number | null, locale: Locale): string {
  if (cents === null) return '';
  const euros = String(Math.floor(cents / 100));
  const rest = String(cents % 100).padStart(2, '0');
  return locale === 'fr' ? `${euros.replace(/\B(?=(\d{3})+$)/g, ' ')},${rest}` : `${euros}.${rest}`;
}

/** "1 500,50" or "1500.5" → 150050; `undefined` when it is not an amount. */
export function eurosToCents(text: string): number | null | undefined {
  const compact = text.replace(/[\s\u00a0\u202f]/g, '').replace(/€$/, '');
  if (compact === '') return null;
  const m = /^(\d{1,13})(?:[.,](\d{1,2}))?$/.exec(compact);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

export function formValuesOf(d: Dossier, locale: Locale): SettingsFormValues {
  return {
    legalName: d.legalName,
    legalForm: d.legalForm ?? '',
    siren: d.siren ?? '',
    siret: d.siret ?? '',
    vatNumber: d.vatNumber ?? '',
    line1: d.address?.line1 ?? '',
    line2: d.address?.line2 ?? '',
    postalCode: d.address?.postalCode ?? '',
    city: d.address?.city ?? '',
    country: d.address?.country ?? 'FR',
    shareCapital: centsToEuros(d.shareCapitalCents, locale),
    rcsCity: d.rcsCity ?? '',
    vatRegime: d.vatRegime,
    vatOnDebits: d.vatOnDebits,
    email: d.email ?? '',
    phone: d.phone ?? '',
    iban: d.iban ? formatIban(d.iban) : '',
    bic: d.bic ?? '',
    defaultPaymentDays: String(d.defaultPaymentDays ?? DEFAULT_PAYMENT_DAYS),
    latePenaltyRate: (d.latePenaltyRate ?? DEFAULT_LATE_PENALTY_RATE).replace('.', locale === 'fr' ? ',' : '.'),
  };
}

export type Validation = { ok: true; payload: DossierSettingsUpdate } | { ok: false; fields: Record<string, string> };

/** Checks the form as the server will, and returns the body of `PATCH /settings` or the errors by field path. */
export function validateSettings(v: SettingsFormValues, locale: Locale): Validation {
  const fields: Record<string, string> = {};
  const shareCapitalCents = eurosToCents(v.shareCapital);
  if (shareCapitalCents === undefined) fields.shareCapitalCents = translate(locale, 'settings.capitalInvalid');

  const addressBlank = [v.line1, v.line2, v.postalCode, v.city].every((s) => s.trim() === '');
  if (!addressBlank) {
    if (!v.line1.trim()) fields['address.line1'] = translate(locale, 'settings.addressLine1Required');
    if (!v.postalCode.trim()) fields['address.postalCode'] = translate(locale, 'settings.postalCodeRequired');
    if (!v.city.trim()) fields['address.city'] = translate(locale, 'settings.cityRequired');
  }

  const days = v.defaultPaymentDays.trim();
  if (!/^\d{1,3}$/.test(days)) fields.defaultPaymentDays = translate(locale, 'settings.paymentDaysInvalid');

  const input = {
    legalName: v.legalName,
    legalForm: v.legalForm === '' ? null : v.legalForm,
    siren: v.siren,
    siret: v.siret,
    vatNumber: v.vatNumber,
    address: addressBlank ? null : { line1: v.line1, line2: v.line2, postalCode: v.postalCode, city: v.city, country: v.country },
    shareCapitalCents: shareCapitalCents ?? null,
    rcsCity: v.rcsCity.trim() === '' ? null : v.rcsCity,
    vatRegime: v.vatRegime,
    vatOnDebits: v.vatOnDebits,
    email: v.email,
    phone: v.phone,
    iban: v.iban,
    bic: v.bic,
    defaultPaymentDays: /^\d{1,3}$/.test(days) ? Number(days) : undefined,
    latePenaltyRate: v.latePenaltyRate,
  };

  const parsed = dossierSettingsUpdateSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.');
      if (fields[path]) continue;
      fields[path] =
        issue.code === 'too_big' && issue.origin === 'string' ? translate(locale, 'validation.tooLong', { max: String(issue.maximum) }) : localizeFieldMessage(issue.message, locale);
    }
  } else {
    for (const [path, message] of Object.entries(dossierConsistencyErrors(parsed.data))) {
      fields[path] ??= localizeFieldMessage(message, locale);
    }
  }
  if (Object.keys(fields).length > 0 || !parsed.success) return { ok: false, fields };
  return { ok: true, payload: parsed.data };
}

/**
 * The schema's messages are French (they are the server's too). In English, the known ones are
 * translated here; anything else is shown as it came.
 */
const ENGLISH: Record<string, string> = {
  'La raison sociale est obligatoire.': 'The company name is required.',
  'SIREN invalide : 9 chiffres avec une clé de contrôle correcte.': 'Invalid SIREN: 9 digits with a correct check digit.',
  'SIRET invalide : 14 chiffres avec une clé de contrôle correcte.': 'Invalid SIRET: 14 digits with a correct check digit.',
  'Numéro de TVA intracommunautaire invalide.': 'Invalid EU VAT number.',
  'Numéro de TVA invalide : la clé (les 2 chiffres après FR) ne correspond pas au SIREN qui la suit.': 'Invalid VAT number: the key (the 2 digits after FR) does not match the SIREN that follows it.',
  'Adresse e-mail invalide.': 'Invalid e-mail address.',
  'Numéro de téléphone invalide.': 'Invalid phone number.',
  'IBAN invalide : la clé de contrôle ne correspond pas.': 'Invalid IBAN: the check digits do not match.',
  'BIC invalide : 8 ou 11 caractères.': 'Invalid BIC: 8 or 11 characters.',
  'Le SIRET doit commencer par le SIREN du dossier.': "The SIRET must start with the dossier's SIREN.",
  'Renseignez le SIREN avant le SIRET.': 'Enter the SIREN before the SIRET.',
  'Le numéro de TVA ne correspond pas au SIREN du dossier.': "The VAT number does not match the dossier's SIREN.",
  "L'option pour la TVA sur les débits ne s'applique pas en franchise en base.": 'The VAT-on-debits option does not apply under the VAT exemption (franchise en base).',
  'Taux de pénalités invalide : un pourcentage comme 12,15.': 'Invalid penalty rate: a percentage such as 12.15.',
  "Le taux des pénalités de retard ne peut pas être nul : au moins trois fois le taux d'intérêt légal.": 'The late-payment penalty rate cannot be zero: at least three times the legal interest rate.',
  'Délai de paiement invalide : un nombre entier de jours.': 'Invalid payment terms: a whole number of days.',
  'Le délai de paiement ne peut pas dépasser 60 jours à compter de la date de facture.': 'Payment terms cannot exceed 60 days from the invoice date.',
};

export function localizeFieldMessage(message: string, locale: Locale): string {
  return locale === 'en' ? (ENGLISH[message] ?? message) : message;
}
