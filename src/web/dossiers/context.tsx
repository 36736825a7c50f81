/** The dossier of the current URL, for the pages inside `/d/:dossierId`. Never stored elsewhere. */
import { createContext, useContext, type ReactNode } from 'react';
import type { Permission } from '../../core/permissions';
import { can } from '../../core/permissions';
import { useI18n } from '../i18n';
import { Page } from '../ui/Page';
import { Alert } from '../ui/Alert';
import type { DossierAnswer } from '../app/types';
import { profileLabel } from '../members/labels';

const DossierContext = createContext<DossierAnswer | null>(null);

export function DossierProvider({ value, children }: { value: DossierAnswer; children: ReactNode }) {
  return <DossierContext.Provider value={value}>{children}</DossierContext.Provider>;
}

export function useCurrentDossier(): DossierAnswer {
  const value = useContext(DossierContext);
  if (!value) throw new Error('useCurrentDossier outside a dossier');
  return value;
}

export function useCan(permission: Permission): boolean {
  return can(useCurrentDossier().membership.permissions, permission);
}

/**
 * Hides a page the member's profile does not allow. The server refuses the calls anyway; this
 * only spares the member a page of errors. Given several permissions, any one of them will do.
 */
export function RequirePermission({ permission, title, children }: { permission: Permission | readonly Permission[]; title: string; children: ReactNode }) {
  const { t, locale } = useI18n();
  const { dossier, membership } = useCurrentDossier();
  const anyOf: readonly Permission[] = typeof permission === 'string' ? [permission] : permission;
  if (anyOf.some((p) => can(membership.permissions, p))) return <>{children}</>;
  return (
    <Page title={title} context={dossier.legalName}>
      <Alert kind="warning" title={t('forbidden.title')}>
        <p>{t('forbidden.body', { profile: profileLabel(membership.profileId, membership.profileName, locale) })}</p>
      </Alert>
    </Page>
  );
}
