import { describe, expect, it } from 'vitest';
import { BUSINESS_CUSTOMER, INDIVIDUAL_CUSTOMER, SELLER, itemLines, sampleView } from './fixtures';
import { formatNumberFr, formatQuantity, formatRate, formatUnitPrice, displayName } from './format';
import {
  NOT_AN_INVOICE,
  NO_EARLY_PAYMENT_DISCOUNT,
  RECOVERY_FEE,
  VAT_ON_DEBITS,
  correctsLine,
  customerLabel,
  documentMentions,
  documentNumberLabel,
  headerDates,
  legalIdentity,
  runningHeader,
} from './mentions';
import { totalColumns, totalRows } from './blocks';
import { depositLines } from '../../core/deposits';
import type { LineInput } from '../../core/document-schema';
import type { DocumentLineView } from '../../core/documents';
import { computeTotals } from '../../core/totals';

const norm = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('mentions of an invoice', () => {
  it('to a business: payment terms, no discount, penalty rate, 40 € fee, nature, bank details', () => {
    const m = documentMentions(sampleView());
    const legal = m.legal.map(norm);
    expect(legal).toEqual([
      "Nature de l'opération : Prestation de services",
      "Date d'échéance du paiement : 13/04/2026",
      'Conditions de paiement : 30 jours',
      NO_EARLY_PAYMENT_DISCOUNT,
      'Taux des pénalités de retard : 12,15 %',
      'Indemnité forfaitaire pour frais de recouvrement : 40 €',
    ]);
    expect(m.bank).toEqual(['IBAN : FR76 3000 6000 0112 3456 7890 189', 'BIC : AGRIFRPPXXX']);
    expect(m.notes).toBe('Merci pour votre confiance.');
  });

  it('to an individual: no 40 € fee', () => {
    const m = documentMentions(sampleView({ customer: INDIVIDUAL_CUSTOMER }));
    expect(m.legal).not.toContain(RECOVERY_FEE);
    expect(m.legal).toContain(NO_EARLY_PAYMENT_DISCOUNT);
  });

  it('franchise en base: the art. 293 B wording, first', () => {
    const m = documentMentions(sampleView({ seller: { vatRegime: 'franchise', vatNumber: null } }));
    expect(m.legal[0]).toBe('TVA non applicable, art. 293 B du CGI');
  });

  it('reverse charge, export, VAT on debits', () => {
    expect(documentMentions(sampleView({ overrides: { vatTreatment: 'reverse_charge' } })).legal[0]).toBe('Autoliquidation');
    expect(documentMentions(sampleView({ overrides: { vatTreatment: 'export' } })).legal[0]).toBe('Exonération de TVA, article 262 I du CGI');
    expect(documentMentions(sampleView({ seller: { vatOnDebits: true } })).legal).toContain(VAT_ON_DEBITS);
    expect(documentMentions(sampleView()).legal).not.toContain(VAT_ON_DEBITS);
  });

  it('the option for VAT on debits only when the document has services: it does not apply to goods', () => {
    const goods = itemLines(2).map((l) => ({ ...l, nature: 'goods' as const }));
    const debits = { seller: { vatOnDebits: true } };
    expect(documentMentions(sampleView({ ...debits, lines: goods })).legal).not.toContain(VAT_ON_DEBITS);
    expect(documentMentions(sampleView({ ...debits, lines: [...goods, ...itemLines(1)] })).legal).toContain(VAT_ON_DEBITS);
    expect(documentMentions(sampleView({ ...debits, lines: itemLines(2) })).legal).toContain(VAT_ON_DEBITS);
    for (const type of ['quote', 'deposit_invoice', 'credit_note', 'pro_forma'] as const) {
      expect(documentMentions(sampleView({ ...debits, lines: goods, overrides: { type } })).legal, type).not.toContain(VAT_ON_DEBITS);
    }
  });

  it('nature of the operation: goods, services or mixed', () => {
    const goods = itemLines(2).map((l) => ({ ...l, nature: 'goods' as const }));
    expect(documentMentions(sampleView({ lines: goods })).legal).toContain("Nature de l'opération : Livraison de biens");
    expect(documentMentions(sampleView({ lines: [...goods, ...itemLines(1)] })).legal).toContain("Nature de l'opération : Mixte");
  });
});

describe('mentions of quotes, pro forma and credit notes', () => {
  it('a quote: validity and agreement, no late-payment mentions', () => {
    const m = documentMentions(sampleView({ overrides: { type: 'quote', number: 'D-2026-0007', dueDate: null, validityDate: '2026-04-14' } }));
    expect(m.legal).toContain("Devis valable jusqu'au 14/04/2026");
    expect(m.legal.some((l) => l.startsWith('Bon pour accord'))).toBe(true);
    expect(m.legal.some((l) => l.includes('pénalités') || l.includes('recouvrement') || l === NO_EARLY_PAYMENT_DISCOUNT)).toBe(false);
  });

  it('a pro forma says it is not an invoice', () => {
    const m = documentMentions(sampleView({ overrides: { type: 'pro_forma', validityDate: '2026-04-14' } }));
    expect(m.legal).toContain(NOT_AN_INVOICE);
    expect(m.legal).toContain("Valable jusqu'au 14/04/2026");
    expect(m.legal.some((l) => l.includes('pénalités'))).toBe(false);
  });

  it('a credit note references the invoice and shows no bank details', () => {
    const view = sampleView({ overrides: { type: 'credit_note', number: 'A-2026-0002', dueDate: null, corrects: { number: 'F-2026-0042', issueDate: '2026-03-14' } } });
    expect(norm(correctsLine(view)!)).toBe('Avoir sur la facture n° F-2026-0042 du 14/03/2026');
    expect(documentMentions(view).bank).toEqual([]);
    expect(totalRows(view).at(-1)!.label).toBe("Montant de l'avoir");
  });

  it('a credit note owes money back: no billing label, due date, payment terms, penalties or 40 € fee, and says what becomes of its amount', () => {
    const corrects = { number: 'F-2026-0042', issueDate: '2026-03-14' };
    // Even with a due date and payment terms on the row (as a credit note copied from an invoice carries them).
    const view = sampleView({ overrides: { type: 'credit_note', number: 'A-2026-0002', corrects } });
    const legal = documentMentions(view).legal.map(norm);
    expect(legal).toEqual([
      "Nature de l'opération : Prestation de services",
      'Montant à déduire de la facture n° F-2026-0042 du 14/03/2026 ou, si elle est déjà réglée, à vous rembourser',
    ]);
    expect(customerLabel(view)).toBe('Client');
    expect(headerDates(view).map(([label]) => label)).not.toContain("Date d'échéance");
    expect(customerLabel(sampleView())).toBe('Facturé à');
  });
});

describe('totals of a final invoice after deposits', () => {
  const view = sampleView({
    lines: itemLines(5),
    deposits: [
      { number: 'F-2026-0040', issueDate: '2026-02-01', vat: [{ rate: '20', baseCents: 100_000, vatCents: 20_000 }] },
      { number: 'F-2026-0041', issueDate: '2026-02-15', vat: [{ rate: '20', baseCents: 50_000, vatCents: 10_000 }, { rate: '10', baseCents: 20_000, vatCents: 2_000 }] },
    ],
  });
  const rows = totalRows(view).map((r) => [norm(r.label), ...r.amounts.map(norm)]);

  it('read as a statement: the sale, each deposit with its HT, TVA and TTC, this invoice, the net to pay', () => {
    expect(totalColumns(view)).toEqual(['HT', 'TVA', 'TTC']);
    expect(rows).toEqual([
      ['Total de la vente', '9 100,92 €', '1 388,09 €', '10 489,01 €'],
      ['Acompte n° F-2026-0040 du 01/02/2026', '−1 000,00 €', '−200,00 €', '−1 200,00 €'],
      ['Acompte n° F-2026-0041 du 15/02/2026', '−700,00 €', '−120,00 €', '−820,00 €'],
      ['Total de la présente facture', '7 400,92 €', '1 068,09 €', '8 469,01 €'],
      ['Net à payer', '', '', '8 469,01 €'],
    ]);
  });

  it("never label the sale's figures as this invoice's totals", () => {
    const labels = rows.map(([label]) => label);
    for (const plain of ['Total HT', 'Total TVA', 'Total TTC']) expect(labels).not.toContain(plain);
    // The sale less the deposits is this invoice, to the cent.
    const t = view.totals;
    expect(t.saleGrossCents - (view.deposits ?? []).reduce((s, d) => s + d.grossCents, 0)).toBe(t.grossCents);
  });

  it('an invoice without deposits keeps its plain column of totals', () => {
    expect(totalColumns(sampleView())).toEqual([]);
    expect(totalRows(sampleView()).map((r) => r.label)).toEqual(['Total HT', 'Total TVA', 'Total TTC', 'Net à payer']);
  });
});

describe('header and identity', () => {
  it('continuation pages repeat the document, its number and date, and the customer', () => {
    expect(norm(runningHeader(sampleView()))).toBe('Facture n° F-2026-0042 du 14/03/2026 — Boulangerie Léa Martin');
    expect(runningHeader(sampleView({ overrides: { draft: true, number: null } }))).toBe('Facture (brouillon) du 14/03/2026 — Boulangerie Léa Martin');
  });

  it('number or "Brouillon"', () => {
    expect(norm(documentNumberLabel({ number: 'F-1', draft: false }))).toBe('n° F-1');
    expect(documentNumberLabel({ number: null, draft: false })).toBe('Brouillon');
    expect(documentNumberLabel({ number: 'F-1', draft: true })).toBe('Brouillon');
  });

  it('dates by document type', () => {
    expect(headerDates(sampleView())).toEqual([
      ["Date d'émission", '14/03/2026'],
      ['Date de la prestation', '10/03/2026'],
      ["Date d'échéance", '13/04/2026'],
    ]);
    expect(headerDates(sampleView({ overrides: { type: 'quote', serviceDate: null, validityDate: '2026-04-30' } }))).toEqual([
      ["Date d'émission", '14/03/2026'],
      ["Valable jusqu'au", '30/04/2026'],
    ]);
  });

  it('legal identity of a company and of an individual entrepreneur', () => {
    expect(norm(legalIdentity(SELLER))).toBe('Atelier Dupont & Fils — SARL au capital de 10 000 € — RCS Paris — SIREN 732 829 320');
    const ei = { ...SELLER, name: 'Jean Petit', legalForm: 'EI' as const, shareCapitalCents: null, rcsCity: null };
    expect(norm(legalIdentity(ei))).toBe('Jean Petit EI — SIREN 732 829 320');
    expect(displayName({ name: 'Jean Petit EI', legalForm: 'EI' })).toBe('Jean Petit EI');
    expect(displayName(BUSINESS_CUSTOMER)).toBe('Boulangerie Léa Martin');
  });
});

describe('mentions of a deposit invoice', () => {
  const goods: LineInput = { kind: 'item', designation: 'Poêle à bois', quantity: '1', unitPrice: '2500', vatRate: '20', nature: 'goods' };
  const service: LineInput = { kind: 'item', designation: 'Pose du poêle', quantity: '1', unitPrice: '300', vatRate: '20', nature: 'service' };
  const depositOf = (lines: LineInput[]) => {
    const quote = { number: 'D-2026-0004', issueDate: '2026-03-02', totals: computeTotals({ lines }), lines };
    return sampleView({ overrides: { type: 'deposit_invoice' }, lines: depositLines(quote, { percentHundredths: 3_000n }).lines as DocumentLineView[] });
  };

  it('states the nature of what the quote sells: goods, or both', () => {
    expect(documentMentions(depositOf([goods])).legal).toContain("Nature de l'opération : Livraison de biens");
    expect(documentMentions(depositOf([goods, service])).legal).toContain("Nature de l'opération : Mixte");
    expect(depositOf([goods]).lines.map((l) => l.designation)).toEqual(['Acompte de 30 % sur le devis D-2026-0004 du 02/03/2026 : Poêle à bois']);
  });
});

describe('French number formats from exact decimals', () => {
  it('quantities, prices and rates', () => {
    expect(formatQuantity('1.500')).toBe('1,5');
    expect(norm(formatQuantity('12000'))).toBe('12 000');
    expect(norm(formatUnitPrice('1234.5'))).toBe('1 234,50 €');
    expect(norm(formatUnitPrice('0.1234'))).toBe('0,1234 €');
    expect(norm(formatRate('5.5'))).toBe('5,5 %');
    expect(formatNumberFr('-3.10', 2, 2)).toBe('-3,10');
  });
});
