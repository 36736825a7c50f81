import fc from 'fast-check';
import { unacceptableText } from '../../src/core/text';

/**
 * What a hostile or broken client sends, for tests that feed every route with it
 * (src/server/platform/fuzz-routes.test.ts): text made of the characters that break software,
 * numbers and values of the wrong kind, URL components that are not valid percent-encoding, and
 * bodies that are not JSON or not UTF-8.
 */

export const LONG = 100_000;
const NASTY_PIECES: string[] = [
  '\u0000',
  'a\u0000b',
  '\u0001',
  '\u0008',
  '\u000b',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u009f',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  'a\udc00b',
  '\ude00\ud83d',
  '\ufffe',
  '\uffff',
  '\ufeff',
  '\u202e',
  'abc\u202edef',
  '\u2066\u2069',
  '\u200b',
  '\u200d',
  '👩‍👩‍👧‍👦',
  '🧾💶',
  '\u{10ffff}',
  '\u{1d54f}',
  'e\u0301',
  '\u0301',
  'a' + '\u0301'.repeat(200),
  'Å',
  'ﬁ',
  '１２３',
  '\u00a0',
  '\u2028\u2029',
  '\r\n',
  '\r',
  '\t',
  '  ',
  '',
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  '../../../etc/passwd',
  '..\\..\\',
  '%s%n%x%d',
  '{plan}{limit}',
  '${process.env}',
  '<script>alert(1)</script>',
  '\\u0000',
  '%00',
  '%E0%A4%A',
  'NaN',
  'Infinity',
  '-0',
  '1e999',
  '0x10',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'x'.repeat(LONG),
  'é'.repeat(LONG),
  'e\u0301'.repeat(LONG / 2),
  '\u0000'.repeat(LONG),
  '\ud800'.repeat(LONG),
  '🧾'.repeat(LONG / 2),
  '\u202e'.repeat(LONG),
];
/** Lengths around the limits that fields declare (100, 200, 254, 500, 1000, 2000, 4000…). */
const BOUNDARY_LENGTHS = [1, 2, 9, 10, 50, 51, 99, 100, 101, 199, 200, 201, 254, 255, 256, 499, 500, 501, 999, 1000, 1001, 2000, 2001, 4000, 4001, 10_001];

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const c0Control = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_PIECES) },
  { weight: 3, arbitrary: fc.array(fc.oneof(fc.constantFrom(...NASTY_PIECES.filter((p) => p.length < 300)), fc.string({ unit: 'grapheme', maxLength: 8 }), loneSurrogate, c0Control), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...BOUNDARY_LENGTHS), fc.constantFrom('x', 'é', '🧾', 'e\u0301', '\u202e', ' ')).map(([n, c]) => c.repeat(n)) },
);

/** Nasty text that no edge check refuses: it goes all the way to storage, the audit trail and the PDF. */
export const acceptableNastyText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY_PIECES.filter((p) => p.length > 0 && p.length <= 200 && unacceptableText(p) === null)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((p) => unacceptableText(p) === null),
);

/** Numbers that JSON can carry and that break naive code. */
const nastyNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 0.1, 0.5, 1.005, 99.995, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, 5e-324, 1e-7, 12_345_678_901_234),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Values that arrive where a route expects anything: nasty text, numbers, wrong types, deep or prototype-named structures. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: nastyString },
  { weight: 2, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], [[]], { '': '' }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(deepArray(500), deepObject(500), Array.from({ length: 10_000 }, (_, i) => i)) },
  { weight: 1, arbitrary: fc.constantFrom(withOwnKey('__proto__', { admin: true }), withOwnKey('constructor', { prototype: { polluted: true } }), withOwnKey('prototype', 1)) },
);

function deepArray(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}
function deepObject(depth: number): unknown {
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}
/** An object with an own property of that name (as `JSON.parse` makes it), not its prototype. */
function withOwnKey(name: string, value: unknown): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

// ---------------------------------------------------------------------------------------------
// Encoding into a URL: every string becomes bytes, including a lone surrogate (as WTF-8, which is
// not UTF-8) so that the server meets what no browser would send.

function utf8Bytes(value: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    let code = value.charCodeAt(i);
    const next = value.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
      i++;
    }
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
  }
  return bytes;
}

function percentEncode(value: string): string {
  return utf8Bytes(value)
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** Spellings that are not valid percent-encoding, or that decode to separators and nothing. */
const RAW_URL_GARBAGE = ['%E0%A4%A', '%', '%%', '%zz', '%0', '%00', '%ED%A0%80', '%C0%AF', '%FF%FE', '%2F', '..%2F..%2F', '%2e%2e', '..', '.', '+', '%20', '%u0000', '\\', '~', '@', ':', ';', ',', '*', "'", '!', '$'];

export const urlComponent: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: nastyString.filter((s) => s.length <= 4000).map(percentEncode) },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_URL_GARBAGE) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...RAW_URL_GARBAGE, 'a', 'é', '0'), { maxLength: 5 }).map((parts) => parts.map((p) => (p === 'é' ? '%C3%A9' : p)).join('')) },
);

// ---------------------------------------------------------------------------------------------
// Bodies that are not what a JSON route expects

export const INVALID_JSON = ['', ' ', '{', '}', '{"a":', '[1,2', '{"a":1,}', "{'a':1}", 'NaN', '{"a":NaN}', '{"a":Infinity}', '{"a":undefined}', 'nul', 'tru', '"\\x00"', '"\\ud800', '{"a":"\\u00"}', '\u0000', '{"a":1}{"b":2}', '{"a":1} x', '//{}', '/*x*/{}'];
export const ODD_JSON = [
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"a":1,"a":2}',
  '\ufeff{}',
  '{"version":1e400,"amountCents":1e400}',
  '{"version":-1e400}',
  '{"version":123456789012345678901234567890,"amountCents":123456789012345678901234567890}',
  '{"amountCents":1.0e2,"version":1E0}',
  `{"name":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
  '['.repeat(100_000) + ']'.repeat(100_000),
  `{"name":"${'\\u0000'.repeat(10_000)}"}`,
  '"just a string"',
  '12',
  'null',
  'true',
  '[]',
  '{}',
];
export const CONTENT_TYPES = [
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/xml',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json;;;',
  'APPLICATION/JSON',
  'application/jsonx',
  'application/problem+json',
  'image/png',
  'image/jpeg',
  'image/svg+xml',
  '*/*',
  'json',
  ';',
  '',
];

/** Bytes that are not UTF-8: truncated sequences, overlong forms, surrogates, 0xFF. */
export const INVALID_UTF8 = [[0xff], [0xfe, 0xff], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]];
