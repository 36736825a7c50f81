/**
 * A pdfkit document set up the way every Ardoise PDF is: PDF/A-3b (PDF 1.7), tagged, French,
 * compressed, DejaVu fonts embedded, metadata from the document — and deterministic: the dates
 * (and so the file identifier pdfkit derives from them) come from the caller, so the same input
 * gives the same bytes.
 */
import PDFDocument from 'pdfkit';
import { DocumentFont, boundLaidOutText, fontProgram, forgetLaidOutText, type FontProgram } from './embedded-font';
import { fontPath, loadFonts, type FontStyle } from './fonts';

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
    // No font opened by pdfkit (not even its default Helvetica): ours are installed below.
    font: null as unknown as string,
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
  installFonts(doc);
  (doc as unknown as { _addInfo: () => void })._addInfo = function (this: Doc) {
    this.appendXML(documentInfoXmp(meta));
  };
  return doc;
}

const STYLES: FontStyle[] = ['regular', 'bold', 'italic'];

/**
 * The document's fonts are ours (embedded-font.ts), one per style under the name `fontName`
 * gives it, so that `doc.font(fontName(style))` selects it. pdfkit 0.20 looks fonts up in
 * `_fontFamilies` and embeds, at the end, every one there that a page used.
 */
function installFonts(doc: Doc): void {
  boundLaidOutText();
  const internal = doc as unknown as { _fontFamilies: Record<string, DocumentFont>; _fontCount: number };
  STYLES.forEach((style, i) => {
    internal._fontFamilies[fontName(style)] = new DocumentFont(doc, programOf(style), `F${i + 1}`);
  });
  internal._fontCount = STYLES.length;
  doc.font(fontName('regular'));
}

/** Forgets every laid-out word (the benchmark uses it to time a render with nothing cached). */
export function resetLayoutCaches(): void {
  forgetLaidOutText();
}

/** The name to give `doc.font()` for a style: the style itself (installFonts names them so). */
export function fontName(style: FontStyle): string {
  return style;
}

/** The face's shared program (laid-out text, measured heights). */
export function programOf(style: FontStyle): FontProgram {
  return fontProgram(fontPath(style), loadFonts()[style]);
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
