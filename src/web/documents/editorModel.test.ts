import { describe, expect, it } from 'vitest';
import { blankLine, buildBody, editorPath, liveTotals, newValues, validateDraft, valuesOf, type EditorValues } from './editorModel';
import type { Doc } from './types';

function withLine(patch: Partial<ReturnType<typeof blankLine>>): EditorValues {
  const values = newValues('invoice', '20', 30);
  values.lines = [{ ...blankLine('item', '20'), designation: 'Pose de carrelage', quantity: '12,5', unitPrice: '42,80', ...patch }];
  return values;
}

describe('line discount in the editor', () => {
  it('a percentage off a line: live totals to the cent, and the body the server takes', () => {
    const values = withLine({ discountType: 'percent', discountValue: '12,5' });
    const live = liveTotals(values, [], 'fr');
    // 12.5 × 42.80 = 535.00; 12.5 % of it = 66.875 → 66.88; VAT 20 % of 468.12 = 93.624 → 93.62.
    expect(live.ok && live.totals.lines[0]).toEqual({ amountCents: 53500, discountCents: 6688, netCents: 46812 });
    expect(live.ok && live.totals.grossCents).toBe(56174);
    const result = validateDraft(values, 'fr');
    expect(result.ok && result.body.lines[0]).toMatchObject({ discount: { type: 'percent', value: '12.5' } });
  });

  it('an amount off a line, typed with spaces and the euro sign', () => {
    const values = withLine({ discountType: 'amount', discountValue: '1 00,50 €' });
    expect(buildBody(values).body.lines[0]).toMatchObject({ discount: { type: 'amount', value: '100,50' } });
    const live = liveTotals(values, [], 'fr');
    expect(live.ok && live.totals.lines[0]?.netCents).toBe(53500 - 10050);
  });

  it('a blank discount sends none', () => {
    expect(buildBody(withLine({ discountType: 'amount', discountValue: '  ' })).body.lines[0]).toMatchObject({ discount: null });
  });

  it('a discount over the line, or over 100 %, is reported on the line discount field', () => {
    const over = liveTotals(withLine({ discountType: 'amount', discountValue: '600' }), [], 'fr');
    expect(over.ok ? null : over.field).toBe('lines.0.discount');
    const result = validateDraft(withLine({ discountType: 'percent', discountValue: '12,345' }), 'fr');
    expect(result.ok ? null : Object.keys(result.fields)).toEqual(['lines.0.discount']);
    expect(editorPath('lines.1.discount.value', [0, 3])).toBe('lines.3.discount');
  });

  it('a saved line discount comes back into the editor as typed', () => {
    const doc = {
      type: 'invoice',
      customerId: null,
      customerName: null,
      issueDate: '2026-03-02',
      serviceDate: null,
      validityDate: null,
      paymentTerms: null,
      vatTreatment: 'normal',
      discount: null,
      notes: null,
      lines: [{ kind: 'item', designation: 'Pose', quantity: '1', unitPrice: '100', vatRate: '20', nature: 'service', discount: { type: 'amount', value: '7.5' } }],
    } as unknown as Doc;
    expect(valuesOf(doc, 'fr').lines[0]).toMatchObject({ discountType: 'amount', discountValue: '7,5' });
    expect(valuesOf(doc, 'en').lines[0]).toMatchObject({ discountType: 'amount', discountValue: '7.5' });
  });
});
