import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp, type ApiClient } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, setUpSeller } from '../../../test/helpers/invoicing';
import { databaseFingerprint } from '../../../test/helpers/route-fixtures';
import { receivedLink, startSmtp, until, type TestSmtp } from '../../../test/helpers/smtp';

/**
 * The dossier's messages across documents (« Envois »), the notice a sender gets when their
 * message fails, and the per-dossier sending limit. Deliveries go to an in-process SMTP server
 * that refuses (550) every message whose subject says « REFUS ».
 */

let smtp: TestSmtp;
let server: TestServer;
let limited: TestServer;
let admin: ApiClient;
let dossierId: string;
let customerId: string;
let quoteSender: ApiClient;
let invoiceSender: ApiClient;
let neither: ApiClient;
let outsider: { client: ApiClient; dossierId: string };

let keys = 0;
const key = () => `envois-${Date.now().toString(36)}-${(keys++).toString(36)}`;
const mail = (to: string, subject: string) => ({ to: [to], subject, body: 'Bonjour,\nci-joint notre pièce.', idempotencyKey: key() });

async function issued(client: ApiClient, dossier: string, customer: string, type: 'quote' | 'invoice'): Promise<{ id: string; number: string }> {
  const draft = await createDraft(client, dossier, { type, customerId: customer, lines: [LINE] });
  const res = await issue(client, dossier, draft);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { id: draft.id as string, number: res.body.document.number as string };
}

async function join(server: TestServer, dossier: string, owner: ApiClient, name: string, permissions: string[]): Promise<ApiClient> {
  const member = await signUp(server.app, { name, confirmationLink: receivedLink(smtp, server) });
  const profile = await owner.post(`/api/d/${dossier}/profiles`, { name: `Profil de ${name}`, permissions });
  expect(profile.status).toBe(201);
  expect((await owner.post(`/api/d/${dossier}/members`, { email: member.email, profileId: profile.body.profile.id })).status).toBe(201);
  return member.client;
}

interface Listed {
  id: string;
  state: string;
  to: string[];
  smtpResponse: string | null;
  document: { id: string; type: string; family: string; number: string };
  requestedBy: string;
}

async function list(client: ApiClient, query = ''): Promise<{ messages: Listed[]; nextCursor: string | null }> {
  const res = await client.get(`/api/d/${dossierId}/messages${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function notices(client: ApiClient): Promise<Listed[]> {
  const res = await client.get(`/api/d/${dossierId}/messages/notices`);
  expect(res.status).toBe(200);
  return res.body.notices;
}

const ids = (messages: Listed[]) => messages.map((m) => m.id);

let quote: { id: string; number: string };
let refused: { id: string; number: string };
let accepted: { id: string; number: string };
/** Message ids, in the order they were requested. */
const sent: Record<'quote' | 'refused' | 'accepted', string> = { quote: '', refused: '', accepted: '' };

beforeAll(async () => {
  smtp = await startSmtp({ refuse: (parsed) => Boolean(parsed.subject?.includes('REFUS')) });
  server = await startTestServer({ MAIL_RETRY_BASE_SECONDS: '1', MAIL_QUEUE_POLL_SECONDS: '1', SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  const confirmationLink = receivedLink(smtp, server);
  const owner = await signUp(server.app, { name: 'Camille Durand', dossierName: 'Menuiserie Lambert', confirmationLink });
  admin = owner.client;
  dossierId = owner.dossierId;
  await server.ctx.db.updateTable('dossiers').set({ plan: 'tpe_plus', extra_seats: 10 }).where('id', '=', dossierId).execute();
  await setUpSeller(admin, dossierId);
  customerId = await createCustomer(admin, dossierId);
  quoteSender = await join(server, dossierId, admin, 'Léa Commerciale', ['dossier.read', 'quotes.read', 'quotes.send', 'customers.read']);
  invoiceSender = await join(server, dossierId, admin, 'Hugo Comptable', ['dossier.read', 'invoices.read', 'invoices.send', 'customers.read']);
  neither = await join(server, dossierId, admin, 'Zoé Paramètres', ['dossier.read', 'settings.manage']);
  const other = await signUp(server.app, { dossierName: 'Autre Société', confirmationLink });
  outsider = { client: other.client, dossierId: other.dossierId };

  quote = await issued(admin, dossierId, customerId, 'quote');
  refused = await issued(admin, dossierId, customerId, 'invoice');
  accepted = await issued(admin, dossierId, customerId, 'invoice');
  for (const [name, client, family, doc, to, subject] of [
    ['quote', quoteSender, 'quotes', quote, 'client@renard.example', 'Votre devis'],
    ['refused', invoiceSender, 'invoices', refused, 'inconnu@renard.example', 'REFUS Votre facture'],
    ['accepted', admin, 'invoices', accepted, 'direction@renard.example', 'Votre facture'],
  ] as const) {
    const res = await client.post(`/api/d/${dossierId}/${family}/${doc.id}/send`, mail(to, subject));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    sent[name] = res.body.message.id;
  }
  await until('every message delivered or refused', async () => {
    const open = await server.ctx.db.selectFrom('outgoing_messages').select('id').where('state', 'in', ['pending', 'sending', 'retry']).execute();
    return open.length === 0;
  });

  limited = await startTestServer({ MAIL_RATE_PER_HOUR: '3', MAIL_WORKER: 'false' });
}, 90_000);

afterAll(async () => {
  await server?.close();
  await limited?.close();
  await smtp?.close();
});

describe('the dossier’s messages (« Envois »)', () => {
  it('lists every message newest first, with its document, recipients, sender, state and the server’s reply', async () => {
    const { messages, nextCursor } = await list(admin);
    expect(ids(messages)).toEqual([sent.accepted, sent.refused, sent.quote]);
    expect(nextCursor).toBeNull();
    const [first, failed, last] = messages;
    expect(first).toMatchObject({ state: 'sent', to: ['direction@renard.example'], requestedBy: 'Camille Durand', document: { id: accepted.id, type: 'invoice', family: 'invoices', number: accepted.number } });
    expect(failed).toMatchObject({ state: 'failed', requestedBy: 'Hugo Comptable', document: { number: refused.number } });
    expect(failed!.smtpResponse).toMatch(/550/);
    expect(last).toMatchObject({ state: 'sent', requestedBy: 'Léa Commerciale', document: { type: 'quote', family: 'quotes', number: quote.number } });
  });

  it('filters by state, document type, and text found in a number or a recipient', async () => {
    expect(ids((await list(admin, '?state=failed')).messages)).toEqual([sent.refused]);
    expect(ids((await list(admin, '?state=sent')).messages)).toEqual([sent.accepted, sent.quote]);
    expect((await list(admin, '?state=uncertain')).messages).toEqual([]);
    expect(ids((await list(admin, '?type=quote')).messages)).toEqual([sent.quote]);
    expect(ids((await list(admin, '?type=invoice&state=sent')).messages)).toEqual([sent.accepted]);
    expect(ids((await list(admin, '?q=DIRECTION@')).messages)).toEqual([sent.accepted]);
    expect(ids((await list(admin, `?q=${encodeURIComponent(quote.number)}`)).messages)).toEqual([sent.quote]);
    expect((await list(admin, '?q=personne')).messages).toEqual([]);
    const refusedFilter = await admin.get(`/api/d/${dossierId}/messages?state=cancelled-or-not`);
    expect(refusedFilter.status).toBe(400);
  });

  it('pages with a cursor on (created_at, id): the pages together are the list, once each', async () => {
    const first = await list(admin, '?limit=2');
    expect(ids(first.messages)).toEqual([sent.accepted, sent.refused]);
    expect(first.nextCursor).toBe(sent.refused);
    const second = await list(admin, `?limit=2&cursor=${first.nextCursor}`);
    expect(ids(second.messages)).toEqual([sent.quote]);
    expect(second.nextCursor).toBeNull();
    // Filters apply after the cursor as before it.
    expect(ids((await list(admin, `?type=invoice&cursor=${sent.accepted}`)).messages)).toEqual([sent.refused]);
  });

  it('refuses a forged cursor, one of another dossier or of a family the member cannot read (400)', async () => {
    const garbage = await admin.get(`/api/d/${dossierId}/messages?cursor=abc`);
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe('validation_failed');
    const unknown = await admin.get(`/api/d/${dossierId}/messages?cursor=00000000-0000-4000-8000-000000000000`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'invalid_cursor', message: "Cette page de la liste n'existe plus : revenez à la première page." });

    const otherCustomer = await createCustomer(outsider.client, outsider.dossierId);
    await setUpSeller(outsider.client, outsider.dossierId);
    const otherInvoice = await issued(outsider.client, outsider.dossierId, otherCustomer, 'invoice');
    const otherMessage = await outsider.client.post(`/api/d/${outsider.dossierId}/invoices/${otherInvoice.id}/send`, mail('x@autre.example', 'Autre'));
    expect(otherMessage.status).toBe(202);
    const foreign = await admin.get(`/api/d/${dossierId}/messages?cursor=${otherMessage.body.message.id}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('invalid_cursor');
    // Delivered before the next tests compare the database before and after a refusal.
    const otherId = otherMessage.body.message.id as string;
    await until('the other dossier’s message delivered', async () =>
      ((await outsider.client.get(`/api/d/${outsider.dossierId}/invoices/${otherInvoice.id}/messages`)).body.messages as { id: string; state: string }[]).some((m) => m.id === otherId && m.state === 'sent'),
    );

    const hidden = await quoteSender.get(`/api/d/${dossierId}/messages?cursor=${sent.accepted}`);
    expect(hidden.status).toBe(400);
    expect(hidden.body.error.code).toBe('invalid_cursor');
  });

  it('shows a member only the messages of the families they may read', async () => {
    expect(ids((await list(quoteSender)).messages)).toEqual([sent.quote]);
    expect(ids((await list(invoiceSender)).messages)).toEqual([sent.accepted, sent.refused]);
    expect(ids((await list(invoiceSender, '?type=quote')).messages)).toEqual([]);
    expect((await list(neither)).messages).toEqual([]);
  });

  it('answers 404 to a member of another dossier, revealing nothing', async () => {
    const res = await outsider.client.get(`/api/d/${dossierId}/messages`);
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('renard');
  });
});

describe('the notice of a failed message', () => {
  it('is shown to its sender, with the document and the server’s reply, and to nobody else', async () => {
    const [notice, ...more] = await notices(invoiceSender);
    expect(more).toEqual([]);
    expect(notice).toMatchObject({ id: sent.refused, state: 'failed', to: ['inconnu@renard.example'], document: { id: refused.id, family: 'invoices', number: refused.number } });
    expect(notice!.smtpResponse).toMatch(/550 5\.1\.1 Adresse inconnue/);
    expect(await notices(admin)).toEqual([]);
    expect(await notices(quoteSender)).toEqual([]);
  });

  it('cannot be dismissed by someone else (404), and changes nothing', async () => {
    const before = await databaseFingerprint(server.db.url);
    for (const client of [admin, quoteSender]) {
      const res = await client.post(`/api/d/${dossierId}/messages/${sent.refused}/dismiss`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    const foreign = await outsider.client.post(`/api/d/${dossierId}/messages/${sent.refused}/dismiss`);
    expect(foreign.status).toBe(404);
    expect(await databaseFingerprint(server.db.url)).toEqual(before);
    expect(await notices(invoiceSender)).toHaveLength(1);
  });

  it('is dismissed by its sender for good (audited once), and a message with no notice cannot be', async () => {
    const res = await invoiceSender.post(`/api/d/${dossierId}/messages/${sent.refused}/dismiss`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await notices(invoiceSender)).toEqual([]);
    expect((await invoiceSender.post(`/api/d/${dossierId}/messages/${sent.refused}/dismiss`)).status).toBe(200);
    const history = (await admin.get(`/api/d/${dossierId}/invoices/${refused.id}/history`)).body.events as { action: string; summary: string; actorName: string }[];
    const dismissed = history.filter((e) => e.action === 'document.email_notice_dismissed');
    expect(dismissed).toHaveLength(1);
    expect(dismissed[0]).toMatchObject({ actorName: 'Hugo Comptable', summary: `Échec d'envoi vu : Facture ${refused.number} à inconnu@renard.example` });

    const delivered = await admin.post(`/api/d/${dossierId}/messages/${sent.accepted}/dismiss`);
    expect(delivered.status).toBe(409);
    expect(delivered.body.error.code).toBe('no_notice');
  });

  it('comes back when the message, sent again, fails again', async () => {
    const resend = await invoiceSender.post(`/api/d/${dossierId}/invoices/${refused.id}/messages/${sent.refused}/resend`);
    expect(resend.status).toBe(200);
    await until('the message refused again', async () => (await notices(invoiceSender)).find((n) => n.id === sent.refused));
  });
});

describe('the per-dossier sending limit (3 an hour here)', () => {
  async function limitedDossier() {
    const owner = await signUp(limited.app, { dossierName: 'Atelier Limité' });
    await setUpSeller(owner.client, owner.dossierId);
    const customer = await createCustomer(owner.client, owner.dossierId);
    const invoice = await issued(owner.client, owner.dossierId, customer, 'invoice');
    const send = (body = mail('compta@renard.example', 'Votre facture')) => owner.client.post(`/api/d/${owner.dossierId}/invoices/${invoice.id}/send`, body);
    const stored = async () => (await limited.ctx.db.selectFrom('outgoing_messages').select(['id', 'created_at']).where('dossier_id', '=', owner.dossierId).orderBy('created_at').execute());
    return { ...owner, send, stored };
  }

  it('refuses the 4th message of the hour with 429, saying when sending is possible again, and writes nothing', async () => {
    const dossier = await limitedDossier();
    const bodies = [0, 1, 2].map(() => mail('compta@renard.example', 'Votre facture'));
    for (const body of bodies) expect((await dossier.send(body)).status).toBe(202);
    const before = await databaseFingerprint(limited.db.url);
    const res = await dossier.send();
    expect(res.status).toBe(429);
    const [oldest] = await dossier.stored();
    const retryAt = new Date(oldest!.created_at.getTime() + 3600_000);
    const retryTime = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(retryAt);
    expect(res.body.error).toEqual({
      code: 'rate_limited',
      message: `Ce dossier a atteint sa limite de 3 e-mails envoyés par heure : vous pourrez en envoyer de nouveau à partir de ${retryTime}.`,
      details: { reason: 'sending_limit', limit: 3, retryAt: retryAt.toISOString(), retryTime },
    });
    expect(await databaseFingerprint(limited.db.url)).toEqual(before);
    // A double click on a message already stored is still answered with it.
    const again = await dossier.send(bodies[2]);
    expect(again.status).toBe(202);
    // Once the oldest message is more than an hour old, one more may be sent.
    await limited.ctx.db.updateTable('outgoing_messages').set({ created_at: sql<Date>`now() - interval '61 minutes'` }).where('dossier_id', '=', dossier.dossierId).where('id', '=', oldest!.id).execute();
    expect((await dossier.send()).status).toBe(202);
    expect((await dossier.send()).status).toBe(429);
    expect(await dossier.stored()).toHaveLength(4);
  });

  it('lets one of two concurrent requests take the last slot', async () => {
    const dossier = await limitedDossier();
    for (let i = 0; i < 2; i++) expect((await dossier.send()).status).toBe(202);
    const answers = await Promise.all([dossier.send(), dossier.send()]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 429]);
    expect(await dossier.stored()).toHaveLength(3);
  });
});
