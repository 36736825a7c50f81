import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frenchVatNumber, isValidBic, isValidIban, isValidSiren, isValidSiret, isValidVatNumber, vatNumberMatchesSiren, VAT_KEY_MISMATCH, VAT_NUMBER_INVALID, vatNumberProblem } from './identifiers';
import { customerCreateSchema } from './customers';
import { dossierSettingsUpdateSchema } from './dossier';

/** Completes 8 digits with the Luhn key that makes a valid SIREN. */
function withLuhnKey(body: string): string {
  for (let key = 0; key <= 9; key++) if (isValidSiren(body + key)) return body + key;
  throw new Error('unreachable');
}

describe('SIREN', () => {
  it.each(['732829320', '404833048', '552100554', '443061841'])('accepts the real SIREN %s', (s) => expect(isValidSiren(s)).toBe(true));
  it.each(['732829321', '73282932', '7328293200', 'ABCDEFGHI', ''])('refuses %s', (s) => expect(isValidSiren(s)).toBe(false));

  it('every 8-digit body has exactly one Luhn key', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{8}$/), (body) => {
        const keys = [...'0123456789'].filter((k) => isValidSiren(body + k));
        expect(keys).toHaveLength(1);
      }),
    );
  });

  it('detects any single-digit typo', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{8}$/), fc.nat(8), fc.integer({ min: 1, max: 9 }), (body, pos, delta) => {
        const siren = withLuhnKey(body);
        const typo = siren.slice(0, pos) + String((Number(siren[pos]) + delta) % 10) + siren.slice(pos + 1);
        expect(isValidSiren(typo)).toBe(false);
      }),
    );
  });
});

describe('SIRET', () => {
  it.each(['73282932000074', '40483304800022', '35600000049837'])('accepts %s', (s) => expect(isValidSiret(s)).toBe(true));
  it.each(['73282932000075', '7328293200007', '35600000049838'])('refuses %s', (s) => expect(isValidSiret(s)).toBe(false));
});

describe('intra-EU VAT number', () => {
  it('computes the French key from the SIREN', () => {
    expect(frenchVatNumber('732829320')).toBe('FR44732829320');
    expect(frenchVatNumber('404833048')).toBe('FR83404833048');
  });

  it('the computed number is always valid and matches its SIREN; any other key is refused', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{8}$/), fc.integer({ min: 1, max: 96 }), (body, shift) => {
        const siren = withLuhnKey(body);
        const vat = frenchVatNumber(siren);
        expect(isValidVatNumber(vat)).toBe(true);
        expect(vatNumberMatchesSiren(vat, siren)).toBe(true);
        const wrongKey = String((Number(vat.slice(2, 4)) + shift) % 97).padStart(2, '0');
        expect(isValidVatNumber(`FR${wrongKey}${siren}`)).toBe(false);
      }),
    );
  });

  it('checks other member states by shape', () => {
    expect(isValidVatNumber('DE123456789')).toBe(true);
    expect(isValidVatNumber('US123456789')).toBe(false);
  });
});

describe('IBAN and BIC', () => {
  it.each(['FR7630006000011234567890189', 'DE89370400440532013000', 'GB82WEST12345698765432', 'BE68539007547034'])('accepts %s', (i) => expect(isValidIban(i)).toBe(true));
  it.each(['FR7630006000011234567890188', 'FR763000600001123456789018', 'DE8937040044053201300'])('refuses %s', (i) => expect(isValidIban(i)).toBe(false));

  it('detects any single-character substitution in a valid IBAN', () => {
    const iban = 'FR7630006000011234567890189';
    fc.assert(
      fc.property(fc.integer({ min: 4, max: iban.length - 1 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const changed = iban.slice(0, pos) + String((Number(iban[pos]) + delta) % 10) + iban.slice(pos + 1);
        expect(isValidIban(changed)).toBe(false);
      }),
    );
  });

  it.each([['AGRIFRPP', true], ['AGRIFRPP882', true], ['AGRIFR', false], ['1GRIFRPP', false]] as const)('BIC %s → %s', (bic, ok) => expect(isValidBic(bic)).toBe(ok));
});

describe('a French VAT number whose key does not match its SIREN', () => {
  it('is refused saying so, on the dossier and on a customer, for every wrong key', () => {
    const siren = '732829320';
    const right = frenchVatNumber(siren);
    expect(vatNumberProblem(right)).toBeNull();
    expect(vatNumberProblem('FR123')).toBe(VAT_NUMBER_INVALID);
    for (let key = 0; key < 100; key++) {
      const number = `FR${String(key).padStart(2, '0')}${siren}`;
      if (number === right) continue;
      expect(vatNumberProblem(number)).toBe(VAT_KEY_MISMATCH);
      const dossier = dossierSettingsUpdateSchema.safeParse({ vatNumber: number });
      expect(dossier.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['vatNumber', VAT_KEY_MISMATCH]]);
      const customer = customerCreateSchema.safeParse({ kind: 'company', name: 'Client', vatNumber: number });
      expect(customer.error?.issues.find((i) => i.path.join('.') === 'vatNumber')?.message).toBe(VAT_KEY_MISMATCH);
    }
  });
});
