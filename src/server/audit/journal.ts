/**
 * The Journal des actions: a dossier's events as people read them (the record they name by its
 * number or name, the document's type, customer and amount incl. VAT), filtered and paged by
 * keyset (`seq`), its summary per user × kind of action and per day, and the same rows streamed
 * for the export. One query builder for the screen, the summary and the file, so that they
 * always agree on what a filter means.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { ACTION_GROUPS, AUDIT_ACTIONS, actionGroup, isAuditAction, referencedIds, type References } from '../../core/audit-labels';
import { isIsoDate } from '../../core/dates';
import { DOCUMENT_TYPES, type DocumentType } from '../../core/documents';
import { text } from '../../core/text';
import type { Db } from '../db/pool';
import { invalid } from '../platform/errors';

const isoDay = text()
  .refine(isIsoDate, { message: 'Date invalide (AAAA-MM-JJ).' })
  .refine((d) => d >= '2000-01-01' && d <= '2100-12-31', { message: 'Date hors de la période possible (2000 à 2100).' });

const filterFields = z
  .object({
    from: isoDay.optional(),
    to: isoDay.optional(),
    user: z.uuid({ message: 'Utilisateur inconnu.' }).optional(),
    action: text()
      .max(64)
      .refine(isAuditAction, { message: "Type d'action inconnu." })
      .optional(),
    /** A kind of action (ACTION_GROUPS: documents, paiements, e-mails…), the summary's columns. */
    group: z.enum(Object.keys(ACTION_GROUPS) as [string, ...string[]], { message: "Type d'action inconnu." }).optional(),
    entityType: text().max(64).optional(),
    documentType: z.enum(DOCUMENT_TYPES, { message: 'Type de document inconnu.' }).optional(),
    q: text().max(200).optional(),
    order: z.enum(['desc', 'asc']).default('desc'),
  })
  .strict();

const periodInOrder = (f: { from?: string; to?: string }) => !f.from || !f.to || f.from <= f.to;
const PERIOD_ERROR = { message: 'La période commence après sa fin.', path: ['to'] };

/** The filters, as the URL of the page and of the export carry them. */
export const journalFilters = filterFields.refine(periodInOrder, PERIOD_ERROR);
export type JournalFilters = z.output<typeof journalFilters>;

export const journalPageQuery = filterFields
  .extend({
    cursor: text().max(200).optional(),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine(periodInOrder, PERIOD_ERROR);

/** The filters with the export's format. */
export const journalExportQuery = filterFields.extend({ format: z.enum(['xlsx', 'csv']).default('xlsx') }).refine(periodInOrder, PERIOD_ERROR);

/** An event as the journal shows it and the export writes it. */
export interface JournalRow {
  seq: number;
  hash: string;
  occurredAt: Date;
  actorUserId: string | null;
  actorName: string;
  actorProfile: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  /** The record as named when the event was written (a customer's name, a document's number). */
  entityLabel: string | null;
  documentType: DocumentType | null;
  documentNumber: string | null;
  customerName: string | null;
  grossCents: number | null;
  summary: string;
  changes: Record<string, { before: unknown; after: unknown }> | null;
  ip: string | null;
}

/** The events of the dossier with the record each names. */
function joined(t: Db, dossierId: string) {
  return t
    .selectFrom('audit_events as e')
    // A document event names its document by id: its type, number, customer and amount as they are now.
    .leftJoin('documents as d', (j) =>
      j.onRef('d.dossier_id', '=', 'e.dossier_id').on(sql<boolean>`d.id = CASE WHEN e.entity_type = 'document' THEN e.entity_id::uuid END`),
    )
    .leftJoin('customers as c', (j) =>
      j
        .onRef('c.dossier_id', '=', 'e.dossier_id')
        .on(sql<boolean>`c.id = CASE WHEN e.entity_type = 'customer' THEN e.entity_id::uuid ELSE d.customer_id END`),
    )
    .where('e.dossier_id', '=', dossierId);
}

/** …filtered: the base of the page, the summary and the export. */
function filtered(t: Db, dossierId: string, f: JournalFilters) {
  let q = joined(t, dossierId);
  if (f.from) q = q.where(sql<boolean>`e.occurred_at >= (${f.from}::date)::timestamp AT TIME ZONE 'Europe/Paris'`);
  if (f.to) q = q.where(sql<boolean>`e.occurred_at < (${f.to}::date + 1)::timestamp AT TIME ZONE 'Europe/Paris'`);
  if (f.user) q = q.where(sql<boolean>`e.actor_user_id = ${f.user}::uuid`);
  if (f.action) q = q.where(sql<boolean>`e.action = ${f.action}`);
  if (f.group) q = q.where(sql<boolean>`e.action = ANY(${AUDIT_ACTIONS.filter((a) => actionGroup(a) === f.group)}::text[])`);
  if (f.entityType) q = q.where(sql<boolean>`e.entity_type = ${f.entityType}`);
  if (f.documentType) q = q.where(sql<boolean>`d.type = ${f.documentType}`);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where(
      sql<boolean>`(e.entity_label ILIKE ${like} OR d.number ILIKE ${like} OR c.name ILIKE ${like} OR d.customer_snapshot->>'name' ILIKE ${like} OR e.summary ILIKE ${like})`,
    );
  }
  return q;
}

/** The columns of a row, in one select. */
function withColumns(q: ReturnType<typeof filtered>) {
  return q.select([
    'e.seq',
    'e.hash',
    'e.occurred_at',
    'e.actor_user_id',
    'e.actor_name',
    'e.actor_profile',
    'e.action',
    'e.entity_type',
    'e.entity_id',
    'e.entity_label',
    'd.type as document_type',
    'd.number as document_number',
    sql<string | null>`coalesce(d.customer_snapshot->>'name', c.name)`.as('customer_name'),
    'd.gross_cents',
    'e.summary',
    'e.changes',
    'e.ip',
  ]);
}

interface RawRow {
  seq: string;
  hash: string;
  occurred_at: Date;
  actor_user_id: string | null;
  actor_name: string;
  actor_profile: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  entity_label: string | null;
  document_type: DocumentType | null;
  document_number: string | null;
  customer_name: string | null;
  gross_cents: string | number | null;
  summary: string;
  changes: Record<string, { before: unknown; after: unknown }> | null;
  ip: string | null;
}

function toRow(r: RawRow): JournalRow {
  return {
    seq: Number(r.seq),
    hash: r.hash,
    occurredAt: r.occurred_at,
    actorUserId: r.actor_user_id,
    actorName: r.actor_name,
    actorProfile: r.actor_profile,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    entityLabel: r.entity_label,
    documentType: r.document_type,
    documentNumber: r.document_number,
    customerName: r.customer_name,
    grossCents: r.gross_cents === null ? null : Number(r.gross_cents),
    summary: r.summary,
    changes: r.changes,
    ip: r.ip,
  };
}

/**
 * A page cursor: the last sequence number shown, bound to its dossier and its order. Opaque to
 * the client; one forged, damaged or taken from another dossier or order is refused (400).
 */
export function encodeCursor(dossierId: string, seq: number, order: 'asc' | 'desc'): string {
  return Buffer.from(JSON.stringify({ d: dossierId, s: seq, o: order })).toString('base64url');
}

export function decodeCursor(cursor: string, dossierId: string, order: 'asc' | 'desc'): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid({ cursor: 'Curseur de page invalide.' });
  }
  const p = parsed as { d?: unknown; s?: unknown; o?: unknown };
  if (typeof p !== 'object' || p === null || typeof p.s !== 'number' || !Number.isSafeInteger(p.s) || p.s < 0) throw invalid({ cursor: 'Curseur de page invalide.' });
  if (p.d !== dossierId) throw invalid({ cursor: "Ce curseur de page vient d'un autre dossier." });
  if (p.o !== order) throw invalid({ cursor: "Ce curseur de page ne correspond pas à l'ordre demandé." });
  return p.s;
}

/** A user given as a filter must have acted in this dossier: otherwise the filter is a mistake (400), not an empty page. */
async function assertKnownUser(t: Db, dossierId: string, user: string | undefined): Promise<void> {
  if (!user) return;
  const found = await t.selectFrom('audit_events').select('seq').where('dossier_id', '=', dossierId).where('actor_user_id', '=', user).limit(1).executeTakeFirst();
  if (!found) throw invalid({ user: 'Utilisateur inconnu dans ce dossier.' });
}

export interface JournalPage {
  events: (JournalRow & { references: References })[];
  nextCursor: string | null;
}

/** One page, newest first (or oldest first), after `cursor`. */
export async function journalPage(t: Db, dossierId: string, query: z.output<typeof journalPageQuery>): Promise<JournalPage> {
  const { cursor, pageSize, ...f } = query;
  const after = cursor === undefined ? null : decodeCursor(cursor, dossierId, f.order);
  await assertKnownUser(t, dossierId, f.user);
  let q = filtered(t, dossierId, f);
  if (after !== null) q = q.where(sql<boolean>`e.seq ${sql.raw(f.order === 'desc' ? '<' : '>')} ${after}`);
  const rows: RawRow[] = await withColumns(q).orderBy('e.seq', f.order).limit(pageSize + 1).execute();
  const page = rows.slice(0, pageSize).map(toRow);
  const references = await resolveReferences(t, dossierId, page);
  return {
    events: page.map((row) => ({ ...row, references: pick(references, referencedIds(row.changes)) })),
    nextCursor: rows.length > pageSize ? encodeCursor(dossierId, page.at(-1)!.seq, f.order) : null,
  };
}

function pick(all: References, ids: string[]): References {
  const out: Record<string, string> = {};
  for (const id of ids) if (all[id] !== undefined) out[id] = all[id];
  return out;
}

/** The records named by id in the changes of `rows`: customers by name, documents by number (« brouillon » when they have none). */
export async function resolveReferences(t: Db, dossierId: string, rows: readonly Pick<JournalRow, 'changes'>[]): Promise<References> {
  const ids = [...new Set(rows.flatMap((r) => referencedIds(r.changes)))];
  if (ids.length === 0) return {};
  const found = await sql<{ id: string; label: string }>`
    SELECT id::text AS id, name AS label FROM customers WHERE dossier_id = ${dossierId} AND id = ANY(${ids}::uuid[])
    UNION ALL
    SELECT id::text, coalesce(number, 'brouillon') FROM documents WHERE dossier_id = ${dossierId} AND id = ANY(${ids}::uuid[])
    UNION ALL
    SELECT id::text, designation FROM products WHERE dossier_id = ${dossierId} AND id = ANY(${ids}::uuid[])
    UNION ALL
    SELECT id::text, name FROM profiles WHERE dossier_id = ${dossierId} AND id = ANY(${ids}::uuid[])`.execute(t);
  return Object.fromEntries(found.rows.map((r) => [r.id, r.label]));
}

/**
 * Every row matching the filters, in pages of `batch` by keyset (a cursor would hold a
 * transaction's snapshot and a connection for the whole download; keyset pages don't need one).
 */
export async function* journalRows(t: Db, dossierId: string, f: JournalFilters, batch = 2000): AsyncGenerator<JournalRow[]> {
  await assertKnownUser(t, dossierId, f.user);
  let after: number | null = null;
  for (;;) {
    let q = filtered(t, dossierId, f);
    if (after !== null) q = q.where(sql<boolean>`e.seq ${sql.raw(f.order === 'desc' ? '<' : '>')} ${after}`);
    const rows: RawRow[] = await withColumns(q).orderBy('e.seq', f.order).limit(batch).execute();
    if (rows.length === 0) return;
    const page = rows.map(toRow);
    yield page;
    if (rows.length < batch) return;
    after = page.at(-1)!.seq;
  }
}

export interface JournalSummary {
  /** Actions per user and kind of action over the period. */
  byUser: { userId: string | null; name: string; groups: Record<string, number>; total: number }[];
  /** Actions per day (Paris) and user. */
  byDay: { day: string; userId: string | null; count: number }[];
  total: number;
}

/** The « vision globale »: who did how much of what over the filtered period. */
export async function journalSummary(t: Db, dossierId: string, f: JournalFilters): Promise<JournalSummary> {
  await assertKnownUser(t, dossierId, f.user);
  const base = filtered(t, dossierId, f);
  const [perAction, perDay] = await Promise.all([
    base
      .select(sql<string | null>`e.actor_user_id`.as('user_id'))
      .select(sql<string>`max(e.actor_name)`.as('name'))
      .select(sql<string>`e.action`.as('action'))
      .select(sql<string>`count(*)`.as('n'))
      .groupBy([sql`e.actor_user_id`, sql`e.action`])
      .execute(),
    base
      .select(sql<string>`to_char(e.occurred_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD')`.as('day'))
      .select(sql<string | null>`e.actor_user_id`.as('user_id'))
      .select(sql<string>`count(*)`.as('n'))
      .groupBy([sql`1`, sql`2`])
      .orderBy(sql`1`)
      .execute(),
  ]);
  const users = new Map<string, JournalSummary['byUser'][number]>();
  let total = 0;
  for (const r of perAction as unknown as { user_id: string | null; name: string; action: string; n: string }[]) {
    const key = r.user_id ?? '';
    const entry = users.get(key) ?? { userId: r.user_id, name: r.name, groups: {}, total: 0 };
    const group = actionGroup(r.action);
    const n = Number(r.n);
    entry.groups[group] = (entry.groups[group] ?? 0) + n;
    entry.total += n;
    total += n;
    users.set(key, entry);
  }
  return {
    byUser: [...users.values()].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name, 'fr')),
    byDay: (perDay as unknown as { day: string; user_id: string | null; n: string }[]).map((r) => ({ day: r.day, userId: r.user_id, count: Number(r.n) })),
    total,
  };
}

/** The people who acted in the dossier, for the user filter (members and former members alike). */
export async function journalActors(t: Db, dossierId: string): Promise<{ userId: string; name: string }[]> {
  // A skip scan over the actor index: one probe per distinct user, not one per event.
  const { rows } = await sql<{ user_id: string; name: string }>`
    WITH RECURSIVE actors(user_id) AS (
      (SELECT actor_user_id FROM audit_events WHERE dossier_id = ${dossierId} AND actor_user_id IS NOT NULL ORDER BY actor_user_id LIMIT 1)
      UNION ALL
      SELECT (SELECT actor_user_id FROM audit_events WHERE dossier_id = ${dossierId} AND actor_user_id > a.user_id ORDER BY actor_user_id LIMIT 1)
      FROM actors a WHERE a.user_id IS NOT NULL
    )
    SELECT a.user_id, (SELECT actor_name FROM audit_events WHERE dossier_id = ${dossierId} AND actor_user_id = a.user_id ORDER BY seq DESC LIMIT 1) AS name
    FROM actors a WHERE a.user_id IS NOT NULL`.execute(t);
  return rows.map((r) => ({ userId: r.user_id, name: r.name })).sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}
