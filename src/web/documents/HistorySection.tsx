/** Historique: who created, changed, issued, paid… the document, and when (from the audit trail). */
import { useQuery } from '@tanstack/react-query';
import type { DocumentFamily } from '../../core/documents';
import { api, seg } from '../app/api';
import { useCurrentDossier } from '../dossiers/context';
import { useI18n } from '../i18n';
import { LoadError, Loading } from '../ui/QueryState';
import { invoicingKeys } from './keys';
import { LinkedDocument } from './LinkedDocument';
import type { HistoryEvent } from './types';

export function HistorySection({ family, documentId }: { family: DocumentFamily; documentId: string }) {
  const { t, format } = useI18n();
  const { dossier } = useCurrentDossier();
  const history = useQuery({
    queryKey: invoicingKeys.history(dossier.id, family, documentId),
    queryFn: ({ signal }) => api.get<{ events: HistoryEvent[] }>(`/api/d/${seg(dossier.id)}/${family}/${seg(documentId)}/history`, signal),
  });
  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title">{t('history.title')}</h2>
      {history.isPending ? (
        <Loading />
      ) : history.isError ? (
        <LoadError error={history.error} retry={() => void history.refetch()} />
      ) : history.data.events.length === 0 ? (
        <p className="muted">{t('history.empty')}</p>
      ) : (
        <ol className="history" reversed>
          {[...history.data.events].reverse().map((e) => {
            const created = e.changes?.createdDocumentId?.after;
            return (
              <li key={e.seq}>
                <span className="history__when">
                  <time dateTime={e.occurredAt}>{format.dateTime(e.occurredAt)}</time>
                </span>
                <span className="history__who">
                  {e.actorName ?? t('audit.system')}
                  {e.actorProfile && <span className="muted"> ({e.actorProfile})</span>}
                </span>
                <span className="history__what">
                  {e.summary}
                  {typeof created === 'string' && (
                    <>
                      {' — '}
                      <LinkedDocument id={created} hint={e.action === 'quote.converted' || e.action === 'document.credit_note_created' ? 'invoices' : family} />
                    </>
                  )}
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
