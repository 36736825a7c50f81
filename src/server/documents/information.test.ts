/**
 * A document's « Informations »: who created, changed, issued, downloaded, e-mailed, paid and
 * credited it, read back from what those actions left, with the right people and amounts to the
 * cent; the links to the documents it comes from and led to; the downloads' own table (recorded
 * for numbered documents only, append-only, tenant-scoped); and who may read it.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parisDate } from '../../core/dates';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp, type ApiClient } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, setUpSeller } from '../../../test/helpers/invoicing';
import { until } from '../../../test/helpers/smtp';

let server: TestServer;
let camille: ApiClient;
let bruno: ApiClient;
let dossierId: string;
let customerId: string;

/** 1 × 1 028.80 at 20 % (1 234.56 € with tax) and 2 × 150.00 at 20 % (360.00 €): 1 594.56 €. */
const KITCHEN = { kind: 'item', designation: 'Cuisine sur mesure', quantity: '1', unitPrice: '1028.8', vatRate: '20', nature: 'goods' };
const FITTING = { kind: 'item', designation: 'Pose', quantity: '2', unitPrice: '150', vatRate: '20', nature: 'service' };

async function member(admin: ApiClient, profileId: string, name: string): Promise<ApiClient> {
  const joining = await signUp(server.app, { name, dossierName: `${name} SARL` });
  const res = await admin.post(`/api/d/${dossierId}/members`, { email: joining.email, profileId });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return joining.client;
}

const url = (family: 'quotes' | 'invoices', id: string, suffix = '') => `/api/d/${dossierId}/${family}/${id}${suffix}`;

async function information(client: ApiClient, family: 'quotes' | 'invoices', id: string) {
  const res = await client.get(url(family, id, '/information'));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function ok(res: Promise<{ status: number; body: any }>, status = 200) {
  const answer = await res;
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body;
}

const who = (x: { actorName: string; actorProfile: string | null }) => `${x.actorName} (${x.actorProfile})`;

async function downloadRows(documentId: string): Promise<number> {
  const row = await server.ctx.db.selectFrom('document_downloads').select((eb) => eb.fn.countAll<string>().as('n')).where('document_id', '=', documentId).executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  server = await startTestServer();
  const owner = await signUp(server.app, { name: 'Camille Durand', dossierName: 'Menuiserie Lambert' });
  camille = owner.client;
  dossierId = owner.dossierId;
  await server.ctx.db.updateTable('dossiers').set({ extra_seats: 5 }).where('id', '=', dossierId).execute();
  await setUpSeller(camille, dossierId);
  customerId = await createCustomer(camille, dossierId);
  bruno = await member(camille, 'adv', 'Bruno Martin');
  // Bruno reads the app in English: what is recorded of him names his profile as the trail does, in French.
  await ok(bruno.patch('/api/me', { locale: 'en' }));
});
afterAll(() => server.close());

describe('an invoice created, changed, issued, downloaded, e-mailed, paid and credited', () => {
  let invoiceId: string;
  let creditNoteId: string;
  let info: any;

  beforeAll(async () => {
    const draft = await createDraft(camille, dossierId, { type: 'invoice', customerId, lines: [KITCHEN] });
    invoiceId = draft.id;
    // A draft's preview is not a download of the document.
    expect((await camille.get(url('invoices', invoiceId, '/pdf'))).status).toBe(200);
    const changed = await ok(bruno.patch(url('invoices', invoiceId), { version: draft.version, lines: [KITCHEN, FITTING] }));
    // Saved again as it was: in the history, but not a change.
    const resaved = await ok(camille.patch(url('invoices', invoiceId), { version: changed.document.version, lines: [KITCHEN, FITTING] }));
    await ok(issue(camille, dossierId, resaved.document));
    const inline = await bruno.get(url('invoices', invoiceId, '/pdf'));
    expect([inline.status, inline.headers['content-disposition']]).toEqual([200, expect.stringMatching(/^inline;/)]);
    const attachment = await camille.get(url('invoices', invoiceId, '/pdf?download=1'));
    expect([attachment.status, attachment.headers['content-disposition']]).toEqual([200, expect.stringMatching(/^attachment;/)]);
    const sent = await ok(bruno.post(url('invoices', invoiceId, '/send'), { to: ['compta@renard.example'], cc: ['direction@renard.example'], subject: 'Votre facture', body: 'Bonjour,\nci-joint notre facture.', idempotencyKey: 'information-1' }), 202);
    // Delivered to the local outbox by the queue's worker.
    await until('the message sent', async () => (await information(camille, 'invoices', invoiceId)).emails.find((m: { id: string; state: string }) => m.id === sent.message.id && m.state === 'sent'));
    const wrong = await ok(bruno.post(url('invoices', invoiceId, '/payments'), { paidOn: parisDate(), amountCents: 30_000, method: 'cheque' }), 201);
    await ok(camille.post(url('invoices', invoiceId, `/payments/${wrong.paymentId}/cancel`), { reason: 'Chèque sans provision' }));
    await ok(bruno.post(url('invoices', invoiceId, '/payments'), { paidOn: parisDate(), amountCents: 123_456, method: 'virement' }), 201);
    const credit = await ok(camille.post(url('invoices', invoiceId, '/credit-note'), { lines: [{ position: 1, quantity: '2' }] }), 201);
    creditNoteId = credit.document.id;
    expect((await camille.get(url('invoices', creditNoteId, '/pdf?download=1'))).status).toBe(200);
    await ok(issue(camille, dossierId, credit.document));
    info = await information(camille, 'invoices', invoiceId);
  });

  it('says who created, last changed and issued it, and when, in that order', () => {
    expect([who(info.created), who(info.lastChanged), who(info.issued), info.issued.action]).toEqual(['Camille Durand (Administrateur)', 'Bruno Martin (ADV)', 'Camille Durand (Administrateur)', 'document.issued']);
    const times = [info.created.at, info.lastChanged.at, info.issued.at];
    for (const at of times) expect(new Date(at).toISOString()).toBe(at);
    expect([...times].sort()).toEqual(times);
  });

  it('lists the two downloads of its PDF, inline then as a file, by whom; not the preview of its draft', async () => {
    expect(info.downloads.map((d: any) => [who(d), d.download])).toEqual([
      ['Bruno Martin (ADV)', false],
      ['Camille Durand (Administrateur)', true],
    ]);
    expect(info.downloads[0].at >= info.issued.at).toBe(true);
    expect(await downloadRows(invoiceId)).toBe(2);
    // The credit note's draft was previewed before it was issued: nothing recorded for it.
    expect(await downloadRows(creditNoteId)).toBe(0);
    expect((await information(camille, 'invoices', creditNoteId)).downloads).toEqual([]);
  });

  it('shows the e-mail with its recipients, who asked, and its outcome as the outbox has it', () => {
    expect(info.emails).toHaveLength(1);
    const [mail] = info.emails;
    expect(mail).toMatchObject({ to: ['compta@renard.example'], cc: ['direction@renard.example'], bcc: [], state: 'sent', subject: 'Votre facture', reminderLevel: null });
    expect(who(mail.requested)).toBe('Bruno Martin (ADV)');
    expect(mail.steps.map((s: any) => [s.action, s.actorName, s.actorProfile])).toEqual([['document.email_sent', 'Envoi automatique', null]]);
    expect(mail.sentAt >= mail.requested.at).toBe(true);
  });

  it('lists each payment recorded or cancelled, by whom, to the cent', () => {
    expect(info.payments.map((p: any) => [p.action, who(p), p.amountCents])).toEqual([
      ['payment.recorded', 'Bruno Martin (ADV)', 30_000],
      ['payment.cancelled', 'Camille Durand (Administrateur)', 30_000],
      ['payment.recorded', 'Bruno Martin (ADV)', 123_456],
    ]);
  });

  it('names the credit note that references it, and the credit it made', async () => {
    const note = (await ok(camille.get(url('invoices', creditNoteId)))).document;
    expect(note.number).toMatch(/^AV-/);
    expect(info.links).toEqual({ duplicatedFrom: null, convertedFrom: null, corrects: null, duplicatedTo: [], convertedTo: [], creditNotes: [{ id: creditNoteId, type: 'credit_note', number: note.number }] });
    expect(info.credits.map((c: any) => [who(c), c.amountCents])).toEqual([['Camille Durand (Administrateur)', 36_000]]);
    const invoice = (await ok(camille.get(url('invoices', invoiceId)))).document;
    expect((await information(camille, 'invoices', creditNoteId)).links.corrects).toEqual({ id: invoiceId, type: 'invoice', number: invoice.number });
  });

  it('is the same for every reader of the document, in either language', async () => {
    expect(await information(bruno, 'invoices', invoiceId)).toEqual(info);
  });
});

describe('links between documents', () => {
  it('a quote converted into an invoice, and that invoice duplicated: each side names the other, by number or as a draft', async () => {
    const quote = await createDraft(camille, dossierId, { type: 'quote', customerId, lines: [KITCHEN] });
    const finalised = await ok(issue(camille, dossierId, quote));
    await ok(camille.post(url('quotes', quote.id, '/accept')));
    const invoice = (await ok(camille.post(url('quotes', quote.id, '/convert'), { target: 'invoice' }), 201)).document;
    const copy = (await ok(camille.post(url('invoices', invoice.id, '/duplicate'), { type: 'invoice' }), 201)).document;
    // A quote duplicated into an invoice is a copy, not a conversion.
    const quoteCopy = (await ok(camille.post(url('quotes', quote.id, '/duplicate'), { type: 'invoice' }), 201)).document;

    const ofQuote = await information(camille, 'quotes', quote.id);
    expect(ofQuote.issued.action).toBe('document.finalised');
    expect(ofQuote.links).toMatchObject({
      convertedTo: [{ id: invoice.id, type: 'invoice', number: null }],
      duplicatedTo: [{ id: quoteCopy.id, type: 'invoice', number: null }],
      convertedFrom: null,
      duplicatedFrom: null,
    });
    const ofInvoice = await information(camille, 'invoices', invoice.id);
    expect(ofInvoice.links).toMatchObject({ convertedFrom: { id: quote.id, type: 'quote', number: finalised.document.number }, duplicatedFrom: null, duplicatedTo: [{ id: copy.id, number: null }], convertedTo: [] });
    expect((await information(camille, 'invoices', copy.id)).links).toMatchObject({ duplicatedFrom: { id: invoice.id }, convertedFrom: null });
    expect((await information(camille, 'invoices', quoteCopy.id)).links).toMatchObject({ duplicatedFrom: { id: quote.id }, convertedFrom: null });

    // A reader of invoices who may not read quotes is not told of the quote, not even its number.
    const profile = await ok(camille.post(`/api/d/${dossierId}/profiles`, { name: 'Factures seulement', permissions: ['invoices.read'] }), 201);
    const reader = await member(camille, profile.profile.id, 'Dominique Petit');
    const blind = await information(reader, 'invoices', invoice.id);
    expect(blind.links.convertedFrom).toBeNull();
    expect(JSON.stringify(blind)).not.toContain(quote.id);
  });
});

describe('who may read it', () => {
  let invoiceId: string;
  beforeAll(async () => {
    const draft = await createDraft(camille, dossierId, { type: 'invoice', customerId, lines: [KITCHEN] });
    await ok(issue(camille, dossierId, draft));
    invoiceId = draft.id;
  });

  it('a member of another dossier gets 404, for the information and for the PDF, and nothing is recorded', async () => {
    const outsider = (await signUp(server.app, { dossierName: 'Autre Société' })).client;
    for (const suffix of ['/information', '/pdf']) {
      const res = await outsider.get(url('invoices', invoiceId, suffix));
      expect([res.status, res.body.error?.code]).toEqual([404, 'not_found']);
    }
    expect(await downloadRows(invoiceId)).toBe(0);
  });

  it('a profile without the right to read invoices gets 403', async () => {
    const sales = await member(camille, 'commercial', 'Élise Roy');
    const res = await sales.get(url('invoices', invoiceId, '/information'));
    expect([res.status, res.body.error?.code]).toEqual([403, 'forbidden']);
  });

  it('a document of the other family is not found', async () => {
    expect((await camille.get(`/api/d/${dossierId}/quotes/${invoiceId}/information`)).status).toBe(404);
    expect((await camille.get(`/api/d/${dossierId}/quotes/${invoiceId}/pdf`)).status).toBe(404);
    expect(await downloadRows(invoiceId)).toBe(0);
  });
});

describe('the downloads table', () => {
  it('is append-only, for the owner role too', async () => {
    const draft = await createDraft(camille, dossierId, { type: 'invoice', customerId, lines: [KITCHEN] });
    await ok(issue(camille, dossierId, draft));
    expect((await camille.get(url('invoices', draft.id, '/pdf'))).status).toBe(200);
    await expect(server.ctx.db.updateTable('document_downloads').set({ user_name: 'Quelqu’un d’autre' }).where('document_id', '=', draft.id).execute()).rejects.toThrow(/append-only/);
    await expect(server.ctx.db.deleteFrom('document_downloads').where('document_id', '=', draft.id).execute()).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE document_downloads`.execute(server.ctx.db)).rejects.toThrow(/append-only/);
    expect(await downloadRows(draft.id)).toBe(1);
  });

  it("is scoped by row-level security: a dossier's transaction neither sees nor writes another's downloads", async () => {
    const other = await signUp(server.app, { dossierName: 'Boulangerie Renard' });
    await setUpSeller(other.client, other.dossierId);
    const theirCustomer = await createCustomer(other.client, other.dossierId);
    const theirs = await createDraft(other.client, other.dossierId, { type: 'invoice', customerId: theirCustomer, lines: [KITCHEN] });
    await ok(issue(other.client, other.dossierId, theirs));
    expect((await other.client.get(`/api/d/${other.dossierId}/invoices/${theirs.id}/pdf`)).status).toBe(200);
    const seen = await server.ctx.tx({ dossierId }, (t) => t.selectFrom('document_downloads').select('dossier_id').distinct().execute());
    expect(seen).toEqual([{ dossier_id: dossierId }]);
    const row = { dossier_id: other.dossierId, document_id: theirs.id, id: crypto.randomUUID(), user_id: other.user.id, user_name: 'Intrus', user_profile: null, download: true };
    await expect(server.ctx.tx({ dossierId }, (t) => t.insertInto('document_downloads').values(row).execute())).rejects.toThrow(/row-level security/);
  });
});
