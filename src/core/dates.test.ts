import { afterEach, describe, expect, it, vi } from 'vitest';
import { addDays, parisDate, parisTime } from './dates';

describe('parisDate', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is the calendar date in Paris, as YYYY-MM-DD', () => {
    expect(parisDate(new Date('2026-11-27T12:00:00Z'))).toBe('2026-11-27');
    // 23:30 UTC on 31 December is already the new year in Paris.
    expect(parisDate(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
    expect(parisDate(new Date('2026-07-14T21:59:00Z'))).toBe('2026-07-14');
  });

  it('does not depend on how the engine writes en-CA dates (WebKitGTK with ICU 72: 11/27/2026)', () => {
    // What WebKitGTK answered in the browser journeys: month/day/year, in that order.
    const realParts = Intl.DateTimeFormat.prototype.formatToParts;
    vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts').mockImplementation(function (this: Intl.DateTimeFormat, date?: Date | number) {
      const parts = realParts.call(this, date);
      const value = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
      return [
        { type: 'month', value: value('month') },
        { type: 'literal', value: '/' },
        { type: 'day', value: value('day') },
        { type: 'literal', value: '/' },
        { type: 'year', value: value('year') },
      ];
    });
    // `format` is an accessor that answers a bound function.
    const format = Object.getOwnPropertyDescriptor(Intl.DateTimeFormat.prototype, 'format') as PropertyDescriptor;
    Object.defineProperty(Intl.DateTimeFormat.prototype, 'format', {
      configurable: true,
      get(this: Intl.DateTimeFormat) {
        return (date?: Date | number) => this.formatToParts(date).map((p) => p.value).join('');
      },
    });
    try {
      const today = parisDate(new Date('2026-11-27T12:00:00Z'));
      expect(today).toBe('2026-11-27');
      expect(addDays(today, 30)).toBe('2026-12-27');
    } finally {
      Object.defineProperty(Intl.DateTimeFormat.prototype, 'format', format);
    }
  });
});

describe('parisTime', () => {
  it('is the time of day in Paris, as HH:MM, summer and winter', () => {
    expect(parisTime(new Date('2026-07-01T10:05:00Z'))).toBe('12:05');
    expect(parisTime(new Date('2026-01-15T23:30:00Z'))).toBe('00:30');
    expect(parisTime(new Date('2026-03-29T00:59:00Z'))).toBe('01:59');
    expect(parisTime(new Date('2026-03-29T01:00:00Z'))).toBe('03:00');
  });
});
