/**
 * The lines of a draft, for fast keyboard entry: Tab moves across cells, Enter moves to the next
 * cell and, in the last one (TVA), adds a line and puts the cursor in its designation. Typing a
 * designation or a reference proposes the catalogue's items (an ARIA 1.2 combobox per cell).
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState, type KeyboardEvent, type ReactNode, type TextareaHTMLAttributes } from 'react';
import { UNITS } from '../../core/documents';
import { rateKey } from '../../core/totals';
import { api, seg } from '../app/api';
import type { ListAnswer } from '../customers/types';
import { useI18n } from '../i18n';
import type { Product } from '../products/types';
import { Button } from '../ui/Button';
import { fieldId } from '../ui/Field';
import { blankLine, type EditorLine, type LineKind, type LiveTotals } from './editorModel';
import { decimalForInput, formatEuros, formatRate, formatUnitPrice } from './format';
import { invoicingKeys } from './keys';

/** The cells Enter walks through. The line discount, seldom used, is reached with Tab; Enter there goes on to TVA. */
const ITEM_FIELDS = ['reference', 'designation', 'quantity', 'unit', 'unitPrice', 'vatRate'] as const;
type ItemField = (typeof ITEM_FIELDS)[number] | 'discount';

interface LinesEditorProps {
  dossierId: string;
  lines: EditorLine[];
  onChange: (lines: EditorLine[]) => void;
  /** Errors by the editor's field path (`lines.3.quantity`). */
  errors: Record<string, string>;
  totals: LiveTotals;
  vatRates: string[];
  /** Franchise en base, reverse charge or export: every line is at 0 %. */
  zeroOnly: boolean;
  canSearchProducts: boolean;
}

interface Suggest {
  key: string;
  field: 'reference' | 'designation';
  text: string;
  active: number;
}

export function LinesEditor({ dossierId, lines, onChange, errors, totals, vatRates, zeroOnly, canSearchProducts }: LinesEditorProps) {
  const { t, locale } = useI18n();
  const unitsId = useId();
  const [focusReq, setFocusReq] = useState<{ key: string; target: string } | null>(null);
  const [suggest, setSuggest] = useState<Suggest | null>(null);
  const [query, setQuery] = useState('');

  const defaultRate = zeroOnly ? '0' : rateKey(vatRates[0] ?? '20');

  useEffect(() => {
    if (!focusReq) return;
    const index = lines.findIndex((l) => l.key === focusReq.key);
    const id = focusReq.target.startsWith('#') ? focusReq.target.slice(1) : fieldId(`lines.${index}.${focusReq.target}`);
    const el = index >= 0 || focusReq.target.startsWith('#') ? document.getElementById(id) : null;
    if (el) {
      el.focus();
      if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) el.select();
    }
    setFocusReq(null);
  }, [focusReq, lines]);

  useEffect(() => {
    const text = suggest?.text.trim() ?? '';
    const timer = setTimeout(() => setQuery(text), 200);
    return () => clearTimeout(timer);
  }, [suggest?.text]);

  const minLength = suggest?.field === 'reference' ? 1 : 2;
  const params = new URLSearchParams({ q: query, pageSize: '8', sort: suggest?.field === 'reference' ? 'reference' : 'designation' }).toString();
  const products = useQuery({
    queryKey: invoicingKeys.productList(dossierId, `suggest:${params}`),
    queryFn: ({ signal }) => api.get<ListAnswer<Product>>(`/api/d/${seg(dossierId)}/products?${params}`, signal),
    enabled: canSearchProducts && suggest !== null && query.length >= minLength && query === suggest.text.trim(),
    staleTime: 10_000,
  });
  // Only proposals for what is typed now: during the debounce, the last results are for other text
  // (or another line), and Enter must not replace what was just typed with one of them.
  const current = suggest !== null && query === suggest.text.trim();
  const items = current && query.length >= minLength && products.data ? products.data.items : [];
  const open = suggest !== null && items.length > 0;

  const update = (index: number, patch: Partial<EditorLine>) => onChange(lines.map((l, i) => (i === index ? { ...l, ...patch } : l)));

  function insertAfter(index: number, kind: LineKind) {
    const line = blankLine(kind, defaultRate);
    const next = [...lines];
    next.splice(index + 1, 0, line);
    onChange(next);
    setSuggest(null);
    setFocusReq({ key: line.key, target: 'designation' });
  }

  function move(index: number, delta: -1 | 1) {
    const target = index + delta;
    if (target < 0 || target >= lines.length) return;
    const next = [...lines];
    const [line] = next.splice(index, 1);
    if (!line) return;
    next.splice(target, 0, line);
    onChange(next);
    // Keep the focus on the same button of the moved line (or the other one at the ends).
    const edge = (delta === -1 && target === 0) || (delta === 1 && target === lines.length - 1);
    const button = edge ? (delta === -1 ? 'down' : 'up') : delta === -1 ? 'up' : 'down';
    setFocusReq({ key: line.key, target: `#line-${line.key}-${button}` });
  }

  function remove(index: number) {
    const next = lines.filter((_, i) => i !== index);
    onChange(next);
    setSuggest(null);
    const neighbour = next[index] ?? next[index - 1];
    if (neighbour) setFocusReq({ key: neighbour.key, target: 'designation' });
    else setFocusReq({ key: '', target: '#add-item-line' });
  }

  function choose(index: number, p: Product) {
    const line = lines[index];
    if (!line) return;
    update(index, {
      productId: p.id,
      reference: p.reference,
      designation: p.designation,
      description: p.description ?? '',
      unit: p.unit,
      unitPrice: decimalForInput(p.unitPrice, locale),
      vatRate: zeroOnly ? '0' : p.vatRate,
      nature: p.nature,
    });
    setSuggest(null);
    setFocusReq({ key: line.key, target: 'quantity' });
  }

  function onCellKey(e: KeyboardEvent<HTMLElement>, index: number, field: ItemField | 'text') {
    const line = lines[index];
    if (!line) return;
    const mine = suggest && suggest.key === line.key && (field === 'reference' || field === 'designation');
    if (mine && open) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setSuggest({ ...suggest, active: Math.min(items.length - 1, suggest.active + 1) });
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setSuggest({ ...suggest, active: Math.max(0, suggest.active - 1) });
        return;
      }
      if (e.key === 'Enter' && suggest.active >= 0) {
        e.preventDefault();
        const p = items[suggest.active];
        if (p) choose(index, p);
        return;
      }
    }
    if (e.key === 'Escape' && suggest) {
      e.preventDefault();
      setSuggest(null);
      return;
    }
    if (e.key !== 'Enter' || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    setSuggest(null);
    if (field === 'text' || field === 'vatRate') return insertAfter(index, 'item');
    const next = field === 'discount' ? 'vatRate' : ITEM_FIELDS[ITEM_FIELDS.indexOf(field) + 1];
    if (next) setFocusReq({ key: line.key, target: next });
  }

  const rates = (current: string) => {
    const list = zeroOnly ? ['0'] : vatRates.map(rateKey);
    const key = (() => {
      try {
        return rateKey(current || '0');
      } catch {
        return current;
      }
    })();
    return list.includes(key) ? list : [key, ...list];
  };

  const lineError = (index: number, field: string) => {
    const path = `lines.${index}.${field}`;
    return errors[path] ?? (!totals.ok && totals.field === path ? totals.message : undefined);
  };

  return (
    <div className="lines">
      <div className="table-wrap lines__wrap">
        <table className="lines-table">
          <caption className="visually-hidden">{t('lines.caption')}</caption>
          <thead>
            <tr>
              <th scope="col" className="lines__ref">
                {t('lines.reference')}
              </th>
              <th scope="col" className="lines__designation">
                {t('lines.designation')}
              </th>
              <th scope="col" className="num lines__qty">
                <abbr title={t('lines.quantity')}>{t('lines.quantityShort')}</abbr>
              </th>
              <th scope="col" className="lines__unit">
                {t('lines.unit')}
              </th>
              <th scope="col" className="num lines__price">
                {t('lines.unitPrice')}
                <span className="lines__subhead">{t('lines.discountShort')}</span>
              </th>
              <th scope="col" className="lines__vat">
                {t('lines.vatRate')}
              </th>
              <th scope="col" className="num lines__net">
                {t('lines.net')}
              </th>
              <th scope="col" className="lines__actions">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  {t('lines.empty')}
                </td>
              </tr>
            )}
            {lines.map((line, index) => {
              const n = index + 1;
              const actions = (
                <td className="actions lines__actions">
                  <div className="lines__buttons">
                    <button type="button" id={`line-${line.key}-up`} className="icon-button" aria-label={t('lines.moveUp', { n })} disabled={index === 0} onClick={() => move(index, -1)}>
                      <span aria-hidden="true">↑</span>
                    </button>
                    <button
                      type="button"
                      id={`line-${line.key}-down`}
                      className="icon-button"
                      aria-label={t('lines.moveDown', { n })}
                      disabled={index === lines.length - 1}
                      onClick={() => move(index, 1)}
                    >
                      <span aria-hidden="true">↓</span>
                    </button>
                    <button type="button" className="icon-button icon-button--danger" aria-label={t('lines.remove', { n })} onClick={() => remove(index)}>
                      <span aria-hidden="true">×</span>
                    </button>
                  </div>
                </td>
              );

              if (line.kind !== 'item') {
                const path = `lines.${index}.designation`;
                const error = lineError(index, 'designation');
                const label = t(line.kind === 'section' ? 'lines.sectionLabel' : 'lines.commentLabel', { n });
                return (
                  <tr key={line.key} className={`lines__row lines__row--${line.kind}`}>
                    <td colSpan={7}>
                      <GrowingText
                        id={fieldId(path)}
                        className={line.kind === 'section' ? 'lines__section-input' : 'lines__comment-input'}
                        aria-label={label}
                        placeholder={t(line.kind === 'section' ? 'lines.sectionPlaceholder' : 'lines.commentPlaceholder')}
                        value={line.designation}
                        aria-invalid={error ? true : undefined}
                        aria-describedby={error ? `${fieldId(path)}-error` : undefined}
                        onValue={(designation) => update(index, { designation })}
                        onKeyDown={(e) => onCellKey(e, index, 'text')}
                      />
                      {error && (
                        <p className="field__error" id={`${fieldId(path)}-error`}>
                          {error}
                        </p>
                      )}
                    </td>
                    {actions}
                  </tr>
                );
              }

              const lineTotals = totals.ok ? totals.totals.lines[index] : undefined;
              const net = lineTotals?.netCents;
              const listId = `suggest-${line.key}`;
              const suggesting = open && suggest?.key === line.key;
              // Errors of the line are listed under it, across the row (a narrow cell cannot hold a sentence).
              const rowErrors = [...ITEM_FIELDS, 'discount', 'productId']
                .map((field) => ({ field, id: `${fieldId(`lines.${index}.${field}`)}-error`, message: lineError(index, field) }))
                .filter((e): e is { field: string; id: string; message: string } => Boolean(e.message));
              const cell = (field: ItemField, input: (props: CellProps) => ReactNode, className?: string) => {
                const path = `lines.${index}.${field}`;
                const error = lineError(index, field);
                const id = fieldId(path);
                return (
                  <td className={className} data-label={t(`lines.${field}`)}>
                    {input({
                      id,
                      'aria-label': `${t(`lines.${field}`)} — ${t('lines.lineN', { n })}`,
                      'aria-invalid': error ? true : undefined,
                      'aria-describedby': error ? `${id}-error` : undefined,
                    })}
                  </td>
                );
              };
              const combo = (field: 'reference' | 'designation') => ({
                role: 'combobox' as const,
                'aria-autocomplete': 'list' as const,
                'aria-expanded': suggesting && suggest?.field === field,
                'aria-controls': listId,
                'aria-activedescendant': suggesting && suggest?.field === field && suggest.active >= 0 ? `${listId}-${suggest.active}` : undefined,
                onBlur: () => setSuggest((s) => (s && s.key === line.key && s.field === field ? null : s)),
              });

              return [
                <tr key={line.key} className="lines__row">
                  {cell('reference', (p) => (
                    <GrowingText
                      {...p}
                      {...combo('reference')}
                      value={line.reference}
                      onValue={(reference) => {
                        update(index, { reference });
                        if (canSearchProducts) setSuggest({ key: line.key, field: 'reference', text: reference, active: 0 });
                      }}
                      onKeyDown={(e) => onCellKey(e, index, 'reference')}
                    />
                  ), 'lines__ref')}
                  {cell('designation', (p) => (
                    <>
                      <GrowingText
                        {...p}
                        {...combo('designation')}
                        value={line.designation}
                        placeholder={canSearchProducts ? t('lines.designationPlaceholder') : undefined}
                        onValue={(designation) => {
                          update(index, { designation });
                          if (canSearchProducts) setSuggest({ key: line.key, field: 'designation', text: designation, active: 0 });
                        }}
                        onKeyDown={(e) => onCellKey(e, index, 'designation')}
                      />
                      {line.description && <span className="lines__description">{line.description}</span>}
                    </>
                  ), 'lines__designation')}
                  {cell('quantity', (p) => (
                    <input {...p} type="text" inputMode="decimal" autoComplete="off" className="num" value={line.quantity} onChange={(e) => update(index, { quantity: e.target.value })} onKeyDown={(e) => onCellKey(e, index, 'quantity')} />
                  ), 'lines__qty')}
                  {cell('unit', (p) => (
                    <input {...p} type="text" list={unitsId} autoComplete="off" value={line.unit} onChange={(e) => update(index, { unit: e.target.value })} onKeyDown={(e) => onCellKey(e, index, 'unit')} />
                  ), 'lines__unit')}
                  {cell('unitPrice', (p) => (
                    <>
                      <input {...p} type="text" inputMode="decimal" autoComplete="off" className="num" value={line.unitPrice} onChange={(e) => update(index, { unitPrice: e.target.value })} onKeyDown={(e) => onCellKey(e, index, 'unitPrice')} />
                      {/* The line discount sits under the price it reduces: no column of its own for a field seldom used. */}
                      <div className="lines__discount-input">
                        <input
                          id={fieldId(`lines.${index}.discount`)}
                          aria-label={`${t('lines.discount')} — ${t('lines.lineN', { n })}`}
                          aria-invalid={lineError(index, 'discount') ? true : undefined}
                          aria-describedby={lineError(index, 'discount') ? `${fieldId(`lines.${index}.discount`)}-error` : undefined}
                          placeholder={t('lines.discount')}
                          type="text"
                          inputMode="decimal"
                          autoComplete="off"
                          className="num"
                          value={line.discountValue}
                          onChange={(e) => update(index, { discountValue: e.target.value })}
                          onKeyDown={(e) => onCellKey(e, index, 'discount')}
                        />
                        <select
                          aria-label={`${t('lines.discountType')} — ${t('lines.lineN', { n })}`}
                          value={line.discountType}
                          onChange={(e) => update(index, { discountType: e.target.value === 'amount' ? 'amount' : 'percent' })}
                        >
                          <option value="percent">%</option>
                          <option value="amount">€</option>
                        </select>
                      </div>
                    </>
                  ), 'lines__price')}
                  {cell('vatRate', (p) => (
                    <select {...p} value={line.vatRate} onChange={(e) => update(index, { vatRate: e.target.value })} onKeyDown={(e) => onCellKey(e, index, 'vatRate')}>
                      {rates(line.vatRate).map((r) => (
                        <option key={r} value={r}>
                          {formatRate(r, locale)}
                        </option>
                      ))}
                    </select>
                  ), 'lines__vat')}
                  <td className="num nowrap lines__net" data-label={t('lines.net')} data-testid={`line-net-${index}`}>
                    {net === undefined ? '—' : formatEuros(net, locale)}
                    {lineTotals && lineTotals.discountCents > 0 && (
                      <span className="lines__description">{t('lines.discountOff', { amount: formatEuros(lineTotals.discountCents, locale) })}</span>
                    )}
                  </td>
                  {actions}
                </tr>,
                rowErrors.length > 0 && (
                  <tr key={`${line.key}-errors`} className="lines__errors-row">
                    <td colSpan={8}>
                      {rowErrors.map((e) => (
                        <p key={e.field} className="field__error" id={e.id}>
                          {lineFieldName(e.field, t)} : {e.message}
                        </p>
                      ))}
                    </td>
                  </tr>
                ),
                suggest?.key === line.key && (
                  <tr key={`${line.key}-suggest`} className="lines__suggest-row">
                    <td colSpan={8}>
                      <ul id={listId} role="listbox" aria-label={t('lines.catalogue')} className="suggestions" hidden={!suggesting}>
                        {items.map((p, i) => (
                          <li
                            key={p.id}
                            id={`${listId}-${i}`}
                            role="option"
                            aria-selected={i === suggest.active}
                            className={i === suggest.active ? 'suggestions__option suggestions__option--active' : 'suggestions__option'}
                            onMouseDown={(e) => e.preventDefault()}
                            onClick={() => choose(index, p)}
                          >
                            <span className="suggestions__ref">{p.reference}</span>
                            <span className="suggestions__main">{p.designation}</span>
                            <span className="suggestions__meta">
                              {formatUnitPrice(p.unitPrice, locale)} / {p.unit} · {t('lines.vatShort')} {formatRate(p.vatRate, locale)}
                            </span>
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      </div>
      <datalist id={unitsId}>
        {UNITS.map((u) => (
          <option key={u} value={u} />
        ))}
      </datalist>
      <div className="lines__add" role="group" aria-label={t('lines.addGroup')}>
        <Button small id="add-item-line" onClick={() => insertAfter(lines.length - 1, 'item')}>
          {t('lines.addItem')}
        </Button>
        <Button small variant="ghost" onClick={() => insertAfter(lines.length - 1, 'section')}>
          {t('lines.addSection')}
        </Button>
        <Button small variant="ghost" onClick={() => insertAfter(lines.length - 1, 'comment')}>
          {t('lines.addComment')}
        </Button>
      </div>
      <p className="field__hint">{t('lines.keyboardHint')}</p>
    </div>
  );
}

/**
 * A one-line text field that wraps and grows instead of hiding what does not fit (a long
 * designation or reference stays readable in a narrow column). The text stays one line: Enter is
 * the editor's key, and a pasted line break becomes a space.
 */
function GrowingText({
  value,
  placeholder,
  className,
  onValue,
  ...props
}: Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'value' | 'onChange'> & { value: string; onValue: (value: string) => void }) {
  // The class goes on the wrapper, whose font the field and its hidden copy both inherit.
  return (
    <span className={className ? `growing-text ${className}` : 'growing-text'} data-text={`${value || placeholder || ''} `}>
      <textarea {...props} rows={1} autoComplete="off" spellCheck={false} value={value} placeholder={placeholder} onChange={(e) => onValue(e.target.value.replace(/[\r\n]+/g, ' '))} />
    </span>
  );
}

interface CellProps {
  id: string;
  'aria-label': string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

function lineFieldName(field: string, t: ReturnType<typeof useI18n>['t']): string {
  switch (field) {
    case 'reference':
      return t('lines.reference');
    case 'designation':
      return t('lines.designation');
    case 'quantity':
      return t('lines.quantity');
    case 'unit':
      return t('lines.unit');
    case 'unitPrice':
      return t('lines.unitPrice');
    case 'vatRate':
      return t('lines.vatRate');
    case 'discount':
      return t('lines.discount');
    default:
      return t('lines.catalogueItem');
  }
}
