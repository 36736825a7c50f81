import type { Locale } from './errors';

const FORMATTERS: Record<Locale, Intl.NumberFormat> = {
  fr: new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }),
  en: new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }),
};

/** Formats cents as euros in the French (or English) way: 1 234,56 € — with a narrow no-break space. */
export function formatEuros(cents: number, locale: Locale = 'fr'): string {
  return FORMATTERS[locale].format(cents / 100);
}

/** Cents as a plain decimal string with two decimals: 123456 → "1234.56" (for XML, CSV, FEC builders). */
export function centsToDecimal(cents: number, separator = '.'): string {
  const negative = cents < 0;
  const abs = Math.abs(cents);
  return `${negative ? '-' : ''}${Math.trunc(abs / 100)}${separator}${String(abs % 100).padStart(2, '0')}`;
}
