/**
 * pdf: milliseconds to render a 30-line invoice with our renderer (pdfkit, PDF/A-3b, tagged),
 * side by side, in the same run, with two references:
 * - @react-pdf/renderer rendering the same invoice — same data, same blocks (seller and customer,
 *   title and dates, a 30-row table with descriptions, VAT summary, totals, mentions, footer with
 *   page numbers), fonts registered from the same DejaVu files;
 * - plain pdfkit drawing the same pages with a standard font (Helvetica, nothing embedded) and no
 *   PDF/A, tagging or metadata: our render's own drawing calls (texts, positions, widths, fills,
 *   rules, pages), recorded once and replayed with nothing measured or laid out beforehand. That
 *   is the least pdfkit can spend on these pages: the floor of the library.
 * Batches of the three alternate so that all see the same machine load; each figure is the median
 * of the batches' mean time per document, wall clock and CPU (process.cpuUsage: on a machine
 * shared with other work, CPU time is the steadier of the two, and the goals are judged on it).
 * ratio = react-pdf / ours (higher is better); floorRatio = ours / plain pdfkit (lower is
 * better, 1 is the floor).
 * Extras: pages per second for a 500-line invoice with ours; ours with its cross-document cache
 * of laid-out words emptied before each render (the cold case).
 */
import PDFDocument from 'pdfkit';
import { createElement as h, type ReactElement } from 'react';
import { Document, Font, Page, StyleSheet, Text, View, renderToBuffer } from '@react-pdf/renderer';
import type { Style } from '@react-pdf/types';
import type { DocumentView } from '../src/core/documents';
import { formatEuros } from '../src/core/money';
import { drawDocument, pdfMetadata, renderDocumentPdf } from '../src/server/pdf/render';
import { createPdf, fontName, resetLayoutCaches, type Doc } from '../src/server/pdf/document';
import { fontPath } from '../src/server/pdf/fonts';
import { itemLines, sampleView } from '../src/server/pdf/fixtures';
import { addressLines, displayName, formatDiscount, formatQuantity, formatRate, formatUnitPrice } from '../src/server/pdf/format';
import { documentMentions, documentNumberLabel, documentTitle, headerDates, legalIdentity } from '../src/server/pdf/mentions';
import { totalRows } from '../src/server/pdf/blocks';
import { median, round, type BenchResult } from './report';

const WARMUP = Number(process.env.BENCH_PDF_WARMUP ?? 15);
const BATCHES = Number(process.env.BENCH_PDF_BATCHES ?? 7);
const PER_BATCH = Number(process.env.BENCH_PDF_PER_BATCH ?? 10);
/** Ours at least this many times faster than react-pdf… */
const GOAL = 10;
/** …and at most this many times plain pdfkit's time for the same pages. */
const FLOOR_GOAL = 1.2;

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

interface Timing {
  ms: number;
  cpuMs: number;
}

/** Mean wall-clock and CPU milliseconds per document over `count` renders. */
async function timeBatch(render: () => Promise<unknown>, count: number): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < count; i++) await render();
  const ms = (performance.now() - started) / count;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 / count };
}

/** Drawing calls on the document, in order: what plain pdfkit replays. */
type DrawCall = [method: string, args: unknown[]];

/** Calls that only measure, tag or describe: none of them draws anything. */
const NOT_DRAWING = new Set(['struct', 'addStructure', 'markContent', 'markStructureContent', 'endMarkedContent', 'widthOfString', 'heightOfString', 'currentLineHeight', 'bufferedPageRange', 'registerFont', 'openImage']);

/**
 * Renders the view with our renderer through a recording stand-in of the document, and returns
 * the drawing calls our code made on it (chained calls included).
 */
function recordDrawing(view: DocumentView): DrawCall[] {
  const doc = createPdf(pdfMetadata(view));
  const calls: DrawCall[] = [];
  const recorder: Doc = new Proxy(doc, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        if (!NOT_DRAWING.has(key)) calls.push([key, args]);
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result === target ? recorder : result;
      };
    },
  });
  drawDocument(recorder, view);
  return calls;
}

const HELVETICA: Record<string, string> = { [fontName('regular')]: 'Helvetica', [fontName('bold')]: 'Helvetica-Bold', [fontName('italic')]: 'Helvetica-Oblique' };

/** Plain pdfkit: the recorded calls replayed on a bare document with the standard Helvetica fonts. */
function plainPdfkit(calls: DrawCall[]): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false, bufferPages: true, compress: true, font: 'Helvetica' });
  const target = doc as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const [method, args] of calls) {
    if (method === 'font') target.font!(HELVETICA[args[0] as string] ?? 'Helvetica', ...args.slice(1));
    else target[method]!(...args);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

function pageCount(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
}

const ms = (timings: Timing[]) => round(median(timings.map((t) => t.ms)));
const cpuMs = (timings: Timing[]) => round(median(timings.map((t) => t.cpuMs)));

export async function pdf(): Promise<BenchResult> {
  const view = sampleView({ lines: itemLines(30) });
  const ours = () => renderDocumentPdf(view);
  const react = () => renderToBuffer(reactInvoice(view) as Parameters<typeof renderToBuffer>[0]);
  const calls = recordDrawing(view);
  const plain = () => plainPdfkit(calls);

  const [oursPdf, reactPdf, plainPdf] = [await ours(), await react(), await plain()];
  for (let i = 0; i < WARMUP; i++) {
    await ours();
    await react();
    await plain();
  }
  // Ours keeps laid-out words across documents; "cold" forgets them before each render, as for
  // an invoice whose every word would be new: the figure that does not depend on that cache.
  const oursCold = () => {
    resetLayoutCaches();
    return ours();
  };
  const oursT: Timing[] = [];
  const reactT: Timing[] = [];
  const plainT: Timing[] = [];
  const coldT: Timing[] = [];
  for (let b = 0; b < BATCHES; b++) {
    oursT.push(await timeBatch(ours, PER_BATCH));
    reactT.push(await timeBatch(react, PER_BATCH));
    plainT.push(await timeBatch(plain, PER_BATCH));
    coldT.push(await timeBatch(oursCold, PER_BATCH));
  }

  const big = sampleView({ lines: itemLines(500) });
  const bigPdf = await renderDocumentPdf(big);
  const bigPages = pageCount(bigPdf);
  const bigT: Timing[] = [];
  for (let b = 0; b < 3; b++) bigT.push(await timeBatch(() => renderDocumentPdf(big), 2));

  const o = ms(oursT);
  const r = ms(reactT);
  const p = ms(plainT);
  const ratio = r / o;
  const floorRatio = o / p;
  const cpu = { ours: cpuMs(oursT), baseline: cpuMs(reactT), plainPdfkit: cpuMs(plainT), oursColdWordCache: cpuMs(coldT) };
  // The goals are judged on CPU time: on a machine shared with other work, a batch's wall time
  // also counts the time others held the processor.
  const cpuRatio = cpu.baseline / cpu.ours;
  const cpuFloorRatio = cpu.ours / cpu.plainPdfkit;
  const big500 = { pages: bigPages, ms: ms(bigT), cpuMs: cpuMs(bigT), pagesPerSecond: round((bigPages * 1000) / median(bigT.map((t) => t.ms)), 1) };
  const result: BenchResult = {
    name: 'pdf',
    metric: 'ms per 30-line invoice',
    unit: 'ms',
    ours: o,
    baseline: r,
    baselineName: '@react-pdf/renderer (same invoice, same fonts)',
    ratio: round(ratio),
    goal: `in CPU time per document: react-pdf / ours >= ${GOAL} and ours / plain pdfkit <= ${FLOOR_GOAL}`,
    met: cpuRatio >= GOAL && cpuFloorRatio <= FLOOR_GOAL,
    plainPdfkit: { name: 'pdfkit, Helvetica (standard font, not embedded), no PDF/A, untagged: the same drawing calls replayed', ms: p, floorRatio: round(floorRatio), cpuFloorRatio: round(cpuFloorRatio), goal: `cpuFloorRatio <= ${FLOOR_GOAL}`, met: cpuFloorRatio <= FLOOR_GOAL },
    reactPdf: { ratio: round(ratio), cpuRatio: round(cpuRatio), goal: `cpuRatio >= ${GOAL}`, met: cpuRatio >= GOAL },
    cpuMsPerDocument: { ...cpu, ratio: round(cpuRatio), floorRatio: round(cpuFloorRatio) },
    batches: { ours: oursT.map((t) => round(t.ms)), baseline: reactT.map((t) => round(t.ms)), plainPdfkit: plainT.map((t) => round(t.ms)), perBatch: PER_BATCH },
    pages: { ours: pageCount(oursPdf), baseline: pageCount(reactPdf), plainPdfkit: pageCount(plainPdf) },
    bytes: { ours: oursPdf.length, baseline: reactPdf.length, plainPdfkit: plainPdf.length },
    invoice500: big500,
    oursColdWordCache: { ms: ms(coldT), cpuMs: cpu.oursColdWordCache, ratio: round(r / ms(coldT)) },
  };
  console.log(
    `  ms (cpu ms) per document: ours ${o} (${cpu.ours}), react-pdf ${r} (${cpu.baseline}), plain pdfkit ${p} (${cpu.plainPdfkit}); ` +
      `react-pdf / ours ${result.ratio} (CPU ${round(cpuRatio)}, goal >= ${GOAL}), ours / plain pdfkit ${round(floorRatio)} (CPU ${round(cpuFloorRatio)}, goal <= ${FLOOR_GOAL}); ` +
      `no word cached: ${ms(coldT)} ms (${cpu.oursColdWordCache}); 500 lines: ${big500.pages} pages in ${big500.ms} ms, ${big500.pagesPerSecond} pages/s; ` +
      `bytes: ours ${oursPdf.length}, react-pdf ${reactPdf.length}, plain pdfkit ${plainPdf.length}`,
  );
  return result;
}

export { pdf as run };
