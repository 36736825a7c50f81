/**
 * Sample documents for the PDF tests and the benchmark (not used by the application): valid
 * identifiers, French text with accents, totals computed by the one `computeTotals`.
 */
import { depositView, type DocumentLineView, type DocumentView, type SellerSnapshot, type PartySnapshot } from '../../core/documents';
import { computeTotals, type DepositDeduction, type TotalsLine } from '../../core/totals';

export const SELLER: SellerSnapshot = {
  name: 'Atelier Dupont & Fils',
  legalForm: 'SARL',
  siren: '732829320',
  siret: '73282932000074',
  vatNumber: 'FR44732829320',
  address: { line1: '12 rue des Écoles', line2: 'Bâtiment B', postalCode: '75005', city: 'Paris', country: 'FR' },
  shareCapitalCents: 1_000_000,
  rcsCity: 'Paris',
  email: 'contact@atelier-dupont.fr',
  phone: '01 23 45 67 89',
  iban: 'FR7630006000011234567890189',
  bic: 'AGRIFRPPXXX',
  vatRegime: 'normal',
  vatOnDebits: false,
  latePenaltyRate: '12.15',
};

export const BUSINESS_CUSTOMER: PartySnapshot = {
  name: 'Boulangerie Léa Martin',
  kind: 'company',
  legalForm: 'SAS',
  siren: '552100554',
  vatNumber: 'FR96552100554',
  address: { line1: '3 place du Marché', line2: '', postalCode: '69002', city: 'Lyon', country: 'FR' },
  deliveryAddress: { line1: 'Entrepôt Sud, 40 avenue Jean Jaurès', line2: '', postalCode: '69007', city: 'Lyon', country: 'FR' },
};

export const INDIVIDUAL_CUSTOMER: PartySnapshot = {
  name: 'Chloé Bernard',
  kind: 'individual',
  address: { line1: '8 impasse des Lilas', line2: '', postalCode: '33000', city: 'Bordeaux', country: 'FR' },
};

const DESIGNATIONS = ['Conception graphique', 'Développement du site', 'Hébergement annuel', 'Maintenance corrective', 'Formation des équipes', 'Rédaction de contenus'];

/** `count` item lines, with descriptions, references, a discount now and then, two VAT rates. */
export function itemLines(count: number, prefix = 'Ligne'): DocumentLineView[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'item' as const,
    reference: `REF-${String(i + 1).padStart(3, '0')}`,
    designation: `${prefix} ${i + 1} — ${DESIGNATIONS[i % DESIGNATIONS.length]}`,
    description: i % 3 === 0 ? 'Détail de la prestation réalisée : analyse, échanges avec le client, réalisation, recette et mise en production, sur plusieurs lignes.' : null,
    unit: i % 2 === 0 ? 'heure' : 'forfait',
    quantity: i % 2 === 0 ? '3.5' : '1',
    unitPrice: i % 4 === 0 ? '1234.56' : '85',
    vatRate: i % 5 === 4 ? '10' : '20',
    discount: i % 7 === 3 ? { type: 'percent' as const, value: '10' } : null,
    nature: 'service' as const,
  }));
}

export interface SampleOptions {
  lines?: DocumentLineView[];
  seller?: Partial<SellerSnapshot>;
  customer?: PartySnapshot;
  deposits?: { number: string; issueDate: string; vat: DepositDeduction['vat'] }[];
  overrides?: Partial<DocumentView>;
}

/** An issued invoice (unless overridden) whose totals are computed from its lines. */
export function sampleView(options: SampleOptions = {}): DocumentView {
  const seller = { ...SELLER, ...options.seller };
  const franchise = seller.vatRegime === 'franchise';
  const lines = (options.lines ?? itemLines(3)).map((l) => (franchise && l.kind === 'item' ? { ...l, vatRate: '0' } : l));
  const overrides = options.overrides ?? {};
  const totalsLines: TotalsLine[] = lines.map((l) =>
    l.kind === 'item' ? { kind: 'item', quantity: l.quantity ?? '0', unitPrice: l.unitPrice ?? '0', vatRate: l.vatRate ?? '0', discount: l.discount ?? null } : { kind: l.kind },
  );
  const deposits = options.deposits ?? [];
  const totals = computeTotals({ lines: totalsLines, discount: overrides.discount ?? null, deposits: deposits.map((d) => ({ vat: d.vat })) });
  return {
    type: 'invoice',
    number: 'F-2026-0042',
    draft: false,
    issueDate: '2026-03-14',
    serviceDate: '2026-03-10',
    dueDate: '2026-04-13',
    seller,
    customer: options.customer ?? BUSINESS_CUSTOMER,
    vatTreatment: 'normal',
    lines,
    totals,
    deposits: deposits.map((d) => depositView(d.number, d.issueDate, d.vat)),
    paymentTermsLabel: '30 jours',
    notes: 'Merci pour votre confiance.',
    ...overrides,
  };
}
