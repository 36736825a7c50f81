/**
 * Legal numbering formats: `{AAAA}` year, `{AA}` two-digit year, `{MM}` month, `{N…}` the counter
 * padded to as many digits as there are Ns (e.g. `F-{AAAA}-{NNNN}` → F-2026-0042).
 * A number may only use A-Z a-z 0-9 + - _ / and at most 35 characters (e-invoicing rule BR-FR).
 */
import { z } from 'zod';
import { text } from './text';

export const SERIES = ['quote', 'invoice', 'credit_note', 'pro_forma'] as const;
export type Series = (typeof SERIES)[number];

export const DEFAULT_FORMATS: Record<Series, string> = {
  quote: 'D-{AAAA}-{NNNN}',
  invoice: 'F-{AAAA}-{NNNN}',
  credit_note: 'AV-{AAAA}-{NNNN}',
  pro_forma: 'PF-{AAAA}-{NNNN}',
};

const TOKEN = /\{(AAAA|AA|MM|N+)\}/g;

/**
 * A series that restarts each year must carry the year in its numbers: otherwise the first number
 * of a year would repeat the first number of the year before (F-0001 twice).
 */
export function lacksYear(format: string, yearlyReset: boolean): boolean {
  return yearlyReset && !/\{AA(AA)?\}/.test(format);
}

/** Returns a French message when the format is unusable (with this yearly restart, when given), null when it is fine. */
export function formatProblem(format: string, yearlyReset = false): string | null {
  const counters = format.match(/\{N+\}/g) ?? [];
  if (counters.length !== 1) return 'Le format doit contenir exactement un compteur, par exemple {NNNN}.';
  const literal = format.replace(TOKEN, '');
  if (/[{}]/.test(literal)) return 'Le format contient une balise inconnue (balises possibles : {AAAA}, {AA}, {MM}, {NNNN}).';
  if (!/^[A-Za-z0-9+\-_/]*$/.test(literal)) return 'Un numéro ne peut contenir que des lettres sans accent, des chiffres et + - _ /.';
  if (renderNumber(format, { year: 2026, month: 12, counter: 1 }).length > 35 - 4) return 'Le format est trop long (35 caractères au plus, compteur compris).';
  if (lacksYear(format, yearlyReset)) return 'Une numérotation qui repart de 1 chaque année doit contenir l’année ({AAAA} ou {AA}) : sinon les numéros de la nouvelle année reprendraient ceux de l’année précédente.';
  return null;
}

/** A series' numbering settings as sent by the settings page (the format checked with its yearly restart). */
export const numberingSettingsSchema = z
  .object({
    format: text().min(1, 'Indiquez le format.').max(40, 'Le format fait 40 caractères au plus.'),
    yearlyReset: z.boolean(),
    firstNumber: z.number().int().min(1).max(99_999_999),
  })
  .strict()
  .superRefine((v, ctx) => {
    const problem = formatProblem(v.format, v.yearlyReset);
    if (problem) ctx.addIssue({ code: 'custom', path: ['format'], message: problem });
  });
export type NumberingSettingsInput = z.infer<typeof numberingSettingsSchema>;

export function renderNumber(format: string, v: { year: number; month: number; counter: number }): string {
  return format.replace(TOKEN, (_whole, token: string) => {
    if (token === 'AAAA') return String(v.year);
    if (token === 'AA') return String(v.year % 100).padStart(2, '0');
    if (token === 'MM') return String(v.month).padStart(2, '0');
    return String(v.counter).padStart(token.length, '0');
  });
}

/**
 * A format as the number's fixed parts around its counter, for a given date: `renderNumber` is
 * `prefix + counter padded to width + suffix` (the database renders it that way under the lock).
 */
export function numberTemplate(format: string, v: { year: number; month: number }): { prefix: string; width: number; suffix: string } {
  const counter = /\{(N+)\}/.exec(format);
  if (!counter) throw new Error(`Numbering format without a counter: ${format}`);
  const fixed = (part: string) => renderNumber(part, { ...v, counter: 0 });
  return { prefix: fixed(format.slice(0, counter.index)), width: counter[1]!.length, suffix: fixed(format.slice(counter.index + counter[0].length)) };
}

/** The period a counter belongs to: the year when the series restarts yearly, else 0. */
export function numberingPeriod(issueDate: string, yearlyReset: boolean): number {
  return yearlyReset ? Number(issueDate.slice(0, 4)) : 0;
}
