import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PROFILE_KEYS, BUILTIN_PROFILES, type Permission } from '../../core/permissions';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { ApiClient, signUp, uniqueEmail } from '../../../test/helpers/client';
import { makePng } from '../../../test/helpers/images';
import { documentSamples, type SampleCall } from '../../../test/helpers/document-samples';
import { setUpSeller } from '../../../test/helpers/invoicing';

/**
 * Every route declares its authorization rule, and each dossier route answers each profile as the
 * permissions table says: allowed, 403 for a member without the permission, 404 for anyone
 * outside the dossier (never its data), 401 without a session.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Call = SampleCall;
type Prepare = (dossierId: string) => Promise<Call>;

const PUBLIC_ROUTES = [
  'GET /api/health',
  'GET /api/config',
  'GET /api/csrf',
  'GET /api/session',
  'GET /api/outbox',
  'GET /api/outbox/:id',
  'POST /api/auth/signup',
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
let outsider: ApiClient;
let customPermissions: Permission[];

async function addThrowawayMember(id: string): Promise<string> {
  const { user, email } = await signUp(server.app);
  const res = await admin.post(`/api/d/${id}/members`, { email, profileId: 'readonly' });
  expect(res.status).toBe(201);
  return user.id;
}

async function createProfile(id: string): Promise<string> {
  const res = await admin.post(`/api/d/${id}/profiles`, { name: `Profil ${uniqueEmail('p')}`, permissions: ['quotes.read'] });
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

const SAMPLES: Record<string, Prepare> = {
  ...documentSamples(
    () => admin,
    () => customerForDocuments,
  ),
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
  'GET /api/d/:dossierId/members': async (id) => ({ url: `/api/d/${id}/members` }),
  'POST /api/d/:dossierId/members': async (id) => ({ url: `/api/d/${id}/members`, body: { email: uniqueEmail('invitee'), profileId: 'readonly' } }),
  'PATCH /api/d/:dossierId/members/:userId': async (id) => ({ url: `/api/d/${id}/members/${await addThrowawayMember(id)}`, body: { profileId: 'adv' } }),
  'DELETE /api/d/:dossierId/members/:userId': async (id) => ({ url: `/api/d/${id}/members/${await addThrowawayMember(id)}` }),
  'DELETE /api/d/:dossierId/invitations/:invitationId': async (id) => {
    const email = uniqueEmail('revoke');
    expect((await admin.post(`/api/d/${id}/members`, { email, profileId: 'readonly' })).status).toBe(201);
    const list = await admin.get(`/api/d/${id}/members`);
    return { url: `/api/d/${id}/invitations/${list.body.invitations.find((i: { email: string }) => i.email === email).id}` };
  },
  'GET /api/d/:dossierId/profiles': async (id) => ({ url: `/api/d/${id}/profiles` }),
  'POST /api/d/:dossierId/profiles': async (id) => ({ url: `/api/d/${id}/profiles`, body: { name: `Profil ${uniqueEmail('n')}`, permissions: ['quotes.read'] } }),
  'PATCH /api/d/:dossierId/profiles/:profileId': async (id) => ({ url: `/api/d/${id}/profiles/${await createProfile(id)}`, body: { name: `Renommé ${uniqueEmail('r')}` } }),
  'DELETE /api/d/:dossierId/profiles/:profileId': async (id) => ({ url: `/api/d/${id}/profiles/${await createProfile(id)}` }),
  'GET /api/d/:dossierId/audit': async (id) => ({ url: `/api/d/${id}/audit` }),
  'GET /api/d/:dossierId/audit/verify': async (id) => ({ url: `/api/d/${id}/audit/verify` }),
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

async function auditCount(): Promise<number> {
  const row = await server.ctx.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).where('dossier_id', '=', dossierId).executeTakeFirstOrThrow();
  return Number(row.n);
}

let customerForDocuments: string;

beforeAll(async () => {
  server = await startTestServer();
  const owner = await signUp(server.app, { dossierName: 'Menuiserie Lambert' });
  admin = owner.client;
  dossierId = owner.dossierId;
  dossierName = 'Menuiserie Lambert';
  await server.ctx.db.updateTable('dossiers').set({ plan: 'tpe_plus', extra_seats: 1000 }).where('id', '=', dossierId).execute();
  await setUpSeller(admin, dossierId);
  customerForDocuments = await createCustomer(dossierId);
  customPermissions = ['dossier.read', 'audit.read', 'quotes.read'];
  const custom = await admin.post(`/api/d/${dossierId}/profiles`, { name: 'Auditeur', permissions: customPermissions });
  for (const profileId of [...BUILTIN_PROFILE_KEYS, custom.body.profile.id as string]) {
    const member = await signUp(server.app);
    expect((await admin.post(`/api/d/${dossierId}/members`, { email: member.email, profileId })).status).toBe(201);
    members.set(BUILTIN_PROFILE_KEYS.includes(profileId as never) ? profileId : 'custom', member.client);
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
  const profiles = [...BUILTIN_PROFILE_KEYS, 'custom'] as const;
  for (const [route, prepare] of Object.entries(SAMPLES)) {
    const [method, pattern] = route.split(' ') as [Method, string];
    describe(route, () => {
      for (const profile of profiles) {
        it(`as ${profile}`, async () => {
          const rule = server.app.registeredRoutes.find((r) => r.method === method && r.url === pattern)!.auth as { permission: Permission };
          const allowed = (profile === 'custom' ? customPermissions : BUILTIN_PROFILES[profile]).includes(rule.permission);
          const call = await prepare(dossierId);
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

      it('as a member of another dossier: 404, nothing revealed, nothing changed', async () => {
        const call = await prepare(dossierId);
        const before = await auditCount();
        const res = await send(outsider, method, call);
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('not_found');
        expect(JSON.stringify(res.body)).not.toContain(dossierName);
        expect(await auditCount()).toBe(before);
      });

      it('without a session: 401', async () => {
        const call = await prepare(dossierId);
        const anonymous = new ApiClient(server.app);
        const res = await send(anonymous, method, call);
        expect(res.status).toBe(401);
      });
    });
  }
});
