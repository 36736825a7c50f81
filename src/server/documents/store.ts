import { sql, type Selectable } from 'kysely';
import { formatDecimal, parseDecimal } from '../../core/decimal';
import type { LineInput } from '../../core/document-schema';
import { SERIES_OF, type DocumentType } from '../../core/documents';
import { PRICE_SCALE, QUANTITY_SCALE, rateKey, type DepositDeduction, type Discount, type TotalsLine } from '../../core/totals';
import type { Db } from '../db/pool';
import type { CustomersTable, DocumentLinesTable, DocumentsTable, DossiersTable } from '../db/schema';
import { notFound } from '../platform/errors';
import { executeAndCommit } from '../db/tx';
import { contentAsBase64, storedFile, type StoredFile } from '../platform/storage';
import { settingsOf, type SeriesSettings } from './numbering';

export type DocumentRow = Selectable<DocumentsTable>;
export type LineRow = Selectable<DocumentLinesTable>;

/** numeric text from PostgreSQL ("3.000", "12.5000") to the canonical form ("3", "12.5"). */
function canonical(value: string | null, scale: number): string {
  return value === null ? '0' : formatDecimal(parseDecimal(value, scale)!, scale);
}

export function lineFromRow(row: LineRow): LineInput {
  if (row.kind !== 'item') return { kind: row.kind, designation: row.designation };
  return {
    kind: 'item',
    productId: row.product_id,
    reference: row.reference,
    designation: row.designation,
    description: row.description,
    unit: row.unit,
    quantity: canonical(row.quantity, QUANTITY_SCALE),
    unitPrice: canonical(row.unit_price, PRICE_SCALE),
    discount: (row.discount as Discount | null) ?? null,
    vatRate: rateKey(row.vat_rate ?? '0'),
    nature: row.nature ?? 'service',
  };
}

export function totalsLines(lines: LineInput[]): TotalsLine[] {
  return lines.map((l) => (l.kind === 'item' ? { kind: 'item', quantity: l.quantity, unitPrice: l.unitPrice, vatRate: l.vatRate, discount: l.discount ?? null } : { kind: l.kind }));
}

export async function loadDocument(t: Db, dossierId: string, id: string, opts: { forUpdate?: boolean; types?: readonly DocumentType[] } = {}): Promise<DocumentRow> {
  let q = t.selectFrom('documents').selectAll().where('dossier_id', '=', dossierId).where('id', '=', id);
  if (opts.types) q = q.where('type', 'in', opts.types);
  const row = await (opts.forUpdate ? q.forUpdate() : q).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/**
 * A document with its frozen PDF, in one read (the PDF is null for a draft and until it is made).
 * `commit`: as the transaction's last statement, its COMMIT sent with it.
 * Frozen PDFs are kept in `files` (platform/storage.ts, the PostgreSQL store).
 */
export async function loadDocumentWithPdf(t: Db, dossierId: string, id: string, types: readonly DocumentType[], opts: { commit?: boolean } = {}): Promise<{ row: DocumentRow; pdf: StoredFile | null }> {
  const query = t
    .selectFrom('documents as d')
    .leftJoin('files as f', (j) => j.onRef('f.dossier_id', '=', 'd.dossier_id').onRef('f.id', '=', 'd.pdf_file_id'))
    .selectAll('d')
    .select(['f.id as pdf_id', 'f.content_type as pdf_content_type', 'f.sha256 as pdf_sha256', contentAsBase64('f.content').as('pdf_content')])
    .where('d.dossier_id', '=', dossierId)
    .where('d.id', '=', id)
    .where('d.type', 'in', types);
  const found = opts.commit ? (await executeAndCommit(t, query)).rows[0] : await query.executeTakeFirst();
  if (!found) throw notFound();
  const { pdf_id, pdf_content_type, pdf_sha256, pdf_content, ...row } = found;
  const pdf = pdf_id && pdf_content_type && pdf_sha256 && pdf_content ? storedFile(pdf_id, pdf_content_type, pdf_sha256, pdf_content) : null;
  return { row, pdf };
}

export async function loadLines(t: Db, dossierId: string, documentId: string): Promise<LineInput[]> {
  const rows = await t.selectFrom('document_lines').selectAll().where('dossier_id', '=', dossierId).where('document_id', '=', documentId).orderBy('position').execute();
  return rows.map(lineFromRow);
}

type Exhaustive<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : { missing: Exclude<All, Listed> };
const DOSSIER_COLUMNS = [
  'id', 'legal_name', 'legal_form', 'siren', 'siret', 'vat_number', 'address', 'share_capital_cents', 'rcs_city', 'vat_regime', 'vat_on_debits', 'email',
  'phone', 'iban', 'bic', 'logo_file_id', 'plan', 'vat_rates', 'late_penalty_rate', 'default_payment_days', 'extra_seats', 'created_at', 'updated_at',
] as const satisfies readonly (keyof DossiersTable)[];
const CUSTOMER_COLUMNS = [
  'dossier_id', 'id', 'kind', 'name', 'siren', 'siret', 'vat_number', 'billing_address', 'delivery_address', 'emails', 'payment_days', 'payment_end_of_month',
  'vat_treatment', 'account_code', 'notes', 'archived_at', 'version', 'created_at', 'updated_at',
] as const satisfies readonly (keyof CustomersTable)[];
// A column added to either table must be added above, or this stops compiling.
const dossierColumnsListed: Exhaustive<keyof DossiersTable, (typeof DOSSIER_COLUMNS)[number]> = true;
const customerColumnsListed: Exhaustive<keyof CustomersTable, (typeof CUSTOMER_COLUMNS)[number]> = true;
void dossierColumnsListed;
void customerColumnsListed;

const aliased = (table: string, prefix: string, columns: readonly string[]) => sql.raw(columns.map((c) => `${table}.${c} AS "${prefix}.${c}"`).join(', '));
const DOSSIER_SELECT = aliased('x', 'dossier', DOSSIER_COLUMNS);
const CUSTOMER_SELECT = aliased('c', 'customer', CUSTOMER_COLUMNS);

/** A document linked from another (its source, the invoice it corrects), as its page links to it. */
export interface LinkedDocument {
  id: string;
  type: DocumentType;
  number: string | null;
}

export interface IssueInputs {
  row: DocumentRow;
  /** The documents it links to (source, corrected invoice): issuing answers without reading after its commit. */
  linked: LinkedDocument[];
  dossier: Selectable<DossiersTable>;
  settings: SeriesSettings;
  customer: Selectable<CustomersTable> | null;
  lines: LineInput[];
}

/**
 * What issuing reads, in one statement: the document (locked FOR UPDATE), its dossier and the
 * settings of its series, its customer, and its lines. Every column keeps the type PostgreSQL
 * gives it (the dossier's and customer's columns come aliased, `dossier.…` and `customer.…`);
 * the lines come as JSON with their numeric columns as text, so no decimal goes through a float.
 */
export async function loadForIssue(t: Db, dossierId: string, id: string, types: readonly DocumentType[]): Promise<IssueInputs> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT d.*, ${DOSSIER_SELECT}, ${CUSTOMER_SELECT},
           s.format AS "series.format", s.yearly_reset AS "series.yearly_reset", s.first_number AS "series.first_number",
           (SELECT coalesce(jsonb_agg(to_jsonb(l) || jsonb_build_object('quantity', l.quantity::text, 'unit_price', l.unit_price::text, 'vat_rate', l.vat_rate::text) ORDER BY l.position), '[]')
              FROM document_lines l WHERE l.dossier_id = d.dossier_id AND l.document_id = d.id) AS "lines.json",
           (SELECT coalesce(jsonb_agg(jsonb_build_object('id', o.id, 'type', o.type, 'number', o.number)), '[]')
              FROM documents o WHERE o.dossier_id = d.dossier_id AND o.id IN (d.source_id, d.corrects_id)) AS "linked.json"
      FROM documents d
      JOIN dossiers x ON x.id = d.dossier_id
      LEFT JOIN numbering_series s ON s.dossier_id = d.dossier_id AND s.series = (${JSON.stringify(SERIES_OF)}::jsonb ->> d.type)
      LEFT JOIN customers c ON c.dossier_id = d.dossier_id AND c.id = d.customer_id
     WHERE d.dossier_id = ${dossierId} AND d.id = ${id} AND d.type = ANY(${types}::text[])
       FOR UPDATE OF d`.execute(t);
  const found = rows[0];
  if (!found) throw notFound();
  const parts: Record<'row' | 'dossier' | 'customer' | 'series' | 'lines' | 'linked', Record<string, unknown>> = { row: {}, dossier: {}, customer: {}, series: {}, lines: {}, linked: {} };
  for (const [key, value] of Object.entries(found)) {
    const dot = key.indexOf('.');
    if (dot < 0) parts.row[key] = value;
    else parts[key.slice(0, dot) as 'dossier' | 'customer' | 'series' | 'lines' | 'linked'][key.slice(dot + 1)] = value;
  }
  const row = parts.row as DocumentRow;
  const series = parts.series as { format: string | null; yearly_reset: boolean | null; first_number: number | null };
  return {
    row,
    linked: parts.linked.json as LinkedDocument[],
    dossier: parts.dossier as Selectable<DossiersTable>,
    settings: settingsOf(SERIES_OF[row.type], series.format === null ? null : (series as { format: string; yearly_reset: boolean; first_number: number })),
    customer: parts.customer.id === null ? null : (parts.customer as Selectable<CustomersTable>),
    lines: (parts.lines.json as LineRow[]).map(lineFromRow),
  };
}

/**
 * Replaces a draft's lines (the database refuses it once the document is numbered), and returns
 * them as stored (as `loadLines` reads them). `fresh`: a document just inserted, which has none yet.
 */
export async function saveLines(t: Db, dossierId: string, documentId: string, lines: LineInput[], opts: { fresh?: boolean } = {}): Promise<LineInput[]> {
  if (!opts.fresh) await t.deleteFrom('document_lines').where('dossier_id', '=', dossierId).where('document_id', '=', documentId).execute();
  if (lines.length === 0) return [];
  const rows = await t
    .insertInto('document_lines')
    .values(
      lines.map((l, position) =>
        l.kind === 'item'
          ? {
              dossier_id: dossierId,
              document_id: documentId,
              position,
              kind: 'item' as const,
              product_id: l.productId ?? null,
              reference: l.reference ?? null,
              designation: l.designation,
              description: l.description ?? null,
              unit: l.unit ?? null,
              quantity: l.quantity,
              unit_price: l.unitPrice,
              discount: l.discount ? JSON.stringify(l.discount) : null,
              vat_rate: l.vatRate,
              nature: l.nature,
            }
          : { dossier_id: dossierId, document_id: documentId, position, kind: l.kind, designation: l.designation },
      ),
    )
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.position - b.position).map(lineFromRow);
}

export function deductionsOf(row: DocumentRow): DepositDeduction[] {
  return (row.deductions as DepositDeduction[] | null) ?? [];
}
