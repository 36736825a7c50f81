import { DEFAULT_FORMATS, SERIES, type Series } from '../../core/numbering';
import type { Db } from '../db/pool';

export interface SeriesSettings {
  series: Series;
  format: string;
  yearlyReset: boolean;
  firstNumber: number;
}

export async function seriesSettings(t: Db, dossierId: string, series: Series): Promise<SeriesSettings> {
  const row = await t.selectFrom('numbering_series').selectAll().where('dossier_id', '=', dossierId).where('series', '=', series).executeTakeFirst();
  return settingsOf(series, row ?? null);
}

export function settingsOf(series: Series, row: { format: string; yearly_reset: boolean; first_number: number } | null): SeriesSettings {
  return row
    ? { series, format: row.format, yearlyReset: row.yearly_reset, firstNumber: row.first_number }
    : { series, format: DEFAULT_FORMATS[series], yearlyReset: true, firstNumber: 1 };
}

export async function allSeriesSettings(t: Db, dossierId: string): Promise<(SeriesSettings & { locked: boolean })[]> {
  return Promise.all(SERIES.map(async (s) => ({ ...(await seriesSettings(t, dossierId, s)), locked: await seriesLocked(t, dossierId, s, new Date().getFullYear()) })));
}

/** A series' format is locked once a document of it was issued in the year (any year without yearly reset). */
export async function seriesLocked(t: Db, dossierId: string, series: Series, year: number): Promise<boolean> {
  const settings = await seriesSettings(t, dossierId, series);
  let q = t.selectFrom('documents').select('id').where('dossier_id', '=', dossierId).where('series', '=', series).where('number', 'is not', null);
  if (settings.yearlyReset) q = q.where('issue_date', '>=', `${year}-01-01`).where('issue_date', '<=', `${year}-12-31`);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}
