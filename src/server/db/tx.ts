import { sql } from 'kysely';
import type { Db } from './pool';

export interface TxScope {
  /** The dossier whose rows the transaction may see and change (row-level security). */
  dossierId?: string | null;
  /** The logged-in user: lets them see their own memberships of other dossiers. */
  userId?: string | null;
  /** Hex SHA-256 of an invitation token: lets its holder read that one invitation. */
  invitationTokenHash?: string | null;
}

export type Tx = <T>(scope: TxScope, fn: (t: Db) => Promise<T>) => Promise<T>;

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
 * and sets the tenant scope that row-level security reads. BEGIN and the scope travel in one
 * round trip (the values are validated UUIDs/hex, inlined because a multi-statement query cannot
 * carry parameters).
 */
export function createTx(db: Db, appRole: string): Tx {
  const role = literal(appRole, /^[a-z_][a-z0-9_]*$/);
  return async (scope, fn) =>
    db.connection().execute(async (conn) => {
      await sql
        .raw(
          `BEGIN; SELECT set_config('role', ${role}, true), ` +
            `set_config('ardoise.dossier_id', ${literal(scope.dossierId, UUID)}, true), ` +
            `set_config('ardoise.user_id', ${literal(scope.userId, UUID)}, true), ` +
            `set_config('ardoise.invitation_token_hash', ${literal(scope.invitationTokenHash, HEX64)}, true)`,
        )
        .execute(conn);
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(conn);
      } catch (error) {
        await sql.raw('ROLLBACK').execute(conn).catch(() => undefined);
        throw error;
      }
      await sql.raw('COMMIT').execute(conn);
      return result;
    });
}
