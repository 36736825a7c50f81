/** Customers as the API shows them (docs/API.md, "Customers"). */
import type { CustomerKind, PaymentTerms } from '../../core/customers';
import type { VatTreatment } from '../../core/documents';
import type { Address } from '../app/types';

export interface Customer {
  id: string;
  kind: CustomerKind;
  name: string;
  siren: string | null;
  siret: string | null;
  vatNumber: string | null;
  billingAddress: Address | null;
  deliveryAddress: Address | null;
  emails: string[];
  paymentTerms: PaymentTerms | null;
  vatTreatment: VatTreatment;
  accountCode: string | null;
  notes: string | null;
  archived: boolean;
  archivedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ListAnswer<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
