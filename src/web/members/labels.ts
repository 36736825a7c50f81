/** Names of profiles and permissions in the UI language (the built-in ones are translated here). */
import type { Locale } from '../../core/errors';
import { isBuiltinProfileKey, type Permission } from '../../core/permissions';
import { BUILTIN_PROFILE_NAMES, PERMISSION_LABELS } from '../../core/profiles';
import type { PlanKey } from '../../core/plans';
import { PLAN_LABELS } from '../../core/plans';

export function profileLabel(profileId: string, name: string, locale: Locale): string {
  return isBuiltinProfileKey(profileId) ? BUILTIN_PROFILE_NAMES[profileId][locale] : name;
}

export function permissionLabel(permission: Permission, locale: Locale): string {
  return PERMISSION_LABELS[permission][locale];
}

export function planLabel(plan: PlanKey): string {
  return PLAN_LABELS[plan];
}
