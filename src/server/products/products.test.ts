import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp, type ApiClient } from '../../../test/helpers/client';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const PARQUET = { reference: 'PARQ-01', designation: 'Pose de parquet', unitPrice: '45.5', vatRate: '10', nature: 'service' };

async function dossier() {
  return signUp(server.app, { dossierName: 'Menuiserie Lambert' });
}

async function create(client: ApiClient, dossierId: string, body: Record<string, unknown> = PARQUET) {
  const res = await client.post(`/api/d/${dossierId}/products`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.product;
}

/** The dossier's products as stored, and how many audit events it has: what "nothing changed" compares. */
async function snapshot(dossierId: string) {
  const products = await server.ctx.db.selectFrom('products').selectAll().where('dossier_id', '=', dossierId).orderBy('id').execute();
  const events = await server.ctx.db.selectFrom('audit_events').select('seq').where('dossier_id', '=', dossierId).execute();
  return { products, events: events.length };
}

async function auditEvents(dossierId: string, action: string) {
  return server.ctx.db.selectFrom('audit_events').selectAll().where('dossier_id', '=', dossierId).where('action', '=', action).orderBy('seq').execute();
}

/** A minimal draft invoice with one line taken from the product, as the documents feature will store it. */
async function draftInvoiceWith(dossierId: string, productId: string) {
  const documentId = randomUUID();
  await server.ctx.tx({ dossierId }, async (t) => {
    await t
      .insertInto('documents')
      .values({ dossier_id: dossierId, id: documentId, type: 'invoice', status: 'draft', series: 'invoice', issue_date: '2026-03-02', vat_treatment: 'normal', totals: '{}', net_cents: 0, vat_cents: 0, gross_cents: 0 })
      .execute();
    await t
      .insertInto('document_lines')
      .values({ dossier_id: dossierId, document_id: documentId, position: 1, kind: 'item', product_id: productId, designation: 'Pose de parquet', quantity: '1', unit_price: '45.5', vat_rate: '10' })
      .execute();
  });
}

describe('creating and reading products', () => {
  it('stores a product with its price as an exact canonical decimal, reads it back and audits the creation', async () => {
    const { client, dossierId } = await dossier();
    const product = await create(client, dossierId, { ...PARQUET, unitPrice: '45,50', vatRate: '10.0', description: 'Chêne massif, pose collée', unit: 'm²' });
    expect(product).toMatchObject({
      reference: 'PARQ-01',
      designation: 'Pose de parquet',
      description: 'Chêne massif, pose collée',
      unit: 'm²',
      unitPrice: '45.5',
      vatRate: '10',
      nature: 'service',
      revenueAccount: '706000',
      archived: false,
      version: 1,
    });
    const read = await client.get(`/api/d/${dossierId}/products/${product.id}`);
    expect(read.body.product).toEqual(product);
    const [event] = await auditEvents(dossierId, 'product.created');
    expect(event).toMatchObject({ entity_type: 'product', entity_id: product.id, entity_label: 'PARQ-01 — Pose de parquet', summary: 'Création de l’article « PARQ-01 — Pose de parquet »' });
    expect(event!.changes).toMatchObject({ unitPrice: { before: null, after: '45.5' }, vatRate: { before: null, after: '10' }, revenueAccount: { before: null, after: '706000' } });
  });

  it('presents the default revenue account of the nature, and stores none unless another is chosen', async () => {
    const { client, dossierId } = await dossier();
    const goods = await create(client, dossierId, { ...PARQUET, nature: 'goods', unit: undefined });
    expect(goods).toMatchObject({ revenueAccount: '707000', unit: 'unité' });
    const explicitDefault = await create(client, dossierId, { ...PARQUET, reference: 'P2', revenueAccount: '706000' });
    const custom = await create(client, dossierId, { ...PARQUET, reference: 'P3', revenueAccount: '706100' });
    expect(custom.revenueAccount).toBe('706100');
    const stored = await server.ctx.db.selectFrom('products').select(['reference', 'revenue_account']).where('dossier_id', '=', dossierId).orderBy('reference').execute();
    expect(stored).toEqual([
      { reference: 'P2', revenue_account: null },
      { reference: 'P3', revenue_account: '706100' },
      { reference: 'PARQ-01', revenue_account: null },
    ]);
    // The default follows the nature; a chosen account stays.
    const moved = await client.patch(`/api/d/${dossierId}/products/${explicitDefault.id}`, { version: 1, nature: 'goods' });
    expect(moved.body.product).toMatchObject({ nature: 'goods', revenueAccount: '707000' });
    const kept = await client.patch(`/api/d/${dossierId}/products/${custom.id}`, { version: 1, nature: 'goods' });
    expect(kept.body.product.revenueAccount).toBe('706100');
  });
});

describe('validation', () => {
  it.each([
    ['unitPrice', { unitPrice: '12.34567' }, 'Le prix unitaire a au plus 4 décimales.'],
    ['unitPrice', { unitPrice: '-5' }, 'Le prix unitaire ne peut pas être négatif.'],
    ['unitPrice', { unitPrice: '12,5 €' }, 'Prix unitaire invalide'],
    ['unitPrice', { unitPrice: 12.5 }, 'Le prix unitaire s’écrit en texte'],
    ['unitPrice', { unitPrice: '1234567890123456' }, 'Prix unitaire trop élevé.'],
    ['vatRate', { vatRate: '7' }, 'Ce taux de TVA n’est pas proposé dans ce dossier. Taux possibles : 20 %, 10 %, 5,5 %, 2,1 %, 0 %.'],
    ['vatRate', { vatRate: 'vingt' }, 'Taux de TVA invalide'],
    ['revenueAccount', { revenueAccount: '606000' }, 'Compte de produits invalide'],
    ['unit', { unit: 'x'.repeat(21) }, 'L’unité fait 20 caractères au plus.'],
    ['reference', { reference: ' ' }, 'La référence est obligatoire.'],
    ['nature', { nature: undefined }, 'Précisez s’il s’agit d’un bien ou d’une prestation de services.'],
  ])('refuses an invalid %s on creation with a French message, creating nothing', async (field, change, message) => {
    const { client, dossierId } = await dossier();
    const before = await snapshot(dossierId);
    const res = await client.post(`/api/d/${dossierId}/products`, { ...PARQUET, ...change });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.fields[field]).toContain(message);
    expect(await snapshot(dossierId)).toEqual(before);
  });

  it.each([
    ['unitPrice', { unitPrice: '0.00001' }, 'au plus 4 décimales'],
    ['unitPrice', { unitPrice: '-0.5' }, 'ne peut pas être négatif'],
    ['vatRate', { vatRate: '19.6' }, 'n’est pas proposé dans ce dossier'],
  ])('refuses an invalid change of %s, changing nothing', async (field, change, message) => {
    const { client, dossierId } = await dossier();
    const product = await create(client, dossierId);
    const before = await snapshot(dossierId);
    const res = await client.patch(`/api/d/${dossierId}/products/${product.id}`, { version: 1, ...change });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[field]).toContain(message);
    expect(await snapshot(dossierId)).toEqual(before);
  });

  it('accepts the VAT rates of the dossier’s own list, and only those', async () => {
    const { client, dossierId } = await dossier();
    expect((await client.patch(`/api/d/${dossierId}/settings`, { vatRates: ['20', '8.5', '0.9'] })).status).toBe(200);
    expect((await create(client, dossierId, { ...PARQUET, vatRate: '8,50' })).vatRate).toBe('8.5');
    const refused = await client.post(`/api/d/${dossierId}/products`, { ...PARQUET, reference: 'P2', vatRate: '10' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.fields.vatRate).toBe('Ce taux de TVA n’est pas proposé dans ce dossier. Taux possibles : 20 %, 8,5 %, 0,9 %.');
  });

  it('keeps a rate the dossier no longer offers on a product until its rate is changed', async () => {
    const { client, dossierId } = await dossier();
    const product = await create(client, dossierId, { ...PARQUET, vatRate: '5.5' });
    await client.patch(`/api/d/${dossierId}/settings`, { vatRates: ['20', '10'] });
    const renamed = await client.patch(`/api/d/${dossierId}/products/${product.id}`, { version: 1, designation: 'Pose de parquet flottant', vatRate: '5.5' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.product).toMatchObject({ vatRate: '5.5', version: 2 });
  });

  it('refuses unknown fields in a creation, a change and a list query, by name', async () => {
    const { client, dossierId } = await dossier();
    const created = await client.post(`/api/d/${dossierId}/products`, { ...PARQUET, stock: 3 });
    expect(created.status).toBe(400);
    expect(created.body.error.details.fields).toEqual({ stock: 'Champ inconnu.' });
    const product = await create(client, dossierId);
    const before = await snapshot(dossierId);
    const changed = await client.patch(`/api/d/${dossierId}/products/${product.id}`, { version: 1, unitPrice: '50', id: randomUUID() });
    expect(changed.status).toBe(400);
    expect(changed.body.error.details.fields).toEqual({ id: 'Champ inconnu.' });
    expect((await client.get(`/api/d/${dossierId}/products?supplier=x`)).body.error.details.fields).toEqual({ supplier: 'Champ inconnu.' });
    expect(await snapshot(dossierId)).toEqual(before);
  });
});

describe('references', () => {
  it('are unique in a dossier whatever their case: 409 with a French message on the reference, nothing changed', async () => {
    const { client, dossierId } = await dossier();
    await create(client, dossierId);
    const other = await create(client, dossierId, { ...PARQUET, reference: 'VIS-10', designation: 'Vis inox' });
    const before = await snapshot(dossierId);
    const duplicate = await client.post(`/api/d/${dossierId}/products`, { ...PARQUET, reference: 'parq-01' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({ code: 'conflict', details: { fields: { reference: 'Un article porte déjà cette référence dans ce dossier.' } } });
    const renamed = await client.patch(`/api/d/${dossierId}/products/${other.id}`, { version: 1, reference: 'Parq-01' });
    expect(renamed.status).toBe(409);
    expect(renamed.body.error.details.fields.reference).toBe('Un article porte déjà cette référence dans ce dossier.');
    expect(await snapshot(dossierId)).toEqual(before);
  });

  it('may repeat across dossiers', async () => {
    const first = await dossier();
    const second = await dossier();
    await create(first.client, first.dossierId);
    await create(second.client, second.dossierId);
  });
});

describe('changing a product', () => {
  it('applies the change, increments the version and audits only what changed, before → after', async () => {
    const { client, dossierId } = await dossier();
    const product = await create(client, dossierId);
    const res = await client.patch(`/api/d/${dossierId}/products/${product.id}`, { version: 1, unitPrice: '47.50', vatRate: '20', designation: 'Pose de parquet' });
    expect(res.status).toBe(200);
    expect(res.body.product).toMatchObject({ unitPrice: '47.5', vatRate: '20', version: 2 });
    const [event] = await auditEvents(dossierId, 'product.updated');
    expect(event!.summary).toBe('Modification de l’article « PARQ-01 — Pose de parquet » (unitPrice, vatRate)');
    expect(event!.changes).toEqual({ unitPrice: { before: '45.5', after: '47.5' }, vatRate: { before: '10', after: '20' } });

    const before = await snapshot(dossierId);
    const same = await client.patch(`/api/d/${dossierId}/products/${product.id}`, { version: 2, unitPrice: '47.5000' });
    expect(same.body.product.version).toBe(2);
    expect(await snapshot(dossierId)).toEqual(before);
  });

  it('refuses a change made on a stale version: 409 stale_version with the current version, nothing changed', async () => {
    const { client, dossierId } = await dossier();
    const product = await create(client, dossierId);
    const first = await client.patch(`/api/d/${dossierId}/products/${product.id}`, { version: 1, unitPrice: '50' });
    const before = await snapshot(dossierId);
    const res = await client.patch(`/api/d/${dossierId}/products/${product.id}`, { version: 1, unitPrice: '40' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'stale_version', details: { version: 2, updatedAt: first.body.product.updatedAt } });
    expect(await snapshot(dossierId)).toEqual(before);
    expect((await client.get(`/api/d/${dossierId}/products/${product.id}`)).body.product.unitPrice).toBe('50');
  });
});

describe('listing products', () => {
  let client: ApiClient;
  let dossierId: string;
  const refs = (res: { body: { items: { reference: string }[] } }) => res.body.items.map((p) => p.reference);

  beforeAll(async () => {
    ({ client, dossierId } = await dossier());
    await create(client, dossierId, { reference: 'B-200', designation: 'Bois de chêne', unitPrice: '80', vatRate: '20', nature: 'goods' });
    await create(client, dossierId, { reference: 'a-100', designation: 'Pose de parquet', unitPrice: '45.5', vatRate: '10', nature: 'service' });
    await create(client, dossierId, { reference: 'C-300', designation: 'Échafaudage (location)', unitPrice: '120', vatRate: '20', nature: 'service' });
    await create(client, dossierId, { reference: 'D-400', designation: 'Vis inox_A2', unitPrice: '0.0125', vatRate: '20', nature: 'goods' });
    const old = await create(client, dossierId, { reference: 'E-500', designation: 'Ancien modèle', unitPrice: '10', vatRate: '20', nature: 'goods' });
    expect((await client.post(`/api/d/${dossierId}/products/${old.id}/archive`)).status).toBe(200);
  });

  it('lists active products by reference, case ignored, with the total', async () => {
    const res = await client.get(`/api/d/${dossierId}/products`);
    expect(refs(res)).toEqual(['a-100', 'B-200', 'C-300', 'D-400']);
    expect(res.body).toMatchObject({ total: 4, page: 1, pageSize: 50 });
  });

  it.each([
    ['sort=designation', ['B-200', 'C-300', 'a-100', 'D-400']],
    ['sort=designation&order=desc', ['D-400', 'a-100', 'C-300', 'B-200']],
    ['sort=unitPrice', ['D-400', 'a-100', 'B-200', 'C-300']],
    ['sort=unitPrice&order=desc', ['C-300', 'B-200', 'a-100', 'D-400']],
    ['sort=createdAt', ['B-200', 'a-100', 'C-300', 'D-400']],
    ['sort=reference&order=desc', ['D-400', 'C-300', 'B-200', 'a-100']],
  ])('sorts with %s', async (query, expected) => {
    expect(refs(await client.get(`/api/d/${dossierId}/products?${query}`))).toEqual(expected);
  });

  it.each([
    ['POSE', ['a-100']],
    ['c-3', ['C-300']],
    ['chêne', ['B-200']],
    ['ÉCHAFAUDAGE', ['C-300']],
    ['_a2', ['D-400']],
    ['_', ['D-400']],
    ['00', ['a-100', 'B-200', 'C-300', 'D-400']],
  ])('searches %j in references and designations, case-insensitively', async (q, expected) => {
    const res = await client.get(`/api/d/${dossierId}/products?q=${encodeURIComponent(q)}`);
    expect(refs(res)).toEqual(expected);
    expect(res.body.total).toBe(expected.length);
  });

  it('filters by nature and archived state, and pages', async () => {
    expect(refs(await client.get(`/api/d/${dossierId}/products?nature=goods`))).toEqual(['B-200', 'D-400']);
    expect(refs(await client.get(`/api/d/${dossierId}/products?archived=true`))).toEqual(['E-500']);
    const page = await client.get(`/api/d/${dossierId}/products?pageSize=3&page=2`);
    expect(page.body).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(refs(page)).toEqual(['D-400']);
    expect((await client.get(`/api/d/${dossierId}/products?pageSize=500`)).status).toBe(400);
  });
});

describe('archiving and deleting', () => {
  it('archives and unarchives, each once, audited', async () => {
    const { client, dossierId } = await dossier();
    const product = await create(client, dossierId);
    expect((await client.post(`/api/d/${dossierId}/products/${product.id}/archive`)).body.product).toMatchObject({ archived: true, version: 2 });
    expect((await client.post(`/api/d/${dossierId}/products/${product.id}/archive`)).body.product.version).toBe(2);
    expect((await client.get(`/api/d/${dossierId}/products`)).body.total).toBe(0);
    expect((await client.post(`/api/d/${dossierId}/products/${product.id}/unarchive`)).body.product).toMatchObject({ archived: false, version: 3 });
    expect((await client.get(`/api/d/${dossierId}/products`)).body.total).toBe(1);
    const events = [...(await auditEvents(dossierId, 'product.archived')), ...(await auditEvents(dossierId, 'product.unarchived'))];
    expect(events.map((e) => [e.summary, e.changes])).toEqual([
      ['Archivage de l’article « PARQ-01 — Pose de parquet »', { archived: { before: false, after: true } }],
      ['Désarchivage de l’article « PARQ-01 — Pose de parquet »', { archived: { before: true, after: false } }],
    ]);
  });

  it('deletes a product no document line uses, keeping its content in the audit trail', async () => {
    const { client, dossierId } = await dossier();
    const product = await create(client, dossierId);
    expect((await client.delete(`/api/d/${dossierId}/products/${product.id}`)).status).toBe(204);
    expect((await client.get(`/api/d/${dossierId}/products/${product.id}`)).status).toBe(404);
    const [event] = await auditEvents(dossierId, 'product.deleted');
    expect(event!.changes).toMatchObject({ reference: { before: 'PARQ-01', after: null }, unitPrice: { before: '45.5', after: null } });
  });

  it('refuses to delete a product on a document line: 409 product_in_use, nothing changed', async () => {
    const { client, dossierId } = await dossier();
    const product = await create(client, dossierId);
    await draftInvoiceWith(dossierId, product.id);
    const before = await snapshot(dossierId);
    const res = await client.delete(`/api/d/${dossierId}/products/${product.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'product_in_use', message: 'Cet article figure sur des pièces : archivez-le plutôt.' });
    expect(await snapshot(dossierId)).toEqual(before);
  });
});

describe('another dossier’s product', () => {
  it('is not found through this dossier’s URL, for reading and for every change', async () => {
    const mine = await dossier();
    const theirs = await signUp(server.app, { dossierName: 'Autre Société' });
    const foreign = await create(theirs.client, theirs.dossierId);
    const url = `/api/d/${mine.dossierId}/products/${foreign.id}`;
    const beforeMine = await snapshot(mine.dossierId);
    const beforeTheirs = await snapshot(theirs.dossierId);
    const answers = [
      await mine.client.get(url),
      await mine.client.patch(url, { version: 1, unitPrice: '0' }),
      await mine.client.post(`${url}/archive`),
      await mine.client.post(`${url}/unarchive`),
      await mine.client.delete(url),
    ];
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(JSON.stringify(res.body)).not.toContain('PARQ');
    }
    expect(await snapshot(mine.dossierId)).toEqual(beforeMine);
    expect(await snapshot(theirs.dossierId)).toEqual(beforeTheirs);
  });
});

describe('unit prices', () => {
  it('any price with at most 4 decimals round-trips exactly through create → read (property)', async () => {
    const { client, dossierId } = await dossier();
    const digits = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(digits(1, 15), digits(0, 4), fc.constantFrom('.', ','), async (integer, decimals, separator) => {
        const text = decimals ? `${integer}${separator}${decimals}` : integer;
        const trimmed = decimals.replace(/0+$/, '');
        const expected = `${BigInt(integer)}${trimmed ? `.${trimmed}` : ''}`;
        const created = await create(client, dossierId, { ...PARQUET, reference: `PRIX-${n++}`, unitPrice: text });
        expect(created.unitPrice).toBe(expected);
        expect((await client.get(`/api/d/${dossierId}/products/${created.id}`)).body.product.unitPrice).toBe(expected);
      }),
      { numRuns: 60 },
    );
  });
});
