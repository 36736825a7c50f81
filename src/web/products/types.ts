/** Catalogue items as the API shows them (docs/API.md, "Catalogue"). */
import type { Nature } from '../../core/documents';

export interface Product {
  id: string;
  reference: string;
  designation: string;
  description: string | null;
  unit: string;
  /** Exact decimal string, canonical ("35.5"). */
  unitPrice: string;
  /** Canonical rate key ("20", "5.5"). */
  vatRate: string;
  nature: Nature;
  revenueAccount: string;
  archived: boolean;
  archivedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}
