/** Journal des actions: every user action of the dossier, newest first, with its hash-chain check. */
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, seg } from '../app/api';
import { keys } from '../app/queries';
import type { AuditEvent, AuditPage as AuditPageData, AuditVerification } from '../app/types';
import { useCurrentDossier } from '../dossiers/context';
import { useI18n } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';

const PAGE_SIZE = 25;

export function AuditPage() {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const [page, setPage] = useState(1);

  const events = useQuery({
    queryKey: keys.audit(dossier.id, page),
    queryFn: ({ signal }) => api.get<AuditPageData>(`/api/d/${seg(dossier.id)}/audit?page=${page}&pageSize=${PAGE_SIZE}`, signal),
    placeholderData: keepPreviousData,
  });

  const total = events.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <Page title={t('audit.title')} context={dossier.legalName} intro={<p>{t('audit.intro')}</p>} actions={<VerifyButton dossierId={dossier.id} />}>
      {events.isPending ? (
        <Loading />
      ) : events.isError ? (
        <LoadError error={events.error} retry={() => void events.refetch()} />
      ) : events.data.events.length === 0 ? (
        <p>{t('audit.empty')}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="audit table--cards">
              <caption className="visually-hidden">{t('audit.caption', { page, pages })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('audit.when')}</th>
                  <th scope="col">{t('audit.who')}</th>
                  <th scope="col">{t('audit.actionAndObject')}</th>
                  <th scope="col">{t('audit.summaryAndChanges')}</th>
                </tr>
              </thead>
              <tbody>{events.data.events.map((e) => <AuditRow key={e.seq} event={e} />)}</tbody>
            </table>
          </div>
          <nav className="pager" aria-label={t('audit.pagination')}>
            <Button small disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
              {t('audit.previous')}
            </Button>
            <span aria-live="polite">{t('audit.pageOf', { page, pages, total })}</span>
            <Button small disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
              {t('audit.next')}
            </Button>
          </nav>
        </>
      )}
    </Page>
  );
}

function AuditRow({ event }: { event: AuditEvent }) {
  const { t, format } = useI18n();
  const changes = event.changes ? Object.entries(event.changes) : [];
  return (
    <tr>
      <td className="nowrap audit__when">
        <time dateTime={event.occurredAt}>{format.dateTime(event.occurredAt)}</time>
        <span className="muted small">#{event.seq}</span>
      </td>
      <td data-label={t('audit.who')}>
        {event.actorName ?? t('audit.system')}
        {event.actorProfile && <span className="muted small">{event.actorProfile}</span>}
      </td>
      <td data-label={t('audit.actionAndObject')}>
        <code>{event.action}</code>
        <span className="audit__object">
          {event.entityLabel ?? event.entityType}
          {event.entityLabel && <span className="muted"> ({event.entityType})</span>}
        </span>
      </td>
      <td className="audit__detail" data-label={t('audit.summaryAndChanges')}>
        <p>{event.summary}</p>
        {changes.length > 0 && (
          <ul className="changes" aria-label={t('audit.changes')}>
            {changes.map(([field, change]) => (
              <li key={field}>
                <span className="changes__field">{field}</span> <del>{show(change.before)}</del> <span aria-hidden="true">→</span>
                <span className="visually-hidden">{t('audit.becomes')}</span> <ins>{show(change.after)}</ins>
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '∅';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function VerifyButton({ dossierId }: { dossierId: string }) {
  const { t, format } = useI18n();
  const verify = useMutation({
    mutationFn: () => api.get<AuditVerification>(`/api/d/${seg(dossierId)}/audit/verify`),
  });
  return (
    <div className="verify">
      <Button variant="secondary" busy={verify.isPending} onClick={() => verify.mutate()}>
        {t('audit.verify')}
      </Button>
      {verify.data &&
        (verify.data.ok ? (
          <Alert kind="success">
            <p>{t('audit.verifyOk', { count: format.number(verify.data.checked) })}</p>
            <p>{t('audit.verifyDocuments', { count: format.number(verify.data.documents) })}</p>
            {verify.data.anchor && <p>{t('audit.verifyAnchored', { seq: verify.data.anchor.seq, date: format.dateTime(verify.data.anchor.at) })}</p>}
          </Alert>
        ) : (
          <Alert kind="error" title={verify.data.firstBrokenSeq === null ? t('audit.verifyAltered') : t('audit.verifyBroken', { seq: verify.data.firstBrokenSeq })}>
            {verify.data.reason && <p>{verify.data.reason}</p>}
          </Alert>
        ))}
      {verify.isError && (
        <Alert kind="error">
          <p>{verify.error.message}</p>
        </Alert>
      )}
    </div>
  );
}
