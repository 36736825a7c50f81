/** Clients: the dossier's customers with search, filters, sort and pages. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, seg } from '../app/api';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { invoicingKeys } from '../documents/keys';
import { Filters, Pager, SearchBox, SortHeader, pageNumber, useListParams } from '../documents/listing';
import { useI18n } from '../i18n';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';
import type { Customer, ListAnswer } from './types';

const PAGE_SIZE = 25;

export function CustomersPage() {
  const { t, format } = useI18n();
  const { dossier } = useCurrentDossier();
  const canWrite = useCan('customers.write');
  const { values, update, query } = useListParams({ q: '', kind: '', archived: 'false', sort: 'name', order: 'asc', page: '1', pageSize: String(PAGE_SIZE) });
  const list = useQuery({
    queryKey: invoicingKeys.customerList(dossier.id, query),
    queryFn: ({ signal }) => api.get<ListAnswer<Customer>>(`/api/d/${seg(dossier.id)}/customers?${query}`, signal),
    placeholderData: keepPreviousData,
  });
  const base = `/d/${dossier.id}/customers`;
  const onSort = (sort: string, order: 'asc' | 'desc') => update({ sort, order });
  const archived = values.archived === 'true';

  return (
    <Page
      title={t('customers.title')}
      context={dossier.legalName}
      actions={
        canWrite && (
          <Link className="btn btn--primary" to={`${base}/new`}>
            {t('customers.new')}
          </Link>
        )
      }
    >
      <Filters label={t('list.filters')}>
        <SearchBox label={t('customers.search')} hint={t('customers.searchHint')} value={values.q} onChange={(q) => update({ q }, { replace: true })} />
        <div className="field">
          <label htmlFor="filter-kind">{t('customers.kind')}</label>
          <select id="filter-kind" value={values.kind} onChange={(e) => update({ kind: e.target.value })}>
            <option value="">{t('list.all')}</option>
            <option value="company">{t('customers.kindCompanies')}</option>
            <option value="individual">{t('customers.kindIndividuals')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-archived">{t('list.state')}</label>
          <select id="filter-archived" value={values.archived} onChange={(e) => update({ archived: e.target.value })}>
            <option value="false">{t('customers.active')}</option>
            <option value="true">{t('customers.archivedPlural')}</option>
          </select>
        </div>
      </Filters>

      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <LoadError error={list.error} retry={() => void list.refetch()} />
      ) : (
        <>
          <p className="list-count" aria-live="polite">
            {t(archived ? 'customers.countArchived' : 'customers.count', { count: list.data.total })}
          </p>
          {list.data.items.length === 0 ? (
            <p className="empty">{values.q || values.kind ? t('list.noMatch') : archived ? t('customers.noArchived') : t('customers.empty')}</p>
          ) : (
            <div className="table-wrap">
              <table className="list-table">
                <caption className="visually-hidden">{t('customers.title')}</caption>
                <thead>
                  <tr>
                    <SortHeader label={t('customers.name')} sortKey="name" sort={values.sort} order={values.order} onSort={onSort} />
                    <th scope="col">{t('customers.kind')}</th>
                    <th scope="col">{t('customers.siren')}</th>
                    <th scope="col">{t('customers.email')}</th>
                    <th scope="col">{t('customers.city')}</th>
                    <SortHeader label={t('customers.createdAt')} sortKey="createdAt" sort={values.sort} order={values.order} onSort={onSort} defaultOrder="desc" />
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((c) => (
                    <tr key={c.id}>
                      <th scope="row">
                        <Link to={`${base}/${c.id}`}>{c.name}</Link>
                        {c.archived && <span className="badge badge--muted">{t('customers.archived')}</span>}
                      </th>
                      <td>{t(c.kind === 'company' ? 'customers.kindCompany' : 'customers.kindIndividual')}</td>
                      <td className="nowrap">{c.siren ?? ''}</td>
                      <td>{c.emails[0] ?? ''}</td>
                      <td>{c.billingAddress ? `${c.billingAddress.postalCode} ${c.billingAddress.city}` : ''}</td>
                      <td className="nowrap">{format.date(c.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager page={pageNumber(values.page)} pageSize={PAGE_SIZE} total={list.data.total} onPage={(page) => update({ page: String(page) })} label={t('customers.pagination')} />
        </>
      )}
    </Page>
  );
}
