/**
 * The reminder scheduler: a pg-boss cron job (mail/queue.ts, once an hour, once across app
 * processes) scans the dossiers whose plan is `automatic` and stores the reminders due on a day,
 * each in its own tenant transaction with its audit event, then queues their delivery.
 *
 * Only the highest level an invoice has reached is sent, and never a level at or below one
 * already sent (docs/ARCHITECTURE.md says why). Everything is checked again under the dossier's
 * write lock, and the level's primary key decides last: two scans at once, in one process or
 * two, store one reminder per level.
 */
import { randomUUID } from 'node:crypto';
import { sql, type SqlBool } from 'kysely';
import { addDays, parisDate } from '../../core/dates';
import { levelReached } from '../../core/reminders';
import type { Db } from '../db/pool';
import type { Tx } from '../db/tx';
import { lockAuditHead, writeAudit } from '../platform/audit';
import { loadDocument } from '../documents/store';
import { AppError } from '../platform/errors';
import { assertWithinSendingLimit, NO_REQUEST } from './outbox';
import { lastReminder, loadPlan, PAYABLE_TYPES, REMINDER_ACTOR, reminderMessage, stillDue, storeReminder } from './reminders';

export interface ReminderScanDeps {
  /** The owner connection, to find the dossiers in automatic mode. */
  db: Db;
  tx: Tx;
  enqueue(dossierId: string, messageId: string): Promise<void>;
  /** The per-dossier sending limit (`MAIL_RATE_PER_HOUR`), which reminders count against too. */
  sendingLimit: number;
}

export interface ReminderScan {
  /** Reminders stored (and queued). */
  stored: number;
  /** Overdue invoices whose customer has no e-mail address. */
  withoutAddress: number;
  /** Dossiers whose sending limit stopped the scan: their remaining reminders wait for the next one. */
  limited: number;
}

/** What the scan stores on `asOf` (a Paris calendar date; today by default). */
export async function scanReminders(deps: ReminderScanDeps, asOf: string = parisDate()): Promise<ReminderScan> {
  const result: ReminderScan = { stored: 0, withoutAddress: 0, limited: 0 };
  const dossiers = await deps.db.selectFrom('reminder_plans').select('dossier_id').where('mode', '=', 'automatic').orderBy('dossier_id').execute();
  for (const { dossier_id: dossierId } of dossiers) {
    const plan = await deps.tx({ dossierId }, (t) => loadPlan(t, dossierId));
    if (plan.mode !== 'automatic') continue;
    // Candidates: due for the first level at least and not paid; the rest is decided per invoice.
    const candidates = await deps.tx({ dossierId }, (t) =>
      t
        .selectFrom('documents as d')
        .leftJoin('customers as c', (j) => j.onRef('c.dossier_id', '=', 'd.dossier_id').onRef('c.id', '=', 'd.customer_id'))
        .select(['d.id', 'd.due_date', 'c.emails'])
        .select((eb) =>
          eb
            .selectFrom('invoice_reminders as r')
            .select((r) => r.fn.max('r.level').as('level'))
            .whereRef('r.dossier_id', '=', 'd.dossier_id')
            .whereRef('r.document_id', '=', 'd.id')
            .where('r.cancelled_at', 'is', null)
            .as('last_level'),
        )
        .where('d.dossier_id', '=', dossierId)
        .where('d.type', 'in', PAYABLE_TYPES)
        .where('d.status', '=', 'issued')
        .where(sql<SqlBool>`d.gross_cents - d.paid_cents - d.credited_cents > 0`)
        .where('d.due_date', '<=', addDays(asOf, -plan.days[1]))
        .orderBy('d.due_date')
        .orderBy('d.id')
        .execute(),
    );
    for (const c of candidates) {
      const reached = levelReached(plan, c.due_date!, asOf);
      if (!reached || (c.last_level ?? 0) >= reached) continue;
      const to = c.emails ?? [];
      if (to.length === 0) {
        result.withoutAddress++;
        continue;
      }
      const stored = await deps
        .tx({ dossierId }, async (t) => {
          await lockAuditHead(t, dossierId);
          const doc = await loadDocument(t, dossierId, c.id);
          const last = await lastReminder(t, dossierId, c.id);
          if (!stillDue(doc) || (last?.level ?? 0) >= reached) return null;
          await assertWithinSendingLimit(t, dossierId, deps.sendingLimit);
          const message = await reminderMessage(t, dossierId, doc, reached, asOf);
          return storeReminder(t, dossierId, doc, reached, { ...message, to, cc: [], bcc: [], idempotencyKey: `relance-${randomUUID()}` }, null, (event) =>
            writeAudit(t, dossierId, REMINDER_ACTOR, NO_REQUEST, event),
          );
        })
        .catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'rate_limited') return 'limited' as const;
          throw error;
        });
      if (stored === 'limited') {
        result.limited++;
        break;
      }
      if (!stored) continue;
      result.stored++;
      await deps.enqueue(dossierId, stored.id);
    }
  }
  return result;
}
