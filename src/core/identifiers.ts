/** French and European business identifiers: pure checks, shared by the server and the web app. */

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function compact(value: string): string {
  return value.replace(/[\s.-]/g, '').toUpperCase();
}

/** SIREN: 9 digits, Luhn key. */
export function isValidSiren(value: string): boolean {
  return /^\d{9}$/.test(value) && luhnValid(value);
}

/** La Poste's establishments share one SIREN and use a digit-sum rule instead of Luhn. */
const LA_POSTE_SIREN = '356000000';

/** SIRET: 14 digits, SIREN + NIC, Luhn over the whole number (La Poste: digit sum multiple of 5). */
export function isValidSiret(value: string): boolean {
  if (!/^\d{14}$/.test(value)) return false;
  if (value.startsWith(LA_POSTE_SIREN) && value !== `${LA_POSTE_SIREN}00000`) {
    const sum = [...value].reduce((s, c) => s + Number(c), 0);
    return sum % 5 === 0;
  }
  return luhnValid(value);
}

/** The French intra-EU VAT number of a SIREN: FR + key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97. */
export function frenchVatNumber(siren: string): string {
  const key = (12 + 3 * (Number(siren) % 97)) % 97;
  return `FR${String(key).padStart(2, '0')}${siren}`;
}

/** An intra-EU VAT number: a French one is checked against its key; others by shape only. */
export function isValidVatNumber(value: string): boolean {
  if (value.startsWith('FR')) {
    const m = /^FR(\d{2})(\d{9})$/.exec(value);
    return m !== null && frenchVatNumber(m[2]!) === value;
  }
  return /^(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI)[0-9A-Z+*]{2,12}$/.test(value);
}

export const VAT_NUMBER_INVALID = 'Numéro de TVA intracommunautaire invalide.';
export const VAT_KEY_MISMATCH = 'Numéro de TVA invalide : la clé (les 2 chiffres après FR) ne correspond pas au SIREN qui la suit.';

/** Why an intra-EU VAT number is refused (a French one whose key does not match its SIREN is said so), or null. */
export function vatNumberProblem(value: string): string | null {
  if (isValidVatNumber(value)) return null;
  return /^FR\d{2}\d{9}$/.test(value) ? VAT_KEY_MISMATCH : VAT_NUMBER_INVALID;
}

/** A French VAT number matches the dossier's SIREN when its last 9 digits are that SIREN. */
export function vatNumberMatchesSiren(vatNumber: string, siren: string): boolean {
  return !vatNumber.startsWith('FR') || vatNumber.slice(4) === siren;
}

const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18,
  FR: 27, GB: 22, GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MT: 31, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27,
};

/** IBAN: country length and the ISO 13616 mod-97 check. */
export function isValidIban(value: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(value)) return false;
  const expected = IBAN_LENGTHS[value.slice(0, 2)];
  if (expected !== undefined && value.length !== expected) return false;
  const rearranged = value.slice(4) + value.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const part = code >= 65 ? String(code - 55) : ch;
    for (const d of part) remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/** BIC: 8 or 11 characters (bank, country, location, optional branch). */
export function isValidBic(value: string): boolean {
  return /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(value);
}

export function formatIban(value: string): string {
  return value.replace(/(.{4})/g, '$1 ').trim();
}
