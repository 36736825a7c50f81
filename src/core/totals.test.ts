import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDecimal } from './decimal';
import { allocate, computeTotals, TotalsError, type Discount, type ItemLine, type TotalsInput } from './totals';

const RATES = ['20', '10', '5.5', '2.1', '0', '8.5', '13', '0.9', '1.75', '1.05'];

const decimal = (scale: number, max: number) => fc.bigInt({ min: 0n, max: BigInt(max) * 10n ** BigInt(scale) }).map((v) => formatDecimal(v, scale));
const itemLine: fc.Arbitrary<ItemLine> = fc.record({
  kind: fc.constant('item' as const),
  quantity: decimal(3, 1000),
  unitPrice: decimal(4, 10_000),
  vatRate: fc.constantFrom(...RATES),
  discount: fc.option(fc.oneof(fc.record({ type: fc.constant('percent' as const), value: decimal(2, 100) })), { nil: null }),
});
const document: fc.Arbitrary<TotalsInput> = fc.record({
  lines: fc.array(fc.oneof({ weight: 5, arbitrary: itemLine }, { weight: 1, arbitrary: fc.constant({ kind: 'section' as const }) }), { minLength: 1, maxLength: 25 }),
  discount: fc.option(fc.record({ type: fc.constant('percent' as const), value: decimal(2, 100) }) as fc.Arbitrary<Discount>, { nil: null }),
});

/** The rule written out independently, with plain integer arithmetic on cents. */
function halfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

describe('document totals', () => {
  it('a simple invoice, to the cent', () => {
    const t = computeTotals({
      lines: [
        { kind: 'item', quantity: '3', unitPrice: '33.33', vatRate: '20' },
        { kind: 'item', quantity: '7', unitPrice: '1.4999', vatRate: '5.5' },
        { kind: 'item', quantity: '1', unitPrice: '100', vatRate: '20', discount: { type: 'percent', value: '12.5' } },
      ],
    });
    // 99.99 + 87.50 = 187.49 at 20 % → 37.498 → 37.50; 10.4993 → 10.50 at 5.5 % → 0.5775 → 0.58
    expect(t.vat).toMatchObject([
      { rate: '20', baseCents: 18_749, vatCents: 3_750 },
      { rate: '5.5', baseCents: 1_050, vatCents: 58 },
    ]);
    expect(t.grossCents).toBe(18_749 + 3_750 + 1_050 + 58);
  });

  it('total = Σ nets + Σ VAT, and each VAT is its base × rate rounded half-up', () => {
    fc.assert(
      fc.property(document, (input) => {
        const t = computeTotals(input);
        expect(t.netCents).toBe(t.vat.reduce((s, v) => s + v.baseCents, 0));
        expect(t.vatCents).toBe(t.vat.reduce((s, v) => s + v.vatCents, 0));
        expect(t.grossCents).toBe(t.netCents + t.vatCents);
        expect(t.linesNetCents).toBe(t.lines.reduce((s, l) => s + (l?.netCents ?? 0), 0));
        for (const v of t.vat) {
          const bp = BigInt(Math.round(Number(v.rate) * 100));
          expect(BigInt(v.vatCents)).toBe(halfUp(BigInt(v.saleBaseCents) * bp, 10_000n));
        }
        expect(new Set(t.vat.map((v) => v.rate)).size).toBe(t.vat.length);
      }),
      { numRuns: 300 },
    );
  });

  it('an amount discount is shared between rates and adds up exactly', () => {
    fc.assert(
      fc.property(document, fc.double({ min: 0, max: 1, noNaN: true }), (input, share) => {
        const before = computeTotals({ ...input, discount: null });
        const amount = Math.floor(before.linesNetCents * share);
        const t = computeTotals({ ...input, discount: { type: 'amount', value: formatDecimal(BigInt(amount), 2) } });
        expect(t.discountCents).toBe(amount);
        expect(t.netCents).toBe(before.linesNetCents - amount);
        for (const v of t.vat) expect(v.discountCents).toBeLessThanOrEqual(v.linesNetCents);
      }),
      { numRuns: 200 },
    );
  });

  it('allocate() keeps proportions within a cent and sums exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.array(fc.bigInt({ min: 0n, max: 10n ** 9n }), { minLength: 1, maxLength: 8 }), (amount, weights) => {
        const shares = allocate(amount, weights);
        const total = weights.reduce((s, w) => s + w, 0n);
        expect(shares.reduce((s, x) => s + x, 0n)).toBe(total === 0n ? 0n : amount);
        shares.forEach((s, i) => {
          if (total === 0n) return;
          const exact = (amount * weights[i]!) / total;
          expect(s === exact || s === exact + 1n).toBe(true);
        });
      }),
    );
  });

  it('a full credit note (same lines, same discount) has exactly the totals of its invoice', () => {
    fc.assert(
      fc.property(document, (input) => {
        const invoice = computeTotals(input);
        const credit = computeTotals(structuredClone(input));
        expect(credit).toEqual(invoice);
      }),
    );
  });

  it('deposits deducted rate by rate: deposits + final invoice = the sale', () => {
    fc.assert(
      fc.property(document, fc.integer({ min: 1, max: 100 }), (input, pct) => {
        const sale = computeTotals(input);
        const deposit = {
          vat: sale.vat.map((v) => {
            const base = Math.floor((v.saleBaseCents * pct) / 100);
            return { rate: v.rate, baseCents: base, vatCents: Math.round((base * Number(v.rate)) / 100) };
          }),
        };
        const final = computeTotals({ ...input, deposits: [deposit] });
        const depositGross = deposit.vat.reduce((s, v) => s + v.baseCents + v.vatCents, 0);
        expect(final.grossCents + depositGross).toBe(sale.grossCents);
        expect(final.saleGrossCents).toBe(sale.grossCents);
      }),
    );
  });

  it.each([
    [{ kind: 'item', quantity: '-1', unitPrice: '10', vatRate: '20' }, 'lines.0.quantity'],
    [{ kind: 'item', quantity: '1.0001', unitPrice: '10', vatRate: '20' }, 'lines.0.quantity'],
    [{ kind: 'item', quantity: '1', unitPrice: '10.00001', vatRate: '20' }, 'lines.0.unitPrice'],
    [{ kind: 'item', quantity: '1', unitPrice: '10', vatRate: '20', discount: { type: 'amount', value: '10.01' } }, 'lines.0.discount'],
    [{ kind: 'item', quantity: '1', unitPrice: '10', vatRate: '120' }, 'lines.0.vatRate'],
  ] as const)('refuses %j naming the field', (line, field) => {
    try {
      computeTotals({ lines: [line as ItemLine] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TotalsError);
      expect((error as TotalsError).field).toBe(field);
    }
  });

  it('refuses deposits larger than the sale at a rate', () => {
    expect(() =>
      computeTotals({ lines: [{ kind: 'item', quantity: '1', unitPrice: '100', vatRate: '20' }], deposits: [{ vat: [{ rate: '20', baseCents: 10_001, vatCents: 2_000 }] }] }),
    ).toThrow(/dépassent/);
  });
});
