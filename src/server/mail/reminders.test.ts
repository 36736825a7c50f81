import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, formatDateFr, parisDate } from '../../core/dates';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp, type ApiClient } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, setUpSeller } from '../../../test/helpers/invoicing';
import { databaseFingerprint } from '../../../test/helpers/route-fixtures';
import { receivedLink, startSmtp, until, type TestSmtp } from '../../../test/helpers/smtp';

/**
 * « Relancer » (a person sends a reminder from the invoice list), the reminder plan of
 * Paramètres › Relances, and the list's reminder column and filter. Invoices are issued 60 days
 * ago, payable on receipt: they are overdue today.
 */

const MAIL_ENV = { MAIL_RETRY_BASE_SECONDS: '1', MAIL_QUEUE_POLL_SECONDS: '1', MAIL_FROM: 'Ardoise <factures@ardoise.example>' };
const TODAY = parisDate();
const ISSUED = addDays(TODAY, -60);

let smtp: TestSmtp;
let server: TestServer;
let admin: ApiClient;
let dossierId: string;
let customerId: string;

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startTestServer({ ...MAIL_ENV, SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  const owner = await signUp(server.app, { dossierName: 'Menuiserie Lambert', confirmationLink: receivedLink(smtp, server) });
  admin = owner.client;
  dossierId = owner.dossierId;
  await setUpSeller(admin, dossierId);
  customerId = await createCustomer(admin, dossierId);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

async function invoice(paymentDays = 0): Promise<{ id: string; number: string }> {
  const draft = await createDraft(admin, dossierId, { type: 'invoice', customerId, issueDate: ISSUED, lines: [LINE], paymentTerms: { days: paymentDays, endOfMonth: false } });
  const res = await issue(admin, dossierId, draft);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { id: draft.id as string, number: res.body.document.number as string };
}

let keys = 0;
const key = () => `relance-${Date.now().toString(36)}-${(keys++).toString(36)}`;
const reminder = (level: number, overrides: Record<string, unknown> = {}) => ({
  level,
  to: ['compta@renard.example'],
  cc: [],
  bcc: [],
  subject: `Rappel de paiement ${key()}`,
  body: 'Bonjour,\n\nSauf erreur de notre part, notre facture reste impayée.\n\nCordialement',
  idempotencyKey: key(),
  ...overrides,
});
const remind = (documentId: string, body: unknown) => admin.post(`/api/d/${dossierId}/invoices/${documentId}/reminders`, body);

async function messagesOf(documentId: string) {
  return (await admin.get(`/api/d/${dossierId}/invoices/${documentId}/messages`)).body.messages as { id: string; state: string; reminderLevel: number | null; subject: string }[];
}

async function listed(query: string): Promise<{ id: string; reminder: { level: number; at: string } | null }[]> {
  const res = await admin.get(`/api/d/${dossierId}/invoices?${query}&pageSize=100`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
}

describe('« Relancer »', () => {
  it('stores the reminder with its level and delivers it; the list and the document’s messages show the level', async () => {
    const inv = await invoice();
    const body = reminder(1);
    const res = await remind(inv.id, body);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.message).toMatchObject({ state: 'pending', reminderLevel: 1, to: ['compta@renard.example'], attachmentName: `${inv.number}.pdf` });
    await until('the reminder delivered', async () => (await messagesOf(inv.id))[0]?.state === 'sent');
    const arrived = smtp.received.filter((r) => r.parsed.subject === body.subject);
    expect(arrived).toHaveLength(1);
    expect(arrived[0]!.parsed.attachments.map((a) => a.filename)).toEqual([`${inv.number}.pdf`]);
    const [item] = (await listed('reminder=1')).filter((i) => i.id === inv.id);
    expect(item!.reminder!.level).toBe(1);
    expect(parisDate(new Date(item!.reminder!.at))).toBe(TODAY);
    const history = (await admin.get(`/api/d/${dossierId}/invoices/${inv.id}/history`)).body.events as { action: string; actorName: string; summary: string }[];
    expect(history.find((e) => e.action === 'document.reminder_requested')).toMatchObject({ actorName: 'Camille Durand', summary: `Relance 1 (relance courtoise) demandée : Facture ${inv.number} à compta@renard.example` });
  });

  it('proposes the next level with its template filled for today and the customer’s addresses', async () => {
    const inv = await invoice();
    const first = await admin.get(`/api/d/${dossierId}/invoices/${inv.id}/reminders/next`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.reminder).toMatchObject({ level: 1, to: ['compta@renard.example'], subject: `Rappel : facture ${inv.number} — Menuiserie Lambert SARL` });
    expect((await remind(inv.id, reminder(1))).status).toBe(202);
    const next = (await admin.get(`/api/d/${dossierId}/invoices/${inv.id}/reminders/next`)).body.reminder;
    expect(next.level).toBe(2);
    expect(next.subject).toBe(`Deuxième rappel : facture ${inv.number} impayée — Menuiserie Lambert SARL`);
    expect(next.body).toContain('reste impayée depuis 60 jours');
    expect((await remind(inv.id, reminder(3))).status).toBe(202);
    const none = await admin.get(`/api/d/${dossierId}/invoices/${inv.id}/reminders/next`);
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('reminder_already_sent');
  });

  it('a double click (the same idempotency key, twice at once) stores one reminder', async () => {
    const inv = await invoice();
    const body = reminder(1);
    const [a, b] = await Promise.all([remind(inv.id, body), remind(inv.id, body)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.message.id).toBe(b.body.message.id);
    expect(await messagesOf(inv.id)).toHaveLength(1);
    const history = (await admin.get(`/api/d/${dossierId}/invoices/${inv.id}/history`)).body.events as { action: string }[];
    expect(history.filter((e) => e.action === 'document.reminder_requested')).toHaveLength(1);
  });

  it('refuses a level already sent, and a level below one sent, with a French message (two people at once: one wins)', async () => {
    const inv = await invoice();
    const [a, b] = await Promise.all([remind(inv.id, reminder(2)), remind(inv.id, reminder(2))]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const refused = a.status === 409 ? a : b;
    expect(refused.body.error).toMatchObject({ code: 'reminder_already_sent', message: `La relance 2 de cette facture a déjà été envoyée (${formatDateFr(TODAY)}).` });
    const lower = await remind(inv.id, reminder(1));
    expect(lower.status).toBe(409);
    expect(lower.body.error).toMatchObject({ code: 'reminder_level_passed', message: 'La relance 2 de cette facture est déjà partie : une relance de niveau inférieur (1) ne peut plus être envoyée.' });
    expect((await remind(inv.id, reminder(3))).status).toBe(202);
    expect((await messagesOf(inv.id)).map((m) => m.reminderLevel).sort()).toEqual([2, 3]);
  });

  it('refuses paid, cancelled, draft and not-yet-due invoices (409 not_overdue), and a dossier whose reminders are off', async () => {
    const paid = await invoice();
    expect((await admin.post(`/api/d/${dossierId}/invoices/${paid.id}/payments`, { paidOn: TODAY, amountCents: 64_200, method: 'virement' })).status).toBe(201);
    const credited = await invoice();
    const credit = await admin.post(`/api/d/${dossierId}/invoices/${credited.id}/credit-note`, {});
    expect((await issue(admin, dossierId, credit.body.document)).status).toBe(200);
    const draft = await createDraft(admin, dossierId, { type: 'invoice', customerId, issueDate: ISSUED, lines: [LINE], paymentTerms: { days: 0, endOfMonth: false } });
    const notDue = await invoice(90);
    for (const id of [paid.id, credited.id, draft.id as string, notDue.id]) {
      const res = await remind(id, reminder(1));
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('not_overdue');
      expect(res.body.error.message).toMatch(/^Cette facture n’est pas en retard de paiement/);
      expect(await messagesOf(id)).toEqual([]);
    }
    expect((await admin.put(`/api/d/${dossierId}/reminder-plan`, { mode: 'off', days: { 1: 7, 2: 30, 3: 45 } })).status).toBe(200);
    const off = await remind((await invoice()).id, reminder(1));
    expect(off.status).toBe(409);
    expect(off.body.error.code).toBe('reminders_off');
    expect((await admin.put(`/api/d/${dossierId}/reminder-plan`, { mode: 'manual', days: { 1: 7, 2: 30, 3: 45 } })).status).toBe(200);
  });
});

describe('the invoice list', () => {
  it('filters on the highest reminder sent: none, 1, 2, 3', async () => {
    const none = await invoice();
    const one = await invoice();
    const three = await invoice();
    expect((await remind(one.id, reminder(1))).status).toBe(202);
    expect((await remind(three.id, reminder(3))).status).toBe(202);
    const ids = async (filter: string) => (await listed(`reminder=${filter}`)).map((i) => i.id);
    expect(await ids('none')).toContain(none.id);
    expect(await ids('none')).not.toContain(one.id);
    expect(await ids('1')).toContain(one.id);
    expect(await ids('1')).not.toContain(three.id);
    expect(await ids('3')).toContain(three.id);
    expect(await ids('3')).not.toContain(one.id);
    expect(await ids('2')).not.toContain(one.id);
    const bad = await admin.get(`/api/d/${dossierId}/invoices?reminder=4`);
    expect(bad.status).toBe(400);
  });
});

describe('bad input: a clear 4xx in French, nothing written', () => {
  async function quiet() {
    await server.ctx.pdfs.idle();
    await until('no delivery in progress', async () => {
      const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM outgoing_messages WHERE state IN ('pending', 'sending', 'retry')`.execute(server.ctx.db);
      return rows[0]!.n === '0';
    });
  }
  const jobs = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'mail-deliver'`.execute(server.ctx.db)).rows[0]!.n);

  it('refuses a bad « Relancer » without changing anything', async () => {
    const inv = await invoice();
    await quiet();
    const many = Array.from({ length: 21 }, (_, i) => `client${i}@renard.example`);
    const cases: { label: string; body: unknown; message: RegExp }[] = [
      { label: 'no recipient', body: reminder(1, { to: [] }), message: /Indiquez au moins un destinataire/ },
      { label: 'an invalid recipient', body: reminder(1, { to: ['pas-une-adresse'] }), message: /Adresse e-mail invalide/ },
      { label: '21 recipients', body: reminder(1, { to: many }), message: /Au plus 20 destinataires/ },
      { label: '21 recipients with cc and bcc', body: reminder(1, { to: many.slice(0, 10), cc: many.slice(10, 20), bcc: [many[20]] }), message: /Au plus 20 destinataires au total/ },
      { label: 'a line break in the subject', body: reminder(1, { subject: 'Rappel\r\nBcc: victime@example.com' }), message: /contrôle/ },
      { label: 'a line break in an address', body: reminder(1, { to: ['a@renard.example\nBcc: victime@example.com'] }), message: /contrôle/ },
      { label: 'level 0', body: reminder(0), message: /Niveau de relance inconnu/ },
      { label: 'level 4', body: reminder(4), message: /Niveau de relance inconnu/ },
      { label: 'a level as text', body: reminder(1, { level: '1' }), message: /Niveau de relance inconnu/ },
      { label: 'no level', body: { ...reminder(1), level: undefined }, message: /Niveau de relance inconnu/ },
    ];
    for (const c of cases) {
      const before = { db: await databaseFingerprint(server.db.url), jobs: await jobs() };
      const res = await remind(inv.id, c.body);
      expect(res.status, `${c.label}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(JSON.stringify(res.body.error), c.label).toMatch(c.message);
      expect(await databaseFingerprint(server.db.url), c.label).toEqual(before.db);
      expect(await jobs(), c.label).toBe(before.jobs);
    }
  });

  it('refuses a bad reminder plan (days not increasing, 0, 400, an unknown mode) without changing anything', async () => {
    await quiet();
    // `off` rather than `automatic`: the running server's hourly job must find nothing to send here.
    const good = { mode: 'off', days: { 1: 10, 2: 20, 3: 60 } };
    const cases: { label: string; body: unknown; message: RegExp }[] = [
      { label: 'decreasing days', body: { mode: 'manual', days: { 1: 30, 2: 7, 3: 45 } }, message: /La deuxième relance doit venir après la première/ },
      { label: 'equal days', body: { mode: 'manual', days: { 1: 7, 2: 30, 3: 30 } }, message: /La mise en demeure doit venir après la deuxième relance/ },
      { label: '0 days', body: { mode: 'manual', days: { 1: 0, 2: 30, 3: 45 } }, message: /Au moins 1 jour/ },
      { label: '400 days', body: { mode: 'manual', days: { 1: 7, 2: 30, 3: 400 } }, message: /Au plus 365 jours/ },
      { label: 'a fraction of a day', body: { mode: 'manual', days: { 1: 7.5, 2: 30, 3: 45 } }, message: /nombre entier/ },
      { label: 'an unknown mode', body: { ...good, mode: 'always' }, message: /Mode de relance inconnu/ },
      { label: 'a level missing', body: { mode: 'manual', days: { 1: 7, 2: 30 } }, message: /nombre de jours/ },
    ];
    for (const c of cases) {
      const before = await databaseFingerprint(server.db.url);
      const res = await admin.put(`/api/d/${dossierId}/reminder-plan`, c.body);
      expect(res.status, `${c.label}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(JSON.stringify(res.body.error), c.label).toMatch(c.message);
      expect(await databaseFingerprint(server.db.url), c.label).toEqual(before);
    }
    const saved = await admin.put(`/api/d/${dossierId}/reminder-plan`, good);
    expect(saved.status).toBe(200);
    expect((await admin.get(`/api/d/${dossierId}/reminder-plan`)).body.plan).toEqual(good);
    const journal = (await admin.get(`/api/d/${dossierId}/audit`)).body;
    expect(JSON.stringify(journal)).toContain("Plan de relance modifié : relances désactivées, à 10, 20 et 60 jours après l'échéance");
    await admin.put(`/api/d/${dossierId}/reminder-plan`, { mode: 'manual', days: { 1: 7, 2: 30, 3: 45 } });
  });
});
