/**
 * A pdfkit document set up the way every Ardoise PDF is: PDF/A-3b (PDF 1.7), tagged, French,
 * compressed, DejaVu fonts embedded, metadata from the document — and deterministic: the dates
 * (and so the file identifier pdfkit derives from them) come from the caller, so the same input
 * gives the same bytes.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
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
  streamsWrittenAtOnce(doc);
  installFonts(doc);
  collectOutput(doc);
  const internal = doc as unknown as { _addInfo(): void; _addColorOutputIntent(): void; _root: { data: Record<string, unknown> } };
  internal._addInfo = () => doc.appendXML(documentInfoXmp(meta));
  internal._addColorOutputIntent = () => {
    // What pdfkit 0.20 writes for the PDF/A output intent, with the profile compressed once per process.
    const profile = doc.ref({ Length: 0, N: 3, Filter: 'FlateDecode' }) as unknown as { end(data: Uint8Array): void };
    profile.end(srgbProfile());
    const intent = doc.ref({
      Type: 'OutputIntent',
      S: 'GTS_PDFA1',
      // PDF strings are String objects for pdfkit (a plain string is written as a name).
      Info: new String('sRGB IEC61966-2.1'),
      OutputConditionIdentifier: new String('sRGB IEC61966-2.1'),
      DestOutputProfile: profile,
    }) as unknown as { end(): void };
    intent.end();
    internal._root.data.OutputIntents = [intent];
  };
  return doc;
}

/**
 * Level of the Flate compression of the page contents and other streams pdfkit compresses. zlib's
 * fastest level: for a 30-line invoice's page (31 KB of operators) it takes a fifth of the
 * default's time (0.1 against 0.5 ms) for a file 1.5 KB larger.
 */
const FLATE_LEVEL = 1;

type Stream = { write(chunk: unknown): void; finalize(): void; compress: boolean; buffer: Uint8Array[]; data: Record<string, unknown> };

/**
 * pdfkit writes each operator (`BT`, `1 0 0 1 x y Tm`, `q`, …) into its stream as a separate
 * piece, converted to bytes one character at a time, then joined and compressed at its default
 * level when the stream ends. Here the text written between two binary pieces is kept as one
 * string and converted once when it is needed, and compression is at FLATE_LEVEL: the stream's
 * bytes before compression are the same; pdfkit 0.20's `write`/`finalize` are what this wraps.
 */
function streamsWrittenAtOnce(doc: Doc): void {
  const internal = doc as unknown as { ref(data?: Record<string, unknown>): Stream };
  const makeRef = internal.ref.bind(doc);
  internal.ref = (data) => {
    const ref = makeRef(data);
    const write = ref.write.bind(ref);
    const finalize = ref.finalize.bind(ref);
    let text = '';
    const flushText = () => {
      if (!text) return;
      write(Buffer.from(text, 'latin1'));
      text = '';
    };
    ref.write = (chunk) => {
      if (chunk instanceof Uint8Array) {
        flushText();
        write(chunk);
      } else text += `${String(chunk)}\n`;
    };
    ref.finalize = () => {
      flushText();
      if (ref.compress && ref.buffer.length > 0) {
        // Filter is already FlateDecode (set by write); pdfkit then writes the bytes as they are.
        ref.buffer = [deflateSync(Buffer.concat(ref.buffer), { level: FLATE_LEVEL })];
        ref.compress = false;
      }
      finalize();
    };
    return ref;
  };
}

let compressedProfile: Buffer | null = null;

/** pdfkit's own sRGB ICC profile (the PDF/A output intent's), compressed as pdfkit compresses it. */
function srgbProfile(): Buffer {
  if (!compressedProfile) {
    const file = path.join(path.dirname(createRequire(import.meta.url).resolve('pdfkit')), 'data', 'sRGB_IEC61966_2_1.icc');
    compressedProfile = deflateSync(fs.readFileSync(file));
  }
  return compressedProfile;
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

/** What a document wrote since it was created (see collectOutput), in order. */
const output = new WeakMap<Doc, (string | Uint8Array)[]>();

/**
 * pdfkit writes the file piece by piece through its `_write`: each line of each object converted
 * to bytes one character at a time, then pushed through the document's stream (thousands of
 * pieces for a tagged invoice). Here the pieces are kept as they come and the file is made in one
 * go by `finish` (strings converted as Latin-1, which keeps the low byte of each character as
 * pdfkit does): the same bytes, in the same order. pdfkit 0.20's `_write` keeps `_offset` (the
 * cross-reference table's positions) up to date; so does this one.
 */
function collectOutput(doc: Doc): void {
  const pieces: (string | Uint8Array)[] = [];
  const internal = doc as unknown as { _write(data: string | Uint8Array): void; _offset: number };
  internal._write = (data) => {
    if (typeof data === 'string') {
      pieces.push(`${data}\n`);
      internal._offset += data.length + 1;
    } else {
      pieces.push(data);
      internal._offset += data.length;
    }
  };
  output.set(doc, pieces);
}

/** The pieces as bytes: runs of strings joined and converted at once. */
function bytesOf(pieces: (string | Uint8Array)[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let text = '';
  for (const piece of pieces) {
    if (typeof piece === 'string') text += piece;
    else {
      if (text) out.push(Buffer.from(text, 'latin1'));
      text = '';
      out.push(piece);
    }
  }
  if (text) out.push(Buffer.from(text, 'latin1'));
  return out;
}

/**
 * Ends the document and collects its bytes: what went through the stream before `createPdf`
 * took over the writing (the file's header), then what was written since.
 */
export function finish(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat([...chunks, ...bytesOf(output.get(doc) ?? [])])));
    doc.on('error', reject);
    doc.end();
  });
}
