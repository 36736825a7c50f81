import { sql } from 'kysely';
import { DEFAULT_FORMATS, numberingPeriod, renderNumber, SERIES, type Series } from '../../core/numbering';
import type { Db } from '../db/pool';
import { AppError } from '../platform/errors';
import { formatDateFr } from '../../core/dates';

export interface SeriesSettings {
  series: Series;
  format: string;
  yearlyReset: boolean;
  firstNumber: number;
}

export async function seriesSettings(t: Db, dossierId: string, series: Series): Promise<SeriesSettings> {
  const row = await t.selectFrom('numbering_series').selectAll().where('dossier_id', '=', dossierId).where('series', '=', series).executeTakeFirst();
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

/**
 * Gives the next number of a series, inside the caller's transaction. The counter row is locked
 * (FOR UPDATE) until the transaction ends, so concurrent issuers queue; a transaction that rolls
 * back (or whose process dies) releases the lock and the number with it: no gap, no reuse.
 */
export async function allocateNumber(t: Db, dossierId: string, series: Series, issueDate: string): Promise<string> {
  const settings = await seriesSettings(t, dossierId, series);
  const period = numberingPeriod(issueDate, settings.yearlyReset);
  // Creating a missing counter takes no lock on an existing one.
  await t
    .insertInto('number_counters')
    .values({ dossier_id: dossierId, series, period, last_value: settings.firstNumber - 1, last_date: '0001-01-01' })
    .onConflict((oc) => oc.columns(['dossier_id', 'series', 'period']).doNothing())
    .execute();
  // One statement locks, checks the chronology and increments: the lock is held from here to the
  // commit, so everything that can be done before is done before.
  const taken = await t
    .updateTable('number_counters')
    .set({
      last_value: sql<number>`greatest(last_value, ${settings.firstNumber - 1}) + 1`,
      last_date: sql<string>`greatest(last_date, ${issueDate}::date)`,
    })
    .where('dossier_id', '=', dossierId)
    .where('series', '=', series)
    .where('period', '=', period)
    .where('last_date', '<=', issueDate)
    .returning('last_value')
    .executeTakeFirst();
  if (!taken) {
    const counter = await t.selectFrom('number_counters').select('last_date').where('dossier_id', '=', dossierId).where('series', '=', series).where('period', '=', period).executeTakeFirstOrThrow();
    throw new AppError(409, 'not_chronological', { issueDate: formatDateFr(issueDate), lastDate: formatDateFr(counter.last_date) });
  }
  return renderNumber(settings.format, { year: Number(issueDate.slice(0, 4)), month: Number(issueDate.slice(5, 7)), counter: taken.last_value });
}
