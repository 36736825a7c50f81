/** Choosing a customer by typing part of its name, SIREN or e-mail (an ARIA 1.2 combobox). */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState, type KeyboardEvent, type ReactNode } from 'react';
import { api, seg } from '../app/api';
import { invoicingKeys } from '../documents/keys';
import { useT } from '../i18n';
import { Field } from '../ui/Field';
import type { Customer, ListAnswer } from './types';

export interface PickedCustomer {
  id: string;
  name: string;
}

interface CustomerPickerProps {
  dossierId: string;
  /** The field path (`customerId`): its DOM id is what error summaries link to. */
  name: string;
  label: string;
  value: PickedCustomer | null;
  onChange: (value: PickedCustomer | null, customer?: Customer) => void;
  error?: string | undefined;
  hint?: ReactNode;
  disabled?: boolean;
  className?: string;
}

export function CustomerPicker({ dossierId, name, label, value, onChange, error, hint, disabled, className }: CustomerPickerProps) {
  const t = useT();
  const listId = useId();
  const [text, setText] = useState(value?.name ?? '');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [query, setQuery] = useState('');

  useEffect(() => setText(value?.name ?? ''), [value?.id, value?.name]);
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), 200);
    return () => clearTimeout(timer);
  }, [text]);

  const params = new URLSearchParams({ q: query, pageSize: '8', sort: 'name' }).toString();
  const results = useQuery({
    queryKey: invoicingKeys.customerList(dossierId, `pick:${params}`),
    queryFn: ({ signal }) => api.get<ListAnswer<Customer>>(`/api/d/${seg(dossierId)}/customers?${params}`, signal),
    enabled: open,
    staleTime: 10_000,
  });
  // Results are shown, and Enter picks among them, only once they answer what is typed now: while
  // the typing settles, the previous search's customers must not be chosen by mistake.
  const current = query === text.trim();
  const items = current ? (results.data?.items ?? []) : [];

  function choose(c: Customer) {
    onChange({ id: c.id, name: c.name }, c);
    setText(c.name);
    setOpen(false);
    setActive(-1);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!open) setOpen(true);
      setActive((i) => Math.min(items.length - 1, i + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.max(0, i - 1));
    } else if (e.key === 'Enter') {
      if (open) {
        e.preventDefault();
        const c = items[active] ?? (items.length === 1 ? items[0] : undefined);
        if (c) choose(c);
      }
    } else if (e.key === 'Escape') {
      if (open) {
        e.preventDefault();
        e.stopPropagation();
        setOpen(false);
        setText(value?.name ?? '');
      }
    }
  }

  const activeId = open && items[active] ? `${listId}-${active}` : undefined;

  return (
    <Field name={name} label={label} error={error} hint={hint} className={['combobox', className ?? ''].join(' ')}>
      {(control) => (
        <div className="combobox__wrap">
          <input
            {...control}
            type="text"
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={open}
            aria-controls={listId}
            aria-activedescendant={activeId}
            autoComplete="off"
            disabled={disabled}
            value={text}
            placeholder={t('picker.customerPlaceholder')}
            onFocus={() => setOpen(true)}
            onClick={() => setOpen(true)}
            onChange={(e) => {
              setText(e.target.value);
              setOpen(true);
              setActive(0);
              if (e.target.value.trim() === '' && value) onChange(null);
            }}
            onKeyDown={onKeyDown}
            onBlur={() => {
              setOpen(false);
              setText(value?.name ?? '');
            }}
          />
          <ul id={listId} role="listbox" aria-label={label} className="combobox__list" hidden={!open}>
            {open && (!current || results.isPending) && <li role="option" aria-disabled="true" aria-selected={false} className="combobox__note">{t('common.loading')}</li>}
            {open && current && !results.isPending && items.length === 0 && <li role="option" aria-disabled="true" aria-selected={false} className="combobox__note">{t('picker.noCustomer')}</li>}
            {items.map((c, i) => (
              <li
                key={c.id}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'combobox__option combobox__option--active' : 'combobox__option'}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => choose(c)}
              >
                <span className="combobox__main">{c.name}</span>
                <span className="combobox__meta">
                  {[c.siren, c.billingAddress ? `${c.billingAddress.postalCode} ${c.billingAddress.city}` : null, c.emails[0]].filter(Boolean).join(' · ')}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Field>
  );
}
