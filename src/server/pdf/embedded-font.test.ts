/**
 * The fonts of a printed document, read back from the file: every glyph the pages draw is in the
 * embedded font program (the same outline and width as in DejaVu), has a Unicode value so that
 * its text can be copied and searched — whether its character is one of the shared glyphs every
 * document can use or not (« Ω », « ẞ », Vietnamese, Cyrillic) — and the same document gives the
 * same bytes whatever was rendered before.
 */
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import type { DocumentLineView } from '../../core/documents';
import { embeddedFonts, readPdf } from '../../../test/helpers/pdf';
import { BASE_CHARACTERS } from './embedded-font';
import { INDIVIDUAL_CUSTOMER, itemLines, sampleView } from './fixtures';
import { loadFonts, type FontStyle } from './fonts';
import { renderDocumentPdf } from './render';

const norm = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

const FACES: Record<string, FontStyle> = { DejaVuSans: 'regular', 'DejaVuSans-Bold': 'bold', 'DejaVuSans-Oblique': 'italic' };

/** Every glyph drawn is in the file's font program, as DejaVu draws it, and maps back to its text. */
function expectEveryGlyphEmbedded(pdf: Buffer): string[] {
  const fonts = embeddedFonts(pdf);
  expect(fonts.length).toBeGreaterThan(0);
  const faces: string[] = [];
  for (const font of fonts) {
    const face = font.name.replace(/^[A-Z]{6}\+/, '');
    faces.push(face);
    const original = loadFonts()[FACES[face]!];
    expect(font.program.length, `${font.name}: FontFile2`).toBeGreaterThan(1000);
    expect(font.length1, `${font.name}: /Length1`).toBe(font.program.length);
    const program = fontkit.create(font.program);
    expect(font.drawn.size).toBeGreaterThan(0);
    for (const gid of font.drawn) {
      const text = font.toUnicode.get(gid);
      expect(text, `${font.name}: glyph ${gid} has a Unicode value`).toBeTruthy();
      const embedded = program.getGlyph(gid);
      if (/^\p{M}+$/u.test(text!)) {
        // A combining accent: the font draws it with a glyph that depends on the letter before it.
        expect(embedded.path.toSVG(), `${font.name}: outline of « ${text} »`).not.toBe('');
        continue;
      }
      const [expected] = original.layout(text!).glyphs;
      expect(embedded.path.toSVG(), `${font.name}: outline of « ${text} »`).toBe(expected!.path.toSVG());
      expect(embedded.advanceWidth, `${font.name}: width of « ${text} »`).toBe(expected!.advanceWidth);
    }
  }
  return faces;
}

const FRENCH = ['Œuvre et cœur', '« Déjà vu » — l’été', 'Ÿvette Lætitia', 'Conformité fiscale, efficace…', '1 234,56 €', 'ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ àâäçéèêëîïôöùûü'];
const OUTSIDE = { seller: 'Ωmega Studio', customer: 'Nguyễn Thị Ánh', notes: 'Straße, STRAẞE — Борис ☎', comment: 'Ωμέγα ơ ư' };

function frenchView() {
  const lines: DocumentLineView[] = [{ kind: 'section', designation: FRENCH[0]! }, ...itemLines(4).map((l, i) => ({ ...l, designation: FRENCH[i + 1]! })), { kind: 'comment', designation: FRENCH[5]! }];
  return sampleView({ lines, overrides: { notes: 'Merci — « à bientôt » !' } });
}

function outsideView() {
  const lines: DocumentLineView[] = [...itemLines(3), { kind: 'comment', designation: OUTSIDE.comment }];
  return sampleView({ lines, seller: { name: OUTSIDE.seller }, customer: { ...INDIVIDUAL_CUSTOMER, name: OUTSIDE.customer }, overrides: { notes: `${OUTSIDE.notes} 日` } });
}

describe('fonts embedded in a document', () => {
  it('French text: every glyph embedded, the text read back exactly, PDF/A-3b and tagged', async () => {
    const pdf = await renderDocumentPdf(frenchView());
    const read = await readPdf(pdf);
    for (const s of FRENCH) expect(norm(read.text)).toContain(s);
    expect(read.text).toContain('Merci — « à bientôt » !');
    expect(expectEveryGlyphEmbedded(pdf).sort()).toEqual(['DejaVuSans', 'DejaVuSans-Bold', 'DejaVuSans-Oblique']);
    for (const font of read.fonts) expect(font, font.name).toMatchObject({ embedded: true, subset: true, toUnicode: true });

    expect(read.tagged).toBe(true);
    const raw = pdf.toString('latin1');
    expect(raw).toContain('<pdfaid:part>3</pdfaid:part>');
    expect(raw).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
    expect(raw).toMatch(/\/OutputIntents \[\d+ 0 R\]/);
    expect(raw).toMatch(/\/S \/GTS_PDFA1[\s\S]*\/DestOutputProfile \d+ 0 R/);
    expect(raw).toMatch(/\/StructTreeRoot \d+ 0 R/);
    // Every font is embedded: no standard (unembedded) font anywhere.
    expect(raw).not.toMatch(/\/Subtype \/Type1\b/);
  });

  it('characters outside the shared glyphs (Ω, ẞ, Vietnamese, Cyrillic) are embedded and read back exactly; one the font lacks prints as U+FFFD', async () => {
    for (const ch of 'ΩẞễịБ☎ơ') expect(BASE_CHARACTERS).not.toContain(ch);
    const pdf = await renderDocumentPdf(outsideView());
    const read = await readPdf(pdf);
    const text = norm(read.text);
    for (const s of Object.values(OUTSIDE)) expect(text).toContain(s);
    expect(text).toContain('☎ \ufffd');
    expect(text).not.toContain('日');
    expect(expectEveryGlyphEmbedded(pdf)).toEqual(expect.arrayContaining(['DejaVuSans', 'DejaVuSans-Bold', 'DejaVuSans-Oblique']));
  });

  it('decomposed accents (« E » + U+0301, as text pasted from some systems) print and read back', async () => {
    // On capitals, DejaVu draws them with glyphs that are otherwise only parts of « É », « À »…
    const capitals = await renderDocumentPdf(sampleView({ lines: itemLines(2), overrides: { notes: 'E\u0301cole, A\u0300 BIENTO\u0302T' } }));
    expect(norm((await readPdf(capitals)).text).normalize('NFC')).toContain('École, À BIENTÔT');
    expectEveryGlyphEmbedded(capitals);
    const small = await renderDocumentPdf(sampleView({ lines: itemLines(2), overrides: { notes: 'e\u0301te\u0301, Noe\u0308l, franc\u0327ais' } }));
    expect(norm((await readPdf(small)).text).normalize('NFC')).toContain('été, Noël, français');
    expectEveryGlyphEmbedded(small);
  });

  it('the same document gives the same bytes, whatever other characters the documents rendered before it used', async () => {
    const french = await renderDocumentPdf(frenchView());
    const outside = await renderDocumentPdf(outsideView());
    await renderDocumentPdf(sampleView({ lines: itemLines(5, 'Ωμέγα ẞ ĳ ǅ Ꭰ ☃ — autre ligne'), customer: { ...INDIVIDUAL_CUSTOMER, name: 'Đặng Văn Lâm' } }));
    expect((await renderDocumentPdf(outsideView())).equals(outside)).toBe(true);
    expect((await renderDocumentPdf(frenchView())).equals(french)).toBe(true);
  });

  it('documents drawing only shared glyphs embed the same font file; a document with other glyphs gets its own', async () => {
    const regular = (pdf: Buffer) => embeddedFonts(pdf).find((f) => f.name.endsWith('+DejaVuSans'))!.program;
    const french = regular(await renderDocumentPdf(frenchView()));
    const other = regular(await renderDocumentPdf(sampleView({ lines: itemLines(7, 'Autre désignation') })));
    expect(other.equals(french)).toBe(true);
    expect(regular(await renderDocumentPdf(outsideView())).equals(french)).toBe(false);
  });

  it('a long document draws every glyph of every page from the embedded programs', async () => {
    const lines = itemLines(120).map((l, i) => (i % 40 === 7 ? { ...l, designation: `${l.designation} — Ωmega ẞ` } : l));
    expectEveryGlyphEmbedded(await renderDocumentPdf(sampleView({ lines })));
  });
});
