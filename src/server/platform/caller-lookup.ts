import { sql } from 'kysely';
import type { Db } from '../db/pool';
import type { Caller } from '../db/tx';
import { hashToken } from './tokens';

/**
 * Who is calling, for the requests that check it outside a transaction (`'user'` routes and
 * cached dossier reads): `ardoise_authorize` (migration 004), with the lookups of concurrent
 * requests sent together.
 *
 * A lookup is sent at once when fewer than `maxInFlight` statements are running; otherwise it
 * waits for the next statement, which carries every lookup queued meanwhile (identical ones
 * once). Each lookup is therefore sent after its request arrived and sees every change committed
 * before that: a revoked session or a removed member is refused by the first request after the
 * change, exactly as with one statement per request. Under load, a round trip and the statement's
 * fixed costs are shared by many requests instead of paid by each.
 */
export interface CallerLookup {
  /** The live session behind `token`, its user and, with a dossier id, the membership and the dossier's revision. */
  find(token: string, dossierId: string | null): Promise<Caller | undefined>;
}

interface Pending {
  tokenHash: string;
  dossierId: string | null;
  waiters: { resolve(caller: Caller | undefined): void; reject(error: unknown): void }[];
}

export function createCallerLookup(db: Db, maxInFlight = 4): CallerLookup {
  let queue = new Map<string, Pending>();
  let inFlight = 0;

  async function send(batch: Pending[]): Promise<void> {
    try {
      const { rows } = await sql<Caller & { position: string }>`
        SELECT k.position, a.*
        FROM unnest(${batch.map((p) => p.tokenHash)}::text[], ${batch.map((p) => p.dossierId)}::uuid[]) WITH ORDINALITY AS k(token_hash, dossier_id, position)
        CROSS JOIN LATERAL ardoise_authorize(decode(k.token_hash, 'hex'), k.dossier_id) a`.execute(db);
      const found = new Map(rows.map(({ position, ...caller }) => [Number(position) - 1, caller as Caller]));
      batch.forEach((pending, i) => {
        for (const waiter of pending.waiters) waiter.resolve(found.get(i));
      });
    } catch (error) {
      for (const pending of batch) for (const waiter of pending.waiters) waiter.reject(error);
    }
  }

  function dispatch(): void {
    while (inFlight < maxInFlight && queue.size > 0) {
      const batch = [...queue.values()];
      queue = new Map();
      inFlight++;
      void send(batch).finally(() => {
        inFlight--;
        dispatch();
      });
    }
  }

  return {
    find(token, dossierId) {
      const tokenHash = hashToken(token).toString('hex');
      const key = `${tokenHash}:${dossierId ?? ''}`;
      return new Promise((resolve, reject) => {
        let pending = queue.get(key);
        if (!pending) queue.set(key, (pending = { tokenHash, dossierId, waiters: [] }));
        pending.waiters.push({ resolve, reject });
        dispatch();
      });
    },
  };
}
