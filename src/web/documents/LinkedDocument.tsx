/** A link to another document known only by its id (source quote, deducted deposit, corrected invoice). */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { DocumentFamily } from '../../core/documents';
import { ApiError, api, seg } from '../app/api';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { useI18n } from '../i18n';
import { invoicingKeys } from './keys';
import { documentName, documentPath } from './labels';
import type { Doc, DocAnswer } from './types';

/** Finds in which family a document lives (the id alone does not say). */
export function useLinkedDocument(id: string | null | undefined, hint?: DocumentFamily) {
  const { dossier } = useCurrentDossier();
  const canQuotes = useCan('quotes.read');
  const canInvoices = useCan('invoices.read');
  return useQuery({
    queryKey: invoicingKeys.link(dossier.id, id ?? ''),
    enabled: Boolean(id),
    staleTime: 60_000,
    queryFn: async ({ signal }): Promise<Doc | null> => {
      const order: DocumentFamily[] = hint === 'quotes' ? ['quotes', 'invoices'] : ['invoices', 'quotes'];
      const families = order.filter((f) => (f === 'quotes' ? canQuotes : canInvoices));
      for (const family of families) {
        try {
          return (await api.get<DocAnswer>(`/api/d/${seg(dossier.id)}/${family}/${seg(id ?? '')}`, signal)).document;
        } catch (error) {
          if (error instanceof ApiError && (error.status === 404 || error.status === 403)) continue;
          throw error;
        }
      }
      return null;
    },
  });
}

export function LinkedDocument({ id, hint, fallback }: { id: string; hint?: DocumentFamily; fallback?: string | null }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const linked = useLinkedDocument(id, hint);
  if (!linked.data) return <span>{fallback ?? (linked.isPending ? '…' : t('documents.unknownDocument'))}</span>;
  return <Link to={documentPath(dossier.id, linked.data.type, linked.data.id)}>{documentName(linked.data, locale, t('documents.draft'))}</Link>;
}
