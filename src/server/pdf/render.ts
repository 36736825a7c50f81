/**
 * renderDocumentPdf: the printed document (quote, invoice, deposit invoice, credit note, pro
 * forma) as a PDF/A-3b file, from the frozen `DocumentView`.
 *
 * Same view and same `producedAt` → the same bytes (no clock, no randomness).
 *
 * To add to the file before it is written (the Factur-X XML and its XMP, for instance), use the
 * steps of `renderDocumentPdf` one by one:
 *   const doc = createPdf(pdfMetadata(view, producedAt));
 *   drawDocument(doc, view);
 *   doc.file(xml, { name: 'factur-x.xml', type: 'text/xml', relationship: 'Data',
 *     creationDate: producedAt, modifiedDate: producedAt }); // dates given, or pdfkit takes "now"
 *   doc.appendXML(xmp);
 *   const pdf = await finish(doc);
 */
import type { DocumentView } from '../../core/documents';
import { drawHeader, drawMentions, drawSummary } from './blocks';
import { COLORS, Canvas, CONTENT_TOP, CONTENT_WIDTH, FOOTER_TOP, LEFT, PAGE_HEIGHT, PAGE_WIDTH, RUNNING_HEADER_HEIGHT } from './canvas';
import { createPdf, finish, fontName, type Doc, type PdfMetadata } from './document';
import { LinesTable } from './layout';
import { WATERMARK, documentTitle, legalIdentity, runningHeader } from './mentions';

export interface RenderOptions {
  /** When the file is produced: its CreationDate/ModDate. Default: the issue date at noon UTC. */
  producedAt?: Date;
}

/** The title a PDF reader shows: "Facture F-2026-0042", "Devis (brouillon)". */
export function pdfTitle(view: DocumentView): string {
  const number = view.draft || view.number === null ? '(brouillon)' : view.number;
  return `${documentTitle(view)} ${number}`;
}

function drawWatermark(c: Canvas): void {
  const doc = c.doc;
  c.artifact(() => {
    doc.save();
    doc.font(fontName('bold'));
    const size = 44;
    doc.fontSize(size);
    const diagonal = Math.hypot(PAGE_WIDTH, PAGE_HEIGHT);
    const width = doc.widthOfString(WATERMARK);
    const fitted = Math.min(size, (size * diagonal * 0.78) / width);
    doc.fontSize(fitted);
    const w = doc.widthOfString(WATERMARK);
    const angle = (-Math.atan2(PAGE_HEIGHT, PAGE_WIDTH) * 180) / Math.PI;
    doc.rotate(angle, { origin: [PAGE_WIDTH / 2, PAGE_HEIGHT / 2] });
    // ActualText keeps the diagonal words readable as one phrase by text extractors and readers.
    doc.markContent('Span', { actual: WATERMARK });
    doc.fillColor(COLORS.watermark).text(WATERMARK, PAGE_WIDTH / 2 - w / 2, PAGE_HEIGHT / 2 - fitted / 2, { lineBreak: false });
    doc.endMarkedContent();
    doc.restore();
  }, 'Pagination');
}

/**
 * Legal identity and "Page x / y" at the foot of every page, and the running header at the top of
 * every page after the first; written once the page count is known.
 */
function drawFooters(c: Canvas, view: DocumentView): void {
  const doc = c.doc;
  const identity = legalIdentity(view.seller);
  const running = runningHeader(view);
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    c.switchToPage(i);
    if (i > start) {
      c.artifact(() => {
        c.line(running, LEFT, CONTENT_TOP, CONTENT_WIDTH - 70, { font: 'bold', size: 8 });
        c.line(`Page ${i - start + 1} / ${count}`, LEFT + CONTENT_WIDTH - 64, CONTENT_TOP, 64, { size: 8 }, 'right');
      }, 'Pagination');
      c.hRule(CONTENT_TOP + RUNNING_HEADER_HEIGHT - 10, LEFT, LEFT + CONTENT_WIDTH);
    }
    c.hRule(FOOTER_TOP, LEFT, LEFT + CONTENT_WIDTH);
    c.artifact(() => {
      c.line(identity, LEFT, FOOTER_TOP + 6, CONTENT_WIDTH - 70, { size: 7, color: COLORS.muted });
      c.line(`Page ${i - start + 1} / ${count}`, LEFT + CONTENT_WIDTH - 64, FOOTER_TOP + 6, 64, { size: 7, color: COLORS.muted }, 'right');
    }, 'Pagination');
  }
}

/** Title, author, subject and dates of the PDF. */
export function pdfMetadata(view: DocumentView, producedAt: Date = defaultProducedAt(view)): PdfMetadata {
  const title = pdfTitle(view);
  return {
    title,
    author: view.seller.name,
    subject: `${title} — ${view.customer.name}`,
    producedAt,
  };
}

/** Builds the document's pages on `doc` (without ending it). */
export function drawDocument(doc: Doc, view: DocumentView): void {
  const root = doc.struct('Document');
  doc.addStructure(root);
  const canvas = new Canvas(doc, root, (c) => {
    if (view.draft) drawWatermark(c);
  });
  canvas.newPage();
  drawHeader(canvas, view);
  new LinesTable(canvas, view).draw();
  drawSummary(canvas, view);
  drawMentions(canvas, view);
  drawFooters(canvas, view);
  root.end();
}

/** The issue date at noon UTC: a fixed instant, so that re-rendering gives the same file. */
export function defaultProducedAt(view: Pick<DocumentView, 'issueDate'>): Date {
  return new Date(`${view.issueDate}T12:00:00Z`);
}

export async function renderDocumentPdf(view: DocumentView, opts: RenderOptions = {}): Promise<Buffer> {
  const doc = createPdf(pdfMetadata(view, opts.producedAt));
  drawDocument(doc, view);
  return finish(doc);
}
