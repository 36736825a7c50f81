import http from 'node:http';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parisDate } from '../../core/dates';
import { ERROR_MESSAGES, errorMessage, type ErrorCode } from '../../core/errors';
import { ApiClient, outboxLink, signUp, STRONG_PASSWORD, uniqueEmail } from '../../../test/helpers/client';
import { makeJpegShell, makePng } from '../../../test/helpers/images';
import { LONG, nastyString, acceptableNastyText, nastyValue, urlComponent, INVALID_JSON, ODD_JSON, CONTENT_TYPES, INVALID_UTF8 } from '../../../test/helpers/hostile-input';
import { LINE, SELLER } from '../../../test/helpers/invoicing';
import { databaseFingerprint, dossierWithData, fillPath, realValues, type DossierWithData } from '../../../test/helpers/route-fixtures';
import { startTestServer } from '../../../test/helpers/server';
import type { RegisteredRoute } from './auth';

/**
 * Every route of the route table, fed with what a hostile or broken client may send — arbitrary
 * JSON, bodies shaped like the route's own with fields replaced, query strings and path
 * parameters of garbage, text made of the characters that break software (NUL and other
 * controls, lone surrogates, noncharacters, bidirectional overrides, 100 000 characters…), raw
 * bodies that are not JSON, wrong content types, invalid UTF-8 — as the dossier's administrator
 * with a valid CSRF token (so that requests reach validation and the handlers), and anonymously
 * for the public routes. Whatever arrives: never a 5xx; every refusal in the one error shape;
 * and a refused request changes nothing in the database.
 *
 * `FUZZ_SEED` and `FUZZ_RUNS` (runs per route and caller) explore further; a failure prints the
 * seed and the path that replays it.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
/** Generous on a loaded machine; an answer that never comes is what this catches. */
const ANSWER_WITHIN_MS = 30_000;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

// The route table is known once the app is built: one test per route.
const server = await startTestServer();
afterAll(() => server.close());
const ROUTES = server.app.registeredRoutes;

let fixture: DossierWithData;
/** The administrator's password: a run of `POST /api/me/password` that is accepted changes it. */
let adminPassword = STRONG_PASSWORD;
/** A second account, whose e-mail and password the login and reset routes are fed with. */
let bystander: { email: string; dossierId: string };
let signupToken: string;
const fuzzed = new Set<string>();

beforeAll(async () => {
  fixture = await dossierWithData(server);
  const other = await signUp(server.app, { dossierName: 'Boulangerie Renard' });
  bystander = { email: other.email, dossierId: other.dossierId };
  // A sign-up waiting for its confirmation, so that the confirmation's real body carries a real token.
  const pending = uniqueEmail('pending');
  const signup = await new ApiClient(server.app).post('/api/auth/signup', { name: 'Noé Petit', email: pending, password: STRONG_PASSWORD, dossierName: 'Petit Bois' });
  if (signup.status !== 202) throw new Error(`sign-up: ${signup.status} ${JSON.stringify(signup.body)}`);
  signupToken = new URL((await outboxLink(server.app, pending, '/signup/confirm?token='))!).searchParams.get('token')!;
  await server.ctx.pdfs.idle();
}, 180_000);

// ---------------------------------------------------------------------------------------------
// The route's own shapes: a real body per route that takes one, and the keys and enumerations
// its zod schemas declare (for query strings and for fields a sample leaves out).

interface SchemaFacts {
  keys: string[];
  enums: unknown[];
}

function schemaFacts(schema: unknown): SchemaFacts {
  const keys = new Set<string>();
  const enums = new Set<unknown>();
  if (!(schema instanceof z.ZodType)) return { keys: [], enums: [] };
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const pending: unknown[] = [json];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (Array.isArray(node)) pending.push(...node);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'properties' && v && typeof v === 'object') for (const name of Object.keys(v)) keys.add(name);
        if (k === 'enum' && Array.isArray(v)) for (const e of v) enums.add(e);
        if (k === 'const') enums.add(v);
        pending.push(v);
      }
    }
  }
  return { keys: [...keys], enums: [...enums] };
}

/** A stand-in replaced by the record's current version just before sending. */
const CURRENT_VERSION = -424_242;

/** A real body for each route that takes one: valid as it stands (checked below against the route's schema). */
function realBody(route: RegisteredRoute): unknown {
  const customerId = fixture.ids.customerId![0]!;
  const documentType = route.url.includes('/quotes') ? 'quote' : 'invoice';
  const bodies: Record<string, () => unknown> = {
    'POST /api/auth/signup': () => ({ name: 'Léa Roux', email: uniqueEmail('lea'), password: STRONG_PASSWORD, dossierName: 'Roux Conseil' }),
    'POST /api/auth/signup/confirm': () => ({ token: signupToken, password: STRONG_PASSWORD }),
    'POST /api/auth/login': () => ({ email: bystander.email, password: STRONG_PASSWORD }),
    'POST /api/auth/password-reset': () => ({ email: bystander.email }),
    'POST /api/auth/password-reset/confirm': () => ({ token: 'f'.repeat(64), password: 'un-autre-Mot-de-passe-2026' }),
    'POST /api/invitations/:token/accept': () => ({ name: 'Noé Petit', password: STRONG_PASSWORD }),
    'PATCH /api/me': () => ({ name: 'Camille Durand', locale: 'fr' }),
    'POST /api/me/password': () => ({ currentPassword: adminPassword, newPassword: 'un-autre-Mot-de-passe-2026' }),
    'POST /api/dossiers': () => ({ legalName: 'Studio Nord' }),
    'PATCH /api/d/:dossierId/settings': () => ({ ...SELLER, phone: '01 23 45 67 89' }),
    'POST /api/d/:dossierId/members': () => ({ email: uniqueEmail('invitee'), profileId: 'readonly' }),
    'PATCH /api/d/:dossierId/members/:userId': () => ({ profileId: 'readonly' }),
    'POST /api/d/:dossierId/profiles': () => ({ name: 'Relecture', permissions: ['quotes.read'] }),
    'PATCH /api/d/:dossierId/profiles/:profileId': () => ({ name: 'Relecture des devis', permissions: ['quotes.read', 'invoices.read'] }),
    'POST /api/d/:dossierId/customers': () => ({
      kind: 'company',
      name: 'Boulangerie Renard',
      siren: '404833048',
      vatNumber: 'FR83404833048',
      billingAddress: { line1: '3 place du Marché', line2: '', postalCode: '38000', city: 'Grenoble', country: 'FR' },
      emails: ['compta@renard.example'],
      paymentTerms: { days: 30, endOfMonth: false },
    }),
    'PATCH /api/d/:dossierId/customers/:customerId': () => ({ version: CURRENT_VERSION, name: 'Boulangerie Renard et fils', emails: ['a@renard.example'] }),
    'POST /api/d/:dossierId/products': () => ({ reference: 'PARQ-2', designation: 'Pose de parquet', unitPrice: '45', vatRate: '20', nature: 'service', unit: 'm²' }),
    'PATCH /api/d/:dossierId/products/:productId': () => ({ version: CURRENT_VERSION, unitPrice: '47,50', designation: 'Pose de parquet chêne' }),
    'POST /api/d/:dossierId/quotes': () => ({ type: 'quote', customerId, notes: 'Livraison vendredi', lines: [LINE, { kind: 'section', designation: 'Lot 2' }] }),
    'POST /api/d/:dossierId/invoices': () => ({ type: 'invoice', customerId, lines: [LINE] }),
    [`PATCH /api/d/:dossierId/quotes/:documentId`]: () => ({ version: CURRENT_VERSION, notes: 'Livraison lundi', lines: [LINE] }),
    [`PATCH /api/d/:dossierId/invoices/:documentId`]: () => ({ version: CURRENT_VERSION, notes: 'Livraison lundi', lines: [LINE] }),
    'POST /api/d/:dossierId/quotes/:documentId/issue': () => ({ version: CURRENT_VERSION }),
    'POST /api/d/:dossierId/invoices/:documentId/issue': () => ({ version: CURRENT_VERSION }),
    'POST /api/d/:dossierId/quotes/:documentId/duplicate': () => ({ type: documentType }),
    'POST /api/d/:dossierId/invoices/:documentId/duplicate': () => ({ type: documentType }),
    'POST /api/d/:dossierId/quotes/:documentId/convert': () => ({ target: 'deposit_invoice', percent: '30' }),
    'POST /api/d/:dossierId/invoices/:documentId/credit-note': () => ({ lines: [{ position: 0, quantity: '1' }] }),
    'POST /api/d/:dossierId/invoices/:documentId/payments': () => ({ paidOn: parisDate(), amountCents: 100, method: 'virement', reference: 'VIR 2026' }),
    'POST /api/d/:dossierId/invoices/:documentId/payments/:paymentId/cancel': () => ({ reason: 'Chèque refusé' }),
    'POST /api/d/:dossierId/quotes/:documentId/send': () => ({ to: ['compta@renard.example'], cc: ['associe@renard.example'], subject: 'Votre devis', body: 'Bonjour,\nci-joint notre devis.', idempotencyKey: `fuzz-${randomUUID()}` }),
    'POST /api/d/:dossierId/invoices/:documentId/send': () => ({ to: ['compta@renard.example'], subject: 'Votre facture', body: 'Bonjour,\nci-joint notre facture.', idempotencyKey: `fuzz-${randomUUID()}` }),
    'POST /api/d/:dossierId/invoices/:documentId/reminders': () => ({ level: 1, to: ['compta@renard.example'], subject: 'Rappel : votre facture', body: 'Bonjour,\nnotre facture reste impayée.', idempotencyKey: `fuzz-${randomUUID()}` }),
    'PUT /api/d/:dossierId/reminder-plan': () => ({ mode: 'manual', days: { 1: 7, 2: 30, 3: 45 } }),
    'PUT /api/d/:dossierId/numbering/:series': () => ({ format: 'PF-{AAAA}-{NNNN}', yearlyReset: true, firstNumber: 1 }),
    'PUT /api/d/:dossierId/mail-templates/:kind': () => ({ subject: 'Votre facture {numero} — {entreprise}', body: 'Bonjour {client},\n\nci-joint notre facture {numero} : {reste_du} restent dus.\nIBAN {iban}' }),
  };
  return bodies[key(route)]?.();
}

const bodySchema = (route: RegisteredRoute) => route.schema?.body as z.ZodType | undefined;
const querySchema = (route: RegisteredRoute) => route.schema?.querystring as z.ZodType | undefined;

// ---------------------------------------------------------------------------------------------
// Requests

interface FuzzRequest {
  path: string;
  query: string;
  /** A JSON value to send as `application/json`, or a raw payload with its content type. */
  body?: { json: unknown } | { raw: string | Buffer; contentType: string | null };
}

type Step =
  | { op: 'replace' | 'remove' | 'wrap'; at: number; value: unknown }
  | { op: 'add'; at: number; name: string; value: unknown }
  | { op: 'retext'; at: number; value: unknown; where: 'before' | 'after' | 'instead' };

/** The places in a JSON value (as paths), objects and arrays included, down to a few levels and a few hundred places. */
function places(value: unknown): (string | number)[][] {
  const found: (string | number)[][] = [];
  const pending: [unknown, (string | number)[]][] = [[value, []]];
  for (let next = pending.shift(); next && found.length < 300; next = pending.shift()) {
    const [v, at] = next;
    found.push(at);
    if (at.length >= 6) continue;
    if (Array.isArray(v)) v.slice(0, 20).forEach((child, i) => pending.push([child, [...at, i]]));
    else if (v && typeof v === 'object') for (const [k, child] of Object.entries(v)) pending.push([child, [...at, k]]);
  }
  return found;
}

/** A copy as JSON makes it (own `__proto__` keys stay own keys): values are shared between runs and must not be changed by one. */
const copy = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** A string of a sample that reads as free text (a name, a designation, a city), not an identifier, a code or an e-mail. */
function isFreeText(value: unknown): boolean {
  return typeof value === 'string' && !value.includes('@') && (/\s/.test(value) || /^[A-ZÀ-Ý][a-zà-ÿ]+$/.test(value));
}

function mutate(sample: unknown, steps: Step[]): unknown {
  let body: unknown = copy(sample);
  for (const original of steps) {
    const step = { ...original, value: copy(original.value) };
    const all = places(body);
    const at = all[step.at % all.length]!;
    const parent = at.length === 0 ? null : (at.slice(0, -1).reduce((v: any, k) => v[k], body) as any);
    const last = at[at.length - 1];
    const current = at.length === 0 ? body : parent[last!];
    const set = (v: unknown) => {
      if (parent === null) body = v;
      else if (last === '__proto__' || last === 'constructor' || last === 'prototype') Object.defineProperty(parent, last, { value: v, enumerable: true, writable: true, configurable: true });
      else parent[last!] = v;
    };
    if (step.op === 'retext') {
      // Text that passes the edge checks, put into one of the body's strings: it reaches the handler, the database, the PDF.
      const strings = all.filter((p) => p.length > 0 && isFreeText(p.reduce((v: any, k) => v?.[k], body)));
      if (strings.length === 0) continue;
      const place = strings[step.at % strings.length]!;
      const holder = place.slice(0, -1).reduce((v: any, k) => v[k], body) as any;
      const name = place[place.length - 1]!;
      const piece = String(step.value);
      holder[name] = step.where === 'instead' ? piece : step.where === 'before' ? piece + holder[name] : holder[name] + piece;
      continue;
    }
    if (step.op === 'replace') set(step.value);
    else if (step.op === 'wrap') set(step.value === null ? [current] : { value: current });
    else if (step.op === 'remove') {
      if (parent === null) body = undefined;
      else if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last!];
    } else if (step.op === 'add' && current && typeof current === 'object' && !Array.isArray(current)) {
      Object.defineProperty(current, step.name, { value: step.value, enumerable: true, writable: true, configurable: true });
    } else if (Array.isArray(current)) current.push(step.value);
  }
  return body;
}


function rawBody(route: RegisteredRoute): fc.Arbitrary<NonNullable<FuzzRequest['body']>> {
  const sample = realBody(route);
  const text = JSON.stringify(sample ?? {});
  const strings = places(sample).filter((p) => typeof p.reduce((v: any, k) => v?.[k], sample) === 'string');
  return fc.oneof(
    fc.constantFrom(...INVALID_JSON, ...ODD_JSON).map((raw) => ({ raw, contentType: 'application/json' })),
    fc.tuple(fc.constantFrom(...CONTENT_TYPES), fc.constantFrom(text, 'name=a&b=%00', '<a/>', '')).map(([contentType, raw]) => ({ raw, contentType })),
    fc.constant({ raw: text, contentType: null }),
    // Invalid UTF-8 inside one of the sample's strings (or at the top).
    fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.nat()).map(([bytes, n]) => {
      const at = strings.length ? strings[n % strings.length]! : null;
      const marker = '\u0001MARK\u0001';
      const marked = at ? JSON.stringify(mutate(sample, [{ op: 'replace', at: places(sample).findIndex((p) => p.join('/') === at.join('/')), value: marker }])) : JSON.stringify(marker);
      const [before, after] = marked.split(JSON.stringify(marker).slice(1, -1));
      return { raw: Buffer.concat([Buffer.from(before!), Buffer.from(bytes), Buffer.from(after!)]), contentType: 'application/json' };
    }),
    // Images that are not images, or barely.
    fc.tuple(fc.constantFrom('image/png', 'image/jpeg'), fc.constantFrom(makePng().subarray(0, 30), makePng(1, 1), makeJpegShell(), makeJpegShell(65_535, 65_535), Buffer.alloc(0), Buffer.from('not an image'), Buffer.alloc(3 * 1024 * 1024, 0x89))).map(([contentType, raw]) => ({ raw, contentType })),
    fc.constant({ raw: 'x'.repeat(1024 * 1024 + 10), contentType: 'application/json' }),
  );
}

function requestArbitrary(route: RegisteredRoute, anonymous: boolean): fc.Arbitrary<FuzzRequest> {
  const params = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const param = (name: string) => {
    const real = anonymous && name === 'dossierId' ? [bystander.dossierId] : realValues(fixture, route, name);
    return fc.oneof(
      ...(real.length ? [{ weight: 6, arbitrary: fc.constantFrom(...real) }] : []),
      { weight: 1, arbitrary: fc.constantFrom(randomUUID(), '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', ...real.map((v) => v.toUpperCase()), ...real.map((v) => `${v}x`), ...real.map((v) => `{${v}}`)) },
      { weight: 2, arbitrary: urlComponent },
    );
  };
  const path = fc.tuple(...params.map(param)).map((values) => fillPath(route.url, (name) => values[params.indexOf(name)]!));

  const queryFacts = schemaFacts(querySchema(route));
  const queryKey = fc.oneof(...(queryFacts.keys.length ? [{ weight: 3, arbitrary: fc.constantFrom(...queryFacts.keys) }] : []), { weight: 1, arbitrary: urlComponent }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'a[b]', 'a[]', '') });
  const queryValue = fc.oneof(
    ...(queryFacts.enums.length ? [{ weight: 3, arbitrary: fc.constantFrom(...queryFacts.enums.map(String)) }] : []),
    { weight: 1, arbitrary: fc.constantFrom('0', '-1', '1', '50', '1e3', '99999999999999999999', 'renard', '2026-01-01', fixture.ids.customerId![0]!) },
    { weight: 3, arbitrary: urlComponent },
  );
  const query = fc.oneof(
    fc.constant(''),
    fc.array(fc.tuple(queryKey, queryValue, fc.boolean()), { maxLength: 5 }).map((pairs) => pairs.map(([k, v, bare]) => (bare && !v ? k : `${k}=${v}`)).join('&')),
    fc.constantFrom('&', '&&=', '=', '==&=', 'q', 'q=a&q=b&q=c', '%', '%E0%A4%A=%E0%A4%A', '%00=%00', 'q=%ED%A0%80', 'q=' + 'x'.repeat(LONG)),
  );

  if (route.method === 'GET') return fc.record({ path, query });

  const sample = realBody(route);
  const facts = schemaFacts(bodySchema(route));
  const fieldName = fc.oneof(...(facts.keys.length ? [{ weight: 3, arbitrary: fc.constantFrom(...facts.keys) }] : []), { weight: 1, arbitrary: nastyString.filter((s) => s.length < 300) }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '') });
  const fieldValue = fc.oneof(
    ...(facts.enums.length ? [{ weight: 2, arbitrary: fc.constantFrom(...facts.enums) }] : []),
    { weight: 1, arbitrary: fc.constantFrom<unknown>('2026-02-30', '2026-12-31', '0001-01-01', '12,50', '1 234,56', '-5', '0', '100', '1e3', 'quotes.read', 'admin', fixture.ids.customerId![0]!, fixture.ids.productId![0]!, randomUUID()) },
    { weight: 4, arbitrary: nastyValue },
  );
  const retext = fc.record({ op: fc.constant('retext' as const), at: fc.nat(), value: acceptableNastyText, where: fc.constantFrom('before' as const, 'after' as const, 'instead' as const) });
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: fieldValue }) },
    { weight: 4, arbitrary: retext },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), at: fc.nat(), value: fc.constant(null) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('wrap' as const), at: fc.nat(), value: fc.constantFrom(null, 1) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('add' as const), at: fc.nat(), name: fieldName, value: fieldValue }) },
  );
  const json = fc.oneof(
    { weight: 6, arbitrary: fc.array(step, { minLength: 1, maxLength: 3 }).map((steps) => ({ json: mutate(sample ?? {}, steps) })) },
    { weight: 3, arbitrary: fc.array(retext, { minLength: 1, maxLength: 3 }).map((steps) => ({ json: mutate(sample ?? {}, steps) })) },
    { weight: 1, arbitrary: fc.constant({ json: sample ?? {} }) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ json: value })) },
    { weight: 1, arbitrary: fc.constantFrom({ json: {} }, { json: [] }, { json: null }, { json: 0 }, { json: '' }) },
  );
  const body = fc.oneof({ weight: 6, arbitrary: json }, { weight: 3, arbitrary: rawBody(route) }, { weight: 1, arbitrary: fc.constant(undefined) });
  return fc.record({ path, query, body });
}

// ---------------------------------------------------------------------------------------------
// Sending

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

function describeRequest(route: RegisteredRoute, request: FuzzRequest, answer?: Answer): string {
  const body = request.body === undefined ? '' : 'json' in request.body ? JSON.stringify(request.body.json) : `${request.body.contentType} ${String(request.body.raw)}`;
  const shown = (s: string | undefined) => (s === undefined ? '' : s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s);
  return `${route.method} ${shown(request.path)}${request.query ? `?${shown(request.query)}` : ''} ${shown(body)} → ${answer ? `${answer.status} ${shown(answer.text)}` : ''}`;
}

/** Requests as a counterexample shows them: shortened, and without walking a body nested thousands deep. */
function reported(route: RegisteredRoute, requests: fc.Arbitrary<FuzzRequest>): fc.Arbitrary<FuzzRequest> {
  return requests.map((request) => Object.defineProperty(request, fc.toStringMethod, { value: () => describeRequest(route, request), enumerable: false }));
}

/** A browser: its cookies (a session or none) and a valid CSRF token. */
async function browser(login: boolean, ip: string): Promise<ApiClient> {
  const client = new ApiClient(server.app, { ip });
  if (login) {
    const res = await client.post('/api/auth/login', { email: fixture.adminEmail, password: adminPassword });
    if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
  }
  await client.token();
  return client;
}

/** The current version of the record a path names (for bodies that carry one), or 1. */
async function currentVersion(client: ApiClient, path: string): Promise<number> {
  const record = path.replace(/\/(issue|duplicate|convert|archive|unarchive)$/, '');
  const res = await client.get(record);
  if (res.status !== 200) return 1;
  const found = Object.values(res.body as Record<string, { version?: unknown }>).find((v) => v && typeof v === 'object' && typeof v.version === 'number');
  return (found?.version as number | undefined) ?? 1;
}

/** The body as JSON, with the version stand-in (wherever a mutation moved it) replaced by a real version. */
function withVersion(json: string, version: number): string {
  return json.replaceAll(String(CURRENT_VERSION), String(version));
}

/** A server-sent-events route never ends while it streams: read it over real HTTP and hang up after the head. */
function openStream(client: ApiClient, url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${server.url}${url}`, { agent: false, headers: { cookie: client.cookieHeader } }, (res) => {
      const contentType = String(res.headers['content-type'] ?? '');
      if (contentType.startsWith('text/event-stream')) {
        resolve({ status: res.statusCode!, contentType, text: '' });
        request.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, contentType, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    request.on('error', reject);
  });
}

async function send(client: ApiClient, route: RegisteredRoute, request: FuzzRequest): Promise<Answer> {
  const url = `${request.path}${request.query ? `?${request.query}` : ''}`;
  // Over real HTTP, Node's own parser answers a request line over its header limit (16 KiB) with a bare 431 before the app sees it.
  if (route.url.endsWith('/events')) return openStream(client, url.length > 8_000 ? url.slice(0, 8_000) : url);
  const headers: Record<string, string> = {};
  if (route.method !== 'GET') headers['x-csrf-token'] = await client.token();
  if (client.cookieHeader) headers.cookie = client.cookieHeader;
  let payload: string | Buffer | undefined;
  if (request.body && 'json' in request.body) {
    const json = JSON.stringify(request.body.json) as string | undefined;
    if (json !== undefined) {
      payload = json.includes(String(CURRENT_VERSION)) ? withVersion(json, await currentVersion(client, request.path)) : json;
      headers['content-type'] = 'application/json';
    }
  } else if (request.body) {
    payload = request.body.raw;
    if (request.body.contentType !== null) headers['content-type'] = request.body.contentType;
  }
  const res = await server.app.inject({ method: route.method as Method, url, headers, payload, remoteAddress: '127.0.0.9' });
  return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), text: res.body };
}

/** A request left unanswered is a failure too (it holds a connection and a database transaction). */
async function answeredWithin(answer: Promise<Answer>, label: () => string): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms: ${label()}`)), ANSWER_WITHIN_MS);
  });
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

const ERROR_CODES = new Set(Object.keys(ERROR_MESSAGES));

/** No 5xx; a refusal is `{ error: { code, message, details? } }` with a known code and its message. */
function expectWellFormedAnswer(label: string, answer: Answer): void {
  expect(answer.status, label).toBeLessThan(500);
  if (answer.status < 400) return;
  expect(answer.contentType, label).toMatch(/^application\/json\b/);
  const body = JSON.parse(answer.text) as { error: { code: ErrorCode; message: string; details?: unknown } };
  expect(Object.keys(body), label).toEqual(['error']);
  const { code, message, details, ...rest } = body.error;
  expect(rest, label).toEqual({});
  expect(ERROR_CODES.has(code), `${label}: unknown code ${code}`).toBe(true);
  if (details !== undefined) {
    expect(details !== null && typeof details === 'object' && !Array.isArray(details), label).toBe(true);
    if (code === 'validation_failed') {
      const fields = (details as { fields?: unknown }).fields;
      expect(fields !== null && typeof fields === 'object', label).toBe(true);
      for (const m of Object.values(fields as object)) expect(typeof m, label).toBe('string');
    }
  }
  expect(message, label).toBe(errorMessage(code, 'fr', (details ?? {}) as Record<string, unknown>));
}

// ---------------------------------------------------------------------------------------------
// The runs

/** Routes that end what later runs need (a session, a record): they run after all the others. */
const isDestructive = (r: RegisteredRoute) => r.method === 'DELETE' || r.url === '/api/auth/logout' || r.url.endsWith('/revoke-others');
/** Writes first, so that the reads meet what they stored; then the reads; then what deletes. */
const phase = (r: RegisteredRoute) => (isDestructive(r) ? 2 : r.method === 'GET' ? 1 : 0);
const ORDERED = [...ROUTES].sort((a, b) => phase(a) - phase(b));

/**
 * What the database holds, watched cheaply: PostgreSQL's write-ahead log position moves with
 * every write, so while it stands still the data has not changed; when it moved, the full
 * fingerprint (every table's rows, audit events included; see `databaseFingerprint` for what it
 * leaves out) is taken again. Other test files writing to their own databases only make it
 * fingerprint more often.
 */
class DatabaseWatch {
  private client!: pg.Client;
  private lsn = '';
  fingerprint: Record<string, string> = {};

  async open(): Promise<void> {
    this.client = new pg.Client({ connectionString: server.db.url });
    await this.client.connect();
    await this.refresh();
  }

  close(): Promise<void> {
    return this.client.end();
  }

  /** The fingerprint now: the previous one if nothing was written since. */
  async refresh(): Promise<Record<string, string>> {
    await Promise.all([server.ctx.pdfs.idle(), server.ctx.tasks.idle()]);
    // E-mails accepted for sending are delivered by the queue's worker, which then records their state.
    for (let waited = 0; waited < 20_000; waited += 50) {
      const inFlight = await this.client.query(`SELECT 1 FROM outgoing_messages WHERE state IN ('pending', 'sending') LIMIT 1`);
      if (inFlight.rowCount === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const lsn = (await this.client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
    if (lsn !== this.lsn) {
      this.lsn = lsn;
      this.fingerprint = await databaseFingerprint(this.client);
    }
    return this.fingerprint;
  }
}
const watch = new DatabaseWatch();
beforeAll(() => watch.open());
afterAll(() => watch.close());

/** The administrator's browser, shared by the routes' runs; a new login when a run ended its session. */
let adminBrowser: ApiClient | null = null;

/**
 * Runs the property for one caller: after a refusal, the database's fingerprint must equal the
 * one taken after the previous answer.
 */
async function fuzzRoute(route: RegisteredRoute, anonymous: boolean): Promise<void> {
  const ip = anonymous ? '127.0.0.10' : '127.0.0.11';
  const caller = async () => (anonymous ? browser(false, ip) : (adminBrowser ??= await browser(true, ip)));
  let client = await caller();
  let state = await watch.refresh();
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(reported(route, requestArbitrary(route, anonymous)), async (request) => {
      const answer = await answeredWithin(send(client, route, request), () => describeRequest(route, request));
      const label = describeRequest(route, request, answer);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      expectWellFormedAnswer(label, answer);
      const after = await watch.refresh();
      if (answer.status >= 400) expect(after, `a refused request wrote: ${label}`).toEqual(state);
      state = after;
      if (key(route) === 'POST /api/me/password' && answer.status === 204 && request.body && 'json' in request.body) {
        adminPassword = (request.body.json as { newPassword: string }).newPassword;
      }
      // A run that ended the session (logout, a revoked session, a new password) must not blind the next ones;
      // an anonymous run that logged in goes back to being anonymous.
      const lost = anonymous ? client.hasCookie('ardoise_session') : answer.status === 401 || !client.hasCookie('ardoise_session');
      if (lost) {
        if (!anonymous) adminBrowser = null;
        client = await caller();
        state = await watch.refresh();
      }
    }),
    { seed: SEED, numRuns: RUNS },
  );
  // How deep the runs went (FUZZ_STATS=1): a route whose runs all stop at 400 tests little beyond validation.
  if (process.env.FUZZ_STATS) console.log(`${anonymous ? 'anonymous' : 'administrator'} ${key(route)} ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
}

describe('every route, fed with garbage', () => {
  it('each real body is valid for its route (so that its mutations reach beyond the first check)', async () => {
    for (const route of ROUTES) {
      const schema = bodySchema(route);
      const sample = realBody(route);
      if (!schema) {
        expect(sample, `${key(route)} takes no body`).toBeUndefined();
        continue;
      }
      expect(sample, `${key(route)} needs a real body in the fuzz test`).toBeDefined();
      const parsed = await schema.safeParseAsync(JSON.parse(withVersion(JSON.stringify(sample), 1)));
      expect(parsed.success, `${key(route)}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  for (const route of ORDERED) {
    it(`${key(route)}: never a 5xx, refusals in the error shape, a refusal writes nothing`, async () => {
      await fuzzRoute(route, false);
      if (route.auth === 'public') await fuzzRoute(route, true);
      fuzzed.add(key(route));
    }, 600_000);
  }

  it('went over every route of the route table', () => {
    expect(new Set(ROUTES.map(key)).size).toBe(ROUTES.length);
    expect([...fuzzed].sort()).toEqual(ROUTES.map(key).sort());
  });
});
