import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressObject } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, parisDate } from '../../core/dates';
import { formatEuros } from '../../core/money';
import { startServer, type RunningServer } from '../boot';
import { loadConfig } from '../config';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp, type ApiClient } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, SELLER, setUpSeller } from '../../../test/helpers/invoicing';
import { receivedLink, startSmtp, until, type TestSmtp } from '../../../test/helpers/smtp';

/**
 * The reminder scheduler on a real SMTP conversation: the scan is run with the day to consider
 * (`scanReminders(asOf)`) to move the clock past each level; the queue's worker delivers the
 * reminders to an in-process SMTP server and what arrived is parsed. Invoices are issued today
 * with payment on receipt (due today), so the hourly job of the running server, which scans
 * with the real date, finds none of them due.
 */

const MAIL_ENV = { MAIL_RETRY_BASE_SECONDS: '1', MAIL_QUEUE_POLL_SECONDS: '1', MAIL_FROM: 'Ardoise <factures@ardoise.example>' };
const TODAY = parisDate();
const GROSS = 64_200; // LINE: 12.5 m² × 42.80 € HT, VAT 20 %

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
  customerId = await createCustomer(admin, dossierId, { emails: ['compta@renard.example', 'gerant@renard.example'] });
  const plan = await admin.put(`/api/d/${dossierId}/reminder-plan`, { mode: 'automatic', days: { 1: 7, 2: 30, 3: 45 } });
  expect(plan.status, JSON.stringify(plan.body)).toBe(200);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

async function overdueInvoice(client = admin, dossier = dossierId, customer = customerId): Promise<{ id: string; number: string }> {
  const draft = await createDraft(client, dossier, { type: 'invoice', customerId: customer, lines: [LINE], paymentTerms: { days: 0, endOfMonth: false } });
  const res = await issue(client, dossier, draft);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.document.dueDate).toBe(TODAY);
  return { id: draft.id as string, number: res.body.document.number as string };
}

interface Message {
  id: string;
  state: string;
  reminderLevel: number | null;
  subject: string;
  to: string[];
}

async function messagesOf(documentId: string, client = admin, dossier = dossierId): Promise<Message[]> {
  const res = await client.get(`/api/d/${dossier}/invoices/${documentId}/messages`);
  expect(res.status).toBe(200);
  return res.body.messages;
}

/** What arrived over SMTP for an invoice's messages (each message names itself in its Message-ID). */
async function arrivalsOf(documentId: string, client = admin, dossier = dossierId) {
  const ids = new Set((await messagesOf(documentId, client, dossier)).map((m) => `<${m.id}@ardoise.example>`));
  return smtp.received.filter((r) => ids.has(r.parsed.messageId ?? ''));
}
const scan = (days: number, node: RunningServer = server) => node.ctx.mail.scanReminders(addDays(TODAY, days));

/** Waits until every message of the invoice has left (or was cancelled), then a little longer for anything sent twice. */
async function settled(documentId: string, client = admin, dossier = dossierId): Promise<Message[]> {
  const messages = await until('the reminders delivered', async () => {
    const list = await messagesOf(documentId, client, dossier);
    return list.every((m) => m.state === 'sent' || m.state === 'cancelled') && list;
  });
  await new Promise((r) => setTimeout(r, 1200));
  return messages;
}

describe('the clock moved past each level', () => {
  it('sends each level once, on its day, with the level’s template filled; never twice', async () => {
    const invoice = await overdueInvoice();
    for (const days of [0, 6]) await scan(days);
    expect(await messagesOf(invoice.id)).toEqual([]);

    expect((await scan(7)).stored).toBeGreaterThanOrEqual(1);
    await scan(7);
    await scan(8);
    let messages = await settled(invoice.id);
    expect(messages.map((m) => m.reminderLevel)).toEqual([1]);
    const [first, ...more] = await arrivalsOf(invoice.id);
    expect(more).toHaveLength(0);
    expect(first!.parsed.subject).toBe(`Rappel : facture ${invoice.number} — ${SELLER.legalName}`);
    expect(first!.parsed.text).toContain(`reste impayée : ${formatEuros(GROSS)} TTC restent dus`);
    expect(first!.parsed.text).toContain(`IBAN ${SELLER.iban}`);
    // Recipients: the customer's addresses; From and Reply-To as for a document sent by e-mail.
    expect((first!.parsed.to as AddressObject).value.map((a) => a.address)).toEqual(['compta@renard.example', 'gerant@renard.example']);
    expect(first!.parsed.from?.value).toEqual([{ address: 'factures@ardoise.example', name: SELLER.legalName }]);
    expect(first!.parsed.replyTo?.value).toEqual([{ address: SELLER.email, name: '' }]);
    expect(first!.parsed.attachments.map((a) => a.filename)).toEqual([`${invoice.number}.pdf`]);

    // A partial payment: the next level says what remains.
    expect((await admin.post(`/api/d/${dossierId}/invoices/${invoice.id}/payments`, { paidOn: TODAY, amountCents: 20_000, method: 'virement' })).status).toBe(201);
    await scan(30);
    await scan(30);
    await scan(44);
    messages = await settled(invoice.id);
    expect(messages.map((m) => m.reminderLevel).sort()).toEqual([1, 2]);
    const second = (await arrivalsOf(invoice.id)).find((r) => r.parsed.subject?.startsWith('Deuxième rappel'))!;
    expect(second.parsed.subject).toBe(`Deuxième rappel : facture ${invoice.number} impayée — ${SELLER.legalName}`);
    expect(second.parsed.text).toContain(`reste impayée depuis 30 jours : ${formatEuros(GROSS - 20_000)} TTC restent dus`);

    await scan(45);
    await scan(45);
    await scan(120);
    messages = await settled(invoice.id);
    expect(messages.map((m) => m.reminderLevel).sort()).toEqual([1, 2, 3]);
    expect((await arrivalsOf(invoice.id)).map((r) => r.parsed.subject!.split(' :')[0])).toEqual(['Rappel', 'Deuxième rappel', 'Mise en demeure de payer']);

    // The history: who asked (the scheduler), which level, to whom.
    const history = (await admin.get(`/api/d/${dossierId}/invoices/${invoice.id}/history`)).body.events as { action: string; summary: string; actorName: string }[];
    const requested = history.filter((e) => e.action === 'document.reminder_requested');
    expect(requested).toHaveLength(3);
    expect(requested.every((e) => e.actorName === 'Relance automatique')).toBe(true);
    expect(requested.map((e) => e.summary)).toContain(`Relance 3 (mise en demeure) demandée : Facture ${invoice.number} à compta@renard.example, gerant@renard.example`);
    expect((await admin.get(`/api/d/${dossierId}/audit/verify`)).body.ok).toBe(true);
  }, 60_000);

  it('an invoice first seen 50 days late gets the level reached only, and never a lower one after it', async () => {
    const invoice = await overdueInvoice();
    await scan(50);
    await scan(60);
    const messages = await settled(invoice.id);
    expect(messages.map((m) => m.reminderLevel)).toEqual([3]);
    expect((await arrivalsOf(invoice.id)).map((r) => r.parsed.subject!.split(' :')[0])).toEqual(['Mise en demeure de payer']);
  });
});

describe('who gets none', () => {
  it('paid, cancelled by a credit note, draft and not-yet-due invoices get no reminder; an invoice whose customer has no address is skipped and counted', async () => {
    const paid = await overdueInvoice();
    expect((await admin.post(`/api/d/${dossierId}/invoices/${paid.id}/payments`, { paidOn: TODAY, amountCents: GROSS, method: 'virement' })).status).toBe(201);
    const credited = await overdueInvoice();
    const credit = await admin.post(`/api/d/${dossierId}/invoices/${credited.id}/credit-note`, {});
    expect(credit.status, JSON.stringify(credit.body)).toBe(201);
    expect((await issue(admin, dossierId, credit.body.document)).status).toBe(200);
    const draft = await createDraft(admin, dossierId, { type: 'invoice', customerId, lines: [LINE], paymentTerms: { days: 0, endOfMonth: false } });
    const notDue = await createDraft(admin, dossierId, { type: 'invoice', customerId, lines: [LINE], paymentTerms: { days: 60, endOfMonth: false } });
    expect((await issue(admin, dossierId, notDue)).status).toBe(200);
    const silent = await createCustomer(admin, dossierId, { name: 'Client sans adresse', emails: [] });
    const noAddress = await overdueInvoice(admin, dossierId, silent);

    const result = await scan(10);
    expect(result.withoutAddress).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1500));
    for (const id of [paid.id, credited.id, draft.id as string, notDue.id as string, noAddress.id]) expect(await messagesOf(id)).toEqual([]);

    // The list says why the overdue invoice was not reminded.
    const list = await admin.get(`/api/d/${dossierId}/invoices?q=${encodeURIComponent('Client sans adresse')}`);
    expect(list.body.items.find((i: { id: string }) => i.id === noAddress.id)).toMatchObject({ reminder: null, customerHasEmail: false });
  });

  it('a dossier in manual mode (the default) gets nothing from the scheduler', async () => {
    const other = await signUp(server.app, { dossierName: 'Atelier Morel', confirmationLink: receivedLink(smtp, server) });
    await setUpSeller(other.client, other.dossierId);
    const invoice = await overdueInvoice(other.client, other.dossierId, await createCustomer(other.client, other.dossierId));
    expect((await other.client.get(`/api/d/${other.dossierId}/reminder-plan`)).body.plan).toEqual({ mode: 'manual', days: { 1: 7, 2: 30, 3: 45 } });
    await scan(50);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await messagesOf(invoice.id, other.client, other.dossierId)).toEqual([]);
  });
});

describe('never twice', () => {
  it('two app processes scanning at the same time store and deliver one reminder per level', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-second-node-'));
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DB_POOL_SIZE: '5', SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ...MAIL_ENV });
    const second = await startServer(config, { databaseUrl: server.db.url });
    try {
      await second.ctx.mail.start();
      const invoices = await Promise.all([overdueInvoice(), overdueInvoice(), overdueInvoice()]);
      await Promise.all([scan(31), scan(31, second), scan(31), scan(31, second)]);
      for (const invoice of invoices) {
        expect((await settled(invoice.id)).map((m) => m.reminderLevel)).toEqual([2]);
        expect(await arrivalsOf(invoice.id)).toHaveLength(1);
      }
    } finally {
      await second.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a payment between the scheduling and the delivery', () => {
  it('cancels the stored reminder: nothing delivered, the state says why, and the level may go out again if the invoice becomes due again', async () => {
    // This node stores and queues only: the reminder waits until a worker starts.
    const front = await startTestServer({ ...MAIL_ENV, SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_WORKER: 'false' });
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-worker-'));
    let worker: RunningServer | null = null;
    try {
      const owner = await signUp(front.app, { dossierName: 'Atelier Morel', confirmationLink: receivedLink(smtp, front) });
      await setUpSeller(owner.client, owner.dossierId);
      expect((await owner.client.put(`/api/d/${owner.dossierId}/reminder-plan`, { mode: 'automatic', days: { 1: 7, 2: 30, 3: 45 } })).status).toBe(200);
      const invoice = await overdueInvoice(owner.client, owner.dossierId, await createCustomer(owner.client, owner.dossierId));
      expect((await front.ctx.mail.scanReminders(addDays(TODAY, 8))).stored).toBe(1);
      const [stored] = await messagesOf(invoice.id, owner.client, owner.dossierId);
      expect(stored).toMatchObject({ state: 'pending', reminderLevel: 1 });
      const payment = await owner.client.post(`/api/d/${owner.dossierId}/invoices/${invoice.id}/payments`, { paidOn: TODAY, amountCents: GROSS, method: 'cheque' });
      expect(payment.status).toBe(201);

      const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DB_POOL_SIZE: '3', SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ...MAIL_ENV });
      worker = await startServer(config, { databaseUrl: front.db.url });
      await worker.ctx.mail.start();
      const messages = await settled(invoice.id, owner.client, owner.dossierId);
      expect(messages).toMatchObject([{ id: stored!.id, state: 'cancelled', reminderLevel: 1 }]);
      expect(await arrivalsOf(invoice.id, owner.client, owner.dossierId)).toHaveLength(0);
      const history = (await owner.client.get(`/api/d/${owner.dossierId}/invoices/${invoice.id}/history`)).body.events as { action: string; summary: string }[];
      expect(history.find((e) => e.action === 'document.reminder_cancelled')?.summary).toBe(`Relance 1 (relance courtoise) de Facture ${invoice.number} annulée avant l'envoi : la facture est réglée ou annulée`);
      const list = await owner.client.get(`/api/d/${owner.dossierId}/invoices?reminder=none`);
      expect(list.body.items.map((i: { id: string }) => i.id)).toContain(invoice.id);

      // The cheque bounces: the payment is cancelled, the invoice is due again, and so is its first reminder.
      const cancel = await owner.client.post(`/api/d/${owner.dossierId}/invoices/${invoice.id}/payments/${payment.body.paymentId}/cancel`, { reason: 'Chèque sans provision' });
      expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
      expect((await worker.ctx.mail.scanReminders(addDays(TODAY, 9))).stored).toBe(1);
      const after = await settled(invoice.id, owner.client, owner.dossierId);
      expect(after.map((m) => m.state).sort()).toEqual(['cancelled', 'sent']);
      expect(await arrivalsOf(invoice.id, owner.client, owner.dossierId)).toHaveLength(1);
    } finally {
      await worker?.stop();
      await front.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
