import fs from 'node:fs/promises';
import pg from 'pg';
import { addDays, parisDate } from '../../src/core/dates';
import type { RegisteredRoute } from '../../src/server/platform/auth';
import { signUp, uniqueEmail, type ApiClient } from './client';
import { makePng } from './images';
import { createCustomer, createDraft, issue, LINE, setUpSeller } from './invoicing';
import type { TestServer } from './server';

/**
 * A dossier with one of everything a route's path can name (customers, products, quotes in each
 * state, invoices, a payment, a member, an invitation, a custom profile, a logo, an edited e-mail template), administered by
 * `admin`, and the real ids to put in each path parameter. For tests that go over every route.
 */
export interface DossierWithData {
  admin: ApiClient;
  adminEmail: string;
  dossierId: string;
  /** Real values for each path parameter name; documents by family (`quotes:documentId`). */
  ids: Record<string, string[]>;
}

export async function dossierWithData(server: TestServer): Promise<DossierWithData> {
  const owner = await signUp(server.app, { dossierName: 'Menuiserie Lambert' });
  const { client: admin, dossierId } = owner;
  const base = `/api/d/${dossierId}`;
  const ok = async (res: Promise<{ status: number; body: any }>) => {
    const r = await res;
    if (r.status >= 300) throw new Error(`fixture: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await server.ctx.db.updateTable('dossiers').set({ plan: 'tpe_plus', extra_seats: 1000 }).where('id', '=', dossierId).execute();
  await setUpSeller(admin, dossierId);
  await ok(admin.put(`${base}/logo`, undefined, { raw: makePng(), headers: { 'content-type': 'image/png' } }));
  const customerId = await createCustomer(admin, dossierId);
  const archivedCustomer = await createCustomer(admin, dossierId, { name: 'Ancien client' });
  await ok(admin.post(`${base}/customers/${archivedCustomer}/archive`));
  const product = (await ok(admin.post(`${base}/products`, { reference: 'PARQ', designation: 'Pose de parquet', unitPrice: '45', vatRate: '20', nature: 'service' }))).product.id;

  const draftQuote = (await createDraft(admin, dossierId, { type: 'quote', customerId, lines: [LINE] })).id;
  const finalised = await createDraft(admin, dossierId, { type: 'quote', customerId, lines: [LINE] });
  await ok(issue(admin, dossierId, finalised));
  const accepted = await createDraft(admin, dossierId, { type: 'quote', customerId, lines: [LINE] });
  await ok(issue(admin, dossierId, accepted));
  await ok(admin.post(`${base}/quotes/${accepted.id}/accept`));
  // Overdue (issued 60 days ago, payable on receipt, before any other invoice: the series' dates
  // only move forward), so that « Relancer » can be reached.
  const overdue = await createDraft(admin, dossierId, { type: 'invoice', customerId, lines: [LINE], issueDate: addDays(parisDate(), -60), paymentTerms: { days: 0, endOfMonth: false } });
  await ok(issue(admin, dossierId, overdue));
  const draftInvoice = (await createDraft(admin, dossierId, { type: 'invoice', customerId, lines: [LINE] })).id;
  const issued = await createDraft(admin, dossierId, { type: 'invoice', customerId, lines: [LINE] });
  await ok(issue(admin, dossierId, issued));
  const paymentId = (await ok(admin.post(`${base}/invoices/${issued.id}/payments`, { paidOn: parisDate(), amountCents: 1000, method: 'virement' }))).paymentId;

  // A message of each family, delivered (to the local outbox) before the fixture is handed over.
  const mail = { to: ['compta@renard.example'], subject: 'Votre pièce', body: 'Bonjour,\nci-joint notre pièce.' };
  const quoteMessage = (await ok(admin.post(`${base}/quotes/${finalised.id}/send`, { ...mail, idempotencyKey: 'fixture-quote' }))).message.id as string;
  const invoiceMessage = (await ok(admin.post(`${base}/invoices/${issued.id}/send`, { ...mail, idempotencyKey: 'fixture-invoice' }))).message.id as string;
  for (const [family, documentId] of [
    ['quotes', finalised.id],
    ['invoices', issued.id],
  ] as const) {
    for (let waited = 0; ; waited += 100) {
      const { messages } = await ok(admin.get(`${base}/${family}/${documentId}/messages`));
      if (messages.every((m: { state: string }) => m.state === 'sent')) break;
      if (waited > 20_000) throw new Error(`fixture: message not delivered ${JSON.stringify(messages)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const member = await signUp(server.app, { dossierName: 'Autre dossier' });
  await ok(admin.post(`${base}/members`, { email: member.email, profileId: 'readonly' }));
  await ok(admin.post(`${base}/members`, { email: uniqueEmail('invitee'), profileId: 'adv' }));
  const profileId = (await ok(admin.post(`${base}/profiles`, { name: 'Relecture', permissions: ['quotes.read'] }))).profile.id;
  await ok(admin.put(`${base}/mail-templates/invoice`, { subject: 'Facture {numero} — {entreprise}', body: 'Bonjour {client},\nci-joint notre facture {numero} ({montant_ttc}).' }));
  const members = await ok(admin.get(`${base}/members`));
  const sessions = await ok(admin.get('/api/me/sessions'));
  const outbox = await fs.readdir(server.outboxDir).catch(() => [] as string[]);

  return {
    admin,
    adminEmail: owner.email,
    dossierId,
    ids: {
      dossierId: [dossierId],
      customerId: [customerId, archivedCustomer],
      productId: [product],
      'quotes:documentId': [draftQuote, finalised.id, accepted.id],
      'invoices:documentId': [draftInvoice, issued.id, overdue.id],
      paymentId: [paymentId],
      'quotes:messageId': [quoteMessage],
      'invoices:messageId': [invoiceMessage],
      messageId: [quoteMessage, invoiceMessage],
      index: ['0'],
      userId: [member.user.id, owner.user.id],
      invitationId: members.invitations.map((i: { id: string }) => i.id),
      profileId: [profileId],
      sessionId: sessions.sessions.map((s: { id: string }) => s.id),
      series: ['quote', 'invoice', 'credit_note', 'pro_forma'],
      kind: ['invoice', 'quote', 'reminder_1'],
      token: ['0'.repeat(64)],
      id: outbox.filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')),
    },
  };
}

/** The real values for a path parameter of a route (documents of the route's family). */
export function realValues(fixture: DossierWithData, route: RegisteredRoute, param: string): string[] {
  const family = /\/(quotes|invoices)\//.exec(route.url)?.[1];
  return (family && fixture.ids[`${family}:${param}`]) || fixture.ids[param] || [];
}

/** The route's path with each `:param` replaced by `value(param)`. */
export function fillPath(url: string, value: (param: string) => string): string {
  return url.replace(/:(\w+)/g, (_whole, name: string) => value(name));
}

/**
 * What the database holds, as one text per table, to compare before and after a request that
 * should have changed nothing. Left out: what reads legitimately touch (a session's last
 * activity, live presence) and what a refusal records by design (failed logins).
 */
export async function databaseFingerprint(database: string | pg.Client): Promise<Record<string, string>> {
  // A connected client is reused (and left open): a connection costs more than the query.
  const client = typeof database === 'string' ? new pg.Client({ connectionString: database }) : database;
  if (typeof database === 'string') await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
          AND table_name NOT IN ('document_viewers', 'login_attempts', 'security_events', 'schema_migrations')
        ORDER BY 1`,
    );
    const projection = (name: string) => (name === 'sessions' ? `(t.id, t.revoked_at, t.expires_at)::text` : 't::text');
    const select = tables.rows
      .map(({ name }) => `SELECT '${name}' AS name, count(*) || ':' || md5(coalesce(string_agg(${projection(name)}, ',' ORDER BY ${projection(name)}), '')) AS print FROM public."${name}" t`)
      .join(' UNION ALL ');
    const rows = await client.query<{ name: string; print: string }>(select);
    return Object.fromEntries(rows.rows.map((r) => [r.name, r.print]));
  } finally {
    if (typeof database === 'string') await client.end();
  }
}
