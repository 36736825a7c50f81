/** Devis / Factures / Avoirs: the documents of a family with search, filters, sort, pages and a totals row. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { documentStatusLabel, type DisplayStatus, type DocumentFamily, type DocumentType } from '../../core/documents';
import { api, seg } from '../app/api';
import { CustomerPicker } from '../customers/CustomerPicker';
import type { Customer } from '../customers/types';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { useI18n, type MessageKey } from '../i18n';
import { Alert } from '../ui/Alert';
import { Page } from '../ui/Page';
import { formatDay, formatEuros } from './format';
import { invoicingKeys } from './keys';
import { documentTitle, statusLabel, statusTone } from './labels';
import { Filters, ListResults, SearchBox, SortHeader, pageNumber, useListParams } from './listing';
import { ReminderCell } from './Reminders';
import type { DocListAnswer, DocListItem } from './types';

const PAGE_SIZE = 25;

const STATUSES: Record<DocumentFamily, DisplayStatus[]> = {
  quotes: ['draft', 'finalised', 'accepted', 'refused', 'expired'],
  invoices: ['draft', 'issued', 'partially_paid', 'paid', 'overdue', 'to_refund', 'cancelled', 'finalised'],
};

const REMINDER_FILTERS = ['none', '1', '2', '3'] as const;

const INVOICE_TYPES: DocumentType[] = ['invoice', 'deposit_invoice', 'credit_note', 'pro_forma'];

const TYPE_FILTER_LABELS: Record<string, MessageKey> = {
  invoice: 'documents.typeInvoices',
  deposit_invoice: 'documents.typeDeposits',
  credit_note: 'documents.typeCreditNotes',
  pro_forma: 'documents.typeProForma',
};

export function DocumentsPage({ family }: { family: DocumentFamily }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const canWrite = useCan(family === 'quotes' ? 'quotes.write' : 'invoices.write');
  const canReadCustomers = useCan('customers.read');
  const { values, update, query } = useListParams({
    q: '',
    type: '',
    status: '',
    customerId: '',
    reminder: '',
    from: '',
    to: '',
    sort: 'issueDate',
    order: 'desc',
    page: '1',
    pageSize: String(PAGE_SIZE),
  });
  const list = useQuery({
    queryKey: invoicingKeys.documentList(dossier.id, family, query),
    queryFn: ({ signal }) => api.get<DocListAnswer>(`/api/d/${seg(dossier.id)}/${family}?${query}`, signal),
    placeholderData: keepPreviousData,
  });
  const customer = useQuery({
    queryKey: invoicingKeys.customer(dossier.id, values.customerId),
    queryFn: ({ signal }) => api.get<{ customer: Customer }>(`/api/d/${seg(dossier.id)}/customers/${seg(values.customerId)}`, signal),
    enabled: values.customerId !== '' && canReadCustomers,
  });

  const creditNotes = family === 'invoices' && values.type === 'credit_note';
  const title = family === 'quotes' ? t('documents.quotesTitle') : creditNotes ? t('documents.creditNotesTitle') : t('documents.invoicesTitle');
  const invoices = family === 'invoices';
  const base = `/d/${dossier.id}/${family}`;
  const onSort = (sort: string, order: 'asc' | 'desc') => update({ sort, order });
  const filtered = Boolean(values.q || values.status || values.customerId || values.reminder || values.from || values.to || (values.type && !creditNotes));
  const [notice, setNotice] = useState<string | null>(null);

  const actions = canWrite ? (
    family === 'quotes' ? (
      <Link className="btn btn--primary" to={`${base}/new`}>
        {t('documents.newQuote')}
      </Link>
    ) : creditNotes ? null : (
      <>
        <Link className="btn btn--primary" to={`${base}/new`}>
          {t('documents.newInvoice')}
        </Link>
        <Link className="btn" to={`${base}/new?type=pro_forma`}>
          {t('documents.newProForma')}
        </Link>
      </>
    )
  ) : null;

  return (
    <Page title={title} context={dossier.legalName} actions={actions} intro={creditNotes ? <p>{t('documents.creditNotesIntro')}</p> : undefined}>
      <Filters label={t('list.filters')}>
        <SearchBox label={t('documents.search')} hint={t('documents.searchHint')} value={values.q} onChange={(q) => update({ q }, { replace: true })} />
        {invoices && (
          <div className="field">
            <label htmlFor="filter-type">{t('documents.type')}</label>
            <select id="filter-type" value={values.type} onChange={(e) => update({ type: e.target.value })}>
              <option value="">{t('documents.allTypes')}</option>
              {INVOICE_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(TYPE_FILTER_LABELS[type] ?? 'documents.typeInvoices')}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="filter-status">{t('documents.status')}</label>
          <select id="filter-status" value={values.status} onChange={(e) => update({ status: e.target.value })}>
            <option value="">{t('list.all')}</option>
            {STATUSES[family].map((s) => (
              <option key={s} value={s}>
                {statusLabel(s, locale)}
              </option>
            ))}
          </select>
        </div>
        {invoices && (
          <div className="field">
            <label htmlFor="filter-reminder">{t('reminders.filter')}</label>
            <select id="filter-reminder" value={values.reminder} onChange={(e) => update({ reminder: e.target.value })}>
              <option value="">{t('list.all')}</option>
              {REMINDER_FILTERS.map((r) => (
                <option key={r} value={r}>
                  {r === 'none' ? t('reminders.filterNone') : t('reminders.filterLevel', { level: r })}
                </option>
              ))}
            </select>
          </div>
        )}
        {canReadCustomers && (
          <CustomerPicker
            dossierId={dossier.id}
            name="filter-customer"
            label={t('documents.customer')}
            value={values.customerId ? { id: values.customerId, name: customer.data?.customer.name ?? '…' } : null}
            onChange={(c) => update({ customerId: c?.id ?? '' })}
            className="filters__customer"
          />
        )}
        <fieldset className="filters__period">
          <legend>{t('documents.period')}</legend>
          <div className="field">
            <label htmlFor="filter-from">{t('documents.from')}</label>
            <input id="filter-from" type="date" value={values.from} onChange={(e) => update({ from: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="filter-to">{t('documents.to')}</label>
            <input id="filter-to" type="date" value={values.to} onChange={(e) => update({ to: e.target.value })} />
          </div>
        </fieldset>
      </Filters>

      {notice && <Alert kind="success" title={notice} />}
      <ListResults
        list={list}
        count={(total) => t('documents.count', { count: total })}
        empty={filtered ? t('list.noMatch') : family === 'quotes' ? t('documents.noQuotes') : t('documents.noInvoices')}
        pager={{ page: pageNumber(values.page), pageSize: PAGE_SIZE, onPage: (page) => update({ page: String(page) }), label: t('documents.pagination') }}
      >
        {(data) => (
          <table className="list-table documents-table table--cards">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <SortHeader label={t('documents.number')} sortKey="number" sort={values.sort} order={values.order} onSort={onSort} defaultOrder="desc" />
                {invoices && <th scope="col">{t('documents.type')}</th>}
                <SortHeader label={t('documents.customer')} sortKey="customer" sort={values.sort} order={values.order} onSort={onSort} />
                <SortHeader label={t('documents.issueDate')} sortKey="issueDate" sort={values.sort} order={values.order} onSort={onSort} defaultOrder="desc" />
                {invoices ? (
                  <SortHeader label={t('documents.dueDate')} sortKey="dueDate" sort={values.sort} order={values.order} onSort={onSort} />
                ) : (
                  <th scope="col">{t('documents.validityDate')}</th>
                )}
                <th scope="col" className="num">
                  {t('documents.net')}
                </th>
                <SortHeader label={t('documents.gross')} sortKey="grossCents" sort={values.sort} order={values.order} onSort={onSort} className="num" defaultOrder="desc" />
                {invoices && (
                  <th scope="col" className="num">
                    {t('documents.balance')}
                  </th>
                )}
                <th scope="col">{t('documents.status')}</th>
                {invoices && <th scope="col">{t('reminders.column')}</th>}
              </tr>
            </thead>
            <tbody>
              {data.items.map((d) => (
                <DocumentRow key={d.id} doc={d} family={family} invoices={invoices} onReminded={(to) => setNotice(t('reminders.queued', { number: d.number ?? '', to: to.join(', ') }))} />
              ))}
            </tbody>
            <tfoot>
              <tr className="totals-row">
                <th scope="row" colSpan={invoices ? 5 : 4}>
                  {t('documents.totalsRow', { count: data.total })}
                </th>
                <td className="num nowrap" data-label={t('documents.net')} data-testid="list-total-net">
                  {formatEuros(data.totals.netCents, locale)}
                </td>
                <td className="num nowrap" data-label={t('documents.gross')} data-testid="list-total-gross">
                  {formatEuros(data.totals.grossCents, locale)}
                </td>
                {invoices && (
                  <td className="num nowrap" data-label={t('documents.balance')} data-testid="list-total-balance">
                    {formatEuros(data.totals.balanceCents, locale)}
                  </td>
                )}
                <td />
                {invoices && <td />}
              </tr>
            </tfoot>
          </table>
        )}
      </ListResults>
    </Page>
  );
}

function DocumentRow({ doc, family, invoices, onReminded }: { doc: DocListItem; family: DocumentFamily; invoices: boolean; onReminded: (to: string[]) => void }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const payable = doc.type === 'invoice' || doc.type === 'deposit_invoice';
  // A credit note reduces the totals row (the server subtracts it): shown negative so the column adds up.
  const sign = doc.type === 'credit_note' ? -1 : 1;
  return (
    <tr>
      <th scope="row" className="nowrap">
        <Link to={`/d/${dossier.id}/${family}/${doc.id}`}>{doc.number ?? t('documents.draftNumber')}</Link>
      </th>
      {invoices && <td data-label={t('documents.type')}>{documentTitle(doc.type, locale)}</td>}
      <td data-label={t('documents.customer')}>{doc.customerName ?? <span className="muted">{t('documents.noCustomer')}</span>}</td>
      <td className="nowrap" data-label={t('documents.issueDate')}>
        {formatDay(doc.issueDate, locale)}
      </td>
      <td className="nowrap" data-label={t(invoices ? 'documents.dueDate' : 'documents.validityDate')}>
        {formatDay(invoices ? doc.dueDate : doc.validityDate, locale)}
      </td>
      <td className="num nowrap" data-label={t('documents.net')}>
        {formatEuros(sign * doc.netCents, locale)}
      </td>
      <td className="num nowrap" data-label={t('documents.gross')}>
        {formatEuros(sign * doc.grossCents, locale)}
      </td>
      {invoices && (
        <td className="num nowrap" data-label={t('documents.balance')}>
          {payable && doc.status === 'issued' ? formatEuros(doc.balanceCents, locale) : ''}
        </td>
      )}
      <td data-label={t('documents.status')}>
        <StatusBadge status={doc.displayStatus} type={doc.type} />
      </td>
      {invoices && (
        <td data-label={t('reminders.column')}>
          <ReminderCell doc={doc} onSent={onReminded} />
        </td>
      )}
    </tr>
  );
}

export function StatusBadge({ status, type, testId }: { status: DisplayStatus; type: DocumentType; testId?: string }) {
  const { locale } = useI18n();
  return (
    <span className={`badge ${statusTone(status)}`} data-testid={testId}>
      {documentStatusLabel(status, type, locale)}
    </span>
  );
}
