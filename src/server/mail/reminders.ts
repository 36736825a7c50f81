/**
 * Payment reminders (*relances*): the dossier's reminder plan, and storing a reminder. A reminder
 * is a message of the outbox (mail/outbox.ts `storeMessage`, delivered by the queue like any
 * document e-mail) with its level, plus a row of `invoice_reminders` whose primary key (dossier,
 * invoice, level) admits one reminder per level per invoice, whoever asks. The scheduler's scan is
 * in mail/reminder-scan.ts.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { formatDateFr, parisDate } from '../../core/dates';
import type { PartySnapshot } from '../../core/documents';
import { fillTemplate, REMINDER_LEVEL_LABELS, type ReminderLevel } from '../../core/outgoing-mail';
import { daysOverdue, DEFAULT_REMINDER_PLAN, nextReminderLevel, type ReminderPlan, type ReminderRequest } from '../../core/reminders';
import type { Db } from '../db/pool';
import { lockAuditHead, type AuditActor, type AuditInput } from '../platform/audit';
import type { DossierContext } from '../platform/auth';
import { conflict } from '../platform/errors';
import { loadDossier } from '../documents/drafts';
import { loadDocument, type DocumentRow } from '../documents/store';
import { assertWithinSendingLimit, documentName, messageEvent, messageForKey, recipientsText, storeMessage, type MessageRow, type NewMessage } from './outbox';
import { templateFor } from './templates';

/** The actor of the reminders the scheduler sends. */
export const REMINDER_ACTOR: AuditActor = { userId: null, name: 'Relance automatique', profile: null };

export const PAYABLE_TYPES = ['invoice', 'deposit_invoice'] as const;

export async function loadPlan(t: Db, dossierId: string): Promise<ReminderPlan> {
  const row = await t.selectFrom('reminder_plans').selectAll().where('dossier_id', '=', dossierId).executeTakeFirst();
  if (!row) return DEFAULT_REMINDER_PLAN;
  return { mode: row.mode, days: { 1: row.level1_days, 2: row.level2_days, 3: row.level3_days } };
}

function planText(plan: ReminderPlan): string {
  const mode = { off: 'désactivées', manual: 'manuelles', automatic: 'automatiques' }[plan.mode];
  return `relances ${mode}, à ${plan.days[1]}, ${plan.days[2]} et ${plan.days[3]} jours après l'échéance`;
}

/** Paramètres › Relances: the mode and the days of each level, audited. */
export async function updatePlan(d: DossierContext, plan: ReminderPlan): Promise<ReminderPlan> {
  await lockAuditHead(d.t, d.id);
  const before = await loadPlan(d.t, d.id);
  if (JSON.stringify(before) === JSON.stringify(plan)) return before;
  const columns = { mode: plan.mode, level1_days: plan.days[1], level2_days: plan.days[2], level3_days: plan.days[3], updated_at: sql<Date>`now()` };
  await d.t
    .insertInto('reminder_plans')
    .values({ dossier_id: d.id, ...columns })
    .onConflict((oc) => oc.column('dossier_id').doUpdateSet(columns))
    .execute();
  const dossier = await loadDossier(d.t, d.id);
  await d.audit({
    action: 'dossier.reminder_plan_updated',
    entityType: 'dossier',
    entityId: d.id,
    entityLabel: dossier.legal_name,
    summary: `Plan de relance modifié : ${planText(plan)}`,
    changes: { reminderPlan: { before, after: plan } },
  });
  return plan;
}

export function balanceOf(doc: Pick<DocumentRow, 'gross_cents' | 'paid_cents' | 'credited_cents'>): number {
  return Number(doc.gross_cents) - Number(doc.paid_cents) - Number(doc.credited_cents);
}

/** Whether a reminder may still go out for an invoice: issued, something left to pay (so neither paid nor cancelled by a credit note). */
export function stillDue(doc: Pick<DocumentRow, 'type' | 'status' | 'gross_cents' | 'paid_cents' | 'credited_cents'>): boolean {
  return (doc.type === 'invoice' || doc.type === 'deposit_invoice') && doc.status === 'issued' && balanceOf(doc) > 0;
}

/** The highest level of the invoice's reminders that still count (a cancelled one does not), with its date. */
export async function lastReminder(t: Db, dossierId: string, documentId: string): Promise<{ level: number; created_at: Date } | null> {
  const row = await t
    .selectFrom('invoice_reminders')
    .select(['level', 'created_at'])
    .where('dossier_id', '=', dossierId)
    .where('document_id', '=', documentId)
    .where('cancelled_at', 'is', null)
    .orderBy('level', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}

/** The level's template of the dossier, filled for the invoice on `asOf`. */
export async function reminderMessage(t: Db, dossierId: string, doc: DocumentRow, level: ReminderLevel, asOf: string): Promise<{ subject: string; body: string }> {
  const template = await templateFor(t, dossierId, `reminder_${level}`);
  const dossier = await loadDossier(t, dossierId);
  const values = {
    type: doc.type,
    number: doc.number ?? '',
    grossCents: Number(doc.gross_cents),
    dueDate: doc.due_date,
    validityDate: doc.validity_date,
    customer: (doc.customer_snapshot as PartySnapshot | null)?.name ?? '',
    company: dossier.legal_name,
    iban: dossier.iban,
    bic: dossier.bic,
    amountDueCents: balanceOf(doc),
    daysOverdue: doc.due_date ? daysOverdue(doc.due_date, asOf) : 0,
  };
  return { subject: fillTemplate(template.subject, values), body: fillTemplate(template.body, values) };
}

export const reminderName = (level: number) => `Relance ${level} (${REMINDER_LEVEL_LABELS[level as ReminderLevel].fr.toLowerCase()})`;

/**
 * Stores a reminder of `level` for an invoice, under the dossier's write lock (taken by the
 * caller): claims the level (`invoice_reminders`; a cancelled reminder of that level is replaced),
 * stores its message and writes its audit event. Null when the level is taken.
 */
export async function storeReminder(
  t: Db,
  dossierId: string,
  doc: DocumentRow,
  level: ReminderLevel,
  message: Omit<NewMessage, 'reminderLevel'>,
  createdBy: string | null,
  audit: (event: AuditInput) => Promise<void>,
): Promise<MessageRow | null> {
  const messageId = randomUUID();
  const claim = { message_id: messageId, created_at: sql<Date>`now()`, created_by: createdBy, cancelled_at: null };
  const claimed = await t
    .insertInto('invoice_reminders')
    .values({ dossier_id: dossierId, document_id: doc.id, level, ...claim })
    .onConflict((oc) => oc.columns(['dossier_id', 'document_id', 'level']).doUpdateSet(claim).where('invoice_reminders.cancelled_at', 'is not', null))
    .returning('level')
    .executeTakeFirst();
  if (!claimed) return null;
  const row = await storeMessage(t, dossierId, doc, { ...message, reminderLevel: level }, createdBy, messageId);
  const name = documentName(doc.type, doc.number ?? '');
  await audit({
    ...messageEvent(row, { type: doc.type, number: doc.number ?? '' }, 'document.reminder_requested', `${reminderName(level)} demandée : ${name} à ${recipientsText(row)}`),
    changes: { reminder: { before: null, after: { level, messageId: row.id, to: row.to_addresses, cc: row.cc_addresses, bcc: row.bcc_addresses } } },
  });
  return row;
}

/** A person may remind an invoice that is overdue today, unless the dossier's reminders are off. */
async function assertRemindable(d: DossierContext, doc: DocumentRow): Promise<void> {
  if ((await loadPlan(d.t, d.id)).mode === 'off') throw conflict('reminders_off');
  if (!stillDue(doc) || !doc.due_date || doc.due_date >= parisDate()) throw conflict('not_overdue');
}

/** What the « Relancer » dialog opens with: the next level, its template filled for today, the customer's addresses. */
export async function nextReminder(d: DossierContext, documentId: string): Promise<{ level: ReminderLevel; subject: string; body: string; to: string[] }> {
  const doc = await loadDocument(d.t, d.id, documentId, { types: PAYABLE_TYPES });
  await assertRemindable(d, doc);
  const last = await lastReminder(d.t, d.id, documentId);
  const level = nextReminderLevel(last?.level ?? null);
  if (!level) throw conflict('reminder_already_sent', { level: 3, date: formatDateFr(parisDate(last!.created_at)) });
  const customer = doc.customer_id ? await d.t.selectFrom('customers').select('emails').where('dossier_id', '=', d.id).where('id', '=', doc.customer_id).executeTakeFirst() : undefined;
  return { level, ...(await reminderMessage(d.t, d.id, doc, level, parisDate())), to: customer?.emails ?? [] };
}

/**
 * « Relancer »: a person sends a reminder of an overdue invoice, with the send dialog's message.
 * A double click (the same idempotency key) answers the first message; a level already sent, or
 * below one sent, is refused.
 */
export async function requestReminder(d: DossierContext, documentId: string, input: ReminderRequest, sendingLimit: number): Promise<{ row: MessageRow; created: boolean }> {
  const doc = await loadDocument(d.t, d.id, documentId, { types: PAYABLE_TYPES });
  await lockAuditHead(d.t, d.id);
  const existing = await messageForKey(d.t, d.id, documentId, input.idempotencyKey);
  if (existing) return { row: existing, created: false };
  // Read again under the lock: a payment recorded meanwhile is seen.
  await assertRemindable(d, await loadDocument(d.t, d.id, documentId, { types: PAYABLE_TYPES }));
  const last = await lastReminder(d.t, d.id, documentId);
  if (last && last.level === input.level) throw conflict('reminder_already_sent', { level: input.level, date: formatDateFr(parisDate(last.created_at)) });
  if (last && last.level > input.level) throw conflict('reminder_level_passed', { level: input.level, sent: last.level });
  await assertWithinSendingLimit(d.t, d.id, sendingLimit);
  const { level, ...message } = input;
  const row = await storeReminder(d.t, d.id, doc, level, message, d.user.id, (event) => d.audit(event));
  // The primary key has the last word (the checks above, under the lock, leave the level free).
  if (!row) throw conflict('reminder_already_sent', { level, date: formatDateFr(parisDate()) });
  return { row, created: true };
}
