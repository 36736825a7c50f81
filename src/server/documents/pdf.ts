import { depositView, type DocumentView, type PartySnapshot, type SellerSnapshot } from '../../core/documents';
import type { DepositDeduction, Totals } from '../../core/totals';
import type { Db } from '../db/pool';
import type { FileStore, StoredFile } from '../platform/storage';
import type { PdfRenderer } from '../pdf/renderer';
import type { AuditAnchors } from '../platform/audit-anchors';
import { customerSnapshot, sellerSnapshot } from './snapshots';
import { loadDossier } from './drafts';
import { loadDocument, loadLines, type DocumentRow } from './store';

function termsLabel(row: DocumentRow): string | null {
  const terms = row.payment_terms as { days: number; endOfMonth: boolean } | null;
  if (!terms) return null;
  if (terms.days === 0 && !terms.endOfMonth) return 'Paiement à réception';
  return `Paiement à ${terms.days} jours${terms.endOfMonth ? ' fin de mois' : ''}`;
}

/**
 * Whether the view of a numbered document needs nothing from the database but its row and lines:
 * no logo, no corrected invoice, no deposit deducted. The background freezer then renders it
 * without opening a transaction.
 */
export function viewNeedsNoReads(row: DocumentRow, knownLines?: DocumentView['lines']): boolean {
  return row.number !== null && knownLines !== undefined && !row.seller_logo_file_id && !row.corrects_id && ((row.deductions as DepositDeduction[] | null) ?? []).length === 0;
}

/**
 * What the PDF shows: the frozen snapshots of a numbered document, or the live details of a draft.
 * `t` may be null when `viewNeedsNoReads` says so.
 */
export async function documentView(maybeT: Db | null, files: FileStore, row: DocumentRow, knownLines?: DocumentView['lines']): Promise<DocumentView> {
  const db = (): Db => {
    if (!maybeT) throw new Error(`The view of document ${row.id} needs the database`);
    return maybeT;
  };
  const numbered = row.number !== null;
  let seller: SellerSnapshot;
  let customer: PartySnapshot | null;
  let logoId: string | null;
  if (numbered) {
    seller = row.seller_snapshot as SellerSnapshot;
    customer = row.customer_snapshot as PartySnapshot | null;
    logoId = row.seller_logo_file_id;
  } else {
    const dossier = await loadDossier(db(), row.dossier_id);
    seller = sellerSnapshot(dossier);
    logoId = dossier.logo_file_id;
    const c = row.customer_id ? await db().selectFrom('customers').selectAll().where('dossier_id', '=', row.dossier_id).where('id', '=', row.customer_id).executeTakeFirst() : undefined;
    customer = c ? customerSnapshot(c) : null;
  }
  const logo = logoId ? await files.get(db(), row.dossier_id, logoId) : null;
  const corrected = row.corrects_id ? await loadDocument(db(), row.dossier_id, row.corrects_id) : null;
  const deductions = row.deductions as DepositDeduction[];
  const depositRows = deductions.length
    ? await db().selectFrom('documents').select(['id', 'number', 'issue_date']).where('dossier_id', '=', row.dossier_id).where('id', 'in', deductions.map((x) => x.depositId ?? '')).execute()
    : [];
  return {
    type: row.type,
    number: row.number,
    draft: !numbered,
    issueDate: row.issue_date,
    serviceDate: row.service_date,
    dueDate: row.due_date,
    validityDate: row.validity_date,
    seller,
    customer: customer ?? { name: '', address: null },
    vatTreatment: row.vat_treatment,
    lines: knownLines ?? (await loadLines(db(), row.dossier_id, row.id)),
    discount: row.discount as DocumentView['discount'],
    totals: row.totals as Totals,
    deposits: deductions.flatMap((d) => {
      const dep = depositRows.find((r) => r.id === d.depositId);
      return dep ? [depositView(dep.number ?? '', dep.issue_date, d.vat)] : [];
    }),
    corrects: corrected?.number ? { number: corrected.number, issueDate: corrected.issue_date } : null,
    paymentTermsLabel: termsLabel(row),
    notes: row.notes,
    logo: logo ? { contentType: logo.contentType, content: logo.content } : null,
  };
}

/**
 * The PDF of a numbered document is made once and kept, with its SHA-256: served byte-identical
 * ever after, and checked by the audit verification against the hash signed when it was made. Drafts are rendered on each request, with the draft watermark.
 */
export async function documentPdf(
  t: Db,
  files: FileStore,
  renderer: PdfRenderer,
  anchors: Pick<AuditAnchors, 'recordPdf'>,
  row: DocumentRow,
  knownLines?: DocumentView['lines'],
): Promise<StoredFile | { content: Buffer; contentType: string; sha256: null }> {
  if (row.pdf_file_id) {
    const stored = await files.get(t, row.dossier_id, row.pdf_file_id);
    if (stored) return stored;
  }
  const content = await renderer.render(await documentView(t, files, row, knownLines), row.issued_at ?? new Date());
  if (row.number === null) return { content, contentType: 'application/pdf', sha256: null };
  return storeFrozenPdf(t, files, anchors, row, content);
}

/**
 * Stores the rendered PDF of a numbered document as its frozen PDF, unless one was stored first
 * (another node): then that one is kept, and returned.
 */
export async function storeFrozenPdf(t: Db, files: FileStore, anchors: Pick<AuditAnchors, 'recordPdf'>, row: DocumentRow, content: Buffer): Promise<StoredFile> {
  const file = await files.put(t, row.dossier_id, { contentType: 'application/pdf', content });
  const set = await t
    .updateTable('documents')
    .set({ pdf_file_id: file.id })
    .where('dossier_id', '=', row.dossier_id)
    .where('id', '=', row.id)
    .where('pdf_file_id', 'is', null)
    .executeTakeFirst();
  if (Number(set.numUpdatedRows) === 0) {
    // Another request froze it first: keep theirs.
    await files.remove(t, row.dossier_id, file.id);
    const winner = await loadDocument(t, row.dossier_id, row.id);
    return (await files.get(t, row.dossier_id, winner.pdf_file_id!))!;
  }
  // Its hash, signed outside the database (platform/audit-anchors.ts). Written before the commit:
  // should it not happen, the PDF made again is the same document, with the same hash.
  await anchors.recordPdf(row.dossier_id, row.id, file.sha256);
  return file;
}
