import type { Db } from '../db/pool';
import type { AuditActor, RequestMeta } from '../platform/audit';
import { writeAudit } from '../platform/audit';
import { BUILTIN_PROFILE_NAMES } from '../../core/profiles';
import type { PlanKey } from '../../core/plans';

/**
 * Creates a dossier with `owner` as its administrator. `t` must be scoped to `dossierId`.
 * The audit chain starts with the dossier's creation.
 */
export async function createDossier(t: Db, input: { dossierId: string; legalName: string; plan: PlanKey; owner: { id: string; name: string } }, meta: RequestMeta): Promise<void> {
  await t.insertInto('dossiers').values({ id: input.dossierId, legal_name: input.legalName, plan: input.plan }).execute();
  await t.insertInto('memberships').values({ dossier_id: input.dossierId, user_id: input.owner.id, profile_key: 'admin', profile_id: null }).execute();
  const actor: AuditActor = { userId: input.owner.id, name: input.owner.name, profile: BUILTIN_PROFILE_NAMES.admin.fr };
  await writeAudit(t, input.dossierId, actor, meta, {
    action: 'dossier.created',
    entityType: 'dossier',
    entityId: input.dossierId,
    entityLabel: input.legalName,
    summary: `Création du dossier « ${input.legalName} »`,
  });
}
