import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, parisDate } from '../../core/dates';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp, type ApiClient } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, setUpSeller } from '../../../test/helpers/invoicing';
import { databaseFingerprint } from '../../../test/helpers/route-fixtures';
import { receivedLink, startSmtp, type TestSmtp } from '../../../test/helpers/smtp';

/**
 * Reminders count against the dossier's sending limit (`MAIL_RATE_PER_HOUR`), like every message
 * stored in the outbox: a person's « Relancer » is refused with 429 and writes nothing, and the
 * automatic scan stops at the limit, leaving the remaining reminders for its next run.
 */

const LIMIT = 2;
const TODAY = parisDate();

let smtp: TestSmtp;
let server: TestServer;
let admin: ApiClient;
let dossierId: string;
let customerId: string;

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startTestServer({ MAIL_QUEUE_POLL_SECONDS: '1', MAIL_RATE_PER_HOUR: String(LIMIT), SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  const owner = await signUp(server.app, { dossierName: 'Plomberie Marchand', confirmationLink: receivedLink(smtp, server) });
  admin = owner.client;
  dossierId = owner.dossierId;
  await setUpSeller(admin, dossierId);
  customerId = await createCustomer(admin, dossierId);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

async function overdueInvoice(): Promise<string> {
  const draft = await createDraft(admin, dossierId, { type: 'invoice', customerId, issueDate: addDays(TODAY, -60), lines: [LINE], paymentTerms: { days: 0, endOfMonth: false } });
  const res = await issue(admin, dossierId, draft);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return draft.id as string;
}

let keys = 0;
const reminder = (level: number) => ({
  level,
  to: ['compta@marchand.example'],
  cc: [],
  bcc: [],
  subject: 'Rappel de paiement',
  body: 'Bonjour,\n\nNotre facture reste impayée.\n\nCordialement',
  idempotencyKey: `limite-${(keys++).toString(36)}-${Date.now().toString(36)}`,
});

describe('reminders and the dossier’s sending limit', () => {
  it('« Relancer » beyond the limit is refused with 429 and writes nothing; the scan stops at the limit', async () => {
    const invoices = [await overdueInvoice(), await overdueInvoice(), await overdueInvoice()];
    for (const id of invoices.slice(0, LIMIT)) {
      const res = await admin.post(`/api/d/${dossierId}/invoices/${id}/reminders`, reminder(1));
      expect(res.status, JSON.stringify(res.body)).toBe(202);
    }

    const before = await databaseFingerprint(server.db.url);
    const refused = await admin.post(`/api/d/${dossierId}/invoices/${invoices[LIMIT]}/reminders`, reminder(1));
    expect(refused.status, JSON.stringify(refused.body)).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', details: { reason: 'sending_limit', limit: LIMIT } });
    expect(await databaseFingerprint(server.db.url)).toEqual(before);

    // The scan finds the third invoice due (its level 3 is reached), but the hour's budget is spent.
    expect((await admin.put(`/api/d/${dossierId}/reminder-plan`, { mode: 'automatic', days: { 1: 7, 2: 30, 3: 45 } })).status).toBe(200);
    const scan = await server.ctx.mail.scanReminders(TODAY);
    expect(scan).toMatchObject({ stored: 0, limited: 1 });
    const reminded = await server.ctx.db.selectFrom('invoice_reminders').select('document_id').where('dossier_id', '=', dossierId).execute();
    expect(reminded.map((r) => r.document_id).sort()).toEqual(invoices.slice(0, LIMIT).sort());
  }, 120_000);
});
