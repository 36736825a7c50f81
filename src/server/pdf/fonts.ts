/**
 * The fonts printed documents use: DejaVu Sans (Bitstream Vera licence, see
 * assets/fonts/LICENSE-DejaVu.txt), shipped in the repository so that every PDF embeds the same
 * font whatever the machine.
 *
 * Read and parsed once per process: parsing a TrueType file (fontkit, the engine pdfkit uses)
 * costs far more than laying out a whole invoice, so every document shares the parsed fonts;
 * pdfkit still makes its own subset per document.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as fontkit from 'fontkit';
import { INSTALL_DIR } from '../install-dir';

export const FONTS_DIR = path.join(INSTALL_DIR, 'assets', 'fonts');

export const FONT_FILES = {
  regular: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  italic: 'DejaVuSans-Oblique.ttf',
} as const;

export type FontStyle = keyof typeof FONT_FILES;

export type LoadedFonts = Record<FontStyle, fontkit.Font>;

let cache: LoadedFonts | null = null;

/** The parsed fonts, loaded on first use and kept for the life of the process. */
export function loadFonts(): LoadedFonts {
  if (!cache) {
    const load = (style: FontStyle) => fontkit.create(fs.readFileSync(fontPath(style)));
    cache = { regular: load('regular'), bold: load('bold'), italic: load('italic') };
  }
  return cache;
}

export function fontPath(style: FontStyle): string {
  return path.join(FONTS_DIR, FONT_FILES[style]);
}

const coverage: Record<FontStyle, Map<number, boolean>> = { regular: new Map(), bold: new Map(), italic: new Map() };

/**
 * The text as the font can print it: a character the font lacks would be drawn with the
 * ".notdef" glyph, which PDF/A forbids — it becomes U+FFFD (�), or nothing for an invisible
 * format or control character. Tabs become spaces, CR LF a line feed.
 */
export function printable(text: string, style: FontStyle): string {
  if (/^[\x20-\x7e\n]*$/.test(text)) return text;
  const font = loadFonts()[style];
  const known = coverage[style];
  let out = '';
  for (const ch of text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ')) {
    const cp = ch.codePointAt(0)!;
    let ok = known.get(cp);
    if (ok === undefined) {
      ok = cp === 10 || font.hasGlyphForCodePoint(cp);
      known.set(cp, ok);
    }
    out += ok ? ch : /^[\p{Cc}\p{Cf}]$/u.test(ch) ? '' : '\ufffd';
  }
  return out;
}
