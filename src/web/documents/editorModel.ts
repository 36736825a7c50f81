/**
 * The document editor's state (strings, as typed) ↔ the API's draft fields. Validation reuses the
 * server's zod schema (src/core/document-schema.ts) and live totals the server's own
 * `computeTotals` (src/core/totals.ts), so what the editor shows is what will be saved and printed.
 */
import { addDays, parisDate } from '../../core/dates';
import { updateDraftSchema } from '../../core/document-schema';
import type { DocumentType, Nature, VatTreatment } from '../../core/documents';
import type { Locale } from '../../core/errors';
import { computeTotals, rateKey, TotalsError, type DepositDeduction, type Discount, type Totals, type TotalsLine } from '../../core/totals';
import type { PickedCustomer } from '../customers/CustomerPicker';
import { translate } from '../i18n';
import { decimalForInput } from './format';
import type { Doc, DocLine } from './types';

export type LineKind = 'item' | 'section' | 'comment';

export interface EditorLine {
  /** Stable React key (lines move). */
  key: string;
  kind: LineKind;
  productId: string | null;
  reference: string;
  designation: string;
  description: string;
  unit: string;
  quantity: string;
  unitPrice: string;
  vatRate: string;
  nature: Nature;
  /** The line's discount: a percentage or an amount off the line, as typed ('' = none). */
  discountType: 'percent' | 'amount';
  discountValue: string;
}

export interface EditorValues {
  type: DocumentType;
  customer: PickedCustomer | null;
  issueDate: string;
  serviceDate: string;
  validityDate: string;
  customTerms: boolean;
  termsDays: string;
  termsEndOfMonth: boolean;
  vatTreatment: VatTreatment;
  discountType: 'none' | 'percent' | 'amount';
  discountValue: string;
  notes: string;
  lines: EditorLine[];
}

let counter = 0;
export function newKey(): string {
  counter += 1;
  return `l${counter}`;
}

export function blankLine(kind: LineKind, vatRate: string): EditorLine {
  return { key: newKey(), kind, productId: null, reference: '', designation: '', description: '', unit: kind === 'item' ? 'unité' : '', quantity: kind === 'item' ? '1' : '', unitPrice: '', vatRate, nature: 'service', discountType: 'percent', discountValue: '' };
}

function lineOf(l: DocLine, locale: Locale): EditorLine {
  if (l.kind !== 'item') return { ...blankLine(l.kind, '0'), designation: l.designation };
  return {
    key: newKey(),
    kind: 'item',
    productId: l.productId ?? null,
    reference: l.reference ?? '',
    designation: l.designation,
    description: l.description ?? '',
    unit: l.unit ?? '',
    quantity: decimalForInput(l.quantity, locale),
    unitPrice: decimalForInput(l.unitPrice, locale),
    vatRate: rateKey(l.vatRate),
    nature: l.nature,
    discountType: l.discount?.type ?? 'percent',
    discountValue: l.discount ? decimalForInput(l.discount.value, locale) : '',
  };
}

export function valuesOf(doc: Doc, locale: Locale): EditorValues {
  return {
    type: doc.type,
    customer: doc.customerId ? { id: doc.customerId, name: doc.customerName ?? '' } : null,
    issueDate: doc.issueDate,
    serviceDate: doc.serviceDate ?? '',
    validityDate: doc.validityDate ?? '',
    customTerms: doc.paymentTerms !== null,
    termsDays: String(doc.paymentTerms?.days ?? 30),
    termsEndOfMonth: doc.paymentTerms?.endOfMonth ?? false,
    vatTreatment: doc.vatTreatment,
    discountType: doc.discount?.type ?? 'none',
    discountValue: doc.discount ? decimalForInput(doc.discount.value, locale) : '',
    notes: doc.notes ?? '',
    lines: (doc.lines ?? []).map((l) => lineOf(l, locale)),
  };
}

export function newValues(type: DocumentType, vatRate: string, defaultDays: number): EditorValues {
  const today = parisDate();
  return {
    type,
    customer: null,
    issueDate: today,
    serviceDate: '',
    validityDate: type === 'quote' ? addDays(today, 30) : '',
    customTerms: false,
    termsDays: String(defaultDays),
    termsEndOfMonth: false,
    vatTreatment: 'normal',
    discountType: 'none',
    discountValue: '',
    notes: '',
    lines: [blankLine('item', vatRate)],
  };
}

/** An item line the user added but never filled: left out when saving. */
export function isBlankLine(l: EditorLine): boolean {
  if (l.kind !== 'item') return l.designation.trim() === '';
  return !l.productId && !l.designation.trim() && !l.reference.trim() && !l.unitPrice.trim();
}

export interface DraftBody {
  customerId: string | null;
  issueDate: string;
  serviceDate: string | null;
  validityDate?: string | null;
  paymentTerms: { days: number; endOfMonth: boolean } | null;
  vatTreatment: VatTreatment;
  discount: { type: 'percent' | 'amount'; value: string } | null;
  notes: string | null;
  lines: unknown[];
}

/** A discount as the API takes it: null when blank, the value without spaces or unit. */
function discountOf(type: 'percent' | 'amount', typed: string): Discount | null {
  const value = typed.replace(/[\s\u00a0\u202f€%]/g, '');
  return value === '' ? null : { type, value };
}

export function lineDiscount(l: EditorLine): Discount | null {
  return discountOf(l.discountType, l.discountValue);
}

/** The request body, and for each sent line the index of the editor line it came from. */
export function buildBody(v: EditorValues): { body: DraftBody; lineIndex: number[] } {
  const lineIndex: number[] = [];
  const lines: unknown[] = [];
  v.lines.forEach((l, i) => {
    if (isBlankLine(l)) return;
    lineIndex.push(i);
    if (l.kind !== 'item') lines.push({ kind: l.kind, designation: l.designation });
    else
      lines.push({
        kind: 'item',
        productId: l.productId,
        reference: l.reference.trim() || null,
        designation: l.designation,
        description: l.description.trim() || null,
        unit: l.unit.trim() || null,
        quantity: l.quantity.replace(/[\s\u00a0\u202f]/g, ''),
        unitPrice: l.unitPrice.replace(/[\s\u00a0\u202f]/g, ''),
        discount: lineDiscount(l),
        vatRate: l.vatRate,
        nature: l.nature,
      });
  });
  const days = Number(v.termsDays.trim());
  const body: DraftBody = {
    customerId: v.customer?.id ?? null,
    issueDate: v.issueDate,
    serviceDate: v.serviceDate || null,
    paymentTerms: v.customTerms ? { days: Number.isInteger(days) ? days : -1, endOfMonth: v.termsEndOfMonth } : null,
    vatTreatment: v.vatTreatment,
    discount: v.discountType === 'none' ? null : discountOf(v.discountType, v.discountValue),
    notes: v.notes.trim() || null,
    lines,
  };
  if (v.type === 'quote') body.validityDate = v.validityDate || null;
  return { body, lineIndex };
}

/** A field path of the request (`lines.2.quantity`, where 2 counts sent lines) → the editor's path. */
export function editorPath(path: string, lineIndex: number[]): string {
  const m = /^lines\.(\d+)(\..+)?$/.exec(path);
  if (m) {
    const index = lineIndex[Number(m[1])];
    // `lines.2.discount.value` is the line's discount field.
    const field = m[2]?.startsWith('.discount') ? '.discount' : (m[2] ?? '');
    return index === undefined ? 'lines' : `lines.${index}${field}`;
  }
  if (path.startsWith('discount')) return 'discount';
  if (path.startsWith('paymentTerms')) return 'paymentTerms.days';
  return path;
}

export type EditorValidation = { ok: true; body: DraftBody } | { ok: false; fields: Record<string, string> };

/** Checks the draft with the server's schema; errors keyed by the editor's field paths. */
export function validateDraft(v: EditorValues, locale: Locale): EditorValidation {
  const { body, lineIndex } = buildBody(v);
  const fields: Record<string, string> = {};
  if (v.customTerms && !/^\d{1,3}$/.test(v.termsDays.trim())) fields['paymentTerms.days'] = translate(locale, 'editor.termsDaysInvalid');
  const parsed = updateDraftSchema.safeParse({ version: 1, ...body });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = editorPath(issue.path.map(String).join('.'), lineIndex);
      fields[path] ??= localizeDocumentMessage(issue.message, locale);
    }
  }
  if (v.type === 'quote' && v.validityDate && v.issueDate && v.validityDate < v.issueDate) fields.validityDate ??= translate(locale, 'editor.validityBeforeIssue');
  if (Object.keys(fields).length > 0 || !parsed.success) return { ok: false, fields };
  const { version: _version, ...data } = parsed.data;
  return { ok: true, body: data as DraftBody };
}

export type LiveTotals = { ok: true; totals: Totals } | { ok: false; field: string; message: string };

/** The totals as the server will compute them, from what is typed now. A blank number counts as 0 until saved. */
export function liveTotals(v: EditorValues, deductions: DepositDeduction[], locale: Locale): LiveTotals {
  const blank = (s: string) => (s.trim() === '' ? '0' : s.replace(/[\s\u00a0\u202f]/g, ''));
  const lines: TotalsLine[] = v.lines.map((l) =>
    l.kind === 'item' ? { kind: 'item', quantity: blank(l.quantity), unitPrice: blank(l.unitPrice), vatRate: l.vatRate || '0', discount: lineDiscount(l) } : { kind: l.kind },
  );
  const discount = v.discountType === 'none' ? null : discountOf(v.discountType, v.discountValue);
  try {
    return { ok: true, totals: computeTotals({ lines, discount, deposits: deductions }) };
  } catch (error) {
    if (error instanceof TotalsError) return { ok: false, field: error.field, message: localizeDocumentMessage(error.message, locale) };
    if (error instanceof RangeError) return { ok: false, field: 'lines', message: translate(locale, 'editor.tooLarge') };
    throw error;
  }
}

const ENGLISH: [RegExp, string][] = [
  [/^Nombre invalide ou trop de décimales \((\d+) au plus\)\.$/, 'Invalid number or too many decimals ($1 at most).'],
  [/^La quantité ne peut pas être négative\.$/, 'The quantity cannot be negative.'],
  [/^Le prix unitaire ne peut pas être négatif\.$/, 'The unit price cannot be negative.'],
  [/^La remise doit être comprise entre 0 et 100 %\.$/, 'The discount must be between 0 and 100 %.'],
  [/^La remise ne peut pas être négative\.$/, 'The discount cannot be negative.'],
  [/^La remise dépasse le montant\.$/, 'The discount exceeds the amount.'],
  [/^Taux de TVA invalide(?: \(ex\. 20 ou 5,5\))?\.$/, 'Invalid VAT rate (e.g. 20 or 5.5).'],
  [/^La désignation est obligatoire\.$/, 'The designation is required.'],
  [/^Le titre de section est vide\.$/, 'The section title is empty.'],
  [/^Le commentaire est vide\.$/, 'The comment is empty.'],
  [/^Date invalide \(AAAA-MM-JJ\)\.$/, 'Invalid date (YYYY-MM-DD).'],
  [/^Quantité : nombre positif attendu\.$/, 'Quantity: a positive number is expected.'],
  [/^Quantité : (\d+) décimales? au plus\.$/, 'Quantity: $1 decimals at most.'],
  [/^Prix unitaire HT : nombre positif attendu\.$/, 'Unit price: a positive number is expected.'],
  [/^Prix unitaire HT : (\d+) décimales? au plus\.$/, 'Unit price: $1 decimals at most.'],
  [/^Remise \(%\) : nombre positif attendu\.$/, 'Discount (%): a positive number is expected.'],
  [/^Remise \(€\) : nombre positif attendu\.$/, 'Discount (€): a positive number is expected.'],
  [/^Remise \((%|€)\) : (\d+) décimales? au plus\.$/, 'Discount ($1): $2 decimals at most.'],
  [/^Client inconnu dans ce dossier\.$/, 'Unknown customer in this dossier.'],
  [/^Article inconnu dans ce dossier\.$/, 'Unknown item in this dossier.'],
  [/^En franchise en base de TVA, les lignes sont à 0 %\.$/, 'Under the VAT exemption (franchise en base), lines are at 0 %.'],
  [/^Autoliquidation ou export : les lignes sont à 0 %\.$/, 'Reverse charge or export: lines are at 0 %.'],
  [/^La date de validité précède la date d'émission\.$/, 'The validity date is before the issue date.'],
  [/^La date d'émission ne peut pas être dans le futur\.$/, 'The issue date cannot be in the future.'],
];

export function localizeDocumentMessage(message: string, locale: Locale): string {
  if (locale !== 'en') return message;
  for (const [pattern, english] of ENGLISH) if (pattern.test(message)) return message.replace(pattern, english);
  return message;
}
