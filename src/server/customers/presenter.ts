import type { Insertable, Selectable } from 'kysely';
import type { CustomerFields } from '../../core/customers';
import type { Address } from '../../core/dossier';
import type { CustomersTable } from '../db/schema';

export type CustomerRow = Selectable<CustomersTable>;

/** A stored customer's editable fields. The API always sets a billing address; the column allows none. */
export type CustomerView = Omit<CustomerFields, 'billingAddress'> & { billingAddress: Address | null };

/** A customer's editable fields, as the API names them (also what the audit trail compares). */
export function customerFields(c: CustomerRow): CustomerView {
  return {
    kind: c.kind,
    name: c.name,
    siren: c.siren,
    siret: c.siret,
    vatNumber: c.vat_number,
    billingAddress: c.billing_address,
    deliveryAddress: c.delivery_address,
    emails: c.emails,
    paymentTerms: c.payment_days === null ? null : { days: c.payment_days, endOfMonth: c.payment_end_of_month },
    vatTreatment: c.vat_treatment,
    accountCode: c.account_code,
    notes: c.notes,
  };
}

/** What the API shows of a customer. */
export function presentCustomer(c: CustomerRow) {
  return {
    id: c.id,
    ...customerFields(c),
    archived: c.archived_at !== null,
    archivedAt: c.archived_at,
    version: c.version,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  };
}

export type CustomerJson = ReturnType<typeof presentCustomer>;

/** The columns of a customer's editable fields. */
export function customerColumns(f: CustomerView): Omit<Insertable<CustomersTable>, 'dossier_id' | 'id'> {
  return {
    kind: f.kind,
    name: f.name,
    siren: f.siren,
    siret: f.siret,
    vat_number: f.vatNumber,
    billing_address: f.billingAddress ? JSON.stringify(f.billingAddress) : null,
    delivery_address: f.deliveryAddress ? JSON.stringify(f.deliveryAddress) : null,
    emails: f.emails,
    payment_days: f.paymentTerms?.days ?? null,
    payment_end_of_month: f.paymentTerms?.endOfMonth ?? false,
    vat_treatment: f.vatTreatment,
    account_code: f.accountCode,
    notes: f.notes,
  };
}
