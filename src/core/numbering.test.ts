import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FORMATS, formatProblem, numberTemplate, renderNumber } from './numbering';
import { dueDate, parisDate } from './dates';

describe('numbering formats', () => {
  it('renders the default formats', () => {
    expect(renderNumber(DEFAULT_FORMATS.invoice, { year: 2026, month: 3, counter: 42 })).toBe('F-2026-0042');
    expect(renderNumber('{AA}{MM}/{NNNNNN}', { year: 2027, month: 1, counter: 7 })).toBe('2701/000007');
  });

  it('every accepted format renders numbers that e-invoicing accepts (BR-FR: 35 characters of A-Z a-z 0-9 + - _ /)', () => {
    const piece = fc.constantFrom('F', 'FA', '-', '_', '/', '+', '{AAAA}', '{AA}', '{MM}', 'X9');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 99_999 }), (parts, n, counter) => {
        const format = [...parts, `{${'N'.repeat(n)}}`].join('');
        if (formatProblem(format) !== null) return;
        const number = renderNumber(format, { year: 2026, month: 12, counter });
        expect(number).toMatch(/^[A-Za-z0-9+\-_/]{1,35}$/);
      }),
    );
  });
});

describe('yearly restart', () => {
  it('refuses a format without the year when the series restarts each year, and says why', () => {
    expect(formatProblem('F-{NNNN}', true)).toContain('doit contenir l’année');
    expect(formatProblem('F-{MM}-{NNNN}', true)).toContain('doit contenir l’année');
    expect(formatProblem('F-{NNNN}', false)).toBeNull();
    expect(formatProblem('F-{AA}-{NNNN}', true)).toBeNull();
    expect(formatProblem(DEFAULT_FORMATS.invoice, true)).toBeNull();
  });

  it('a format accepted with a yearly restart never gives the same number in two different years', () => {
    const piece = fc.constantFrom('F', '-', '/', '{AAAA}', '{AA}', '{MM}', '1');
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 4 }),
        fc.array(piece, { maxLength: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.tuple(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 2000, max: 2099 })).filter(([a, b]) => a !== b),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 99_999 }),
        fc.integer({ min: 1, max: 99_999 }),
        (before, after, n, [year1, year2], month1, month2, counter1, counter2) => {
          const format = [...before, `{${'N'.repeat(n)}}`, ...after].join('');
          if (formatProblem(format, true) !== null) return;
          expect(renderNumber(format, { year: year1, month: month1, counter: counter1 })).not.toBe(renderNumber(format, { year: year2, month: month2, counter: counter2 }));
        },
      ),
    );
  });
});

describe('numbering templates', () => {
  it('prefix + counter padded to the width + suffix is the rendered number, counters wider than the Ns included', () => {
    const piece = fc.constantFrom('F', 'FA', '-', '_', '/', '+', '{AAAA}', '{AA}', '{MM}', 'X9');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 4 }), fc.array(piece, { maxLength: 4 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 99_999_999 }), fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 12 }), (before, after, n, counter, year, month) => {
        const format = [...before, `{${'N'.repeat(n)}}`, ...after].join('');
        const t = numberTemplate(format, { year, month });
        expect(t.width).toBe(n);
        expect(t.prefix + String(counter).padStart(t.width, '0') + t.suffix).toBe(renderNumber(format, { year, month, counter }));
      }),
    );
  });
});

describe('Paris calendar dates', () => {
  it('00:30 in Paris on 1 January belongs to the new year (23:30 UTC the day before)', () => {
    expect(parisDate(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
    expect(parisDate(new Date('2026-07-01T21:59:00Z'))).toBe('2026-07-01');
    expect(parisDate(new Date('2026-07-01T22:01:00Z'))).toBe('2026-07-02');
  });

  it('due dates: N days, or N days end of month', () => {
    expect(dueDate('2026-01-15', { days: 30, endOfMonth: false })).toBe('2026-02-14');
    expect(dueDate('2026-01-15', { days: 30, endOfMonth: true })).toBe('2026-02-28');
    expect(dueDate('2028-01-31', { days: 30, endOfMonth: true })).toBe('2028-03-31');
    expect(dueDate('2026-03-10', { days: 0, endOfMonth: false })).toBe('2026-03-10');
  });
});
