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

export function TotalsPanel({ totals, caption, deductions = [], children, stale }: TotalsPanelProps) {
  const { t, locale } = useI18n();
  const money = (cents: number) => formatEuros(cents, locale);
  const minus = (cents: number) => (cents === 0 ? money(0) : `−${money(cents)}`);
  const statement = totals.depositsGrossCents !== 0 || deductions.length > 0;
  const discountRows = (cells: number) =>
    totals.discountCents > 0 && (
      <>
        <tr>
          <th scope="row">{t('totals.linesNet')}</th>
          <td className="num">{money(totals.linesNetCents)}</td>
          {cells > 1 && <td colSpan={cells - 1} />}
        </tr>
        <tr>
          <th scope="row">{t('totals.discount')}</th>
          <td className="num">{minus(totals.discountCents)}</td>
          {cells > 1 && <td colSpan={cells - 1} />}
        </tr>
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
              <tr>
                <th scope="row">{t('totals.sale')}</th>
                <td className="num">{money(totals.saleNetCents)}</td>
                <td className="num">{money(totals.saleVatCents)}</td>
                <td className="num">{money(totals.saleGrossCents)}</td>
              </tr>
              {deductions.map((d, i) => {
                const net = d.vat.reduce((s, v) => s + v.baseCents, 0);
                const vat = d.vat.reduce((s, v) => s + v.vatCents, 0);
                return (
                  <tr key={d.depositId ?? i}>
                    <th scope="row">{d.number ? t('totals.depositNumbered', { number: d.number }) : t('totals.deposit')}</th>
                    <td className="num">{minus(net)}</td>
                    <td className="num">{minus(vat)}</td>
                    <td className="num">{minus(net + vat)}</td>
                  </tr>
                );
              })}
              <tr className="totals__grand">
                <th scope="row">{t('totals.thisInvoice')}</th>
                <td className="num" data-testid="total-ht">
                  {money(totals.netCents)}
                </td>
                <td className="num" data-testid="total-tva">
                  {money(totals.vatCents)}
                </td>
                <td className="num" data-testid="total-ttc">
                  {money(totals.grossCents)}
                </td>
              </tr>
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
            <tr className="totals__sum">
              <th scope="row">{t('totals.net')}</th>
              <td className="num" data-testid="total-ht">
                {money(totals.netCents)}
              </td>
            </tr>
            <tr className="totals__sum">
              <th scope="row">{t('totals.vat')}</th>
              <td className="num" data-testid="total-tva">
                {money(totals.vatCents)}
              </td>
            </tr>
            <tr className="totals__grand">
              <th scope="row">{t('totals.gross')}</th>
              <td className="num" data-testid="total-ttc">
                {money(totals.grossCents)}
              </td>
            </tr>
            {children}
          </tbody>
        </table>
      )}
    </div>
  );
}
