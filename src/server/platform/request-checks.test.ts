import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parisDate } from '../../core/dates';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { ApiClient, signUp, STRONG_PASSWORD, uniqueEmail, type Reply } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, setUpSeller } from '../../../test/helpers/invoicing';
import { verifyAuditChain, writeAudit } from './audit';
import { findUnacceptableText } from './request-checks';

/**
 * Text that PostgreSQL cannot store as given (a lone surrogate, NUL) or that no field may hold
 * (control characters) is refused at the edge with 400, never a 500, never half-written; text
 * that is accepted is stored as NFC, and the audit chain is hashed over exactly what is stored.
 */

let server: TestServer;
let admin: ApiClient;
let dossierId: string;
let invoiceId: string;
let paymentId: string;

beforeAll(async () => {
  server = await startTestServer();
  const owner = await signUp(server.app, { dossierName: 'Atelier Durand' });
  admin = owner.client;
  dossierId = owner.dossierId;
  await setUpSeller(admin, dossierId);
  const customerId = await createCustomer(admin, dossierId);
  const draft = await createDraft(admin, dossierId, { type: 'invoice', customerId, lines: [LINE] });
  expect((await issue(admin, dossierId, draft)).status).toBe(200);
  invoiceId = draft.id;
  const paid = await admin.post(`/api/d/${dossierId}/invoices/${invoiceId}/payments`, { paidOn: parisDate(), amountCents: 100, method: 'virement' });
  expect(paid.status).toBe(201);
  paymentId = paid.body.paymentId;
});
afterAll(() => server.close());

const LONE_SURROGATES = ['\ud800', '\udfff', 'a\udc00b', '\ude00\ud83d'];

async function auditHead(): Promise<number> {
  const head = await server.ctx.db.selectFrom('audit_heads').select('last_seq').where('dossier_id', '=', dossierId).executeTakeFirstOrThrow();
  return Number(head.last_seq);
}

async function expectChainVerifies(): Promise<void> {
  const verdict = await server.ctx.tx({ dossierId }, (t) => verifyAuditChain(t, dossierId));
  expect(verdict, JSON.stringify(verdict)).toMatchObject({ ok: true });
}

function expectRefusedField(res: Reply, field: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe('validation_failed');
  expect(typeof res.body.error.message).toBe('string');
  expect(Object.keys(res.body.error.details.fields)).toContain(field);
}

/** One request per field class the review named, and a few more, each carrying `value` in its text field. */
const FIELD_CLASSES: { label: string; field: string; send: (value: string) => Promise<Reply> }[] = [
  { label: 'a payment reference', field: 'reference', send: (v) => admin.post(`/api/d/${dossierId}/invoices/${invoiceId}/payments`, { paidOn: parisDate(), amountCents: 1, method: 'cheque', reference: `CHQ ${v}` }) },
  { label: 'a cancel reason', field: 'reason', send: (v) => admin.post(`/api/d/${dossierId}/invoices/${invoiceId}/payments/${paymentId}/cancel`, { reason: `Refusé ${v}` }) },
  { label: 'a profile name', field: 'name', send: (v) => admin.post(`/api/d/${dossierId}/profiles`, { name: `Relecture ${v}`, permissions: ['quotes.read'] }) },
  { label: 'a dossier name (settings)', field: 'legalName', send: (v) => admin.patch(`/api/d/${dossierId}/settings`, { legalName: `Atelier ${v}` }) },
  { label: "a new dossier's name", field: 'legalName', send: (v) => admin.post('/api/dossiers', { legalName: `Studio ${v}` }) },
  { label: 'a customer name', field: 'name', send: (v) => admin.post(`/api/d/${dossierId}/customers`, { kind: 'individual', name: `Client ${v}`, billingAddress: { line1: '1 rue', postalCode: '75001', city: 'Paris' } }) },
  { label: "a document's notes", field: 'notes', send: (v) => admin.post(`/api/d/${dossierId}/quotes`, { type: 'quote', notes: `Note ${v}` }) },
  { label: "the user's own name", field: 'name', send: (v) => admin.patch('/api/me', { name: `Camille ${v}` }) },
];

describe('text that cannot be stored as given', () => {
  for (const { label, field, send } of FIELD_CLASSES) {
    it(`a lone surrogate or a NUL in ${label} is refused with 400; nothing is written and the chain still verifies`, async () => {
      for (const value of [...LONE_SURROGATES, '\u0000', 'x\u0000y', '\u001b[31m', '\u0085']) {
        const before = await auditHead();
        expectRefusedField(await send(value), field);
        expect(await auditHead()).toBe(before);
      }
      await expectChainVerifies();
    });
  }

  it('a NUL or another control character in a search (?q=) is refused with 400', async () => {
    for (const list of ['customers', 'products', 'quotes', 'invoices']) {
      for (const q of ['%00', 'a%00b', '%1B', '%C2%85']) expectRefusedField(await admin.get(`/api/d/${dossierId}/${list}?q=${q}`), 'q');
      // A URL cannot carry a lone surrogate: its UTF-8 form is not valid UTF-8, and the search is then the text as sent.
      expect((await admin.get(`/api/d/${dossierId}/${list}?q=%ED%A0%80`)).status).toBe(200);
    }
  });

  it('is refused in a field the route does not even read, and in an object key', async () => {
    const customerId = await createCustomer(admin, dossierId, { name: 'Épicerie Martin' });
    const before = await auditHead();
    expectRefusedField(await admin.post(`/api/d/${dossierId}/customers/${customerId}/archive`, { note: 'x\u0000' }), 'note');
    expectRefusedField(await admin.patch(`/api/d/${dossierId}/settings`, { ['ph\ud800one']: '0123456789' }), 'ph\ud800one');
    expect(await auditHead()).toBe(before);
  });

  it('refuses on the public routes too, before looking anything up', async () => {
    const anonymous = new ApiClient(server.app);
    expectRefusedField(await anonymous.post('/api/auth/login', { email: 'a@example.com', password: `pass\u0000word` }), 'password');
    expectRefusedField(await anonymous.post('/api/auth/signup', { name: 'Léa', email: uniqueEmail(), password: STRONG_PASSWORD, dossierName: 'Studio \ud800' }), 'dossierName');
  });
});

describe('text that is accepted', () => {
  const decomposed = 'Cafe\u0301 de\u0301core\u0301';
  const composed = 'Café décoré';

  it('is stored in NFC whatever form it was typed in, and the chain verifies', async () => {
    const profile = await admin.post(`/api/d/${dossierId}/profiles`, { name: decomposed, permissions: ['quotes.read'] });
    expect(profile.status).toBe(201);
    expect(profile.body.profile.name).toBe(composed);
    const paid = await admin.post(`/api/d/${dossierId}/invoices/${invoiceId}/payments`, { paidOn: parisDate(), amountCents: 1, method: 'cheque', reference: decomposed });
    expect(paid.status).toBe(201);
    const cancelled = await admin.post(`/api/d/${dossierId}/invoices/${invoiceId}/payments/${paid.body.paymentId}/cancel`, { reason: decomposed });
    expect(cancelled.status).toBe(200);
    expect((await admin.patch(`/api/d/${dossierId}/settings`, { legalName: decomposed })).status).toBe(200);

    const payment = await server.ctx.db.selectFrom('payments').select(['reference', 'cancel_reason']).where('id', '=', paid.body.paymentId).executeTakeFirstOrThrow();
    expect(payment).toEqual({ reference: composed, cancel_reason: composed });
    const dossier = await server.ctx.db.selectFrom('dossiers').select('legal_name').where('id', '=', dossierId).executeTakeFirstOrThrow();
    expect(dossier.legal_name).toBe(composed);
    const labels = await server.ctx.db.selectFrom('audit_events').select(['entity_label', 'summary']).where('dossier_id', '=', dossierId).orderBy('seq', 'desc').limit(4).execute();
    for (const row of labels) expect(`${row.entity_label} ${row.summary}`).not.toContain('\u0301');
    await expectChainVerifies();
  });

  it('keeps line breaks in multi-line fields (CR LF as LF) and refuses them in single-line ones', async () => {
    const draft = await admin.post(`/api/d/${dossierId}/quotes`, { type: 'quote', notes: 'Ligne 1\r\nLigne 2\tfin' });
    expect(draft.status).toBe(201);
    expect(draft.body.document.notes).toBe('Ligne 1\nLigne 2\tfin');
    expectRefusedField(await admin.post(`/api/d/${dossierId}/profiles`, { name: 'Deux\nlignes', permissions: [] }), 'name');
  });
});

describe('odd input that used to fail with 500', () => {
  it('PATCH /api/me with nothing to change answers the user unchanged', async () => {
    const res = await admin.patch('/api/me', {});
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ name: 'Camille Durand', locale: 'fr' });
  });

  it('a path that is not UTF-8 once decoded, or whose parameter is over the router’s length limit, is an unknown path: 404 in the error shape', async () => {
    const paths = [
      `/api/d/%ED%A0%80/customers`,
      `/api/d/${dossierId}/customers/%ED%A0%80%00`,
      `/api/d/${dossierId}/customers/%C0%AF`,
      `/api/d/${dossierId}/customers/${'a'.repeat(101)}`,
      `/api/invitations/%FF/accept`,
    ];
    for (const path of paths) {
      for (const res of [await admin.get(path), await admin.post(path, { note: 'x' })]) {
        expect(res.status, path).toBe(404);
        expect(res.body, path).toEqual({ error: { code: 'not_found', message: "Cette ressource n'existe pas ou vous n'y avez pas accès." } });
        expect(res.headers['cache-control'], path).toBe('no-store');
      }
    }
  });
});

describe('the audit writer', () => {
  it('hashes an event over the text PostgreSQL stores, so a lone surrogate that reaches it cannot break the chain', async () => {
    await server.ctx.tx({ dossierId }, (t) =>
      writeAudit(t, dossierId, { userId: null, name: 'Import \ud800', profile: null }, { ip: null, userAgent: 'Agent \udfff', requestId: null }, {
        action: 'test.written',
        entityType: 'test',
        entityLabel: 'Label \ud800',
        summary: 'Résumé \udc00',
        changes: { ['k\ud800']: { before: 'a\ud800', after: ['\udfff'] } },
      }),
    );
    const row = await server.ctx.db.selectFrom('audit_events').selectAll().where('dossier_id', '=', dossierId).where('action', '=', 'test.written').executeTakeFirstOrThrow();
    expect(row.summary).toBe('Résumé \ufffd');
    await expectChainVerifies();
  });
});

describe('findUnacceptableText', () => {
  it('walks any depth without overflowing the stack', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    const found = findUnacceptableText(deep);
    expect(found && Object.values(found)).toEqual(['Caractère de contrôle interdit.']);
    expect(findUnacceptableText({ a: [{ b: 'ok' }], 'clé é': 'Ligne\n\ttab\r\n' })).toBeNull();
  });
});
