/**
 * How a DejaVu face is embedded in a document: a font object that pdfkit draws with like its own
 * `EmbeddedFont` (same layout, same widths, same Identity-H encoding, a TrueType subset with a
 * ToUnicode map), made cheap to use document after document.
 *
 * Per process and face (`FontProgram`):
 * - one glyph numbering for every document: the glyphs of the characters French documents use
 *   (`BASE_CHARACTERS`, with the ligatures and the parts of composite glyphs they bring), in a
 *   fixed order. A glyph outside it (« Ω », « ẞ », Vietnamese…) is numbered after them, per
 *   document, in the order it first appears;
 * - the layout of every piece of text (fontkit's shaping, kerning included), its width, and its
 *   encoding as glyph numbers, kept across documents: with a fixed numbering, the same string is
 *   always written the same way;
 * - the font file holding every shared glyph, and its ToUnicode map, both compressed once.
 * Per document (`DocumentFont`): which glyphs it used and, for each, the characters it stands
 * for. A document drawing only shared glyphs embeds the shared font file and map as they are
 * (nothing to subset or compress: about 29 kB per face, compressed). A document with other glyphs
 * gets its own file, with exactly the glyphs it draws (the others left empty) assembled from
 * bytes sliced once (truetype.ts) and compressed by pdfkit. Either way every glyph drawn is in
 * the file, as PDF/A asks.
 *
 * The same document always gives the same font file and the same content: numbering, layout and
 * widths depend only on the font and the document, never on what was rendered before.
 *
 * pdfkit 0.20 (pinned by the lock file) has no public way to add a font object: the document
 * finds its fonts in `_fontFamilies` (see `installFonts` in document.ts); the members below are
 * those its text code calls on a font (`encode`, `widthOfString`, `lineHeight`, `ref`,
 * `finalize`, the metrics). The tests render and read back documents with and without glyphs
 * outside the shared numbering.
 */
import fs from 'node:fs';
import { deflateSync } from 'node:zlib';
import type * as fontkit from 'fontkit';
import type { Doc } from './document';
import { TrueTypeFile } from './truetype';

/** A pdfkit indirect object (`doc.ref()`): its dictionary, and `end` to write it with its stream. */
interface Reference {
  data: Record<string, unknown>;
  end(chunk?: Uint8Array | string): void;
}

/** A glyph's placement as pdfkit's text code reads it, in thousandths of the font size. */
export interface Position {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
  advanceWidth: number;
}

interface Run {
  glyphs: number[];
  codePoints: number[][];
  positions: Position[];
  advanceWidth: number;
}

/** A string as written with the shared numbering; `hex` is null when it has a glyph outside it. */
interface Encoded extends Run {
  numbers: number[] | null;
  hex: string[] | null;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i)).join('');

/**
 * The characters every document can print at no extra cost: ASCII, Latin-1, Latin Extended-A
 * (œ, Œ, ÿ, and the names of much of Europe), the euro, typographic quotes, dashes, spaces and
 * marks, the minus sign, and U+FFFD (what `printable` gives for a character the font lacks).
 */
export const BASE_CHARACTERS =
  range(0x20, 0x7e) +
  range(0xa0, 0xff) +
  range(0x100, 0x17f) +
  '\u20ac\u2010\u2011\u2012\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u202f\u2009\u2212\u2116\u2122\ufffd';

/** Ligatures the font forms from those characters (DejaVu: ff, fi, fl, ffi, ffl). */
const LIGATURES = ['ff', 'fi', 'fl', 'ffi', 'ffl'];

/** Past this many strings per face, the shared caches start again (memory stays bounded). */
const CACHE_LIMIT = 50_000;

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

export class FontProgram {
  readonly file: TrueTypeFile;
  readonly scale: number;
  /** Shared glyph number → the font's glyph number. */
  readonly glyphs: number[] = [];
  /** The font's glyph number → shared glyph number. */
  readonly numbers = new Map<number, number>();
  /** Each shared glyph's outline, components renumbered (undefined when empty). */
  readonly outlines: (Uint8Array | undefined)[] = [];
  /** Each shared glyph's components, as shared numbers. */
  readonly parts: number[][] = [];
  /** The characters each shared glyph stands for (none for a part of composite glyphs only). */
  readonly codePoints: (number[] | undefined)[] = [];
  private sharedFiles: { fontFile: Buffer; length: number; toUnicode: Buffer } | null = null;
  private runs = new Map<string, Run>();
  private widths = new Map<string, number>();
  private encodings = new Map<string, Encoded>();
  private heights = new Map<string, number>();

  constructor(
    readonly font: fontkit.Font,
    bytes: Buffer,
  ) {
    this.file = new TrueTypeFile(bytes);
    this.scale = 1000 / font.unitsPerEm;
    this.number(0);
    for (const ch of BASE_CHARACTERS) {
      if (font.hasGlyphForCodePoint(ch.codePointAt(0)!)) for (const glyph of font.layout(ch).glyphs) this.number(glyph.id, glyph.codePoints);
    }
    for (const text of LIGATURES) for (const glyph of font.layout(text).glyphs) this.number(glyph.id, glyph.codePoints);
    // Composite glyphs (most accented letters) are drawn from other glyphs: those are numbered too.
    for (let i = 0; i < this.glyphs.length; i++) for (const part of this.file.components(this.glyphs[i]!)) this.number(part.glyph);
    for (const glyph of this.glyphs) {
      const parts = this.file.components(glyph);
      this.parts.push(parts.map((p) => this.numbers.get(p.glyph)!));
      this.outlines.push(renumbered(this.file.glyphData(glyph), parts, parts.map((p) => this.numbers.get(p.glyph)!)));
    }
  }

  private number(glyph: number, codePoints?: number[]): void {
    if (this.numbers.has(glyph)) return;
    this.numbers.set(glyph, this.glyphs.length);
    this.glyphs.push(glyph);
    this.codePoints.push(codePoints);
  }

  /**
   * The font file with every shared glyph and its ToUnicode map, both compressed: made once, and
   * embedded as they are by every document that draws no glyph outside the shared numbering.
   */
  shared(): { fontFile: Buffer; length: number; toUnicode: Buffer } {
    if (!this.sharedFiles) {
      const program = this.file.writeSubset(this.glyphs, this.outlines);
      const unicode: (number[] | undefined)[] = [];
      this.codePoints.forEach((codePoints, n) => {
        if (n > 0) unicode[n] = codePoints;
      });
      this.sharedFiles = { fontFile: deflateSync(program), length: program.length, toUnicode: deflateSync(toUnicodeCmap(unicode)) };
    }
    return this.sharedFiles;
  }

  /** fontkit's layout of a piece of text, in thousandths of the font size (as pdfkit's `layoutRun`). */
  layout(text: string, features?: unknown): Run {
    const run = this.font.layout(text, features);
    const positions: Position[] = [];
    let advanceWidth = 0;
    for (let i = 0; i < run.positions.length; i++) {
      const p = run.positions[i]!;
      const position = { xAdvance: p.xAdvance * this.scale, yAdvance: p.yAdvance * this.scale, xOffset: p.xOffset * this.scale, yOffset: p.yOffset * this.scale, advanceWidth: run.glyphs[i]!.advanceWidth * this.scale };
      advanceWidth += position.xAdvance;
      positions.push(position);
    }
    return { glyphs: run.glyphs.map((g) => g.id), codePoints: characters(text, run.glyphs), positions, advanceWidth };
  }

  private cachedRun(piece: string): Run {
    let run = this.runs.get(piece);
    if (!run) {
      run = this.layout(piece);
      this.runs.set(piece, run);
    }
    return run;
  }

  /**
   * The text laid out as pdfkit lays it out: cut after each space or tab, each piece shaped on its
   * own (so widths and positions are exactly pdfkit's).
   */
  private pieces(text: string, each: (run: Run) => void): void {
    let last = 0;
    let index = 0;
    while (index <= text.length) {
      const ch = text.charAt(index);
      if ((index === text.length && last < index) || ch === ' ' || ch === '\t') {
        each(this.cachedRun(text.slice(last, ++index)));
        last = index;
      } else {
        index++;
      }
    }
  }

  /** Width of the text in thousandths of the font size. */
  width(text: string): number {
    let width = this.widths.get(text);
    if (width === undefined) {
      width = 0;
      this.pieces(text, (run) => (width! += run.advanceWidth));
      this.widths.set(text, width);
    }
    return width;
  }

  /** The text's glyphs, positions and, when all are in the shared numbering, their numbers. */
  encoded(text: string): Encoded {
    let encoded = this.encodings.get(text);
    if (!encoded) {
      const run: Run = { glyphs: [], codePoints: [], positions: [], advanceWidth: 0 };
      this.pieces(text, (piece) => {
        run.glyphs.push(...piece.glyphs);
        run.codePoints.push(...piece.codePoints);
        run.positions.push(...piece.positions);
      });
      encoded = this.withNumbers(run);
      this.encodings.set(text, encoded);
    }
    return encoded;
  }

  withNumbers(run: Run): Encoded {
    const numbers = run.glyphs.map((g) => this.numbers.get(g) ?? -1);
    return numbers.includes(-1) ? { ...run, numbers: null, hex: null } : { ...run, numbers, hex: numbers.map(hex4) };
  }

  /**
   * The height of wrapped text, measured once: `key` names the text and everything the wrapping
   * depends on besides the face (size, width, line gap).
   */
  height(key: string, measure: () => number): number {
    let height = this.heights.get(key);
    if (height === undefined) {
      height = measure();
      this.heights.set(key, height);
    }
    return height;
  }

  /** Forgets laid-out text (never the numbering); done when the caches have grown past their limit, or asked. */
  forget(always = true): void {
    if (always || this.runs.size > CACHE_LIMIT || this.widths.size > CACHE_LIMIT || this.encodings.size > CACHE_LIMIT || this.heights.size > CACHE_LIMIT) {
      this.runs = new Map();
      this.widths = new Map();
      this.encodings = new Map();
      this.heights = new Map();
    }
  }
}

/**
 * The characters each glyph of a laid-out text stands for, read from the text itself: one each,
 * in order, and a ligature as many as it joins. fontkit's own `codePoints` on a glyph are those of
 * the first text that glyph ever came from in the process (its glyph objects are cached): an
 * accent drawn after « E » could read as « Š » because some other text was laid out before.
 * These depend only on the text, so the ToUnicode map never depends on what was rendered before.
 */
function characters(text: string, glyphs: fontkit.Glyph[]): number[][] {
  const chars = Array.from(text, (c) => c.codePointAt(0)!);
  const out: number[][] = [];
  let k = 0;
  for (const glyph of glyphs) {
    const joined = glyph.codePoints.length;
    const ligature = joined > 1 && glyph.codePoints.every((c, i) => chars[k + i] === c);
    const n = ligature ? joined : Math.min(1, chars.length - k);
    out.push(chars.slice(k, k + n));
    k += n;
  }
  // Characters left over (one drawn with several glyphs): they go with the last glyph.
  if (k < chars.length && out.length > 0) out[out.length - 1]!.push(...chars.slice(k));
  return out;
}

/** A copy of a composite glyph's outline with its components' numbers replaced (the outline itself when none). */
function renumbered(data: Buffer, parts: { at: number }[], numbers: number[]): Uint8Array | undefined {
  if (data.length === 0) return undefined;
  if (parts.length === 0) return data;
  const copy = Buffer.from(data);
  parts.forEach((part, i) => copy.writeUInt16BE(numbers[i]!, part.at));
  return copy;
}

/**
 * A ToUnicode CMap: for each glyph number given, the characters it stands for (as UTF-16, so
 * that text can be copied and searched).
 */
function toUnicodeCmap(unicode: (number[] | undefined)[]): string {
  const entries: string[] = [];
  unicode.forEach((codePoints, n) => {
    if (!codePoints || codePoints.length === 0) return;
    const utf16 = String.fromCodePoint(...codePoints);
    let dst = '';
    for (let i = 0; i < utf16.length; i++) dst += hex4(utf16.charCodeAt(i));
    entries.push(`<${hex4(n)}> <${dst}>`);
  });
  const blocks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const block = entries.slice(i, i + 100);
    blocks.push(`${block.length} beginbfchar\n${block.join('\n')}\nendbfchar`);
  }
  return `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo <<
  /Registry (Adobe)
  /Ordering (UCS)
  /Supplement 0
>> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000><ffff>
endcodespacerange
${blocks.join('\n')}
endcmap
CMapName currentdict /CMap defineresource pop
end
end`;
}

const programs = new Map<string, FontProgram>();

/** The face's shared program, made on first use and kept for the life of the process. */
export function fontProgram(path: string, font: fontkit.Font): FontProgram {
  let program = programs.get(path);
  if (!program) {
    program = new FontProgram(font, fs.readFileSync(path));
    programs.set(path, program);
  }
  return program;
}

/** Forgets every face's laid-out text (the benchmark times a render with nothing cached). */
export function forgetLaidOutText(): void {
  for (const program of programs.values()) program.forget();
}

/** Empties the caches that have grown past their limit (checked as each document starts). */
export function boundLaidOutText(): void {
  for (const program of programs.values()) program.forget(false);
}

/** One face in one document: what pdfkit draws with, and what ends up embedded. */
export class DocumentFont {
  readonly name: string;
  readonly ascender: number;
  readonly descender: number;
  readonly xHeight: number;
  readonly capHeight: number;
  readonly lineGap: number;
  readonly bbox: fontkit.Font['bbox'];
  dictionary: Reference | null = null;
  embedded = false;
  /** Shared glyphs this document draws. */
  private readonly used: Uint8Array;
  /** Glyphs outside the shared numbering, numbered after it: the font's glyph number → ours. */
  private readonly extraNumbers = new Map<number, number>();
  private readonly extraGlyphs: number[] = [];
  /** What each glyph drawn stands for: the characters of its first use. */
  private readonly unicode: (number[] | undefined)[] = [];
  /**
   * A shared glyph was drawn for other characters than those the shared ToUnicode map gives it
   * (an accent drawn from decomposed text, « E » + U+0300, is a part of composite glyphs there,
   * with no characters): the document then gets its own map.
   */
  private ownMap = false;

  constructor(
    readonly document: Doc,
    readonly program: FontProgram,
    readonly id: string,
  ) {
    const { font, scale } = program;
    this.name = font.postscriptName;
    this.ascender = font.ascent * scale;
    this.descender = font.descent * scale;
    this.xHeight = font.xHeight * scale;
    this.capHeight = font.capHeight * scale;
    this.lineGap = font.lineGap * scale;
    this.bbox = font.bbox;
    this.used = new Uint8Array(program.glyphs.length);
  }

  ref(): Reference {
    return (this.dictionary ??= this.document.ref({}) as unknown as Reference);
  }

  finalize(): void {
    if (this.embedded || this.dictionary === null) return;
    this.embed();
    this.embedded = true;
  }

  lineHeight(size: number, includeGap = false): number {
    const gap = includeGap ? this.lineGap : 0;
    return ((this.ascender + gap - this.descender) / 1000) * size;
  }

  widthOfString(text: string, size: number, features?: unknown): number {
    const width = features ? this.program.layout(text, features).advanceWidth : this.program.width(text);
    return width * (size / 1000);
  }

  /** The text as glyph numbers (4 hex digits each) and their positions, noting each glyph as used. */
  encode(text: string, features?: unknown): [string[], Position[]] {
    const encoded = features ? this.program.withNumbers(this.program.layout(text, features)) : this.program.encoded(text);
    const { numbers, codePoints, positions } = encoded;
    if (numbers && encoded.hex) {
      for (let i = 0; i < numbers.length; i++) {
        const n = numbers[i]!;
        if (this.used[n] === 0) this.use(n, codePoints[i]);
      }
      return [encoded.hex, positions];
    }
    const hex = encoded.glyphs.map((glyph, i) => {
      let n = this.program.numbers.get(glyph);
      if (n !== undefined) {
        if (this.used[n] === 0) this.use(n, codePoints[i]);
      } else {
        n = this.extra(glyph);
        this.unicode[n] ??= codePoints[i];
      }
      return hex4(n);
    });
    return [hex, positions];
  }

  /** Notes a shared glyph as drawn, for these characters. */
  private use(n: number, codePoints: number[] | undefined): void {
    this.used[n] = 1;
    this.unicode[n] = codePoints;
    const shared = this.program.codePoints[n];
    if (!this.ownMap && (!shared || !codePoints || shared.length !== codePoints.length || shared.some((c, i) => c !== codePoints[i]))) this.ownMap = true;
  }

  private extra(glyph: number): number {
    let n = this.extraNumbers.get(glyph);
    if (n === undefined) {
      n = this.program.glyphs.length + this.extraGlyphs.length;
      this.extraNumbers.set(glyph, n);
      this.extraGlyphs.push(glyph);
    }
    return n;
  }

  /** The font file: every glyph drawn (and the parts of composite ones) with its outline, the others empty. */
  private fontFile(): Buffer {
    const { program } = this;
    const base = program.glyphs.length;
    const outlines: (Uint8Array | undefined)[] = new Array(base);
    const include = (n: number) => {
      if (n >= base || outlines[n] !== undefined || program.outlines[n] === undefined) return;
      outlines[n] = program.outlines[n];
      for (const part of program.parts[n]!) include(part);
    };
    include(0);
    for (let n = 0; n < base; n++) if (this.used[n] === 1) include(n);
    // Glyphs outside the shared numbering; their parts may add more, numbered after them.
    for (let i = 0; i < this.extraGlyphs.length; i++) {
      const glyph = this.extraGlyphs[i]!;
      const parts = program.file.components(glyph);
      const numbers = parts.map((p) => program.numbers.get(p.glyph) ?? this.extra(p.glyph));
      numbers.forEach((n) => include(n));
      outlines[base + i] = renumbered(program.file.glyphData(glyph), parts, numbers);
    }
    return program.file.writeSubset([...program.glyphs, ...this.extraGlyphs], outlines);
  }

  /** Widths of the glyphs drawn, as runs of consecutive numbers: [first [w1 w2 …] first [w1 …] …]. */
  private widths(): (number | number[])[] {
    const { program } = this;
    const base = program.glyphs.length;
    const w: (number | number[])[] = [];
    let current: number[] | null = null;
    let next = -1;
    const add = (n: number, glyph: number) => {
      const width = program.file.metrics(glyph).advance * program.scale;
      if (current && n === next) current.push(width);
      else {
        current = [width];
        w.push(n, current);
      }
      next = n + 1;
    };
    for (let n = 0; n < base; n++) if (this.used[n] === 1) add(n, program.glyphs[n]!);
    this.extraGlyphs.forEach((glyph, i) => add(base + i, glyph));
    return w;
  }

  /** Writes the font's objects, as pdfkit's EmbeddedFont does for a TrueType font. */
  private embed(): void {
    const { font, scale } = this.program;
    const doc = this.document;
    let fontFile: Reference;
    let toUnicode: Reference;
    if (this.extraGlyphs.length === 0) {
      // Only shared glyphs: the shared font file, compressed once (pdfkit writes a stream whose
      // /Filter is set as it is).
      const shared = this.program.shared();
      fontFile = doc.ref({ Filter: 'FlateDecode', Length1: shared.length }) as unknown as Reference;
      fontFile.end(shared.fontFile);
    } else {
      const program = this.fontFile();
      fontFile = doc.ref({ Length1: program.length }) as unknown as Reference;
      fontFile.end(program);
    }
    if (this.extraGlyphs.length === 0 && !this.ownMap) {
      toUnicode = doc.ref({ Filter: 'FlateDecode' }) as unknown as Reference;
      toUnicode.end(this.program.shared().toUnicode);
    } else {
      toUnicode = doc.ref({}) as unknown as Reference;
      toUnicode.end(toUnicodeCmap(this.unicode));
    }

    const familyClass = (font['OS/2']?.sFamilyClass ?? 0) >> 8;
    let flags = 0;
    if (font.post.isFixedPitch) flags |= 1 << 0;
    if (familyClass >= 1 && familyClass <= 7) flags |= 1 << 1;
    flags |= 1 << 2; // symbolic: glyphs outside the standard Latin set
    if (familyClass === 10) flags |= 1 << 3;
    if (font.head.macStyle.italic) flags |= 1 << 6;
    // The subset tag, from the font's id in the document (as pdfkit makes it).
    const tag = [1, 2, 3, 4, 5, 6].map((i) => String.fromCharCode((this.id.charCodeAt(i) || 73) + 17)).join('');
    const name = `${tag}+${font.postscriptName.replaceAll(' ', '_')}`;
    const { bbox } = font;
    const descriptor = doc.ref({
      Type: 'FontDescriptor',
      FontName: name,
      Flags: flags,
      FontBBox: [bbox.minX * scale, bbox.minY * scale, bbox.maxX * scale, bbox.maxY * scale],
      ItalicAngle: font.italicAngle,
      Ascent: this.ascender,
      Descent: this.descender,
      CapHeight: (font.capHeight || font.ascent) * scale,
      XHeight: (font.xHeight || 0) * scale,
      StemV: 0,
      FontFile2: fontFile,
    }) as unknown as Reference;
    descriptor.end();
    const descendant = doc.ref({
      Type: 'Font',
      Subtype: 'CIDFontType2',
      BaseFont: name,
      // PDF strings are String objects for pdfkit (a plain string is written as a name).
      CIDSystemInfo: { Registry: new String('Adobe'), Ordering: new String('Identity'), Supplement: 0 },
      FontDescriptor: descriptor,
      W: this.widths(),
      CIDToGIDMap: 'Identity',
    }) as unknown as Reference;
    descendant.end();
    const dictionary = this.ref();
    dictionary.data = { Type: 'Font', Subtype: 'Type0', BaseFont: name, Encoding: 'Identity-H', DescendantFonts: [descendant], ToUnicode: toUnicode };
    dictionary.end();
  }
}
