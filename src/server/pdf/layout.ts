/**
 * The lines table: columns, row heights, page breaks (a row is never split; the header is
 * repeated on each page the table continues on; a section title is kept with the row after it).
 */
import type { DocumentLineView, DocumentView } from '../../core/documents';
import { COLORS, CONTENT_BOTTOM, CONTENT_WIDTH, LEFT, PAGE_BODY_HEIGHT, type Canvas, type StructElement, type TextStyle } from './canvas';
import { fontName } from './document';
import { printable } from './fonts';
import { euros, formatDiscount, formatQuantity, formatRate, formatUnitPrice } from './format';

type ColumnKey = 'ref' | 'designation' | 'qty' | 'unit' | 'price' | 'discount' | 'vat' | 'total';

interface Column {
  key: ColumnKey;
  label: string;
  width: number;
  align: 'left' | 'right';
  x: number;
}

export const TABLE_LABELS: Record<ColumnKey, string> = {
  ref: 'Réf.',
  designation: 'Désignation',
  qty: 'Qté',
  unit: 'Unité',
  price: 'PU HT',
  discount: 'Remise',
  vat: 'TVA %',
  total: 'Total HT',
};

const FIXED_WIDTHS: Record<Exclude<ColumnKey, 'designation'>, number> = { ref: 50, qty: 40, unit: 40, price: 62, discount: 46, vat: 36, total: 68 };
/** The reference column widens up to this to hold the longest piece of a reference whole. */
const MAX_REF_WIDTH = 80;
/** A reference piece still too wide is printed smaller, down to this size, before it is ever cut. */
const MIN_REF_SIZE = 6.5;
const PAD_X = 3;
const PAD_Y = 3.5;
const BODY: TextStyle = { size: 8.5 };
const DESCRIPTION: TextStyle = { size: 7.5, color: COLORS.muted };
const HEADER: TextStyle = { font: 'bold', size: 8 };
const SECTION: TextStyle = { font: 'bold', size: 9 };
const COMMENT: TextStyle = { font: 'italic', size: 8, color: COLORS.muted };

/**
 * The pieces a reference may be broken into: its words, each cut only after a hyphen, slash,
 * underscore or dot ("POSE-CARRELAGE-60X60" → "POSE-", "CARRELAGE-", "60X60"). `space` says a
 * piece starts a new word.
 */
function referencePieces(reference: string): { text: string; space: boolean }[] {
  return reference
    .trim()
    .split(/\s+/)
    .flatMap((word) => (word.match(/[^-/_.]+[-/_.]*|[-/_.]+/g) ?? []).map((text, i) => ({ text, space: i === 0 })));
}

export interface ReferenceCell {
  lines: string[];
  size: number;
}

/**
 * A reference laid out in its cell: pieces packed greedily onto lines, so a line breaks only
 * between words or after a separator, never inside a piece; the font shrinks (down to
 * MIN_REF_SIZE) when one piece is wider than the cell. Only a piece too wide even then is left to
 * be cut by the text wrapper.
 */
export function layoutReference(reference: string, width: number, widthAt: (text: string, size: number) => number): ReferenceCell {
  if (!/\s/.test(reference) && widthAt(reference, BODY.size!) <= width) return { lines: [reference], size: BODY.size! };
  const pieces = referencePieces(reference);
  const widest = Math.max(0, ...pieces.map((p) => widthAt(p.text, BODY.size!)));
  const size = widest <= width ? BODY.size! : Math.max(MIN_REF_SIZE, (BODY.size! * width) / widest);
  const lines: string[] = [];
  let current = '';
  for (const piece of pieces) {
    const joined = current === '' ? piece.text : `${current}${piece.space ? ' ' : ''}${piece.text}`;
    if (current === '' || widthAt(joined, size) <= width) current = joined;
    else {
      lines.push(current);
      current = piece.text;
    }
  }
  if (current) lines.push(current);
  return { lines, size };
}

/**
 * The columns this document prints: no "TVA %" column under the franchise (no VAT at all), and
 * no "Remise" column when no line has a discount. The reference column is as wide as the
 * longest piece of a reference needs (`refWidth`), within bounds.
 */
export function tableColumns(view: DocumentView, refWidth: number = FIXED_WIDTHS.ref): Column[] {
  const widths = { ...FIXED_WIDTHS, ref: refWidth };
  const keys: ColumnKey[] = ['ref', 'designation', 'qty', 'unit', 'price'];
  if (view.lines.some((l) => l.kind === 'item' && l.discount)) keys.push('discount');
  if (view.seller.vatRegime !== 'franchise') keys.push('vat');
  keys.push('total');
  const fixed = keys.reduce((sum, k) => sum + (k === 'designation' ? 0 : widths[k]), 0);
  let x = LEFT;
  return keys.map((key) => {
    const width = key === 'designation' ? CONTENT_WIDTH - fixed : widths[key];
    const column: Column = { key, label: TABLE_LABELS[key], width, align: key === 'ref' || key === 'designation' || key === 'unit' ? 'left' : 'right', x };
    x += width;
    return column;
  });
}

interface PreparedRow {
  line: DocumentLineView;
  cells: Partial<Record<ColumnKey, string>>;
  reference: ReferenceCell | null;
  height: number;
  designationHeight: number;
  /** Room given to the description when the row had to be cut to fit a page. */
  descriptionHeight: number | null;
}

export class LinesTable {
  private readonly columns: Column[];
  private readonly headerHeight: number;
  private readonly lineHeight: number;
  private struct: StructElement | null = null;

  constructor(
    private readonly canvas: Canvas,
    private readonly view: DocumentView,
  ) {
    this.columns = tableColumns(view, this.referenceWidth());
    this.headerHeight = canvas.lineHeight(HEADER) + 2 * PAD_Y;
    this.lineHeight = canvas.lineHeight(BODY);
  }

  /** Measures only: sets the font and size, not the colour (which would write to the page). */
  private widthAt = (text: string, size: number): number => this.canvas.doc.font(fontName('regular')).fontSize(size).widthOfString(printable(text, 'regular'));

  /** Wide enough for the longest piece of any reference, from the default width up to MAX_REF_WIDTH. */
  private referenceWidth(): number {
    let widest = 0;
    for (const line of this.view.lines) {
      if (line.kind !== 'item' || !line.reference) continue;
      if (this.widthAt(line.reference, BODY.size!) <= FIXED_WIDTHS.ref - 2 * PAD_X) continue;
      for (const piece of referencePieces(line.reference)) widest = Math.max(widest, this.widthAt(piece.text, BODY.size!));
    }
    return Math.min(MAX_REF_WIDTH, Math.max(FIXED_WIDTHS.ref, Math.ceil(widest) + 2 * PAD_X));
  }

  private column(key: ColumnKey): Column | undefined {
    return this.columns.find((c) => c.key === key);
  }

  private prepare(line: DocumentLineView, index: number): PreparedRow {
    const c = this.canvas;
    const full = CONTENT_WIDTH - 2 * PAD_X;
    if (line.kind !== 'item') {
      const style = line.kind === 'section' ? SECTION : COMMENT;
      const text = [line.designation, line.description].filter(Boolean).join('\n');
      const height = c.measure(text, full, style) + 2 * PAD_Y + (line.kind === 'section' ? 2 : 0);
      return { line, cells: { designation: text }, reference: null, height, designationHeight: height, descriptionHeight: null };
    }
    const totals = this.view.totals.lines[index];
    const cells: PreparedRow['cells'] = {
      ref: line.reference ?? '',
      designation: line.designation,
      qty: formatQuantity(line.quantity),
      unit: line.unit ?? '',
      price: formatUnitPrice(line.unitPrice),
      discount: formatDiscount(line.discount, totals?.discountCents),
      vat: formatRate(line.vatRate),
      total: totals ? euros(totals.netCents) : '',
    };
    const designation = this.column('designation')!;
    const ref = this.column('ref')!;
    const designationHeight = c.measure(line.designation, designation.width - 2 * PAD_X, BODY);
    const descriptionHeight = line.description ? c.measure(line.description, designation.width - 2 * PAD_X, DESCRIPTION) + 1.5 : 0;
    const reference = cells.ref ? layoutReference(cells.ref, ref.width - 2 * PAD_X, this.widthAt) : null;
    const refHeight = reference ? c.measure(reference.lines.join('\n'), ref.width - 2 * PAD_X, { ...BODY, size: reference.size }) : 0;
    const height = Math.max(designationHeight + descriptionHeight, refHeight, this.lineHeight) + 2 * PAD_Y;
    return { line, cells, reference, height, designationHeight, descriptionHeight: null };
  }

  /** The most a row may take: a full page under a header. A longer description is cut with "…". */
  private clamp(row: PreparedRow): PreparedRow {
    const max = PAGE_BODY_HEIGHT - this.headerHeight;
    if (row.height <= max) return row;
    const descriptionHeight = Math.max(0, max - 2 * PAD_Y - row.designationHeight - 1.5);
    return { ...row, height: max, descriptionHeight };
  }

  private drawHeader(repeated: boolean): void {
    const c = this.canvas;
    const y = c.y;
    c.fill(LEFT, y, CONTENT_WIDTH, this.headerHeight, COLORS.headerFill);
    const draw = (col: Column) => c.line(col.label, col.x + PAD_X, y + PAD_Y, col.width - 2 * PAD_X, HEADER, col.align);
    if (repeated || !this.struct) {
      // A header repeated on a continuation page is a running header: an artifact.
      c.artifact(() => this.columns.forEach(draw), 'Pagination');
    } else {
      const tr = c.doc.struct('TR');
      this.struct.add(tr);
      for (const col of this.columns) c.tag('TH', () => draw(col), tr);
      tr.end();
    }
    c.y = y + this.headerHeight;
  }

  private drawRow(row: PreparedRow): void {
    const c = this.canvas;
    const y = c.y;
    const tr = c.doc.struct('TR');
    this.struct!.add(tr);
    const full = CONTENT_WIDTH - 2 * PAD_X;
    if (row.line.kind === 'section') {
      c.fill(LEFT, y, CONTENT_WIDTH, row.height, COLORS.sectionFill);
      c.tag('TD', () => c.text(row.cells.designation ?? '', LEFT + PAD_X, y + PAD_Y + 1, full, SECTION, { height: row.height - 2 * PAD_Y }), tr);
    } else if (row.line.kind === 'comment') {
      c.tag('TD', () => c.text(row.cells.designation ?? '', LEFT + PAD_X, y + PAD_Y, full, COMMENT, { height: row.height - 2 * PAD_Y }), tr);
    } else {
      for (const col of this.columns) {
        const value = row.cells[col.key] ?? '';
        const x = col.x + PAD_X;
        const width = col.width - 2 * PAD_X;
        c.tag(
          'TD',
          () => {
            if (col.key === 'designation') {
              c.text(value, x, y + PAD_Y, width, BODY);
              const description = row.line.description;
              if (description) {
                const top = y + PAD_Y + row.designationHeight + 1.5;
                c.text(description, x, top, width, DESCRIPTION, row.descriptionHeight === null ? {} : { height: row.descriptionHeight });
              }
            } else if (col.key === 'ref') {
              if (row.reference) c.text(row.reference.lines.join('\n'), x, y + PAD_Y, width, { ...BODY, size: row.reference.size });
            } else {
              c.line(value, x, y + PAD_Y, width, BODY, col.align);
            }
          },
          tr,
        );
      }
    }
    tr.end();
    c.y = y + row.height;
    c.hRule(c.y);
  }

  /** Draws the whole table from the canvas's current position, adding pages as needed. */
  draw(): void {
    const c = this.canvas;
    const rows = this.view.lines.map((line, i) => this.clamp(this.prepare(line, i)));
    // Start on a new page unless the header and the first row fit here.
    c.ensure(this.headerHeight + (rows[0]?.height ?? 0));
    this.struct = c.doc.struct('Table');
    c.root.add(this.struct);
    this.drawHeader(false);
    rows.forEach((row, i) => {
      // A section title goes with the row that follows it.
      const next = row.line.kind === 'section' ? rows[i + 1] : undefined;
      const needed = row.height + (next && next.line.kind !== 'section' ? next.height : 0);
      if (c.y + needed > CONTENT_BOTTOM && (needed <= PAGE_BODY_HEIGHT - this.headerHeight || c.y + row.height > CONTENT_BOTTOM)) {
        c.newPage();
        this.drawHeader(true);
      }
      this.drawRow(row);
    });
    this.struct.end();
  }
}
