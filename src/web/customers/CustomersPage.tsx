/** Clients: the dossier's customers with search, filters, sort and pages. */
import { Link } from 'react-router';
import { invoicingKeys } from '../documents/keys';
import { useI18n } from '../i18n';
import { RecordListPage } from '../ui/RecordListPage';
import type { Customer } from './types';

export function CustomersPage() {
  const { t, format } = useI18n();
  return (
    <RecordListPage<Customer>
      kind="customers"
      writePermission="customers.write"
      listKey={invoicingKeys.customerList}
      defaultSort="name"
      filter={{
        param: 'kind',
        label: t('customers.kind'),
        options: [
          { value: 'company', label: t('customers.kindCompanies') },
          { value: 'individual', label: t('customers.kindIndividuals') },
        ],
      }}
      columns={(sortable) => (
        <>
          {sortable(t('customers.name'), 'name')}
          <th scope="col">{t('customers.kind')}</th>
          <th scope="col">{t('customers.siren')}</th>
          <th scope="col">{t('customers.email')}</th>
          <th scope="col">{t('customers.city')}</th>
          {sortable(t('customers.createdAt'), 'createdAt', { defaultOrder: 'desc' })}
        </>
      )}
      row={(c, base) => (
        <>
          <th scope="row">
            <Link to={`${base}/${c.id}`}>{c.name}</Link>
            {c.archived && <span className="badge badge--muted">{t('customers.archived')}</span>}
          </th>
          <td data-label={t('customers.kind')}>{t(c.kind === 'company' ? 'customers.kindCompany' : 'customers.kindIndividual')}</td>
          <td className="nowrap" data-label={t('customers.siren')}>
            {c.siren ?? ''}
          </td>
          <td data-label={t('customers.email')}>{c.emails[0] ?? ''}</td>
          <td data-label={t('customers.city')}>{c.billingAddress ? `${c.billingAddress.postalCode} ${c.billingAddress.city}` : ''}</td>
          <td className="nowrap" data-label={t('customers.createdAt')}>
            {format.date(c.createdAt)}
          </td>
        </>
      )}
    />
  );
}
