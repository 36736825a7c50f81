import type { Selectable } from 'kysely';
import { rateKey } from '../../core/totals';
import type { DossiersTable } from '../db/schema';

export type DossierRow = Selectable<DossiersTable>;

/** What the API shows of a dossier. */
export function presentDossier(d: DossierRow) {
  return {
    id: d.id,
    legalName: d.legal_name,
    legalForm: d.legal_form,
    siren: d.siren,
    siret: d.siret,
    vatNumber: d.vat_number,
    address: d.address,
    shareCapitalCents: d.share_capital_cents === null ? null : Number(d.share_capital_cents),
    rcsCity: d.rcs_city,
    vatRegime: d.vat_regime,
    vatOnDebits: d.vat_on_debits,
    email: d.email,
    phone: d.phone,
    iban: d.iban,
    bic: d.bic,
    vatRates: d.vat_rates,
    latePenaltyRate: rateKey(d.late_penalty_rate),
    defaultPaymentDays: d.default_payment_days,
    logoUrl: d.logo_file_id ? `/api/d/${d.id}/logo?v=${d.logo_file_id}` : null,
    plan: d.plan,
    extraSeats: d.extra_seats,
    createdAt: d.created_at,
  };
}

export type DossierJson = ReturnType<typeof presentDossier>;
