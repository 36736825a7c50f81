/** React Query keys and hooks for the resources read by several pages. */
import { useQuery } from '@tanstack/react-query';
import { api, seg } from './api';
import type { AppConfig, DossierAnswer, Me } from './types';

export const keys = {
  me: ['me'] as const,
  config: ['config'] as const,
  dossier: (id: string) => ['dossier', id] as const,
  members: (id: string) => ['dossier', id, 'members'] as const,
  profiles: (id: string) => ['dossier', id, 'profiles'] as const,
  audit: (id: string, query: string) => ['dossier', id, 'audit', query] as const,
  auditSummary: (id: string, query: string) => ['dossier', id, 'audit', 'summary', query] as const,
  auditActors: (id: string) => ['dossier', id, 'audit', 'actors'] as const,
  sessions: ['me', 'sessions'] as const,
  securityEvents: ['me', 'security-events'] as const,
  outbox: ['outbox'] as const,
  outboxMessage: (id: string) => ['outbox', id] as const,
  invitation: (token: string) => ['invitation', token] as const,
};

/** The logged-in user and their dossiers; `null` when nobody is logged in (`GET /api/session` answers 200 either way). */
export async function fetchMe(signal?: AbortSignal): Promise<Me | null> {
  const session = await api.get<Me | { user: null }>('/api/session', signal);
  return session.user ? (session as Me) : null;
}

export function useMe() {
  return useQuery({ queryKey: keys.me, queryFn: ({ signal }) => fetchMe(signal), staleTime: 30_000 });
}

export function useDossier(dossierId: string) {
  return useQuery({
    queryKey: keys.dossier(dossierId),
    queryFn: ({ signal }) => api.get<DossierAnswer>(`/api/d/${seg(dossierId)}`, signal),
  });
}

export function useConfig() {
  return useQuery({
    queryKey: keys.config,
    queryFn: ({ signal }) => api.get<AppConfig>('/api/config', signal),
    staleTime: Infinity,
  });
}
