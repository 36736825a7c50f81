import { CompiledQuery, sql, type Compilable, type QueryResult, type RawBuilder } from 'kysely';
import { escapeLiteral } from 'pg';
import { thenCommit, type Db } from './pool';

export interface TxScope {
  /** The dossier whose rows the transaction may see and change (row-level security). */
  dossierId?: string | null;
  /** The logged-in user: lets them see their own memberships of other dossiers. */
  userId?: string | null;
  /** Hex SHA-256 of an invitation token: lets its holder read that one invitation. */
  invitationTokenHash?: string | null;
  /**
   * Hex SHA-256 of a session token: the caller is looked up (`ardoise_authorize`, migration 004)
   * in the round trip that opens the transaction, with their membership of `dossierId`.
   */
  sessionTokenHash?: string | null;
}

/** Who is calling, as `ardoise_authorize` returns it. */
export interface Caller {
  session_id: string;
  user_id: string;
  name: string;
  email: string;
  locale: 'fr' | 'en';
  is_member: boolean;
  profile_key: string | null;
  profile_id: string | null;
  custom_name: string | null;
  custom_permissions: string[] | null;
  /** The dossier's audit sequence: it moves with every committed change to the dossier's data. */
  revision: string | null;
}

export type Tx = <T>(scope: TxScope, fn: (t: Db, caller: Caller | undefined) => Promise<T>) => Promise<T>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX64 = /^[0-9a-f]{64}$/;

function literal(value: string | null | undefined, shape: RegExp): string {
  if (!value) return "''";
  if (!shape.test(value)) throw new Error('Refusing an unexpected value in the transaction scope');
  return `'${value}'`;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * The one way to run application queries: a transaction that switches to the application role
 * and sets the tenant scope that row-level security reads. BEGIN, the scope and the caller's
 * lookup travel in one round trip (the values are validated UUIDs/hex, inlined because a
 * multi-statement query cannot carry parameters; the pool answers such a query with the last
 * statement's rows, see db/pool.ts).
 */
export function createTx(db: Db, appRole: string): Tx {
  const role = literal(appRole, /^[a-z_][a-z0-9_]*$/);
  return async (scope, fn) =>
    db.connection().execute(async (conn) => {
      const opened = await sql
        .raw<Caller>(
          `BEGIN; SELECT set_config('role', ${role}, true), ` +
            `set_config('ardoise.dossier_id', ${literal(scope.dossierId, UUID)}, true), ` +
            `set_config('ardoise.user_id', ${literal(scope.userId, UUID)}, true), ` +
            `set_config('ardoise.invitation_token_hash', ${literal(scope.invitationTokenHash, HEX64)}, true)` +
            (scope.sessionTokenHash
              ? `; SELECT * FROM ardoise_authorize(decode(${literal(scope.sessionTokenHash, HEX64)}, 'hex'), nullif(${literal(scope.dossierId, UUID)}, '')::uuid)`
              : ''),
        )
        .execute(conn);
      const state: TxState = { notifications: [], ended: false };
      openTransactions.set(conn, state);
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(conn, scope.sessionTokenHash ? opened.rows[0] : undefined);
      } catch (error) {
        if (!state.ended) await sql.raw('ROLLBACK').execute(conn).catch(() => undefined);
        throw error;
      } finally {
        openTransactions.delete(conn);
      }
      if (state.ended) return result;
      try {
        const notify = state.notifications.map((n) => `SELECT pg_notify(${escapeLiteral(n.channel)}, ${escapeLiteral(n.payload)})`);
        await sql.raw([...notify, 'COMMIT'].join('; ')).execute(conn);
      } catch (error) {
        // A notification refused (a payload over 8000 bytes) skips the COMMIT: nothing was committed.
        await sql.raw('ROLLBACK').execute(conn).catch(() => undefined);
        throw error;
      }
      return result;
    });
}

interface TxState {
  notifications: { channel: string; payload: string }[];
  /** Committed (or rolled back) with its last statement: see `executeAndCommit`. */
  ended: boolean;
}

const openTransactions = new WeakMap<Db, TxState>();

/**
 * Queues a notification (`pg_notify`) in the transaction `t`. PostgreSQL delivers notifications
 * when their transaction commits, and drops them when it rolls back: `createTx` sends the queued
 * ones in the COMMIT's round trip, so that notifying costs no round trip of its own (there, the
 * channel and payload are inlined, a multi-statement query carrying no parameters, escaped by the
 * driver's `escapeLiteral`). Outside a transaction of `createTx`, the notification is sent at once.
 */
export async function notifyAtCommit(t: Db, channel: string, payload: string): Promise<void> {
  const state = openTransactions.get(t);
  if (state && !state.ended) state.notifications.push({ channel, payload });
  else await sql`SELECT pg_notify(${channel}, ${payload})`.execute(t);
}

/**
 * Runs `query` as the last statement of the transaction `t` and commits it in the same round trip,
 * with the queued notifications (db/pool.ts `thenCommit`): the locks the statement takes are held
 * only while PostgreSQL runs it and commits. If it fails, nothing is committed. Nothing may be read
 * or written in `t` afterwards (the connection refuses it): read what the answer needs before.
 */
export async function executeAndCommit<R>(t: Db, query: Compilable<R> | RawBuilder<R>): Promise<QueryResult<R>> {
  const state = openTransactions.get(t);
  if (!state || state.ended) throw new Error('executeAndCommit() needs an open transaction of createTx');
  const compiled = 'isRawBuilder' in query ? query.compile(t) : query.compile();
  const notifications = state.notifications.map((n) => ({ text: 'SELECT pg_notify($1, $2)', values: [n.channel, n.payload] }));
  state.ended = true;
  return t.executeQuery(CompiledQuery.raw(thenCommit(compiled.sql, notifications), [...compiled.parameters])) as Promise<QueryResult<R>>;
}

/**
 * Moves an open transaction's tenant scope to another dossier, for the rare operation that
 * spans the caller's dossiers (a member's new name recorded in each dossier's trail).
 */
export async function enterDossier(t: Db, dossierId: string): Promise<void> {
  await sql`SELECT set_config('ardoise.dossier_id', ${dossierId}, true)`.execute(t);
}
