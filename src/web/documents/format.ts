/** Display and input helpers for amounts, decimals and dates on the invoicing screens. */
import { parseDecimal } from '../../core/decimal';
import type { Locale } from '../../core/errors';
import { formatEuros } from '../../core/money';
import type { Discount } from '../../core/totals';

export { formatEuros };

/** A decimal string from the API ("12.5") as the user reads and types it ("12,5" in French). */
export function decimalForInput(value: string | null | undefined, locale: Locale): string {
  if (value === null || value === undefined) return '';
  return locale === 'fr' ? value.replace('.', ',') : value;
}

/** A decimal string for display with grouping: "1234.5" → "1 234,5". Falls back to the text itself. */
export function formatDecimalText(value: string, locale: Locale, minDecimals = 0): string {
  const n = Number(value.replace(',', '.'));
  if (!Number.isFinite(n)) return value;
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { minimumFractionDigits: minDecimals, maximumFractionDigits: 4 }).format(n);
}

/** A unit price (decimal euros, up to 4 decimals) as money: "35.5" → "35,50 €", "0.0125" → "0,0125 €". */
export function formatUnitPrice(value: string, locale: Locale): string {
  const n = Number(value.replace(',', '.'));
  if (!Number.isFinite(n)) return value;
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(n);
}

/** A VAT rate key ("5.5") as printed: "5,5 %". */
export function formatRate(rate: string, locale: Locale): string {
  return `${decimalForInput(rate, locale)}\u00a0%`;
}

/** A line or document discount as printed: "10 %", "15,00 €". */
export function formatDiscount(discount: Discount, locale: Locale): string {
  if (discount.type === 'percent') return `${formatDecimalText(discount.value, locale)}\u00a0%`;
  return formatEuros(Number(parseDecimal(discount.value, 2) ?? 0n), locale);
}

/** Euros typed by the user ("1 234,56", "1234.5 €") → cents; null when it is not an amount with at most 2 decimals. */
export function eurosToCents(text: string): number | null {
  const compact = text.replace(/[\s\u00a0\u202f]/g, '').replace(/€$/, '');
  if (!/^\d+([.,]\d+)?$/.test(compact)) return null;
  const value = parseDecimal(compact, 2);
  if (value === null || value > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(value);
}

/** Cents as euros to prefill an input: 123456 → "1234,56" (French) or "1234.56". */
export function centsForInput(cents: number, locale: Locale): string {
  const text = `${Math.trunc(cents / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
  return decimalForInput(text, locale);
}

/** A calendar date "YYYY-MM-DD" shown as a date (no time zone shift). */
export function formatDay(date: string | null | undefined, locale: Locale): string {
  if (!date) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

/** The time of an instant, "14:05". */
export function formatTime(iso: string, locale: Locale): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { timeStyle: 'short' }).format(d);
}
