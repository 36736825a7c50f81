/**
 * French number and identifier formats for printed documents, from exact decimal strings (no
 * binary floating point): the same separators as `formatEuros` — U+202F between thousands,
 * U+00A0 before the unit.
 */
import { formatDecimal, parseDecimal } from '../../core/decimal';
import { formatDateFr } from '../../core/dates';
import { INDIVIDUAL_FORMS } from '../../core/dossier';
import type { Discount } from '../../core/totals';
import type { PartySnapshot } from '../../core/documents';
import { formatEuros } from '../../core/money';

export const NNBSP = '\u202f';
export const NBSP = '\u00a0';

function groupThousands(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, NNBSP);
}

/** "1234.5" → "1 234,5"; keeps at least `minDecimals` decimals and drops the zeros past them. */
export function formatNumberFr(value: string, scale: number, minDecimals = 0): string {
  const parsed = parseDecimal(value, scale);
  if (parsed === null) return value;
  const canonical = formatDecimal(parsed, scale);
  const negative = canonical.startsWith('-');
  const [int = '0', frac = ''] = (negative ? canonical.slice(1) : canonical).split('.');
  const decimals = frac.padEnd(minDecimals, '0');
  return `${negative ? '-' : ''}${groupThousands(int)}${decimals ? `,${decimals}` : ''}`;
}

/** Quantities: "1.500" → "1,5". */
export function formatQuantity(value: string | undefined): string {
  return value === undefined ? '' : formatNumberFr(value, 3);
}

/** Unit prices keep up to 4 decimals, at least 2: "12.3456" → "12,3456 €", "15" → "15,00 €". */
export function formatUnitPrice(value: string | undefined): string {
  return value === undefined ? '' : `${formatNumberFr(value, 4, 2)}${NBSP}€`;
}

/** VAT and penalty rates: "5.5" → "5,5 %". */
export function formatRate(value: string | undefined): string {
  return value === undefined ? '' : `${formatNumberFr(value, 2)}${NBSP}%`;
}

const EUROS_CACHE_LIMIT = 10_000;
const eurosCache = new Map<number, string>();

/**
 * `formatEuros`, remembered: it builds an Intl.NumberFormat on every call, which costs more than
 * drawing the amount. Bounded, so a long-running server does not grow it without end.
 */
export function euros(cents: number): string {
  let text = eurosCache.get(cents);
  if (text === undefined) {
    if (eurosCache.size >= EUROS_CACHE_LIMIT) eurosCache.clear();
    text = formatEuros(cents);
    eurosCache.set(cents, text);
  }
  return text;
}

/** A line discount as printed: "10 %" or the amount taken off. */
export function formatDiscount(discount: Discount | null | undefined, discountCents: number | undefined): string {
  if (!discount) return '';
  if (discount.type === 'percent') return formatRate(discount.value);
  return euros(discountCents ?? 0);
}

/** "123456789" → "123 456 789"; SIRET "12345678900012" → "123 456 789 00012". */
export function formatSiren(value: string): string {
  return value.length === 9 ? value.replace(/^(\d{3})(\d{3})(\d{3})$/, `$1${NBSP}$2${NBSP}$3`) : value;
}

export function formatSiret(value: string): string {
  return value.length === 14 ? `${formatSiren(value.slice(0, 9))}${NBSP}${value.slice(9)}` : value;
}

/** The name as printed: "EI" follows the name of an individual entrepreneur. */
export function displayName(party: Pick<PartySnapshot, 'name' | 'legalForm'>): string {
  const form = party.legalForm;
  if (form && INDIVIDUAL_FORMS.includes(form) && !/\b(EI|EIRL)$/.test(party.name.trim())) return `${party.name} ${form}`;
  return party.name;
}

export function formatDate(date: string): string {
  return formatDateFr(date);
}

/** "line1 / line2 / 75001 Paris / (country when not France)". */
export function addressLines(address: PartySnapshot['address']): string[] {
  if (!address) return [];
  const lines = [address.line1, address.line2].map((l) => l.trim()).filter(Boolean);
  const city = `${address.postalCode} ${address.city}`.trim();
  if (city) lines.push(city);
  if (address.country && address.country !== 'FR') lines.push(countryName(address.country));
  return lines;
}

const COUNTRIES = new Intl.DisplayNames(['fr'], { type: 'region' });

function countryName(code: string): string {
  try {
    return COUNTRIES.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

export function sameAddress(a: PartySnapshot['address'], b: PartySnapshot['address']): boolean {
  if (!a || !b) return a === b;
  const norm = (x: NonNullable<PartySnapshot['address']>) =>
    [x.line1, x.line2, x.postalCode, x.city, x.country].map((s) => s.trim().toLowerCase()).join('|');
  return norm(a) === norm(b);
}
