import { sql } from 'kysely';
import type { Db } from './pool';

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
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(conn, scope.sessionTokenHash ? opened.rows[0] : undefined);
      } catch (error) {
        await sql.raw('ROLLBACK').execute(conn).catch(() => undefined);
        throw error;
      }
      await sql.raw('COMMIT').execute(conn);
      return result;
    });
}

/**
 * Moves an open transaction's tenant scope to another dossier, for the rare operation that
 * spans the caller's dossiers (a member's new name recorded in each dossier's trail).
 */
export async function enterDossier(t: Db, dossierId: string): Promise<void> {
  await sql`SELECT set_config('ardoise.dossier_id', ${dossierId}, true)`.execute(t);
}
