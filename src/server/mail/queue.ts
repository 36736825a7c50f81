/**
 * Delivery of the outbox (mail/outbox.ts) by a job queue in PostgreSQL (pg-boss, its own schema
 * `pgboss`, created at its first start). A job only says "look at message M of dossier D"; the
 * message's row is the truth, and the worker moves it with conditional UPDATEs:
 *
 * 1. claim: `pending|retry → sending` with a new attempt id and a lease, committed BEFORE the
 *    SMTP conversation starts (two workers, two app processes: one claim wins, the other finds
 *    nothing to do);
 * 2. deliver (nodemailer over SMTP, or the local outbox without SMTP_URL);
 * 3. outcome, for that attempt id only: `sent`; `retry` at a later time for a temporary failure
 *    (4xx, refused or dropped connection, timeout) while the message is younger than
 *    MAIL_RETRY_FOR_HOURS; `failed` for a permanent one (5xx) or past that time.
 *
 * A message still `sending` after its lease (its worker died between 1 and 3) may or may not
 * have reached the server: the sweep marks it `uncertain`, and it is never sent again unless a
 * person asks to. The sweep runs at start-up and every minute (pg-boss's scheduler, once across
 * app processes); it also queues again the due messages whose job was lost (the process stopped
 * between the commit that stored a message and the queueing of its job). The reminder scan
 * (mail/reminder-scan.ts) runs the same way, once an hour; a reminder whose invoice was settled
 * before its claim is cancelled instead of sent.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { sql } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Config } from '../config';
import type { Db } from '../db/pool';
import { executeAndCommit, type Tx } from '../db/tx';
import { writeAudit } from '../platform/audit';
import { SMTP_CONNECTIONS, type Mailer } from '../platform/mail';
import { contentAsBase64, storedFile, type StoredFile } from '../platform/storage';
import type { PdfFreezer } from '../documents/pdf-freezer';
import { DELIVERY_ACTOR, documentName, documentOf, messageEvent, NO_REQUEST, recipientsText, type MessageRow } from './outbox';
import { scanReminders, type ReminderScan } from './reminder-scan';
import { reminderName, stillDue } from './reminders';

const DELIVER = 'mail-deliver';
const SWEEP = 'mail-sweep';
const REMIND = 'mail-reminders';

export interface MailQueue {
  /** Starts pg-boss (its schema on the first start) and the workers; resolves once they run. */
  start(): Promise<void>;
  /** Queues the delivery of a stored message (after the commit that stored it). */
  enqueue(dossierId: string, messageId: string, at?: Date): Promise<void>;
  /** Stale `sending` messages → `uncertain`; due messages without a job queued again. Returns how many became uncertain. */
  sweep(): Promise<number>;
  /** Stores and queues the payment reminders due on `asOf` (a Paris date; today by default) in the dossiers in automatic mode. */
  scanReminders(asOf?: string): Promise<ReminderScan>;
  /** Stops taking jobs and waits for the deliveries in progress. */
  stop(): Promise<void>;
}

export interface MailQueueDeps {
  databaseUrl: string;
  config: Config;
  /** The owner connection, for the sweep across dossiers. */
  db: Db;
  tx: Tx;
  mailer: Mailer;
  pdfs: Pick<PdfFreezer, 'frozen'>;
  log: { error(obj: unknown, msg: string): void; warn(obj: unknown, msg: string): void };
}

/** A temporary failure is retried; a permanent one (the server answered 5xx) is not. */
export function isPermanentFailure(error: unknown): boolean {
  const code = (error as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** The error as the message shows it: the server's reply when there was one. */
export function describeFailure(error: unknown): string {
  const e = error as { response?: unknown; code?: unknown; message?: unknown };
  const text = typeof e.response === 'string' && e.response ? e.response : typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'string' && !text.includes(e.code) ? `${e.code}: ` : '';
  return `${code}${text}`.slice(0, 1000);
}

/** The wait before attempt `attempts + 1`: base × 2^(attempts − 1), at most two hours. */
export function retryDelaySeconds(baseSeconds: number, attempts: number): number {
  return Math.min(baseSeconds * 2 ** Math.max(0, attempts - 1), 7200);
}

function hhmm(date: Date): string {
  return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(date);
}

export function createMailQueue(deps: MailQueueDeps): MailQueue {
  const { config, tx, mailer } = deps;
  const PgBossClass = createRequire(import.meta.url)('pg-boss') as typeof PgBoss;
  const boss = new PgBossClass({ connectionString: deps.databaseUrl, max: 3, application_name: 'ardoise-mail' });
  let started: Promise<void> | null = null;
  let stopping = false;
  boss.on('error', (error: unknown) => {
    // pg-boss's pool ends its connections without waiting for their sockets to close: one still
    // closing when the database stops right after is told so (57P01). Nothing is lost at that point.
    if (stopping && (error as { code?: unknown })?.code === '57P01') return;
    deps.log.error({ err: error }, 'mail queue error');
  });
  /** The delivery workers, SMTP_CONNECTIONS of them: each delivers one message at a time. */
  const workerIds: string[] = [];

  type Claim = { row: MessageRow; pdf: StoredFile; attemptId: string };

  /**
   * Reads the message with its document's frozen PDF, checks the PDF against its SHA-256 and
   * claims the message, in one transaction whose COMMIT travels with the claim: three round trips.
   * `null` when there is nothing to send now (claimed by another worker, sent, early, …).
   */
  async function claim(dossierId: string, messageId: string, freezerAsked = false): Promise<Claim | null> {
    const step = await tx({ dossierId }, async (t): Promise<Claim | 'none' | { unfrozen: string }> => {
      const found = await t
        .selectFrom('outgoing_messages as m')
        .innerJoin('documents as d', (j) => j.onRef('d.dossier_id', '=', 'm.dossier_id').onRef('d.id', '=', 'm.document_id'))
        .leftJoin('files as f', (j) => j.onRef('f.dossier_id', '=', 'm.dossier_id').on(sql<boolean>`f.id = coalesce(m.pdf_file_id, d.pdf_file_id)`))
        .selectAll('m')
        .select(['f.id as file_id', 'f.content_type as file_content_type', 'f.sha256 as file_sha256', contentAsBase64('f.content').as('file_content')])
        .where('m.dossier_id', '=', dossierId)
        .where('m.id', '=', messageId)
        .executeTakeFirst();
      if (!found) return 'none';
      const { file_id, file_content_type, file_sha256, file_content, ...waiting } = found;
      if (waiting.state !== 'pending' && waiting.state !== 'retry') return 'none';
      if (waiting.next_attempt_at.getTime() > Date.now() + 500) {
        // A job that came early (queued again by the sweep): the message's own time decides.
        await enqueue(dossierId, messageId, waiting.next_attempt_at);
        return 'none';
      }
      // A reminder of an invoice settled since it was stored is cancelled, never sent.
      if (waiting.reminder_level !== null && !(await reminderStillDue(t, waiting))) return 'none';
      if (!file_id || !file_content_type || !file_sha256 || !file_content) return { unfrozen: waiting.document_id };
      const pdf = storedFile(file_id, file_content_type, file_sha256, file_content);
      if (createHash('sha256').update(pdf.content).digest('hex') !== pdf.sha256) throw new Error(`The frozen PDF of document ${waiting.document_id} does not match its SHA-256`);
      const attemptId = randomUUID();
      // The claim, committed before the SMTP conversation: whoever finds the message `sending`
      // knows an attempt may have reached the server.
      const claimed = await executeAndCommit(
        t,
        t
          .updateTable('outgoing_messages')
          .set({
            state: 'sending',
            attempt_id: attemptId,
            attempts: sql<number>`attempts + 1`,
            lease_until: sql<Date>`now() + make_interval(secs => ${config.mail.leaseSeconds})`,
            pdf_file_id: pdf.id,
            pdf_sha256: pdf.sha256,
            updated_at: new Date(),
          })
          .where('dossier_id', '=', dossierId)
          .where('id', '=', messageId)
          .where('state', 'in', ['pending', 'retry'])
          .returningAll(),
      );
      const row = claimed.rows[0];
      return row ? { row, pdf, attemptId } : 'none'; // 'none': another worker claimed it first
    });
    if (step === 'none') return null;
    if (!('unfrozen' in step)) return step;
    // Not made yet when the message was stored (issued a moment before): the freezer makes it, once.
    if (freezerAsked || !(await deps.pdfs.frozen(dossierId, step.unfrozen))) throw new Error(`Document ${step.unfrozen} has no frozen PDF`);
    return claim(dossierId, messageId, true);
  }

  /** Writes an attempt's outcome, for that attempt only (a later decision by a person is kept), and its audit event. */
  async function finish(row: MessageRow, attemptId: string, set: Partial<Pick<MessageRow, 'state' | 'last_error' | 'smtp_response' | 'message_id' | 'sent_at' | 'next_attempt_at'>>, summary: (doc: string) => string, action: string): Promise<void> {
    await tx({ dossierId: row.dossier_id }, async (t) => {
      // The outcome, the document it names and the dossier's chain head (locked for the audit
      // event, only when there is an outcome to record), in one statement.
      const updated = await t
        .with('updated', (db) =>
          db
            .updateTable('outgoing_messages')
            .set({ ...set, lease_until: null, updated_at: new Date() })
            .where('dossier_id', '=', row.dossier_id)
            .where('id', '=', row.id)
            .where('attempt_id', '=', attemptId)
            // Marked uncertain meanwhile (a lease too short for a slow server): the real outcome is better.
            .where('state', 'in', ['sending', 'uncertain'])
            .returningAll(),
        )
        .selectFrom('updated')
        .innerJoin('documents as d', (j) => j.onRef('d.dossier_id', '=', 'updated.dossier_id').onRef('d.id', '=', 'updated.document_id'))
        .innerJoin('audit_heads as h', 'h.dossier_id', 'updated.dossier_id')
        .selectAll('updated')
        .select(['d.type as document_type', 'd.number as document_number', 'h.last_seq as head_seq', 'h.last_hash as head_hash'])
        .forUpdate('h')
        .executeTakeFirst();
      if (!updated) return;
      const { document_type, document_number, head_seq, head_hash, ...message } = updated;
      const doc = { type: document_type, number: document_number ?? '' };
      const head = { seq: Number(head_seq), hash: head_hash };
      await writeAudit(t, row.dossier_id, DELIVERY_ACTOR, NO_REQUEST, messageEvent(message, doc, action, summary(doc.number)), { commit: true, head });
    });
  }

  /**
   * A reminder leaves only while its invoice is still due. The invoice is read FOR SHARE: a
   * payment being recorded (which locks it for update) is either committed and seen here, or
   * waits until the claim is. Otherwise the message is `cancelled` and its level freed.
   */
  async function reminderStillDue(t: Db, waiting: MessageRow): Promise<boolean> {
    const doc = await t.selectFrom('documents').selectAll().where('dossier_id', '=', waiting.dossier_id).where('id', '=', waiting.document_id).forShare().executeTakeFirstOrThrow();
    if (stillDue(doc)) return true;
    const cancelled = await t
      .updateTable('outgoing_messages')
      .set({ state: 'cancelled', lease_until: null, updated_at: new Date(), last_error: 'Facture réglée ou annulée avant l’envoi de la relance.' })
      .where('dossier_id', '=', waiting.dossier_id)
      .where('id', '=', waiting.id)
      .where('state', 'in', ['pending', 'retry'])
      .returningAll()
      .executeTakeFirst();
    if (!cancelled) return false;
    await t
      .updateTable('invoice_reminders')
      .set({ cancelled_at: sql<Date>`now()` })
      .where('dossier_id', '=', waiting.dossier_id)
      .where('document_id', '=', waiting.document_id)
      .where('message_id', '=', waiting.id)
      .execute();
    const docRef = { type: doc.type, number: doc.number ?? '' };
    await writeAudit(t, waiting.dossier_id, DELIVERY_ACTOR, NO_REQUEST, messageEvent(cancelled, docRef, 'document.reminder_cancelled', `${reminderName(cancelled.reminder_level!)} de ${documentName(doc.type, docRef.number)} annulée avant l'envoi : la facture est réglée ou annulée`));
    return false;
  }

  async function deliverOne(dossierId: string, messageId: string): Promise<void> {
    const claimed = await claim(dossierId, messageId);
    if (!claimed) return;
    const { row, pdf, attemptId } = claimed;
    const domain = mailer.fromAddress.split('@')[1] ?? 'localhost';
    const recipients = recipientsText(row);
    try {
      const receipt = await mailer.deliver({
        from: { name: row.sender_name, address: mailer.fromAddress },
        replyTo: row.reply_to,
        to: row.to_addresses,
        cc: row.cc_addresses,
        bcc: row.bcc_addresses,
        subject: row.subject,
        text: row.body,
        messageId: `<${row.id}@${domain}>`,
        attachments: [{ filename: row.attachment_name, contentType: 'application/pdf', content: pdf.content }],
      });
      const refused = receipt.rejected.length ? ` (refusé pour ${receipt.rejected.join(', ')})` : '';
      await finish(
        row,
        attemptId,
        { state: 'sent', smtp_response: `${receipt.response}${refused}`.slice(0, 1000), message_id: receipt.messageId, sent_at: new Date(), last_error: null },
        (number) => `E-mail de ${number} accepté par le serveur pour ${recipients}${refused} : ${receipt.response}`.slice(0, 1000),
        'document.email_sent',
      );
    } catch (error) {
      const reason = describeFailure(error);
      const givingUpAt = row.created_at.getTime() + config.mail.retryForHours * 3600_000;
      const next = new Date(Date.now() + retryDelaySeconds(config.mail.retryBaseSeconds, row.attempts) * 1000);
      if (isPermanentFailure(error) || next.getTime() > givingUpAt) {
        await finish(row, attemptId, { state: 'failed', last_error: reason, smtp_response: reason }, (number) => `Échec définitif de l'envoi de ${number} à ${recipients} : ${reason}`, 'document.email_failed');
        return;
      }
      await finish(row, attemptId, { state: 'retry', last_error: reason, next_attempt_at: next }, (number) => `Envoi de ${number} à ${recipients} : nouvel essai à ${hhmm(next)} (${reason})`, 'document.email_retry');
      await enqueue(dossierId, messageId, next);
    }
  }

  async function enqueue(dossierId: string, messageId: string, at?: Date): Promise<void> {
    if (!started) throw new Error('The mail queue is not started');
    await started;
    await boss.send(DELIVER, { dossierId, messageId }, { startAfter: at, retryLimit: 0, expireInSeconds: config.mail.leaseSeconds + 60 });
    // Due now: this process's worker looks at once rather than at its next poll.
    if (!at && !stopping) for (const id of workerIds) boss.notifyWorker(id);
  }

  async function sweep(): Promise<number> {
    const stale = await deps.db
      .selectFrom('outgoing_messages')
      .select(['dossier_id', 'id'])
      .where('state', '=', 'sending')
      .where('lease_until', '<', sql<Date>`now()`)
      .limit(1000)
      .execute();
    let uncertain = 0;
    for (const s of stale) {
      await tx({ dossierId: s.dossier_id }, async (t) => {
        const row = await t
          .updateTable('outgoing_messages')
          .set({ state: 'uncertain', lease_until: null, updated_at: new Date(), last_error: "La distribution a été interrompue pendant l'échange avec le serveur d'envoi : le message a pu partir ou non." })
          .where('dossier_id', '=', s.dossier_id)
          .where('id', '=', s.id)
          .where('state', '=', 'sending')
          .where('lease_until', '<', sql<Date>`now()`)
          .returningAll()
          .executeTakeFirst();
        if (!row) return;
        uncertain++;
        const doc = await documentOf(t, row);
        await writeAudit(t, row.dossier_id, DELIVERY_ACTOR, NO_REQUEST, messageEvent(row, doc, 'document.email_uncertain', `État incertain de l'envoi de ${doc.number} à ${recipientsText(row)} : à renvoyer ou à marquer comme envoyé`));
      });
    }
    // Due for a while and still waiting: their job was lost. A duplicate job finds nothing to claim.
    const lost = await deps.db
      .selectFrom('outgoing_messages')
      .select(['dossier_id', 'id'])
      .where('state', 'in', ['pending', 'retry'])
      .where('next_attempt_at', '<', sql<Date>`now() - interval '1 minute'`)
      .limit(1000)
      .execute();
    for (const m of lost) await enqueue(m.dossier_id, m.id);
    return uncertain;
  }

  return {
    start() {
      started ??= (async () => {
        await boss.start();
        await boss.createQueue(DELIVER);
        await boss.createQueue(SWEEP);
        await boss.createQueue(REMIND);
        // MAIL_WORKER=false: this process stores and queues messages; other processes deliver them.
        if (!config.mail.worker) return;
        // One job per fetch, SMTP_CONNECTIONS workers: a slow conversation holds its own worker, not
        // a batch. A worker that found a job looks again at once (a backlog drains at the SMTP
        // connections' pace, not one batch per poll); an empty fetch waits for the next poll or enqueue.
        for (let i = 0; i < SMTP_CONNECTIONS; i++) {
          const id: string = await boss.work<{ dossierId: string; messageId: string }>(DELIVER, { batchSize: 1, pollingIntervalSeconds: config.mail.pollSeconds }, async ([job]) => {
            await deliverOne(job!.data.dossierId, job!.data.messageId).catch((error: unknown) => deps.log.error({ err: error, ...job!.data }, 'mail delivery failed'));
            if (!stopping) boss.notifyWorker(id);
          });
          workerIds.push(id);
        }
        await boss.work(SWEEP, { pollingIntervalSeconds: 30 }, async () => {
          await sweep();
        });
        await boss.schedule(SWEEP, '* * * * *');
        await boss.work(REMIND, { pollingIntervalSeconds: 60 }, async () => {
          await scanReminders({ db: deps.db, tx, enqueue, sendingLimit: config.mail.ratePerHour });
        });
        await boss.schedule(REMIND, '7 * * * *', undefined, { tz: 'Europe/Paris' });
        await sweep().catch((error: unknown) => deps.log.error({ err: error }, 'mail sweep failed'));
      })();
      return started;
    },
    enqueue,
    sweep,
    scanReminders: (asOf) => scanReminders({ db: deps.db, tx, enqueue, sendingLimit: config.mail.ratePerHour }, asOf),
    async stop() {
      if (!started || stopping) return;
      stopping = true;
      await started.catch(() => undefined);
      await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
    },
  };
}
