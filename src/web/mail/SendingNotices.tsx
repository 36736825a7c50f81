/**
 * On every page of the dossier: the caller's messages that failed or whose delivery is uncertain,
 * each with a link to its document and « J'ai vu », which hides it for good. Refreshed every 30 s
 * and when the window gets the focus back.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { DocumentType } from '../../core/documents';
import { ApiError, api, seg } from '../app/api';
import { useCurrentDossier } from '../dossiers/context';
import { useI18n, type MessageKey } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import type { ListedMessage } from './EnvoisPage';
import { mailKeys } from './MessageStatus';

/** « de la facture F-2026-0007 », « du devis D-2026-0001 »… */
const DOCUMENT_OF: Record<DocumentType, MessageKey> = {
  quote: 'notice.of.quote',
  invoice: 'notice.of.invoice',
  deposit_invoice: 'notice.of.deposit_invoice',
  credit_note: 'notice.of.credit_note',
  pro_forma: 'notice.of.pro_forma',
};

export function SendingNotices() {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const queryClient = useQueryClient();
  const notices = useQuery({
    queryKey: mailKeys.notices(dossier.id),
    queryFn: ({ signal }) => api.get<{ notices: ListedMessage[] }>(`/api/d/${seg(dossier.id)}/messages/notices`, signal),
    refetchInterval: 30_000,
    refetchOnWindowFocus: true,
  });
  const dismiss = useMutation({
    mutationFn: (id: string) => api.post(`/api/d/${seg(dossier.id)}/messages/${seg(id)}/dismiss`),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: mailKeys.notices(dossier.id) }),
  });
  const list = notices.data?.notices ?? [];
  if (list.length === 0) return null;
  return (
    <div className="notices" data-testid="sending-notices">
      {list.map((n) => {
        const vars = { document: t(DOCUMENT_OF[n.document.type], { number: n.document.number }), to: n.to.join(', '), reply: n.smtpResponse ?? n.lastError ?? '' };
        return (
          <Alert key={n.id} kind="error">
            <p className="notice">
              <span>{n.state === 'failed' ? t('notice.failed', vars) : t('notice.uncertain', vars)}</span> — <Link to={`/d/${dossier.id}/${n.document.family}/${n.document.id}`}>{t('notice.view')}</Link>{' '}
              <Button small busy={dismiss.isPending && dismiss.variables === n.id} onClick={() => dismiss.mutate(n.id)}>
                {t('notice.dismiss')}
              </Button>
            </p>
            {dismiss.isError && dismiss.variables === n.id && <p>{dismiss.error instanceof ApiError ? dismiss.error.message : t('error.unexpected')}</p>}
          </Alert>
        );
      })}
    </div>
  );
}
