import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROL_CHARACTER_MESSAGE, isWellFormed, MALFORMED_TEXT_MESSAGE, multilineText, secretText, text, unacceptableText } from './text';

/** Any UTF-16 string, lone surrogates and controls included. */
const anyUnits = fc.string({ unit: 'binary', maxLength: 40 });
const controls = fc.constantFrom(...[...Array(0x20).keys(), ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i)].map((c) => String.fromCharCode(c)));
const loneSurrogate = fc.oneof(fc.integer({ min: 0xd800, max: 0xdbff }), fc.integer({ min: 0xdc00, max: 0xdfff })).map((c) => String.fromCharCode(c));

function messages(result: { success: boolean; error?: { issues: { message: string }[] } }): string[] {
  return result.success ? [] : result.error!.issues.map((i) => i.message);
}

describe('isWellFormed', () => {
  const native = Object.getOwnPropertyDescriptor(String.prototype, 'isWellFormed')!;
  afterEach(() => Object.defineProperty(String.prototype, 'isWellFormed', native));

  it('agrees with the engine on any string, and so does its fallback where the engine has none (Safari 16)', () => {
    const reference = (s: string) => native.value.call(s) as boolean;
    fc.assert(fc.property(anyUnits, (s) => isWellFormed(s) === reference(s)));
    Object.defineProperty(String.prototype, 'isWellFormed', { value: undefined, configurable: true, writable: true });
    fc.assert(fc.property(anyUnits, (s) => isWellFormed(s) === reference(s)));
    for (const s of ['\ud800', 'a\udc00', '\ud83d\ude00', '\ude00\ud83d', 'é\ud83d']) expect(isWellFormed(s)).toBe(reference(s));
  });
});

describe('text()', () => {
  it('gives back any well-formed text without controls, normalised to NFC and trimmed', () => {
    const isControl = (unit: number) => unit < 0x20 || (unit >= 0x7f && unit <= 0x9f);
    const clean = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => ![...s].some((c) => isControl(c.charCodeAt(0))));
    fc.assert(
      fc.property(clean, (s) => {
        const out = text().parse(s);
        expect(out).toBe(s.normalize('NFC').trim());
      }),
    );
  });

  it('stores a decomposed é as the composed one', () => {
    expect(text().parse('Cafe\u0301 ')).toBe('Café');
    expect(multilineText().parse('Cafe\u0301\r\nSuite\rFin')).toBe('Café\nSuite\nFin');
  });

  it('refuses any string holding a lone surrogate, whatever else it holds', () => {
    fc.assert(
      fc.property(anyUnits, loneSurrogate, anyUnits, (before, lone, after) => {
        const s = before + lone + after;
        fc.pre(!isWellFormed(s));
        for (const schema of [text(), multilineText(), secretText()]) expect(messages(schema.safeParse(s))[0]).toBe(MALFORMED_TEXT_MESSAGE);
        expect(unacceptableText(s)).toBe(MALFORMED_TEXT_MESSAGE);
      }),
    );
  });

  it('refuses every C0 and C1 control and DEL inside single-line text; multi-line text keeps only tab and line feed', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 10 }), controls, fc.string({ minLength: 1, maxLength: 10 }), (before, control, after) => {
        const s = `x${before}${control}${after}x`;
        expect(messages(text().safeParse(s))).toContain(CONTROL_CHARACTER_MESSAGE);
        expect(messages(secretText().safeParse(s))).toContain(CONTROL_CHARACTER_MESSAGE);
        const multiline = multilineText().safeParse(s);
        if (control === '\t' || control === '\n' || control === '\r') expect(multiline.success).toBe(true);
        else expect(messages(multiline)).toContain(CONTROL_CHARACTER_MESSAGE);
        expect(unacceptableText(s) === null).toBe(control === '\t' || control === '\n' || control === '\r');
      }),
    );
  });

  it('keeps a secret exactly as typed', () => {
    expect(secretText().parse(' Cafe\u0301 ')).toBe(' Cafe\u0301 ');
  });

  it('keeps right-to-left marks and other printable format characters', () => {
    expect(text().parse('\u200fשלום\u200e')).toBe('\u200fשלום\u200e');
  });
});
