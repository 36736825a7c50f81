import { sql } from 'kysely';
import { DEFAULT_FORMATS, numberingPeriod, renderNumber, SERIES, type Series } from '../../core/numbering';
import type { Selectable } from 'kysely';
import type { Db } from '../db/pool';
import type { DossiersTable } from '../db/schema';
import type { AuditHead } from '../platform/audit';
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
  return settingsOf(series, row ?? null);
}

function settingsOf(series: Series, row: { format: string; yearly_reset: boolean; first_number: number } | null): SeriesSettings {
  return row
    ? { series, format: row.format, yearlyReset: row.yearly_reset, firstNumber: row.first_number }
    : { series, format: DEFAULT_FORMATS[series], yearlyReset: true, firstNumber: 1 };
}

/** The dossier and the settings of one of its series, in one statement (issuing needs both). */
export async function loadDossierAndSeries(t: Db, dossierId: string, series: Series): Promise<{ dossier: Selectable<DossiersTable>; settings: SeriesSettings }> {
  const { series_format, series_yearly_reset, series_first_number, ...dossier } = await t
    .selectFrom('dossiers as d')
    .leftJoin('numbering_series as s', (j) => j.onRef('s.dossier_id', '=', 'd.id').on('s.series', '=', series))
    .selectAll('d')
    .select(['s.format as series_format', 's.yearly_reset as series_yearly_reset', 's.first_number as series_first_number'])
    .where('d.id', '=', dossierId)
    .executeTakeFirstOrThrow();
  const configured = series_format !== null && series_yearly_reset !== null && series_first_number !== null;
  return { dossier, settings: settingsOf(series, configured ? { format: series_format, yearly_reset: series_yearly_reset, first_number: series_first_number } : null) };
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

/** A number reserved under the dossier's write lock, to be written with its document and audit event. */
export interface ReservedNumber {
  number: string;
  /** The dossier's audit chain head, locked until the transaction ends. */
  head: AuditHead;
  counter: { series: Series; period: number; prior: number; taken: number; issueDate: string };
}

/**
 * Reserves the next number of a series inside the caller's transaction. Call it once everything
 * that can be done without the lock is done: it locks the dossier's chain head (the dossier's
 * write lock, see platform/audit.ts), so concurrent issuers queue from here to the commit. The
 * counter only moves with `advanceCounter`, in the statement that writes the document and its
 * event; a transaction that rolls back (or whose process dies) takes nothing: no gap, no reuse.
 */
export async function reserveNumber(t: Db, dossierId: string, series: Series, issueDate: string, known?: SeriesSettings): Promise<ReservedNumber> {
  const settings = known ?? (await seriesSettings(t, dossierId, series));
  const period = numberingPeriod(issueDate, settings.yearlyReset);
  const lock = () =>
    t
      .selectFrom('audit_heads as h')
      .innerJoin('number_counters as c', (j) => j.onRef('c.dossier_id', '=', 'h.dossier_id').on('c.series', '=', series).on('c.period', '=', period))
      .select(['h.last_seq', 'h.last_hash', 'c.last_value', 'c.last_date'])
      .where('h.dossier_id', '=', dossierId)
      // Both rows: a waiter re-reads the locked rows' latest versions when it gets the lock, and
      // only those (READ COMMITTED); the counter must be as fresh as the head.
      .forUpdate()
      .executeTakeFirst();
  let locked = await lock();
  if (!locked) {
    // The series' first number of the period: the counter is created (a concurrent creator's row
    // is kept), then locked.
    await t
      .insertInto('number_counters')
      .values({ dossier_id: dossierId, series, period, last_value: settings.firstNumber - 1, last_date: '0001-01-01' })
      .onConflict((oc) => oc.columns(['dossier_id', 'series', 'period']).doNothing())
      .execute();
    locked = await lock();
    if (!locked) throw new Error(`No ${series} counter for ${period} in dossier ${dossierId}`);
  }
  if (locked.last_date > issueDate) {
    throw new AppError(409, 'not_chronological', { issueDate: formatDateFr(issueDate), lastDate: formatDateFr(locked.last_date) });
  }
  const taken = Math.max(locked.last_value, settings.firstNumber - 1) + 1;
  return {
    number: renderNumber(settings.format, { year: Number(issueDate.slice(0, 4)), month: Number(issueDate.slice(5, 7)), counter: taken }),
    head: { seq: Number(locked.last_seq), hash: locked.last_hash },
    counter: { series, period, prior: locked.last_value, taken, issueDate },
  };
}

/** Moves the counter to a reserved number: a CTE of the statement that writes the document. */
export function advanceCounter(t: Db, dossierId: string, reserved: ReservedNumber) {
  const { series, period, prior, taken, issueDate } = reserved.counter;
  return t
    .updateTable('number_counters')
    .set({ last_value: taken, last_date: sql<string>`greatest(last_date, ${issueDate}::date)` })
    .where('dossier_id', '=', dossierId)
    .where('series', '=', series)
    .where('period', '=', period)
    // Only reservations, under the dossier's write lock, move a counter: this never fails unless
    // something else wrote it, and then the document is not written (see issueDocument).
    .where('last_value', '=', prior)
    .returning('last_value');
}
