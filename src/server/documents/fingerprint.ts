import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { LineInput } from '../../core/document-schema';
import { DOCUMENT_TITLES } from '../../core/documents';
import type { Db } from '../db/pool';
import { canonicalJson } from '../platform/audit';
import { lineFromRow, type DocumentRow, type LineRow } from './store';

/** The columns that issuing freezes (the number and the issue time are the issue event's own). */
export type FrozenColumns = Pick<
  DocumentRow,
  | 'id' | 'type' | 'series' | 'issue_date' | 'service_date' | 'due_date' | 'validity_date' | 'customer_id' | 'customer_snapshot' | 'seller_snapshot'
  | 'seller_logo_file_id' | 'vat_treatment' | 'payment_terms' | 'discount' | 'deductions' | 'notes' | 'source_id' | 'corrects_id' | 'totals'
> & { net_cents: number | string; vat_cents: number | string; gross_cents: number | string };

/**
 * SHA-256 of what an issued document says, as issuing freezes it: its parties' snapshots, dates,
 * terms, totals and lines. The issue event records it (`changes.contentSha256`), so a rewrite of
 * the document's rows, even by a superuser with the triggers off, no longer matches its event.
 */
export function documentContentHash(row: FrozenColumns, lines: LineInput[]): string {
  const content = {
    id: row.id,
    type: row.type,
    series: row.series,
    issueDate: row.issue_date,
    serviceDate: row.service_date,
    dueDate: row.due_date,
    validityDate: row.validity_date,
    customerId: row.customer_id,
    customer: row.customer_snapshot,
    seller: row.seller_snapshot,
    sellerLogoFileId: row.seller_logo_file_id,
    vatTreatment: row.vat_treatment,
    paymentTerms: row.payment_terms,
    discount: row.discount,
    deductions: row.deductions,
    notes: row.notes,
    sourceId: row.source_id,
    correctsId: row.corrects_id,
    totals: row.totals,
    netCents: Number(row.net_cents),
    vatCents: Number(row.vat_cents),
    grossCents: Number(row.gross_cents),
    lines,
  };
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

export interface DocumentsVerdict {
  /** Numbered documents checked against their issue event. */
  checked: number;
  /** Why the first document found altered no longer matches its issue event. */
  problem: string | null;
}

const ISSUE_ACTIONS = ['document.issued', 'document.finalised'];
const BATCH = 500;

/**
 * Checks every numbered document of a dossier against the event that issued it: the event exists,
 * gave this number, and (for documents issued since the event records it) the document's content
 * still has the hash the event recorded. Run after the chain is verified, so the events are sound.
 */
export async function verifyIssuedDocuments(t: Db, dossierId: string): Promise<DocumentsVerdict> {
  let checked = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  const problem = (reason: string): DocumentsVerdict => ({ checked, problem: reason });
  for (;;) {
    const docs = await t.selectFrom('documents').selectAll().where('dossier_id', '=', dossierId).where('number', 'is not', null).where('id', '>', after).orderBy('id').limit(BATCH).execute();
    if (docs.length === 0) break;
    const ids = docs.map((d) => d.id);
    const [lineRows, events] = await Promise.all([
      t.selectFrom('document_lines').selectAll().where('dossier_id', '=', dossierId).where('document_id', 'in', ids).orderBy('document_id').orderBy('position').execute(),
      t.selectFrom('audit_events').select(['seq', 'entity_id', 'entity_label', 'changes']).where('dossier_id', '=', dossierId).where('entity_type', '=', 'document').where('entity_id', 'in', ids).where('action', 'in', ISSUE_ACTIONS).execute(),
    ]);
    const lines = new Map<string, LineRow[]>();
    for (const l of lineRows) {
      const list = lines.get(l.document_id);
      if (list) list.push(l);
      else lines.set(l.document_id, [l]);
    }
    const issuedBy = new Map(events.map((e) => [e.entity_id!, e]));
    for (const doc of docs) {
      const label = `${DOCUMENT_TITLES[doc.type].fr} n° ${doc.number}`;
      const event = issuedBy.get(doc.id);
      if (!event) return problem(`${label} : aucun événement du journal n'enregistre son émission.`);
      const seq = Number(event.seq);
      const changes = event.changes as { number?: { after?: unknown }; contentSha256?: { after?: unknown } } | null;
      if (changes?.number?.after !== doc.number) {
        return problem(`${label} : ce numéro n'est pas celui que l'événement n° ${seq} a donné (${String(changes?.number?.after ?? event.entity_label)}).`);
      }
      const recorded = changes?.contentSha256?.after;
      if (typeof recorded === 'string' && recorded !== documentContentHash(doc, (lines.get(doc.id) ?? []).map(lineFromRow))) {
        return problem(`${label} : son contenu a été modifié après son émission (il ne correspond plus à l'empreinte enregistrée par l'événement n° ${seq}).`);
      }
      checked++;
    }
    after = docs[docs.length - 1]!.id;
  }
  const vanished = await t
    .selectFrom('audit_events as e')
    .select(['e.seq', 'e.entity_label'])
    .where('e.dossier_id', '=', dossierId)
    .where('e.entity_type', '=', 'document')
    .where('e.action', 'in', ISSUE_ACTIONS)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('documents as d').select('d.id').whereRef('d.dossier_id', '=', 'e.dossier_id').where(sql<boolean>`d.id::text = e.entity_id`).where('d.number', 'is not', null))),
    )
    .orderBy('e.seq')
    .executeTakeFirst();
  if (vanished) return problem(`Le document n° ${vanished.entity_label} émis par l'événement n° ${vanished.seq} a disparu.`);
  return { checked, problem: null };
}

/**
 * Checks the frozen PDFs whose hash was signed when they were made (platform/audit-anchors.ts):
 * each is still there, and its bytes still have that hash. `when` says when a record was signed.
 */
export async function verifyFrozenPdfs(t: Db, dossierId: string, records: Map<string, { sha256: string; at: string }>, when: (at: string) => string): Promise<string | null> {
  const ids = [...records.keys()];
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    const rows = await t
      .selectFrom('documents as d')
      .leftJoin('files as f', (j) => j.onRef('f.dossier_id', '=', 'd.dossier_id').onRef('f.id', '=', 'd.pdf_file_id'))
      .select(['d.id', 'd.type', 'd.number', 'f.content'])
      .where('d.dossier_id', '=', dossierId)
      .where('d.id', 'in', batch)
      .execute();
    const found = new Map(rows.map((r) => [r.id, r]));
    for (const id of batch) {
      const record = records.get(id)!;
      const row = found.get(id);
      const label = row ? `${DOCUMENT_TITLES[row.type].fr} n° ${row.number}` : `Le document ${id}`;
      if (!row?.content) return `${label} : son PDF figé, signé ${when(record.at)}, a disparu.`;
      if (createHash('sha256').update(row.content).digest('hex') !== record.sha256) {
        return `${label} : son PDF figé a été modifié (il ne correspond plus à l'empreinte signée ${when(record.at)}).`;
      }
    }
  }
  return null;
}
