/** The dossier's e-mail templates, as the send dialog and Paramètres › Modèles d'e-mails read them. */
import { useQuery } from '@tanstack/react-query';
import type { MailTemplateJson } from '../../core/mail-templates';
import { api, seg } from '../app/api';

export const mailTemplatesKey = (dossierId: string) => ['dossier', dossierId, 'mail-templates'] as const;

export function useMailTemplates(dossierId: string) {
  return useQuery({
    queryKey: mailTemplatesKey(dossierId),
    queryFn: ({ signal }) => api.get<{ templates: MailTemplateJson[] }>(`/api/d/${seg(dossierId)}/mail-templates`, signal),
  });
}
