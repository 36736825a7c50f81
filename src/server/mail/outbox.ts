/**
 * The durable outbox: a document sent by e-mail becomes a row of `outgoing_messages`, written in
 * the same transaction as its audit event; the job queue's worker (mail/queue.ts) delivers it.
 * Every change of a message's state is a conditional UPDATE (`… WHERE state = … RETURNING`), so
 * that two workers, two app processes or two people never move one message twice.
 */
import { randomUUID } from 'node:crypto';
import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import { parisTime } from '../../core/dates';
import { DOCUMENT_TITLES, type DocumentType } from '../../core/documents';
import { attachmentName, type MessageState, type sendMessageSchema } from '../../core/outgoing-mail';
import type { z } from 'zod';
import type { Db } from '../db/pool';
import type { Database, DossiersTable, OutgoingMessagesTable } from '../db/schema';
import { lockAuditHead, type AuditActor } from '../platform/audit';
import type { DossierContext } from '../platform/auth';
import { AppError, conflict, notFound } from '../platform/errors';
import { loadDossier } from '../documents/drafts';
import { loadDocument, type DocumentRow } from '../documents/store';

export type MessageRow = Selectable<OutgoingMessagesTable>;
export type SendInput = z.output<typeof sendMessageSchema>;

/** The actor of what the delivery worker records: no person, the instance itself. */
export const DELIVERY_ACTOR: AuditActor = { userId: null, name: 'Envoi automatique', profile: null };
export const NO_REQUEST = { ip: null, userAgent: null, requestId: null };

/** A message as the API answers it. */
export function presentMessage(row: MessageRow) {
  return {
    id: row.id,
    documentId: row.document_id,
    state: row.state as MessageState,
    to: row.to_addresses,
    cc: row.cc_addresses,
    bcc: row.bcc_addresses,
    subject: row.subject,
    attachmentName: row.attachment_name,
    attempts: row.attempts,
    nextAttemptAt: row.state === 'retry' ? row.next_attempt_at : null,
    lastError: row.last_error,
    smtpResponse: row.smtp_response,
    messageId: row.message_id,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    reminderLevel: row.reminder_level,
  };
}

export function recipientsText(row: Pick<MessageRow, 'to_addresses' | 'cc_addresses' | 'bcc_addresses'>): string {
  return [row.to_addresses.join(', '), row.cc_addresses.length ? `cc ${row.cc_addresses.join(', ')}` : '', row.bcc_addresses.length ? `cci ${row.bcc_addresses.join(', ')}` : '']
    .filter(Boolean)
    .join(' ; ');
}

export function documentName(type: DocumentType, number: string): string {
  return `${DOCUMENT_TITLES[type].fr} ${number}`;
}

/** The audit event of a message's step, on its document (so that the document's history shows it). */
export function messageEvent(row: MessageRow, document: { type: DocumentType; number: string }, action: string, summary: string) {
  return {
    action,
    entityType: 'document',
    entityId: row.document_id,
    entityLabel: documentName(document.type, document.number),
    summary,
    changes: { message: { before: null, after: { id: row.id, state: row.state, to: row.to_addresses, cc: row.cc_addresses, bcc: row.bcc_addresses, attempts: row.attempts } } },
  };
}

/** What a stored message says; `reminderLevel` for a payment reminder. */
export interface NewMessage {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  body: string;
  idempotencyKey: string;
  reminderLevel?: number | null;
}

/**
 * Stores a message of a numbered document for the worker to deliver: From names the dossier,
 * Reply-To is its e-mail address, the document's frozen PDF is attached under its number. The one
 * place a message is written; the caller records its audit event in the same transaction.
 * `dossier`: the dossier's row when the caller has read it already.
 */
export async function storeMessage(
  t: Db,
  dossierId: string,
  document: DocumentRow,
  input: NewMessage,
  createdBy: string | null,
  id: string = randomUUID(),
  dossier?: Pick<Selectable<DossiersTable>, 'email' | 'legal_name'>,
): Promise<MessageRow> {
  const sender = dossier ?? (await loadDossier(t, dossierId));
  return t
    .insertInto('outgoing_messages')
    .values({
      dossier_id: dossierId,
      id,
      document_id: document.id,
      idempotency_key: input.idempotencyKey,
      to_addresses: input.to,
      cc_addresses: input.cc,
      bcc_addresses: input.bcc,
      subject: input.subject,
      body: input.body,
      reply_to: sender.email,
      sender_name: sender.legal_name,
      attachment_name: attachmentName(document.number ?? ''),
      pdf_file_id: document.pdf_file_id,
      pdf_sha256: null,
      created_by: createdBy,
      reminder_level: input.reminderLevel ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The message already stored under an idempotency key (a double click), refused if it was for another document. */
export async function messageForKey(t: Db, dossierId: string, documentId: string, idempotencyKey: string): Promise<MessageRow | null> {
  const existing = await t.selectFrom('outgoing_messages').selectAll().where('dossier_id', '=', dossierId).where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
  // The same key for another document is a client's mistake, not a double click.
  if (existing && existing.document_id !== documentId) throw new AppError(409, 'conflict');
  return existing ?? null;
}

/**
 * The per-dossier sending limit (`MAIL_RATE_PER_HOUR`), which protects the instance's sender
 * reputation: at most `limit` messages stored in any rolling hour. To be called under the
 * dossier's write lock (`lockAuditHead`) just before storing a message, so that two concurrent
 * requests cannot both take the last slot. Beyond it: 429 `rate_limited`, saying when the oldest
 * message of the hour leaves the window and sending is possible again.
 */
export async function assertWithinSendingLimit(t: Db, dossierId: string, limit: number): Promise<void> {
  const limiting = await t.selectNoFrom((eb) => limitingMessage(eb, dossierId, limit).as('created_at')).executeTakeFirstOrThrow();
  assertUnderLimit(limiting.created_at, limit);
}

/** The creation time of the message that fills the hour's last slot, if the hour is full. */
function limitingMessage(eb: ExpressionBuilder<Database, never>, dossierId: string, limit: number) {
  return eb
    .selectFrom('outgoing_messages')
    .select('created_at')
    .where('dossier_id', '=', dossierId)
    .where('created_at', '>', sql<Date>`now() - interval '1 hour'`)
    .orderBy('created_at', 'desc')
    .limit(1)
    .offset(limit - 1);
}

function assertUnderLimit(limitingAt: Date | null, limit: number): void {
  if (!limitingAt) return;
  const retryAt = new Date(limitingAt.getTime() + 3600_000);
  throw new AppError(429, 'rate_limited', { reason: 'sending_limit', limit, retryAt: retryAt.toISOString(), retryTime: parisTime(retryAt) });
}

/**
 * Under the dossier's write lock, in one statement: the message already stored under the
 * idempotency key (`messageForKey`), else the sending limit (`assertWithinSendingLimit`).
 */
async function existingOrWithinLimit(t: Db, dossierId: string, documentId: string, idempotencyKey: string, limit: number): Promise<MessageRow | null> {
  const found = await t
    .selectNoFrom((eb) => [
      eb.selectFrom('outgoing_messages').select('id').where('dossier_id', '=', dossierId).where('idempotency_key', '=', idempotencyKey).as('existing_id'),
      limitingMessage(eb, dossierId, limit).as('limiting_at'),
    ])
    .executeTakeFirstOrThrow();
  if (found.existing_id) return messageForKey(t, dossierId, documentId, idempotencyKey);
  assertUnderLimit(found.limiting_at, limit);
  return null;
}

/**
 * « Envoyer »: stores the message and its audit event in the request's transaction. A second
 * request with the same idempotency key (a double click, a retried request) answers the message
 * the first one stored and writes nothing: the dossier's write lock is taken before looking, so
 * two concurrent requests find each other; the sending limit is checked under the same lock.
 */
export async function requestSend(
  d: DossierContext,
  types: readonly DocumentType[],
  documentId: string,
  input: SendInput,
  sendingLimit: number,
): Promise<{ row: MessageRow; created: boolean }> {
  const document = await loadDocument(d.t, d.id, documentId, { types });
  if (document.number === null || document.status === 'draft') throw conflict('not_sendable');
  // Read before the lock: the lock is held for three round trips (look, store, record and commit).
  const dossier = await loadDossier(d.t, d.id);
  const head = await lockAuditHead(d.t, d.id);
  const existing = await existingOrWithinLimit(d.t, d.id, documentId, input.idempotencyKey, sendingLimit);
  if (existing) return { row: existing, created: false };
  const row = await storeMessage(d.t, d.id, document, input, d.user.id, randomUUID(), dossier);
  const name = documentName(document.type, document.number);
  await d.audit(messageEvent(row, { type: document.type, number: document.number }, 'document.email_requested', `Envoi par e-mail demandé : ${name} à ${recipientsText(row)}`), { commit: true, head });
  return { row, created: true };
}

export async function listMessages(t: Db, dossierId: string, documentId: string): Promise<MessageRow[]> {
  return t.selectFrom('outgoing_messages').selectAll().where('dossier_id', '=', dossierId).where('document_id', '=', documentId).orderBy('created_at', 'desc').orderBy('id').execute();
}

/**
 * A person's decision on a message: send it again (an uncertain or failed one: a new attempt, as
 * if just requested) or mark it sent (an uncertain one the recipient confirmed receiving).
 */
export async function decide(d: DossierContext, types: readonly DocumentType[], documentId: string, messageId: string, decision: 'resend' | 'mark_sent'): Promise<MessageRow> {
  const document = await loadDocument(d.t, d.id, documentId, { types });
  const current = await d.t.selectFrom('outgoing_messages').selectAll().where('dossier_id', '=', d.id).where('id', '=', messageId).where('document_id', '=', documentId).executeTakeFirst();
  if (!current) throw notFound();
  const from: MessageState[] = decision === 'resend' ? ['uncertain', 'failed'] : ['uncertain'];
  const updated = await d.t
    .updateTable('outgoing_messages')
    .set(
      decision === 'resend'
        ? { state: 'pending', next_attempt_at: new Date(), lease_until: null, attempt_id: null, updated_at: new Date(), notice_dismissed_at: null }
        : { state: 'sent', sent_at: new Date(), lease_until: null, updated_at: new Date(), smtp_response: 'Marqué comme envoyé' },
    )
    .where('dossier_id', '=', d.id)
    .where('id', '=', messageId)
    .where('state', 'in', from)
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw conflict('message_not_uncertain');
  const name = documentName(document.type, document.number ?? '');
  await d.audit(
    messageEvent(
      updated,
      { type: document.type, number: document.number ?? '' },
      decision === 'resend' ? 'document.email_resend_requested' : 'document.email_marked_sent',
      decision === 'resend' ? `Nouvel envoi demandé : ${name} à ${recipientsText(updated)}` : `Envoi marqué comme reçu : ${name} à ${recipientsText(updated)}`,
    ),
  );
  return updated;
}

/** The document's type and number, for the worker's audit events. */
export async function documentOf(t: Db, row: MessageRow): Promise<{ type: DocumentType; number: string }> {
  const doc = await loadDocument(t, row.dossier_id, row.document_id);
  return { type: doc.type, number: doc.number ?? '' };
}

