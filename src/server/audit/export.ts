/**
 * The Journal des actions as a file: XLSX (exceljs's streaming writer: the events, then the
 * summary per user × kind of action) or CSV (UTF-8 with BOM, `;`, CRLF, as French Excel opens
 * it), the same columns and labels as the screen (core/audit-labels.ts).
 *
 * Rows are pulled from `journalRows` batch by batch and written as they come (each XLSX row
 * committed at once), waiting for the output to drain, so that memory stays flat whatever the
 * number of rows. The file is written to an unlinked temporary file inside the request's
 * transaction, and sent after it: the transaction lasts as long as reading and writing the rows,
 * never as long as the browser's download, and a failure half-way is an error answer rather
 * than a truncated file served with 200.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished as onFinished, type Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import ExcelJS, { type CellRichTextValue, type CellValue, type stream, type Worksheet } from 'exceljs';
import { ACTION_GROUPS, actionLabel, describeChanges, documentTypeLabel, type Locale, type References } from '../../core/audit-labels';
import { formatDateFr, parisDate } from '../../core/dates';
import { DOCUMENT_TITLES } from '../../core/documents';
import { centsToDecimal, formatEuros } from '../../core/money';
import type { Db } from '../db/pool';
import type { DossierContext } from '../platform/auth';
import { AppError } from '../platform/errors';
import { journalActors, journalRows, journalSummary, resolveReferences, type JournalFilters, type JournalRow, type JournalSummary } from './journal';

export type ExportFormat = 'xlsx' | 'csv';

/** What one request exports at most (the file made by the request itself); beyond, the request is refused (413). */
export const MAX_EXPORT_ROWS = 50_000;
/** Rows per database read (keyset page). */
const BATCH = 2000;

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** A cell before it is written: Dates hold the Paris wall-clock time in their UTC fields; amounts are cents. */
export type Cell = string | number | Date | null;
export type CellKind = 'date' | 'amount' | 'integer' | 'text';

interface Column {
  header: Record<Locale, string>;
  kind: CellKind;
  value(row: JournalRow, refs: References, locale: Locale): Cell;
}

const COLUMNS: readonly Column[] = [
  { header: { fr: 'Date et heure', en: 'Date and time' }, kind: 'date', value: (r) => parisWallClock(r.occurredAt) },
  { header: { fr: 'Utilisateur', en: 'User' }, kind: 'text', value: (r) => r.actorName },
  { header: { fr: 'Profil', en: 'Profile' }, kind: 'text', value: (r) => r.actorProfile },
  { header: { fr: 'Action', en: 'Action' }, kind: 'text', value: (r, _, locale) => actionLabel(r.action, locale) },
  { header: { fr: 'Type de document', en: 'Document type' }, kind: 'text', value: (r, _, locale) => documentTypeLabel(r.documentType, locale) || null },
  { header: { fr: 'Document ou élément', en: 'Document or record' }, kind: 'text', value: (r) => r.documentNumber ?? r.entityLabel },
  { header: { fr: 'Client', en: 'Customer' }, kind: 'text', value: (r) => r.customerName },
  { header: { fr: 'Montant TTC', en: 'Amount incl. VAT' }, kind: 'amount', value: (r) => r.grossCents },
  { header: { fr: 'Détail', en: 'Details' }, kind: 'text', value: (r) => r.summary },
  { header: { fr: 'Modifications', en: 'Changes' }, kind: 'text', value: (r, refs, locale) => changesText(r, refs, locale) },
  { header: { fr: 'Adresse IP', en: 'IP address' }, kind: 'text', value: (r) => r.ip },
  { header: { fr: "N° d'ordre", en: 'Sequence no.' }, kind: 'integer', value: (r) => r.seq },
  { header: { fr: 'Empreinte', en: 'Hash' }, kind: 'text', value: (r) => r.hash },
];

/** The columns' headers and kinds of cell, in order. */
export function journalColumns(locale: Locale): { header: string; kind: CellKind }[] {
  return COLUMNS.map((c) => ({ header: c.header[locale], kind: c.kind }));
}

/** A row's cells, in the columns' order. */
export function journalCells(row: JournalRow, refs: References, locale: Locale): Cell[] {
  return COLUMNS.map((c) => c.value(row, refs, locale) ?? null);
}

/** « ligne 2 : quantité 3 → 5 », one change per line. */
function changesText(row: JournalRow, refs: References, locale: Locale): string | null {
  const lines = describeChanges(row.changes, refs, locale);
  if (lines.length === 0) return null;
  const colon = locale === 'fr' ? ' : ' : ': ';
  return lines.map((l) => `${l.label}${colon}${l.before} → ${l.after}`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Paris wall-clock time. An Excel date has no time zone: it holds the time as read on a clock in
// Paris. Paris changes its offset only at 01:00 UTC (last Sundays of March and October), so the
// offset is the same for a whole UTC hour and is computed once per hour.

const PARIS_CLOCK = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const HOUR_MS = 3_600_000;
const parisOffsets = new Map<number, number>();

function parisOffsetMs(instant: Date): number {
  const hour = Math.floor(instant.getTime() / HOUR_MS);
  let offset = parisOffsets.get(hour);
  if (offset === undefined) {
    const p: Record<string, number> = {};
    for (const part of PARIS_CLOCK.formatToParts(new Date(hour * HOUR_MS))) p[part.type] = Number(part.value);
    offset = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - hour * HOUR_MS;
    if (parisOffsets.size > 100_000) parisOffsets.clear();
    parisOffsets.set(hour, offset);
  }
  return offset;
}

/**
 * The Paris wall-clock time of an instant, to the second, as a Date whose UTC fields hold it.
 * To the second because that is what both files show: Excel would round a fraction of a second
 * up on display, and disagree with the CSV.
 */
export function parisWallClock(instant: Date): Date {
  return new Date(Math.floor((instant.getTime() + parisOffsetMs(instant)) / 1000) * 1000);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** dd/mm/yyyy hh:mm:ss of a wall-clock Date (see parisWallClock). */
export function formatWallClock(d: Date): string {
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

// ---------------------------------------------------------------------------------------------
// Formula injection. A text a spreadsheet would take for a formula starts with one of OWASP's
// characters: = + - @, tab, carriage return.

const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

/**
 * CSV: such a text is prefixed with `'` (OWASP's recommendation), since a spreadsheet parses
 * every CSV field as if typed; RFC 4180 quoting for `;`, `"`, CR and LF.
 */
export function csvField(value: string): string {
  const text = FORMULA_TRIGGER.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Excel keeps at most this many characters in a cell (and reports a file with more as damaged). */
export const XLSX_CELL_MAX = 32_767;
const TRUNCATED: Record<Locale, (n: number) => string> = {
  fr: (n) => ` […] (tronqué : ${n.toLocaleString('fr-FR')} caractères en tout, dans l'export CSV)`,
  en: (n) => ` […] (truncated: ${n.toLocaleString('en-GB')} characters in all, in the CSV export)`,
};

/** What only an inline string keeps as it is: a formula's first character, white space at either end, an `_x…_` escape. */
const INLINE = new RegExp(`${FORMULA_TRIGGER.source}|^\\s|\\s$|_x[0-9A-Fa-f]{4}_`);
const NOT_XML = /[\uFFFE\uFFFF]/;

/**
 * XLSX: a text is written as a string cell, never a formula, so nothing is evaluated and the
 * value stays exactly as recorded (no `'` prefix: in a workbook it would become part of the
 * data, falsifying the trail). exceljs writes plain strings as `t="str"` with the text in `<v>`,
 * which the standard defines as a formula's cached result, and which readers trim. A text that
 * looks like a formula, begins or ends with white space, or holds what OOXML reads as an escaped
 * character (`_x0041_` is « A » to Excel) is written as an inline string (`t="inlineStr"`):
 * unambiguously text for every reader, its spaces kept (`xml:space="preserve"`), its `_x…_`
 * sequences escaped (`_x005F_` is the underscore). Characters that XML cannot carry (U+FFFE,
 * U+FFFF) become U+FFFD; C0 controls never reach here (text at the edge refuses them) and
 * exceljs drops them anyway.
 */
export function xlsxText(value: string, locale: Locale): string | CellRichTextValue {
  let text = NOT_XML.test(value) ? value.replace(new RegExp(NOT_XML, 'g'), '\uFFFD') : value;
  if (text.length > XLSX_CELL_MAX) {
    const marker = TRUNCATED[locale](text.length);
    let cut = XLSX_CELL_MAX - marker.length;
    if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut--; // never half of a surrogate pair
    text = text.slice(0, cut) + marker;
  }
  return INLINE.test(text) ? { richText: [{ text: text.replace(/_(?=x[0-9A-Fa-f]{4}_)/g, '_x005F_') }] } : text;
}

// ---------------------------------------------------------------------------------------------
// Writers

/** Waits while the output's buffer is full: the writers never run ahead of the reader of the file. */
async function drained(output: Writable): Promise<void> {
  if (output.errored) throw output.errored;
  if (output.writableNeedDrain) await once(output, 'drain');
}

/**
 * Batches of cells from the database: each keyset page of events with the records its changes
 * name. The next page (and its records) is asked for before this one is handed over, so that
 * PostgreSQL reads it while this one is being written.
 */
export async function* journalCellBatches(t: Db, dossierId: string, filters: JournalFilters, locale: Locale): AsyncGenerator<Cell[][]> {
  const pages = journalRows(t, dossierId, filters, BATCH);
  const read = () => {
    const page = pages.next().then(async (p) => (p.done ? null : { rows: p.value, refs: await resolveReferences(t, dossierId, p.value) }));
    // Its failure is thrown where it is awaited; until then (or if the writer stops first) it is no unhandled rejection.
    page.catch(() => undefined);
    return page;
  };
  let next = read();
  for (let batch = await next; batch; batch = await next) {
    next = read();
    yield batch.rows.map((row) => journalCells(row, batch.refs, locale));
  }
}

export const XLSX_NUMBER_FORMATS: Partial<Record<CellKind, string>> = { date: 'dd/mm/yyyy hh:mm:ss', amount: '#,##0.00 "€"' };
const MIN_WIDTH = 10;
const MAX_WIDTH = 60;

/** A column's width in characters, from its header and the first batch (a streaming writer writes the widths before the first row). */
function columnWidth(column: Column, index: number, sample: readonly Cell[][], locale: Locale): number {
  let longest = column.header[locale].length;
  for (const cells of sample) {
    const value = cells[index];
    if (value === null || value === undefined) continue;
    const length =
      column.kind === 'date' ? 19 : column.kind === 'amount' ? formatEuros(value as number, locale).length : Math.max(...String(value).split('\n').map((l) => l.length));
    if (length > longest) longest = length;
    if (longest >= MAX_WIDTH) break;
  }
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, longest + 2));
}

function xlsxValue(kind: CellKind, value: Cell, locale: Locale): CellValue {
  if (value === null) return null;
  if (kind === 'amount') return (value as number) / 100;
  if (kind === 'text') return xlsxText(value as string, locale);
  return value;
}

/** A1-style name of a column (1 → A, 13 → M). */
function columnLetter(n: number): string {
  let name = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) name = String.fromCharCode(65 + ((i - 1) % 26)) + name;
  return name;
}

/**
 * exceljs hands a sheet's XML to the zip's compressor without waiting for it (its StreamBuf
 * ignores what write() answers), so rows coming faster than zlib compresses them would pile up
 * in memory, uncompressed. The writer waits after each batch until the stream the sheet's XML
 * is piped into has passed it on (exceljs 4.4 and archiver 5's internals: the worksheet's
 * `stream`, its `pipes`, readable-stream 2's write state, which predates `writableNeedDrain`).
 */
async function compressed(sheet: Worksheet): Promise<void> {
  const xml = (sheet as unknown as { stream: { pipes?: Writable[] } }).stream;
  for (const next of xml.pipes ?? []) {
    const full = next.writableNeedDrain ?? (next as unknown as { _writableState?: { needDrain?: boolean } })._writableState?.needDrain;
    if (full) await once(next, 'drain');
  }
}

const SHEETS = {
  journal: { fr: 'Journal des actions', en: 'Activity log' },
  summary: { fr: 'Synthèse', en: 'Summary' },
} as const;
const SUMMARY_WORDS = { user: { fr: 'Utilisateur', en: 'User' }, total: { fr: 'Total', en: 'Total' } } as const;

/** Sheet 1: the events (header frozen, filter on every column); sheet 2: the summary. Returns the rows written. */
async function writeXlsx(output: Writable, batches: AsyncIterable<Cell[][]>, summary: JournalSummary, locale: Locale): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Ardoise';
  const sheet = workbook.addWorksheet(SHEETS.journal[locale], { views: [{ state: 'frozen', ySplit: 1 }] });
  const iterator = batches[Symbol.asyncIterator]();
  const first = await iterator.next();
  const firstBatch = first.done ? [] : first.value;
  // One style object per column, shared by its cells: exceljs finds a style object it has seen in
  // a WeakMap, where it would otherwise serialise each cell's own copy to XML to look it up.
  const styles = COLUMNS.map((c) => (XLSX_NUMBER_FORMATS[c.kind] ? { numFmt: XLSX_NUMBER_FORMATS[c.kind] } : {}));
  sheet.columns = COLUMNS.map((c, i) => ({ header: c.header[locale], width: columnWidth(c, i, firstBatch, locale), style: styles[i] }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  let rows = 0;
  const write = async (batch: Cell[][]) => {
    for (const cells of batch) {
      const row = sheet.addRow(cells.map((value, i) => xlsxValue(COLUMNS[i]!.kind, value, locale)));
      for (let i = 0; i < styles.length; i++) row.getCell(i + 1).style = styles[i]!;
      row.commit();
    }
    rows += batch.length;
    await compressed(sheet);
    await drained(output);
  };
  if (!first.done) {
    await write(firstBatch);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) await write(next.value);
  }
  sheet.autoFilter = `A1:${columnLetter(COLUMNS.length)}${rows + 1}`;
  sheet.commit();
  writeSummarySheet(workbook, summary, locale);
  await workbook.commit();
  return rows;
}

/**
 * Actions per user (rows) and kind of action (columns, those that occur, in ACTION_GROUPS'
 * order), with the totals of each row and column. Read by its own statement of the export's
 * transaction: an event committed by someone else while the rows are read can be in one sheet
 * and not the other.
 */
function writeSummarySheet(workbook: stream.xlsx.WorkbookWriter, summary: JournalSummary, locale: Locale): void {
  const groups = Object.keys(ACTION_GROUPS).filter((g) => summary.byUser.some((u) => (u.groups[g] ?? 0) > 0));
  const sheet = workbook.addWorksheet(SHEETS.summary[locale], { views: [{ state: 'frozen', ySplit: 1 }] });
  const names = summary.byUser.map((u) => u.name);
  sheet.columns = [
    { header: SUMMARY_WORDS.user[locale], width: Math.min(MAX_WIDTH, Math.max(MIN_WIDTH + 6, ...names.map((n) => n.length + 2))) },
    ...groups.map((g) => ({ header: ACTION_GROUPS[g]![locale], width: Math.max(MIN_WIDTH, ACTION_GROUPS[g]![locale].length + 2) })),
    { header: SUMMARY_WORDS.total[locale], width: MIN_WIDTH },
  ];
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  for (const user of summary.byUser) sheet.addRow([xlsxText(user.name, locale), ...groups.map((g) => user.groups[g] ?? 0), user.total]).commit();
  const totals = sheet.addRow([SUMMARY_WORDS.total[locale], ...groups.map((g) => summary.byUser.reduce((sum, u) => sum + (u.groups[g] ?? 0), 0)), summary.total]);
  totals.font = { bold: true };
  totals.commit();
  sheet.commit();
}

function csvValue(kind: CellKind, value: Cell): string {
  if (value === null) return '';
  if (kind === 'date') return formatWallClock(value as Date);
  if (kind === 'amount') return centsToDecimal(value as number, ',');
  if (kind === 'integer') return String(value);
  return csvField(value as string);
}

const csvLine = (fields: string[]) => `${fields.join(';')}\r\n`;

async function writeCsv(output: Writable, batches: AsyncIterable<Cell[][]>, locale: Locale): Promise<number> {
  let rows = 0;
  output.write(`\uFEFF${csvLine(COLUMNS.map((c) => csvField(c.header[locale])))}`);
  for await (const batch of batches) {
    output.write(batch.map((cells) => csvLine(cells.map((value, i) => csvValue(COLUMNS[i]!.kind, value)))).join(''));
    rows += batch.length;
    await drained(output);
  }
  output.end();
  await finished(output);
  return rows;
}

/** Writes the journal in `format` to `output` (ended when done). Returns the number of events written. */
export function writeJournal(format: ExportFormat, output: Writable, batches: AsyncIterable<Cell[][]>, summary: JournalSummary, locale: Locale): Promise<number> {
  return format === 'xlsx' ? writeXlsx(output, batches, summary, locale) : writeCsv(output, batches, locale);
}

// ---------------------------------------------------------------------------------------------
// The operation

/** A file written to disk, unlinked at once: nothing is left behind, even by a process that dies. */
interface SpooledFile {
  size: number;
  /** The file's bytes from the start; the file goes when the stream ends or is destroyed. */
  open(): Readable;
  discard(): Promise<void>;
}

async function spool(write: (output: Writable) => Promise<number>): Promise<SpooledFile & { rows: number }> {
  const name = path.join(os.tmpdir(), `ardoise-export-${randomUUID()}`);
  const handle = await fs.open(name, 'wx+', 0o600);
  await fs.unlink(name);
  // Streams on the descriptor, not on the handle: the handle is closed here, once, whatever happens.
  const output = createWriteStream('', { fd: handle.fd, autoClose: false });
  // An error (a full disk) fails the writer at its next batch (see drained), not the process.
  output.on('error', () => undefined);
  try {
    const rows = await write(output);
    const { size } = await handle.stat();
    const open = () => {
      const input = createReadStream('', { fd: handle.fd, start: 0, autoClose: false });
      onFinished(input, () => void handle.close().catch(() => undefined));
      return input;
    };
    return { rows, size, open, discard: () => handle.close() };
  } catch (error) {
    output.destroy();
    await handle.close();
    throw error;
  }
}

export interface JournalExport {
  fileName: string;
  contentType: string;
  size: number;
  rows: number;
  open(): Readable;
}

/**
 * Exports the dossier's journal, filtered, in the request's transaction: refuses more than
 * MAX_EXPORT_ROWS events (413 `export_too_large`, nothing written), writes the file, then records
 * `audit.exported` (format, filters, rows written) as the transaction's last statement. The event
 * follows the file, so that it counts the rows actually written and is not recorded for an export
 * that failed; it commits before the first byte is sent.
 */
export async function exportJournal(d: DossierContext, filters: JournalFilters, format: ExportFormat, locale: Locale): Promise<JournalExport> {
  // The summary counts the rows, and refuses a user filter naming nobody who acted here (400).
  const summary = await journalSummary(d.t, d.id, filters);
  if (summary.total > MAX_EXPORT_ROWS) throw new AppError(413, 'export_too_large', { rows: summary.total, limit: MAX_EXPORT_ROWS });
  const dossier = await d.t.selectFrom('dossiers').select('legal_name').where('id', '=', d.id).executeTakeFirstOrThrow();
  const userName = filters.user ? (summary.byUser.find((u) => u.userId === filters.user)?.name ?? (await journalActors(d.t, d.id)).find((a) => a.userId === filters.user)?.name) : undefined;
  const file = await spool((output) => writeJournal(format, output, journalCellBatches(d.t, d.id, filters, locale), summary, locale));
  try {
    const described = describeFilters(filters, userName);
    await d.audit(
      {
        action: 'audit.exported',
        entityType: 'dossier',
        entityId: d.id,
        entityLabel: dossier.legal_name,
        summary: `Export ${format.toUpperCase()} du journal des actions : ${file.rows.toLocaleString('fr-FR')} ligne${file.rows > 1 ? 's' : ''}${described ? ` (${described})` : ''}`,
        changes: { format: { before: null, after: format }, rows: { before: null, after: file.rows }, filters: { before: null, after: definedFilters(filters) } },
      },
      { commit: true },
    );
  } catch (error) {
    await file.discard();
    throw error;
  }
  return { fileName: exportFileName(dossier.legal_name, format), contentType: CONTENT_TYPES[format], size: file.size, rows: file.rows, open: file.open };
}

export function definedFilters(filters: JournalFilters): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined));
}

/** The filters as the trail says them, in French (the dossier's language of record). */
export function describeFilters(f: JournalFilters, userName: string | undefined): string {
  const parts: string[] = [];
  if (f.from && f.to) parts.push(`du ${formatDateFr(f.from)} au ${formatDateFr(f.to)}`);
  else if (f.from) parts.push(`à partir du ${formatDateFr(f.from)}`);
  else if (f.to) parts.push(`jusqu'au ${formatDateFr(f.to)}`);
  if (f.user) parts.push(`utilisateur ${userName ?? f.user}`);
  if (f.action) parts.push(`action « ${actionLabel(f.action, 'fr')} »`);
  if (f.group) parts.push(`actions « ${ACTION_GROUPS[f.group]?.fr ?? f.group} »`);
  if (f.entityType) parts.push(`éléments de type ${f.entityType}`);
  if (f.documentType) parts.push(`documents « ${DOCUMENT_TITLES[f.documentType].fr} »`);
  if (f.q) parts.push(`recherche « ${f.q} »`);
  return parts.join(', ');
}

/** journal-des-actions-<dossier>-<date>.<ext>, the dossier's name as typed (filename*) and in ASCII (filename). */
export function exportFileName(dossierName: string, format: ExportFormat, date = parisDate()): string {
  const name = dossierName.normalize('NFC').replace(/[\\/:*?"<>|\p{C}]+/gu, ' ').trim().replace(/\s+/g, '-').toLowerCase();
  return `journal-des-actions-${name || 'dossier'}-${date}.${format}`;
}

/** `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266, RFC 5987): ASCII for old clients, the real name for the others. */
export function attachmentHeader(fileName: string): string {
  const ascii = fileName
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\w.-]+/g, '-')
    .replace(/-{2,}/g, '-');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
