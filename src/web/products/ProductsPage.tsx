/** Catalogue: products and services with search, filters, sort and pages. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, seg } from '../app/api';
import type { ListAnswer } from '../customers/types';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { formatRate, formatUnitPrice } from '../documents/format';
import { invoicingKeys } from '../documents/keys';
import { Filters, Pager, SearchBox, SortHeader, pageNumber, useListParams } from '../documents/listing';
import { useI18n } from '../i18n';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';
import type { Product } from './types';

const PAGE_SIZE = 25;

export function ProductsPage() {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const canWrite = useCan('products.write');
  const { values, update, query } = useListParams({ q: '', nature: '', archived: 'false', sort: 'reference', order: 'asc', page: '1', pageSize: String(PAGE_SIZE) });
  const list = useQuery({
    queryKey: invoicingKeys.productList(dossier.id, query),
    queryFn: ({ signal }) => api.get<ListAnswer<Product>>(`/api/d/${seg(dossier.id)}/products?${query}`, signal),
    placeholderData: keepPreviousData,
  });
  const base = `/d/${dossier.id}/products`;
  const onSort = (sort: string, order: 'asc' | 'desc') => update({ sort, order });
  const archived = values.archived === 'true';

  return (
    <Page
      title={t('products.title')}
      context={dossier.legalName}
      actions={
        canWrite && (
          <Link className="btn btn--primary" to={`${base}/new`}>
            {t('products.new')}
          </Link>
        )
      }
    >
      <Filters label={t('list.filters')}>
        <SearchBox label={t('products.search')} hint={t('products.searchHint')} value={values.q} onChange={(q) => update({ q }, { replace: true })} />
        <div className="field">
          <label htmlFor="filter-nature">{t('products.nature')}</label>
          <select id="filter-nature" value={values.nature} onChange={(e) => update({ nature: e.target.value })}>
            <option value="">{t('list.all')}</option>
            <option value="service">{t('nature.services')}</option>
            <option value="goods">{t('nature.goodsPlural')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-archived">{t('list.state')}</label>
          <select id="filter-archived" value={values.archived} onChange={(e) => update({ archived: e.target.value })}>
            <option value="false">{t('products.active')}</option>
            <option value="true">{t('products.archivedPlural')}</option>
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
            {t(archived ? 'products.countArchived' : 'products.count', { count: list.data.total })}
          </p>
          {list.data.items.length === 0 ? (
            <p className="empty">{values.q || values.nature ? t('list.noMatch') : archived ? t('products.noArchived') : t('products.empty')}</p>
          ) : (
            <div className="table-wrap">
              <table className="list-table">
                <caption className="visually-hidden">{t('products.title')}</caption>
                <thead>
                  <tr>
                    <SortHeader label={t('products.reference')} sortKey="reference" sort={values.sort} order={values.order} onSort={onSort} />
                    <SortHeader label={t('products.designation')} sortKey="designation" sort={values.sort} order={values.order} onSort={onSort} />
                    <th scope="col">{t('products.unit')}</th>
                    <SortHeader label={t('products.unitPrice')} sortKey="unitPrice" sort={values.sort} order={values.order} onSort={onSort} className="num" />
                    <th scope="col" className="num">
                      {t('products.vatRate')}
                    </th>
                    <th scope="col">{t('products.nature')}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((p) => (
                    <tr key={p.id}>
                      <th scope="row" className="nowrap">
                        <Link to={`${base}/${p.id}`}>{p.reference}</Link>
                        {p.archived && <span className="badge badge--muted">{t('products.archived')}</span>}
                      </th>
                      <td>{p.designation}</td>
                      <td>{p.unit}</td>
                      <td className="num nowrap">{formatUnitPrice(p.unitPrice, locale)}</td>
                      <td className="num nowrap">{formatRate(p.vatRate, locale)}</td>
                      <td>{t(p.nature === 'service' ? 'nature.service' : 'nature.goods')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager page={pageNumber(values.page)} pageSize={PAGE_SIZE} total={list.data.total} onPage={(page) => update({ page: String(page) })} label={t('products.pagination')} />
        </>
      )}
    </Page>
  );
}
