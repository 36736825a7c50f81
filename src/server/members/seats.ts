import { sql } from 'kysely';
import { PLAN_LABELS, PLANS, seatLimit, takesSeat, type PlanKey } from '../../core/plans';
import type { Db } from '../db/pool';
import { AppError } from '../platform/errors';

export interface SeatUsage {
  plan: PlanKey;
  planLabel: string;
  limit: number;
  used: number;
}

/**
 * Seats taken: members and pending invitations, except the accountant where the plan offers it.
 * Call after locking the dossier row, so that two concurrent invitations cannot both take the last seat.
 */
export async function seatUsage(t: Db, dossierId: string): Promise<SeatUsage> {
  const dossier = await t.selectFrom('dossiers').select(['plan', 'extra_seats']).where('id', '=', dossierId).executeTakeFirstOrThrow();
  const holders = await sql<{ profile_key: string | null }>`
    SELECT profile_key FROM memberships WHERE dossier_id = ${dossierId}
    UNION ALL
    SELECT profile_key FROM invitations
    WHERE dossier_id = ${dossierId} AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()`.execute(t);
  const used = holders.rows.filter((h) => takesSeat(dossier.plan, h.profile_key)).length;
  return { plan: dossier.plan, planLabel: PLAN_LABELS[dossier.plan], limit: seatLimit(dossier.plan, dossier.extra_seats), used };
}

/** Refuses adding a holder of `profileKey` when the plan has no seat for them. */
export async function assertSeatAvailable(t: Db, dossierId: string, profileKey: string | null): Promise<void> {
  const usage = await seatUsage(t, dossierId);
  if (profileKey === 'accountant' && !PLANS[usage.plan].accountantAllowed) {
    throw new AppError(409, 'accountant_not_in_plan', { plan: usage.planLabel });
  }
  if (takesSeat(usage.plan, profileKey) && usage.used >= usage.limit) {
    throw new AppError(409, 'seat_limit_reached', { plan: usage.planLabel, limit: usage.limit, used: usage.used });
  }
}
