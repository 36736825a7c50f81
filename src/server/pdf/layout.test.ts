import { describe, expect, it } from 'vitest';
import { layoutReference } from './layout';

/** A monospaced stand-in for the font: every character 0.6 em wide. */
const mono = (text: string, size: number) => text.length * size * 0.6;
const charWidth = 8.5 * 0.6;

describe('references in the lines table', () => {
  it('break only between words or after a separator, never inside a piece', () => {
    expect(layoutReference('POSE-CARRELAGE-60X60', 10 * charWidth, mono)).toEqual({ lines: ['POSE-', 'CARRELAGE-', '60X60'], size: 8.5 });
    expect(layoutReference('POSE-CARRELAGE-60X60', 16 * charWidth, mono)).toEqual({ lines: ['POSE-CARRELAGE-', '60X60'], size: 8.5 });
    expect(layoutReference('PLINTHE 10 CM', 8 * charWidth, mono)).toEqual({ lines: ['PLINTHE', '10 CM'], size: 8.5 });
    expect(layoutReference('A/B_C.D', 3 * charWidth, mono).lines).toEqual(['A/', 'B_', 'C.D']);
  });

  it('stay on one line when they fit', () => {
    expect(layoutReference('REF-001', 7 * charWidth, mono)).toEqual({ lines: ['REF-001'], size: 8.5 });
  });

  it('print smaller when one piece is wider than the cell, down to a floor', () => {
    const { lines, size } = layoutReference('CARRELAGE-60', 8 * charWidth, mono);
    expect(lines).toEqual(['CARRELAGE-', '60']);
    expect(size).toBeCloseTo(8.5 * 0.8);
    expect(mono('CARRELAGE-', size)).toBeLessThanOrEqual(8 * charWidth + 1e-9);
    expect(layoutReference('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 8 * charWidth, mono).size).toBe(6.5);
  });
});
