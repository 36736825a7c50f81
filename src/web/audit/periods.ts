/** The journal's period presets, as Paris calendar dates (`YYYY-MM-DD`, both ends included). */
import { addDays, endOfMonth } from '../../core/dates';

export const PERIOD_PRESETS = ['today', 'thisMonth', 'lastMonth', 'thisYear'] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

export function presetRange(preset: PeriodPreset, today: string): { from: string; to: string } {
  const monthStart = `${today.slice(0, 7)}-01`;
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case 'thisMonth':
      return { from: monthStart, to: endOfMonth(today) };
    case 'lastMonth': {
      const last = addDays(monthStart, -1);
      return { from: `${last.slice(0, 7)}-01`, to: last };
    }
    case 'thisYear':
      return { from: `${today.slice(0, 4)}-01-01`, to: `${today.slice(0, 4)}-12-31` };
  }
}

/** The preset a range is, if any: the period select shows it rather than « personnalisée ». */
export function presetOf(from: string, to: string, today: string): PeriodPreset | 'all' | 'custom' {
  if (!from && !to) return 'all';
  return PERIOD_PRESETS.find((p) => {
    const r = presetRange(p, today);
    return r.from === from && r.to === to;
  }) ?? 'custom';
}
