/**
 * Text as Ardoise accepts it, in every request and every form: the one way to declare a string
 * field (an ESLint rule keeps bare `z.string()` out of src/core and src/server).
 *
 * Accepted text is well-formed Unicode (a lone UTF-16 surrogate would be stored as U+FFFD while
 * the audit chain hashed the original), normalised to NFC (the same word is always the same
 * bytes), and free of control characters: PostgreSQL refuses NUL, and the others are invisible
 * and never typed. Multi-line text keeps tabs and line feeds (CR LF and CR become LF).
 */
import { z } from 'zod';

type StringParams = Parameters<typeof z.string>[0];

/* eslint-disable no-control-regex -- control characters are what these expressions find */
/** C0 controls, DEL and C1 controls, except tab and line feed. */
const MULTILINE_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
/** C0 controls, DEL and C1 controls. */
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
/** What no string may hold anywhere in a request (tab, line feed and carriage return aside). */
const FORBIDDEN_ANYWHERE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/* eslint-enable no-control-regex */

export const MALFORMED_TEXT_MESSAGE = 'Texte mal encodé (caractère Unicode incomplet).';
export const CONTROL_CHARACTER_MESSAGE = 'Caractère de contrôle interdit.';

/**
 * No lone UTF-16 surrogate. `String.prototype.isWellFormed` where it exists (Node 20, recent
 * browsers); a loop elsewhere (Safari 16), rather than a regular expression: lookbehinds are
 * missing there, and a repeated alternation backtracks on very long strings.
 */
export function isWellFormed(value: string): boolean {
  const native = (value as { isWellFormed?: () => boolean }).isWellFormed;
  if (typeof native === 'function') return native.call(value);
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    if (unit > 0xdbff) return false;
    const next = value.charCodeAt(i + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/** Why a string could be in no field at all (a lone surrogate, NUL or another control character), or null. */
export function unacceptableText(value: string): string | null {
  if (!isWellFormed(value)) return MALFORMED_TEXT_MESSAGE;
  if (FORBIDDEN_ANYWHERE.test(value)) return CONTROL_CHARACTER_MESSAGE;
  return null;
}

/** Single-line text: well-formed, NFC, trimmed, no control character. Chain `.min()`, `.max()`, `.regex()`… as on `z.string()`. */
export function text(params?: StringParams) {
  return z
    .string(params)
    .refine(isWellFormed, { message: MALFORMED_TEXT_MESSAGE, abort: true })
    .normalize('NFC')
    .trim()
    .refine((v) => !CONTROL.test(v), CONTROL_CHARACTER_MESSAGE);
}

/** Multi-line text: as `text()`, with tabs and line feeds allowed (CR LF and lone CR become LF). */
export function multilineText(params?: StringParams) {
  return z
    .string(params)
    .refine(isWellFormed, { message: MALFORMED_TEXT_MESSAGE, abort: true })
    .normalize('NFC')
    .overwrite((v) => v.replace(/\r\n?/g, '\n'))
    .trim()
    .refine((v) => !MULTILINE_CONTROL.test(v), CONTROL_CHARACTER_MESSAGE);
}

/** A secret (password) as typed: well-formed and without control characters, but neither trimmed nor normalised, so that existing passwords still match. */
export function secretText(params?: StringParams) {
  return z
    .string(params)
    .refine(isWellFormed, { message: MALFORMED_TEXT_MESSAGE, abort: true })
    .refine((v) => !CONTROL.test(v), CONTROL_CHARACTER_MESSAGE);
}
