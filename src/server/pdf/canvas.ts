/**
 * The page model every part of a printed document draws on: A4 geometry, the fonts, text
 * helpers, pagination (content never runs into the footer band) and tagging (each block is a
 * structure element; rules, fills and running headers are artifacts).
 */
import { fontName, programOf, type Doc } from './document';
import { printable, type FontStyle } from './fonts';

export type StructElement = ReturnType<Doc['struct']>;

const MM = 72 / 25.4;
export const PAGE_WIDTH = 595.28;
export const PAGE_HEIGHT = 841.89;
export const MARGIN = 15 * MM;
export const LEFT = MARGIN;
export const RIGHT = PAGE_WIDTH - MARGIN;
export const CONTENT_WIDTH = RIGHT - LEFT;
/** The footer band (legal identity and page number) starts here; content stays above it. */
export const FOOTER_TOP = PAGE_HEIGHT - MARGIN - 24;
export const CONTENT_BOTTOM = FOOTER_TOP - 8;
export const CONTENT_TOP = MARGIN;
/** Pages after the first carry a running header (document, number, date, customer, page x / y) above their content. */
export const RUNNING_HEADER_HEIGHT = 24;
export const CONTINUATION_TOP = CONTENT_TOP + RUNNING_HEADER_HEIGHT;
/** The most any page holds: what fits between a continuation page's header and its footer. */
export const PAGE_BODY_HEIGHT = CONTENT_BOTTOM - CONTINUATION_TOP;
export const LOGO_MAX = { width: 45 * MM, height: 20 * MM } as const;

export const COLORS = {
  text: '#1a1a1a',
  muted: '#666666',
  rule: '#d0d0d0',
  headerFill: '#eeeeee',
  sectionFill: '#f6f6f6',
  accent: '#1f3a5f',
  watermark: '#d9d9d9',
} as const;

export interface TextStyle {
  font?: FontStyle;
  size?: number;
  color?: string;
}

export class Canvas {
  y = CONTENT_TOP;
  private pages = 0;
  /**
   * The fill colour the current page's content last set outside any save/restore (null: not known
   * yet). Text in the same colour as the text before it sets none: most cells of a page share one.
   * Every other colour change here is made inside save/restore, which leaves this one in force.
   */
  private textColor: string | null = null;

  constructor(
    readonly doc: Doc,
    readonly root: StructElement,
    private readonly onPage: (canvas: Canvas) => void,
  ) {}

  /**
   * Starts a page; `onPage` draws what every page carries under the content (the watermark).
   * Margins are zero for pdfkit (it never breaks pages by itself): the layout keeps its own.
   * A continuation page starts below the room kept for its running header.
   */
  newPage(): void {
    this.doc.addPage({ size: 'A4', margin: 0 });
    this.textColor = null;
    this.y = this.pages++ === 0 ? CONTENT_TOP : CONTINUATION_TOP;
    this.onPage(this);
  }

  /** Goes back to a page already started (pdfkit's page buffer) to add to it. */
  switchToPage(index: number): void {
    this.doc.switchToPage(index);
    this.textColor = null;
  }

  /** Moves to a new page unless `height` points still fit on this one; true when a page was added. */
  ensure(height: number): boolean {
    if (this.y + height <= CONTENT_BOTTOM) return false;
    this.newPage();
    return true;
  }

  /** Font and size for text in this style (measuring needs no more). */
  private font(style: TextStyle): void {
    this.doc.font(fontName(style.font ?? 'regular')).fontSize(style.size ?? 9);
  }

  /** Font, size and colour for drawing text in this style. */
  style(style: TextStyle = {}): this {
    this.font(style);
    const color = style.color ?? COLORS.text;
    if (color !== this.textColor) {
      this.doc.fillColor(color);
      this.textColor = color;
    }
    return this;
  }

  /** Height of wrapped text in the given style. */
  measure(raw: string, width: number, style: TextStyle = {}, lineGap = 0): number {
    this.font(style);
    const text = printable(raw, style.font ?? 'regular');
    if (this.fitsOnOneLine(text, width)) return this.doc.currentLineHeight(true) + lineGap;
    return this.wrappedHeight(text, width, style, lineGap);
  }

  /**
   * Height of text wrapped by pdfkit (a Unicode line-breaking pass): it depends only on the face,
   * the size, the width and the line gap, so each is measured once per process.
   */
  private wrappedHeight(text: string, width: number, style: TextStyle, lineGap: number): number {
    const face = style.font ?? 'regular';
    return programOf(face).height(`${style.size ?? 9}|${width}|${lineGap}|${text}`, () => this.doc.heightOfString(text, { width, lineGap }));
  }

  /**
   * Most cells and mentions hold one short line: those skip pdfkit's line wrapper (a Unicode
   * line-breaking pass per call), which would cost more than the rest of the document.
   */
  private fitsOnOneLine(text: string, width: number): boolean {
    return !text.includes('\n') && this.doc.widthOfString(text) <= width;
  }

  /** Wrapped text at (x, y); returns the height it took. */
  text(raw: string, x: number, y: number, width: number, style: TextStyle = {}, options: { align?: 'left' | 'right' | 'center'; lineGap?: number; height?: number } = {}): number {
    this.style(style);
    const text = printable(raw, style.font ?? 'regular');
    const lineGap = options.lineGap ?? 0;
    if ((options.align ?? 'left') === 'left' && this.fitsOnOneLine(text, width)) {
      const height = this.doc.currentLineHeight(true) + lineGap;
      if (options.height === undefined || height <= options.height) {
        this.doc.text(text, x, y, { lineBreak: false });
        return height;
      }
    }
    const height = this.wrappedHeight(text, width, style, lineGap);
    this.doc.text(text, x, y, { width, lineGap, align: options.align ?? 'left', height: options.height, ellipsis: options.height !== undefined ? '…' : undefined });
    return options.height !== undefined ? Math.min(height, options.height) : height;
  }

  /** One line of text, never wrapped, shrunk if wider than `width`; aligned by hand (cheaper than the wrapper). */
  line(raw: string, x: number, y: number, width: number, style: TextStyle = {}, align: 'left' | 'right' = 'left'): void {
    if (!raw) return;
    const text = printable(raw, style.font ?? 'regular');
    const size = style.size ?? 9;
    this.style(style);
    let w = this.doc.widthOfString(text);
    if (w > width) {
      this.doc.fontSize((size * width) / w);
      w = width;
    }
    this.doc.text(text, align === 'right' ? x + width - w : x, y, { lineBreak: false });
  }

  lineHeight(style: TextStyle = {}): number {
    this.font(style);
    return this.doc.currentLineHeight(true);
  }

  /** Draws as a structure element of `type` under `parent` (the document by default). */
  tag(type: string, draw: () => void, parent: StructElement = this.root, options: { alt?: string } = {}): void {
    parent.add(this.doc.struct(type, options, draw));
  }

  /** Draws content that is not part of the document's text: rules, fills, running headers. */
  artifact(draw: () => void, type: 'Layout' | 'Pagination' | 'Page' = 'Layout'): void {
    this.doc.markContent('Artifact', { type });
    draw();
    this.doc.endMarkedContent();
  }

  hRule(y: number, x1 = LEFT, x2 = RIGHT, color: string = COLORS.rule, width = 0.5): void {
    this.artifact(() => {
      this.doc.save().moveTo(x1, y).lineTo(x2, y).lineWidth(width).strokeColor(color).stroke().restore();
    });
  }

  fill(x: number, y: number, w: number, h: number, color: string): void {
    this.artifact(() => {
      this.doc.save().rect(x, y, w, h).fillColor(color).fill().restore();
    });
  }
}
