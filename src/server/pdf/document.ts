/**
 * A pdfkit document set up the way every Ardoise PDF is: PDF/A-3b (PDF 1.7), tagged, French,
 * compressed, DejaVu fonts embedded, metadata from the document — and deterministic: the dates
 * (and so the file identifier pdfkit derives from them) come from the caller, so the same input
 * gives the same bytes.
 */
import PDFDocument from 'pdfkit';
import { loadFonts, type FontStyle } from './fonts';

export type Doc = InstanceType<typeof PDFDocument>;

export interface PdfMetadata {
  title: string;
  author: string;
  subject: string;
  producedAt: Date;
}

export const CREATOR = 'Ardoise';
export const PRODUCER = 'Ardoise (PDFKit 0.20)';

function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function xmpDate(date: Date): string {
  return `${date.toISOString().split('.')[0]}Z`;
}

/**
 * The XMP packet's document information, replacing pdfkit's own (`_addInfo`), which neither
 * escapes XML nor writes `xmp:ModifyDate`: PDF/A wants the XMP to match the Info dictionary, and
 * a seller called "Dupont & Fils" must not break the XML. Other packets (PDF/A identification,
 * and later Factur-X) are still appended by `appendXML`.
 */
function documentInfoXmp(meta: PdfMetadata): string {
  const e = xmlEscape;
  return `
        <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
            <xmp:CreateDate>${xmpDate(meta.producedAt)}</xmp:CreateDate>
            <xmp:ModifyDate>${xmpDate(meta.producedAt)}</xmp:ModifyDate>
            <xmp:CreatorTool>${e(CREATOR)}</xmp:CreatorTool>
        </rdf:Description>
        <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
            <dc:format>application/pdf</dc:format>
            <dc:title><rdf:Alt><rdf:li xml:lang="x-default">${e(meta.title)}</rdf:li></rdf:Alt></dc:title>
            <dc:creator><rdf:Seq><rdf:li>${e(meta.author)}</rdf:li></rdf:Seq></dc:creator>
            <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${e(meta.subject)}</rdf:li></rdf:Alt></dc:description>
        </rdf:Description>
        <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
            <pdf:Producer>${e(PRODUCER)}</pdf:Producer>
        </rdf:Description>
        `;
}

/** A new, empty document (no page yet). The default font is DejaVu Sans: no standard font is ever used. */
export function createPdf(meta: PdfMetadata): Doc {
  const fonts = loadFonts();
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    bufferPages: true,
    compress: true,
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    tagged: true,
    lang: 'fr-FR',
    displayTitle: true,
    // pdfkit also takes a parsed font here (its typings say a file name only). Being the default
    // font, no standard (non-embedded) font is ever loaded.
    font: fonts.regular as unknown as string,
    info: {
      Title: meta.title,
      Author: meta.author,
      Subject: meta.subject,
      Creator: CREATOR,
      Producer: PRODUCER,
      CreationDate: meta.producedAt,
      ModDate: meta.producedAt,
    },
  });
  // 'regular' is the default font, already open under its PostScript name: reusing that name
  // spares pdfkit a second open and its font-equality check.
  doc.registerFont('bold', fonts.bold as unknown as string);
  doc.registerFont('italic', fonts.italic as unknown as string);
  shareLayoutCaches(doc);
  (doc as unknown as { _addInfo: () => void })._addInfo = function (this: Doc) {
    this.appendXML(documentInfoXmp(meta));
  };
  return doc;
}

/** Past this many laid-out words per font, the shared cache starts again (memory stays bounded). */
const LAYOUT_CACHE_LIMIT = 50_000;
const CHECK_EVERY = 100;
let layoutCaches: Record<FontStyle, Record<string, unknown>> | null = null;
let documentsSinceCheck = 0;

function freshCaches(): Record<FontStyle, Record<string, unknown>> {
  return { regular: Object.create(null), bold: Object.create(null), italic: Object.create(null) };
}

/**
 * pdfkit keeps, per document and font, a cache of laid-out words (fontkit's shaping of DejaVu's
 * large kerning tables is what costs most in a render). The layout of a word depends only on the
 * font, so every document here shares one cache per font: a word laid out once is never laid out
 * again. pdfkit copies what it takes from the cache (never mutates it), and builds each
 * document's font subset separately, so output is unchanged. Relies on pdfkit 0.20's
 * `EmbeddedFont.layoutCache` (the version is pinned; the tests render and compare outputs).
 */
function shareLayoutCaches(doc: Doc): void {
  if (!layoutCaches || ++documentsSinceCheck >= CHECK_EVERY) {
    documentsSinceCheck = 0;
    if (!layoutCaches || Object.values(layoutCaches).some((c) => Object.keys(c).length > LAYOUT_CACHE_LIMIT)) layoutCaches = freshCaches();
  }
  const internal = doc as unknown as { _font: { layoutCache?: Record<string, unknown> } };
  for (const style of ['bold', 'italic', 'regular'] as const) {
    doc.font(fontName(style));
    if (internal._font.layoutCache) internal._font.layoutCache = layoutCaches[style];
  }
}

/** Forgets every laid-out word (the benchmark uses it to time a render with nothing cached). */
export function resetLayoutCaches(): void {
  layoutCaches = null;
}

/** The name to give `doc.font()` for a style. */
export function fontName(style: FontStyle): string {
  return style === 'regular' ? loadFonts().regular.postscriptName : style;
}

/** Ends the document and collects its bytes. */
export function finish(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
