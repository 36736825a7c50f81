import { BUILTIN_PROFILES, isBuiltinProfileKey, normalizePermissions, permissionsBeyond, type BuiltinProfileKey, type Permission } from '../../core/permissions';
import { BUILTIN_PROFILE_NAMES } from '../../core/profiles';
import type { Db } from '../db/pool';
import { isUuid } from '../db/tx';
import type { DossierContext } from '../platform/auth';
import { AppError, invalid } from '../platform/errors';

/** A profile as stored on a membership or invitation: a built-in key, or a custom profile's id. */
export interface ProfileRef {
  profile_key: BuiltinProfileKey | null;
  profile_id: string | null;
  /** French name, for the audit trail. */
  name: string;
  permissions: Permission[];
}

/** Resolves a `profileId` from the API (built-in key or custom profile UUID of this dossier). */
export async function findProfileRef(t: Db, dossierId: string, profileId: string): Promise<ProfileRef> {
  if (isBuiltinProfileKey(profileId)) return { profile_key: profileId, profile_id: null, name: BUILTIN_PROFILE_NAMES[profileId].fr, permissions: [...BUILTIN_PROFILES[profileId]] };
  if (isUuid(profileId)) {
    const custom = await t.selectFrom('profiles').select(['id', 'name', 'permissions']).where('dossier_id', '=', dossierId).where('id', '=', profileId).executeTakeFirst();
    if (custom) return { profile_key: null, profile_id: custom.id, name: custom.name, permissions: normalizePermissions(custom.permissions) };
  }
  throw invalid({ profileId: 'Profil inconnu dans ce dossier.' });
}

export function profileIdOf(row: { profile_key: string | null; profile_id: string | null }): string {
  return row.profile_key ?? row.profile_id ?? '';
}

/**
 * Refuses (403) a profile holding permissions the acting member lacks: nobody grants more than
 * they have, nor changes or removes a member, invitation or profile above them.
 */
export function assertWithinOwn(d: DossierContext, permissions: readonly Permission[]): void {
  const beyond = permissionsBeyond(d.permissions, permissions);
  if (beyond.length > 0) throw new AppError(403, 'profile_beyond_own', { permissions: beyond });
}
