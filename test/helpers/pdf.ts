/**
 * A PDF read back as a person or a program opening it gets it, with Mozilla's pdf.js (the reader
 * of Firefox) instead of system tools: each page's text laid out in reading order, the page count
 * and sizes, the information dictionary, the fonts, the images and the attached files.
 *
 * Text is rebuilt line by line from the positions pdf.js gives each run of text, like
 * `pdftotext -layout`: the runs sharing a baseline form one line, left to right; a gap the width
 * of a space gives one space, a wider gap (another column) two. Lines go top to bottom. Spaces are
 * left as the PDF has them (U+202F, U+00A0 included).
 */
import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { getDocument, ImageKind, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfFont {
  /** The font's name as written in the file, subset tag included (`ABCDEF+DejaVuSans`). */
  name: string;
  /** The font program is in the file. */
  embedded: boolean;
  /** A subset (the name has a six-letter tag). */
  subset: boolean;
  /** The font dictionary has a /ToUnicode map, so its text can be copied and searched. */
  toUnicode: boolean;
}

export interface PdfImage {
  page: number;
  width: number;
  height: number;
  colour: 'gray' | 'rgb' | 'rgba' | 'other';
}

export interface PdfInfo {
  Title?: string;
  Author?: string;
  Subject?: string;
  Creator?: string;
  Producer?: string;
  /** Read from the PDF date (`D:20260314120000Z`). */
  CreationDate?: Date;
  ModDate?: Date;
  /** From the file's header (`%PDF-1.7`). */
  PDFFormatVersion?: string;
  /** The catalogue's /Lang. */
  Language?: string;
}

export interface PdfReading {
  pageCount: number;
  /** Each page's text, lines in reading order, separated by '\n'. */
  pages: string[];
  /** Every page's text, pages separated by a form feed (as pdftotext). */
  text: string;
  /** Each page's size in points. */
  pageSizes: Array<{ width: number; height: number }>;
  info: PdfInfo;
  /** The document is tagged (/MarkInfo << /Marked true >>). */
  tagged: boolean;
  /** The XMP metadata's properties (`pdfaid:part`, `dc:title`…), or empty. */
  metadata: Map<string, unknown>;
  /** Each font used by some page, once. */
  fonts: PdfFont[];
  /** Each image drawn, page by page. */
  images: PdfImage[];
  /** The embedded files (/EmbeddedFiles). */
  attachments: Array<{ filename: string; content: Uint8Array }>;
}

interface TextRun {
  str: string;
  x: number;
  y: number;
  width: number;
  size: number;
}

/** One page's runs of text as lines: same baseline (within a third of the font size), left to right. */
export function layOut(runs: TextRun[]): string {
  const lines: Array<{ y: number; size: number; runs: TextRun[] }> = [];
  for (const run of [...runs].sort((a, b) => b.y - a.y || a.x - b.x)) {
    const line = lines.find((l) => Math.abs(l.y - run.y) <= Math.min(l.size, run.size) / 3);
    if (line) line.runs.push(run);
    else lines.push({ y: run.y, size: run.size, runs: [run] });
  }
  lines.sort((a, b) => b.y - a.y);
  return lines
    .map((line) => {
      let text = '';
      let end = -Infinity;
      for (const run of line.runs.sort((a, b) => a.x - b.x)) {
        const gap = run.x - end;
        if (text !== '' && gap > run.size * 0.1) text += gap > run.size ? '  ' : ' ';
        text += run.str;
        end = Math.max(end, run.x + run.width);
      }
      return text.trimEnd();
    })
    .join('\n');
}

/** `D:20260314120000Z` / `D:20260314130000+01'00'` → Date. */
function pdfDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?/.exec(value);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', zone = 'Z'] = m;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.replace(/'/g, '').slice(3, 5)}`;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
}

/**
 * The /BaseFont names of the font dictionaries that have a /ToUnicode map. pdf.js builds a
 * Unicode map for every font, with or without one in the file, so this is read from the file's
 * objects (uncompressed dictionaries, as pdfkit writes them).
 */
function fontsWithToUnicode(bytes: Uint8Array): Set<string> {
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const names = new Set<string>();
  for (const [, body] of raw.matchAll(/\d+ \d+ obj\s*<<([\s\S]*?)>>\s*(?:endobj|stream)/g)) {
    if (!/\/Type\s*\/Font\b/.test(body!) || !/\/ToUnicode\s+\d+\s+\d+\s+R/.test(body!)) continue;
    const name = /\/BaseFont\s*\/([^\s/<>[\]()]+)/.exec(body!)?.[1];
    if (name) names.add(name);
  }
  return names;
}

const COLOURS: Record<number, PdfImage['colour']> = { [ImageKind.GRAYSCALE_1BPP]: 'gray', [ImageKind.RGB_24BPP]: 'rgb', [ImageKind.RGBA_32BPP]: 'rgba' };

/** Reads a PDF given as bytes or as a file path. */
export async function readPdf(source: Uint8Array | string): Promise<PdfReading> {
  const bytes = typeof source === 'string' ? new Uint8Array(await readFile(source)) : new Uint8Array(source);
  // pdf.js takes ownership of the buffer it is given: hand it a copy.
  const doc = await getDocument({ data: bytes.slice(), verbosity: 0, fontExtraProperties: true, isEvalSupported: false, useSystemFonts: false }).promise;
  try {
    const pages: string[] = [];
    const pageSizes: PdfReading['pageSizes'] = [];
    const fonts = new Map<string, PdfFont>();
    const images: PdfImage[] = [];
    const toUnicode = fontsWithToUnicode(bytes);
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const [x0, y0, x1, y1] = page.view as [number, number, number, number];
      pageSizes.push({ width: x1 - x0, height: y1 - y0 });
      const content = await page.getTextContent();
      const runs: TextRun[] = [];
      for (const item of content.items) {
        if (!('str' in item) || item.str.trim() === '') continue;
        const [a, b, , , e, f] = item.transform as number[];
        runs.push({ str: item.str, x: e!, y: f!, width: item.width, size: Math.hypot(a!, b!) });
      }
      pages.push(layOut(runs));

      const operators = await page.getOperatorList();
      for (let i = 0; i < operators.fnArray.length; i++) {
        const op = operators.fnArray[i];
        const args = operators.argsArray[i] as unknown[];
        if (op === OPS.setFont) {
          const font = page.commonObjs.get(args[0] as string) as { name?: string; missingFile?: boolean };
          const name = font.name ?? String(args[0]);
          if (!fonts.has(name)) fonts.set(name, { name, embedded: font.missingFile === false, subset: /^[A-Z]{6}\+/.test(name), toUnicode: toUnicode.has(name) });
        } else if (op === OPS.paintImageXObject) {
          const [id, width, height] = args as [string, number, number];
          const data = (page.objs.has(id) ? page.objs.get(id) : page.commonObjs.get(id)) as { kind?: number } | null;
          images.push({ page: n, width, height, colour: COLOURS[data?.kind ?? -1] ?? 'other' });
        }
      }
      page.cleanup();
    }

    const { info: rawInfo, metadata } = await doc.getMetadata();
    const raw = rawInfo as Record<string, unknown>;
    const str = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
    const info: PdfInfo = {
      Title: str('Title'),
      Author: str('Author'),
      Subject: str('Subject'),
      Creator: str('Creator'),
      Producer: str('Producer'),
      CreationDate: pdfDate(raw.CreationDate),
      ModDate: pdfDate(raw.ModDate),
      PDFFormatVersion: str('PDFFormatVersion'),
      Language: str('Language'),
    };
    const markInfo = (await doc.getMarkInfo()) as { Marked?: boolean } | null;
    const files = ((await doc.getAttachments()) ?? {}) as Record<string, { filename: string; content: Uint8Array }>;
    return {
      pageCount: doc.numPages,
      pages,
      text: pages.join('\n\f'),
      pageSizes,
      info,
      tagged: markInfo?.Marked === true,
      metadata: new Map(metadata ? [...(metadata as unknown as Iterable<[string, unknown]>)] : []),
      fonts: [...fonts.values()],
      images,
      attachments: Object.values(files).map(({ filename, content }) => ({ filename, content })),
    };
  } finally {
    await doc.destroy();
  }
}

/** An indirect object of the file: its dictionary's text and its stream, inflated when FlateDecode. */
interface RawObject {
  dict: string;
  stream?: Buffer;
}

/**
 * The file's indirect objects, read from the bytes (pdfkit writes no object streams and leaves
 * dictionaries uncompressed).
 */
export function pdfObjects(bytes: Uint8Array): Map<number, RawObject> {
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = raw.toString('latin1');
  const objects = new Map<number, RawObject>();
  const header = /(\d+) 0 obj\n/g;
  let m: RegExpExecArray | null;
  while ((m = header.exec(text))) {
    const start = m.index + m[0].length;
    const end = text.indexOf('\nendobj', start);
    const body = text.slice(start, end);
    const at = body.indexOf('\nstream\n');
    if (at < 0) {
      objects.set(Number(m[1]), { dict: body });
      continue;
    }
    const dict = body.slice(0, at);
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
    let stream: Buffer = raw.subarray(start + at + 8, start + at + 8 + length);
    if (/\/Filter \/FlateDecode/.test(dict)) stream = inflateSync(stream);
    objects.set(Number(m[1]), { dict, stream });
    header.lastIndex = start + at + 8 + length;
  }
  return objects;
}

export interface EmbeddedFontProgram {
  /** /BaseFont, subset tag included. */
  name: string;
  /** The font file (FontFile2), inflated. */
  program: Buffer;
  /** The font file stream's /Length1 (its length before compression). */
  length1: number | undefined;
  /** The ToUnicode map: glyph number → the text it stands for. */
  toUnicode: Map<number, string>;
  /** The glyph numbers the pages draw with this font. */
  drawn: Set<number>;
}

const ref = (dict: string, key: string) => Number(new RegExp(`/${key} (\\d+) 0 R`).exec(dict)?.[1]);

/**
 * Each Type 0 font of the file with its font program, its ToUnicode map and the glyphs the pages'
 * contents draw with it (the hex strings of `TJ` after its `Tf`): enough to check that every glyph drawn is
 * in the embedded program.
 */
export function embeddedFonts(bytes: Uint8Array): EmbeddedFontProgram[] {
  const objects = pdfObjects(bytes);
  const fonts = new Map<number, EmbeddedFontProgram>();
  for (const [id, { dict }] of objects) {
    if (!/\/Type \/Font\b/.test(dict) || !/\/Subtype \/Type0\b/.test(dict)) continue;
    const descendant = objects.get(Number(/\/DescendantFonts \[(\d+) 0 R/.exec(dict)?.[1]))!;
    const descriptor = objects.get(ref(descendant.dict, 'FontDescriptor'))!;
    const file = objects.get(ref(descriptor.dict, 'FontFile2'));
    const cmap = objects.get(ref(dict, 'ToUnicode'))?.stream?.toString('latin1') ?? '';
    const toUnicode = new Map<number, string>();
    const entry = (gid: string, utf16: string) => toUnicode.set(parseInt(gid, 16), String.fromCharCode(...utf16.match(/.{4}/g)!.map((h) => parseInt(h, 16))));
    for (const [, gid, utf16] of cmap.matchAll(/^<([0-9a-f]{4})> <([0-9a-f]+)>$/gim)) entry(gid!, utf16!);
    for (const [, from, to, list] of cmap.matchAll(/^<([0-9a-f]{4})> <([0-9a-f]{4})> \[(.*)\]$/gim)) {
      const values = [...list!.matchAll(/<([0-9a-f ]+)>/gi)].map((v) => v[1]!.replace(/ /g, ''));
      for (let g = parseInt(from!, 16); g <= parseInt(to!, 16); g++) entry(g.toString(16).padStart(4, '0'), values[g - parseInt(from!, 16)]!);
    }
    fonts.set(id, {
      name: /\/BaseFont \/(\S+)/.exec(dict)![1]!,
      program: file?.stream ?? Buffer.alloc(0),
      length1: file ? Number(/\/Length1 (\d+)/.exec(file.dict)?.[1]) || undefined : undefined,
      toUnicode,
      drawn: new Set(),
    });
  }
  // Page resources name fonts (/F1 12 0 R); contents select them (/F1 9 Tf) and draw hex strings.
  const byResource = new Map<string, EmbeddedFontProgram>();
  for (const { dict } of objects.values()) {
    const list = /\/Font <<([^>]*)>>/.exec(dict)?.[1];
    if (list) for (const [, name, id] of list.matchAll(/\/(\S+) (\d+) 0 R/g)) if (fonts.has(Number(id))) byResource.set(name!, fonts.get(Number(id))!);
  }
  for (const { dict, stream } of objects.values()) {
    if (!stream || /\/(Type|Subtype|Length1|N) /.test(dict.replace(/\/Length \d+|\/Filter \/FlateDecode/g, ''))) continue;
    let current: EmbeddedFontProgram | undefined;
    for (const [, font, shown] of stream.toString('latin1').matchAll(/\/(\S+) [\d.]+ Tf|\[([^\]]*)\] TJ/g)) {
      if (font) current = byResource.get(font);
      else if (current) for (const [, hex] of shown!.matchAll(/<([0-9a-f]+)>/g)) for (const gid of hex!.match(/.{4}/g)!) current.drawn.add(parseInt(gid, 16));
    }
  }
  return [...fonts.values()];
}
