import { createHash, randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { Db } from '../db/pool';
import type { AuditEventsTable } from '../db/schema';
import { executeAndCommit } from '../db/tx';

export type Changes = Record<string, { before: unknown; after: unknown }>;

export interface AuditActor {
  userId: string | null;
  name: string;
  /** The actor's profile name at that moment. */
  profile: string | null;
}

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface AuditInput {
  action: string;
  entityType: string;
  entityId?: string | null;
  entityLabel?: string | null;
  summary: string;
  changes?: Changes | null;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface ChainedContent {
  dossierId: string;
  seq: number;
  id: string;
  occurredAt: string;
  actorUserId: string | null;
  actorName: string;
  actorProfile: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  entityLabel: string | null;
  summary: string;
  changes: Changes | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** hash = SHA-256(previous hash, a newline, the canonical JSON of the event). */
export function chainHash(prevHash: string, content: ChainedContent): string {
  return createHash('sha256').update(`${prevHash}\n${canonicalJson(content)}`).digest('hex');
}

/** The fields that differ between two versions of a record, as `{ field: { before, after } }`. */
export function diff<T extends Record<string, unknown>>(before: T, after: Partial<T>): Changes {
  const changes: Changes = {};
  for (const key of Object.keys(after)) {
    const a = after[key];
    if (a === undefined) continue;
    if (canonicalJson(before[key]) !== canonicalJson(a)) changes[key] = { before: before[key] ?? null, after: a };
  }
  return changes;
}

/** Where a dossier's chain stands: the last event's sequence number and hash. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/**
 * Locks the dossier's chain head (FOR UPDATE) until the transaction ends and returns it. The head
 * is the dossier's write lock: concurrent writers queue on it, so the chain never forks, and
 * numbering counters are only changed under it (documents/numbering.ts).
 */
export async function lockAuditHead(t: Db, dossierId: string): Promise<AuditHead> {
  const head = await t.selectFrom('audit_heads').select(['last_seq', 'last_hash']).where('dossier_id', '=', dossierId).forUpdate().executeTakeFirstOrThrow();
  return { seq: Number(head.last_seq), hash: head.last_hash };
}

/** An event chained after a head, ready to be written: its row, and the head it leaves. */
export interface ChainedEvent {
  row: Insertable<AuditEventsTable>;
  head: AuditHead;
}

/**
 * A value as PostgreSQL will give it back: UTF-8 has no lone surrogate, so pg's encoding stores
 * one as U+FFFD. Requests cannot carry one (platform/request-checks.ts), but an event is hashed
 * over this form all the same, so that whatever reaches the writer, the chain verifies.
 */
function asStored<T>(value: T): T {
  if (typeof value === 'string') return (value as unknown as { toWellFormed(): string }).toWellFormed() as T; // Node 20; not in the ES2023 typings
  if (Array.isArray(value)) return value.map(asStored) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [asStored(k), asStored(v)])) as T;
  }
  return value;
}

function contentOf(dossierId: string, actor: AuditActor, meta: RequestMeta, input: AuditInput, place: { seq: number; occurredAt: string }): ChainedContent {
  return asStored({
    dossierId,
    seq: place.seq,
    id: randomUUID(),
    occurredAt: place.occurredAt,
    actorUserId: actor.userId,
    actorName: actor.name,
    actorProfile: actor.profile,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId ?? null,
    entityLabel: input.entityLabel ?? null,
    summary: input.summary,
    changes: input.changes && Object.keys(input.changes).length > 0 ? input.changes : null,
    ip: meta.ip,
    userAgent: meta.userAgent,
    requestId: meta.requestId,
  });
}

/** The columns of an event's row that hold its content as given (not its place in the chain, nor its changes' encoding). */
function eventColumns(content: ChainedContent) {
  return {
    id: content.id,
    actor_user_id: content.actorUserId,
    actor_name: content.actorName,
    actor_profile: content.actorProfile,
    action: content.action,
    entity_type: content.entityType,
    entity_id: content.entityId,
    entity_label: content.entityLabel,
    summary: content.summary,
    ip: content.ip,
    user_agent: content.userAgent,
    request_id: content.requestId,
  };
}

/** The event that follows `head`: its content, and its hash over the previous one. */
export function chainEvent(head: AuditHead, dossierId: string, actor: AuditActor, meta: RequestMeta, input: AuditInput): ChainedEvent {
  const content = contentOf(dossierId, actor, meta, input, { seq: head.seq + 1, occurredAt: new Date().toISOString() });
  const hash = chainHash(head.hash, content);
  return {
    row: {
      ...eventColumns(content),
      dossier_id: dossierId,
      seq: content.seq,
      occurred_at: content.occurredAt,
      changes: content.changes === null ? null : JSON.stringify(content.changes),
      prev_hash: head.hash,
      hash,
    },
    head: { seq: content.seq, hash },
  };
}

/**
 * An event prepared before the dossier's write lock is taken, for a change whose label depends on
 * a number given under that lock (issuing): its row and canonical text hold marks where the
 * number, the sequence number and the time go, and `ardoise_take_number` (migration 006) fills
 * them in, hashes the event and writes it under the lock. The marks contain a random UUID: no
 * content can contain them by chance or by design.
 */
export interface EventTemplate {
  row: Omit<Insertable<AuditEventsTable>, 'dossier_id' | 'seq' | 'occurred_at' | 'prev_hash' | 'hash' | 'changes'> & { changes: Changes | null };
  canonical: string;
  /** [number, sequence number as the canonical text holds it (a quoted string), time]. */
  marks: [string, string, string];
}

export function eventTemplate(dossierId: string, actor: AuditActor, meta: RequestMeta, input: (number: string) => AuditInput): EventTemplate {
  const unique = randomUUID();
  const marks = { number: `#number:${unique}#`, seq: `#seq:${unique}#`, occurredAt: `#at:${unique}#` };
  // The sequence number is a JSON number in the canonical text: its mark, a string, is replaced quotes included.
  const content = contentOf(dossierId, actor, meta, input(marks.number), { seq: marks.seq as unknown as number, occurredAt: marks.occurredAt });
  return {
    row: { ...eventColumns(content), changes: content.changes },
    canonical: canonicalJson(content),
    marks: [marks.number, JSON.stringify(marks.seq), marks.occurredAt],
  };
}

/**
 * The statements that write a chained event and move the head, as CTEs of one statement (data-
 * modifying CTEs always run): the caller may write its own change in that same statement.
 */
export function insertEvent(t: Db, event: ChainedEvent) {
  return t.insertInto('audit_events').values(event.row);
}

export function moveHead(t: Db, event: ChainedEvent) {
  return t.updateTable('audit_heads').set({ last_seq: event.head.seq, last_hash: event.head.hash }).where('dossier_id', '=', event.row.dossier_id);
}

/**
 * The one audit writer. Call it inside the transaction of the change it records: the event
 * commits or rolls back with it. The dossier's chain head is locked until then, so concurrent
 * writers queue and the chain never forks. `commit`: the event is the transaction's last write
 * and commits it (nothing may be read or written after, see `executeAndCommit`). `head`: the head
 * as the caller's own statement locked it (`audit_heads` … FOR UPDATE, in this transaction), which
 * spares the round trip that locks it.
 */
export async function writeAudit(t: Db, dossierId: string, actor: AuditActor, meta: RequestMeta, input: AuditInput, opts: { commit?: boolean; head?: AuditHead } = {}): Promise<void> {
  const head = opts.head ?? (await lockAuditHead(t, dossierId));
  const event = chainEvent(head, dossierId, actor, meta, input);
  const written = t
    .with('audit_event', () => insertEvent(t, event))
    .with('audit_head', () => moveHead(t, event))
    .selectNoFrom((eb) => eb.lit(true).as('written'));
  // The change's last statement: its COMMIT travels with it, and the dossier's lock is released
  // one round trip after it was taken.
  if (opts.commit) await executeAndCommit(t, written);
  else await written.execute();
}

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  reason: string | null;
}

const BATCH = 2000;

/** Recomputes a dossier's chain from the first event and names the first link that does not hold. */
export async function verifyAuditChain(t: Db, dossierId: string): Promise<ChainVerdict> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  const broken = (seq: number, reason: string): ChainVerdict => ({ ok: false, checked, firstBrokenSeq: seq, reason });
  for (;;) {
    const rows = await t
      .selectFrom('audit_events')
      .selectAll()
      .where('dossier_id', '=', dossierId)
      .where('seq', '>=', String(expectedSeq) as never)
      .orderBy('seq')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return broken(expectedSeq, `L'événement n° ${expectedSeq} manque.`);
      if (row.prev_hash !== prev) return broken(seq, `L'événement n° ${seq} ne suit pas l'empreinte de l'événement précédent.`);
      const recomputed = chainHash(prev, {
        dossierId: row.dossier_id,
        seq,
        id: row.id,
        occurredAt: row.occurred_at.toISOString(),
        actorUserId: row.actor_user_id,
        actorName: row.actor_name,
        actorProfile: row.actor_profile,
        action: row.action,
        entityType: row.entity_type,
        entityId: row.entity_id,
        entityLabel: row.entity_label,
        summary: row.summary,
        changes: row.changes,
        ip: row.ip,
        userAgent: row.user_agent,
        requestId: row.request_id,
      });
      if (recomputed !== row.hash) return broken(seq, `Le contenu de l'événement n° ${seq} a été modifié après son enregistrement.`);
      prev = row.hash;
      expectedSeq++;
      checked++;
    }
    if (rows.length < BATCH) break;
  }
  const head = await t.selectFrom('audit_heads').select(['last_seq', 'last_hash']).where('dossier_id', '=', dossierId).executeTakeFirst();
  // Every dossier has a head from its creation on (migration 001): its absence is a deletion.
  if (!head) return { ok: false, checked, firstBrokenSeq: null, reason: `La tête de la chaîne (le n° et l'empreinte du dernier événement) a été supprimée.` };
  if (Number(head.last_seq) !== checked || head.last_hash !== prev) {
    return broken(checked + 1, `Des événements postérieurs au n° ${checked} ont disparu.`);
  }
  return { ok: true, checked, firstBrokenSeq: null, reason: null };
}
