/**
 * The dossier's messages across its documents (the « Envois » page): newest first, filtered,
 * paginated by keyset on (created_at, id); and the notices a sender sees, on every page, when one
 * of their messages failed or became uncertain, until they dismiss it. A member sees only the
 * messages of the document families they may read.
 */
import { sql, type SqlBool } from 'kysely';
import { z } from 'zod';
import { DOCUMENT_TYPES, FAMILY_OF, type DocumentFamily, type DocumentType } from '../../core/documents';
import { documentLabel, MESSAGE_FILTERS, NOTICE_STATES, type MessageFilter, type MessageState } from '../../core/outgoing-mail';
import type { Permission } from '../../core/permissions';
import { text } from '../../core/text';
import type { Db } from '../db/pool';
import type { DossierContext } from '../platform/auth';
import { AppError, conflict, notFound } from '../platform/errors';
import { containsPattern } from '../platform/records';
import { documentOf, messageEvent, presentMessage, recipientsText, type MessageRow } from './outbox';

const READ_PERMISSION: Record<DocumentFamily, Permission> = { quotes: 'quotes.read', invoices: 'invoices.read' };

/** The document types whose messages a member may see: those of the families they may read. */
export function readableTypes(permissions: readonly Permission[]): DocumentType[] {
  return DOCUMENT_TYPES.filter((type) => permissions.includes(READ_PERMISSION[FAMILY_OF[type]]));
}

const FILTERS = Object.keys(MESSAGE_FILTERS) as [MessageFilter, ...MessageFilter[]];

export const dossierMessagesQuery = z
  .object({
    state: z.enum(FILTERS).optional(),
    type: z.enum(DOCUMENT_TYPES).optional(),
    /** A document number or a recipient's address, or part of one. */
    q: text().max(100).optional(),
    /** The last message of the previous page. */
    cursor: z.uuid('Curseur de page invalide.').optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
export type DossierMessagesQuery = z.output<typeof dossierMessagesQuery>;

/** The dossier's messages of the given types, with their document and who asked for them. */
function messagesOf(t: Db, dossierId: string, types: readonly DocumentType[]) {
  return t
    .selectFrom('outgoing_messages as m')
    .innerJoin('documents as d', (j) => j.onRef('d.dossier_id', '=', 'm.dossier_id').onRef('d.id', '=', 'm.document_id'))
    .innerJoin('users as u', 'u.id', 'm.created_by')
    .where('m.dossier_id', '=', dossierId)
    .where('d.type', 'in', types);
}

type ListedRow = MessageRow & { document_type: DocumentType; document_number: string | null; requested_by: string };

/** A message as the « Envois » page and the notices show it: with its document and its sender. */
function presentListed(row: ListedRow) {
  return {
    ...presentMessage(row),
    document: { id: row.document_id, type: row.document_type, family: FAMILY_OF[row.document_type], number: row.document_number ?? '' },
    requestedBy: row.requested_by,
  };
}

async function fetchListed(query: ReturnType<typeof messagesOf>, limit: number): Promise<ListedRow[]> {
  const rows = await query
    .selectAll('m')
    .select(['d.type as document_type', 'd.number as document_number', 'u.name as requested_by'])
    .orderBy('m.created_at', 'desc')
    .orderBy('m.id', 'desc')
    .limit(limit)
    .execute();
  return rows as ListedRow[];
}

/** One page of the dossier's messages, newest first, and the cursor of the next page (null on the last). */
export async function listDossierMessages(d: DossierContext, q: DossierMessagesQuery) {
  const readable = readableTypes(d.permissions);
  const types = q.type ? readable.filter((type) => type === q.type) : readable;
  if (types.length === 0) return { messages: [], nextCursor: null };
  let query = messagesOf(d.t, d.id, types);
  if (q.cursor) {
    // A cursor is a message of this dossier that the member may see; anything else is refused
    // rather than silently answered as a first page.
    const known = await messagesOf(d.t, d.id, readable).select('m.id').where('m.id', '=', q.cursor).executeTakeFirst();
    if (!known) throw new AppError(400, 'invalid_cursor');
    query = query.where(
      sql<SqlBool>`(m.created_at, m.id) < (SELECT c.created_at, c.id FROM outgoing_messages c WHERE c.dossier_id = ${d.id} AND c.id = ${q.cursor})`,
    );
  }
  if (q.state) query = query.where('m.state', 'in', [...MESSAGE_FILTERS[q.state]] as MessageState[]);
  if (q.q) {
    const like = containsPattern(q.q);
    query = query.where((eb) =>
      eb.or([eb('d.number', 'ilike', like), eb(sql`array_to_string(m.to_addresses || m.cc_addresses || m.bcc_addresses, ' ')`, 'ilike', like)]),
    );
  }
  const rows = await fetchListed(query, q.limit + 1);
  const page = rows.slice(0, q.limit);
  return { messages: page.map(presentListed), nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
}

/** The caller's messages that failed or became uncertain and whose notice they have not dismissed. */
export async function listNotices(d: DossierContext) {
  const types = readableTypes(d.permissions);
  if (types.length === 0) return [];
  const query = messagesOf(d.t, d.id, types)
    .where('m.created_by', '=', d.user.id)
    .where('m.state', 'in', [...NOTICE_STATES])
    .where('m.notice_dismissed_at', 'is', null);
  return (await fetchListed(query, 20)).map(presentListed);
}

/** « J'ai vu »: the sender dismisses the notice of their failed or uncertain message (audited). */
export async function dismissNotice(d: DossierContext, messageId: string) {
  const current = await d.t.selectFrom('outgoing_messages').selectAll().where('dossier_id', '=', d.id).where('id', '=', messageId).where('created_by', '=', d.user.id).executeTakeFirst();
  // Someone else's message is not theirs to dismiss, and its existence is not revealed.
  if (!current) throw notFound();
  if (current.notice_dismissed_at) return { dismissedAt: current.notice_dismissed_at };
  const updated = await d.t
    .updateTable('outgoing_messages')
    .set({ notice_dismissed_at: new Date() })
    .where('dossier_id', '=', d.id)
    .where('id', '=', messageId)
    .where('state', 'in', [...NOTICE_STATES])
    .where('notice_dismissed_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw conflict('no_notice');
  const document = await documentOf(d.t, updated);
  const what = updated.state === 'failed' ? "Échec d'envoi vu" : 'Envoi incertain vu';
  await d.audit(messageEvent(updated, document, 'document.email_notice_dismissed', `${what} : ${documentLabel(document.type, document.number)} à ${recipientsText(updated)}`));
  return { dismissedAt: updated.notice_dismissed_at! };
}
