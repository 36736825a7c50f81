/**
 * Payments on issued invoices: balances to the cent, display statuses, overpayment, cancellation
 * (never deletion), the history, the database's own guard, and who may record them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, formatDateFr, parisDate } from '../../core/dates';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { type ApiClient, signUp } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, setUpSeller } from '../../../test/helpers/invoicing';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ DB_POOL_SIZE: '10' });
});
afterAll(() => server.close());

const TODAY = parisDate();
const NBSP = '\u00a0';
const NNBSP = '\u202f';
/** 1 × 1 028.80 at 20 %: 1 028.80 + 205.76 = 1 234.56 €. */
const KITCHEN = { kind: 'item', designation: 'Cuisine sur mesure', quantity: '1', unitPrice: '1028.8', vatRate: '20', nature: 'goods' };
const GROSS = 123_456;

type Doc = any;

async function seller() {
  const owner = await signUp(server.app, { name: 'Camille Durand' });
  await setUpSeller(owner.client, owner.dossierId);
  const customerId = await createCustomer(owner.client, owner.dossierId);
  return { ...owner, customerId };
}

async function issuedInvoice(client: ApiClient, dossierId: string, customerId: string, extra: Record<string, unknown> = {}): Promise<Doc> {
  const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [KITCHEN], ...extra });
  const res = await issue(client, dossierId, draft);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.document;
}

const invoiceUrl = (dossierId: string, id: string, suffix = '') => `/api/d/${dossierId}/invoices/${id}${suffix}`;

async function pay(client: ApiClient, dossierId: string, id: string, amountCents: number, extra: Record<string, unknown> = {}) {
  return client.post(invoiceUrl(dossierId, id, '/payments'), { paidOn: TODAY, amountCents, method: 'virement', ...extra });
}

async function get(client: ApiClient, dossierId: string, id: string): Promise<Doc> {
  const res = await client.get(invoiceUrl(dossierId, id));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.document;
}

async function payments(client: ApiClient, dossierId: string, id: string) {
  const res = await client.get(invoiceUrl(dossierId, id, '/payments'));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.payments as any[];
}

async function actions(client: ApiClient, dossierId: string, id: string) {
  const res = await client.get(invoiceUrl(dossierId, id, '/history'));
  expect(res.status).toBe(200);
  return (res.body.events as { action: string }[]).map((e) => e.action);
}

/** The rows a payment call could change. */
async function state(dossierId: string) {
  const db = server.ctx.db;
  return {
    documents: (await db.selectFrom('documents').selectAll().where('dossier_id', '=', dossierId).orderBy('id').execute()).map(({ pdf_file_id: _, ...row }) => row),
    payments: await db.selectFrom('payments').selectAll().where('dossier_id', '=', dossierId).orderBy('id').execute(),
    audit: (await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).where('dossier_id', '=', dossierId).executeTakeFirstOrThrow()).n,
  };
}

async function addMember(admin: ApiClient, dossierId: string, profileId: string, name: string) {
  await server.ctx.db.updateTable('dossiers').set({ extra_seats: 5 }).where('id', '=', dossierId).execute();
  const member = await signUp(server.app, { name, dossierName: `${name} SARL` });
  const res = await admin.post(`/api/d/${dossierId}/members`, { email: member.email, profileId });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return member;
}

describe('recording payments', () => {
  it('a partial then a full payment: partially paid, then paid, to the cent', async () => {
    const { client, dossierId, customerId } = await seller();
    const invoice = await issuedInvoice(client, dossierId, customerId);
    expect(invoice).toMatchObject({ grossCents: GROSS, balanceCents: GROSS, paidCents: 0, displayStatus: 'issued' });

    const first = await pay(client, dossierId, invoice.id, 34_457, { method: 'cheque', reference: 'Chèque 1234567' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.paymentId).toEqual(expect.any(String));
    expect(first.body.document).toMatchObject({ displayStatus: 'partially_paid', paidCents: 34_457, balanceCents: 88_999, status: 'issued' });

    const second = await pay(client, dossierId, invoice.id, 88_999, { method: 'carte' });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.document).toMatchObject({ displayStatus: 'paid', paidCents: GROSS, balanceCents: 0 });

    expect(await payments(client, dossierId, invoice.id)).toEqual([
      expect.objectContaining({ id: first.body.paymentId, paidOn: TODAY, amountCents: 34_457, method: 'cheque', reference: 'Chèque 1234567', createdByName: 'Camille Durand', cancelledAt: null, cancelReason: null }),
      expect.objectContaining({ id: second.body.paymentId, paidOn: TODAY, amountCents: 88_999, method: 'carte', reference: null, cancelledAt: null }),
    ]);
    expect(await actions(client, dossierId, invoice.id)).toEqual(['document.created', 'document.issued', 'payment.recorded', 'payment.recorded']);
    const paid = await client.get(`/api/d/${dossierId}/invoices?status=paid`);
    expect(paid.body.items.map((d: Doc) => d.id)).toEqual([invoice.id]);
    expect(paid.body.totals).toMatchObject({ grossCents: GROSS, balanceCents: 0 });
  });

  it('an overpayment is refused with the amount due in French, and nothing is recorded', async () => {
    const { client, dossierId, customerId } = await seller();
    const invoice = await issuedInvoice(client, dossierId, customerId);
    const before = await state(dossierId);
    const over = await pay(client, dossierId, invoice.id, GROSS + 1);
    expect(over.status).toBe(409);
    expect(over.body.error).toEqual({
      code: 'overpayment',
      message: `Ce règlement dépasse le montant restant dû (1${NNBSP}234,56${NBSP}€).`,
      details: { due: `1${NNBSP}234,56${NBSP}€`, dueCents: GROSS },
    });
    expect(await state(dossierId)).toEqual(before);
    expect(await payments(client, dossierId, invoice.id)).toEqual([]);

    expect((await pay(client, dossierId, invoice.id, 100_000)).status).toBe(201);
    const after = await pay(client, dossierId, invoice.id, 23_457);
    expect(after.status).toBe(409);
    expect(after.body.error.message).toBe(`Ce règlement dépasse le montant restant dû (234,56${NBSP}€).`);
    expect((await get(client, dossierId, invoice.id)).balanceCents).toBe(23_456);
  });

  it('what a credit note took off is no longer due', async () => {
    const { client, dossierId, customerId } = await seller();
    const invoice = await issuedInvoice(client, dossierId, customerId, { lines: [KITCHEN, { ...KITCHEN, designation: 'Pose', unitPrice: '200', nature: 'service' }] });
    expect(invoice.grossCents).toBe(GROSS + 24_000);
    const note = (await client.post(invoiceUrl(dossierId, invoice.id, '/credit-note'), { lines: [{ position: 1, quantity: '1' }] })).body.document;
    expect((await issue(client, dossierId, note)).status).toBe(200);
    const over = await pay(client, dossierId, invoice.id, GROSS + 1);
    expect(over.status).toBe(409);
    expect(over.body.error.details).toEqual({ due: `1${NNBSP}234,56${NBSP}€`, dueCents: GROSS });
    const exact = await pay(client, dossierId, invoice.id, GROSS);
    expect(exact.body.document).toMatchObject({ displayStatus: 'paid', balanceCents: 0, paidCents: GROSS, creditedCents: 24_000 });
    // A fully credited invoice has nothing left to pay.
    const { id: cancelledId } = await issuedInvoice(client, dossierId, customerId);
    const full = (await client.post(invoiceUrl(dossierId, cancelledId, '/credit-note'), {})).body.document;
    expect((await issue(client, dossierId, full)).status).toBe(200);
    const nothingDue = await pay(client, dossierId, cancelledId, 1);
    expect(nothingDue.status).toBe(409);
    expect(nothingDue.body.error.details).toEqual({ due: `0,00${NBSP}€`, dueCents: 0 });
  });

  it('a paid invoice reduced by a credit note shows what is owed back to the customer', async () => {
    const { client, dossierId, customerId } = await seller();
    const invoice = await issuedInvoice(client, dossierId, customerId, { lines: [KITCHEN, { ...KITCHEN, designation: 'Pose', unitPrice: '200', nature: 'service' }] });
    expect((await pay(client, dossierId, invoice.id, GROSS + 24_000)).body.document).toMatchObject({ displayStatus: 'paid', balanceCents: 0 });
    const note = (await client.post(invoiceUrl(dossierId, invoice.id, '/credit-note'), { lines: [{ position: 1, quantity: '1' }] })).body.document;
    expect((await issue(client, dossierId, note)).status).toBe(200);
    expect(await get(client, dossierId, invoice.id)).toMatchObject({ displayStatus: 'to_refund', balanceCents: -24_000, creditedCents: 24_000 });
    const owed = await client.get(`/api/d/${dossierId}/invoices?status=to_refund`);
    expect(owed.body.items.map((d: Doc) => d.id)).toEqual([invoice.id]);
    expect(owed.body.totals).toMatchObject({ balanceCents: -24_000 });
    for (const other of ['paid', 'cancelled', 'issued']) {
      const listed = (await client.get(`/api/d/${dossierId}/invoices?status=${other}`)).body.items.map((d: Doc) => d.id);
      expect(listed, other).not.toContain(invoice.id);
    }
    // Nothing more can be paid on it.
    expect((await pay(client, dossierId, invoice.id, 1)).status).toBe(409);
  });

  it('a payment dated before the invoice is refused', async () => {
    const { client, dossierId, customerId } = await seller();
    const issueDate = addDays(TODAY, -10);
    const invoice = await issuedInvoice(client, dossierId, customerId, { issueDate });
    const before = await state(dossierId);
    const res = await pay(client, dossierId, invoice.id, 1_000, { paidOn: addDays(issueDate, -1) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { code: 'validation_failed', message: 'Certaines informations sont invalides.', details: { fields: { paidOn: `Le règlement ne peut pas précéder la facture (${formatDateFr(issueDate)}).` } } },
    });
    expect(await state(dossierId)).toEqual(before);
    expect((await pay(client, dossierId, invoice.id, 1_000, { paidOn: issueDate })).status).toBe(201);
  });

  it('bad payment bodies are refused field by field', async () => {
    const { client, dossierId, customerId } = await seller();
    const invoice = await issuedInvoice(client, dossierId, customerId);
    const before = await state(dossierId);
    const cases: [Record<string, unknown>, string[]][] = [
      [{ paidOn: TODAY, amountCents: 0, method: 'virement' }, ['amountCents']],
      [{ paidOn: TODAY, amountCents: 12.5, method: 'virement' }, ['amountCents']],
      [{ paidOn: TODAY, amountCents: -100, method: 'virement' }, ['amountCents']],
      [{ paidOn: '2026-13-01', amountCents: 100, method: 'virement' }, ['paidOn']],
      [{ paidOn: TODAY, amountCents: 100, method: 'bitcoin' }, ['method']],
      [{ paidOn: TODAY, amountCents: 100, method: 'virement', fee: 1 }, ['fee']],
    ];
    for (const [body, fields] of cases) {
      const res = await client.post(invoiceUrl(dossierId, invoice.id, '/payments'), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(Object.keys(res.body.error.details.fields), JSON.stringify(body)).toEqual(fields);
    }
    expect(await state(dossierId)).toEqual(before);
  });

  it('only issued invoices take payments: a draft → 409, a quote or a credit note → 404', async () => {
    const { client, dossierId, customerId } = await seller();
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [KITCHEN] });
    const quote = await createDraft(client, dossierId, { type: 'quote', customerId, lines: [KITCHEN] });
    expect((await issue(client, dossierId, quote)).status).toBe(200);
    const invoice = await issuedInvoice(client, dossierId, customerId);
    const note = (await client.post(invoiceUrl(dossierId, invoice.id, '/credit-note'), {})).body.document;
    expect((await issue(client, dossierId, note)).status).toBe(200);
    const before = await state(dossierId);
    const onDraft = await pay(client, dossierId, draft.id, 1_000);
    expect(onDraft.status).toBe(409);
    expect(onDraft.body.error.code).toBe('invalid_transition');
    for (const id of [quote.id, note.id]) {
      const res = await pay(client, dossierId, id, 1_000);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect((await client.get(invoiceUrl(dossierId, id, '/payments'))).status).toBe(404);
    }
    expect(await state(dossierId)).toEqual(before);
  });

  it('two simultaneous payments of the whole amount: one is recorded, the other refused', async () => {
    const { client, dossierId, customerId } = await seller();
    const invoice = await issuedInvoice(client, dossierId, customerId);
    const results = await Promise.all([0, 1].map(() => pay(client, dossierId, invoice.id, GROSS)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await get(client, dossierId, invoice.id)).toMatchObject({ paidCents: GROSS, balanceCents: 0, displayStatus: 'paid' });
    expect(await payments(client, dossierId, invoice.id)).toHaveLength(1);
  });

  it('an invoice past its due date shows overdue until it is paid', async () => {
    const { client, dossierId, customerId } = await seller();
    const issueDate = addDays(TODAY, -45);
    const invoice = await issuedInvoice(client, dossierId, customerId, { issueDate, paymentTerms: { days: 30, endOfMonth: false } });
    expect(invoice).toMatchObject({ issueDate, dueDate: addDays(issueDate, 30), displayStatus: 'overdue', balanceCents: GROSS });
    const partial = await pay(client, dossierId, invoice.id, 23_456);
    expect(partial.body.document).toMatchObject({ displayStatus: 'overdue', balanceCents: 100_000 });
    const overdue = await client.get(`/api/d/${dossierId}/invoices?status=overdue`);
    expect(overdue.body).toMatchObject({ total: 1, totals: { grossCents: GROSS, balanceCents: 100_000 } });
    expect((await client.get(`/api/d/${dossierId}/invoices?status=partially_paid`)).body.total).toBe(0);
    const rest = await pay(client, dossierId, invoice.id, 100_000);
    expect(rest.body.document).toMatchObject({ displayStatus: 'paid', balanceCents: 0 });
    expect((await client.get(`/api/d/${dossierId}/invoices?status=overdue`)).body.total).toBe(0);
  });
});

describe('cancelling payments', () => {
  it('restores the balance; the payment stays listed as cancelled; the history shows both', async () => {
    const { client, dossierId, customerId } = await seller();
    const invoice = await issuedInvoice(client, dossierId, customerId);
    const kept = (await pay(client, dossierId, invoice.id, 23_456)).body.paymentId;
    const bounced = (await pay(client, dossierId, invoice.id, 100_000, { method: 'cheque', reference: 'CHQ 42' })).body.paymentId;
    expect((await get(client, dossierId, invoice.id)).displayStatus).toBe('paid');

    const noReason = await client.post(invoiceUrl(dossierId, invoice.id, `/payments/${bounced}/cancel`), { reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details.fields).toEqual({ reason: 'Indiquez le motif.' });

    const cancelled = await client.post(invoiceUrl(dossierId, invoice.id, `/payments/${bounced}/cancel`), { reason: 'Chèque rejeté' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.document).toMatchObject({ displayStatus: 'partially_paid', paidCents: 23_456, balanceCents: 100_000 });
    const listed = await payments(client, dossierId, invoice.id);
    expect(listed.map((p) => [p.id, p.amountCents, p.cancelReason])).toEqual([
      [kept, 23_456, null],
      [bounced, 100_000, 'Chèque rejeté'],
    ]);
    expect(listed[0].cancelledAt).toBeNull();
    expect(new Date(listed[1].cancelledAt).getTime()).not.toBeNaN();

    const events = (await client.get(invoiceUrl(dossierId, invoice.id, '/history'))).body.events as any[];
    expect(events.map((e) => e.action)).toEqual(['document.created', 'document.issued', 'payment.recorded', 'payment.recorded', 'payment.cancelled']);
    expect(events[4].changes).toEqual({ paidCents: { before: GROSS, after: 23_456 } });
    expect(events[4].summary).toBe(`Annulation du règlement de 1${NNBSP}000,00${NBSP}€ du ${formatDateFr(TODAY)} : Chèque rejeté`);

    // Twice is refused, and changes nothing.
    const before = await state(dossierId);
    const twice = await client.post(invoiceUrl(dossierId, invoice.id, `/payments/${bounced}/cancel`), { reason: 'Encore' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('invalid_transition');
    expect(await state(dossierId)).toEqual(before);

    // The amount can be paid again.
    expect((await pay(client, dossierId, invoice.id, 100_000, { method: 'virement' })).body.document).toMatchObject({ displayStatus: 'paid', balanceCents: 0 });
  });

  it('a payment of another invoice cannot be cancelled through this one', async () => {
    const { client, dossierId, customerId } = await seller();
    const a = await issuedInvoice(client, dossierId, customerId);
    const b = await issuedInvoice(client, dossierId, customerId);
    const paymentId = (await pay(client, dossierId, a.id, 1_000)).body.paymentId;
    const res = await client.post(invoiceUrl(dossierId, b.id, `/payments/${paymentId}/cancel`), { reason: 'Erreur' });
    expect(res.status).toBe(404);
    expect((await get(client, dossierId, a.id)).paidCents).toBe(1_000);
  });

  it('the database refuses deleting or rewriting a payment, even as the owner role', async () => {
    const { client, dossierId, customerId } = await seller();
    const invoice = await issuedInvoice(client, dossierId, customerId);
    const paymentId = (await pay(client, dossierId, invoice.id, 1_000)).body.paymentId;
    const db = server.ctx.db;
    const one = (q: any) => q.where('dossier_id', '=', dossierId).where('id', '=', paymentId);
    await expect(one(db.deleteFrom('payments')).execute()).rejects.toThrow(/payments are cancelled, not deleted/);
    await expect(one(db.updateTable('payments').set({ amount_cents: 1 })).execute()).rejects.toThrow(/a payment can only be cancelled, once/);
    await expect(one(db.updateTable('payments').set({ paid_on: addDays(TODAY, -1) })).execute()).rejects.toThrow(/a payment can only be cancelled, once/);
    // The application role may not even try to delete.
    await expect(server.ctx.tx({ dossierId }, (t) => one(t.deleteFrom('payments')).execute())).rejects.toThrow(/permission denied/);
    await client.post(invoiceUrl(dossierId, invoice.id, `/payments/${paymentId}/cancel`), { reason: 'Doublon' });
    // Once cancelled, it cannot be revived.
    await expect(one(db.updateTable('payments').set({ cancelled_at: null, cancelled_by: null, cancel_reason: null })).execute()).rejects.toThrow(/a payment can only be cancelled, once/);
    expect(await db.selectFrom('payments').select(['amount_cents', 'cancel_reason']).where('dossier_id', '=', dossierId).execute()).toEqual([{ amount_cents: '1000', cancel_reason: 'Doublon' }]);
  });
});

describe('who may record payments', () => {
  it('payments.write is needed: a Commercial gets 403 and nothing changes; an ADV member may', async () => {
    const { client: admin, dossierId, customerId } = await seller();
    const invoice = await issuedInvoice(admin, dossierId, customerId);
    const paymentId = (await pay(admin, dossierId, invoice.id, 1_000)).body.paymentId;
    const sales = await addMember(admin, dossierId, 'commercial', 'Léa Commerciale');
    const reader = await addMember(admin, dossierId, 'readonly', 'Paul Lecteur');
    const adv = await addMember(admin, dossierId, 'adv', 'Hugo Martin');
    const before = await state(dossierId);
    for (const member of [sales, reader]) {
      const res = await pay(member.client, dossierId, invoice.id, 1_000);
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({ code: 'forbidden', message: 'Votre profil ne permet pas cette action.' });
      expect((await member.client.post(invoiceUrl(dossierId, invoice.id, `/payments/${paymentId}/cancel`), { reason: 'x' })).status).toBe(403);
    }
    expect(await state(dossierId)).toEqual(before);
    // The read-only member sees the payments; the Commercial does not see invoices at all.
    expect((await reader.client.get(invoiceUrl(dossierId, invoice.id, '/payments'))).status).toBe(200);
    expect((await sales.client.get(invoiceUrl(dossierId, invoice.id, '/payments'))).status).toBe(403);
    const byAdv = await pay(adv.client, dossierId, invoice.id, 2_000);
    expect(byAdv.status).toBe(201);
    expect(byAdv.body.document).toMatchObject({ paidCents: 3_000, balanceCents: GROSS - 3_000 });
    expect((await payments(admin, dossierId, invoice.id)).map((p) => p.createdByName)).toEqual(['Camille Durand', 'Hugo Martin']);
  });
});
