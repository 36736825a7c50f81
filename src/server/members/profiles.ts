import { isBuiltinProfileKey, type BuiltinProfileKey } from '../../core/permissions';
import { BUILTIN_PROFILE_NAMES } from '../../core/profiles';
import type { Db } from '../db/pool';
import { isUuid } from '../db/tx';
import { invalid } from '../platform/errors';

/** A profile as stored on a membership or invitation: a built-in key, or a custom profile's id. */
export interface ProfileRef {
  profile_key: BuiltinProfileKey | null;
  profile_id: string | null;
  /** French name, for the audit trail. */
  name: string;
}

/** Resolves a `profileId` from the API (built-in key or custom profile UUID of this dossier). */
export async function findProfileRef(t: Db, dossierId: string, profileId: string): Promise<ProfileRef> {
  if (isBuiltinProfileKey(profileId)) return { profile_key: profileId, profile_id: null, name: BUILTIN_PROFILE_NAMES[profileId].fr };
  if (isUuid(profileId)) {
    const custom = await t.selectFrom('profiles').select(['id', 'name']).where('dossier_id', '=', dossierId).where('id', '=', profileId).executeTakeFirst();
    if (custom) return { profile_key: null, profile_id: custom.id, name: custom.name };
  }
  throw invalid({ profileId: 'Profil inconnu dans ce dossier.' });
}

export function profileIdOf(row: { profile_key: string | null; profile_id: string | null }): string {
  return row.profile_key ?? row.profile_id ?? '';
}
