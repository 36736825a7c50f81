/**
 * Document lifecycle through the API: quotes (finalise, answer, expire), deposits and the final
 * invoice that deducts them, credit notes, duplicates, concurrent edits of a draft, bad input and
 * lists. Amounts are asserted to the cent, computed by hand from the rounding rules of
 * core/totals.ts (half-up, VAT once per rate on the sum of the nets at that rate).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, formatDateFr, parisDate } from '../../core/dates';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { type ApiClient, signUp } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, setUpSeller } from '../../../test/helpers/invoicing';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ DB_POOL_SIZE: '10' });
});
afterAll(() => server.close());

const TODAY = parisDate();
const YEAR = TODAY.slice(0, 4);
const NBSP = '\u00a0';
const NNBSP = '\u202f';

type Doc = any;
type VatRow = { rate: string; baseCents: number; vatCents: number; saleBaseCents: number; saleVatCents: number; depositBaseCents: number; depositVatCents: number };

async function seller(opts: { name?: string; settings?: Record<string, unknown> } = {}) {
  const owner = await signUp(server.app, { name: opts.name ?? 'Camille Durand' });
  await setUpSeller(owner.client, owner.dossierId, opts.settings);
  const customerId = await createCustomer(owner.client, owner.dossierId);
  return { ...owner, customerId };
}

/** Adds an existing account to the dossier with a built-in profile (outcome "added"). */
async function addMember(admin: ApiClient, dossierId: string, profileId: string, name: string) {
  await server.ctx.db.updateTable('dossiers').set({ extra_seats: 5 }).where('id', '=', dossierId).execute();
  const member = await signUp(server.app, { name, dossierName: `${name} SARL` });
  const res = await admin.post(`/api/d/${dossierId}/members`, { email: member.email, profileId });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body).toEqual({ outcome: 'added' });
  return member;
}

const family = (type: string) => (type === 'quote' ? 'quotes' : 'invoices');
const docUrl = (dossierId: string, doc: { id: string; type: string }, suffix = '') => `/api/d/${dossierId}/${family(doc.type)}/${doc.id}${suffix}`;

async function get(client: ApiClient, dossierId: string, doc: { id: string; type: string }): Promise<Doc> {
  const res = await client.get(docUrl(dossierId, doc));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.document;
}

async function issued(client: ApiClient, dossierId: string, doc: Doc): Promise<Doc> {
  const res = await issue(client, dossierId, doc);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.document;
}

async function history(client: ApiClient, dossierId: string, doc: { id: string; type: string }) {
  const res = await client.get(docUrl(dossierId, doc, '/history'));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.events as { action: string; summary: string; changes: any; actorName: string }[];
}

async function post(client: ApiClient, url: string, body: unknown, status = 201): Promise<Doc> {
  const res = await client.post(url, body);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body.document;
}

async function acceptedQuote(client: ApiClient, dossierId: string, body: Record<string, unknown>): Promise<Doc> {
  const draft = await createDraft(client, dossierId, { type: 'quote', ...body });
  const quote = await issued(client, dossierId, draft);
  return post(client, docUrl(dossierId, quote, '/accept'), undefined, 200);
}

const vatOf = (doc: Doc) => (doc.totals.vat as VatRow[]).map((v) => [v.rate, v.baseCents, v.vatCents]);

/** Everything the dossier holds that an API call could change (for "nothing changed" checks). */
async function dossierState(dossierId: string) {
  const db = server.ctx.db;
  return {
    // (Without the frozen PDF's id: it is set after the commit of an issue, in the background.)
    documents: (await db.selectFrom('documents').selectAll().where('dossier_id', '=', dossierId).orderBy('id').execute()).map(({ pdf_file_id: _, ...row }) => row),
    lines: await db.selectFrom('document_lines').selectAll().where('dossier_id', '=', dossierId).orderBy('document_id').orderBy('position').execute(),
    deposits: await db.selectFrom('document_deposits').selectAll().where('dossier_id', '=', dossierId).orderBy('document_id').execute(),
    counters: await db.selectFrom('number_counters').selectAll().where('dossier_id', '=', dossierId).orderBy('series').execute(),
    audit: (await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).where('dossier_id', '=', dossierId).executeTakeFirstOrThrow()).n,
  };
}

function validationError(fields: Record<string, string>) {
  return { error: { code: 'validation_failed', message: 'Certaines informations sont invalides.', details: { fields } } };
}

// 3 × 33.33 = 99.99 at 20 % → VAT 19.998 → 20.00; 7 × 1.4999 = 10.4993 → 10.50 at 5.5 % → VAT 0.5775 → 0.58.
const AWKWARD = [
  { kind: 'item', designation: 'Étagères', quantity: '3', unitPrice: '33.33', vatRate: '20', nature: 'goods' },
  { kind: 'item', designation: 'Isolant', quantity: '7', unitPrice: '1.4999', vatRate: '5.5', nature: 'goods' },
];
const AWKWARD_GROSS = 9_999 + 2_000 + 1_050 + 58; // 131,07 €

describe('quotes', () => {
  it('finalises with the first quote number, is accepted, and keeps its history', async () => {
    const { client, dossierId, customerId } = await seller();
    const draft = await createDraft(client, dossierId, { type: 'quote', customerId, lines: [LINE] });
    expect(draft).toMatchObject({ status: 'draft', displayStatus: 'draft', number: null, issueDate: TODAY, validityDate: addDays(TODAY, 30), dueDate: null });
    const quote = await issued(client, dossierId, draft);
    expect(quote).toMatchObject({ number: `D-${YEAR}-0001`, status: 'finalised', displayStatus: 'finalised', grossCents: 64_200, netCents: 53_500, vatCents: 10_700, balanceCents: 0 });
    const accepted = await post(client, docUrl(dossierId, quote, '/accept'), undefined, 200);
    expect(accepted).toMatchObject({ number: `D-${YEAR}-0001`, status: 'accepted', displayStatus: 'accepted' });
    // Accepting twice is not a transition.
    const twice = await client.post(docUrl(dossierId, quote, '/accept'));
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('invalid_transition');
    expect((await history(client, dossierId, quote)).map((e) => e.action)).toEqual(['document.created', 'document.finalised', 'quote.accepted']);
    // A second quote takes the next number; invoices are another series.
    const second = await issued(client, dossierId, await createDraft(client, dossierId, { type: 'quote', customerId, lines: [LINE] }));
    expect(second.number).toBe(`D-${YEAR}-0002`);
  });

  it('a refused quote (or one not yet accepted) cannot be converted', async () => {
    const { client, dossierId, customerId } = await seller();
    const quote = await issued(client, dossierId, await createDraft(client, dossierId, { type: 'quote', customerId, lines: [LINE] }));
    const early = await client.post(docUrl(dossierId, quote, '/convert'), { target: 'invoice' });
    expect(early.status).toBe(409);
    expect(early.body.error).toEqual({ code: 'invalid_transition', message: "Cette action n'est pas possible dans l'état actuel de la pièce." });
    const refused = await post(client, docUrl(dossierId, quote, '/refuse'), undefined, 200);
    expect(refused).toMatchObject({ status: 'refused', displayStatus: 'refused' });
    const before = await dossierState(dossierId);
    for (const body of [{ target: 'invoice' }, { target: 'deposit_invoice', percent: '30' }]) {
      const res = await client.post(docUrl(dossierId, quote, '/convert'), body);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('invalid_transition');
    }
    expect((await client.post(docUrl(dossierId, quote, '/accept'))).body.error.code).toBe('invalid_transition');
    expect(await dossierState(dossierId)).toEqual(before);
  });

  it('a finalised quote past its validity date shows as expired (and is listed so)', async () => {
    const { client, dossierId, customerId } = await seller();
    // Last year's dates, so that they are past whatever the day the test runs.
    const year = String(Number(YEAR) - 1);
    const draft = await createDraft(client, dossierId, { type: 'quote', customerId, issueDate: `${year}-01-05`, validityDate: `${year}-02-04`, lines: [LINE] });
    expect(draft.displayStatus).toBe('draft');
    const quote = await issued(client, dossierId, draft);
    expect(quote).toMatchObject({ number: `D-${year}-0001`, status: 'finalised', displayStatus: 'expired', issueDate: `${year}-01-05`, validityDate: `${year}-02-04` });
    const current = await issued(client, dossierId, await createDraft(client, dossierId, { type: 'quote', customerId, lines: [LINE] }));
    expect(current.displayStatus).toBe('finalised');
    const expired = await client.get(`/api/d/${dossierId}/quotes?status=expired`);
    expect(expired.body.items.map((d: Doc) => d.number)).toEqual([`D-${year}-0001`]);
    const finalised = await client.get(`/api/d/${dossierId}/quotes?status=finalised`);
    expect(finalised.body.items.map((d: Doc) => d.number)).toEqual([`D-${YEAR}-0001`]);
  });
});

describe('deposits and the final invoice', () => {
  it('a 30 % deposit on a two-rate quote with awkward amounts, then the final invoice deducting it, to the cent', async () => {
    const { client, dossierId, customerId } = await seller();
    const quote = await acceptedQuote(client, dossierId, { customerId, lines: AWKWARD });
    expect(vatOf(quote)).toEqual([
      ['20', 9_999, 2_000],
      ['5.5', 1_050, 58],
    ]);
    expect(quote.grossCents).toBe(AWKWARD_GROSS);

    const depositDraft = await post(client, docUrl(dossierId, quote, '/convert'), { target: 'deposit_invoice', percent: '30' });
    expect(depositDraft).toMatchObject({ type: 'deposit_invoice', status: 'draft', sourceId: quote.id, customerId });
    // 30 % of each base: 2 999.7 → 30.00 at 20 % (VAT 6.00); 315 → 3.15 at 5.5 % (VAT 0.17325 → 0.17).
    expect(depositDraft.lines.map((l: any) => [l.designation, l.quantity, l.unitPrice, l.vatRate])).toEqual([
      [`Acompte de 30 % sur le devis D-${YEAR}-0001 du ${formatDateFr(TODAY)} : Étagères`, '1', '30', '20'],
      [`Acompte de 30 % sur le devis D-${YEAR}-0001 du ${formatDateFr(TODAY)} : Isolant`, '1', '3.15', '5.5'],
    ]);
    const deposit = await issued(client, dossierId, depositDraft);
    expect(deposit).toMatchObject({ number: `F-${YEAR}-0001`, status: 'issued', netCents: 3_315, vatCents: 617, grossCents: 3_932 });
    expect(vatOf(deposit)).toEqual([
      ['20', 3_000, 600],
      ['5.5', 315, 17],
    ]);

    const finalDraft = await post(client, docUrl(dossierId, quote, '/convert'), { target: 'invoice' });
    expect(finalDraft).toMatchObject({ type: 'invoice', status: 'draft', sourceId: quote.id });
    expect(finalDraft.lines).toEqual(quote.lines);
    expect(finalDraft.deductions).toEqual([
      {
        depositId: deposit.id,
        number: `F-${YEAR}-0001`,
        vat: [
          { rate: '20', baseCents: 3_000, vatCents: 600 },
          { rate: '5.5', baseCents: 315, vatCents: 17 },
        ],
      },
    ]);
    const final = await issued(client, dossierId, finalDraft);
    expect(final.number).toBe(`F-${YEAR}-0002`);
    for (const doc of [finalDraft, final]) {
      expect(doc.totals.vat.map((v: VatRow) => [v.rate, v.saleBaseCents, v.saleVatCents, v.depositBaseCents, v.depositVatCents, v.baseCents, v.vatCents])).toEqual([
        ['20', 9_999, 2_000, 3_000, 600, 6_999, 1_400],
        ['5.5', 1_050, 58, 315, 17, 735, 41],
      ]);
      expect(doc.totals).toMatchObject({ saleGrossCents: AWKWARD_GROSS, depositsGrossCents: 3_932, depositsNetCents: 3_315, depositsVatCents: 617 });
      expect(doc).toMatchObject({ netCents: 7_734, vatCents: 1_441, grossCents: 9_175, balanceCents: 9_175 });
    }
    expect(deposit.grossCents + final.grossCents).toBe(quote.grossCents);
    for (const v of final.totals.vat as VatRow[]) {
      const q = (quote.totals.vat as VatRow[]).find((x) => x.rate === v.rate)!;
      const dep = (deposit.totals.vat as VatRow[]).find((x) => x.rate === v.rate)!;
      expect(v.vatCents).toBe(q.vatCents - dep.vatCents);
      expect(v.baseCents).toBe(q.baseCents - dep.baseCents);
    }

    // The quote is invoiced: billing it a second time is refused, naming the invoice, and changes nothing.
    const countBefore = (await server.ctx.db.selectFrom('documents').select('id').where('dossier_id', '=', dossierId).execute()).length;
    const again = await client.post(docUrl(dossierId, quote, '/convert'), { target: 'invoice' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'already_invoiced', message: `Ce devis a déjà été facturé (facture F-${YEAR}-0002).` });
    expect((await server.ctx.db.selectFrom('documents').select('id').where('dossier_id', '=', dossierId).execute()).length).toBe(countBefore);

    const quoteHistory = await history(client, dossierId, quote);
    expect(quoteHistory.filter((e) => e.action === 'quote.converted').map((e) => e.changes.createdDocumentId.after)).toEqual([deposit.id, final.id]);
  });

  it('the date of the sale or service on the quote is carried to its deposit and final invoices', async () => {
    const { client, dossierId, customerId } = await seller();
    const serviceDate = addDays(TODAY, 21);
    const quote = await acceptedQuote(client, dossierId, { customerId, serviceDate, lines: [LINE] });
    expect(quote.serviceDate).toBe(serviceDate);
    const deposit = await issued(client, dossierId, await post(client, docUrl(dossierId, quote, '/convert'), { target: 'deposit_invoice', percent: '30' }));
    const final = await issued(client, dossierId, await post(client, docUrl(dossierId, quote, '/convert'), { target: 'invoice' }));
    expect([deposit.serviceDate, final.serviceDate]).toEqual([serviceDate, serviceDate]);
  });

  it('a deposit by amount, and two deposits deducted by one final invoice', async () => {
    const { client, dossierId, customerId } = await seller();
    const quote = await acceptedQuote(client, dossierId, { customerId, lines: AWKWARD });
    const byPercent = await issued(client, dossierId, await post(client, docUrl(dossierId, quote, '/convert'), { target: 'deposit_invoice', percent: '30' }));
    expect(byPercent.grossCents).toBe(3_932);
    // 50,00 € of 131,07 €: 9 999 × 5 000 / 13 107 = 3 814.37 → 38.14 (VAT 7.628 → 7.63);
    // 1 050 × 5 000 / 13 107 = 400.55 → 4.01 (VAT 0.22055 → 0.22). Gross 50.00 exactly.
    const byAmountDraft = await post(client, docUrl(dossierId, quote, '/convert'), { target: 'deposit_invoice', amountCents: 5_000 });
    expect(byAmountDraft.lines.map((l: any) => [l.designation, l.unitPrice, l.vatRate])).toEqual([
      [`Acompte de 50,00${NBSP}€ TTC sur le devis D-${YEAR}-0001 du ${formatDateFr(TODAY)} : Étagères`, '38.14', '20'],
      [`Acompte de 50,00${NBSP}€ TTC sur le devis D-${YEAR}-0001 du ${formatDateFr(TODAY)} : Isolant`, '4.01', '5.5'],
    ]);
    const byAmount = await issued(client, dossierId, byAmountDraft);
    expect(vatOf(byAmount)).toEqual([
      ['20', 3_814, 763],
      ['5.5', 401, 22],
    ]);
    expect(byAmount).toMatchObject({ number: `F-${YEAR}-0002`, grossCents: 5_000 });

    const tooMuch = await client.post(docUrl(dossierId, quote, '/convert'), { target: 'deposit_invoice', amountCents: AWKWARD_GROSS + 1 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error.details.fields.amountCents).toBe(`L'acompte doit être compris entre 0,01${NBSP}€ et le total du devis (131,07${NBSP}€).`);

    const final = await issued(client, dossierId, await post(client, docUrl(dossierId, quote, '/convert'), { target: 'invoice' }));
    expect(final.deductions.map((d: any) => d.number)).toEqual(expect.arrayContaining([`F-${YEAR}-0001`, `F-${YEAR}-0002`]));
    expect(final.deductions).toHaveLength(2);
    expect(final.totals.vat.map((v: VatRow) => [v.rate, v.depositBaseCents, v.depositVatCents, v.baseCents, v.vatCents])).toEqual([
      ['20', 6_814, 1_363, 3_185, 637],
      ['5.5', 716, 39, 334, 19],
    ]);
    expect(final).toMatchObject({ number: `F-${YEAR}-0003`, grossCents: 4_175 });
    expect(byPercent.grossCents + byAmount.grossCents + final.grossCents).toBe(quote.grossCents);
  });

  it('a deposit on a quote mostly of goods states goods and services as the quote does, and describes what it pays for', async () => {
    const { client, dossierId, customerId } = await seller();
    const lines = [
      { kind: 'item', designation: 'Carrelage grès cérame', quantity: '25', unitPrice: '40', vatRate: '20', nature: 'goods' },
      { kind: 'item', designation: 'Pose de carrelage', quantity: '5', unitPrice: '35', vatRate: '20', nature: 'service' },
    ];
    const quote = await acceptedQuote(client, dossierId, { customerId, lines });
    const deposit = await issued(client, dossierId, await post(client, docUrl(dossierId, quote, '/convert'), { target: 'deposit_invoice', percent: '30' }));
    expect(deposit.lines.map((l: any) => [l.designation, l.unitPrice, l.nature])).toEqual([
      [`Acompte de 30 % sur le devis ${quote.number} du ${formatDateFr(TODAY)} : Carrelage grès cérame`, '300', 'goods'],
      [`Acompte de 30 % sur le devis ${quote.number} du ${formatDateFr(TODAY)} : Pose de carrelage`, '52.5', 'service'],
    ]);
    const goodsOnly = await acceptedQuote(client, dossierId, { customerId, lines: [lines[0]] });
    const goodsDeposit = await post(client, docUrl(dossierId, goodsOnly, '/convert'), { target: 'deposit_invoice', percent: '30' });
    expect(goodsDeposit.lines.map((l: any) => l.nature)).toEqual(['goods']);
  });

  it('a deposit of 33,33 € on a quote at 20 % alone is 33,32 € and says so; with a second rate it is 33,33 € exactly', async () => {
    const { client, dossierId, customerId } = await seller();
    const single = await acceptedQuote(client, dossierId, { customerId, lines: [LINE] });
    const near = await post(client, docUrl(dossierId, single, '/convert'), { target: 'deposit_invoice', amountCents: 3_333 });
    expect(near.grossCents).toBe(3_332);
    expect(near.lines[0].designation).toMatch(new RegExp(`^Acompte de 33,32${NBSP}€ TTC sur le devis`));
    const mixed = await acceptedQuote(client, dossierId, { customerId, lines: AWKWARD });
    const exact = await issued(client, dossierId, await post(client, docUrl(dossierId, mixed, '/convert'), { target: 'deposit_invoice', amountCents: 3_333 }));
    expect(exact.grossCents).toBe(3_333);
    expect(exact.lines[0].designation).toMatch(new RegExp(`^Acompte de 33,33${NBSP}€ TTC sur le devis`));
    const final = await issued(client, dossierId, await post(client, docUrl(dossierId, mixed, '/convert'), { target: 'invoice' }));
    expect(exact.grossCents + final.grossCents).toBe(mixed.grossCents);
  });

  it('property: deposit + final invoice = the quote, to the cent, for random quotes and deposits', { timeout: 300_000 }, async () => {
    const { client, dossierId, customerId } = await seller();
    const scaled = (n: number, scale: number) => `${Math.floor(n / 10 ** scale)}.${String(n % 10 ** scale).padStart(scale, '0')}`;
    const line = fc.record({
      quantity: fc.integer({ min: 1, max: 50_000_000 }).map((n) => scaled(n, 3)),
      unitPrice: fc.integer({ min: 1, max: 20_000_000 }).map((n) => scaled(n, 4)),
      vatRate: fc.constantFrom('20', '10', '5.5', '2.1', '0'),
      discount: fc.option(fc.integer({ min: 0, max: 5_000 }).map((n) => ({ type: 'percent' as const, value: scaled(n, 2) })), { nil: undefined }),
    });
    const quoteArb = fc.record({
      lines: fc.array(line, { minLength: 1, maxLength: 4 }),
      discount: fc.option(fc.integer({ min: 0, max: 3_000 }).map((n) => ({ type: 'percent' as const, value: scaled(n, 2) })), { nil: undefined }),
      percent: fc.integer({ min: 1, max: 10_000 }).map((n) => scaled(n, 2)),
      // Some deposits are an amount instead: this share (in 1/10 000) of the quote's total.
      amountShare: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(quoteArb, async ({ lines, discount, percent, amountShare }) => {
        const body = { customerId, discount: discount ?? null, lines: lines.map((l, i) => ({ kind: 'item', designation: `Ligne ${i + 1}`, nature: 'service', ...l, discount: l.discount ?? null })) };
        const quote = await acceptedQuote(client, dossierId, body);
        const amountCents = amountShare !== undefined && quote.grossCents > 0 ? Math.max(1, Math.floor((quote.grossCents * amountShare) / 10_000)) : undefined;
        const conversion = amountCents !== undefined ? { target: 'deposit_invoice', amountCents } : { target: 'deposit_invoice', percent };
        const deposit = await issued(client, dossierId, await post(client, docUrl(dossierId, quote, '/convert'), conversion));
        const final = await issued(client, dossierId, await post(client, docUrl(dossierId, quote, '/convert'), { target: 'invoice' }));
        expect(deposit.grossCents + final.grossCents).toBe(quote.grossCents);
        expect(deposit.netCents + final.netCents).toBe(quote.netCents);
        expect(deposit.vatCents + final.vatCents).toBe(quote.vatCents);
        for (const v of quote.totals.vat as VatRow[]) {
          const dep = (deposit.totals.vat as VatRow[]).find((x) => x.rate === v.rate)!;
          const fin = (final.totals.vat as VatRow[]).find((x) => x.rate === v.rate)!;
          expect([fin.baseCents + dep.baseCents, fin.vatCents + dep.vatCents]).toEqual([v.baseCents, v.vatCents]);
        }
      }),
      { numRuns: 15 },
    );
  });
});

describe('credit notes', () => {
  it('a full credit note has its own series, the invoice totals, and cancels the invoice', async () => {
    const { client, dossierId, customerId } = await seller();
    const lines = [LINE, { kind: 'section', designation: 'Finitions' }, { ...LINE, designation: 'Plinthes', quantity: '3', unitPrice: '19.99', vatRate: '10' }];
    const invoice = await issued(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, lines, discount: { type: 'amount', value: '10' } }));
    // Bases 535.00 (20 %) and 59.97 (10 %): the 10.00 € discount shared 8.99 + 1.00, the last cent to the
    // larger remainder (10 % line): 1.01. → 526.01 (VAT 105.202 → 105.20) and 58.96 (VAT 5.896 → 5.90).
    expect(vatOf(invoice)).toEqual([
      ['20', 52_601, 10_520],
      ['10', 5_896, 590],
    ]);
    expect(invoice.grossCents).toBe(69_607);
    const draft = await post(client, `/api/d/${dossierId}/invoices/${invoice.id}/credit-note`, {});
    expect(draft).toMatchObject({ type: 'credit_note', status: 'draft', number: null, correctsId: invoice.id, customerId, grossCents: 69_607 });
    const note = await issued(client, dossierId, draft);
    expect(note).toMatchObject({ number: `AV-${YEAR}-0001`, status: 'issued', displayStatus: 'issued' });
    expect([note.netCents, note.vatCents, note.grossCents]).toEqual([invoice.netCents, invoice.vatCents, invoice.grossCents]);
    expect(note.totals).toEqual(invoice.totals);
    expect(note.lines).toEqual(invoice.lines);
    const after = await get(client, dossierId, invoice);
    expect(after).toMatchObject({ displayStatus: 'cancelled', creditedCents: 69_607, balanceCents: 0, paidCents: 0, number: `F-${YEAR}-0001` });
    const events = await history(client, dossierId, invoice);
    expect(events.map((e) => e.action)).toEqual(['document.created', 'document.issued', 'document.credit_note_created', 'document.credited']);
    expect(events[2]!.changes.createdDocumentId.after).toBe(note.id);
    expect(events[3]!.changes.creditedCents).toEqual({ before: 0, after: 69_607 });
    // The next invoice keeps the invoice series going.
    expect((await issued(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] }))).number).toBe(`F-${YEAR}-0002`);
  });

  it('a partial credit note of chosen lines and quantities; more than what remains is refused and changes nothing', async () => {
    const { client, dossierId, customerId } = await seller();
    const lines = [LINE, { kind: 'comment', designation: 'Chêne massif' }, { ...LINE, designation: 'Plinthes', quantity: '3', unitPrice: '19.99', vatRate: '10' }];
    const invoice = await issued(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, lines }));
    expect(invoice.grossCents).toBe(70_797); // 535.00 + 107.00 + 59.97 + 6.00
    const url = `/api/d/${dossierId}/invoices/${invoice.id}/credit-note`;

    const badBefore = await dossierState(dossierId);
    const bad = await client.post(url, { lines: [{ position: 0, quantity: '12.501' }, { position: 1, quantity: '1' }, { position: 7, quantity: '1' }] });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(
      validationError({ 'lines.0.quantity': 'La quantité doit être comprise entre 0 et 12.5.', 'lines.1.position': 'Ligne inconnue sur la facture.', 'lines.2.position': 'Ligne inconnue sur la facture.' }),
    );
    expect(await dossierState(dossierId)).toEqual(badBefore);

    // 1 × 19.99 at 10 % (VAT 1.999 → 2.00) and 2.5 × 42.80 = 107.00 at 20 % (VAT 21.40).
    const draft = await post(client, url, { lines: [{ position: 2, quantity: '1' }, { position: 0, quantity: '2.5' }] });
    expect(draft.lines.map((l: any) => [l.designation, l.quantity, l.unitPrice, l.vatRate])).toEqual([
      ['Plinthes', '1', '19.99', '10'],
      ['Pose de parquet', '2.5', '42.8', '20'],
    ]);
    expect(vatOf(draft)).toEqual([
      ['20', 10_700, 2_140],
      ['10', 1_999, 200],
    ]);
    const note = await issued(client, dossierId, draft);
    expect(note).toMatchObject({ number: `AV-${YEAR}-0001`, grossCents: 15_039 });
    expect(await get(client, dossierId, invoice)).toMatchObject({ displayStatus: 'issued', creditedCents: 15_039, balanceCents: 70_797 - 15_039 });

    // A full credit note now exceeds what remains: refused at issue, nothing changes, no number is consumed.
    const full = await post(client, url, {});
    const before = await dossierState(dossierId);
    const refused = await issue(client, dossierId, full);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual(validationError({ lines: `Les avoirs dépasseraient le montant de la facture F-${YEAR}-0001 (707,97${NBSP}€).` }));
    expect(await dossierState(dossierId)).toEqual(before);
    expect(await get(client, dossierId, full)).toMatchObject({ status: 'draft', number: null });

    // What remains can still be credited, with the next number of the credit note series.
    const rest = await issued(client, dossierId, await post(client, url, { lines: [{ position: 0, quantity: '10' }, { position: 2, quantity: '2' }] }));
    expect(rest).toMatchObject({ number: `AV-${YEAR}-0002`, grossCents: 42_800 + 8_560 + 3_998 + 400 });
    expect(await get(client, dossierId, invoice)).toMatchObject({ displayStatus: 'cancelled', creditedCents: 70_797, balanceCents: 0 });
  });

  it('a partial credit note of a discounted invoice credits the discounted prices', async () => {
    const { client, dossierId, customerId } = await seller();
    // 10 % off: 12.5 × 42.80 = 535.00 → base 481.50, VAT 96.30, total 577.80.
    const invoice = await issued(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE], discount: { type: 'percent', value: '10' } }));
    expect(invoice.grossCents).toBe(57_780);
    const url = `/api/d/${dossierId}/invoices/${invoice.id}/credit-note`;
    // 2.5 m² returned: 107.00 less 10 % = 96.30, VAT 19.26: 115.56 — not 128.40 at the undiscounted price.
    const part = await issued(client, dossierId, await post(client, url, { lines: [{ position: 0, quantity: '2.5' }] }));
    expect(vatOf(part)).toEqual([['20', 9_630, 1_926]]);
    expect(part.grossCents).toBe(11_556);
    // The other 10 m²: 428.00 less 10 % = 385.20, VAT 77.04 — the two notes cancel the invoice exactly.
    const rest = await issued(client, dossierId, await post(client, url, { lines: [{ position: 0, quantity: '10' }] }));
    expect(rest.grossCents).toBe(46_224);
    expect(await get(client, dossierId, invoice)).toMatchObject({ displayStatus: 'cancelled', creditedCents: 57_780, balanceCents: 0 });
  });

  it('a partial credit note of an invoice with amount discounts shares them in proportion', async () => {
    const { client, dossierId, customerId } = await seller();
    // 10 × 10.00 less a 5.00 € line discount = 95.00; less a 19.00 € document discount = 76.00; VAT 15.20.
    const line = { kind: 'item', designation: 'Heures', quantity: '10', unitPrice: '10', vatRate: '20', discount: { type: 'amount', value: '5' } };
    const invoice = await issued(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [line], discount: { type: 'amount', value: '19' } }));
    expect(vatOf(invoice)).toEqual([['20', 7_600, 1_520]]);
    const url = `/api/d/${dossierId}/invoices/${invoice.id}/credit-note`;
    // 0.1 h returned: what it was invoiced at is 76.00 / 100 = 0.76 (VAT 0.152 → 0.15).
    const tenth = await issued(client, dossierId, await post(client, url, { lines: [{ position: 0, quantity: '0.1' }] }));
    expect(vatOf(tenth)).toEqual([['20', 76, 15]]);
    // 5 h: 38.00, VAT 7.60.
    const half = await issued(client, dossierId, await post(client, url, { lines: [{ position: 0, quantity: '5' }] }));
    expect(vatOf(half)).toEqual([['20', 3_800, 760]]);
    expect(await get(client, dossierId, invoice)).toMatchObject({ creditedCents: 91 + 4_560, balanceCents: 9_120 - 91 - 4_560 });
  });

  it('a credit note on a draft invoice, or on a quote, is refused', async () => {
    const { client, dossierId, customerId } = await seller();
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const before = await dossierState(dossierId);
    const res = await client.post(`/api/d/${dossierId}/invoices/${draft.id}/credit-note`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invalid_transition');
    const quote = await createDraft(client, dossierId, { type: 'quote', customerId, lines: [LINE] });
    const onQuote = await client.post(`/api/d/${dossierId}/invoices/${quote.id}/credit-note`, {});
    expect(onQuote.status).toBe(404);
    const { documents, ...rest } = await dossierState(dossierId);
    expect(documents.filter((d) => d.id !== quote.id)).toEqual(before.documents);
    expect(rest.lines.filter((l) => l.document_id !== quote.id)).toEqual(before.lines);
  });
});

describe('duplicates', () => {
  it('copies an issued invoice into a quote and an invoice: same customer and lines, today, no number, linked in both histories', async () => {
    const { client, dossierId, customerId } = await seller();
    const lines = [LINE, { kind: 'section', designation: 'Option' }, { ...LINE, designation: 'Plinthes', quantity: '3', unitPrice: '19.99', vatRate: '10', discount: { type: 'percent', value: '5' } }];
    const invoice = await issued(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, issueDate: addDays(TODAY, -3), lines, notes: 'Chantier Renard' }));
    for (const target of ['quote', 'invoice'] as const) {
      const copy = await post(client, docUrl(dossierId, invoice, '/duplicate'), { type: target });
      expect(copy).toMatchObject({
        type: target,
        status: 'draft',
        number: null,
        customerId,
        issueDate: TODAY,
        validityDate: target === 'quote' ? addDays(TODAY, 30) : null,
        dueDate: target === 'invoice' ? addDays(TODAY, 30) : null,
        sourceId: invoice.id,
        notes: 'Chantier Renard',
        grossCents: invoice.grossCents,
        version: 1,
      });
      expect(copy.lines).toEqual(invoice.lines);
      const created = (await history(client, dossierId, copy)).find((e) => e.action === 'document.created')!;
      expect(created.summary).toContain(`copie de ${invoice.number}`);
    }
    const events = (await history(client, dossierId, invoice)).filter((e) => e.action === 'document.duplicated');
    expect(events).toHaveLength(2);
    const copies = (await client.get(`/api/d/${dossierId}/quotes?status=draft`)).body.items.concat((await client.get(`/api/d/${dossierId}/invoices?status=draft`)).body.items);
    expect(events.map((e) => e.changes.createdDocumentId.after).sort()).toEqual(copies.map((d: Doc) => d.id).sort());
    // The source is untouched.
    expect(await get(client, dossierId, invoice)).toEqual(invoice);
  });

  it('duplicating a quote into an invoice needs invoices.write: a Commercial may copy it only as a quote', async () => {
    const { client: admin, dossierId, customerId } = await seller();
    const quote = await issued(admin, dossierId, await createDraft(admin, dossierId, { type: 'quote', customerId, lines: [LINE] }));
    const invoice = await issued(admin, dossierId, await createDraft(admin, dossierId, { type: 'invoice', customerId, lines: [LINE] }));
    const sales = await addMember(admin, dossierId, 'commercial', 'Léa Commerciale');
    const before = await dossierState(dossierId);
    const denied = await sales.client.post(docUrl(dossierId, quote, '/duplicate'), { type: 'invoice' });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toEqual({ code: 'forbidden', message: 'Votre profil ne permet pas cette action.' });
    expect((await sales.client.post(docUrl(dossierId, invoice, '/duplicate'), { type: 'quote' })).status).toBe(403);
    expect(await dossierState(dossierId)).toEqual(before);
    const copy = await post(sales.client, docUrl(dossierId, quote, '/duplicate'), { type: 'quote' });
    expect(copy).toMatchObject({ type: 'quote', status: 'draft', number: null, customerId, sourceId: quote.id });
    const created = (await history(admin, dossierId, copy))[0]!;
    expect(created).toMatchObject({ action: 'document.created', actorName: 'Léa Commerciale' });
  });
});

describe('concurrent edits of a draft', () => {
  it('the second save made on a stale version is refused, naming who changed it and when; the first change stays', async () => {
    const { client: camille, dossierId, customerId } = await seller({ name: 'Camille Durand' });
    const hugo = await addMember(camille, dossierId, 'adv', 'Hugo Martin');
    const draft = await createDraft(camille, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const seenByHugo = await get(hugo.client, dossierId, draft);
    const seenByCamille = await get(camille, dossierId, draft);
    expect([seenByHugo.version, seenByCamille.version]).toEqual([1, 1]);

    const first = await hugo.client.patch(docUrl(dossierId, draft), { version: seenByHugo.version, notes: 'Version de Hugo', lines: [{ ...LINE, quantity: '10' }] });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.document).toMatchObject({ version: 2, notes: 'Version de Hugo', grossCents: 51_360, updatedByName: 'Hugo Martin' });

    const before = await dossierState(dossierId);
    const second = await camille.patch(docUrl(dossierId, draft), { version: seenByCamille.version, notes: 'Version de Camille' });
    expect(second.status).toBe(409);
    expect(second.body.error).toEqual({
      code: 'stale_version',
      message: "Ce document a été modifié par quelqu'un d'autre entre-temps : rechargez-le.",
      details: { version: 2, updatedByName: 'Hugo Martin', updatedAt: first.body.document.updatedAt },
    });
    expect(await dossierState(dossierId)).toEqual(before);
    expect(await get(camille, dossierId, draft)).toMatchObject({ version: 2, notes: 'Version de Hugo', grossCents: 51_360 });
  });

  it('two saves of the same version at the same moment: exactly one wins', async () => {
    const { client, dossierId, customerId } = await seller();
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const results = await Promise.all(['A', 'B'].map((n) => client.patch(docUrl(dossierId, draft), { version: 1, notes: n })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!.body.document;
    expect(await get(client, dossierId, draft)).toMatchObject({ version: 2, notes: winner.notes });
    expect((await history(client, dossierId, draft)).map((e) => e.action)).toEqual(['document.created', 'document.updated']);
  });
});

describe('bad input is refused with one error shape and changes nothing', () => {
  const invalidLines: [string, Record<string, unknown>, string, string][] = [
    ['a negative quantity', { quantity: '-1' }, 'lines.0.quantity', 'Quantité : nombre positif attendu.'],
    ['a quantity with 4 decimals', { quantity: '1.2345' }, 'lines.0.quantity', 'Quantité : 3 décimales au plus.'],
    ['a unit price with 5 decimals', { unitPrice: '10.12345' }, 'lines.0.unitPrice', 'Prix unitaire HT : 4 décimales au plus.'],
    ['an absurd quantity', { quantity: '1000001' }, 'lines.0.quantity', `Quantité : 1${NNBSP}000${NNBSP}000 au plus.`],
    ['a VAT rate not in the dossier list', { vatRate: '7' }, 'lines.0.vatRate', 'Taux de TVA 7 % absent de la liste du dossier (20 ; 10 ; 5.5 ; 2.1 ; 0 %).'],
    ['a discount above the line amount', { discount: { type: 'amount', value: '535.01' } }, 'lines.0.discount', 'La remise dépasse le montant.'],
    ['a discount above 100 %', { discount: { type: 'percent', value: '100.01' } }, 'lines.0.discount.value', 'Remise (%) : 100 au plus.'],
    ['an unknown field on a line', { colour: 'rouge' }, 'lines.0.colour', 'Champ inconnu.'],
  ];

  it.each(invalidLines)('%s, on create and on update', async (_, change, field, message) => {
    const { client, dossierId, customerId } = await seller();
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const before = await dossierState(dossierId);
    const created = await client.post(`/api/d/${dossierId}/invoices`, { type: 'invoice', customerId, lines: [{ ...LINE, ...change }] });
    expect(created.status).toBe(400);
    expect(created.body).toEqual(validationError({ [field]: message }));
    const updated = await client.patch(docUrl(dossierId, draft), { version: 1, lines: [{ ...LINE, ...change }] });
    expect(updated.status).toBe(400);
    expect(updated.body).toEqual(validationError({ [field]: message }));
    expect(await dossierState(dossierId)).toEqual(before);
  });

  it('document-level fields: unknown field, validity before issue, a discount above the total, a customer of another dossier', async () => {
    const { client, dossierId, customerId } = await seller();
    const other = await seller({ name: 'Autre Vendeur' });
    const quote = await createDraft(client, dossierId, { type: 'quote', customerId, lines: [LINE] });
    const before = await dossierState(dossierId);
    const cases: [Record<string, unknown>, Record<string, string>][] = [
      [{ colour: 'rouge' }, { colour: 'Champ inconnu.' }],
      [{ issueDate: TODAY, validityDate: addDays(TODAY, -1) }, { validityDate: "La date de validité précède la date d'émission." }],
      [{ discount: { type: 'amount', value: '535.01' } }, { discount: 'La remise dépasse le montant.' }],
      [{ customerId: other.customerId }, { customerId: 'Client inconnu dans ce dossier.' }],
      [{ issueDate: '2026-02-30' }, { issueDate: 'Date invalide (AAAA-MM-JJ).' }],
    ];
    for (const [change, fields] of cases) {
      const created = await client.post(`/api/d/${dossierId}/quotes`, { type: 'quote', customerId, lines: [LINE], ...change });
      expect(created.status, JSON.stringify(change)).toBe(400);
      expect(created.body, JSON.stringify(change)).toEqual(validationError(fields));
      const updated = await client.patch(docUrl(dossierId, quote), { version: 1, ...change });
      expect(updated.status, JSON.stringify(change)).toBe(400);
      expect(updated.body, JSON.stringify(change)).toEqual(validationError(fields));
    }
    expect(await dossierState(dossierId)).toEqual(before);
    // The other dossier's customer is not there to see either.
    expect((await client.get(`/api/d/${dossierId}/customers/${other.customerId}`)).status).toBe(404);
  });

  it('a non-zero VAT rate in a franchise-en-base dossier', async () => {
    const { client, dossierId, customerId } = await seller({ settings: { vatRegime: 'franchise', vatNumber: null } });
    const before = await dossierState(dossierId);
    const res = await client.post(`/api/d/${dossierId}/invoices`, { type: 'invoice', customerId, lines: [LINE] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(validationError({ 'lines.0.vatRate': 'En franchise en base de TVA, les lignes sont à 0 %.' }));
    expect(await dossierState(dossierId)).toEqual(before);
    const ok = await issued(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [{ ...LINE, vatRate: '0' }] }));
    expect(ok).toMatchObject({ number: `F-${YEAR}-0001`, netCents: 53_500, vatCents: 0, grossCents: 53_500 });
  });

  it('issuing: a date in the future, a stale version, twice', async () => {
    const { client, dossierId, customerId } = await seller();
    const future = await createDraft(client, dossierId, { type: 'invoice', customerId, issueDate: addDays(TODAY, 1), lines: [LINE] });
    let before = await dossierState(dossierId);
    const res = await issue(client, dossierId, future);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(validationError({ issueDate: "La date d'émission ne peut pas être dans le futur." }));
    expect(await dossierState(dossierId)).toEqual(before);

    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const patched = (await client.patch(docUrl(dossierId, draft), { version: 1, notes: 'v2' })).body.document;
    before = await dossierState(dossierId);
    const stale = await issue(client, dossierId, draft);
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'stale_version', details: { version: 2 } });
    expect(await dossierState(dossierId)).toEqual(before);

    expect((await issued(client, dossierId, patched)).number).toBe(`F-${YEAR}-0001`);
    before = await dossierState(dossierId);
    const twice = await client.post(docUrl(dossierId, draft, '/issue'), { version: 3 });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toEqual({ code: 'not_a_draft', message: 'Cette pièce est émise : elle ne peut plus être modifiée ni supprimée.' });
    expect(await dossierState(dossierId)).toEqual(before);
    const unknown = await client.post(docUrl(dossierId, draft, '/issue'), { version: 3, force: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual(validationError({ force: 'Champ inconnu.' }));
  });
});

describe('lists', () => {
  it('filters, sorts and pages invoices with a totals row over the whole filtered set', async () => {
    const { client, dossierId, customerId: renard } = await seller();
    const lumiere = await createCustomer(client, dossierId, { name: 'Café Lumière', siren: '542051180', vatNumber: 'FR59542051180' });
    const make = async (customerId: string, issueDate: string, unitPrice: string, vatRate = '20', doIssue = true) => {
      const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, issueDate, lines: [{ ...LINE, quantity: '1', unitPrice, vatRate }] });
      return doIssue ? issued(client, dossierId, draft) : draft;
    };
    const pay = async (doc: Doc, amountCents: number) => {
      const res = await client.post(`/api/d/${dossierId}/invoices/${doc.id}/payments`, { paidOn: TODAY, amountCents, method: 'virement' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    };
    // Past dates relative to today (30-day terms: the unpaid ones are overdue).
    const i1 = await make(renard, addDays(TODAY, -260), '100'); // 120.00, overdue
    const i2 = await make(lumiere, addDays(TODAY, -230), '250'); // 300.00, overdue
    const i3 = await make(renard, addDays(TODAY, -200), '80', '10'); // 88.00, paid
    await pay(i3, 8_800);
    const i5 = await make(renard, addDays(TODAY, -150), '10', '20', false); // 12.00, draft
    const i4 = await make(renard, TODAY, '40'); // 48.00, partially paid
    await pay(i4, 1_000);
    const i6 = await make(renard, TODAY, '500'); // 600.00, issued
    const quote = await createDraft(client, dossierId, { type: 'quote', customerId: renard, lines: [LINE] });
    const numbers = [i1, i2, i3, i4, i6].map((d) => d.number as string);
    expect(numbers.every((n) => /^F-\d{4}-\d{4}$/.test(n)) && new Set(numbers).size === 5).toBe(true);
    expect([...numbers].sort()).toEqual(numbers); // in the order of issue

    const list = async (query: string) => {
      const res = await client.get(`/api/d/${dossierId}/invoices?${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const base = `customerId=${renard}&from=${addDays(TODAY, -270)}&to=${addDays(TODAY, -100)}&sort=grossCents&order=asc&pageSize=2`;
    const page1 = await list(`${base}&page=1`);
    expect(page1.items.map((d: Doc) => d.id)).toEqual([i5.id, i3.id]);
    expect(page1).toMatchObject({ total: 3, page: 1, pageSize: 2, totals: { netCents: 1_000 + 8_000 + 10_000, vatCents: 200 + 800 + 2_000, grossCents: 1_200 + 8_800 + 12_000, balanceCents: 12_000 } });
    const page2 = await list(`${base}&page=2`);
    expect(page2.items.map((d: Doc) => d.id)).toEqual([i1.id]);
    expect(page2.total).toBe(3);
    expect(page2.totals).toEqual(page1.totals);
    expect((await list(`${base}&page=3`)).items).toEqual([]);
    expect(page1.items[1]).toMatchObject({ number: i3.number, customerName: 'Boulangerie Renard', displayStatus: 'paid', balanceCents: 0 });

    const byStatus = async (status: string) => (await list(`status=${status}&sort=number&order=asc`)).items.map((d: Doc) => d.number);
    expect(await byStatus('overdue')).toEqual([i1.number, i2.number]);
    expect(await byStatus('paid')).toEqual([i3.number]);
    expect(await byStatus('partially_paid')).toEqual([i4.number]);
    expect(await byStatus('issued')).toEqual([i6.number]);
    expect((await list('status=draft')).items.map((d: Doc) => d.id)).toEqual([i5.id]);

    const overdue = await list('status=overdue&sort=grossCents&order=desc');
    expect(overdue).toMatchObject({ total: 2, totals: { grossCents: 42_000, balanceCents: 42_000 } });
    expect(overdue.items.map((d: Doc) => d.id)).toEqual([i2.id, i1.id]);

    const all = await list('sort=grossCents&order=desc&pageSize=100');
    expect(all.items.map((d: Doc) => d.id)).toEqual([i6.id, i2.id, i1.id, i3.id, i4.id, i5.id]);
    expect(all.total).toBe(6);
    expect(all.totals).toEqual({ netCents: 98_000, vatCents: 18_800, grossCents: 116_800, balanceCents: 12_000 + 30_000 + 3_800 + 60_000 });
    expect(all.items.some((d: Doc) => d.id === quote.id)).toBe(false);

    expect((await list('q=lumi')).items.map((d: Doc) => d.id)).toEqual([i2.id]);
    expect((await list(`q=${i3.number}`)).items.map((d: Doc) => d.id)).toEqual([i3.id]);
    expect((await list('q=%25')).total).toBe(0);
    expect((await list(`from=${TODAY}&sort=grossCents&order=asc`)).items.map((d: Doc) => d.id)).toEqual([i4.id, i6.id]);
    // A type of the other family filters everything out.
    expect(await list('type=quote')).toMatchObject({ items: [], total: 0, totals: { netCents: 0, vatCents: 0, grossCents: 0, balanceCents: 0 } });
    const bad = await client.get(`/api/d/${dossierId}/invoices?sort=price&pageSize=1000&colour=red`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(Object.keys(bad.body.error.details.fields).sort()).toEqual(['colour', 'pageSize', 'sort']);
  });
});
