import type { ApiClient } from './client';

export const SELLER = {
  legalName: 'Menuiserie Lambert SARL',
  legalForm: 'SARL',
  siren: '732829320',
  siret: '73282932000074',
  vatNumber: 'FR44732829320',
  address: { line1: '12 rue des Lilas', line2: '', postalCode: '69003', city: 'Lyon', country: 'FR' },
  shareCapitalCents: 1_000_000,
  rcsCity: 'Lyon',
  email: 'contact@lambert.example',
  iban: 'FR7630006000011234567890189',
  bic: 'AGRIFRPP',
};

/** Fills the dossier's company details so that its documents can be issued. */
export async function setUpSeller(client: ApiClient, dossierId: string, overrides: Record<string, unknown> = {}): Promise<void> {
  const res = await client.patch(`/api/d/${dossierId}/settings`, { ...SELLER, ...overrides });
  if (res.status !== 200) throw new Error(`settings: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function createCustomer(client: ApiClient, dossierId: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await client.post(`/api/d/${dossierId}/customers`, {
    kind: 'company',
    name: 'Boulangerie Renard',
    siren: '404833048',
    vatNumber: 'FR83404833048',
    billingAddress: { line1: '3 place du Marché', line2: '', postalCode: '38000', city: 'Grenoble', country: 'FR' },
    emails: ['compta@renard.example'],
    ...overrides,
  });
  if (res.status !== 201) throw new Error(`customer: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body.customer ?? res.body).id as string;
}

export const LINE = { kind: 'item', designation: 'Pose de parquet', quantity: '12.5', unitPrice: '42.8', vatRate: '20', unit: 'm²', nature: 'service' } as const;

/** Creates a draft and returns its JSON (`document`). */
export async function createDraft(client: ApiClient, dossierId: string, body: Record<string, unknown>) {
  const family = body.type === 'quote' ? 'quotes' : 'invoices';
  const res = await client.post(`/api/d/${dossierId}/${family}`, body);
  if (res.status !== 201) throw new Error(`draft: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.document;
}

export async function issue(client: ApiClient, dossierId: string, doc: { id: string; version: number; type: string }) {
  const family = doc.type === 'quote' ? 'quotes' : 'invoices';
  return client.post(`/api/d/${dossierId}/${family}/${doc.id}/issue`, { version: doc.version });
}
