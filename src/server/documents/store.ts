import type { Selectable } from 'kysely';
import { formatDecimal, parseDecimal } from '../../core/decimal';
import type { LineInput } from '../../core/document-schema';
import type { DocumentType } from '../../core/documents';
import { PRICE_SCALE, QUANTITY_SCALE, rateKey, type DepositDeduction, type Discount, type TotalsLine } from '../../core/totals';
import type { Db } from '../db/pool';
import type { DocumentLinesTable, DocumentsTable } from '../db/schema';
import { notFound } from '../platform/errors';

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

export async function loadLines(t: Db, dossierId: string, documentId: string): Promise<LineInput[]> {
  const rows = await t.selectFrom('document_lines').selectAll().where('dossier_id', '=', dossierId).where('document_id', '=', documentId).orderBy('position').execute();
  return rows.map(lineFromRow);
}

/** Replaces a draft's lines (the database refuses it once the document is numbered). */
export async function saveLines(t: Db, dossierId: string, documentId: string, lines: LineInput[]): Promise<void> {
  await t.deleteFrom('document_lines').where('dossier_id', '=', dossierId).where('document_id', '=', documentId).execute();
  if (lines.length === 0) return;
  await t
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
    .execute();
}

export function deductionsOf(row: DocumentRow): DepositDeduction[] {
  return (row.deductions as DepositDeduction[] | null) ?? [];
}
