import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp, type ApiClient } from '../../../test/helpers/client';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const ADDRESS = { line1: '12 rue des Lilas', line2: '', postalCode: '69003', city: 'Lyon', country: 'FR' };
const MINIMAL = { kind: 'company', name: 'Boulangerie Renard', billingAddress: { line1: '12 rue des Lilas', postalCode: '69003', city: 'Lyon' } };
const FULL = {
  kind: 'company',
  name: 'Boulangerie Renard SARL',
  siren: '732 829 320',
  siret: '732 829 320 00074',
  vatNumber: 'FR44732829320',
  billingAddress: ADDRESS,
  deliveryAddress: { line1: 'Zone artisanale, lot 4', line2: 'Quai B', postalCode: '69100', city: 'Villeurbanne', country: 'FR' },
  emails: ['compta@renard.example', 'direction@renard.example'],
  paymentTerms: { days: 45, endOfMonth: true },
  vatTreatment: 'reverse_charge',
  accountCode: '411RENARD',
  notes: 'Livraison avant 7 h.',
};

async function dossier() {
  return signUp(server.app, { dossierName: 'Menuiserie Lambert' });
}

async function create(client: ApiClient, dossierId: string, body: Record<string, unknown> = MINIMAL) {
  const res = await client.post(`/api/d/${dossierId}/customers`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.customer;
}

/** The dossier's customers as stored, and how many audit events it has: what "nothing changed" compares. */
async function snapshot(dossierId: string) {
  const customers = await server.ctx.db.selectFrom('customers').selectAll().where('dossier_id', '=', dossierId).orderBy('id').execute();
  const events = await server.ctx.db.selectFrom('audit_events').select('seq').where('dossier_id', '=', dossierId).execute();
  return { customers, events: events.length };
}

async function auditEvents(dossierId: string, action: string) {
  return server.ctx.db.selectFrom('audit_events').selectAll().where('dossier_id', '=', dossierId).where('action', '=', action).orderBy('seq').execute();
}

/** A minimal draft invoice naming the customer, as the documents feature will store it. */
async function draftInvoiceFor(dossierId: string, customerId: string) {
  await server.ctx.tx({ dossierId }, (t) =>
    t
      .insertInto('documents')
      .values({ dossier_id: dossierId, id: randomUUID(), type: 'invoice', status: 'draft', series: 'invoice', issue_date: '2026-03-02', customer_id: customerId, vat_treatment: 'normal', totals: '{}', net_cents: 0, vat_cents: 0, gross_cents: 0 })
      .execute(),
  );
}

describe('creating and reading customers', () => {
  it('stores every field, normalised, reads it back, and audits the creation with each value', async () => {
    const { client, dossierId } = await dossier();
    const customer = await create(client, dossierId, FULL);
    expect(customer).toMatchObject({
      ...FULL,
      siren: '732829320',
      siret: '73282932000074',
      archived: false,
      archivedAt: null,
      version: 1,
    });
    const read = await client.get(`/api/d/${dossierId}/customers/${customer.id}`);
    expect(read.status).toBe(200);
    expect(read.body.customer).toEqual(customer);

    const [event] = await auditEvents(dossierId, 'customer.created');
    expect(event).toMatchObject({ entity_type: 'customer', entity_id: customer.id, entity_label: 'Boulangerie Renard SARL', summary: 'Création du client « Boulangerie Renard SARL »' });
    expect(event!.changes).toMatchObject({
      siren: { before: null, after: '732829320' },
      emails: { before: null, after: FULL.emails },
      paymentTerms: { before: null, after: { days: 45, endOfMonth: true } },
      vatTreatment: { before: null, after: 'reverse_charge' },
    });
  });

  it('fills the defaults of a minimal customer: no e-mail, the dossier’s payment terms, normal VAT', async () => {
    const { client, dossierId } = await dossier();
    const customer = await create(client, dossierId);
    expect(customer).toMatchObject({
      billingAddress: ADDRESS,
      siren: null,
      deliveryAddress: null,
      emails: [],
      paymentTerms: null,
      vatTreatment: 'normal',
      accountCode: null,
      notes: null,
    });
  });
});

describe('validation', () => {
  it.each([
    ['siren', { siren: '732829321' }, 'SIREN invalide'],
    ['siret', { siren: '732829320', siret: '73282932000075' }, 'SIRET invalide'],
    ['siret', { siren: '732829320', siret: '40483304800022' }, 'doit commencer par le SIREN'],
    ['siren', { siret: '73282932000074' }, 'Renseignez le SIREN'],
    ['vatNumber', { vatNumber: 'FR45732829320' }, 'la clé (les 2 chiffres après FR) ne correspond pas au SIREN'],
    ['vatNumber', { vatNumber: 'FR4573282' }, 'TVA intracommunautaire invalide'],
    ['vatNumber', { siren: '732829320', vatNumber: 'FR83404833048' }, 'ne correspond pas au SIREN'],
    ['vatNumber', { vatTreatment: 'reverse_charge' }, 'autoliquidation exige le numéro de TVA'],
    ['emails.1', { emails: ['compta@renard.example', 'pas-un-email'] }, 'Adresse e-mail invalide.'],
    ['emails', { emails: Array.from({ length: 11 }, (_, i) => `c${i}@renard.example`) }, '10 adresses e-mail au plus.'],
    ['accountCode', { accountCode: '411renard' }, 'Compte auxiliaire invalide'],
    ['accountCode', { accountCode: '411-RENARD' }, 'Compte auxiliaire invalide'],
    ['accountCode', { accountCode: '411RENARDBOULANGERIE' }, 'Compte auxiliaire invalide'],
    ['paymentTerms.days', { paymentTerms: { days: 400, endOfMonth: false } }, 'entre 0 et 365 jours'],
    ['name', { name: '   ' }, 'Le nom du client est obligatoire.'],
    ['billingAddress.city', { billingAddress: { line1: '1 rue Haute', postalCode: '69003', city: '' } }, 'La ville est obligatoire.'],
    ['billingAddress', { billingAddress: undefined }, "L'adresse de facturation est obligatoire."],
    ['kind', { kind: 'association' }, ''],
  ])('refuses an invalid %s on creation with a French message, creating nothing', async (field, change, message) => {
    const { client, dossierId } = await dossier();
    const before = await snapshot(dossierId);
    const res = await client.post(`/api/d/${dossierId}/customers`, { ...MINIMAL, ...change });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toBe('Certaines informations sont invalides.');
    expect(res.body.error.details.fields[field]).toContain(message);
    expect(await snapshot(dossierId)).toEqual(before);
  });

  it.each([
    ['siren', { siren: '123456789' }, 'SIREN invalide'],
    ['siren', { siren: null }, 'Renseignez le SIREN'],
    ['emails.0', { emails: ['@renard'] }, 'Adresse e-mail invalide.'],
    ['accountCode', { accountCode: 'client dupont' }, 'Compte auxiliaire invalide'],
    ['vatNumber', { vatNumber: null }, 'autoliquidation'],
  ])('refuses an invalid change of %s, changing nothing', async (field, change, message) => {
    const { client, dossierId } = await dossier();
    const customer = await create(client, dossierId, FULL);
    const before = await snapshot(dossierId);
    const res = await client.patch(`/api/d/${dossierId}/customers/${customer.id}`, { version: 1, ...change });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[field]).toContain(message);
    expect(await snapshot(dossierId)).toEqual(before);
  });

  it('refuses unknown fields in a creation, a change and a list query, by name', async () => {
    const { client, dossierId } = await dossier();
    const created = await client.post(`/api/d/${dossierId}/customers`, { ...MINIMAL, discount: 5 });
    expect(created.status).toBe(400);
    expect(created.body.error.details.fields).toEqual({ discount: 'Champ inconnu.' });
    const customer = await create(client, dossierId);
    const before = await snapshot(dossierId);
    const changed = await client.patch(`/api/d/${dossierId}/customers/${customer.id}`, { version: 1, name: 'Autre', archivedAt: null });
    expect(changed.status).toBe(400);
    expect(changed.body.error.details.fields).toEqual({ archivedAt: 'Champ inconnu.' });
    const listed = await client.get(`/api/d/${dossierId}/customers?color=red`);
    expect(listed.status).toBe(400);
    expect(listed.body.error.details.fields).toEqual({ color: 'Champ inconnu.' });
    expect(await snapshot(dossierId)).toEqual(before);
  });
});

describe('changing a customer', () => {
  it('applies the change, increments the version and audits only what changed, before → after', async () => {
    const { client, dossierId } = await dossier();
    const customer = await create(client, dossierId, FULL);
    const res = await client.patch(`/api/d/${dossierId}/customers/${customer.id}`, {
      version: 1,
      name: 'Boulangerie Renard & fils',
      paymentTerms: null,
      emails: ['compta@renard.example'],
      notes: 'Livraison avant 7 h.',
    });
    expect(res.status).toBe(200);
    expect(res.body.customer).toMatchObject({ name: 'Boulangerie Renard & fils', paymentTerms: null, emails: ['compta@renard.example'], siren: '732829320', version: 2 });
    expect((await client.get(`/api/d/${dossierId}/customers/${customer.id}`)).body.customer).toEqual(res.body.customer);

    const [event] = await auditEvents(dossierId, 'customer.updated');
    expect(event!.entity_label).toBe('Boulangerie Renard & fils');
    expect(event!.summary).toBe('Modification du client « Boulangerie Renard & fils » (name, emails, paymentTerms)');
    expect(event!.changes).toEqual({
      name: { before: 'Boulangerie Renard SARL', after: 'Boulangerie Renard & fils' },
      emails: { before: FULL.emails, after: ['compta@renard.example'] },
      paymentTerms: { before: { days: 45, endOfMonth: true }, after: null },
    });
  });

  it('a change that changes nothing keeps the version and writes no audit event', async () => {
    const { client, dossierId } = await dossier();
    const customer = await create(client, dossierId, FULL);
    const before = await snapshot(dossierId);
    const res = await client.patch(`/api/d/${dossierId}/customers/${customer.id}`, { version: 1, name: FULL.name, siren: '732829320' });
    expect(res.status).toBe(200);
    expect(res.body.customer.version).toBe(1);
    expect(await snapshot(dossierId)).toEqual(before);
  });

  it('refuses a change made on a stale version: 409 stale_version with the current version, nothing changed', async () => {
    const { client, dossierId } = await dossier();
    const customer = await create(client, dossierId);
    const first = await client.patch(`/api/d/${dossierId}/customers/${customer.id}`, { version: 1, name: 'Première modification' });
    expect(first.body.customer.version).toBe(2);
    const before = await snapshot(dossierId);
    const res = await client.patch(`/api/d/${dossierId}/customers/${customer.id}`, { version: 1, name: 'Modification sur une copie périmée' });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({
      code: 'stale_version',
      message: "Ce document a été modifié par quelqu'un d'autre entre-temps : rechargez-le.",
      details: { version: 2, updatedAt: first.body.customer.updatedAt },
    });
    expect(await snapshot(dossierId)).toEqual(before);
  });

  it('of two changes sent at the same moment on the same version, applies one and refuses the other', async () => {
    const { client, dossierId } = await dossier();
    const customer = await create(client, dossierId);
    const url = `/api/d/${dossierId}/customers/${customer.id}`;
    const answers = await Promise.all([client.patch(url, { version: 1, name: 'Par Anne' }), client.patch(url, { version: 1, name: 'Par Bruno' })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.status === 200)!.body.customer;
    expect((await client.get(url)).body.customer).toMatchObject({ name: winner.name, version: 2 });
    expect(await auditEvents(dossierId, 'customer.updated')).toHaveLength(1);
  });

  it('requires the version read', async () => {
    const { client, dossierId } = await dossier();
    const customer = await create(client, dossierId);
    const res = await client.patch(`/api/d/${dossierId}/customers/${customer.id}`, { name: 'Sans version' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields).toEqual({ version: 'La version lue est obligatoire.' });
  });
});

describe('listing customers', () => {
  let client: ApiClient;
  let dossierId: string;
  const names = (res: { body: { items: { name: string }[] } }) => res.body.items.map((c) => c.name);

  beforeAll(async () => {
    ({ client, dossierId } = await dossier());
    await create(client, dossierId, { ...MINIMAL, name: 'Dupont SARL', siren: '732829320', emails: ['compta@dupont.example'] });
    await create(client, dossierId, { ...MINIMAL, name: 'Électricité Martin', emails: ['contact@elec-martin.example'] });
    await create(client, dossierId, { ...MINIMAL, kind: 'individual', name: 'fabre Jeanne', emails: ['jeanne.fabre@example.com'] });
    await create(client, dossierId, { ...MINIMAL, name: 'Bâti Sud', siren: '404833048' });
    const zoe = await create(client, dossierId, { ...MINIMAL, kind: 'individual', name: 'Zoé Leroy 100%' });
    expect((await client.post(`/api/d/${dossierId}/customers/${zoe.id}/archive`)).status).toBe(200);
  });

  it('lists active customers by name in French order (accents and case ignored), with the total', async () => {
    const res = await client.get(`/api/d/${dossierId}/customers`);
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(['Bâti Sud', 'Dupont SARL', 'Électricité Martin', 'fabre Jeanne']);
    expect(res.body).toMatchObject({ total: 4, page: 1, pageSize: 50 });
    expect(names(await client.get(`/api/d/${dossierId}/customers?order=desc`))).toEqual(['fabre Jeanne', 'Électricité Martin', 'Dupont SARL', 'Bâti Sud']);
  });

  it('sorts by creation date', async () => {
    expect(names(await client.get(`/api/d/${dossierId}/customers?sort=createdAt`))).toEqual(['Dupont SARL', 'Électricité Martin', 'fabre Jeanne', 'Bâti Sud']);
    expect(names(await client.get(`/api/d/${dossierId}/customers?sort=createdAt&order=desc`))).toEqual(['Bâti Sud', 'fabre Jeanne', 'Électricité Martin', 'Dupont SARL']);
  });

  it.each([
    ['DUPONT', ['Dupont SARL']],
    ['électricité', ['Électricité Martin']],
    ['732 829', ['Dupont SARL']],
    ['4048', ['Bâti Sud']],
    ['ELEC-MARTIN', ['Électricité Martin']],
    ['example.com', ['fabre Jeanne']],
    ['%', []],
    ['personne', []],
  ])('searches %j in names, SIREN and e-mails, case-insensitively', async (q, expected) => {
    const res = await client.get(`/api/d/${dossierId}/customers?q=${encodeURIComponent(q)}`);
    expect(names(res)).toEqual(expected);
    expect(res.body.total).toBe(expected.length);
  });

  it('filters by kind and by archived state', async () => {
    expect(names(await client.get(`/api/d/${dossierId}/customers?kind=individual`))).toEqual(['fabre Jeanne']);
    expect(names(await client.get(`/api/d/${dossierId}/customers?kind=company&sort=name&order=asc`))).toEqual(['Bâti Sud', 'Dupont SARL', 'Électricité Martin']);
    const archived = await client.get(`/api/d/${dossierId}/customers?archived=true`);
    expect(names(archived)).toEqual(['Zoé Leroy 100%']);
    expect(archived.body.items[0].archived).toBe(true);
    expect(names(await client.get(`/api/d/${dossierId}/customers?archived=true&q=100%25`))).toEqual(['Zoé Leroy 100%']);
  });

  it('pages through the list', async () => {
    const second = await client.get(`/api/d/${dossierId}/customers?pageSize=2&page=2`);
    expect(names(second)).toEqual(['Électricité Martin', 'fabre Jeanne']);
    expect(second.body).toMatchObject({ total: 4, page: 2, pageSize: 2 });
    const beyond = await client.get(`/api/d/${dossierId}/customers?pageSize=2&page=3`);
    expect(beyond.body).toEqual({ items: [], total: 4, page: 3, pageSize: 2 });
  });

  it.each([['pageSize=101', 'pageSize'], ['page=0', 'page'], ['sort=siren', 'sort'], ['archived=yes', 'archived'], ['kind=other', 'kind']])('refuses %s', async (query, field) => {
    const res = await client.get(`/api/d/${dossierId}/customers?${query}`);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.details.fields)).toEqual([field]);
  });
});

describe('archiving and deleting', () => {
  it('archives (hidden from the default list, still readable) and unarchives, each once, audited', async () => {
    const { client, dossierId } = await dossier();
    const customer = await create(client, dossierId);
    const archived = await client.post(`/api/d/${dossierId}/customers/${customer.id}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body.customer).toMatchObject({ archived: true, version: 2 });
    expect(archived.body.customer.archivedAt).not.toBeNull();
    expect((await client.get(`/api/d/${dossierId}/customers`)).body).toMatchObject({ items: [], total: 0 });
    expect((await client.get(`/api/d/${dossierId}/customers/${customer.id}`)).body.customer.archived).toBe(true);

    const again = await client.post(`/api/d/${dossierId}/customers/${customer.id}/archive`);
    expect(again.body.customer.version).toBe(2);
    const [event, ...more] = await auditEvents(dossierId, 'customer.archived');
    expect(more).toEqual([]);
    expect(event).toMatchObject({ entity_label: 'Boulangerie Renard', summary: 'Archivage du client « Boulangerie Renard »', changes: { archived: { before: false, after: true } } });

    const restored = await client.post(`/api/d/${dossierId}/customers/${customer.id}/unarchive`);
    expect(restored.body.customer).toMatchObject({ archived: false, archivedAt: null, version: 3 });
    expect((await client.get(`/api/d/${dossierId}/customers`)).body.total).toBe(1);
    expect((await auditEvents(dossierId, 'customer.unarchived'))[0]!.changes).toEqual({ archived: { before: true, after: false } });
  });

  it('deletes a customer no document uses, keeping its content in the audit trail', async () => {
    const { client, dossierId } = await dossier();
    const customer = await create(client, dossierId, FULL);
    const res = await client.delete(`/api/d/${dossierId}/customers/${customer.id}`);
    expect(res.status).toBe(204);
    expect((await client.get(`/api/d/${dossierId}/customers/${customer.id}`)).status).toBe(404);
    const [event] = await auditEvents(dossierId, 'customer.deleted');
    expect(event).toMatchObject({ entity_id: customer.id, summary: 'Suppression du client « Boulangerie Renard SARL »' });
    expect(event!.changes).toMatchObject({ name: { before: 'Boulangerie Renard SARL', after: null }, siren: { before: '732829320', after: null } });
  });

  it('refuses to delete a customer named on a document: 409 customer_in_use, nothing changed', async () => {
    const { client, dossierId } = await dossier();
    const customer = await create(client, dossierId);
    await draftInvoiceFor(dossierId, customer.id);
    const before = await snapshot(dossierId);
    const res = await client.delete(`/api/d/${dossierId}/customers/${customer.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'customer_in_use', message: 'Ce client figure sur des pièces : archivez-le plutôt.' });
    expect(await snapshot(dossierId)).toEqual(before);
    expect((await client.post(`/api/d/${dossierId}/customers/${customer.id}/archive`)).status).toBe(200);
  });
});

describe('another dossier’s customer', () => {
  it('is not found through this dossier’s URL, for reading and for every change', async () => {
    const mine = await dossier();
    const theirs = await signUp(server.app, { dossierName: 'Autre Société' });
    const foreign = await create(theirs.client, theirs.dossierId, FULL);
    const url = `/api/d/${mine.dossierId}/customers/${foreign.id}`;
    const beforeMine = await snapshot(mine.dossierId);
    const beforeTheirs = await snapshot(theirs.dossierId);
    const answers = [
      await mine.client.get(url),
      await mine.client.patch(url, { version: 1, name: 'Détourné' }),
      await mine.client.post(`${url}/archive`),
      await mine.client.post(`${url}/unarchive`),
      await mine.client.delete(url),
    ];
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(JSON.stringify(res.body)).not.toContain('Renard');
    }
    expect((await mine.client.get(`/api/d/${mine.dossierId}/customers?q=Renard`)).body.total).toBe(0);
    expect(await snapshot(mine.dossierId)).toEqual(beforeMine);
    expect(await snapshot(theirs.dossierId)).toEqual(beforeTheirs);
  });
});
