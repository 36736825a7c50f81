import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, parisDate } from '../../core/dates';
import { AVAILABLE_PERMISSIONS, BUILTIN_PROFILE_KEYS, BUILTIN_PROFILES, normalizePermissions, type Permission } from '../../core/permissions';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { ApiClient, signUp, uniqueEmail } from '../../../test/helpers/client';
import { makePng } from '../../../test/helpers/images';
import { documentSamples, type SampleCall } from '../../../test/helpers/document-samples';
import { LINE, setUpSeller } from '../../../test/helpers/invoicing';
import { requiredPermissions, type RouteAuth } from './auth';

/**
 * Every route declares its authorization rule, and each dossier route answers each profile as the
 * permissions table says: allowed, 403 for a member without one of the permissions it needs (its
 * own and the read permissions of the records it reads), 404 for anyone outside the dossier
 * (never its data), 401 without a session. Besides the built-in profiles, custom profiles built
 * to find gaps: for every permission P, one with all the others; and narrow ones (only
 * `members.manage`, only `invoices.write`). Nobody grants more than they hold.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Call = SampleCall;
/** A request to make in the dossier, prepared for the client about to make it (a sample may need their own record). */
type Prepare = (dossierId: string, caller: ApiClient) => Promise<Call>;

const PUBLIC_ROUTES = [
  'GET /api/health',
  'GET /api/config',
  'GET /api/csrf',
  'GET /api/session',
  'GET /api/outbox',
  'GET /api/outbox/:id',
  'GET /api/outbox/:id/attachments/:index',
  'POST /api/auth/signup',
  'POST /api/auth/signup/confirm',
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'POST /api/auth/password-reset',
  'POST /api/auth/password-reset/confirm',
  'GET /api/invitations/:token',
  'POST /api/invitations/:token/accept',
];
const USER_ROUTES = [
  'GET /api/me',
  'PATCH /api/me',
  'POST /api/me/password',
  'GET /api/me/sessions',
  'DELETE /api/me/sessions/:sessionId',
  'POST /api/me/sessions/revoke-others',
  'GET /api/me/security-events',
  'POST /api/dossiers',
];

let server: TestServer;
let admin: ApiClient;
let dossierId: string;
let dossierName: string;
const members = new Map<string, ApiClient>();
const profileIds = new Map<string, string>();
let outsider: ApiClient;
/** The permissions of each tested member, by profile label. */
const held = new Map<string, Permission[]>();
/** Custom profiles holding only `dossier.read`, which any member manager may grant. */
let minimalProfiles: [string, string];
/** An invoice 60 days overdue, for « Relancer ». */
let overdueInvoice: string;

/**
 * Dossier routes that read records of another kind than their own permission covers, with the
 * read permissions they need (reviewed: a route answering with a record needs its read right).
 */
const READS: Record<string, Permission[]> = {
  'POST /api/d/:dossierId/quotes': ['quotes.read'],
  'PATCH /api/d/:dossierId/quotes/:documentId': ['quotes.read'],
  'POST /api/d/:dossierId/quotes/:documentId/issue': ['quotes.read'],
  'POST /api/d/:dossierId/quotes/:documentId/duplicate': ['quotes.read'],
  'POST /api/d/:dossierId/quotes/:documentId/accept': ['quotes.read'],
  'POST /api/d/:dossierId/quotes/:documentId/refuse': ['quotes.read'],
  'POST /api/d/:dossierId/quotes/:documentId/convert': ['quotes.read', 'invoices.read'],
  'POST /api/d/:dossierId/invoices': ['invoices.read'],
  'PATCH /api/d/:dossierId/invoices/:documentId': ['invoices.read'],
  'POST /api/d/:dossierId/invoices/:documentId/issue': ['invoices.read'],
  'POST /api/d/:dossierId/invoices/:documentId/duplicate': ['invoices.read'],
  'POST /api/d/:dossierId/invoices/:documentId/credit-note': ['invoices.read'],
  'POST /api/d/:dossierId/invoices/:documentId/payments': ['invoices.read'],
  'POST /api/d/:dossierId/invoices/:documentId/payments/:paymentId/cancel': ['invoices.read'],
  'POST /api/d/:dossierId/quotes/:documentId/send': ['quotes.read'],
  'POST /api/d/:dossierId/quotes/:documentId/messages/:messageId/resend': ['quotes.read'],
  'POST /api/d/:dossierId/quotes/:documentId/messages/:messageId/mark-sent': ['quotes.read'],
  'POST /api/d/:dossierId/invoices/:documentId/send': ['invoices.read'],
  'POST /api/d/:dossierId/invoices/:documentId/messages/:messageId/resend': ['invoices.read'],
  'POST /api/d/:dossierId/invoices/:documentId/messages/:messageId/mark-sent': ['invoices.read'],
  'POST /api/d/:dossierId/invoices/:documentId/reminders': ['invoices.read'],
  'GET /api/d/:dossierId/invoices/:documentId/reminders/next': ['invoices.read'],
  'POST /api/d/:dossierId/customers': ['customers.read'],
  'PATCH /api/d/:dossierId/customers/:customerId': ['customers.read'],
  'POST /api/d/:dossierId/customers/:customerId/archive': ['customers.read'],
  'POST /api/d/:dossierId/customers/:customerId/unarchive': ['customers.read'],
  'POST /api/d/:dossierId/products': ['products.read'],
  'PATCH /api/d/:dossierId/products/:productId': ['products.read'],
  'POST /api/d/:dossierId/products/:productId/archive': ['products.read'],
  'POST /api/d/:dossierId/products/:productId/unarchive': ['products.read'],
  'GET /api/d/:dossierId/audit/export': ['audit.read'],
};

/** Every permission but `dossier.read` (which every profile keeps) and those of features not built yet. */
const TESTED_PERMISSIONS = AVAILABLE_PERMISSIONS.filter((p) => p !== 'dossier.read');
const allBut = (p: Permission) => `all but ${p}`;
const NARROW: Record<string, Permission[]> = { 'only members.manage': ['members.manage'], 'only invoices.write': ['invoices.write'] };

async function addThrowawayMember(id: string): Promise<string> {
  const { user, email } = await signUp(server.app);
  const res = await admin.post(`/api/d/${id}/members`, { email, profileId: minimalProfiles[0] });
  expect(res.status).toBe(201);
  return user.id;
}

async function createProfile(id: string, permissions: Permission[] = []): Promise<string> {
  const res = await admin.post(`/api/d/${id}/profiles`, { name: `Profil ${uniqueEmail('p')}`, permissions });
  expect(res.status).toBe(201);
  return res.body.profile.id as string;
}

async function uploadLogo(id: string): Promise<void> {
  const res = await admin.put(`/api/d/${id}/logo`, undefined, { raw: makePng(), headers: { 'content-type': 'image/png' } });
  expect(res.status).toBe(200);
}

const CUSTOMER = { kind: 'company', name: 'Boulangerie Renard', billingAddress: { line1: '12 rue des Lilas', postalCode: '69003', city: 'Lyon' } };

async function createCustomer(id: string, archived = false): Promise<string> {
  const res = await admin.post(`/api/d/${id}/customers`, CUSTOMER);
  expect(res.status).toBe(201);
  if (archived) expect((await admin.post(`/api/d/${id}/customers/${res.body.customer.id}/archive`)).status).toBe(200);
  return res.body.customer.id as string;
}

async function createProduct(id: string, archived = false): Promise<string> {
  const res = await admin.post(`/api/d/${id}/products`, { reference: `REF-${uniqueEmail('r')}`.slice(0, 50), designation: 'Pose de parquet', unitPrice: '45', vatRate: '10', nature: 'service' });
  expect(res.status).toBe(201);
  if (archived) expect((await admin.post(`/api/d/${id}/products/${res.body.product.id}/archive`)).status).toBe(200);
  return res.body.product.id as string;
}

/**
 * The e-mail routes: an issued document to send (a fresh idempotency key each time), and a
 * message left uncertain (as a worker that died mid-conversation leaves it) to resend or mark sent.
 */
function mailSamples(): Record<string, Prepare> {
  let n = 0;
  const message = (subject: string) => ({ to: ['compta@renard.example'], subject, body: 'Bonjour,\nci-joint notre pièce.', idempotencyKey: `matrice-${Date.now().toString(36)}-${n++}` });
  async function issued(id: string, family: 'quotes' | 'invoices'): Promise<string> {
    const created = await admin.post(`/api/d/${id}/${family}`, { type: family === 'quotes' ? 'quote' : 'invoice', customerId: customerForDocuments, lines: [LINE] });
    expect(created.status).toBe(201);
    expect((await admin.post(`/api/d/${id}/${family}/${created.body.document.id}/issue`, { version: created.body.document.version })).status).toBe(200);
    return created.body.document.id as string;
  }
  async function uncertain(id: string, family: 'quotes' | 'invoices'): Promise<{ documentId: string; messageId: string }> {
    const documentId = await issued(id, family);
    const sent = await admin.post(`/api/d/${id}/${family}/${documentId}/send`, message('Envoi incertain'));
    expect(sent.status).toBe(202);
    const messageId = sent.body.message.id as string;
    // As a worker that died mid-conversation leaves it (this server delivers nothing: see beforeAll).
    await server.ctx.db.updateTable('outgoing_messages').set({ state: 'uncertain' }).where('dossier_id', '=', id).where('id', '=', messageId).execute();
    return { documentId, messageId };
  }
  const samples: Record<string, Prepare> = {};
  for (const family of ['quotes', 'invoices'] as const) {
    samples[`POST /api/d/:dossierId/${family}/:documentId/send`] = async (id) => ({ url: `/api/d/${id}/${family}/${await issued(id, family)}/send`, body: message('Votre pièce') });
    samples[`GET /api/d/:dossierId/${family}/:documentId/messages`] = async (id) => ({ url: `/api/d/${id}/${family}/${await issued(id, family)}/messages` });
    for (const action of ['resend', 'mark-sent']) {
      samples[`POST /api/d/:dossierId/${family}/:documentId/messages/:messageId/${action}`] = async (id) => {
        const { documentId, messageId } = await uncertain(id, family);
        return { url: `/api/d/${id}/${family}/${documentId}/messages/${messageId}/${action}` };
      };
    }
  }
  samples['GET /api/d/:dossierId/messages'] = async (id) => ({ url: `/api/d/${id}/messages?state=uncertain&type=invoice&q=renard` });
  samples['GET /api/d/:dossierId/messages/notices'] = async (id) => ({ url: `/api/d/${id}/messages/notices` });
  // A notice is dismissed by the message's sender: the message is the caller's own.
  samples['POST /api/d/:dossierId/messages/:messageId/dismiss'] = async (id, caller) => {
    const { messageId } = await uncertain(id, 'invoices');
    const callerId = (await caller.get('/api/me')).body.user.id as string;
    await server.ctx.db.updateTable('outgoing_messages').set({ created_by: callerId }).where('dossier_id', '=', id).where('id', '=', messageId).execute();
    return { url: `/api/d/${id}/messages/${messageId}/dismiss` };
  };
  return samples;
}

/**
 * The reminder routes. « Relancer » needs an overdue invoice: one issued 60 days ago (before any
 * other, for the series' chronology), reminded with one idempotency key, so that each allowed
 * call after the first answers the same reminder.
 */
function reminderSamples(): Record<string, Prepare> {
  return {
    'GET /api/d/:dossierId/reminder-plan': async (id) => ({ url: `/api/d/${id}/reminder-plan` }),
    'PUT /api/d/:dossierId/reminder-plan': async (id) => ({ url: `/api/d/${id}/reminder-plan`, body: { mode: 'manual', days: { 1: 10, 2: 30, 3: 45 } } }),
    'GET /api/d/:dossierId/invoices/:documentId/reminders/next': async (id) => ({ url: `/api/d/${id}/invoices/${overdueInvoice}/reminders/next` }),
    'POST /api/d/:dossierId/invoices/:documentId/reminders': async (id) => ({
      url: `/api/d/${id}/invoices/${overdueInvoice}/reminders`,
      body: { level: 1, to: ['compta@renard.example'], subject: 'Rappel', body: 'Bonjour,\nnotre facture reste impayée.', idempotencyKey: 'matrice-relance' },
    }),
  };
}

/** A document's « Informations »: an issued document, so that there is more to show than its creation. */
function informationSamples(): Record<string, Prepare> {
  const samples: Record<string, Prepare> = {};
  for (const [family, type] of [
    ['quotes', 'quote'],
    ['invoices', 'invoice'],
  ] as const) {
    samples[`GET /api/d/:dossierId/${family}/:documentId/information`] = async (id) => {
      const created = await admin.post(`/api/d/${id}/${family}`, { type, customerId: customerForDocuments, lines: [LINE] });
      expect(created.status).toBe(201);
      expect((await admin.post(`/api/d/${id}/${family}/${created.body.document.id}/issue`, { version: created.body.document.version })).status).toBe(200);
      return { url: `/api/d/${id}/${family}/${created.body.document.id}/information` };
    };
  }
  return samples;
}

const SAMPLES: Record<string, Prepare> = {
  ...documentSamples(
    () => admin,
    () => customerForDocuments,
  ),
  ...mailSamples(),
  ...reminderSamples(),
  ...informationSamples(),
  'GET /api/d/:dossierId': async (id) => ({ url: `/api/d/${id}` }),
  'PATCH /api/d/:dossierId/settings': async (id) => ({ url: `/api/d/${id}/settings`, body: { phone: '01 23 45 67 89' } }),
  'PUT /api/d/:dossierId/logo': async (id) => ({ url: `/api/d/${id}/logo`, raw: makePng(), contentType: 'image/png' }),
  'DELETE /api/d/:dossierId/logo': async (id) => {
    await uploadLogo(id);
    return { url: `/api/d/${id}/logo` };
  },
  'GET /api/d/:dossierId/logo': async (id) => {
    await uploadLogo(id);
    return { url: `/api/d/${id}/logo` };
  },
  'GET /api/d/:dossierId/mail-templates': async (id) => ({ url: `/api/d/${id}/mail-templates` }),
  'PUT /api/d/:dossierId/mail-templates/:kind': async (id) => ({ url: `/api/d/${id}/mail-templates/invoice`, body: { subject: `Facture {numero} — ${uniqueEmail('s')}`, body: 'Bonjour {client},\nci-joint notre facture {numero}.' } }),
  'DELETE /api/d/:dossierId/mail-templates/:kind': async (id) => {
    expect((await admin.put(`/api/d/${id}/mail-templates/quote`, { subject: `Devis {numero} — ${uniqueEmail('s')}`, body: 'Bonjour,\nci-joint notre devis.' })).status).toBe(200);
    return { url: `/api/d/${id}/mail-templates/quote` };
  },
  'GET /api/d/:dossierId/members': async (id) => ({ url: `/api/d/${id}/members` }),
  'POST /api/d/:dossierId/members': async (id) => ({ url: `/api/d/${id}/members`, body: { email: uniqueEmail('invitee'), profileId: minimalProfiles[0] } }),
  'PATCH /api/d/:dossierId/members/:userId': async (id) => ({ url: `/api/d/${id}/members/${await addThrowawayMember(id)}`, body: { profileId: minimalProfiles[1] } }),
  'DELETE /api/d/:dossierId/members/:userId': async (id) => ({ url: `/api/d/${id}/members/${await addThrowawayMember(id)}` }),
  'DELETE /api/d/:dossierId/invitations/:invitationId': async (id) => {
    const email = uniqueEmail('revoke');
    expect((await admin.post(`/api/d/${id}/members`, { email, profileId: minimalProfiles[0] })).status).toBe(201);
    const list = await admin.get(`/api/d/${id}/members`);
    return { url: `/api/d/${id}/invitations/${list.body.invitations.find((i: { email: string }) => i.email === email).id}` };
  },
  'GET /api/d/:dossierId/profiles': async (id) => ({ url: `/api/d/${id}/profiles` }),
  'POST /api/d/:dossierId/profiles': async (id) => ({ url: `/api/d/${id}/profiles`, body: { name: `Profil ${uniqueEmail('n')}`, permissions: [] } }),
  'PATCH /api/d/:dossierId/profiles/:profileId': async (id) => ({ url: `/api/d/${id}/profiles/${await createProfile(id)}`, body: { name: `Renommé ${uniqueEmail('r')}` } }),
  'DELETE /api/d/:dossierId/profiles/:profileId': async (id) => ({ url: `/api/d/${id}/profiles/${await createProfile(id)}` }),
  'GET /api/d/:dossierId/audit': async (id) => ({ url: `/api/d/${id}/audit` }),
  'GET /api/d/:dossierId/audit/verify': async (id) => ({ url: `/api/d/${id}/audit/verify` }),
  'GET /api/d/:dossierId/audit/summary': async (id) => ({ url: `/api/d/${id}/audit/summary?from=2026-01-01&to=2026-12-31` }),
  'GET /api/d/:dossierId/audit/actors': async (id) => ({ url: `/api/d/${id}/audit/actors` }),
  'GET /api/d/:dossierId/audit/export': async (id) => ({ url: `/api/d/${id}/audit/export?format=csv&from=2026-01-01` }),
  'GET /api/d/:dossierId/customers': async (id) => ({ url: `/api/d/${id}/customers?q=renard` }),
  'POST /api/d/:dossierId/customers': async (id) => ({ url: `/api/d/${id}/customers`, body: CUSTOMER }),
  'GET /api/d/:dossierId/customers/:customerId': async (id) => ({ url: `/api/d/${id}/customers/${await createCustomer(id)}` }),
  'PATCH /api/d/:dossierId/customers/:customerId': async (id) => ({ url: `/api/d/${id}/customers/${await createCustomer(id)}`, body: { version: 1, name: 'Boulangerie Renard et fils' } }),
  'POST /api/d/:dossierId/customers/:customerId/archive': async (id) => ({ url: `/api/d/${id}/customers/${await createCustomer(id)}/archive` }),
  'POST /api/d/:dossierId/customers/:customerId/unarchive': async (id) => ({ url: `/api/d/${id}/customers/${await createCustomer(id, true)}/unarchive` }),
  'DELETE /api/d/:dossierId/customers/:customerId': async (id) => ({ url: `/api/d/${id}/customers/${await createCustomer(id)}` }),
  'GET /api/d/:dossierId/products': async (id) => ({ url: `/api/d/${id}/products?nature=service` }),
  'POST /api/d/:dossierId/products': async (id) => ({
    url: `/api/d/${id}/products`,
    body: { reference: `REF-${uniqueEmail('n')}`.slice(0, 50), designation: 'Pose de parquet', unitPrice: '45', vatRate: '10', nature: 'service' },
  }),
  'GET /api/d/:dossierId/products/:productId': async (id) => ({ url: `/api/d/${id}/products/${await createProduct(id)}` }),
  'PATCH /api/d/:dossierId/products/:productId': async (id) => ({ url: `/api/d/${id}/products/${await createProduct(id)}`, body: { version: 1, unitPrice: '47.5' } }),
  'POST /api/d/:dossierId/products/:productId/archive': async (id) => ({ url: `/api/d/${id}/products/${await createProduct(id)}/archive` }),
  'POST /api/d/:dossierId/products/:productId/unarchive': async (id) => ({ url: `/api/d/${id}/products/${await createProduct(id, true)}/unarchive` }),
  'DELETE /api/d/:dossierId/products/:productId': async (id) => ({ url: `/api/d/${id}/products/${await createProduct(id)}` }),
};

/** A live stream never ends: open it over real HTTP, read the status, and hang up. */
async function openStream(client: ApiClient, call: Call): Promise<{ status: number; body: any }> {
  const controller = new AbortController();
  const res = await fetch(`${server.url}${call.url}`, { headers: { cookie: client.cookieHeader }, signal: controller.signal });
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
  controller.abort();
  return { status: res.status, body };
}

function send(client: ApiClient, method: Method, call: Call) {
  if (call.stream) return openStream(client, call);
  if (call.raw) return client.request(method, call.url, undefined, { raw: call.raw, headers: { 'content-type': call.contentType ?? 'application/octet-stream' } });
  return client.request(method, call.url, call.body);
}

async function join(profileId: string): Promise<ApiClient> {
  const member = await signUp(server.app);
  expect((await admin.post(`/api/d/${dossierId}/members`, { email: member.email, profileId })).status).toBe(201);
  return member.client;
}

function ruleOf(method: string, pattern: string): { permission: Permission; reads?: readonly Permission[] } {
  return server.app.registeredRoutes.find((r) => r.method === method && r.url === pattern)!.auth as Exclude<RouteAuth, string>;
}

async function auditCount(): Promise<number> {
  const row = await server.ctx.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).where('dossier_id', '=', dossierId).executeTakeFirstOrThrow();
  return Number(row.n);
}

let customerForDocuments: string;

beforeAll(async () => {
  // No delivery worker: a message delivered in the background would write its audit event while
  // a refused request's "nothing changed" is being checked.
  server = await startTestServer({ MAIL_WORKER: 'false' });
  const owner = await signUp(server.app, { dossierName: 'Menuiserie Lambert' });
  admin = owner.client;
  dossierId = owner.dossierId;
  dossierName = 'Menuiserie Lambert';
  await server.ctx.db.updateTable('dossiers').set({ plan: 'tpe_plus', extra_seats: 1000 }).where('id', '=', dossierId).execute();
  await setUpSeller(admin, dossierId);
  customerForDocuments = await createCustomer(dossierId);
  const overdue = await admin.post(`/api/d/${dossierId}/invoices`, { type: 'invoice', customerId: customerForDocuments, issueDate: addDays(parisDate(), -60), paymentTerms: { days: 0, endOfMonth: false }, lines: [LINE] });
  expect((await admin.post(`/api/d/${dossierId}/invoices/${overdue.body.document.id}/issue`, { version: overdue.body.document.version })).status).toBe(200);
  overdueInvoice = overdue.body.document.id as string;
  minimalProfiles = [await createProfile(dossierId), await createProfile(dossierId)];
  for (const key of BUILTIN_PROFILE_KEYS) {
    members.set(key, await join(key));
    held.set(key, [...BUILTIN_PROFILES[key]]);
  }
  const custom: Record<string, Permission[]> = { custom: ['dossier.read', 'audit.read', 'quotes.read'], ...NARROW };
  for (const p of TESTED_PERMISSIONS) custom[allBut(p)] = AVAILABLE_PERMISSIONS.filter((q) => q !== p);
  for (const [label, permissions] of Object.entries(custom)) {
    const res = await admin.post(`/api/d/${dossierId}/profiles`, { name: label, permissions });
    expect(res.status).toBe(201);
    profileIds.set(label, res.body.profile.id as string);
    members.set(label, await join(res.body.profile.id as string));
    held.set(label, normalizePermissions(permissions));
  }
  outsider = (await signUp(server.app, { dossierName: 'Autre Société' })).client;
});
afterAll(() => server.close());

describe('route registry', () => {
  it('every API route declares an authorization rule, and public/user routes are the reviewed ones', () => {
    const routes = server.app.registeredRoutes;
    expect(routes.length).toBeGreaterThan(30);
    for (const route of routes) expect(route.auth, `${route.method} ${route.url}`).toBeDefined();
    const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
    expect(routes.filter((r) => r.auth === 'public').map(key).sort()).toEqual([...PUBLIC_ROUTES].sort());
    expect(routes.filter((r) => r.auth === 'user').map(key).sort()).toEqual([...USER_ROUTES].sort());
    const dossierRoutes = routes.filter((r) => typeof r.auth === 'object').map(key);
    expect(dossierRoutes.sort()).toEqual(Object.keys(SAMPLES).sort());
    const declaredReads = Object.fromEntries(routes.flatMap((r) => (typeof r.auth === 'object' && r.auth.reads?.length ? [[key(r), [...r.auth.reads]]] : [])));
    expect(declaredReads).toEqual(READS);
  });

  it('refuses to start an app with a route that has no rule', async () => {
    const Fastify = (await import('fastify')).default;
    const { installAuthGuard } = await import('./auth');
    const app = Fastify();
    installAuthGuard(app, server.ctx);
    expect(() => app.get('/api/unguarded', async () => ({}))).toThrow(/declares no authorization rule/);
  });
});

describe('authorization matrix', () => {
  const profiles = [...BUILTIN_PROFILE_KEYS, 'custom', ...Object.keys(NARROW)];
  for (const [route, prepare] of Object.entries(SAMPLES)) {
    const [method, pattern] = route.split(' ') as [Method, string];
    describe(route, () => {
      for (const profile of profiles) {
        it(`as ${profile}`, async () => {
          const required = requiredPermissions(ruleOf(method, pattern));
          const allowed = required.every((p) => held.get(profile)!.includes(p));
          const call = await prepare(dossierId, members.get(profile)!);
          const before = await auditCount();
          const res = await send(members.get(profile)!, method, call);
          if (allowed) {
            expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
          } else {
            expect(res.status).toBe(403);
            expect(res.body.error.code).toBe('forbidden');
            expect(await auditCount()).toBe(before);
          }
        });
      }

      it('as each profile with every permission but one the route needs: 403, nothing changed', async () => {
        const required = requiredPermissions(ruleOf(method, pattern));
        const lacking = TESTED_PERMISSIONS.filter((p) => required.includes(p));
        if (lacking.length === 0) expect(required).toEqual(['dossier.read']);
        for (const p of lacking) {
          const call = await prepare(dossierId, members.get(allBut(p))!);
          const before = await auditCount();
          const res = await send(members.get(allBut(p))!, method, call);
          expect(res.status, `${allBut(p)}: ${JSON.stringify(res.body)}`).toBe(403);
          expect(res.body.error.code).toBe('forbidden');
          expect(await auditCount()).toBe(before);
        }
      });

      it('as a member of another dossier: 404, nothing revealed, nothing changed', async () => {
        const call = await prepare(dossierId, outsider);
        const before = await auditCount();
        const res = await send(outsider, method, call);
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('not_found');
        expect(JSON.stringify(res.body)).not.toContain(dossierName);
        expect(await auditCount()).toBe(before);
      });

      it('without a session: 401', async () => {
        const anonymous = new ApiClient(server.app);
        const call = await prepare(dossierId, admin);
        const res = await send(anonymous, method, call);
        expect(res.status).toBe(401);
      });
    });
  }
});

describe('nobody grants more than they hold', () => {
  /** What an escalation attempt must leave as it was: the trail, and the member's own profile. */
  async function unchanged(client: ApiClient, attempt: () => Promise<{ status: number; body: any }>, code: string): Promise<void> {
    const before = { events: await auditCount(), membership: (await client.get(`/api/d/${dossierId}`)).body.membership };
    const res = await attempt();
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.error.code).toBe(code);
    expect(await auditCount()).toBe(before.events);
    expect((await client.get(`/api/d/${dossierId}`)).body.membership).toEqual(before.membership);
  }

  for (const label of [...TESTED_PERMISSIONS.map(allBut), ...Object.keys(NARROW)]) {
    it(`as ${label}: cannot make anyone, themselves included, administrator or more than they are`, async () => {
      const client = members.get(label)!;
      // Without members.manage the route itself is refused; with it, the grant.
      const manages = held.get(label)!.includes('members.manage');
      const refusal = (code: string) => (manages ? code : 'forbidden');
      const me = (await client.get('/api/me')).body.user.id as string;
      const other = await addThrowawayMember(dossierId);
      const beyond = await createProfile(dossierId, [...AVAILABLE_PERMISSIONS]);
      await unchanged(client, () => client.patch(`/api/d/${dossierId}/members/${me}`, { profileId: 'admin' }), refusal('own_profile'));
      await unchanged(client, () => client.patch(`/api/d/${dossierId}/members/${me}`, { profileId: minimalProfiles[0] }), refusal('own_profile'));
      await unchanged(client, () => client.patch(`/api/d/${dossierId}/members/${other}`, { profileId: 'admin' }), refusal('profile_beyond_own'));
      await unchanged(client, () => client.patch(`/api/d/${dossierId}/members/${other}`, { profileId: beyond }), refusal('profile_beyond_own'));
      await unchanged(client, () => client.post(`/api/d/${dossierId}/members`, { email: uniqueEmail('escalate'), profileId: 'admin' }), refusal('profile_beyond_own'));
      await unchanged(client, () => client.post(`/api/d/${dossierId}/profiles`, { name: `Plus ${uniqueEmail('p')}`, permissions: AVAILABLE_PERMISSIONS }), refusal('profile_beyond_own'));
      await unchanged(client, () => client.patch(`/api/d/${dossierId}/profiles/${profileIds.get(label)}`, { permissions: AVAILABLE_PERMISSIONS }), refusal('profile_beyond_own'));
      await unchanged(client, () => client.patch(`/api/d/${dossierId}/profiles/${beyond}`, { name: `Renommé ${uniqueEmail('p')}` }), refusal('profile_beyond_own'));
      await unchanged(client, () => client.delete(`/api/d/${dossierId}/profiles/${beyond}`), refusal('profile_beyond_own'));
      // The administrator holds more than them: they can neither demote nor remove them.
      const adminId = (await admin.get('/api/me')).body.user.id as string;
      await unchanged(client, () => client.patch(`/api/d/${dossierId}/members/${adminId}`, { profileId: minimalProfiles[0] }), refusal('profile_beyond_own'));
      await unchanged(client, () => client.delete(`/api/d/${dossierId}/members/${adminId}`), refusal('profile_beyond_own'));
      expect((await client.patch(`/api/d/${dossierId}/settings`, { phone: '01 99 99 99 99' })).status).toBe(held.get(label)!.includes('settings.manage') ? 200 : 403);
      if (manages) {
        // Within their own permissions, they manage members as before.
        expect((await client.patch(`/api/d/${dossierId}/members/${other}`, { profileId: profileIds.get(label) })).status).toBe(200);
        expect((await client.post(`/api/d/${dossierId}/members`, { email: uniqueEmail('peer'), profileId: profileIds.get(label) })).status).toBe(201);
      }
    });
  }

  it('as the administrator: cannot change their own profile either, but manages everyone else', async () => {
    const adminId = (await admin.get('/api/me')).body.user.id as string;
    await unchanged(admin, () => admin.patch(`/api/d/${dossierId}/members/${adminId}`, { profileId: 'adv' }), 'own_profile');
    const other = await addThrowawayMember(dossierId);
    expect((await admin.patch(`/api/d/${dossierId}/members/${other}`, { profileId: 'admin' })).status).toBe(200);
  });

  it('cannot revoke an invitation with a profile beyond their own', async () => {
    const email = uniqueEmail('pending-admin');
    expect((await admin.post(`/api/d/${dossierId}/members`, { email, profileId: 'admin' })).status).toBe(201);
    const invitation = (await admin.get(`/api/d/${dossierId}/members`)).body.invitations.find((i: { email: string }) => i.email === email);
    const client = members.get('only members.manage')!;
    await unchanged(client, () => client.delete(`/api/d/${dossierId}/invitations/${invitation.id}`), 'profile_beyond_own');
  });
});

describe('answers hold only what the caller may read', () => {
  it('answers a document without the linked documents of a family the caller may not read', async () => {
    const quote = await admin.post(`/api/d/${dossierId}/quotes`, { type: 'quote', customerId: customerForDocuments, lines: [LINE] });
    const quoteId = quote.body.document.id as string;
    expect((await admin.post(`/api/d/${dossierId}/quotes/${quoteId}/issue`, { version: quote.body.document.version })).status).toBe(200);
    expect((await admin.post(`/api/d/${dossierId}/quotes/${quoteId}/accept`)).status).toBe(200);
    const invoice = await admin.post(`/api/d/${dossierId}/quotes/${quoteId}/convert`, { target: 'invoice' });
    expect(invoice.status).toBe(201);
    expect(invoice.body.document.source).toMatchObject({ id: quoteId, type: 'quote' });
    const url = `/api/d/${dossierId}/invoices/${invoice.body.document.id}`;
    const blind = await members.get(allBut('quotes.read'))!.get(url);
    expect(blind.status).toBe(200);
    expect(blind.body.document.source).toBeNull();
    expect(JSON.stringify(blind.body)).not.toContain(quoteId);
  });
});
