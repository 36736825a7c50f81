import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { depositForAmount, depositLines } from './deposits';
import type { LineInput } from './document-schema';
import { operationNature } from './documents';
import { computeTotals, parseRate, vatOfBase, type Totals } from './totals';

const NBSP = '\u00a0';
const item = (designation: string, unitPrice: string, vatRate: string, nature: 'goods' | 'service', quantity = '1'): LineInput => ({ kind: 'item', designation, quantity, unitPrice, vatRate, nature });
const gross = (rate: string, base: number) => base + Number(vatOfBase(BigInt(base), parseRate(rate)));

/** Whether some bases (each between 0 and the rate's sale base) give exactly this total with tax: by enumeration, for one or two rates. */
function reachable(vat: { rate: string; saleBaseCents: number }[], amount: number): boolean {
  const exactly = (rate: string, max: number, target: number) => {
    const near = Math.round((target * 10_000) / (10_000 + Number(parseRate(rate))));
    return [near - 1, near, near + 1].some((b) => b >= 0 && b <= max && gross(rate, b) === target);
  };
  const [first, second] = vat;
  if (!second) return exactly(first!.rate, first!.saleBaseCents, amount);
  for (let b = 0; b <= first!.saleBaseCents; b++) if (exactly(second.rate, second.saleBaseCents, amount - gross(first!.rate, b))) return true;
  return false;
}

describe('a deposit of an amount with tax', () => {
  it('33,33 € cannot be reached at 20 % alone (27,77 + 5,55 or 27,78 + 5,56): the nearest amount not above is said', () => {
    const quote = computeTotals({ lines: [item('Pose de carrelage', '1000', '20', 'service')] });
    expect(depositForAmount(quote, 3_333)).toEqual({ vat: [{ rate: '20', baseCents: 2_777, vatCents: 555 }], grossCents: 3_332 });
    expect(depositForAmount(quote, 3_334).grossCents).toBe(3_334);
  });

  it('33,33 € is reached exactly when the quote has a second rate to take the odd cent', () => {
    const quote = computeTotals({ lines: [item('Carrelage', '800', '20', 'goods'), item('Pose', '200', '10', 'service')] });
    const deposit = depositForAmount(quote, 3_333);
    expect(deposit.grossCents).toBe(3_333);
    expect(deposit.vat.reduce((s, v) => s + v.baseCents + v.vatCents, 0)).toBe(3_333);
  });

  it('property: the total with tax is the amount asked to the cent whenever some bases give it, and the final invoice still balances', () => {
    const rate = fc.constantFrom('20', '10', '5.5', '2.1', '0', '13', '0.9', '8.5', '1.75', '1.05');
    const quoteArb = fc.uniqueArray(fc.record({ rate, net: fc.integer({ min: 1, max: 20_000 }) }), { minLength: 1, maxLength: 2, selector: (r) => r.rate });
    fc.assert(
      fc.property(quoteArb, fc.integer({ min: 1, max: 10_000 }), (rates, share) => {
        const quote = computeTotals({ lines: rates.map((r, i) => item(`Ligne ${i}`, (r.net / 100).toFixed(2), r.rate, 'goods')) });
        const amount = Math.max(1, Math.floor((quote.grossCents * share) / 10_000));
        const deposit = depositForAmount(quote, amount);
        expect(deposit.grossCents).toBe(deposit.vat.reduce((s, v) => s + v.baseCents + v.vatCents, 0));
        if (reachable(quote.vat, amount)) expect(deposit.grossCents).toBe(amount);
        else expect(deposit.grossCents).toBeLessThanOrEqual(amount + 1);
        // The final invoice deducts it rate by rate: deposit + final = the sale, to the cent.
        const final = computeTotals({ lines: rates.map((r, i) => item(`Ligne ${i}`, (r.net / 100).toFixed(2), r.rate, 'goods')), deposits: [{ vat: deposit.vat }] });
        expect(final.grossCents + deposit.grossCents).toBe(quote.grossCents);
        for (const v of final.vat) expect(v.baseCents).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('the whole quote as a deposit is the quote, rate by rate', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ rate: fc.constantFrom('20', '10', '5.5', '2.1', '0'), net: fc.integer({ min: 1, max: 10_000_000 }) }), { minLength: 1, maxLength: 5 }), (rates) => {
        const quote = computeTotals({ lines: rates.map((r, i) => item(`Ligne ${i}`, (r.net / 100).toFixed(2), r.rate, 'goods')) });
        const deposit = depositForAmount(quote, quote.grossCents);
        expect(deposit.vat.map((v) => [v.rate, v.baseCents, v.vatCents])).toEqual(quote.vat.map((v) => [v.rate, v.saleBaseCents, v.saleVatCents]));
      }),
    );
  });
});

describe('the lines of a deposit invoice', () => {
  const quoteLines = [
    item('Carrelage grès cérame 60×60', '40', '20', 'goods', '25'),
    item('Pose de carrelage', '35', '20', 'service', '25'),
    { kind: 'section', designation: 'Isolation' } as LineInput,
    item('Isolant mince', '12', '5.5', 'goods', '10'),
  ];
  const quote = { number: 'D-2026-0004', issueDate: '2026-03-12', totals: computeTotals({ lines: quoteLines }) as Totals, lines: quoteLines };

  it('take the nature of what the quote sells, rate by rate, and say what it is', () => {
    const { lines, grossCents } = depositLines(quote, { percentHundredths: 3_000n });
    expect(lines.map((l) => l.kind === 'item' && [l.designation, l.unitPrice, l.vatRate, l.nature])).toEqual([
      ['Acompte de 30 % sur le devis D-2026-0004 du 12/03/2026 : Carrelage grès cérame 60×60', '300', '20', 'goods'],
      ['Acompte de 30 % sur le devis D-2026-0004 du 12/03/2026 : Pose de carrelage', '262.5', '20', 'service'],
      ['Acompte de 30 % sur le devis D-2026-0004 du 12/03/2026 : Isolant mince', '36', '5.5', 'goods'],
    ]);
    expect(operationNature(lines as never)).toBe('mixed');
    // 30 % of 1 875 € at 20 % (562,50 € + 112,50 €) and of 120 € at 5,5 % (36 € + 1,98 €).
    expect(grossCents).toBe(56_250 + 11_250 + 3_600 + 198);
    expect(computeTotals({ lines }).grossCents).toBe(grossCents);
  });

  it('a quote of goods only gives a deposit of goods only, and an amount is worded with what it will be', () => {
    const goods = [item('Poêle à bois', '2500', '20', 'goods'), item('Conduit', '400', '20', 'goods')];
    const { lines, grossCents } = depositLines({ ...quote, totals: computeTotals({ lines: goods }), lines: goods }, { amountCents: 100_000 });
    expect(operationNature(lines as never)).toBe('goods');
    expect(grossCents).toBe(100_000);
    expect(lines.map((l) => l.designation)).toEqual([`Acompte de 1${'\u202f'}000,00${NBSP}€ TTC sur le devis D-2026-0004 du 12/03/2026 : Poêle à bois, Conduit`]);
  });

  it('a long list of what is sold is shortened', () => {
    const many = Array.from({ length: 40 }, (_, i) => item(`Article numéro ${i + 1}`, '10', '20', 'goods'));
    const { lines } = depositLines({ ...quote, totals: computeTotals({ lines: many }), lines: many }, { percentHundredths: 5_000n });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.designation.length).toBeLessThan(300);
    expect(lines[0]!.designation).toMatch(/…$/);
  });
});
