import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { outboxLink, signUp } from '../../../test/helpers/client';
import { makeJpegShell, makePng } from '../../../test/helpers/images';
import { createCustomer, createDraft, issue, LINE, setUpSeller } from '../../../test/helpers/invoicing';
import { documentView } from '../documents/pdf';
import { documentMentions } from '../pdf/mentions';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const VALID = {
  legalName: 'Boulangerie Renard SARL',
  legalForm: 'SARL',
  siren: '732 829 320',
  siret: '73282932000074',
  vatNumber: 'FR44732829320',
  address: { line1: '12 rue des Lilas', line2: '', postalCode: '69003', city: 'Lyon', country: 'FR' },
  shareCapitalCents: 1_000_000,
  rcsCity: 'Lyon',
  vatRegime: 'normal',
  vatOnDebits: true,
  email: 'contact@renard.example',
  phone: '+33 4 78 00 00 00',
  iban: 'FR76 3000 6000 0112 3456 7890 189',
  bic: 'AGRIFRPP',
};

async function snapshot(dossierId: string) {
  const dossier = await server.ctx.db.selectFrom('dossiers').selectAll().where('id', '=', dossierId).executeTakeFirstOrThrow();
  const events = await server.ctx.db.selectFrom('audit_events').select('seq').where('dossier_id', '=', dossierId).execute();
  return { dossier, events: events.length };
}

describe('dossier settings', () => {
  it('saves every company detail, normalised, and records before → after in the audit trail', async () => {
    const { client, dossierId } = await signUp(server.app);
    const res = await client.patch(`/api/d/${dossierId}/settings`, VALID);
    expect(res.status).toBe(200);
    expect(res.body.dossier).toMatchObject({
      legalName: 'Boulangerie Renard SARL',
      siren: '732829320',
      iban: 'FR7630006000011234567890189',
      shareCapitalCents: 1_000_000,
      vatOnDebits: true,
      address: VALID.address,
    });
    const audit = await client.get(`/api/d/${dossierId}/audit?action=dossier.settings_updated`);
    expect(audit.body.events).toHaveLength(1);
    expect(audit.body.events[0].changes.siren).toEqual({ before: null, after: '732829320' });
    expect(audit.body.events[0].changes.legalName).toEqual({ before: 'Atelier Durand', after: 'Boulangerie Renard SARL' });
    expect(audit.body.events[0].actorProfile).toBe('Administrateur');
  });

  it('writes no audit event when nothing changes', async () => {
    const { client, dossierId } = await signUp(server.app);
    await client.patch(`/api/d/${dossierId}/settings`, { phone: '01 02 03 04 05' });
    const before = await snapshot(dossierId);
    expect((await client.patch(`/api/d/${dossierId}/settings`, { phone: '01 02 03 04 05' })).status).toBe(200);
    expect((await snapshot(dossierId)).events).toBe(before.events);
  });

  it.each([
    ['siren', { siren: '732829321' }, 'SIREN invalide'],
    ['siren', { siren: '12345678' }, 'SIREN invalide'],
    ['siret', { siret: '73282932000075' }, 'SIRET invalide'],
    ['vatNumber', { vatNumber: 'FR45732829320' }, 'la clé (les 2 chiffres après FR) ne correspond pas au SIREN'],
    ['vatNumber', { vatNumber: 'FR4573282' }, 'TVA intracommunautaire invalide'],
    ['iban', { iban: 'FR7630006000011234567890188' }, 'IBAN invalide'],
    ['bic', { bic: 'AGRI' }, 'BIC invalide'],
    ['email', { email: 'pas-un-email' }, 'e-mail invalide'],
    ['legalName', { legalName: '  ' }, 'raison sociale est obligatoire'],
    ['legalForm', { legalForm: 'GIE-X' }, ''],
    ['shareCapitalCents', { shareCapitalCents: 12.5 }, ''],
  ])('refuses an invalid %s with a French message, changing nothing', async (field, body, message) => {
    const { client, dossierId } = await signUp(server.app);
    const before = await snapshot(dossierId);
    const res = await client.patch(`/api/d/${dossierId}/settings`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toBe('Certaines informations sont invalides.');
    expect(res.body.error.details.fields[field]).toContain(message);
    expect(await snapshot(dossierId)).toEqual(before);
  });

  it.each([
    [{ siren: '732829320', vatNumber: 'FR83404833048' }, 'vatNumber', 'ne correspond pas au SIREN'],
    [{ siren: '732829320', siret: '40483304800022' }, 'siret', 'doit commencer par le SIREN'],
    [{ vatRegime: 'franchise', vatOnDebits: true }, 'vatOnDebits', 'franchise en base'],
  ])('refuses inconsistent details %j', async (body, field, message) => {
    const { client, dossierId } = await signUp(server.app);
    const before = await snapshot(dossierId);
    const res = await client.patch(`/api/d/${dossierId}/settings`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[field]).toContain(message);
    expect(await snapshot(dossierId)).toEqual(before);
  });

  it('refuses unknown fields by name', async () => {
    const { client, dossierId } = await signUp(server.app);
    const res = await client.patch(`/api/d/${dossierId}/settings`, { legalName: 'Ok', plan: 'tpe_plus' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields).toEqual({ plan: 'Champ inconnu.' });
    expect((await snapshot(dossierId)).dossier.plan).toBe('tpe_plus');
    expect((await snapshot(dossierId)).dossier.legal_name).toBe('Atelier Durand');
  });

  it('answers in English when asked', async () => {
    const { client, dossierId } = await signUp(server.app);
    const res = await client.patch(`/api/d/${dossierId}/settings`, { siren: '1' }, { headers: { 'accept-language': 'en-GB,en;q=0.8' } });
    expect(res.body.error.message).toBe('Some fields are invalid.');
  });
});

describe('malformed requests', () => {
  it('malformed JSON: 400 malformed_json', async () => {
    const { client, dossierId } = await signUp(server.app);
    const res = await client.request('PATCH', `/api/d/${dossierId}/settings`, undefined, { raw: '{"siren":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'malformed_json', message: 'La requête est mal formée (JSON invalide).' });
  });

  it('a body over 1 MiB: 413 body_too_large', async () => {
    const { client, dossierId } = await signUp(server.app);
    const res = await client.request('PATCH', `/api/d/${dossierId}/settings`, undefined, { raw: JSON.stringify({ legalName: 'x'.repeat(1_100_000) }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('body_too_large');
  });

  it('an unsupported content type: 415', async () => {
    const { client, dossierId } = await signUp(server.app);
    const res = await client.request('PATCH', `/api/d/${dossierId}/settings`, undefined, { raw: 'legalName=x', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('a mutation without the CSRF token: 403 csrf_invalid, nothing changed', async () => {
    const { client, dossierId } = await signUp(server.app);
    const before = await snapshot(dossierId);
    const res = await client.patch(`/api/d/${dossierId}/settings`, { legalName: 'Volé' }, { csrf: false });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_invalid');
    expect(await snapshot(dossierId)).toEqual(before);
  });

  it('a CSRF token from another browser is refused', async () => {
    const victim = await signUp(server.app);
    const attacker = await signUp(server.app);
    const token = await attacker.client.token();
    const res = await victim.client.patch(`/api/d/${victim.dossierId}/settings`, { legalName: 'Volé' }, { csrf: false, headers: { 'x-csrf-token': token } });
    expect(res.status).toBe(403);
  });

  it('an unknown API path: 404 in the one error shape', async () => {
    const { client } = await signUp(server.app);
    const res = await client.get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: "Cette ressource n'existe pas ou vous n'y avez pas accès." } });
  });
});

describe('logo', () => {
  it('stores a PNG in PostgreSQL and serves the same bytes', async () => {
    const { client, dossierId } = await signUp(server.app);
    const png = makePng(40, 20);
    const res = await client.put(`/api/d/${dossierId}/logo`, undefined, { raw: png, headers: { 'content-type': 'image/png' } });
    expect(res.status).toBe(200);
    expect(res.body.dossier.logoUrl).toMatch(new RegExp(`^/api/d/${dossierId}/logo\\?v=`));
    const got = await client.get(res.body.dossier.logoUrl);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.raw.rawPayload.equals(png)).toBe(true);
    const file = await server.ctx.db.selectFrom('files').select(['size', 'content_type']).where('dossier_id', '=', dossierId).executeTakeFirstOrThrow();
    expect(file).toEqual({ size: png.length, content_type: 'image/png' });
  });

  it('accepts a JPEG, replaces the previous logo and removes it', async () => {
    const { client, dossierId } = await signUp(server.app);
    await client.put(`/api/d/${dossierId}/logo`, undefined, { raw: makePng(), headers: { 'content-type': 'image/png' } });
    expect((await client.put(`/api/d/${dossierId}/logo`, undefined, { raw: makeJpegShell(), headers: { 'content-type': 'image/jpeg' } })).status).toBe(200);
    expect(await server.ctx.db.selectFrom('files').select('content_type').where('dossier_id', '=', dossierId).execute()).toEqual([{ content_type: 'image/jpeg' }]);
    const removed = await client.delete(`/api/d/${dossierId}/logo`);
    expect(removed.body.dossier.logoUrl).toBeNull();
    expect(await server.ctx.db.selectFrom('files').select('id').where('dossier_id', '=', dossierId).execute()).toEqual([]);
  });

  it.each([
    ['text pretending to be a PNG', Buffer.from('hello, I am not an image'), 'image/png'],
    ['a PNG declared as JPEG', makePng(), 'image/jpeg'],
    ['a truncated PNG', makePng().subarray(0, 40), 'image/png'],
    ['a PNG with a corrupt header', Buffer.from(makePng().map((b, i) => (i === 17 ? b ^ 0xff : b))), 'image/png'],
  ])('refuses %s: 400 invalid_image, nothing stored', async (_label, bytes, type) => {
    const { client, dossierId } = await signUp(server.app);
    const before = await snapshot(dossierId);
    const res = await client.put(`/api/d/${dossierId}/logo`, undefined, { raw: bytes, headers: { 'content-type': type } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_image', message: 'Le logo doit être une image PNG ou JPEG valide.' });
    expect(await snapshot(dossierId)).toEqual(before);
    expect(await server.ctx.db.selectFrom('files').select('id').where('dossier_id', '=', dossierId).execute()).toEqual([]);
  });

  it('replacing or removing a logo that an issued invoice shows works, and the invoice keeps its logo', async () => {
    const { client, dossierId } = await signUp(server.app);
    await setUpSeller(client, dossierId);
    const first = makePng(6, 6, [10, 120, 10]);
    expect((await client.put(`/api/d/${dossierId}/logo`, undefined, { raw: first, headers: { 'content-type': 'image/png' } })).status).toBe(200);
    const customerId = await createCustomer(client, dossierId);
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    expect((await issue(client, dossierId, draft)).status).toBe(200);
    await server.ctx.pdfs.idle();

    const replaced = await client.put(`/api/d/${dossierId}/logo`, undefined, { raw: makeJpegShell(), headers: { 'content-type': 'image/jpeg' } });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    const removed = await client.delete(`/api/d/${dossierId}/logo`);
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body.dossier.logoUrl).toBeNull();

    const row = await server.ctx.db.selectFrom('documents').selectAll().where('id', '=', draft.id).executeTakeFirstOrThrow();
    const view = await server.ctx.tx({ dossierId }, (t) => documentView(t, server.ctx.files, row));
    expect(Buffer.from(view.logo!.content).equals(first)).toBe(true);
    // The replaced JPEG, shown by no document, is gone.
    expect(await server.ctx.db.selectFrom('files').select('content_type').where('dossier_id', '=', dossierId).where('content_type', 'like', 'image/%').execute()).toEqual([{ content_type: 'image/png' }]);
  });

  it('refuses a logo over 512 KiB with 413', async () => {
    const { client, dossierId } = await signUp(server.app);
    const big = Buffer.concat([makePng(), Buffer.alloc(600 * 1024)]);
    const res = await client.put(`/api/d/${dossierId}/logo`, undefined, { raw: big, headers: { 'content-type': 'image/png' } });
    expect(res.status).toBe(413);
  });

  it('refuses a GIF (not an accepted type) with 415', async () => {
    const { client, dossierId } = await signUp(server.app);
    const res = await client.put(`/api/d/${dossierId}/logo`, undefined, { raw: Buffer.from('GIF89a'), headers: { 'content-type': 'image/gif' } });
    expect(res.status).toBe(415);
  });
});

describe('several dossiers', () => {
  it('a user creates another dossier and becomes its administrator; the picker lists both', async () => {
    const { client, dossierId } = await signUp(server.app, { dossierName: 'Premier' });
    const created = await client.post('/api/dossiers', { legalName: 'Second' });
    expect(created.status).toBe(201);
    const me = await client.get('/api/me');
    expect(me.body.dossiers.map((d: { legalName: string }) => d.legalName)).toEqual(['Premier', 'Second']);
    const second = await client.get(`/api/d/${created.body.dossier.id}`);
    expect(second.body.membership.profileId).toBe('admin');
    expect(second.body.dossier.legalName).toBe('Second');
    expect((await client.get(`/api/d/${dossierId}`)).body.dossier.legalName).toBe('Premier');
  });
});

describe('security headers', () => {
  it('sends a Content-Security-Policy without unsafe-inline, and the usual helmet headers', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/health' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('sets the session cookie HttpOnly and SameSite', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/csrf' });
    const token = JSON.parse(res.body).token as string;
    const cookie = String(res.headers['set-cookie']);
    const email = `hugo.${Date.now()}@example.com`;
    const post = (url: string, payload: object) =>
      server.app.inject({ method: 'POST', url, headers: { cookie: cookie.split(';')[0]!, 'x-csrf-token': token, 'content-type': 'application/json' }, payload });
    expect((await post('/api/auth/signup', { name: 'Hugo Blanc', email, password: 'ardoise-Test-pass-2026', dossierName: 'Blanc' })).statusCode).toBe(202);
    const link = (await outboxLink(server.app, email, '/signup/confirm'))!;
    const confirmed = await post('/api/auth/signup/confirm', { token: new URL(link).searchParams.get('token'), password: 'ardoise-Test-pass-2026' });
    const session = ([] as string[]).concat(confirmed.headers['set-cookie'] as string[]).find((c) => c.startsWith('ardoise_session='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
  });
});

describe('payment settings', () => {
  it('a new dossier has the legal defaults: 30 days, penalties at the ECB rate + 10 points', async () => {
    const { client, dossierId } = await signUp(server.app);
    const res = await client.get(`/api/d/${dossierId}`);
    expect(res.body.dossier).toMatchObject({ defaultPaymentDays: 30, latePenaltyRate: '12.15' });
  });

  it('the chosen terms date new invoices, and the chosen rate is frozen into the issued invoice and its printed mentions', async () => {
    const { client, dossierId } = await signUp(server.app);
    await setUpSeller(client, dossierId);
    const res = await client.patch(`/api/d/${dossierId}/settings`, { defaultPaymentDays: 45, latePenaltyRate: '10,50' });
    expect(res.status).toBe(200);
    expect(res.body.dossier).toMatchObject({ defaultPaymentDays: 45, latePenaltyRate: '10.5' });
    const again = await client.patch(`/api/d/${dossierId}/settings`, { latePenaltyRate: '10.5' });
    expect(again.status).toBe(200);
    const audit = await client.get(`/api/d/${dossierId}/audit?action=dossier.settings_updated`);
    expect(audit.body.events.filter((e: { changes: Record<string, unknown> }) => e.changes.latePenaltyRate)).toHaveLength(1);

    const customerId = await createCustomer(client, dossierId);
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, issueDate: '2026-03-02', lines: [LINE] });
    expect(draft.dueDate).toBe('2026-04-16');
    expect((await issue(client, dossierId, draft)).status).toBe(200);
    await client.patch(`/api/d/${dossierId}/settings`, { latePenaltyRate: '15' });
    const row = await server.ctx.db.selectFrom('documents').selectAll().where('id', '=', draft.id).executeTakeFirstOrThrow();
    const view = await server.ctx.tx({ dossierId }, (t) => documentView(t, server.ctx.files, row));
    expect(documentMentions(view).legal).toContain('Taux des pénalités de retard : 10,5\u00a0%');
  });

  it('refuses terms over the legal 60 days, a zero or malformed rate, with a message by field and nothing changed', async () => {
    const { client, dossierId } = await signUp(server.app);
    for (const [body, field, message] of [
      [{ defaultPaymentDays: 61 }, 'defaultPaymentDays', '60 jours'],
      [{ defaultPaymentDays: 2.5 }, 'defaultPaymentDays', 'nombre entier de jours'],
      [{ latePenaltyRate: '0' }, 'latePenaltyRate', "trois fois le taux d'intérêt légal"],
      [{ latePenaltyRate: '12 %' }, 'latePenaltyRate', 'un pourcentage comme 12,15'],
    ] as const) {
      const before = await snapshot(dossierId);
      const res = await client.patch(`/api/d/${dossierId}/settings`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.fields[field]).toContain(message);
      expect(await snapshot(dossierId)).toEqual(before);
    }
  });
});
