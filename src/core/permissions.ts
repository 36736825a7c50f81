/**
 * Who may do what. Every API route names one of these permissions; a profile is a set of them.
 * This table is the single source of truth, read by the server (authorization) and the web app
 * (what to show).
 */
export const PERMISSIONS = [
  'dossier.read',
  'settings.manage',
  'members.manage',
  'customers.read',
  'customers.write',
  'products.read',
  'products.write',
  'quotes.read',
  'quotes.write',
  'quotes.send',
  'invoices.read',
  'invoices.write',
  'invoices.issue',
  'invoices.send',
  'payments.write',
  'purchases.read',
  'purchases.write',
  'accounting.read',
  'accounting.export',
  'audit.read',
  'audit.export',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/**
 * Permissions of features not built yet (purchases, accounting): kept in the table, so that the
 * built-in profiles already hold them, but never offered in the UI until their feature exists.
 * A permission leaves this list with the first route that requires it.
 */
export const PLANNED_PERMISSIONS: readonly Permission[] = ['purchases.read', 'purchases.write', 'accounting.read', 'accounting.export'];

/** The permissions shown and offered in the UI: every one is required by at least one route. */
export const AVAILABLE_PERMISSIONS: readonly Permission[] = PERMISSIONS.filter((p) => !PLANNED_PERMISSIONS.includes(p));

export const BUILTIN_PROFILE_KEYS = ['admin', 'adv', 'commercial', 'achat', 'readonly', 'accountant'] as const;
export type BuiltinProfileKey = (typeof BUILTIN_PROFILE_KEYS)[number];

const READS: Permission[] = PERMISSIONS.filter((p) => p.endsWith('.read'));
/** What a view-only member reads: everything but the journal of who did what (an owner's and an accountant's matter). */
const VIEW_ONLY: Permission[] = READS.filter((p) => p !== 'audit.read');

export const BUILTIN_PROFILES: Record<BuiltinProfileKey, readonly Permission[]> = {
  admin: PERMISSIONS,
  adv: [
    'dossier.read',
    'customers.read',
    'customers.write',
    'products.read',
    'products.write',
    'quotes.read',
    'quotes.write',
    'invoices.read',
    'invoices.write',
    'quotes.send',
    'invoices.issue',
    'invoices.send',
    'payments.write',
  ],
  commercial: ['dossier.read', 'customers.read', 'customers.write', 'products.read', 'quotes.read', 'quotes.write', 'quotes.send'],
  achat: ['dossier.read', 'products.read', 'purchases.read', 'purchases.write'],
  readonly: VIEW_ONLY,
  accountant: [...READS, 'accounting.export', 'audit.export'],
};

export function isBuiltinProfileKey(value: string): value is BuiltinProfileKey {
  return (BUILTIN_PROFILE_KEYS as readonly string[]).includes(value);
}

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/** A custom profile always keeps `dossier.read`: a member who cannot open the dossier is not a member. */
export function normalizePermissions(perms: readonly string[]): Permission[] {
  const set = new Set<Permission>(['dossier.read']);
  for (const p of perms) if (isPermission(p)) set.add(p);
  return PERMISSIONS.filter((p) => set.has(p));
}

export function can(perms: readonly Permission[], permission: Permission): boolean {
  return perms.includes(permission);
}

/**
 * The permissions of `profile` that `holder` lacks: a member may grant (assign, invite with,
 * create or edit into a profile), or act on a member or invitation holding, only a profile
 * within their own permissions — else a member manager could make themselves administrator.
 * Planned permissions give access to nothing yet, so they are left out: a custom profile with
 * every available permission may still invite an accountant.
 */
export function permissionsBeyond(holder: readonly Permission[], profile: readonly Permission[]): Permission[] {
  return profile.filter((p) => !holder.includes(p) && !PLANNED_PERMISSIONS.includes(p));
}
