/** The totals of a document: per VAT rate, discount, deposits deducted, and HT / TVA / TTC. */
import type { ReactNode } from 'react';
import type { Totals } from '../../core/totals';
import { useI18n } from '../i18n';
import { formatEuros, formatRate } from './format';

interface TotalsPanelProps {
  totals: Totals;
  /** Shown instead of the amounts' freshness, e.g. "computed as you type". */
  caption: string;
  /** The deposits deducted, as links (final invoices). */
  deposits?: ReactNode;
  /** More rows after the grand total (paid, balance). */
  children?: ReactNode;
  stale?: boolean;
}

export function TotalsPanel({ totals, caption, deposits, children, stale }: TotalsPanelProps) {
  const { t, locale } = useI18n();
  const money = (cents: number) => formatEuros(cents, locale);
  const hasDeposits = totals.depositsGrossCents !== 0;
  return (
    <div className={stale ? 'totals totals--stale' : 'totals'}>
      {totals.vat.length > 0 && (
        <table className="totals__vat-table">
          <caption>{t('totals.vatSummary')}</caption>
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
                <td className="num">{money(v.saleBaseCents)}</td>
                <td className="num">{money(v.saleVatCents)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <table className="totals__table">
        <caption>{caption}</caption>
        <tbody>
          {totals.discountCents > 0 && (
            <>
              <tr>
                <th scope="row">{t('totals.linesNet')}</th>
                <td className="num">{money(totals.linesNetCents)}</td>
              </tr>
              <tr>
                <th scope="row">{t('totals.discount')}</th>
                <td className="num">−{money(totals.discountCents)}</td>
              </tr>
            </>
          )}
          {hasDeposits && (
            <>
              <tr>
                <th scope="row">{t('totals.saleGross')}</th>
                <td className="num">{money(totals.saleGrossCents)}</td>
              </tr>
              <tr>
                <th scope="row">
                  {t('totals.deposits')}
                  {deposits && <span className="totals__deposits">{deposits}</span>}
                </th>
                <td className="num">−{money(totals.depositsGrossCents)}</td>
              </tr>
            </>
          )}
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
    </div>
  );
}
