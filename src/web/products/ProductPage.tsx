/** One catalogue item: creation (`/products/new`) or its details, changes, archiving and deletion. */
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
import { ProductForm } from './ProductForm';
import type { Product } from './types';

export const DEFAULT_VAT_RATES = ['20', '10', '5.5', '2.1', '0'];

export function NewProductPage() {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const navigate = useNavigate();
  return (
    <Page title={t('products.newTitle')} context={dossier.legalName} intro={<Link to={`/d/${dossier.id}/products`}>{t('products.backToList')}</Link>}>
      <ProductForm
        dossierId={dossier.id}
        vatRates={dossier.vatRates ?? DEFAULT_VAT_RATES}
        product={null}
        onSaved={(p) => navigate(`/d/${dossier.id}/products/${p.id}`, { replace: true, state: { created: true } })}
        onCancel={() => navigate(`/d/${dossier.id}/products`)}
      />
    </Page>
  );
}

export function ProductPage() {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const { productId = '' } = useParams();
  const product = useQuery({
    queryKey: invoicingKeys.product(dossier.id, productId),
    queryFn: ({ signal }) => api.get<{ product: Product }>(`/api/d/${seg(dossier.id)}/products/${seg(productId)}`, signal),
  });
  const p = product.data?.product;
  return (
    <Page title={p ? `${p.reference} — ${p.designation}` : t('products.title')} context={dossier.legalName} intro={<Link to={`/d/${dossier.id}/products`}>{t('products.backToList')}</Link>}>
      {product.isPending ? (
        <Loading />
      ) : product.isError ? (
        <LoadError error={product.error} retry={() => void product.refetch()} />
      ) : (
        <ProductDetails product={product.data.product} reload={() => void product.refetch()} />
      )}
    </Page>
  );
}

function ProductDetails({ product, reload }: { product: Product; reload: () => void }) {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const canWrite = useCan('products.write');
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const label = `${product.reference} — ${product.designation}`;
  // Just created (NewProductPage): say so, once.
  const [notice, setNotice] = useState<string | null>(() => ((location.state as { created?: boolean } | null)?.created ? t('products.created', { name: label }) : null));
  const [problem, setProblem] = useState<{ message: string; inUse: boolean } | null>(null);
  const [formKey, setFormKey] = useState(0);
  const base = `/api/d/${seg(dossier.id)}/products/${seg(product.id)}`;

  const refresh = async (updated?: Product) => {
    if (updated) queryClient.setQueryData(invoicingKeys.product(dossier.id, product.id), { product: updated });
    await queryClient.invalidateQueries({ queryKey: [...invoicingKeys.products(dossier.id), 'list'] });
  };

  const archive = useMutation({
    mutationFn: (archived: boolean) => api.post<{ product: Product }>(`${base}/${archived ? 'archive' : 'unarchive'}`),
    onSuccess: async ({ product: updated }) => {
      setProblem(null);
      setNotice(t(updated.archived ? 'products.archivedNotice' : 'products.unarchivedNotice', { name: label }));
      await refresh(updated);
    },
    onError: (error) => setProblem({ message: error instanceof ApiError ? error.message : t('error.unexpected'), inUse: false }),
  });

  const remove = useMutation({
    mutationFn: () => api.delete(base),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: invoicingKeys.product(dossier.id, product.id) });
      await refresh();
      navigate(`/d/${dossier.id}/products`, { replace: true });
    },
    onError: (error) => {
      setNotice(null);
      if (error instanceof ApiError && error.code === 'product_in_use') setProblem({ message: t('products.inUse', { name: label }), inUse: true });
      else setProblem({ message: error instanceof ApiError ? error.message : t('error.unexpected'), inUse: false });
    },
  });

  return (
    <>
      {product.archived && (
        <Alert kind="info">
          <p>{t('products.archivedInfo')}</p>
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
          {problem.inUse && !product.archived && (
            <Button small onClick={() => archive.mutate(true)} busy={archive.isPending}>
              {t('products.archive')}
            </Button>
          )}
        </Alert>
      )}
      {canWrite && (
        <div className="toolbar" role="group" aria-label={t('common.actions')}>
          <Button small onClick={() => archive.mutate(!product.archived)} busy={archive.isPending}>
            {product.archived ? t('products.unarchive') : t('products.archive')}
          </Button>
          <ConfirmButton question={t('products.deleteQuestion', { name: label })} confirmLabel={t('products.delete')} busy={remove.isPending} onConfirm={() => remove.mutate()}>
            {t('products.delete')}
          </ConfirmButton>
        </div>
      )}
      <ProductForm
        key={`${product.id}:${product.version}:${formKey}`}
        dossierId={dossier.id}
        vatRates={dossier.vatRates ?? DEFAULT_VAT_RATES}
        product={product}
        readOnly={!canWrite}
        onSaved={(saved) => {
          setProblem(null);
          setNotice(t('products.saved', { name: `${saved.reference} — ${saved.designation}` }));
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
