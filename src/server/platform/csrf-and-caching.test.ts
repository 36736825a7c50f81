import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { ApiClient, outboxLink, STRONG_PASSWORD, uniqueEmail, type Reply } from '../../../test/helpers/client';
import { databaseFingerprint, dossierWithData, fillPath, realValues, type DossierWithData } from '../../../test/helpers/route-fixtures';
import type { RegisteredRoute } from './auth';

/**
 * The CSRF check and `cache-control: no-store` belong to the routes, not to a URL prefix: the
 * router decodes `/%61pi/…` into `/api/…`, so every spelling of a route's path must meet the same
 * checks as the plain one.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

let server: TestServer;
let fixture: DossierWithData;

beforeAll(async () => {
  server = await startTestServer();
  fixture = await dossierWithData(server);
  await server.ctx.pdfs.idle();
}, 180_000);
afterAll(() => server.close());

const routes = (filter: (r: RegisteredRoute) => boolean) => server.app.registeredRoutes.filter(filter);
const isMutation = (r: RegisteredRoute) => r.method !== 'GET';
const key = (r: RegisteredRoute) => `${r.method} ${r.url}`;

/** The same path with some of its letters percent-encoded (lower- and upper-case hex), as a browser or a proxy may send it. */
function encodedSpellings(path: string): string[] {
  const rest = path.slice('/api'.length);
  const spellings = ['/%61pi', '/a%70i', '/ap%69', '/%61%70%69'].map((api) => api + rest);
  // A letter whose code has a hex letter in it (j–o, z): both cases of the hex digit.
  const index = rest.search(/[j-oz]/);
  if (index >= 0) {
    const hex = rest.charCodeAt(index).toString(16);
    for (const digits of [hex.toLowerCase(), hex.toUpperCase()]) spellings.push(`/api${rest.slice(0, index)}%${digits}${rest.slice(index + 1)}`);
  }
  spellings.push(`${path}/`);
  return spellings;
}

/** Spellings the router does not take for the route (it answers 404): they must not change anything either. */
function slashSpellings(path: string): string[] {
  const rest = path.slice('/api/'.length);
  return [`//api/${rest}`, `/api//${rest}`, `/api%2F${rest}`, `/api%2f${rest}`];
}

function expectErrorShape(res: Reply, status: number, code: string): void {
  expect(res.status, `${JSON.stringify(res.body)}`).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
}

describe('CSRF, however the path is spelled', () => {
  it('the router takes an encoded spelling for the route itself (with a token, it acts)', async () => {
    const customerId = fixture.ids.customerId![0]!;
    const res = await fixture.admin.post(`/%61pi/d/${fixture.dossierId}/customers/${customerId}/archive`);
    expect(res.status).toBe(200);
    expect(res.body.customer.archived).toBe(true);
    expect((await fixture.admin.post(`/a%70i/d/${fixture.dossierId}/customers/${customerId}/unarchive`)).status).toBe(200);
  });

  it('every state-changing route refuses a request without a token, on every spelling of its path, and changes nothing', async () => {
    const mutations = routes(isMutation);
    expect(mutations.length).toBeGreaterThan(40);
    for (const route of mutations) {
      const path = fillPath(route.url, (param) => realValues(fixture, route, param)[0] ?? '00000000-0000-4000-8000-000000000000');
      const before = await databaseFingerprint(server.db.url);
      for (const spelling of [path, ...encodedSpellings(path)]) {
        const res = await fixture.admin.request(route.method as Method, spelling, {}, { csrf: false });
        expectErrorShape(res, 403, 'csrf_invalid');
        expect(res.headers['cache-control'], `${spelling}`).toBe('no-store');
      }
      for (const spelling of slashSpellings(path)) {
        const res = await fixture.admin.request(route.method as Method, spelling, {}, { csrf: false });
        expect([403, 404], `${route.method} ${spelling}`).toContain(res.status);
        expectErrorShape(res, res.status, res.status === 403 ? 'csrf_invalid' : 'not_found');
        expect(res.headers['cache-control']).toBe('no-store');
      }
      await server.ctx.pdfs.idle();
      expect(await databaseFingerprint(server.db.url), key(route)).toEqual(before);
    }
  }, 300_000);

  it('a token from another browser (another secret) is refused as well', async () => {
    const other = new ApiClient(server.app);
    const foreignToken = await other.token();
    const res = await fixture.admin.request('PATCH', '/%61pi/me', { name: 'Mallory' }, { csrf: false, headers: { 'x-csrf-token': foreignToken } });
    expectErrorShape(res, 403, 'csrf_invalid');
  });
});

describe('CSRF tokens across login and logout', () => {
  async function freshToken(client: ApiClient): Promise<string> {
    return (await client.get('/api/csrf')).body.token as string;
  }

  it('a token obtained before login is refused after it, and one obtained before logout after that', async () => {
    const browser = new ApiClient(server.app);
    const beforeLogin = await freshToken(browser);
    const login = await browser.post('/api/auth/login', { email: fixture.adminEmail, password: STRONG_PASSWORD }, { csrf: false, headers: { 'x-csrf-token': beforeLogin } });
    expect(login.status).toBe(200);
    const stale = await browser.request('PATCH', '/api/me', { name: 'Camille Durand' }, { csrf: false, headers: { 'x-csrf-token': beforeLogin } });
    expectErrorShape(stale, 403, 'csrf_invalid');

    const afterLogin = await freshToken(browser);
    expect(afterLogin).not.toBe(beforeLogin);
    expect((await browser.request('PATCH', '/api/me', { name: 'Camille Durand' }, { csrf: false, headers: { 'x-csrf-token': afterLogin } })).status).toBe(200);

    expect((await browser.request('POST', '/api/auth/logout', undefined, { csrf: false, headers: { 'x-csrf-token': afterLogin } })).status).toBe(204);
    const afterLogout = await browser.request('POST', '/api/auth/login', { email: fixture.adminEmail, password: STRONG_PASSWORD }, { csrf: false, headers: { 'x-csrf-token': afterLogin } });
    expectErrorShape(afterLogout, 403, 'csrf_invalid');
  });

  it('confirming a sign-up gives a new secret too (asking for one sets no session, so keeps it)', async () => {
    const browser = new ApiClient(server.app);
    const beforeSignup = await freshToken(browser);
    const email = uniqueEmail('lea');
    const signup = await browser.post('/api/auth/signup', { name: 'Léa Roux', email, password: STRONG_PASSWORD, dossierName: 'Roux Conseil' }, { csrf: false, headers: { 'x-csrf-token': beforeSignup } });
    expect(signup.status).toBe(202);
    expect(signup.headers['set-cookie']).toBeUndefined();
    const token = new URL((await outboxLink(server.app, email, '/signup/confirm'))!).searchParams.get('token');
    const confirmed = await browser.post('/api/auth/signup/confirm', { token, password: STRONG_PASSWORD }, { csrf: false, headers: { 'x-csrf-token': beforeSignup } });
    expect(confirmed.status).toBe(201);
    expectErrorShape(await browser.request('POST', '/api/dossiers', { legalName: 'Second' }, { csrf: false, headers: { 'x-csrf-token': beforeSignup } }), 403, 'csrf_invalid');
  });
});

describe('cache-control, however the path is spelled', () => {
  /** What a route deliberately lets browsers keep: cached reads revalidate with their ETag; frozen files never change. */
  const IMMUTABLE = 'private, max-age=31536000, immutable';
  const FROZEN_FILES = new Set(['GET /api/d/:dossierId/logo', 'GET /api/d/:dossierId/quotes/:documentId/pdf', 'GET /api/d/:dossierId/invoices/:documentId/pdf']);

  function expectedCacheControl(route: RegisteredRoute, res: Reply): string {
    if (res.status >= 300) return 'no-store';
    if (route.cache) return 'private, no-cache';
    if (FROZEN_FILES.has(key(route)) && res.headers['cache-control'] === IMMUTABLE) return IMMUTABLE;
    return 'no-store';
  }

  it('every read answers the same cache-control on every spelling: no-store unless the route deliberately says otherwise', async () => {
    // A live stream never ends: its header is set with the stream (and checked by its own tests).
    const reads = routes((r) => r.method === 'GET' && !r.url.endsWith('/events'));
    expect(reads.length).toBeGreaterThan(20);
    for (const route of reads) {
      for (const value of [(param: string) => realValues(fixture, route, param)[0] ?? 'x', () => '00000000-0000-4000-8000-000000000000']) {
        const path = fillPath(route.url, value);
        const plain = await fixture.admin.get(path);
        expect(plain.status, `${path} ${JSON.stringify(plain.body)}`).toBeLessThan(500);
        expect(plain.headers['cache-control'], path).toBe(expectedCacheControl(route, plain));
        for (const spelling of encodedSpellings(path)) {
          const res = await fixture.admin.get(spelling);
          expect(res.status, spelling).toBe(plain.status);
          expect(res.headers['cache-control'], spelling).toBe(plain.headers['cache-control']);
        }
      }
    }
  }, 300_000);

  it('refusals and unknown API paths are not stored either', async () => {
    const anonymous = new ApiClient(server.app);
    for (const path of ['/api/me', '/%61pi/me', `/%61pi/d/${fixture.dossierId}`, '/%61pi/nothing', '/api/nothing']) {
      const res = await anonymous.get(path);
      expect([401, 404]).toContain(res.status);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
  });
});
