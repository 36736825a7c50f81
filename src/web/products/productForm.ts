/**
 * The catalogue form's values ↔ the API's `ProductInput`. The checks mirror the server's schema
 * (src/server/products/schema.ts) with the shared decimal rules of src/core.
 */
import { decimalPlaces, parseDecimal } from '../../core/decimal';
import type { Nature } from '../../core/documents';
import type { Locale } from '../../core/errors';
import { PRICE_SCALE, rateKey } from '../../core/totals';
import { decimalForInput } from '../documents/format';
import { translate } from '../i18n';
import type { Product } from './types';

export interface ProductFormValues {
  reference: string;
  designation: string;
  description: string;
  unit: string;
  unitPrice: string;
  vatRate: string;
  nature: Nature;
  revenueAccount: string;
}

export interface ProductPayload {
  reference: string;
  designation: string;
  description: string | null;
  unit: string;
  unitPrice: string;
  vatRate: string;
  nature: Nature;
  revenueAccount: string | null;
}

export const DEFAULT_REVENUE_ACCOUNTS: Record<Nature, string> = { service: '706000', goods: '707000' };

export function emptyProductValues(vatRates: string[]): ProductFormValues {
  return { reference: '', designation: '', description: '', unit: 'unité', unitPrice: '', vatRate: vatRates[0] ?? '20', nature: 'service', revenueAccount: '' };
}

export function productValuesOf(p: Product, locale: Locale): ProductFormValues {
  return {
    reference: p.reference,
    designation: p.designation,
    description: p.description ?? '',
    unit: p.unit,
    unitPrice: decimalForInput(p.unitPrice, locale),
    vatRate: p.vatRate,
    nature: p.nature,
    // The default account of the nature is shown as "default" (an empty field).
    revenueAccount: p.revenueAccount === DEFAULT_REVENUE_ACCOUNTS[p.nature] ? '' : p.revenueAccount,
  };
}

export type ProductValidation = { ok: true; payload: ProductPayload } | { ok: false; fields: Record<string, string> };

export function validateProduct(v: ProductFormValues, locale: Locale): ProductValidation {
  const fields: Record<string, string> = {};
  const tr = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate(locale, key, vars);
  const reference = v.reference.trim();
  const designation = v.designation.trim();
  const unit = v.unit.trim();
  const price = v.unitPrice.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (!reference) fields.reference = tr('products.referenceRequired');
  else if (reference.length > 50) fields.reference = tr('validation.tooLong', { max: 50 });
  if (!designation) fields.designation = tr('products.designationRequired');
  else if (designation.length > 200) fields.designation = tr('validation.tooLong', { max: 200 });
  if (v.description.trim().length > 2000) fields.description = tr('validation.tooLong', { max: 2000 });
  if (!unit) fields.unit = tr('products.unitRequired');
  else if (unit.length > 20) fields.unit = tr('validation.tooLong', { max: 20 });
  if (!price) fields.unitPrice = tr('products.priceRequired');
  else if (!/^\d+([.,]\d+)?$/.test(price) || parseDecimal(price, PRICE_SCALE + 10) === null) fields.unitPrice = tr('products.priceInvalid');
  else if (decimalPlaces(price) > PRICE_SCALE) fields.unitPrice = tr('products.priceDecimals', { max: PRICE_SCALE });
  const account = v.revenueAccount.trim();
  if (account && !/^7[0-9]{2,7}$/.test(account)) fields.revenueAccount = tr('products.accountInvalid');
  if (Object.keys(fields).length > 0) return { ok: false, fields };
  return {
    ok: true,
    payload: {
      reference,
      designation,
      description: v.description.trim() || null,
      unit,
      unitPrice: price.replace(',', '.'),
      vatRate: rateKey(v.vatRate),
      nature: v.nature,
      revenueAccount: account || null,
    },
  };
}

const ENGLISH: Record<string, string> = {
  'Un article porte déjà cette référence dans ce dossier.': 'An item of this dossier already has this reference.',
  'La référence est obligatoire.': 'The reference is required.',
  'La désignation est obligatoire.': 'The designation is required.',
  'Le prix unitaire est obligatoire.': 'The unit price is required.',
  'Le prix unitaire ne peut pas être négatif.': 'The unit price cannot be negative.',
};

export function localizeProductMessage(message: string, locale: Locale): string {
  return locale === 'en' ? (ENGLISH[message] ?? message) : message;
}
