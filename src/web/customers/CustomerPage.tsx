/** One customer: creation (`/customers/new`) or its details, changes, archiving and deletion. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ApiError, api, seg } from '../app/api';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { invoicingKeys } from '../documents/keys';
import { useI18n } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { ConfirmButton } from '../ui/ConfirmButton';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';
import { CustomerForm } from './CustomerForm';
import type { Customer } from './types';

export function NewCustomerPage() {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const navigate = useNavigate();
  return (
    <Page title={t('customers.newTitle')} context={dossier.legalName} intro={<Link to={`/d/${dossier.id}/customers`}>{t('customers.backToList')}</Link>}>
      <CustomerForm
        dossierId={dossier.id}
        customer={null}
        onSaved={(c) => navigate(`/d/${dossier.id}/customers/${c.id}`, { replace: true, state: { created: true } })}
        onCancel={() => navigate(`/d/${dossier.id}/customers`)}
      />
    </Page>
  );
}

export function CustomerPage() {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const { customerId = '' } = useParams();
  const customer = useQuery({
    queryKey: invoicingKeys.customer(dossier.id, customerId),
    queryFn: ({ signal }) => api.get<{ customer: Customer }>(`/api/d/${seg(dossier.id)}/customers/${seg(customerId)}`, signal),
  });
  const title = customer.data?.customer.name ?? t('customers.title');
  return (
    <Page title={title} context={dossier.legalName} intro={<Link to={`/d/${dossier.id}/customers`}>{t('customers.backToList')}</Link>}>
      {customer.isPending ? (
        <Loading />
      ) : customer.isError ? (
        <LoadError error={customer.error} retry={() => void customer.refetch()} />
      ) : (
        <CustomerDetails customer={customer.data.customer} reload={() => void customer.refetch()} />
      )}
    </Page>
  );
}

function CustomerDetails({ customer, reload }: { customer: Customer; reload: () => void }) {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const canWrite = useCan('customers.write');
  const canQuotes = useCan('quotes.write');
  const canInvoices = useCan('invoices.write');
  const canReadQuotes = useCan('quotes.read');
  const canReadInvoices = useCan('invoices.read');
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  // Just created (NewCustomerPage): say so, once.
  const [notice, setNotice] = useState<string | null>(() => ((location.state as { created?: boolean } | null)?.created ? t('customers.created', { name: customer.name }) : null));
  const [problem, setProblem] = useState<{ message: string; inUse: boolean } | null>(null);
  const [formKey, setFormKey] = useState(0);
  const base = `/api/d/${seg(dossier.id)}/customers/${seg(customer.id)}`;

  const refresh = async (updated?: Customer) => {
    if (updated) queryClient.setQueryData(invoicingKeys.customer(dossier.id, customer.id), { customer: updated });
    await queryClient.invalidateQueries({ queryKey: [...invoicingKeys.customers(dossier.id), 'list'] });
  };

  const archive = useMutation({
    mutationFn: (archived: boolean) => api.post<{ customer: Customer }>(`${base}/${archived ? 'archive' : 'unarchive'}`),
    onSuccess: async ({ customer: updated }) => {
      setProblem(null);
      setNotice(t(updated.archived ? 'customers.archivedNotice' : 'customers.unarchivedNotice', { name: updated.name }));
      setFormKey((k) => k + 1);
      await refresh(updated);
    },
    onError: (error) => setProblem({ message: error instanceof ApiError ? error.message : t('error.unexpected'), inUse: false }),
  });

  const remove = useMutation({
    mutationFn: () => api.delete(base),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: invoicingKeys.customer(dossier.id, customer.id) });
      await refresh();
      navigate(`/d/${dossier.id}/customers`, { replace: true });
    },
    onError: (error) => {
      setNotice(null);
      if (error instanceof ApiError && error.code === 'customer_in_use') setProblem({ message: t('customers.inUse', { name: customer.name }), inUse: true });
      else setProblem({ message: error instanceof ApiError ? error.message : t('error.unexpected'), inUse: false });
    },
  });

  const enc = encodeURIComponent(customer.id);
  return (
    <>
      {customer.archived && (
        <Alert kind="info">
          <p>{t('customers.archivedInfo')}</p>
        </Alert>
      )}
      {notice && (
        <Alert kind="success">
          <p>{notice}</p>
        </Alert>
      )}
      {problem && (
        <Alert kind="error">
          <p>{problem.message}</p>
          {problem.inUse && !customer.archived && (
            <Button small onClick={() => archive.mutate(true)} busy={archive.isPending}>
              {t('customers.archive')}
            </Button>
          )}
        </Alert>
      )}

      <div className="toolbar" role="group" aria-label={t('common.actions')}>
        {canReadQuotes && <Link to={`/d/${dossier.id}/quotes?customerId=${enc}`}>{t('customers.seeQuotes')}</Link>}
        {canReadInvoices && <Link to={`/d/${dossier.id}/invoices?customerId=${enc}`}>{t('customers.seeInvoices')}</Link>}
        {canQuotes && !customer.archived && (
          <Link className="btn btn--small" to={`/d/${dossier.id}/quotes/new?customerId=${enc}`}>
            {t('customers.newQuote')}
          </Link>
        )}
        {canInvoices && !customer.archived && (
          <Link className="btn btn--small" to={`/d/${dossier.id}/invoices/new?customerId=${enc}`}>
            {t('customers.newInvoice')}
          </Link>
        )}
        {canWrite && (
          <>
            <Button small onClick={() => archive.mutate(!customer.archived)} busy={archive.isPending}>
              {customer.archived ? t('customers.unarchive') : t('customers.archive')}
            </Button>
            <ConfirmButton question={t('customers.deleteQuestion', { name: customer.name })} confirmLabel={t('customers.delete')} busy={remove.isPending} onConfirm={() => remove.mutate()}>
              {t('customers.delete')}
            </ConfirmButton>
          </>
        )}
      </div>

      <CustomerForm
        key={`${customer.id}:${customer.version}:${formKey}`}
        dossierId={dossier.id}
        customer={customer}
        readOnly={!canWrite}
        onSaved={(saved) => {
          setProblem(null);
          setNotice(t('customers.saved', { name: saved.name }));
          setFormKey((k) => k + 1);
        }}
        onReload={() => {
          setNotice(null);
          reload();
          setFormKey((k) => k + 1);
        }}
      />
    </>
  );
}
