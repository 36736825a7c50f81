/**
 * The PDF read back with Mozilla's pdf.js (test/helpers/pdf.ts): what a person or a program
 * opening the file gets — the text laid out line by line, the fonts, the images, the information
 * dictionary. Spaces are normalised here (U+202F, U+00A0 → ' '), never in the product.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, beforeAll } from 'vitest';
import type { DocumentLineView, DocumentView } from '../../core/documents';
import { makePng } from '../../../test/helpers/images';
import { readPdf, type PdfReading } from '../../../test/helpers/pdf';
import { INDIVIDUAL_CUSTOMER, itemLines, sampleView } from './fixtures';
import { FONTS_DIR } from './fonts';
import { renderDocumentPdf } from './render';

const norm = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

async function render(view: DocumentView): Promise<{ read: PdfReading; text: string; pdf: Buffer }> {
  const pdf = await renderDocumentPdf(view);
  const read = await readPdf(pdf);
  return { read, pdf, text: norm(read.text) };
}

/** The text of page `page` (1-based). */
const pageText = (read: PdfReading, page: number) => norm(read.pages[page - 1]!);

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;
const HEADER = /Réf\.\s+Désignation\s+Qté\s+Unité\s+PU HT/g;

describe('an invoice to a business', () => {
  let doc: Awaited<ReturnType<typeof render>>;
  beforeAll(async () => {
    const lines: DocumentLineView[] = [{ kind: 'section', designation: 'Phase 1 — Conception' }, ...itemLines(12), { kind: 'comment', designation: 'Horaires à convenir ensemble.' }];
    doc = await render(sampleView({ lines }));
  });

  it('prints seller, customer, title, number and dates', () => {
    for (const s of [
      'Atelier Dupont & Fils',
      '12 rue des Écoles',
      'SIREN : 732 829 320',
      'SIRET : 732 829 320 00074',
      'N° TVA : FR44732829320',
      'contact@atelier-dupont.fr',
      'Boulangerie Léa Martin',
      'Adresse de livraison',
      'Entrepôt Sud, 40 avenue Jean Jaurès',
      'SIREN : 552 100 554',
      'N° TVA : FR96552100554',
      'Facture',
      'n° F-2026-0042',
      "Date d'émission : 14/03/2026",
      'Date de la prestation : 10/03/2026',
      "Date d'échéance : 13/04/2026",
    ]) {
      expect(doc.text).toContain(s);
    }
  });

  it("prints the customer's SIREN and VAT number with the billed customer, before the delivery address", () => {
    const t = doc.text;
    const box = t.slice(t.indexOf('Facturé à'));
    const order = ['Boulangerie Léa Martin', '3 place du Marché', '69002 Lyon', 'SIREN : 552 100 554', 'N° TVA : FR96552100554', 'Adresse de livraison', 'Entrepôt Sud'];
    const positions = order.map((s) => box.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('prints the table with accents, euros in the French format, sections and comments', () => {
    expect(doc.text).toMatch(/Réf\.\s+Désignation\s+Qté\s+Unité\s+PU HT\s+Remise\s+TVA %\s+Total HT/);
    expect(doc.text).toContain('Phase 1 — Conception');
    expect(doc.text).toContain('Horaires à convenir ensemble.');
    expect(doc.text).toMatch(/REF-001\s+Ligne 1 — Conception graphique\s+3,5\s+heure\s+1 234,56 €\s+20 %\s+4 320,96 €/);
    expect(doc.text).toMatch(/REF-004\s+Ligne 4 — Maintenance corrective\s+1\s+forfait\s+85,00 €\s+10 %\s+20 %\s+76,50 €/);
    expect(doc.text).toContain('Détail de la prestation réalisée');
  });

  it('prints the VAT summary per rate and the totals', () => {
    const t = doc.text;
    expect(t).toContain('Récapitulatif de la TVA');
    expect(t).toMatch(/Taux\s+Base HT\s+TVA/);
    expect(t).toMatch(/20 %\s+9 921,17 €\s+1 984,23 €/);
    expect(t).toMatch(/10 %\s+4 405,96 €\s+440,60 €/);
    expect(t).toMatch(/Total HT\s+14 327,13 €/);
    expect(t).toMatch(/Total TVA\s+2 424,83 €/);
    expect(t).toMatch(/Total TTC\s+16 751,96 €/);
    expect(t).toMatch(/Net à payer\s+16 751,96 €/);
  });

  it('prints every mandatory mention', () => {
    for (const s of [
      "Date d'échéance du paiement : 13/04/2026",
      'Conditions de paiement : 30 jours',
      "Pas d'escompte pour paiement anticipé",
      'Taux des pénalités de retard : 12,15 %',
      'Indemnité forfaitaire pour frais de recouvrement : 40 €',
      "Nature de l'opération : Prestation de services",
      'IBAN : FR76 3000 6000 0112 3456 7890 189',
      'BIC : AGRIFRPPXXX',
      'Merci pour votre confiance.',
      'Atelier Dupont & Fils — SARL au capital de 10 000 € — RCS Paris — SIREN 732 829 320',
    ]) {
      expect(doc.text).toContain(s);
    }
    expect(doc.text).toMatch(/Page 1 \/ \d/);
    expect(doc.text).not.toContain('TVA non applicable');
    expect(doc.text).not.toContain('BROUILLON');
  });

  it('embeds DejaVu Sans (subset) and is a tagged PDF 1.7 with French metadata', async () => {
    const { fonts, info, tagged, pageSizes } = doc.read;
    // Every font is a face of DejaVu Sans (regular and bold at least), embedded, subset, with a Unicode map.
    const faces = fonts.map((f) => f.name.replace(/^[A-Z]{6}\+/, ''));
    expect(faces).toEqual(expect.arrayContaining(['DejaVuSans', 'DejaVuSans-Bold']));
    for (const face of faces) expect(face).toMatch(/^DejaVuSans(-Bold|-Oblique|-BoldOblique)?$/);
    for (const font of fonts) expect(font, font.name).toMatchObject({ embedded: true, subset: true, toUnicode: true });

    expect(info).toMatchObject({
      Title: 'Facture F-2026-0042',
      Author: 'Atelier Dupont & Fils',
      Subject: 'Facture F-2026-0042 — Boulangerie Léa Martin',
      PDFFormatVersion: '1.7',
      Language: 'fr-FR',
    });
    expect(info.CreationDate?.toISOString()).toBe('2026-03-14T12:00:00.000Z');
    expect(tagged).toBe(true);
    for (const size of pageSizes) expect(size).toEqual({ width: 595.28, height: 841.89 }); // A4

    const raw = doc.pdf.toString('latin1');
    expect(raw).toContain('<pdfaid:part>3</pdfaid:part>');
    expect(raw).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
    expect(raw).toContain('<xmp:ModifyDate>2026-03-14T12:00:00Z</xmp:ModifyDate>');
    expect(raw).toContain('Atelier Dupont &amp; Fils'); // XMP escaped, Info not
    expect(raw).toContain('/Lang (fr-FR)');
    expect(raw).toContain('/OutputIntents');
    expect(raw).toContain('/FlateDecode');
  });
});

describe('VAT cases and customers', () => {
  it('franchise en base: the art. 293 B wording and no VAT anywhere', async () => {
    const { text: t } = await render(sampleView({ seller: { vatRegime: 'franchise', vatNumber: null } }));
    expect(t).toContain('TVA non applicable, art. 293 B du CGI');
    for (const s of ['TVA %', 'Total TVA', 'Total TTC', 'Récapitulatif de la TVA', 'N° TVA : FR44']) expect(t).not.toContain(s);
    expect(t).toMatch(/Total HT\s+4 703,46 €/);
    expect(t).toMatch(/Net à payer\s+4 703,46 €/);
  });

  it('reverse charge: "Autoliquidation"', async () => {
    const lines = itemLines(2).map((l) => ({ ...l, vatRate: '0' }));
    const { text: t } = await render(sampleView({ lines, overrides: { vatTreatment: 'reverse_charge' } }));
    expect(t).toContain('Autoliquidation');
    expect(t).toMatch(/0 %\s+4 405,96 €\s+0,00 €/);
  });

  it('VAT on debits: printed when the document has services, not on goods only', async () => {
    const option = "Option pour le paiement de la taxe d'après les débits";
    expect((await render(sampleView({ seller: { vatOnDebits: true } }))).text).toContain(option);
    const goods = itemLines(3).map((l) => ({ ...l, nature: 'goods' as const }));
    const { text: t } = await render(sampleView({ seller: { vatOnDebits: true }, lines: goods }));
    expect(t).toContain("Nature de l'opération : Livraison de biens");
    expect(t).not.toContain(option);
  });

  it('the 40 € fee is for business customers only', async () => {
    const fee = 'Indemnité forfaitaire pour frais de recouvrement : 40 €';
    expect((await render(sampleView())).text).toContain(fee);
    const individual = await render(sampleView({ customer: INDIVIDUAL_CUSTOMER }));
    expect(individual.text).not.toContain(fee);
    expect(individual.text).toContain('Taux des pénalités de retard : 12,15 %');
    expect(individual.text).toContain('Chloé Bernard');
  });

  it('an individual entrepreneur: "EI" after the name', async () => {
    const { text: t } = await render(sampleView({ seller: { name: 'Jean Petit', legalForm: 'EI', shareCapitalCents: null, rcsCity: null } }));
    expect(t).toContain('Jean Petit EI');
    expect(t).toContain('Jean Petit EI — SIREN 732 829 320');
  });

  it('a document discount', async () => {
    const { text: t } = await render(sampleView({ overrides: { discount: { type: 'percent', value: '10' } } }));
    expect(t).toMatch(/Total HT avant remise\s+4 703,46 €/);
    expect(t).toMatch(/Remise \(10 %\)\s+−470,35 €/);
    expect(t).toMatch(/Total HT\s+4 233,11 €/);
  });
});

describe('other documents', () => {
  it('a final invoice after a deposit: the sale, the deposit by number and date with its HT, TVA and TTC, this invoice, the net to pay', async () => {
    const view = sampleView({ deposits: [{ number: 'F-2026-0040', issueDate: '2026-02-01', vat: [{ rate: '20', baseCents: 100_000, vatCents: 20_000 }] }] });
    const { text: t } = await render(view);
    expect(t).toMatch(/Taux\s+Vente HT\s+TVA vente\s+Acomptes HT\s+TVA acomptes\s+Solde HT\s+TVA solde/);
    expect(t).toMatch(/20 %\s+4 703,46 €\s+940,69 €\s+−1 000,00 €\s+−200,00 €\s+3 703,46 €\s+740,69 €/);
    expect(t).toMatch(/Décompte\s+HT\s+TVA\s+TTC/);
    expect(t).toMatch(/Total de la vente\s+4 703,46 €\s+940,69 €\s+5 644,15 €/);
    expect(t).toMatch(/Acompte n° F-2026-0040 du 01\/02\/2026\s+−1 000,00 €\s+−200,00 €\s+−1 200,00 €/);
    expect(t).toMatch(/Total de la présente facture\s+3 703,46 €\s+740,69 €\s+4 444,15 €/);
    expect(t).toMatch(/Net à payer\s+4 444,15 €/);
    // The sale's figures are never printed as plain "Total HT / TVA / TTC", which read as this invoice's.
    expect(t).not.toMatch(/Total (HT|TVA|TTC)\s+[\d−]/);
  });

  it('a credit note: the corrected invoice and the amount credited, worded as money owed back', async () => {
    const view = sampleView({ overrides: { type: 'credit_note', number: 'A-2026-0002', corrects: { number: 'F-2026-0042', issueDate: '2026-03-14' } } });
    const { text: t } = await render(view);
    expect(t).toContain('Avoir');
    expect(t).toContain('n° A-2026-0002');
    expect(t).toContain('Avoir sur la facture n° F-2026-0042 du 14/03/2026');
    expect(t).toMatch(/Montant de l'avoir\s+5 644,15 €/);
    expect(t).toContain('Montant à déduire de la facture n° F-2026-0042 du 14/03/2026 ou, si elle est déjà réglée, à vous rembourser');
    expect(t).toMatch(/Client\s*\n[^\n]*Boulangerie Léa Martin/);
    for (const s of ['IBAN', 'Facturé à', "Date d'échéance", 'Conditions de paiement', "Pas d'escompte", 'pénalités', 'recouvrement']) expect(t).not.toContain(s);
  });

  it('a quote: validity, no late-payment mentions', async () => {
    const { text: t } = await render(sampleView({ overrides: { type: 'quote', number: 'D-2026-0007', dueDate: null, validityDate: '2026-04-13' } }));
    expect(t).toContain('Devis');
    expect(t).toContain("Valable jusqu'au : 13/04/2026");
    expect(t).toContain("Devis valable jusqu'au 13/04/2026");
    for (const s of ['pénalités', 'recouvrement', "Pas d'escompte", "Date d'échéance"]) expect(t).not.toContain(s);
    expect(t).toMatch(/Total TTC\s+5 644,15 €/);
  });

  it('a pro forma says it is not an invoice', async () => {
    const { text: t } = await render(sampleView({ overrides: { type: 'pro_forma', number: 'PF-2026-0001', validityDate: '2026-04-13' } }));
    expect(t).toContain('Facture pro forma');
    expect(t).toContain("Ce document n'est pas une facture");
    expect(t).not.toContain('pénalités');
  });

  it('a draft: "Brouillon" instead of the number and the watermark on every page', async () => {
    const { read, text: t } = await render(sampleView({ lines: itemLines(60), overrides: { draft: true, number: null } }));
    const pages = read.pageCount;
    expect(pages).toBeGreaterThan(1);
    expect(t).toContain('Brouillon');
    expect(t).not.toContain('F-2026-0042');
    for (let p = 1; p <= pages; p++) expect(pageText(read, p)).toContain('BROUILLON — document sans valeur');
    expect(read.info.Title).toBe('Facture (brouillon)');
  });
});

describe('pagination', () => {
  it('a 200-line invoice: page x / N on each page, the header on each page of the table, no row split or lost', async () => {
    const { read, text: all } = await render(sampleView({ lines: itemLines(200) }));
    const pages = read.pageCount;
    expect(pages).toBeGreaterThan(1);
    let tablePages = 0;
    const seenOn = new Map<number, number>();
    for (let p = 1; p <= pages; p++) {
      const t = pageText(read, p);
      expect(t).toContain(`Page ${p} / ${pages}`);
      // A continuation page says, at its top, whose document it is.
      const top = t.trimStart().split('\n')[0]!;
      if (p > 1) expect(top, `running header on page ${p}`).toMatch(new RegExp(`^Facture n° F-2026-0042 du 14/03/2026 — Boulangerie Léa Martin\\s+Page ${p} / ${pages}$`));
      else expect(top).not.toContain('Boulangerie Léa Martin');
      expect(t).toContain('Atelier Dupont & Fils — SARL au capital de 10 000 € — RCS Paris — SIREN 732 829 320');
      const refs = [...t.matchAll(/REF-(\d{3})\s+Ligne (\d+) —/g)];
      if (refs.length > 0) {
        tablePages++;
        expect(t.match(HEADER)?.length, `header on page ${p}`).toBe(1);
      }
      for (const [, ref, line] of refs) {
        // The reference and the designation of a row are on the same page (the row is whole).
        expect(Number(ref)).toBe(Number(line));
        seenOn.set(Number(line), p);
      }
    }
    expect(all.match(HEADER)?.length).toBe(tablePages);
    expect(tablePages).toBeGreaterThanOrEqual(pages - 1); // the totals may start the last page
    for (let i = 1; i <= 200; i++) expect(count(all, `Ligne ${i} — `), `line ${i}`).toBe(1);
    expect(seenOn.size).toBe(200);
    // Rows come in order, page after page.
    const order = [...seenOn.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(all).toContain('Net à payer');
  });

  it('a long reference breaks only after its hyphens, never inside a word', async () => {
    const lines = itemLines(3).map((l, i) => (i === 1 ? { ...l, reference: 'POSE-CARRELAGE-60X60' } : l));
    const { text: t } = await render(sampleView({ lines }));
    const cells = t
      .split('\n')
      .map((l) => /^\s*(\S+)/.exec(l)?.[1] ?? '')
      .filter((cell) => /POSE|CARRELAGE|60X60/.test(cell));
    expect(cells).toEqual(['POSE-', 'CARRELAGE-', '60X60']);
    expect(t).toMatch(/REF-001\s+Ligne 1 — Conception graphique/);
  });

  it('a description longer than a page is cut, not lost in a loop', async () => {
    const long = Array.from({ length: 400 }, (_, i) => `Étape ${i + 1} du chantier, réalisée selon le cahier des charges.`).join(' ');
    const lines: DocumentLineView[] = [{ ...itemLines(1)[0]!, description: long }, ...itemLines(2, 'Suite')];
    const { read, text: t } = await render(sampleView({ lines }));
    expect(read.pageCount).toBeGreaterThanOrEqual(2);
    expect(t).toContain('Suite 2 —');
    expect(t).toContain('Net à payer');
  });
});

describe('files', () => {
  it('the same view gives the same bytes, whatever was rendered before', async () => {
    const view = sampleView({ lines: itemLines(40), overrides: { logo: { contentType: 'image/png', content: makePng(40, 20) } } });
    const a = await renderDocumentPdf(view);
    await renderDocumentPdf(sampleView({ lines: itemLines(5, 'Autre ligne, autre texte : ÀÉÎÕÜ ß æ œ') }));
    const b = await renderDocumentPdf(view);
    expect(b.equals(a)).toBe(true);
    const later = await renderDocumentPdf(view, { producedAt: new Date('2026-03-15T08:00:00Z') });
    expect(later.equals(a)).toBe(false);
    expect((await readPdf(later)).info.CreationDate?.toISOString()).toBe('2026-03-15T08:00:00.000Z');
  });

  it('embeds a PNG logo', async () => {
    const { read } = await render(sampleView({ overrides: { logo: { contentType: 'image/png', content: makePng(300, 100) } } }));
    expect(read.images).toEqual([{ page: 1, width: 300, height: 100, colour: 'rgb' }]);
  });

  it('skips a logo that is not an image instead of failing', async () => {
    const { read, text: t } = await render(sampleView({ overrides: { logo: { contentType: 'image/png', content: new Uint8Array([1, 2, 3]) } } }));
    expect(read.images).toEqual([]);
    expect(t).toContain('Net à payer');
  });

  it('prints a replacement mark for characters DejaVu lacks (PDF/A forbids .notdef)', async () => {
    const customer = { ...INDIVIDUAL_CUSTOMER, name: 'Wang 王 Li\u200b' };
    const { text: t } = await render(sampleView({ customer, overrides: { notes: 'Ligne 1\r\nLigne 2\tfin' } }));
    expect(t).toContain('Wang \ufffd Li');
    expect(t).not.toContain('王');
    expect(t).toMatch(/Ligne 1\s*\n\s*Ligne 2 fin/);
  });

  it('finds its fonts from any working directory', async () => {
    expect(path.isAbsolute(FONTS_DIR)).toBe(true);
    await fs.access(path.join(FONTS_DIR, 'LICENSE-DejaVu.txt'));
    const cwd = process.cwd();
    process.chdir(os.tmpdir());
    try {
      expect((await renderDocumentPdf(sampleView())).length).toBeGreaterThan(10_000);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('the streams of the file', () => {
  it('have the length they declare, and every compressed one inflates to operators (page contents written as one piece each, then compressed)', async () => {
    const { inflateSync } = await import('node:zlib');
    const pdf = await renderDocumentPdf(sampleView({ lines: itemLines(30) }));
    const latin1 = pdf.toString('latin1');
    const streams = [...latin1.matchAll(/<<([^]*?)>>\nstream\n/g)];
    expect(streams.length).toBeGreaterThan(3);
    let pageContents = 0;
    for (const m of streams) {
      const dict = m[1]!;
      const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
      const start = m.index! + m[0].length;
      expect(latin1.slice(start + length, start + length + 10)).toBe('\nendstream');
      if (!dict.includes('/Filter /FlateDecode')) continue;
      const bytes = inflateSync(pdf.subarray(start, start + length));
      if (/\bBT\b/.test(bytes.toString('latin1'))) {
        pageContents++;
        const ops = bytes.toString('latin1');
        // Each operator on its own line, as pdfkit writes them.
        expect(ops).toMatch(/\nBT\n1 0 0 1 [\d.]+ [\d.]+ Tm\n\/F\d [\d.]+ Tf\n\[<[0-9a-f]+>/);
        expect(count(ops, '\nBT\n')).toBe(count(ops, '\nET\n'));
      }
    }
    expect(pageContents).toBe(latin1.match(/\/Type \/Page\b(?!s)/g)!.length);
    expect(pageContents).toBeGreaterThan(1);
  });
});
