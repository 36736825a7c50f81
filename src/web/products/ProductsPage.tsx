/** Catalogue: products and services with search, filters, sort and pages. */
import { Link } from 'react-router';
import { formatRate, formatUnitPrice } from '../documents/format';
import { invoicingKeys } from '../documents/keys';
import { useI18n } from '../i18n';
import { RecordListPage } from '../ui/RecordListPage';
import type { Product } from './types';

export function ProductsPage() {
  const { t, locale } = useI18n();
  return (
    <RecordListPage<Product>
      kind="products"
      writePermission="products.write"
      listKey={invoicingKeys.productList}
      defaultSort="reference"
      filter={{
        param: 'nature',
        label: t('products.nature'),
        options: [
          { value: 'service', label: t('nature.services') },
          { value: 'goods', label: t('nature.goodsPlural') },
        ],
      }}
      columns={(sortable) => (
        <>
          {sortable(t('products.reference'), 'reference')}
          {sortable(t('products.designation'), 'designation')}
          <th scope="col">{t('products.unit')}</th>
          {sortable(t('products.unitPrice'), 'unitPrice', { className: 'num' })}
          <th scope="col" className="num">
            {t('products.vatRate')}
          </th>
          <th scope="col">{t('products.nature')}</th>
        </>
      )}
      row={(p, base) => (
        <>
          <th scope="row" className="nowrap">
            <Link to={`${base}/${p.id}`}>{p.reference}</Link>
            {p.archived && <span className="badge badge--muted">{t('products.archived')}</span>}
          </th>
          <td data-label={t('products.designation')}>{p.designation}</td>
          <td data-label={t('products.unit')}>{p.unit}</td>
          <td className="num nowrap" data-label={t('products.unitPrice')}>
            {formatUnitPrice(p.unitPrice, locale)}
          </td>
          <td className="num nowrap" data-label={t('products.vatRate')}>
            {formatRate(p.vatRate, locale)}
          </td>
          <td data-label={t('products.nature')}>{t(p.nature === 'service' ? 'nature.service' : 'nature.goods')}</td>
        </>
      )}
    />
  );
}
