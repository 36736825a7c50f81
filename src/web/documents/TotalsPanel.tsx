/**
 * The totals of a document: per VAT rate, discount, and HT / TVA / TTC. A final invoice after
 * deposits reads as a statement, as on its PDF: the sale, each deposit invoice deducted (HT, TVA,
 * TTC), this invoice's own HT, TVA and TTC, then what was paid and what is left to pay.
 */
import type { ReactNode } from 'react';
import type { DepositDeduction, Totals } from '../../core/totals';
import { useI18n } from '../i18n';
import { formatEuros, formatRate } from './format';

interface TotalsPanelProps {
  totals: Totals;
  /** Shown instead of the amounts' freshness, e.g. "computed as you type". */
  caption: string;
  /** The deposit invoices deducted (final invoices). */
  deductions?: DepositDeduction[];
  /** More rows after the grand total (paid, balance). */
  children?: ReactNode;
  stale?: boolean;
}

interface SumRowProps {
  label: ReactNode;
  /** The row's amounts as shown: one, or HT, TVA and TTC in a statement. */
  amounts: string[];
  /** The `data-testid` of each amount's cell, in the same order. */
  testIds?: (string | undefined)[];
  className?: string;
  /** Empty cells after the amounts, so that the row spans a wider table. */
  blankCells?: number;
}

/** One row of a totals table: its label, then its amounts. */
export function SumRow({ label, amounts, testIds = [], className, blankCells = 0 }: SumRowProps) {
  return (
    <tr className={className}>
      <th scope="row">{label}</th>
      {amounts.map((amount, i) => (
        <td key={i} className="num" data-testid={testIds[i]}>
          {amount}
        </td>
      ))}
      {blankCells > 0 && <td colSpan={blankCells} />}
    </tr>
  );
}

export function TotalsPanel({ totals, caption, deductions = [], children, stale }: TotalsPanelProps) {
  const { t, locale } = useI18n();
  const money = (cents: number) => formatEuros(cents, locale);
  const minus = (cents: number) => (cents === 0 ? money(0) : `−${money(cents)}`);
  const statement = totals.depositsGrossCents !== 0 || deductions.length > 0;
  const discountRows = (cells: number) =>
    totals.discountCents > 0 && (
      <>
        <SumRow label={t('totals.linesNet')} amounts={[money(totals.linesNetCents)]} blankCells={cells - 1} />
        <SumRow label={t('totals.discount')} amounts={[minus(totals.discountCents)]} blankCells={cells - 1} />
      </>
    );
  return (
    <div className={stale ? 'totals totals--stale' : 'totals'}>
      {totals.vat.length > 0 && (
        <table className="totals__vat-table">
          <caption>{statement ? t('totals.vatSummaryInvoice') : t('totals.vatSummary')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('totals.rate')}</th>
              <th scope="col" className="num">
                {t('totals.base')}
              </th>
              <th scope="col" className="num">
                {t('totals.vatAmount')}
              </th>
            </tr>
          </thead>
          <tbody>
            {totals.vat.map((v) => (
              <tr key={v.rate}>
                <th scope="row">{formatRate(v.rate, locale)}</th>
                <td className="num">{money(v.baseCents)}</td>
                <td className="num">{money(v.vatCents)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {statement ? (
        <>
          <table className="totals__table totals__statement" data-testid="totals-statement">
            <caption>{caption}</caption>
            <thead>
              <tr>
                <td />
                <th scope="col" className="num">
                  {t('totals.ht')}
                </th>
                <th scope="col" className="num">
                  {t('totals.vatAmount')}
                </th>
                <th scope="col" className="num">
                  {t('totals.ttc')}
                </th>
              </tr>
            </thead>
            <tbody>
              {discountRows(3)}
              <SumRow label={t('totals.sale')} amounts={[money(totals.saleNetCents), money(totals.saleVatCents), money(totals.saleGrossCents)]} />
              {deductions.map((d, i) => {
                const net = d.vat.reduce((s, v) => s + v.baseCents, 0);
                const vat = d.vat.reduce((s, v) => s + v.vatCents, 0);
                return (
                  <SumRow
                    key={d.depositId ?? i}
                    label={d.number ? t('totals.depositNumbered', { number: d.number }) : t('totals.deposit')}
                    amounts={[minus(net), minus(vat), minus(net + vat)]}
                  />
                );
              })}
              <SumRow
                className="totals__grand"
                label={t('totals.thisInvoice')}
                amounts={[money(totals.netCents), money(totals.vatCents), money(totals.grossCents)]}
                testIds={['total-ht', 'total-tva', 'total-ttc']}
              />
            </tbody>
          </table>
          {children && (
            <table className="totals__table">
              <tbody>{children}</tbody>
            </table>
          )}
        </>
      ) : (
        <table className="totals__table">
          <caption>{caption}</caption>
          <tbody>
            {discountRows(1)}
            <SumRow className="totals__sum" label={t('totals.net')} amounts={[money(totals.netCents)]} testIds={['total-ht']} />
            <SumRow className="totals__sum" label={t('totals.vat')} amounts={[money(totals.vatCents)]} testIds={['total-tva']} />
            <SumRow className="totals__grand" label={t('totals.gross')} amounts={[money(totals.grossCents)]} testIds={['total-ttc']} />
            {children}
          </tbody>
        </table>
      )}
    </div>
  );
}
