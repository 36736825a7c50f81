/**
 * The list page of a dossier's records (customers, catalogue): search, one filter of the record's
 * own, active or archived, sortable columns, a count, pages and a "new" button for those who may
 * write. Each record type gives its columns and rows; everything around them is the same.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Permission } from '../../core/permissions';
import { api, seg } from '../app/api';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { Filters, ListResults, SearchBox, SortHeader, pageNumber, useListParams } from '../documents/listing';
import { useI18n, type MessageKey } from '../i18n';
import { Page } from './Page';

const PAGE_SIZE = 25;

/** The record types with such a page: their URL segment, API path and message keys' prefix. */
export type RecordKind = 'customers' | 'products';

/** The messages each record type has, under its prefix (`customers.title`, `products.title`…). */
type RecordMessage = 'title' | 'new' | 'search' | 'searchHint' | 'active' | 'archivedPlural' | 'count' | 'countArchived' | 'noArchived' | 'empty' | 'pagination';

interface ListAnswer<T> {
  items: T[];
  total: number;
}

/** A sortable column header, bound to the list's current sort. */
export type SortableHeader = (label: string, sortKey: string, opts?: { className?: string; defaultOrder?: 'asc' | 'desc' }) => ReactNode;

export interface RecordListPageProps<T extends { id: string }> {
  kind: RecordKind;
  writePermission: Permission;
  listKey: (dossierId: string, query: string) => readonly unknown[];
  defaultSort: string;
  /** The record's own filter (a URL parameter of the list API) and its choices besides "all". */
  filter: { param: string; label: string; options: { value: string; label: string }[] };
  /** The header cells, in the order `row` gives its cells. */
  columns: (sortable: SortableHeader) => ReactNode;
  /**
   * One row's cells; `base` is the list's path, a record's page being `${base}/${id}`. Each cell but
   * the row header names its column in `data-label` (shown beside the value when rows are cards).
   */
  row: (item: T, base: string) => ReactNode;
}

export function RecordListPage<T extends { id: string }>({ kind, writePermission, listKey, defaultSort, filter, columns, row }: RecordListPageProps<T>) {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const canWrite = useCan(writePermission);
  const params = useListParams<string>({ q: '', [filter.param]: '', archived: 'false', sort: defaultSort, order: 'asc', page: '1', pageSize: String(PAGE_SIZE) });
  const { update, query } = params;
  // Every parameter given as a default is always there; the record's filter is named at run time.
  const values = params.values as Record<'q' | 'archived' | 'sort' | 'order' | 'page', string>;
  const filterValue = params.values[filter.param] ?? '';
  const list = useQuery({
    queryKey: listKey(dossier.id, query),
    queryFn: ({ signal }) => api.get<ListAnswer<T>>(`/api/d/${seg(dossier.id)}/${kind}?${query}`, signal),
    placeholderData: keepPreviousData,
  });
  const base = `/d/${dossier.id}/${kind}`;
  const onSort = (sort: string, order: 'asc' | 'desc') => update({ sort, order });
  const sortable: SortableHeader = (label, sortKey, opts = {}) => (
    <SortHeader label={label} sortKey={sortKey} sort={values.sort} order={values.order as 'asc' | 'desc'} onSort={onSort} {...opts} />
  );
  const archived = values.archived === 'true';
  const message = (key: RecordMessage): MessageKey => `${kind}.${key}`;

  return (
    <Page
      title={t(message('title'))}
      context={dossier.legalName}
      actions={
        canWrite && (
          <Link className="btn btn--primary" to={`${base}/new`}>
            {t(message('new'))}
          </Link>
        )
      }
    >
      <Filters label={t('list.filters')}>
        <SearchBox label={t(message('search'))} hint={t(message('searchHint'))} value={values.q} onChange={(q) => update({ q }, { replace: true })} />
        <div className="field">
          <label htmlFor={`filter-${filter.param}`}>{filter.label}</label>
          <select id={`filter-${filter.param}`} value={filterValue} onChange={(e) => update({ [filter.param]: e.target.value })}>
            <option value="">{t('list.all')}</option>
            {filter.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-archived">{t('list.state')}</label>
          <select id="filter-archived" value={values.archived} onChange={(e) => update({ archived: e.target.value })}>
            <option value="false">{t(message('active'))}</option>
            <option value="true">{t(message('archivedPlural'))}</option>
          </select>
        </div>
      </Filters>

      <ListResults
        list={list}
        count={(total) => t(message(archived ? 'countArchived' : 'count'), { count: total })}
        empty={values.q || filterValue ? t('list.noMatch') : t(message(archived ? 'noArchived' : 'empty'))}
        pager={{ page: pageNumber(values.page), pageSize: PAGE_SIZE, onPage: (page) => update({ page: String(page) }), label: t(message('pagination')) }}
      >
        {(data) => (
          <table className="list-table table--cards">
            <caption className="visually-hidden">{t(message('title'))}</caption>
            <thead>
              <tr>{columns(sortable)}</tr>
            </thead>
            <tbody>
              {data.items.map((item) => (
                <tr key={item.id}>{row(item, base)}</tr>
              ))}
            </tbody>
          </table>
        )}
      </ListResults>
    </Page>
  );
}
