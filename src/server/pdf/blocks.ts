/**
 * The blocks around the lines table: the header (seller, title and dates, customer), the VAT
 * summary with the totals, and the mentions.
 */
import { isLegalInvoice, type DocumentView } from '../../core/documents';
import { inspectImage } from '../platform/images';
import { COLORS, CONTENT_WIDTH, LEFT, LOGO_MAX, PAGE_BODY_HEIGHT, RIGHT, type Canvas, type TextStyle } from './canvas';
import { NBSP, addressLines, displayName, euros, formatDate, formatRate, formatSiren, formatSiret, sameAddress } from './format';
import { correctsLine, customerLabel, documentMentions, documentNumberLabel, documentTitle, headerDates } from './mentions';

const SMALL: TextStyle = { size: 8.5 };
const LABEL: TextStyle = { size: 7.5, color: COLORS.muted };
const HEADING: TextStyle = { font: 'bold', size: 8.5 };
const COLUMN_GAP = 24;
const RIGHT_X = LEFT + CONTENT_WIDTH / 2 + COLUMN_GAP / 2;
const RIGHT_WIDTH = RIGHT - RIGHT_X;
const LEFT_WIDTH = CONTENT_WIDTH / 2 - COLUMN_GAP / 2;

/** Draws text lines one under the other; returns the y below them. */
function stack(c: Canvas, lines: string[], x: number, y: number, width: number, style: TextStyle): number {
  for (const line of lines) y += c.text(line, x, y, width, style);
  return y;
}

function identityLines(party: DocumentView['customer']): string[] {
  const lines: string[] = [];
  if (party.siren) lines.push(`SIREN : ${formatSiren(party.siren)}`);
  if ('siret' in party && party.siret) lines.push(`SIRET : ${formatSiret(party.siret)}`);
  if (party.vatNumber) lines.push(`N° TVA : ${party.vatNumber}`);
  return lines;
}

interface OpenedImage {
  width: number;
  height: number;
  orientation?: number;
}

function drawLogo(c: Canvas, view: DocumentView, y: number): number {
  if (!view.logo) return y;
  const bytes = Buffer.from(view.logo.content);
  // Only a readable PNG or JPEG is drawn: a bad logo must not stop an invoice from printing.
  if (!inspectImage(bytes)) return y;
  let image: OpenedImage;
  try {
    // Opened before drawing (pdfkit's typings lack openImage), so a parse error leaves no half-written content.
    image = (c.doc as unknown as { openImage(src: Buffer): OpenedImage }).openImage(bytes);
  } catch {
    return y;
  }
  const rotated = (image.orientation ?? 1) > 4;
  const [iw, ih] = rotated ? [image.height, image.width] : [image.width, image.height];
  const scale = Math.min(LOGO_MAX.width / iw, LOGO_MAX.height / ih);
  const [w, h] = [iw * scale, ih * scale];
  c.tag('Figure', () => c.doc.image(image as never, LEFT, y, { fit: [w, h] }), c.root, { alt: `Logo de ${view.seller.name}` });
  return y + h + 10;
}

/** Seller (left), title, number and dates (right), then the customer box (right). */
export function drawHeader(c: Canvas, view: DocumentView): void {
  const { seller, customer } = view;
  const top = c.y;

  let left = drawLogo(c, view, top);
  c.tag('P', () => {
    left += c.text(displayName(seller), LEFT, left, LEFT_WIDTH, { font: 'bold', size: 11 }) + 2;
    const lines = [...addressLines(seller.address), ...identityLines(seller)];
    if (seller.email) lines.push(seller.email);
    if (seller.phone) lines.push(`Tél. : ${seller.phone}`);
    left = stack(c, lines, LEFT, left, LEFT_WIDTH, SMALL);
  });

  let right = top;
  c.tag('H1', () => {
    right += c.text(documentTitle(view), RIGHT_X, right, RIGHT_WIDTH, { font: 'bold', size: 20, color: COLORS.accent });
    right += c.text(documentNumberLabel(view), RIGHT_X, right, RIGHT_WIDTH, { font: 'bold', size: 11 }) + 4;
  });
  c.tag('P', () => {
    right = stack(c, headerDates(view).map(([label, value]) => `${label} : ${value}`), RIGHT_X, right, RIGHT_WIDTH, SMALL);
    const corrects = correctsLine(view);
    if (corrects) right += c.text(corrects, RIGHT_X, right + 2, RIGHT_WIDTH, { font: 'bold', size: 8.5 }) + 2;
  });

  // The customer box sits lower on the right, where a window envelope shows it.
  const boxTop = Math.max(right + 12, top + 100);
  const pad = 8;
  const inner = RIGHT_WIDTH - 2 * pad;
  const lines = addressLines(customer.address);
  const delivery = customer.deliveryAddress && !sameAddress(customer.deliveryAddress, customer.address) ? addressLines(customer.deliveryAddress) : [];
  const ids = identityLines(customer);
  let y = boxTop + pad;
  c.tag('P', () => {
    y += c.text(customerLabel(view), RIGHT_X + pad, y, inner, LABEL) + 1;
    y += c.text(displayName(customer), RIGHT_X + pad, y, inner, { font: 'bold', size: 10 }) + 1;
    y = stack(c, lines, RIGHT_X + pad, y, inner, SMALL);
    // The customer's identifiers belong to the billed party: right under its address, before any delivery site.
    if (ids.length > 0) y = stack(c, ids, RIGHT_X + pad, y + 2, inner, SMALL);
    if (delivery.length > 0) {
      y += c.text('Adresse de livraison', RIGHT_X + pad, y + 6, inner, LABEL) + 6;
      y = stack(c, delivery, RIGHT_X + pad, y, inner, SMALL);
    }
  });
  const boxBottom = y + pad;
  c.artifact(() => {
    c.doc.save().roundedRect(RIGHT_X, boxTop, RIGHT_WIDTH, boxBottom - boxTop, 3).lineWidth(0.6).strokeColor(COLORS.rule).stroke().restore();
  });
  c.y = Math.max(left, boxBottom) + 20;
}

interface SummaryColumn {
  label: string;
  width: number;
  value: (v: DocumentView['totals']['vat'][number]) => string;
}

/** An amount taken off: "−1 000,00 €" (and no sign on zero). */
function minus(cents: number): string {
  return cents === 0 ? euros(0) : `−${euros(cents)}`;
}

function vatColumns(view: DocumentView): SummaryColumn[] {
  const withDeposits = view.totals.depositsGrossCents > 0 || (view.deposits?.length ?? 0) > 0;
  const rate: SummaryColumn = { label: 'Taux', width: 44, value: (v) => formatRate(v.rate) };
  if (!withDeposits) {
    return [rate, { label: 'Base HT', width: 88, value: (v) => euros(v.baseCents) }, { label: 'TVA', width: 80, value: (v) => euros(v.vatCents) }];
  }
  return [
    rate,
    { label: 'Vente HT', width: 74, value: (v) => euros(v.saleBaseCents) },
    { label: 'TVA vente', width: 66, value: (v) => euros(v.saleVatCents) },
    { label: 'Acomptes HT', width: 74, value: (v) => minus(v.depositBaseCents) },
    { label: 'TVA acomptes', width: 70, value: (v) => minus(v.depositVatCents) },
    { label: 'Solde HT', width: 74, value: (v) => euros(v.baseCents) },
    { label: 'TVA solde', width: 66, value: (v) => euros(v.vatCents) },
  ];
}

interface TotalRow {
  label: string;
  /** One amount per column of `totalColumns` (one amount when it has none). */
  amounts: string[];
  /** A subtotal, in bold: this invoice's own total in a statement. */
  bold?: boolean;
  /** The one to pay (or the credit), highlighted. */
  strong?: boolean;
}

/** A final invoice after deposits prints its totals as a statement with HT, TVA and TTC columns. */
function isStatement(view: DocumentView): boolean {
  return (view.deposits?.length ?? 0) > 0 || view.totals.depositsGrossCents > 0;
}

/** The headers of the totals' amount columns: none for a plain column of totals. */
export function totalColumns(view: DocumentView): string[] {
  return isStatement(view) && view.seller.vatRegime !== 'franchise' ? ['HT', 'TVA', 'TTC'] : [];
}

/**
 * The totals, top to bottom; the last row is the one to pay (or the credit). A final invoice
 * reads as a statement, so that its own total cannot be mistaken for the sale's: the sale, each
 * deposit invoice deducted (number, date, HT, TVA, TTC), this invoice's HT, TVA and TTC, and the
 * net to pay.
 */
export function totalRows(view: DocumentView): TotalRow[] {
  const t = view.totals;
  const franchise = view.seller.vatRegime === 'franchise';
  const split = totalColumns(view).length > 0;
  /** HT, TVA and TTC in a statement; the single amount otherwise (HT = TTC under the franchise). */
  const amounts = (net: string, vat: string, gross: string) => (split ? [net, vat, gross] : [franchise ? net : gross]);
  const netOnly = (net: string) => (split ? [net, '', ''] : [net]);
  const toPay = (gross: string) => (split ? ['', '', gross] : [gross]);
  const rows: TotalRow[] = [];
  if (t.discountCents > 0) {
    rows.push({ label: 'Total HT avant remise', amounts: netOnly(euros(t.linesNetCents)) });
    const pct = view.discount?.type === 'percent' ? ` (${formatRate(view.discount.value)})` : '';
    rows.push({ label: `Remise${pct}`, amounts: netOnly(minus(t.discountCents)) });
  }
  if (isStatement(view)) {
    rows.push({ label: 'Total de la vente', amounts: amounts(euros(t.saleNetCents), euros(t.saleVatCents), euros(t.saleGrossCents)) });
    for (const d of view.deposits ?? []) {
      rows.push({ label: `Acompte n°${NBSP}${d.number} du ${formatDate(d.issueDate)}`, amounts: amounts(minus(d.netCents), minus(d.vatCents), minus(d.grossCents)) });
    }
    rows.push({ label: 'Total de la présente facture', bold: true, amounts: amounts(euros(t.netCents), euros(t.vatCents), euros(t.grossCents)) });
  } else {
    rows.push({ label: 'Total HT', amounts: [euros(t.saleNetCents)] });
    if (!franchise) {
      rows.push({ label: 'Total TVA', amounts: [euros(t.saleVatCents)] });
      rows.push({ label: 'Total TTC', amounts: [euros(t.saleGrossCents)] });
    }
  }
  if (view.type === 'credit_note') rows.push({ label: "Montant de l'avoir", amounts: toPay(euros(t.grossCents)) });
  else if (isLegalInvoice(view.type)) rows.push({ label: 'Net à payer', amounts: toPay(euros(t.grossCents)) });
  else if (franchise) rows.push({ label: 'Total', amounts: toPay(euros(t.grossCents)) });
  rows[rows.length - 1]!.strong = true;
  return rows;
}

const ROW_H = 15;
const TOTALS_WIDTH = 270;
const STATEMENT_AMOUNT_WIDTH = 88;

/** VAT summary (left, or above when wide) and totals (right), kept together on one page. */
export function drawSummary(c: Canvas, view: DocumentView): void {
  const columns = view.seller.vatRegime === 'franchise' ? [] : vatColumns(view);
  const rows = totalRows(view);
  const headers = totalColumns(view);
  const totalsWidth = headers.length > 0 ? CONTENT_WIDTH : TOTALS_WIDTH;
  const vatWidth = columns.reduce((s, col) => s + col.width, 0);
  const stacked = vatWidth > CONTENT_WIDTH - totalsWidth - COLUMN_GAP;
  const vatHeight = columns.length > 0 ? 14 + ROW_H * (view.totals.vat.length + 1) : 0;
  const totalsHeight = ROW_H * (rows.length + (headers.length > 0 ? 1 : 0)) + 4;
  const height = stacked ? vatHeight + 12 + totalsHeight : Math.max(vatHeight, totalsHeight);
  c.y += 10;
  c.ensure(height);
  const top = c.y;

  if (columns.length > 0) {
    c.tag('H2', () => c.line('Récapitulatif de la TVA', LEFT, top, vatWidth, { font: 'bold', size: 8.5 }));
    const table = c.doc.struct('Table');
    c.root.add(table);
    let y = top + 14;
    c.fill(LEFT, y, vatWidth, ROW_H, COLORS.headerFill);
    const drawRow = (cells: string[], cellType: 'TH' | 'TD', style: TextStyle) => {
      const tr = c.doc.struct('TR');
      table.add(tr);
      let x = LEFT;
      columns.forEach((col, i) => {
        const cx = x;
        c.tag(cellType, () => c.line(cells[i]!, cx + 3, y + 4, col.width - 6, style, i === 0 ? 'left' : 'right'), tr);
        x += col.width;
      });
      tr.end();
      y += ROW_H;
    };
    drawRow(columns.map((col) => col.label), 'TH', { font: 'bold', size: 8 });
    for (const v of view.totals.vat) {
      drawRow(columns.map((col) => col.value(v)), 'TD', SMALL);
      c.hRule(y, LEFT, LEFT + vatWidth);
    }
    table.end();
  }

  const x = RIGHT - totalsWidth;
  const amountWidth = headers.length > 0 ? STATEMENT_AMOUNT_WIDTH : 96;
  const amountCount = Math.max(1, headers.length);
  const labelWidth = totalsWidth - amountCount * amountWidth - 6;
  let y = stacked ? top + vatHeight + 12 : top;
  const table = c.doc.struct('Table');
  c.root.add(table);
  const drawRow = (label: string, amounts: string[], style: TextStyle, cellType: 'TH' | 'TD') => {
    const ry = y;
    const tr = c.doc.struct('TR');
    table.add(tr);
    c.tag('TH', () => c.line(label, x + 6, ry + 4, labelWidth, style), tr);
    amounts.forEach((amount, i) => {
      const ax = x + totalsWidth - (amountCount - i) * amountWidth;
      c.tag(cellType, () => c.line(amount, ax, ry + 4, amountWidth - 6, style, 'right'), tr);
    });
    tr.end();
  };
  if (headers.length > 0) {
    c.fill(x, y, totalsWidth, ROW_H, COLORS.headerFill);
    drawRow('Décompte', headers, { font: 'bold', size: 8 }, 'TH');
    y += ROW_H;
  }
  for (const row of rows) {
    const style: TextStyle = row.strong ? { font: 'bold', size: 9.5 } : row.bold ? { ...SMALL, font: 'bold' } : SMALL;
    if (row.strong) c.fill(x, y, totalsWidth, ROW_H + 2, COLORS.headerFill);
    drawRow(row.label, row.amounts, style, 'TD');
    y += row.strong ? ROW_H + 4 : ROW_H;
    if (headers.length > 0 && !row.strong) c.hRule(y, x, RIGHT);
  }
  table.end();
  c.y = top + height + 16;
}

/** Mentions, bank details and notes; paragraphs move to the next page whole when they do not fit. */
export function drawMentions(c: Canvas, view: DocumentView): void {
  const { legal, bank, notes } = documentMentions(view);
  const style: TextStyle = { size: 8 };
  const maxHeight = PAGE_BODY_HEIGHT;
  const height = (text: string, s: TextStyle) => Math.min(c.measure(text, CONTENT_WIDTH, s), maxHeight);
  /** One paragraph; `keepWith` is the height of what must stay on the same page after it. */
  const paragraph = (text: string, s: TextStyle, type = 'P', gap = 2, keepWith = 0) => {
    const h = height(text, s);
    c.ensure(h + keepWith);
    const y = c.y;
    c.tag(type, () => c.text(text, LEFT, y, CONTENT_WIDTH, s, { height: h }));
    c.y = y + h + gap;
  };
  const heading = (title: string, first: string) => {
    c.y += 8;
    paragraph(title, HEADING, 'H2', 2, height(first, style) + 2);
  };
  for (const mention of legal) paragraph(mention, style);
  if (bank.length > 0) {
    const line = bank.join('    ');
    heading('Coordonnées bancaires', line);
    paragraph(line, style);
  }
  if (notes) {
    const parts = notes.split(/\n{2,}/);
    heading('Notes', parts[0]!);
    for (const part of parts) paragraph(part, style, 'P', 4);
  }
}
