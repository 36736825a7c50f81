/**
 * Document dates are calendar dates in Europe/Paris ('YYYY-MM-DD'), never instants: an invoice
 * issued at 00:30 in Paris on 1 January belongs to the new year.
 */
const PARIS = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * Built from the formatter's parts, not its text: the order and separators of a locale's numeric
 * date depend on the engine's ICU data (en-CA is 2026-11-27 in Node and Chromium, 11/27/2026 in
 * WebKitGTK with ICU 72), and a browser runs this too.
 */
let lastParisDate = { second: NaN, date: '' };

export function parisDate(instant: Date = new Date()): string {
  // Formatting to parts is slow and most calls ask about the current second: remember the last one.
  const second = Math.floor(instant.getTime() / 1000);
  if (second === lastParisDate.second) return lastParisDate.date;
  let year = '';
  let month = '';
  let day = '';
  for (const part of PARIS.formatToParts(instant)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  lastParisDate = { second, date: `${year}-${month}-${day}` };
  return lastParisDate.date;
}

const PARIS_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** The time of day in Europe/Paris, « HH:MM » (from the formatter's parts, as above). */
export function parisTime(instant: Date): string {
  const parts = PARIS_TIME.formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('hour')}:${part('minute')}`;
}

export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function endOfMonth(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
}

export type PaymentTerms = { days: number; endOfMonth: boolean };

/** Due date: issue + N days, or "N jours fin de mois" = the end of the month of issue + N days. */
export function dueDate(issueDate: string, terms: PaymentTerms): string {
  const plain = addDays(issueDate, terms.days);
  return terms.endOfMonth ? endOfMonth(plain) : plain;
}

export function formatDateFr(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}
