import type { Selectable } from 'kysely';
import { formatDecimal, parseDecimal } from '../../core/decimal';
import { PRICE_SCALE, rateKey } from '../../core/totals';
import type { ProductsTable } from '../db/schema';
import { DEFAULT_REVENUE_ACCOUNTS } from '../../core/products';

export type ProductRow = Selectable<ProductsTable>;

/** numeric(19,4) arrives as "12.5000": shown as the canonical "12.5". */
function canonicalPrice(stored: string): string {
  const value = parseDecimal(stored, PRICE_SCALE);
  if (value === null) throw new Error(`unexpected stored price ${stored}`);
  return formatDecimal(value, PRICE_SCALE);
}

/** A product's editable fields as the API names them, the revenue account resolved (also what the audit trail compares). */
export function productFields(p: ProductRow) {
  return {
    reference: p.reference,
    designation: p.designation,
    description: p.description,
    unit: p.unit,
    unitPrice: canonicalPrice(p.unit_price),
    vatRate: rateKey(p.vat_rate),
    nature: p.nature,
    revenueAccount: p.revenue_account ?? DEFAULT_REVENUE_ACCOUNTS[p.nature],
  };
}

/** What the API shows of a product. */
export function presentProduct(p: ProductRow) {
  return {
    id: p.id,
    ...productFields(p),
    archived: p.archived_at !== null,
    archivedAt: p.archived_at,
    version: p.version,
    createdAt: p.created_at,
    updatedAt: p.updated_at,
  };
}

export type ProductJson = ReturnType<typeof presentProduct>;
