/** Routes of the invoicing screens under `/d/:dossierId`, each behind the permission that reads it. */
import { lazy, Suspense, type ReactNode } from 'react';
import { Route } from 'react-router';
import type { Permission } from '../../core/permissions';
import { RequirePermission } from '../dossiers/context';
import type { Translate } from '../i18n';
import { Loading } from '../ui/QueryState';

const load = () => import('./pages');
const CustomersPage = lazy(() => load().then((m) => ({ default: m.CustomersPage })));
const CustomerPage = lazy(() => load().then((m) => ({ default: m.CustomerPage })));
const NewCustomerPage = lazy(() => load().then((m) => ({ default: m.NewCustomerPage })));
const ProductsPage = lazy(() => load().then((m) => ({ default: m.ProductsPage })));
const ProductPage = lazy(() => load().then((m) => ({ default: m.ProductPage })));
const NewProductPage = lazy(() => load().then((m) => ({ default: m.NewProductPage })));
const NumberingPage = lazy(() => load().then((m) => ({ default: m.NumberingPage })));
const DocumentsPage = lazy(() => load().then((m) => ({ default: m.DocumentsPage })));
const DocumentPage = lazy(() => load().then((m) => ({ default: m.DocumentPage })));
const NewDocumentPage = lazy(() => load().then((m) => ({ default: m.NewDocumentPage })));

function guard(permission: Permission, title: string, element: ReactNode) {
  return (
    <RequirePermission permission={permission} title={title}>
      <Suspense fallback={<Loading />}>{element}</Suspense>
    </RequirePermission>
  );
}

export function invoicingRoutes(t: Translate) {
  return (
    <>
      <Route path="customers" element={guard('customers.read', t('customers.title'), <CustomersPage />)} />
      <Route path="customers/new" element={guard('customers.write', t('customers.newTitle'), <NewCustomerPage />)} />
      <Route path="customers/:customerId" element={guard('customers.read', t('customers.title'), <CustomerPage />)} />
      <Route path="products" element={guard('products.read', t('products.title'), <ProductsPage />)} />
      <Route path="products/new" element={guard('products.write', t('products.newTitle'), <NewProductPage />)} />
      <Route path="products/:productId" element={guard('products.read', t('products.title'), <ProductPage />)} />
      <Route path="quotes" element={guard('quotes.read', t('documents.quotesTitle'), <DocumentsPage family="quotes" />)} />
      <Route path="quotes/new" element={guard('quotes.write', t('documents.newQuoteTitle'), <NewDocumentPage family="quotes" />)} />
      <Route path="quotes/:docId" element={guard('quotes.read', t('documents.quotesTitle'), <DocumentPage family="quotes" />)} />
      <Route path="invoices" element={guard('invoices.read', t('documents.invoicesTitle'), <DocumentsPage family="invoices" />)} />
      <Route path="invoices/new" element={guard('invoices.write', t('documents.newInvoiceTitle'), <NewDocumentPage family="invoices" />)} />
      <Route path="invoices/:docId" element={guard('invoices.read', t('documents.invoicesTitle'), <DocumentPage family="invoices" />)} />
      <Route path="numbering" element={guard('settings.manage', t('numbering.title'), <NumberingPage />)} />
    </>
  );
}
