/**
 * A TrueType font file read at the byte level, for subsetting: the few tables a font embedded in
 * a PDF needs (head, hhea, maxp, loca, glyf, hmtx and the hinting programs cvt, fpgm, prep — the
 * list of ISO 32000 §9.9), each glyph's outline as raw bytes, and a writer that assembles a
 * subset from them.
 *
 * pdfkit subsets with fontkit, which decodes and re-encodes every glyph and every table of every
 * document's subset (a few milliseconds per font and document). Here the raw bytes are sliced
 * once per process and a subset is a concatenation: glyph outlines are copied as they are (a
 * composite glyph's component numbers rewritten), so what is drawn is exactly the font's own
 * glyphs, hinting included.
 */

interface TableRecord {
  offset: number;
  length: number;
}

/** The tables a subset keeps, in the order of their tags (a font's table directory is sorted). */
const COPIED_TABLES = ['cvt ', 'fpgm', 'prep'] as const;

const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;

/** A component reference inside a composite glyph: its glyph number and where that number is written. */
export interface ComponentRef {
  glyph: number;
  /** Byte offset of the glyph number within the glyph's data. */
  at: number;
}

export class TrueTypeFile {
  readonly numGlyphs: number;
  readonly unitsPerEm: number;
  private readonly tables = new Map<string, TableRecord>();
  private readonly loca: Uint32Array;
  private readonly numberOfHMetrics: number;

  constructor(private readonly bytes: Buffer) {
    const numTables = bytes.readUInt16BE(4);
    for (let i = 0; i < numTables; i++) {
      const at = 12 + 16 * i;
      this.tables.set(bytes.toString('latin1', at, at + 4), { offset: bytes.readUInt32BE(at + 8), length: bytes.readUInt32BE(at + 12) });
    }
    const head = this.table('head');
    this.unitsPerEm = bytes.readUInt16BE(head.offset + 18);
    const longOffsets = bytes.readInt16BE(head.offset + 50) === 1;
    this.numGlyphs = bytes.readUInt16BE(this.table('maxp').offset + 4);
    this.numberOfHMetrics = bytes.readUInt16BE(this.table('hhea').offset + 34);
    const loca = this.table('loca');
    this.loca = new Uint32Array(this.numGlyphs + 1);
    for (let g = 0; g <= this.numGlyphs; g++) {
      this.loca[g] = longOffsets ? bytes.readUInt32BE(loca.offset + 4 * g) : 2 * bytes.readUInt16BE(loca.offset + 2 * g);
    }
  }

  private table(tag: string): TableRecord {
    const record = this.tables.get(tag);
    if (!record) throw new Error(`TrueType font without a '${tag}' table`);
    return record;
  }

  private tableBytes(tag: string): Buffer {
    const { offset, length } = this.table(tag);
    return this.bytes.subarray(offset, offset + length);
  }

  /** The glyph's outline as stored (empty for a glyph without contours, such as the space). */
  glyphData(glyph: number): Buffer {
    const glyf = this.table('glyf').offset;
    return this.bytes.subarray(glyf + this.loca[glyph]!, glyf + this.loca[glyph + 1]!);
  }

  /** The glyphs a composite glyph is made of (none for a simple glyph). */
  components(glyph: number): ComponentRef[] {
    const data = this.glyphData(glyph);
    if (data.length < 10 || data.readInt16BE(0) >= 0) return [];
    const refs: ComponentRef[] = [];
    let at = 10;
    for (;;) {
      const flags = data.readUInt16BE(at);
      refs.push({ glyph: data.readUInt16BE(at + 2), at: at + 2 });
      at += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
      if (flags & WE_HAVE_A_SCALE) at += 2;
      else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) at += 4;
      else if (flags & WE_HAVE_A_TWO_BY_TWO) at += 8;
      if (!(flags & MORE_COMPONENTS)) return refs;
    }
  }

  /** Advance width and left side bearing, in font units. */
  metrics(glyph: number): { advance: number; lsb: number } {
    const hmtx = this.table('hmtx').offset;
    if (glyph < this.numberOfHMetrics) return { advance: this.bytes.readUInt16BE(hmtx + 4 * glyph), lsb: this.bytes.readInt16BE(hmtx + 4 * glyph + 2) };
    return {
      advance: this.bytes.readUInt16BE(hmtx + 4 * (this.numberOfHMetrics - 1)),
      lsb: this.bytes.readInt16BE(hmtx + 4 * this.numberOfHMetrics + 2 * (glyph - this.numberOfHMetrics)),
    };
  }

  /**
   * A font file holding `glyphs.length` glyphs: glyph i has the metrics of the font's glyph
   * `glyphs[i]` and, when `outlines[i]` is given, that outline (components already renumbered);
   * a glyph without an outline is empty. The hinting programs are the font's own.
   */
  writeSubset(glyphs: readonly number[], outlines: ReadonlyArray<Uint8Array | undefined>): Buffer {
    const n = glyphs.length;
    const padded = (length: number) => (length + 3) & ~3;
    let glyfLength = 0;
    for (let i = 0; i < n; i++) glyfLength += padded(outlines[i]?.length ?? 0);
    const glyf = Buffer.alloc(glyfLength);
    const loca = Buffer.alloc(4 * (n + 1));
    const hmtx = Buffer.alloc(4 * n);
    let offset = 0;
    for (let i = 0; i < n; i++) {
      loca.writeUInt32BE(offset, 4 * i);
      const outline = outlines[i];
      if (outline) {
        glyf.set(outline, offset);
        offset += padded(outline.length);
      }
      const { advance, lsb } = this.metrics(glyphs[i]!);
      hmtx.writeUInt16BE(advance, 4 * i);
      hmtx.writeInt16BE(lsb, 4 * i + 2);
    }
    loca.writeUInt32BE(offset, 4 * n);

    const head = Buffer.from(this.tableBytes('head'));
    head.writeUInt32BE(0, 8); // checkSumAdjustment, set below
    head.writeInt16BE(1, 50); // long loca offsets
    const hhea = Buffer.from(this.tableBytes('hhea'));
    hhea.writeUInt16BE(n, 34);
    const maxp = Buffer.from(this.tableBytes('maxp'));
    maxp.writeUInt16BE(n, 4);

    const tables: [string, Buffer][] = [
      ...COPIED_TABLES.filter((tag) => this.tables.has(tag)).map((tag): [string, Buffer] => [tag, this.tableBytes(tag)]),
      ['glyf', glyf],
      ['head', head],
      ['hhea', hhea],
      ['hmtx', hmtx],
      ['loca', loca],
      ['maxp', maxp],
    ];
    tables.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const numTables = tables.length;
    const entrySelector = Math.floor(Math.log2(numTables));
    const searchRange = 16 * 2 ** entrySelector;
    let size = 12 + 16 * numTables;
    for (const [, data] of tables) size += padded(data.length);
    const out = Buffer.alloc(size);
    out.writeUInt32BE(0x00010000, 0);
    out.writeUInt16BE(numTables, 4);
    out.writeUInt16BE(searchRange, 6);
    out.writeUInt16BE(entrySelector, 8);
    out.writeUInt16BE(numTables * 16 - searchRange, 10);
    let at = 12 + 16 * numTables;
    let headAt = 0;
    tables.forEach(([tag, data], i) => {
      const record = 12 + 16 * i;
      out.write(tag, record, 'latin1');
      out.writeUInt32BE(checksum(data), record + 4);
      out.writeUInt32BE(at, record + 8);
      out.writeUInt32BE(data.length, record + 12);
      out.set(data, at);
      if (tag === 'head') headAt = at;
      at += padded(data.length);
    });
    out.writeUInt32BE((0xb1b0afba - checksum(out)) >>> 0, headAt + 8);
    return out;
  }
}

/** The sum of the big-endian 32-bit words of `data` (zero-padded), modulo 2^32. */
function checksum(data: Uint8Array): number {
  let sum = 0;
  const whole = data.length & ~3;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < whole; i += 4) sum = (sum + view.getUint32(i)) >>> 0;
  if (whole < data.length) {
    let last = 0;
    for (let i = whole; i < whole + 4; i++) last = (last << 8) | (i < data.length ? data[i]! : 0);
    sum = (sum + (last >>> 0)) >>> 0;
  }
  return sum;
}
