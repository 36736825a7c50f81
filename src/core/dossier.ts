import { z } from 'zod';
import { compact, isValidBic, isValidIban, isValidSiren, isValidSiret, isValidVatNumber, VAT_NUMBER_INVALID, vatNumberMatchesSiren, vatNumberProblem } from './identifiers';
import { formatDecimal, parseDecimal } from './decimal';
import { vatRateString } from './document-schema';
import { text } from './text';

export const LEGAL_FORMS = ['EI', 'EIRL', 'EURL', 'SARL', 'SASU', 'SAS', 'SA', 'SNC', 'SCI', 'SCOP', 'ASSOCIATION', 'AUTRE'] as const;
export type LegalForm = (typeof LEGAL_FORMS)[number];

export const VAT_REGIMES = ['normal', 'franchise'] as const;
export type VatRegime = (typeof VAT_REGIMES)[number];

/** Legal forms of an individual entrepreneur: "EI" is printed beside the name; no share capital. */
export const INDIVIDUAL_FORMS: readonly LegalForm[] = ['EI', 'EIRL'];

/**
 * Late-payment penalty rate of a new dossier, in percent: the legal default of Code de commerce
 * L441-10, the ECB's main refinancing rate (2.15 % since 11 June 2025) plus 10 points. A dossier
 * may choose another, but not less than three times the legal interest rate.
 */
export const DEFAULT_LATE_PENALTY_RATE = '12.15';
/** Payment terms of a new dossier, in days from the invoice date. */
export const DEFAULT_PAYMENT_DAYS = 30;
/** The legal maximum between professionals (L441-10): 60 days from the invoice date (or 45 days end of month). */
export const MAX_PAYMENT_DAYS = 60;

/** A rate in percent read like every decimal ("12,15", "12.15", " 12,150 "), stored without trailing zeros ("12.10" → "12.1"). */
const penaltyRate = text()
  .transform((input, ctx) => {
    const value = parseDecimal(input, 2);
    if (value === null || value < 0n || value >= 10_000n) {
      ctx.issues.push({ code: 'custom', message: 'Taux de pénalités invalide : un pourcentage comme 12,15.', input });
      return z.NEVER;
    }
    if (value === 0n) {
      ctx.issues.push({ code: 'custom', message: "Le taux des pénalités de retard ne peut pas être nul : au moins trois fois le taux d'intérêt légal.", input });
      return z.NEVER;
    }
    return formatDecimal(value, 2);
  })
  .optional();

const optionalText = (max: number) => text().max(max).nullable().optional();

/** Turns "" into null so a cleared field is stored as absent. */
const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v);

const identifier = (check: (v: string) => boolean, message: string | ((v: string) => string)) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? null : compact(v)) : v),
    text().refine(check, typeof message === 'string' ? { message } : { error: (issue) => message(String(issue.input)) }).nullable().optional(),
  );

export const addressSchema = z
  .object({
    line1: text().max(200),
    line2: text().max(200).default(''),
    postalCode: text().max(20),
    city: text().max(100),
    country: text().length(2).default('FR'),
  })
  .strict();
export type Address = z.infer<typeof addressSchema>;

/** The dossier's company details as edited on the settings page. Every field is optional on update. */
export const dossierSettingsSchema = z
  .object({
    legalName: text().min(1, 'La raison sociale est obligatoire.').max(200),
    legalForm: z.enum(LEGAL_FORMS).nullable().optional(),
    siren: identifier(isValidSiren, 'SIREN invalide : 9 chiffres avec une clé de contrôle correcte.'),
    siret: identifier(isValidSiret, 'SIRET invalide : 14 chiffres avec une clé de contrôle correcte.'),
    vatNumber: identifier(isValidVatNumber, (v) => vatNumberProblem(v) ?? VAT_NUMBER_INVALID),
    address: addressSchema.nullable().optional(),
    shareCapitalCents: z.number().int().min(0).max(1e15).nullable().optional(),
    rcsCity: optionalText(100),
    vatRegime: z.enum(VAT_REGIMES).optional(),
    vatOnDebits: z.boolean().optional(),
    email: z.preprocess(blankToNull, z.email('Adresse e-mail invalide.').max(254).nullable().optional()),
    phone: z.preprocess(blankToNull, text().max(30).regex(/^[+0-9 ().-]{6,30}$/, 'Numéro de téléphone invalide.').nullable().optional()),
    iban: identifier(isValidIban, 'IBAN invalide : la clé de contrôle ne correspond pas.'),
    bic: identifier(isValidBic, 'BIC invalide : 8 ou 11 caractères.'),
    /** The VAT rates offered on documents, in percent ("20", "5.5"): data, not constants (Corsica, DOM). */
    vatRates: z
      .array(vatRateString)
      .min(1, 'Au moins un taux de TVA.')
      .max(12)
      .optional(),
    latePenaltyRate: penaltyRate,
    defaultPaymentDays: z
      .number()
      .int('Délai de paiement invalide : un nombre entier de jours.')
      .min(0, 'Délai de paiement invalide : un nombre entier de jours.')
      .max(MAX_PAYMENT_DAYS, `Le délai de paiement ne peut pas dépasser ${MAX_PAYMENT_DAYS} jours à compter de la date de facture.`)
      .optional(),
  })
  .strict();

export const dossierSettingsUpdateSchema = dossierSettingsSchema.partial().strict();
export type DossierSettingsUpdate = z.infer<typeof dossierSettingsUpdateSchema>;

export interface DossierConsistencyInput {
  siren?: string | null;
  siret?: string | null;
  vatNumber?: string | null;
  vatRegime?: VatRegime;
  vatOnDebits?: boolean;
}

/** Rules across fields, checked on the merged result of an update. Returns French messages by field. */
export function dossierConsistencyErrors(d: DossierConsistencyInput): Record<string, string> {
  const errors: Record<string, string> = {};
  if (d.siret && d.siren && !d.siret.startsWith(d.siren)) {
    errors.siret = 'Le SIRET doit commencer par le SIREN du dossier.';
  }
  if (d.siret && !d.siren) errors.siren = 'Renseignez le SIREN avant le SIRET.';
  if (d.vatNumber && d.siren && !vatNumberMatchesSiren(d.vatNumber, d.siren)) {
    errors.vatNumber = 'Le numéro de TVA ne correspond pas au SIREN du dossier.';
  }
  if (d.vatRegime === 'franchise' && d.vatOnDebits) {
    errors.vatOnDebits = "L'option pour la TVA sur les débits ne s'applique pas en franchise en base.";
  }
  return errors;
}

export const LOGO_MAX_BYTES = 512 * 1024;
export const LOGO_TYPES = ['image/png', 'image/jpeg'] as const;
