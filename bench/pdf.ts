/**
 * pdf: milliseconds to render a 30-line invoice with our renderer (pdfkit, PDF/A-3b, tagged),
 * against @react-pdf/renderer rendering the same invoice — same data, same blocks (seller and
 * customer, title and dates, a 30-row table with descriptions, VAT summary, totals, mentions,
 * footer with page numbers), fonts registered from the same DejaVu files — in the same run.
 * Batches of the two alternate so that both see the same machine load; each figure is the median
 * of the batches' mean time per document. ratio = react-pdf ms / ours ms (higher is better).
 * Extras: pages per second for a 500-line invoice with ours; ours with its cross-document cache
 * of laid-out words emptied before each render (the cold case).
 */
import { createElement as h, type ReactElement } from 'react';
import { Document, Font, Page, StyleSheet, Text, View, renderToBuffer } from '@react-pdf/renderer';
import type { Style } from '@react-pdf/types';
import type { DocumentView } from '../src/core/documents';
import { formatEuros } from '../src/core/money';
import { renderDocumentPdf } from '../src/server/pdf/render';
import { resetLayoutCaches } from '../src/server/pdf/document';
import { fontPath } from '../src/server/pdf/fonts';
import { itemLines, sampleView } from '../src/server/pdf/fixtures';
import { addressLines, displayName, formatDiscount, formatQuantity, formatRate, formatUnitPrice } from '../src/server/pdf/format';
import { documentMentions, documentNumberLabel, documentTitle, headerDates, legalIdentity } from '../src/server/pdf/mentions';
import { totalRows } from '../src/server/pdf/blocks';
import { median, round, type BenchResult } from './report';

const WARMUP = Number(process.env.BENCH_PDF_WARMUP ?? 15);
const BATCHES = Number(process.env.BENCH_PDF_BATCHES ?? 7);
const PER_BATCH = Number(process.env.BENCH_PDF_PER_BATCH ?? 10);
const GOAL = 1.5;

Font.register({
  family: 'DejaVu',
  fonts: [
    { src: fontPath('regular') },
    { src: fontPath('bold'), fontWeight: 'bold' },
    { src: fontPath('italic'), fontStyle: 'italic' },
  ],
});
Font.registerHyphenationCallback((word) => [word]);

const s = StyleSheet.create({
  page: { fontFamily: 'DejaVu', fontSize: 8.5, color: '#1a1a1a', paddingTop: 42.5, paddingBottom: 70, paddingHorizontal: 42.5 },
  header: { flexDirection: 'row', justifyContent: 'space-between', marginBottom: 20 },
  half: { width: '48%' },
  name: { fontWeight: 'bold', fontSize: 11, marginBottom: 2 },
  title: { fontWeight: 'bold', fontSize: 20, color: '#1f3a5f' },
  number: { fontWeight: 'bold', fontSize: 11, marginBottom: 4 },
  box: { marginTop: 12, padding: 8, border: '0.6 solid #d0d0d0', borderRadius: 3 },
  label: { fontSize: 7.5, color: '#666666' },
  headRow: { flexDirection: 'row', backgroundColor: '#eeeeee', fontWeight: 'bold', fontSize: 8 },
  row: { flexDirection: 'row', borderBottom: '0.5 solid #d0d0d0' },
  cell: { padding: 3.5 },
  right: { textAlign: 'right' },
  description: { fontSize: 7.5, color: '#666666', marginTop: 1.5 },
  summary: { flexDirection: 'row', justifyContent: 'space-between', marginTop: 10, marginBottom: 16 },
  totalRow: { flexDirection: 'row', justifyContent: 'space-between', padding: 4 },
  strong: { fontWeight: 'bold', fontSize: 9.5, backgroundColor: '#eeeeee' },
  mention: { fontSize: 8, marginBottom: 2 },
  footer: { position: 'absolute', bottom: 42.5, left: 42.5, right: 42.5, flexDirection: 'row', justifyContent: 'space-between', fontSize: 7, color: '#666666', borderTop: '0.5 solid #d0d0d0', paddingTop: 6 },
});

const COLUMNS = [
  { key: 'ref', label: 'Réf.', width: 50 },
  { key: 'designation', label: 'Désignation', width: 175 },
  { key: 'qty', label: 'Qté', width: 40 },
  { key: 'unit', label: 'Unité', width: 40 },
  { key: 'price', label: 'PU HT', width: 62 },
  { key: 'discount', label: 'Remise', width: 46 },
  { key: 'vat', label: 'TVA %', width: 36 },
  { key: 'total', label: 'Total HT', width: 68 },
] as const;

/** The same invoice as a react-pdf tree, built from the same view and the same text helpers. */
export function reactInvoice(view: DocumentView): ReactElement {
  const { seller, customer, totals } = view;
  const mentions = documentMentions(view);
  const text = (style: Style | Style[] | undefined, value: string) => h(Text, { style }, value);
  const cellStyle = (width: number, right: boolean): Style[] => [s.cell, { width }, ...(right ? [s.right] : [])];
  const header = h(
    View,
    { style: s.header },
    h(View, { style: s.half }, text(s.name, displayName(seller)), ...[...addressLines(seller.address), `SIREN : ${seller.siren}`, `SIRET : ${seller.siret}`, `N° TVA : ${seller.vatNumber}`, seller.email ?? '', `Tél. : ${seller.phone}`].map((l) => text(undefined, l))),
    h(
      View,
      { style: s.half },
      text(s.title, documentTitle(view)),
      text(s.number, documentNumberLabel(view)),
      ...headerDates(view).map(([label, value]) => text(undefined, `${label} : ${value}`)),
      h(View, { style: s.box }, text(s.label, 'Facturé à'), text(s.name, displayName(customer)), ...addressLines(customer.address).map((l) => text(undefined, l)), text(undefined, `SIREN : ${customer.siren}`), text(undefined, `N° TVA : ${customer.vatNumber}`)),
    ),
  );
  const head = h(View, { style: s.headRow, fixed: true }, ...COLUMNS.map((c) => text(cellStyle(c.width, c.key !== 'ref' && c.key !== 'designation' && c.key !== 'unit'), c.label)));
  const rows = view.lines.map((line, i) => {
    const t = totals.lines[i];
    const values: Record<string, string> = {
      ref: line.reference ?? '',
      qty: formatQuantity(line.quantity),
      unit: line.unit ?? '',
      price: formatUnitPrice(line.unitPrice),
      discount: formatDiscount(line.discount, t?.discountCents),
      vat: formatRate(line.vatRate),
      total: t ? formatEuros(t.netCents) : '',
    };
    return h(
      View,
      { style: s.row, wrap: false, key: i },
      ...COLUMNS.map((c) =>
        c.key === 'designation'
          ? h(View, { style: cellStyle(c.width, false) }, text(undefined, line.designation), ...(line.description ? [text(s.description, line.description)] : []))
          : text(cellStyle(c.width, c.key !== 'ref' && c.key !== 'unit'), values[c.key] ?? ''),
      ),
    );
  });
  const vat = h(
    View,
    { wrap: false },
    text({ fontWeight: 'bold' }, 'Récapitulatif de la TVA'),
    h(View, { style: s.headRow }, text(cellStyle(44, false), 'Taux'), text(cellStyle(88, true), 'Base HT'), text(cellStyle(80, true), 'TVA')),
    ...totals.vat.map((v) => h(View, { style: s.row }, text(cellStyle(44, false), formatRate(v.rate)), text(cellStyle(88, true), formatEuros(v.baseCents)), text(cellStyle(80, true), formatEuros(v.vatCents)))),
  );
  const totalsBlock = h(View, { style: { width: 240 } }, ...totalRows(view).map((r) => h(View, { style: r.strong ? [s.totalRow, s.strong] : s.totalRow }, text(undefined, r.label), text(undefined, r.amounts.join(' ')))));
  const footer = h(View, { style: s.footer, fixed: true }, text(undefined, legalIdentity(seller)), h(Text, { render: ({ pageNumber, totalPages }: { pageNumber: number; totalPages: number }) => `Page ${pageNumber} / ${totalPages}` }));
  return h(
    Document,
    { title: documentTitle(view), author: seller.name, language: 'fr-FR' },
    h(
      Page,
      { size: 'A4', style: s.page },
      header,
      head,
      ...rows,
      h(View, { style: s.summary, wrap: false }, vat, totalsBlock),
      ...mentions.legal.map((m) => text(s.mention, m)),
      text([s.mention, { fontWeight: 'bold', marginTop: 8 }], 'Coordonnées bancaires'),
      text(s.mention, mentions.bank.join('    ')),
      ...(mentions.notes ? [text([s.mention, { fontStyle: 'italic' }], mentions.notes)] : []),
      footer,
    ),
  );
}

async function timeBatch(render: () => Promise<unknown>, count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await render();
  return (performance.now() - started) / count;
}

function pageCount(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
}

export async function pdf(): Promise<BenchResult> {
  const view = sampleView({ lines: itemLines(30) });
  const ours = () => renderDocumentPdf(view);
  const react = () => renderToBuffer(reactInvoice(view) as Parameters<typeof renderToBuffer>[0]);

  const [oursPdf, reactPdf] = [await ours(), await react()];
  for (let i = 0; i < WARMUP; i++) {
    await ours();
    await react();
  }
  // Ours keeps laid-out words across documents; "cold" forgets them before each render, as for
  // an invoice whose every word would be new: the figure that does not depend on that cache.
  const oursCold = () => {
    resetLayoutCaches();
    return ours();
  };
  const oursMs: number[] = [];
  const reactMs: number[] = [];
  const coldMs: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    oursMs.push(await timeBatch(ours, PER_BATCH));
    reactMs.push(await timeBatch(react, PER_BATCH));
    coldMs.push(await timeBatch(oursCold, PER_BATCH));
  }

  const big = sampleView({ lines: itemLines(500) });
  const bigPdf = await renderDocumentPdf(big);
  const bigPages = pageCount(bigPdf);
  const bigMs: number[] = [];
  for (let b = 0; b < 3; b++) bigMs.push(await timeBatch(() => renderDocumentPdf(big), 2));

  const o = median(oursMs);
  const r = median(reactMs);
  const ratio = r / o;
  const big500 = { pages: bigPages, ms: round(median(bigMs)), pagesPerSecond: round((bigPages * 1000) / median(bigMs), 1) };
  const result: BenchResult = {
    name: 'pdf',
    metric: 'ms per 30-line invoice',
    unit: 'ms',
    ours: round(o),
    baseline: round(r),
    baselineName: '@react-pdf/renderer (same invoice, same fonts)',
    ratio: round(ratio),
    goal: `ratio >= ${GOAL}`,
    met: ratio >= GOAL,
    batches: { ours: oursMs.map((x) => round(x)), baseline: reactMs.map((x) => round(x)), perBatch: PER_BATCH },
    pages: { ours: pageCount(oursPdf), baseline: pageCount(reactPdf) },
    bytes: { ours: oursPdf.length, baseline: reactPdf.length },
    invoice500: big500,
    oursColdWordCache: { ms: round(median(coldMs)), ratio: round(r / median(coldMs)) },
  };
  console.log(`  ours ${result.ours} ms (${round(median(coldMs))} ms with no word cached), react-pdf ${result.baseline} ms, ratio ${result.ratio} (goal ${result.goal}); 500 lines: ${big500.pages} pages in ${big500.ms} ms, ${big500.pagesPerSecond} pages/s`);
  return result;
}

export { pdf as run };
