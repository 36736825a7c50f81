/** What every list page shares: its state in the URL, a debounced search box, sortable headers, a pager. */
import { useCallback, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import type { UseQueryResult } from '@tanstack/react-query';
import { useT } from '../i18n';
import { Button } from '../ui/Button';
import { LoadError, Loading } from '../ui/QueryState';

export type ListParams<K extends string> = Record<K, string>;

/**
 * The list's filters, sort and page live in the URL (shareable, kept by Back). `defaults` lists
 * every parameter; values equal to their default are left out of the URL.
 */
export function useListParams<K extends string>(defaults: ListParams<K>) {
  const [search, setSearch] = useSearchParams();
  const values = useMemo(() => {
    const out = { ...defaults };
    for (const key of Object.keys(defaults) as K[]) {
      const v = search.get(key);
      if (v !== null) out[key] = v;
    }
    return out;
  }, [search]);

  const update = useCallback(
    (patch: Partial<ListParams<K>>, options: { replace?: boolean } = {}) => {
      setSearch(
        (prev) => {
          const next = new URLSearchParams(prev);
          // Any change but a page change goes back to the first page.
          if (!('page' in patch)) next.delete('page');
          for (const [key, value] of Object.entries(patch) as [K, string | undefined][]) {
            if (value === undefined || value === defaults[key]) next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace: options.replace ?? false },
      );
    },
    [setSearch],
  );

  /** The query string for the API (every value, defaults included, empty ones left out). */
  const query = useMemo(() => {
    const q = new URLSearchParams();
    for (const [key, value] of Object.entries(values) as [K, string][]) if (value !== '') q.set(key, value);
    return q.toString();
  }, [values]);

  return { values, update, query };
}

/** A search box that updates the list a moment after the user stops typing. */
export function SearchBox({ value, onChange, label, hint }: { value: string; onChange: (value: string) => void; label: string; hint?: string }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const [text, setText] = useState(value);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => onChangeRef.current(text), 300);
    return () => clearTimeout(timer);
  }, [text, value]);
  return (
    <div className="field filters__search">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      <input
        id={id}
        type="search"
        value={text}
        autoComplete="off"
        aria-describedby={hint ? hintId : undefined}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            onChange(text);
          }
        }}
      />
    </div>
  );
}

/** A column header that sorts the list; `aria-sort` tells screen readers the current order. */
export function SortHeader({
  label,
  sortKey,
  sort,
  order,
  onSort,
  className,
  defaultOrder = 'asc',
}: {
  label: string;
  sortKey: string;
  sort: string;
  order: string;
  onSort: (sort: string, order: 'asc' | 'desc') => void;
  className?: string;
  defaultOrder?: 'asc' | 'desc';
}) {
  const t = useT();
  const active = sort === sortKey;
  const ariaSort = active ? (order === 'asc' ? 'ascending' : 'descending') : 'none';
  const nextOrder = active ? (order === 'asc' ? 'desc' : 'asc') : defaultOrder;
  return (
    <th scope="col" aria-sort={ariaSort} className={className}>
      <button type="button" className="sort-button" onClick={() => onSort(sortKey, nextOrder)}>
        {label}
        <span className="sort-button__icon" aria-hidden="true">
          {active ? (order === 'asc' ? '▲' : '▼') : '↕'}
        </span>
        <span className="visually-hidden">{active ? t(order === 'asc' ? 'list.sortedAsc' : 'list.sortedDesc') : t('list.sortBy')}</span>
      </button>
    </th>
  );
}

export function Pager({ page, pageSize, total, onPage, label }: { page: number; pageSize: number; total: number; onPage: (page: number) => void; label: string }) {
  const t = useT();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav className="pager" aria-label={label}>
      <Button small disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t('list.previous')}
      </Button>
      <span aria-live="polite">{t('list.pageOf', { page, pages, total })}</span>
      <Button small disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {t('list.next')}
      </Button>
    </nav>
  );
}

/** The filters above a list: a wrapping row of fields. */
export function Filters({ children, label }: { children: ReactNode; label: string }) {
  return (
    <div className="filters" role="search" aria-label={label}>
      {children}
    </div>
  );
}

export function pageNumber(value: string): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/**
 * A list's answer as its page shows it: loading, the error with a retry, or the count, the table
 * (`children`, or what `empty` says when there is nothing) and the pager.
 */
export function ListResults<L extends { items: unknown[]; total: number }>({
  list,
  count,
  empty,
  pager,
  children,
}: {
  list: UseQueryResult<L>;
  count: (total: number) => string;
  empty: string;
  pager: { page: number; pageSize: number; onPage: (page: number) => void; label: string };
  children: (data: L) => ReactNode;
}) {
  if (list.isPending) return <Loading />;
  if (list.isError) return <LoadError error={list.error} retry={() => void list.refetch()} />;
  return (
    <>
      <p className="list-count" aria-live="polite">
        {count(list.data.total)}
      </p>
      {list.data.items.length === 0 ? <p className="empty">{empty}</p> : <div className="table-wrap">{children(list.data)}</div>}
      <Pager {...pager} total={list.data.total} />
    </>
  );
}
