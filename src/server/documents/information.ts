/**
 * A document's « Informations »: who created, last changed and issued (or finalised) it, who
 * downloaded or printed its PDF, each e-mail sent with what became of it, each payment recorded
 * or cancelled, each credit, and the documents it comes from or led to. Read from the audit
 * trail, the downloads (downloads.ts), the outbox and the documents themselves: nothing is kept
 * for it alone.
 */
import type { Selectable } from 'kysely';
import type { DocumentType } from '../../core/documents';
import type { Db } from '../db/pool';
import type { AuditEventsTable } from '../db/schema';
import { listMessages, presentMessage } from '../mail/outbox';
import { listDownloads } from './downloads';
import type { DocumentRow, LinkedDocument } from './store';

type EventRow = Pick<Selectable<AuditEventsTable>, 'occurred_at' | 'actor_name' | 'actor_profile' | 'action' | 'entity_id' | 'changes'>;

/** Who did something, and when. */
export interface Act {
  at: Date;
  actorName: string;
  actorProfile: string | null;
}

/** The steps of a message sent by e-mail, as its audit events name them. */
const MESSAGE_ACTIONS = [
  'document.email_requested',
  'document.reminder_requested',
  'document.email_resend_requested',
  'document.email_sent',
  'document.email_retry',
  'document.email_failed',
  'document.email_uncertain',
  'document.email_marked_sent',
  'document.reminder_cancelled',
] as const;
const REQUESTS: readonly string[] = ['document.email_requested', 'document.reminder_requested'];
const PAYMENT_ACTIONS = ['payment.recorded', 'payment.cancelled'] as const;
/**
 * A document made from another (`source_id`) is a duplicate of it, unless the other's
 * `quote.converted` event names it (`changes.createdDocumentId`): a quote may be duplicated into
 * an invoice too, so the types alone do not tell.
 */
const CONVERTED = 'quote.converted';
const ACTIONS = ['document.created', 'document.updated', 'document.issued', 'document.finalised', 'document.credited', CONVERTED, ...MESSAGE_ACTIONS, ...PAYMENT_ACTIONS];

const act = (e: EventRow): Act => ({ at: e.occurred_at, actorName: e.actor_name, actorProfile: e.actor_profile });
const after = (e: EventRow, key: string): unknown => e.changes?.[key]?.after;
/** How far a balance moved (`paidCents`, `creditedCents`), in cents. */
const moved = (e: EventRow, key: string): number => Math.abs(Number(e.changes?.[key]?.after ?? 0) - Number(e.changes?.[key]?.before ?? 0));

/** The message an event is a step of: e-mail events carry the message, a reminder's request its reminder. */
function messageOf(e: EventRow): string | undefined {
  const message = after(e, 'message') as { id?: string } | undefined;
  const reminder = after(e, 'reminder') as { messageId?: string } | undefined;
  return message?.id ?? reminder?.messageId;
}

/**
 * `mayRead`: whether the caller may read documents of a type; a linked document they may not read
 * is left out, not even its number shown (as on the document's own answer).
 */
export async function documentInformation(t: Db, dossierId: string, doc: DocumentRow, mayRead: (type: DocumentType) => boolean) {
  // The document's events, and those of its source: the source's event says whether it was duplicated or converted.
  const events = await t
    .selectFrom('audit_events')
    .select(['occurred_at', 'actor_name', 'actor_profile', 'action', 'entity_id', 'changes'])
    .where('dossier_id', '=', dossierId)
    .where('entity_type', '=', 'document')
    .where('entity_id', 'in', doc.source_id ? [doc.id, doc.source_id] : [doc.id])
    .where('action', 'in', ACTIONS)
    .orderBy('seq')
    .execute();
  const own = events.filter((e) => e.entity_id === doc.id);
  const last = (actions: readonly string[]) => own.findLast((e) => actions.includes(e.action));
  const issued = last(['document.issued', 'document.finalised']);
  // A save that changed nothing is in the history, but it is not a change.
  const lastChanged = own.findLast((e) => e.action === 'document.updated' && Object.keys(e.changes ?? {}).length > 0);
  const created = last(['document.created']);

  // Its source and the invoice it corrects; the documents made from it and the credit notes of it.
  const linked = await t
    .selectFrom('documents')
    .select(['id', 'type', 'number', 'source_id', 'corrects_id'])
    .where('dossier_id', '=', dossierId)
    .where((eb) =>
      eb.or([
        eb('source_id', '=', doc.id),
        eb('corrects_id', '=', doc.id),
        ...[doc.source_id, doc.corrects_id].filter((id): id is string => id !== null).map((id) => eb('id', '=', id)),
      ]),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const readable = linked.filter((l) => mayRead(l.type));
  const present = (l: (typeof linked)[number]): LinkedDocument => ({ id: l.id, type: l.type, number: l.number });
  const source = readable.find((l) => l.id === doc.source_id);
  const corrects = readable.find((l) => l.id === doc.corrects_id);
  const converted = (id: string, fromId: string) => events.some((e) => e.entity_id === fromId && e.action === CONVERTED && after(e, 'createdDocumentId') === id);
  const made = readable.filter((l) => l.source_id === doc.id);

  const messages = (await listMessages(t, dossierId, doc.id)).reverse();
  const steps = own.filter((e) => (MESSAGE_ACTIONS as readonly string[]).includes(e.action));
  const downloads = await listDownloads(t, dossierId, doc.id);

  return {
    created: created ? act(created) : null,
    lastChanged: lastChanged ? act(lastChanged) : null,
    issued: issued ? { ...act(issued), action: issued.action as 'document.issued' | 'document.finalised' } : null,
    downloads: downloads.map((r) => ({ at: r.downloaded_at, actorName: r.user_name, actorProfile: r.user_profile, download: r.download })),
    emails: messages.map((m) => {
      const mine = steps.filter((e) => messageOf(e) === m.id);
      const request = mine.find((e) => REQUESTS.includes(e.action));
      return { ...presentMessage(m), requested: request ? act(request) : null, steps: mine.filter((e) => e !== request).map((e) => ({ ...act(e), action: e.action })) };
    }),
    payments: own.filter((e) => (PAYMENT_ACTIONS as readonly string[]).includes(e.action)).map((e) => ({ ...act(e), action: e.action as (typeof PAYMENT_ACTIONS)[number], amountCents: moved(e, 'paidCents') })),
    credits: own.filter((e) => e.action === 'document.credited').map((e) => ({ ...act(e), amountCents: moved(e, 'creditedCents') })),
    links: {
      duplicatedFrom: source && !converted(doc.id, source.id) ? present(source) : null,
      convertedFrom: source && converted(doc.id, source.id) ? present(source) : null,
      corrects: corrects ? present(corrects) : null,
      duplicatedTo: made.filter((l) => !converted(l.id, doc.id)).map(present),
      convertedTo: made.filter((l) => converted(l.id, doc.id)).map(present),
      creditNotes: readable.filter((l) => l.corrects_id === doc.id && l.type === 'credit_note').map(present),
    },
  };
}
