import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, setUpSeller } from '../../../test/helpers/invoicing';
import { readPdf } from '../../../test/helpers/pdf';
import { loadDossier } from './drafts';
import { seriesSettings } from './numbering';
import { loadDocument, loadForIssue, loadLines } from './store';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function seller() {
  const owner = await signUp(server.app);
  await setUpSeller(owner.client, owner.dossierId);
  const customerId = await createCustomer(owner.client, owner.dossierId);
  return { ...owner, customerId };
}

describe('decimals as people type them', () => {
  it('a VAT rate written "5,50" is taken on a document line as on a product, with the same quantities and prices', async () => {
    const { client, dossierId, customerId } = await seller();
    const product = await client.post(`/api/d/${dossierId}/products`, { reference: 'ISO', designation: 'Isolant', unitPrice: '1 200,50', vatRate: '5,50', nature: 'goods' });
    expect(product.status, JSON.stringify(product.body)).toBe(201);
    expect(product.body.product).toMatchObject({ unitPrice: '1200.5', vatRate: '5.5' });
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [{ ...LINE, quantity: ' 2,50 ', unitPrice: '1 200,50', vatRate: '5,50', discount: { type: 'percent', value: '10,0' } }] });
    expect(draft.lines[0]).toMatchObject({ quantity: '2.5', unitPrice: '1200.5', vatRate: '5.5', discount: { type: 'percent', value: '10' } });
    // 2.5 × 1 200.50 = 3 001.25, less 10 % (300.13) = 2 701.12 at 5.5 % → VAT 148.5616 → 148.56.
    expect(draft.totals.vat.map((v: { rate: string; baseCents: number; vatCents: number }) => [v.rate, v.baseCents, v.vatCents])).toEqual([['5.5', 270_112, 14_856]]);
    expect((await issue(client, dossierId, draft)).status).toBe(200);
  });
});

describe('invoice lifecycle', () => {
  it('answers a new draft as reading it back does, sections, discounts and customer included, and records its creation', async () => {
    const { client, dossierId, customerId } = await seller();
    const lines = [
      { kind: 'section', designation: 'Pose' },
      LINE,
      { ...LINE, designation: 'Plinthes', quantity: '3', unitPrice: '19.99', vatRate: '10', discount: { type: 'amount', value: '5' } },
      { kind: 'comment', designation: 'Fournitures comprises' },
      { ...LINE, designation: 'Colle', quantity: '2.000', unitPrice: '7.5000', vatRate: '5.50', nature: 'goods' },
    ];
    const created = await client.post(`/api/d/${dossierId}/invoices`, { type: 'invoice', customerId, lines, discount: { type: 'percent', value: '5' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const read = await client.get(`/api/d/${dossierId}/invoices/${created.body.document.id}`);
    expect(created.body).toEqual(read.body);
    expect(created.body.document.customerName).toBe('Boulangerie Renard');
    expect(created.body.document.lines.map((l: { kind: string }) => l.kind)).toEqual(['section', 'item', 'item', 'comment', 'item']);
    const history = await client.get(`/api/d/${dossierId}/invoices/${created.body.document.id}/history`);
    expect(history.body.events.map((e: { action: string }) => e.action)).toEqual(['document.created']);
  });

  it('creates a draft with server-computed totals, issues it with the first number of the series', async () => {
    const { client, dossierId, customerId } = await seller();
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE, { ...LINE, designation: 'Plinthes', quantity: '3', unitPrice: '19.99', vatRate: '10' }] });
    expect(draft.status).toBe('draft');
    expect(draft.number).toBeNull();
    // 12.5 × 42.80 = 535.00 at 20 % → VAT 107.00; 3 × 19.99 = 59.97 at 10 % → VAT 6.00 (5.997)
    expect(draft.totals.vat.map((v: { rate: string; baseCents: number; vatCents: number }) => [v.rate, v.baseCents, v.vatCents])).toEqual([
      ['20', 53_500, 10_700],
      ['10', 5_997, 600],
    ]);
    expect(draft.grossCents).toBe(53_500 + 10_700 + 5_997 + 600);
    const issued = await issue(client, dossierId, draft);
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body.document.number).toBe(`F-${draft.issueDate.slice(0, 4)}-0001`);
    expect(issued.body.document.status).toBe('issued');
    expect(issued.body.document.displayStatus).toBe('issued');
  });

  it('refuses to issue without the mandatory mentions, listing what is missing, and consumes no number', async () => {
    const owner = await signUp(server.app);
    const customerId = await createCustomer(owner.client, owner.dossierId);
    const draft = await createDraft(owner.client, owner.dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const res = await issue(owner.client, owner.dossierId, draft);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('mentions_missing');
    const fields = res.body.error.details.missing.map((m: { field: string }) => m.field);
    expect(fields).toEqual(expect.arrayContaining(['seller.siren', 'seller.address', 'seller.vatNumber']));
    await setUpSeller(owner.client, owner.dossierId);
    const again = await issue(owner.client, owner.dossierId, draft);
    expect(again.body.document.number).toMatch(/-0001$/);
  });

  it('an issued invoice cannot be changed or deleted, by the API or by SQL', async () => {
    const { client, dossierId, customerId } = await seller();
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const issued = (await issue(client, dossierId, draft)).body.document;
    const patch = await client.patch(`/api/d/${dossierId}/invoices/${draft.id}`, { version: issued.version, notes: 'changé' });
    expect(patch.status).toBe(409);
    expect(patch.body.error.code).toBe('not_a_draft');
    expect((await client.delete(`/api/d/${dossierId}/invoices/${draft.id}`)).status).toBe(409);
    await expect(server.ctx.tx({ dossierId }, (t) => t.updateTable('documents').set({ gross_cents: 1 }).where('id', '=', draft.id).execute())).rejects.toThrow(/cannot change/);
    await expect(server.ctx.tx({ dossierId }, (t) => t.deleteFrom('documents').where('id', '=', draft.id).execute())).rejects.toThrow(/cannot be deleted/);
    await expect(server.ctx.tx({ dossierId }, (t) => t.updateTable('document_lines').set({ designation: 'x' }).where('document_id', '=', draft.id).execute())).rejects.toThrow(/lines cannot change/);
    // Not even the owner role gets around it.
    await expect(server.ctx.db.updateTable('documents').set({ notes: 'x' }).where('id', '=', draft.id).execute()).rejects.toThrow(/cannot change/);
  });

  it('renders a draft’s PDF on each download, watermarked, with the seller’s details of the moment', async () => {
    const { client, dossierId, customerId } = await seller();
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const first = await client.get(`/api/d/${dossierId}/invoices/${draft.id}/pdf`);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('application/pdf');
    expect(first.headers['x-content-sha256']).toBeUndefined();
    expect((await readPdf(first.raw.rawPayload)).text).toContain('BROUILLON');
    await client.patch(`/api/d/${dossierId}/settings`, { address: { line1: '1 autre rue', line2: '', postalCode: '75001', city: 'Paris', country: 'FR' } });
    const second = await client.get(`/api/d/${dossierId}/invoices/${draft.id}/pdf`);
    expect(second.status).toBe(200);
    expect((await readPdf(second.raw.rawPayload)).text).toContain('1 autre rue');
  });

  it('serves the frozen PDF byte-identical after the seller changes address', async () => {
    const { client, dossierId, customerId } = await seller();
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    await issue(client, dossierId, draft);
    const first = await client.get(`/api/d/${dossierId}/invoices/${draft.id}/pdf`);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('application/pdf');
    await client.patch(`/api/d/${dossierId}/settings`, { address: { line1: '1 autre rue', line2: '', postalCode: '75001', city: 'Paris', country: 'FR' } });
    const second = await client.get(`/api/d/${dossierId}/invoices/${draft.id}/pdf`);
    expect(second.raw.rawPayload.equals(first.raw.rawPayload)).toBe(true);
    expect(second.headers['x-content-sha256']).toBe(first.headers['x-content-sha256']);
  });
});

describe('guards added after review', () => {
  it('refuses a payment dated in the future', async () => {
    const { client, dossierId, customerId } = await seller();
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    await issue(client, dossierId, draft);
    const res = await client.post(`/api/d/${dossierId}/invoices/${draft.id}/payments`, { paidOn: '2999-01-01', amountCents: 100, method: 'virement' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.paidOn).toBe('Un règlement ne peut pas être daté dans le futur.');
  });

  it("keeps a credit note addressed to the corrected invoice's customer", async () => {
    const { client, dossierId, customerId } = await seller();
    const other = await createCustomer(client, dossierId, { name: 'Autre client' });
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    await issue(client, dossierId, draft);
    const note = (await client.post(`/api/d/${dossierId}/invoices/${draft.id}/credit-note`, {})).body.document;
    const res = await client.patch(`/api/d/${dossierId}/invoices/${note.id}`, { version: note.version, customerId: other });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.customerId).toContain('client de la facture');
  });

  it('the totals row counts credit notes against invoices', async () => {
    const { client, dossierId, customerId } = await seller();
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const invoice = (await issue(client, dossierId, draft)).body.document;
    const note = (await client.post(`/api/d/${dossierId}/invoices/${draft.id}/credit-note`, {})).body.document;
    await issue(client, dossierId, note);
    const list = await client.get(`/api/d/${dossierId}/invoices`);
    expect(list.body.total).toBe(2);
    expect(list.body.totals).toEqual({ netCents: 0, vatCents: 0, grossCents: 0, balanceCents: 0 });
    expect(invoice.grossCents).toBeGreaterThan(0);
  });
});

describe('what issuing reads', () => {
  it('reads in one statement exactly what the separate reads give: document, dossier, series, customer and lines', async () => {
    const { client, dossierId, customerId } = await seller();
    expect((await client.put(`/api/d/${dossierId}/numbering/credit_note`, { format: 'AV{AA}-{NNNNN}', yearlyReset: false, firstNumber: 70 })).status).toBe(200);
    const lines = [
      { kind: 'section', designation: 'Séjour' },
      { ...LINE, quantity: '12.125', unitPrice: '1234.5678', discount: { type: 'percent', value: '12.5' } },
      { kind: 'comment', designation: 'Chêne « massif » \\ 3 couches' },
      { ...LINE, designation: 'Plinthes', quantity: '3', unitPrice: '19.99', vatRate: '5.5', discount: { type: 'amount', value: '1.5' } },
    ];
    const invoice = await createDraft(client, dossierId, { type: 'invoice', customerId, lines });
    const credited = (await issue(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] }))).body.document;
    const note = (await client.post(`/api/d/${dossierId}/invoices/${credited.id}/credit-note`, {})).body.document;
    const freeDraft = await createDraft(client, dossierId, { type: 'pro_forma', lines: [] });
    for (const [id, series] of [[invoice.id, 'invoice'], [note.id, 'credit_note'], [freeDraft.id, 'pro_forma']] as const) {
      const types = ['invoice', 'deposit_invoice', 'credit_note', 'pro_forma'] as const;
      const [combined, separate] = await server.ctx.tx({ dossierId }, async (t) => [
        await loadForIssue(t, dossierId, id, types),
        await (async () => {
          const row = await loadDocument(t, dossierId, id);
          const linkedIds = [row.source_id, row.corrects_id].filter((x) => x !== null);
          return {
            row,
            linked: linkedIds.length ? await t.selectFrom('documents').select(['id', 'type', 'number']).where('dossier_id', '=', dossierId).where('id', 'in', linkedIds).execute() : [],
            dossier: await loadDossier(t, dossierId),
            settings: await seriesSettings(t, dossierId, series),
            customer: row.customer_id ? await t.selectFrom('customers').selectAll().where('dossier_id', '=', dossierId).where('id', '=', row.customer_id).executeTakeFirstOrThrow() : null,
            lines: await loadLines(t, dossierId, id),
          };
        })(),
      ]);
      expect(combined).toEqual(separate);
    }
    // Another family's document, or another dossier's, is not found.
    await expect(server.ctx.tx({ dossierId }, (t) => loadForIssue(t, dossierId, invoice.id, ['quote']))).rejects.toMatchObject({ status: 404 });
    const other = await seller();
    await expect(server.ctx.tx({ dossierId: other.dossierId }, (t) => loadForIssue(t, other.dossierId, invoice.id, ['invoice']))).rejects.toMatchObject({ status: 404 });
  });
});
