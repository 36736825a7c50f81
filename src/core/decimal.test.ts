import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { formatDecimal, parseDecimal, readDecimal } from './decimal';
import { discountSchema, itemLineSchema, paymentSchema, updateDraftSchema } from './document-schema';
import { dossierSettingsSchema } from './dossier';
import { productCreateSchema } from './products';

/**
 * Every field that takes a decimal reads it the same way (readDecimal): documents, lines and
 * products, rates, quantities, prices and discounts alike.
 */
const LINE = { kind: 'item', designation: 'Pose', quantity: '1', unitPrice: '10', vatRate: '20' };
const PRODUCT = { reference: 'P1', designation: 'Pose', unitPrice: '10', vatRate: '20', nature: 'service' };

/** Each decimal field: how to put a value in it, and how to read the value back after parsing. */
const FIELDS: [string, z.ZodType, (v: string) => unknown, (out: any) => unknown][] = [
  ['line quantity', itemLineSchema, (v) => ({ ...LINE, quantity: v }), (o) => o.quantity],
  ['line unit price', itemLineSchema, (v) => ({ ...LINE, unitPrice: v }), (o) => o.unitPrice],
  ['line VAT rate', itemLineSchema, (v) => ({ ...LINE, vatRate: v }), (o) => o.vatRate],
  ['line discount (%)', itemLineSchema, (v) => ({ ...LINE, discount: { type: 'percent', value: v } }), (o) => o.discount.value],
  ['line discount (€)', itemLineSchema, (v) => ({ ...LINE, discount: { type: 'amount', value: v } }), (o) => o.discount.value],
  ['document discount (%)', discountSchema, (v) => ({ type: 'percent', value: v }), (o) => o.value],
  ['document discount (€)', updateDraftSchema, (v) => ({ version: 1, discount: { type: 'amount', value: v } }), (o) => o.discount.value],
  ['product unit price', productCreateSchema, (v) => ({ ...PRODUCT, unitPrice: v }), (o) => o.unitPrice],
  ['product VAT rate', productCreateSchema, (v) => ({ ...PRODUCT, vatRate: v }), (o) => o.vatRate],
  ['dossier VAT rates', dossierSettingsSchema.partial(), (v) => ({ vatRates: [v] }), (o) => o.vatRates[0]],
  ['late penalty rate', dossierSettingsSchema.partial(), (v) => ({ latePenaltyRate: v }), (o) => o.latePenaltyRate],
];

describe('one reading of decimals', () => {
  it.each(FIELDS)('%s accepts "5,5", "5,50", "5.50", " 5,5 " and a no-break space alike, as 5.5', (_name, schema, put, read) => {
    for (const spelling of ['5,5', '5,50', '5.50', '5.5', ' 5,5 ', '\u00a05,50\u00a0']) {
      const parsed = schema.safeParse(put(spelling));
      expect(parsed.success, `${JSON.stringify(spelling)}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      expect(read(parsed.data)).toBe('5.5');
    }
  });

  it.each(FIELDS)('%s refuses what is not a decimal', (_name, schema, put) => {
    for (const spelling of ['', 'cinq', '5,5,5', '5..5', '5,', ',5', '5 5', '-5,5', '5,5 %', '0x5']) {
      expect(schema.safeParse(put(spelling)).success, JSON.stringify(spelling)).toBe(false);
    }
  });

  it('quantities and prices accept spaces between thousands ("1 234,5"), as the editor displays them', () => {
    expect(itemLineSchema.parse({ ...LINE, quantity: '1 234,5', unitPrice: '12\u202f345,50' })).toMatchObject({ quantity: '1234.5', unitPrice: '12345.5' });
    expect(productCreateSchema.parse({ ...PRODUCT, unitPrice: '1 200,00' }).unitPrice).toBe('1200');
    expect(itemLineSchema.safeParse({ ...LINE, quantity: '12 34' }).success).toBe(false);
  });

  it('payments take cents, not decimals (no second reading)', () => {
    expect(paymentSchema.safeParse({ paidOn: '2026-01-05', amountCents: '5,5', method: 'virement' }).success).toBe(false);
  });

  it('parseDecimal reads what formatDecimal writes, in any spelling of the separator', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }), fc.integer({ min: 0, max: 4 }), fc.constantFrom('.', ','), (value, scale, separator) => {
        const text = formatDecimal(value, scale).replace('.', separator);
        expect(parseDecimal(text, scale)).toBe(value);
        expect(readDecimal(` ${text} `)).not.toBeNull();
      }),
    );
  });
});
