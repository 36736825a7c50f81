/** React Query keys of the invoicing screens. Everything of a dossier sits under ['dossier', id]. */
import type { DocumentFamily } from '../../core/documents';

export const invoicingKeys = {
  customers: (dossierId: string) => ['dossier', dossierId, 'customers'] as const,
  customerList: (dossierId: string, params: string) => ['dossier', dossierId, 'customers', 'list', params] as const,
  customer: (dossierId: string, id: string) => ['dossier', dossierId, 'customers', 'one', id] as const,
  products: (dossierId: string) => ['dossier', dossierId, 'products'] as const,
  productList: (dossierId: string, params: string) => ['dossier', dossierId, 'products', 'list', params] as const,
  product: (dossierId: string, id: string) => ['dossier', dossierId, 'products', 'one', id] as const,
  family: (dossierId: string, family: DocumentFamily) => ['dossier', dossierId, family] as const,
  documentList: (dossierId: string, family: DocumentFamily, params: string) => ['dossier', dossierId, family, 'list', params] as const,
  /** The document and everything hanging from it (payments, history): invalidated together. */
  document: (dossierId: string, family: DocumentFamily, id: string) => ['dossier', dossierId, family, 'doc', id] as const,
  payments: (dossierId: string, id: string) => ['dossier', dossierId, 'invoices', 'doc', id, 'payments'] as const,
  history: (dossierId: string, family: DocumentFamily, id: string) => ['dossier', dossierId, family, 'doc', id, 'history'] as const,
  /** Where a linked document lives (quotes or invoices), found by id. */
  link: (dossierId: string, id: string) => ['dossier', dossierId, 'link', id] as const,
  numbering: (dossierId: string) => ['dossier', dossierId, 'numbering'] as const,
};
