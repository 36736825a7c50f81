import type { Address } from '../../core/dossier';
import type { PartySnapshot, SellerSnapshot } from '../../core/documents';
import type { Selectable } from 'kysely';
import type { CustomersTable, DossiersTable } from '../db/schema';

/** The seller as printed: the dossier's details at the moment of issue. */
export function sellerSnapshot(d: Selectable<DossiersTable>): SellerSnapshot {
  return {
    name: d.legal_name,
    legalForm: (d.legal_form as SellerSnapshot['legalForm']) ?? null,
    siren: d.siren,
    siret: d.siret,
    vatNumber: d.vat_number,
    address: d.address,
    shareCapitalCents: d.share_capital_cents === null ? null : Number(d.share_capital_cents),
    rcsCity: d.rcs_city,
    email: d.email,
    phone: d.phone,
    iban: d.iban,
    bic: d.bic,
    vatRegime: d.vat_regime,
    vatOnDebits: d.vat_on_debits,
    latePenaltyRate: d.late_penalty_rate,
  };
}

/** The customer as printed: their details at the moment of issue. */
export function customerSnapshot(c: Selectable<CustomersTable>): PartySnapshot {
  return {
    kind: c.kind,
    name: c.name,
    siren: c.siren,
    siret: c.siret,
    vatNumber: c.vat_number,
    address: c.billing_address as Address | null,
    deliveryAddress: c.delivery_address as Address | null,
    email: c.emails[0] ?? null,
  };
}
