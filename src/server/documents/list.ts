import { sql, type SqlBool } from 'kysely';
import { z } from 'zod';
import { parisDate } from '../../core/dates';
import { isoDate } from '../../core/document-schema';
import { DOCUMENT_TYPES, type DisplayStatus, type DocumentType } from '../../core/documents';
import { text } from '../../core/text';
import type { Db } from '../db/pool';
import { containsPattern } from '../platform/records';
import { presentDocument } from './presenter';

const DISPLAY_STATUSES = ['draft', 'finalised', 'accepted', 'refused', 'expired', 'issued', 'partially_paid', 'paid', 'overdue', 'cancelled', 'to_refund'] as const satisfies readonly DisplayStatus[];

export const listQuery = z
  .object({
    q: text().max(100).optional(),
    type: z.enum(DOCUMENT_TYPES).optional(),
    status: z.enum(DISPLAY_STATUSES).optional(),
    customerId: z.uuid().optional(),
    /** The highest reminder sent (a cancelled one does not count): none, 1, 2 or 3. */
    reminder: z.enum(['none', '1', '2', '3']).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    sort: z.enum(['issueDate', 'number', 'customer', 'grossCents', 'dueDate']).default('issueDate'),
    order: z.enum(['asc', 'desc']).default('desc'),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
export type ListQuery = z.infer<typeof listQuery>;

/** SQL for a display status (the same rules as `displayStatus` in core/documents.ts). */
function statusCondition(status: DisplayStatus, today: string) {
  const balance = sql`(d.gross_cents - d.paid_cents - d.credited_cents)`;
  const payable = sql`d.type IN ('invoice', 'deposit_invoice') AND d.status = 'issued'`;
  const conditions: Record<DisplayStatus, ReturnType<typeof sql>> = {
    draft: sql`d.status = 'draft'`,
    finalised: sql`d.status = 'finalised' AND (d.type <> 'quote' OR d.validity_date IS NULL OR d.validity_date >= ${today})`,
    accepted: sql`d.status = 'accepted'`,
    refused: sql`d.status = 'refused'`,
    expired: sql`d.type = 'quote' AND d.status = 'finalised' AND d.validity_date < ${today}`,
    to_refund: sql`${payable} AND ${balance} < 0`,
    cancelled: sql`${payable} AND ${balance} >= 0 AND d.credited_cents >= d.gross_cents AND d.gross_cents > 0`,
    paid: sql`${payable} AND ${balance} = 0 AND NOT (d.credited_cents >= d.gross_cents AND d.gross_cents > 0)`,
    overdue: sql`${payable} AND ${balance} > 0 AND d.due_date < ${today}`,
    partially_paid: sql`${payable} AND ${balance} > 0 AND d.paid_cents > 0 AND (d.due_date IS NULL OR d.due_date >= ${today})`,
    issued: sql`d.status = 'issued' AND (d.type NOT IN ('invoice', 'deposit_invoice') OR (${balance} > 0 AND d.paid_cents = 0 AND (d.due_date IS NULL OR d.due_date >= ${today})))`,
  };
  return conditions[status] as ReturnType<typeof sql<SqlBool>>;
}

/** The level of an invoice's highest reminder that counts (a cancelled one does not). */
const REMINDER_LEVEL = sql<number | null>`(SELECT max(r.level) FROM invoice_reminders r WHERE r.dossier_id = d.dossier_id AND r.document_id = d.id AND r.cancelled_at IS NULL)`;
const REMINDER_AT = sql<Date | null>`(SELECT r.created_at FROM invoice_reminders r WHERE r.dossier_id = d.dossier_id AND r.document_id = d.id AND r.cancelled_at IS NULL ORDER BY r.level DESC LIMIT 1)`;

const SORTS = {
  issueDate: sql.ref('d.issue_date'),
  number: sql.ref('d.number'),
  customer: sql`lower(coalesce(d.customer_snapshot->>'name', c.name))`,
  grossCents: sql.ref('d.gross_cents'),
  dueDate: sql.ref('d.due_date'),
} as const;

/** A page of documents with search, filters and sort, the total count and a totals row over the whole filtered set. */
export async function listDocuments(t: Db, dossierId: string, types: readonly DocumentType[], q: ListQuery) {
  const today = parisDate();
  let query = t
    .selectFrom('documents as d')
    .leftJoin('customers as c', (j) => j.onRef('c.dossier_id', '=', 'd.dossier_id').onRef('c.id', '=', 'd.customer_id'))
    .where('d.dossier_id', '=', dossierId);
  // A type of the other family matches nothing (and `IN ()` is not SQL).
  const inFamily = q.type ? [q.type].filter((x) => types.includes(x)) : [...types];
  query = inFamily.length > 0 ? query.where('d.type', 'in', inFamily) : query.where(sql<SqlBool>`false`);
  if (q.q) {
    const like = containsPattern(q.q);
    query = query.where((eb) => eb.or([eb('d.number', 'ilike', like), eb(sql`coalesce(d.customer_snapshot->>'name', c.name)`, 'ilike', like)]));
  }
  if (q.status) query = query.where(statusCondition(q.status, today));
  if (q.customerId) query = query.where('d.customer_id', '=', q.customerId);
  if (q.reminder === 'none') query = query.where(sql<SqlBool>`${REMINDER_LEVEL} IS NULL`);
  else if (q.reminder) query = query.where(sql<SqlBool>`${REMINDER_LEVEL} = ${Number(q.reminder)}`);
  if (q.from) query = query.where('d.issue_date', '>=', q.from);
  if (q.to) query = query.where('d.issue_date', '<=', q.to);

  const direction = sql.raw(q.order === 'asc' ? 'ASC' : 'DESC');
  const [rows, summary] = await Promise.all([
    query
      .selectAll('d')
      .select('c.name as live_customer_name')
      .select('c.emails as customer_emails')
      .select([REMINDER_LEVEL.as('reminder_level'), REMINDER_AT.as('reminder_at')])
      .orderBy(sql`${SORTS[q.sort]} ${direction} NULLS LAST`)
      .orderBy('d.id')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    query
      .select((eb) => [
        eb.fn.countAll<string>().as('total'),
        // Credit notes count against the invoices in the totals row.
        sql<string>`coalesce(sum(CASE WHEN d.type = 'credit_note' THEN -d.net_cents ELSE d.net_cents END), 0)`.as('net'),
        sql<string>`coalesce(sum(CASE WHEN d.type = 'credit_note' THEN -d.vat_cents ELSE d.vat_cents END), 0)`.as('vat'),
        sql<string>`coalesce(sum(CASE WHEN d.type = 'credit_note' THEN -d.gross_cents ELSE d.gross_cents END), 0)`.as('gross'),
        sql<string>`coalesce(sum(CASE WHEN d.status = 'issued' AND d.type IN ('invoice', 'deposit_invoice') THEN d.gross_cents - d.paid_cents - d.credited_cents ELSE 0 END), 0)`.as('balance'),
      ])
      .executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map(({ live_customer_name, customer_emails, reminder_level, reminder_at, ...row }) => ({
      ...presentDocument(row, { customerName: live_customer_name }),
      reminder: reminder_level === null ? null : { level: reminder_level, at: reminder_at },
      customerHasEmail: (customer_emails ?? []).length > 0,
    })),
    total: Number(summary.total),
    page: q.page,
    pageSize: q.pageSize,
    totals: { netCents: Number(summary.net), vatCents: Number(summary.vat), grossCents: Number(summary.gross), balanceCents: Number(summary.balance) },
  };
}
