import { describe, expect, it } from 'vitest';
import type { Dossier } from '../app/types';
import { centsToEuros, eurosToCents, formValuesOf, validateSettings, type SettingsFormValues } from './settingsForm';

const blankDossier: Dossier = {
  id: '00000000-0000-4000-8000-000000000001',
  legalName: 'Atelier Martin',
  legalForm: null,
  siren: null,
  siret: null,
  vatNumber: null,
  address: null,
  shareCapitalCents: null,
  rcsCity: null,
  vatRegime: 'normal',
  vatOnDebits: false,
  email: null,
  phone: null,
  iban: null,
  bic: null,
  logoUrl: null,
  plan: 'tpe_plus',
  extraSeats: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
};

function form(changes: Partial<SettingsFormValues>): SettingsFormValues {
  return { ...formValuesOf(blankDossier, 'fr'), ...changes };
}

describe('share capital in euros', () => {
  it('reads French and English amounts as cents', () => {
    expect(eurosToCents('1 500,50')).toBe(150050);
    expect(eurosToCents('1500.5')).toBe(150050);
    expect(eurosToCents('1\u202f000 €')).toBe(100000);
    expect(eurosToCents('0')).toBe(0);
    expect(eurosToCents('  ')).toBeNull();
  });

  it('refuses what is not an amount', () => {
    expect(eurosToCents('12,345')).toBeUndefined();
    expect(eurosToCents('-5')).toBeUndefined();
    expect(eurosToCents('abc')).toBeUndefined();
  });

  it('shows cents back with the locale decimal separator', () => {
    expect(centsToEuros(150050, 'fr')).toBe('1 500,50');
    expect(centsToEuros(150050, 'en')).toBe('1500.50');
    expect(centsToEuros(100000, 'fr')).toBe('1 000,00');
    expect(centsToEuros(12345678900, 'fr')).toBe('123 456 789,00');
    expect(centsToEuros(50, 'fr')).toBe('0,50');
    expect(centsToEuros(null, 'fr')).toBe('');
  });

  it('a share capital typed « 8 000,00 » comes back as « 8 000,00 », not « 8000 »', () => {
    for (const typed of ['8 000,00', '8\u00a0000,00']) {
      const cents = eurosToCents(typed);
      expect(cents).toBe(800_000);
      expect(centsToEuros(cents!, 'fr')).toBe('8 000,00');
      expect(eurosToCents(centsToEuros(cents!, 'en'))).toBe(800_000);
    }
  });
});

describe('validateSettings', () => {
  it('turns a valid form into the body of PATCH /settings, identifiers compacted', () => {
    const result = validateSettings(
      form({
        siren: '732 829 320',
        vatNumber: 'fr44 732 829 320',
        iban: 'FR76 3000 6000 0112 3456 7890 189',
        line1: '12 rue des Lilas',
        postalCode: '75011',
        city: 'Paris',
        shareCapital: '1 000,00',
        rcsCity: '',
      }),
      'fr',
    );
    expect(result).toEqual({
      ok: true,
      payload: expect.objectContaining({
        siren: '732829320',
        vatNumber: 'FR44732829320',
        iban: 'FR7630006000011234567890189',
        address: { line1: '12 rue des Lilas', line2: '', postalCode: '75011', city: 'Paris', country: 'FR' },
        shareCapitalCents: 100000,
        rcsCity: null,
        email: null,
      }),
    });
  });

  it('sends no address when every address field is blank', () => {
    const result = validateSettings(form({}), 'fr');
    expect(result.ok && result.payload.address).toBeNull();
  });

  it('reports the schema messages of src/core by field path', () => {
    const result = validateSettings(form({ siren: '123456789', iban: 'FR76 1234', postalCode: '75011', shareCapital: '12,345' }), 'fr');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fields).toMatchObject({
      siren: 'SIREN invalide : 9 chiffres avec une clé de contrôle correcte.',
      iban: 'IBAN invalide : la clé de contrôle ne correspond pas.',
      shareCapitalCents: expect.any(String),
      'address.line1': expect.any(String),
      'address.city': expect.any(String),
    });
  });

  it('applies the cross-field rules shared with the server', () => {
    const result = validateSettings(form({ siren: '732829320', vatNumber: 'FR44732829320', vatRegime: 'franchise', vatOnDebits: true, siret: '' }), 'fr');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.fields.vatOnDebits).toContain('franchise en base');
  });

  it('translates the known messages in English', () => {
    const result = validateSettings(form({ siren: '123' }), 'en');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.fields.siren).toBe('Invalid SIREN: 9 digits with a correct check digit.');
  });

  it('shows the legal defaults of payment terms and penalty rate, and sends what the user chose', () => {
    expect(formValuesOf(blankDossier, 'fr')).toMatchObject({ defaultPaymentDays: '30', latePenaltyRate: '12,15' });
    expect(formValuesOf({ ...blankDossier, latePenaltyRate: '10.5', defaultPaymentDays: 45 }, 'en')).toMatchObject({ defaultPaymentDays: '45', latePenaltyRate: '10.5' });
    const result = validateSettings(form({ defaultPaymentDays: '45', latePenaltyRate: '10,50' }), 'fr');
    expect(result.ok && result.payload).toMatchObject({ defaultPaymentDays: 45, latePenaltyRate: '10.5' });
  });

  it('refuses terms beyond the legal 60 days, a zero penalty rate, and what is not a number', () => {
    const result = validateSettings(form({ defaultPaymentDays: '90', latePenaltyRate: '0' }), 'fr');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fields.defaultPaymentDays).toBe('Le délai de paiement ne peut pas dépasser 60 jours à compter de la date de facture.');
    expect(result.fields.latePenaltyRate).toContain("trois fois le taux d'intérêt légal");
    const typos = validateSettings(form({ defaultPaymentDays: 'trente', latePenaltyRate: '12 %' }), 'en');
    expect(typos.ok).toBe(false);
    if (!typos.ok) expect(typos.fields).toEqual({ defaultPaymentDays: 'Enter a whole number of days, for example 30.', latePenaltyRate: 'Invalid penalty rate: a percentage such as 12.15.' });
  });
});
