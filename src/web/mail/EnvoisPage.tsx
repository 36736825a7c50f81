/**
 * « Envois »: every message of the dossier sent by e-mail, newest first, with its document, its
 * recipients, who asked for it and what became of it; filters and the page's cursor in the URL.
 * The server answers only the messages of the families the member may read.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { DOCUMENT_TYPES, type DocumentFamily, type DocumentType } from '../../core/documents';
import { MESSAGE_FILTERS, type MessageFilter } from '../../core/outgoing-mail';
import { api, seg } from '../app/api';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { documentTitle } from '../documents/labels';
import { Filters, SearchBox, useListParams } from '../documents/listing';
import { useI18n, type MessageKey } from '../i18n';
import { Button } from '../ui/Button';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';
import { inFlight, mailKeys, MessageStatus, parisDateTime, type OutgoingMessage } from './MessageStatus';

export interface ListedMessage extends OutgoingMessage {
  document: { id: string; type: DocumentType; family: DocumentFamily; number: string };
  requestedBy: string;
}

const PAGE_SIZE = 25;

/** The state filter's choices, one per entry of MESSAGE_FILTERS. */
const FILTER_LABELS: Record<MessageFilter, MessageKey> = {
  pending: 'envois.filter.pending',
  sent: 'envois.filter.sent',
  retry: 'envois.filter.retry',
  failed: 'envois.filter.failed',
  uncertain: 'envois.filter.uncertain',
  cancelled: 'envois.filter.cancelled',
};

const QUOTE_TYPES: readonly DocumentType[] = ['quote'];

export function EnvoisPage() {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const canQuotes = useCan('quotes.read');
  const canInvoices = useCan('invoices.read');
  const { values, update, query } = useListParams({ state: '', type: '', q: '', cursor: '', limit: String(PAGE_SIZE) });
  const list = useQuery({
    queryKey: mailKeys.list(dossier.id, query),
    queryFn: ({ signal }) => api.get<{ messages: ListedMessage[]; nextCursor: string | null }>(`/api/d/${seg(dossier.id)}/messages?${query}`, signal),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.messages.some(inFlight) ? 3000 : false),
  });
  // A filter changed: back to the newest messages.
  const filter = (patch: Partial<typeof values>, options?: { replace?: boolean }) => update({ ...patch, cursor: '' }, options);
  const types = DOCUMENT_TYPES.filter((type) => (QUOTE_TYPES.includes(type) ? canQuotes : canInvoices));
  const filtered = Boolean(values.state || values.type || values.q);

  return (
    <Page title={t('envois.title')} context={dossier.legalName} intro={<p>{t('envois.intro')}</p>}>
      <Filters label={t('list.filters')}>
        <SearchBox label={t('documents.search')} hint={t('envois.searchHint')} value={values.q} onChange={(q) => filter({ q }, { replace: true })} />
        <div className="field">
          <label htmlFor="filter-state">{t('list.state')}</label>
          <select id="filter-state" value={values.state} onChange={(e) => filter({ state: e.target.value })}>
            <option value="">{t('list.all')}</option>
            {(Object.keys(MESSAGE_FILTERS) as MessageFilter[]).map((s) => (
              <option key={s} value={s}>
                {t(FILTER_LABELS[s])}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-type">{t('documents.type')}</label>
          <select id="filter-type" value={values.type} onChange={(e) => filter({ type: e.target.value })}>
            <option value="">{t('documents.allTypes')}</option>
            {types.map((type) => (
              <option key={type} value={type}>
                {documentTitle(type, locale)}
              </option>
            ))}
          </select>
        </div>
      </Filters>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <LoadError error={list.error} retry={() => void list.refetch()} />
      ) : list.data.messages.length === 0 ? (
        <p className="empty">{filtered ? t('list.noMatch') : t('envois.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="list-table envois-table table--cards" data-testid="envois">
            <caption className="visually-hidden">{t('envois.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('envois.when')}</th>
                <th scope="col">{t('envois.document')}</th>
                <th scope="col">{t('mail.to')}</th>
                <th scope="col">{t('envois.requestedBy')}</th>
                <th scope="col">{t('list.state')}</th>
                <th scope="col" className="num">
                  {t('envois.attempts')}
                </th>
                <th scope="col">{t('envois.reply')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.messages.map((m) => (
                <tr key={m.id} data-state={m.state}>
                  <td className="nowrap" data-label={t('envois.when')}>
                    {parisDateTime(m.createdAt, locale)}
                  </td>
                  <th scope="row" data-label={t('envois.document')}>
                    <Link to={`/d/${dossier.id}/${m.document.family}/${m.document.id}`}>
                      {documentTitle(m.document.type, locale)} {m.document.number}
                    </Link>
                  </th>
                  <td data-label={t('mail.to')}>
                    {[m.to.join(', '), m.cc.length ? `${t('envois.cc')} ${m.cc.join(', ')}` : '', m.bcc.length ? `${t('envois.bcc')} ${m.bcc.join(', ')}` : ''].filter(Boolean).join(' ; ')}
                  </td>
                  <td data-label={t('envois.requestedBy')}>{m.requestedBy}</td>
                  <td className={`message message--${m.state}`} data-label={t('list.state')}>
                    <MessageStatus message={m} family={m.document.family} details={false} />
                  </td>
                  <td className="num" data-label={t('envois.attempts')}>
                    {m.attempts}
                  </td>
                  <td data-label={t('envois.reply')}>{m.smtpResponse ?? m.lastError ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && (values.cursor || list.data.nextCursor) && (
        <nav className="pager" aria-label={t('envois.pagination')}>
          <Button small disabled={!values.cursor} onClick={() => update({ cursor: '' })}>
            {t('envois.newest')}
          </Button>
          <Button small disabled={!list.data.nextCursor} onClick={() => update({ cursor: list.data.nextCursor ?? '' })}>
            {t('envois.older')}
          </Button>
        </nav>
      )}
    </Page>
  );
}
