import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AVAILABLE_PERMISSIONS, BUILTIN_PROFILES, PERMISSIONS, PLANNED_PERMISSIONS, type Permission } from '../../core/permissions';
import type { PlanKey } from '../../core/plans';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { ApiClient, signUp, STRONG_PASSWORD, uniqueEmail } from '../../../test/helpers/client';

let server: TestServer;
beforeAll(async () => {
  // Enough connections for the concurrency tests' requests to really run side by side.
  server = await startTestServer({ DB_POOL_SIZE: '12' });
});
afterAll(() => server.close());

const SEATS_FULL = (plan: string, limit: number) =>
  `Votre formule ${plan} permet ${limit} utilisateur(s), et ils sont tous attribués (invitations en attente comprises).`;

/** An administrator (Camille Durand) and her dossier, on the plan the test needs. */
async function adminWithDossier(opts: { plan?: PlanKey; extraSeats?: number; dossierName?: string } = {}) {
  const admin = await signUp(server.app, { name: 'Camille Durand', dossierName: opts.dossierName ?? 'Atelier Durand' });
  if (opts.plan || opts.extraSeats !== undefined) {
    await server.ctx.db
      .updateTable('dossiers')
      .set({ ...(opts.plan ? { plan: opts.plan } : {}), ...(opts.extraSeats !== undefined ? { extra_seats: opts.extraSeats } : {}) })
      .where('id', '=', admin.dossierId)
      .execute();
  }
  return admin;
}

async function mailTo(email: string) {
  const message = (await server.ctx.mailer.listOutbox()).find((m) => m.to === email);
  if (!message) throw new Error(`no e-mail to ${email}`);
  return message;
}

/** The token of the invitation link e-mailed to `email`. */
async function invitationToken(email: string): Promise<string> {
  const link = (await mailTo(email)).links[0]!;
  const match = new RegExp(`^${server.ctx.config.publicUrl}/invitation/([\\w-]+)$`).exec(link);
  if (!match) throw new Error(`unexpected invitation link ${link}`);
  return match[1]!;
}

async function auditRows(dossierId: string, action: string) {
  return server.ctx.db.selectFrom('audit_events').selectAll().where('dossier_id', '=', dossierId).where('action', '=', action).orderBy('seq').execute();
}

async function membership(dossierId: string, userId: string) {
  return server.ctx.db.selectFrom('memberships').select(['profile_key', 'profile_id']).where('dossier_id', '=', dossierId).where('user_id', '=', userId).executeTakeFirst();
}

async function invite(admin: ApiClient, dossierId: string, email: string, profileId = 'commercial') {
  return admin.post(`/api/d/${dossierId}/members`, { email, profileId });
}

describe('adding members and invitations', () => {
  it('adds an existing account at once, records member.added and notifies them by e-mail', async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    const hugo = await signUp(server.app, { name: 'Hugo Martin', dossierName: 'Martin SARL' });
    const res = await invite(admin, dossierId, hugo.email.toUpperCase(), 'adv');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ outcome: 'added' });
    expect(await membership(dossierId, hugo.user.id)).toEqual({ profile_key: 'adv', profile_id: null });
    const events = await auditRows(dossierId, 'member.added');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ entity_id: hugo.user.id, summary: `Ajout de Hugo Martin (${hugo.email}) avec le profil ADV`, changes: { profile: { before: null, after: 'ADV' } } });
    const mail = await mailTo(hugo.email);
    expect(mail.subject).toBe('Accès au dossier Atelier Durand sur Ardoise');
    expect(mail.text).toContain('Camille Durand vous a donné accès au dossier « Atelier Durand » avec le profil ADV.');
    const me = await hugo.client.get('/api/me');
    expect(me.body.dossiers).toContainEqual({ id: dossierId, legalName: 'Atelier Durand', profileName: 'ADV' });
    const again = await invite(admin, dossierId, hugo.email, 'adv');
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'already_member', message: 'Cette personne est déjà membre du dossier.' });
  });

  it('invites an unknown address with an e-mailed single-use link that anyone holding it can read', async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    const email = uniqueEmail('invitee');
    const res = await invite(admin, dossierId, email);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ outcome: 'invited' });
    expect((await mailTo(email)).subject).toBe('Camille Durand vous invite sur Ardoise (Atelier Durand)');
    const token = await invitationToken(email);
    const row = await server.ctx.db.selectFrom('invitations').select(['token_hash', 'profile_key']).where('email', '=', email).executeTakeFirstOrThrow();
    expect(row.token_hash.equals(createHash('sha256').update(token).digest())).toBe(true);
    expect(row.profile_key).toBe('commercial');

    const described = await new ApiClient(server.app).get(`/api/invitations/${token}`);
    expect(described.status).toBe(200);
    expect(described.body.invitation).toMatchObject({ dossierName: 'Atelier Durand', email, invitedByName: 'Camille Durand', profileName: 'Commercial', accountExists: false });
    const days = (new Date(described.body.invitation.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    const twice = await invite(admin, dossierId, email);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_invited');
  });

  it('accepting without a session creates the account, logs in, and spends the invitation', async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    const email = uniqueEmail('newcomer');
    await invite(admin, dossierId, email);
    const token = await invitationToken(email);
    const anon = new ApiClient(server.app);
    const incomplete = await anon.post(`/api/invitations/${token}/accept`, {});
    expect(incomplete.status).toBe(400);
    expect(Object.keys(incomplete.body.error.details.fields).sort()).toEqual(['name', 'password']);

    const accepted = await anon.post(`/api/invitations/${token}/accept`, { name: 'Inès Roux', password: STRONG_PASSWORD });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ dossierId });
    expect(anon.hasCookie('ardoise_session')).toBe(true);
    const me = await anon.get('/api/me');
    expect(me.body.user).toMatchObject({ name: 'Inès Roux', email });
    expect(me.body.dossiers).toEqual([{ id: dossierId, legalName: 'Atelier Durand', profileName: 'Commercial' }]);
    const opened = await anon.get(`/api/d/${dossierId}`);
    expect(opened.body.membership.permissions).toEqual([...BUILTIN_PROFILES.commercial]);
    expect((await auditRows(dossierId, 'invitation.accepted')).map((e) => e.actor_name)).toEqual(['Inès Roux']);
    const spent = await server.ctx.db.selectFrom('invitations').select(['accepted_at', 'accepted_by']).where('email', '=', email).executeTakeFirstOrThrow();
    expect(spent).toEqual({ accepted_at: expect.any(Date), accepted_by: me.body.user.id });
    expect((await anon.get('/api/me/security-events')).body.events.map((e: { kind: string }) => e.kind)).toEqual(['signup']);

    const reused = await new ApiClient(server.app).post(`/api/invitations/${token}/accept`, { name: 'Intrus', password: STRONG_PASSWORD });
    expect(reused.status).toBe(404);
    expect(reused.body.error).toMatchObject({ code: 'token_invalid', message: 'Ce lien est invalide, a expiré ou a déjà été utilisé.' });
    expect((await new ApiClient(server.app).get(`/api/invitations/${token}`)).status).toBe(404);
  });

  it('lets only one of two simultaneous acceptances of a link create an account', async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    const email = uniqueEmail('twice');
    await invite(admin, dossierId, email);
    const token = await invitationToken(email);
    const body = { name: 'Double Clic', password: STRONG_PASSWORD };
    const results = await Promise.all([0, 1].map(() => new ApiClient(server.app).post(`/api/invitations/${token}/accept`, body)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 404]);
    expect(results.find((r) => r.status === 404)!.body.error.code).toBe('token_invalid');
    expect(await server.ctx.db.selectFrom('users').select('id').where('email', '=', email).execute()).toHaveLength(1);
    expect(await auditRows(dossierId, 'invitation.accepted')).toHaveLength(1);
  });

  it('refuses an expired invitation and changes nothing; the address can be invited again', async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    const email = uniqueEmail('late');
    await invite(admin, dossierId, email);
    const token = await invitationToken(email);
    await server.ctx.db.updateTable('invitations').set({ expires_at: new Date(Date.now() - 1000) }).where('email', '=', email).execute();
    const anon = new ApiClient(server.app);
    expect((await anon.get(`/api/invitations/${token}`)).body.error.code).toBe('token_invalid');
    const res = await anon.post(`/api/invitations/${token}/accept`, { name: 'Trop Tard', password: STRONG_PASSWORD });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('token_invalid');
    expect(anon.hasCookie('ardoise_session')).toBe(false);
    expect(await server.ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()).toBeUndefined();
    expect(await server.ctx.db.selectFrom('invitations').select('accepted_at').where('email', '=', email).executeTakeFirstOrThrow()).toEqual({ accepted_at: null });
    expect(await auditRows(dossierId, 'invitation.accepted')).toHaveLength(0);
    expect((await invite(admin, dossierId, email)).status).toBe(201);
  });

  it('refuses a revoked invitation', async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    const email = uniqueEmail('revoked');
    await invite(admin, dossierId, email);
    const token = await invitationToken(email);
    const pending = (await admin.get(`/api/d/${dossierId}/members`)).body.invitations;
    expect(pending.map((i: { email: string }) => i.email)).toEqual([email]);
    expect((await admin.delete(`/api/d/${dossierId}/invitations/${pending[0].id}`)).status).toBe(204);
    expect((await admin.delete(`/api/d/${dossierId}/invitations/${pending[0].id}`)).status).toBe(404);
    const res = await new ApiClient(server.app).post(`/api/invitations/${token}/accept`, { name: 'Révoquée', password: STRONG_PASSWORD });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('token_invalid');
    expect((await admin.get(`/api/d/${dossierId}/members`)).body.invitations).toEqual([]);
    expect(await auditRows(dossierId, 'invitation.revoked')).toHaveLength(1);
  });

  it('refuses accepting while logged in as another e-mail address', async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    const email = uniqueEmail('meant-for');
    await invite(admin, dossierId, email);
    const token = await invitationToken(email);
    const other = await signUp(server.app, { name: 'Paul Autre' });
    const res = await other.client.post(`/api/invitations/${token}/accept`, {});
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'invitation_email_mismatch', message: 'Cette invitation est adressée à une autre adresse e-mail.' });
    expect(await membership(dossierId, other.user.id)).toBeUndefined();
    expect((await new ApiClient(server.app).get(`/api/invitations/${token}`)).status).toBe(200);
  });

  it('asks an existing account to log in first, then accepts for the logged-in account', async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    const email = uniqueEmail('has-account');
    await invite(admin, dossierId, email, 'achat');
    const token = await invitationToken(email);
    const later = await signUp(server.app, { email, name: 'Zoé Bernard' });
    const anon = new ApiClient(server.app);
    expect((await anon.get(`/api/invitations/${token}`)).body.invitation.accountExists).toBe(true);
    const res = await anon.post(`/api/invitations/${token}/accept`, { name: 'Usurpation', password: 'another-Strong-pass-9' });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'unauthenticated', details: { accountExists: true } });
    expect(anon.hasCookie('ardoise_session')).toBe(false);
    expect(await membership(dossierId, later.user.id)).toBeUndefined();
    const ok = await later.client.post(`/api/invitations/${token}/accept`, {});
    expect(ok.status).toBe(200);
    expect(await membership(dossierId, later.user.id)).toEqual({ profile_key: 'achat', profile_id: null });
  });
});

describe('seats', () => {
  it('refuses a first invitation on Solo, naming the plan and its limit', async () => {
    const { client: admin, dossierId } = await adminWithDossier({ plan: 'solo' });
    const email = uniqueEmail('solo');
    const res = await invite(admin, dossierId, email);
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'seat_limit_reached', message: SEATS_FULL('Solo', 1), details: { plan: 'Solo', limit: 1, used: 1 } });
    const existing = await signUp(server.app);
    expect((await invite(admin, dossierId, existing.email)).body.error.code).toBe('seat_limit_reached');
    expect(await server.ctx.db.selectFrom('invitations').select('id').where('dossier_id', '=', dossierId).execute()).toEqual([]);
    expect((await server.ctx.mailer.listOutbox()).some((m) => m.to === email)).toBe(false);
    expect(await auditRows(dossierId, 'invitation.sent')).toHaveLength(0);
  });

  it('on TPE allows a second login and counts pending invitations against the third', async () => {
    const { client: admin, dossierId } = await adminWithDossier({ plan: 'tpe', extraSeats: 3 });
    const second = uniqueEmail('second');
    expect((await invite(admin, dossierId, second)).status).toBe(201);
    const third = await invite(admin, dossierId, uniqueEmail('third'));
    expect(third.status).toBe(409);
    expect(third.body.error.message).toBe(SEATS_FULL('TPE', 2));
    expect((await admin.get(`/api/d/${dossierId}/members`)).body.seats).toEqual({ plan: 'tpe', planLabel: 'TPE', limit: 2, used: 2 });
    // Revoking the pending invitation gives the seat back.
    const [pending] = (await admin.get(`/api/d/${dossierId}/members`)).body.invitations;
    await admin.delete(`/api/d/${dossierId}/invitations/${pending.id}`);
    expect((await invite(admin, dossierId, uniqueEmail('third'))).status).toBe(201);
  });

  it('on TPE+ adds the extra seats to the two included ones', async () => {
    const { client: admin, dossierId } = await adminWithDossier({ plan: 'tpe_plus', extraSeats: 2 });
    for (let i = 0; i < 3; i++) expect((await invite(admin, dossierId, uniqueEmail(`extra${i}`))).status).toBe(201);
    const refused = await invite(admin, dossierId, uniqueEmail('extra-too-many'));
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(SEATS_FULL('TPE+', 4));
  });

  it('refuses the accountant on TPE, and on TPE+ gives them a free access that leaving costs a seat', async () => {
    const tpe = await adminWithDossier({ plan: 'tpe' });
    const refused = await invite(tpe.client, tpe.dossierId, uniqueEmail('cpa'), 'accountant');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'accountant_not_in_plan', message: "L'accès expert-comptable est réservé à la formule TPE+." });

    const { client: admin, dossierId } = await adminWithDossier({ plan: 'tpe_plus' });
    expect((await invite(admin, dossierId, uniqueEmail('fills-the-seat'))).status).toBe(201);
    const cpa = await signUp(server.app, { name: 'Expert Comptable' });
    expect((await invite(admin, dossierId, cpa.email, 'accountant')).status).toBe(201);
    expect((await admin.get(`/api/d/${dossierId}/members`)).body.seats).toMatchObject({ limit: 2, used: 2 });
    const move = await admin.patch(`/api/d/${dossierId}/members/${cpa.user.id}`, { profileId: 'adv' });
    expect(move.status).toBe(409);
    expect(move.body.error.code).toBe('seat_limit_reached');
    expect(await membership(dossierId, cpa.user.id)).toEqual({ profile_key: 'accountant', profile_id: null });
  });

  it('gives the last free seat to exactly one of 10 simultaneous invitations', async () => {
    // A race: three rounds, each on its own dossier, so that a missing lock shows up reliably.
    for (let round = 0; round < 3; round++) {
      const { client: admin, dossierId } = await adminWithDossier({ plan: 'tpe_plus', extraSeats: 0 });
      const emails = Array.from({ length: 10 }, (_, i) => uniqueEmail(`race${round}-${i}`));
      const results = await Promise.all(emails.map((email) => invite(admin, dossierId, email)));
      expect(results.map((r) => r.status).sort()).toEqual([201, ...Array<number>(9).fill(409)]);
      expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'seat_limit_reached')).toBe(true);
      expect(await server.ctx.db.selectFrom('invitations').select('email').where('dossier_id', '=', dossierId).execute()).toHaveLength(1);
      expect(await auditRows(dossierId, 'invitation.sent')).toHaveLength(1);
      expect((await server.ctx.mailer.listOutbox()).filter((m) => emails.includes(m.to))).toHaveLength(1);
    }
  });
});

describe('administrators and removal', () => {
  it('keeps the last administrator; nobody changes their own profile, another administrator does', async () => {
    const a = await adminWithDossier();
    const url = `/api/d/${a.dossierId}/members`;
    const demote = await a.client.patch(`${url}/${a.user.id}`, { profileId: 'readonly' });
    expect(demote.status).toBe(403);
    expect(demote.body.error).toMatchObject({ code: 'own_profile', message: 'Vous ne pouvez pas changer votre propre profil : demandez-le à un autre administrateur du dossier.' });
    expect((await a.client.delete(`${url}/${a.user.id}`)).body.error.code).toBe('last_admin');
    expect(await membership(a.dossierId, a.user.id)).toEqual({ profile_key: 'admin', profile_id: null });
    expect(await auditRows(a.dossierId, 'member.profile_changed')).toHaveLength(0);

    const b = await signUp(server.app, { name: 'Bruno Second' });
    await invite(a.client, a.dossierId, b.email, 'admin');
    expect((await a.client.patch(`${url}/${a.user.id}`, { profileId: 'readonly' })).body.error.code).toBe('own_profile');
    const stepDown = await b.client.patch(`${url}/${a.user.id}`, { profileId: 'readonly' });
    expect(stepDown.status).toBe(200);
    expect(stepDown.body).toEqual({ member: { userId: a.user.id, profileId: 'readonly', profileName: 'Lecture seule' } });
    const [event] = await auditRows(a.dossierId, 'member.profile_changed');
    expect(event).toMatchObject({ summary: 'Profil de Camille Durand : Administrateur → Lecture seule', changes: { profile: { before: 'Administrateur', after: 'Lecture seule' } } });
    expect((await a.client.get(url)).status).toBe(403);
    expect((await b.client.delete(`${url}/${b.user.id}`)).body.error.code).toBe('last_admin');
    expect((await b.client.delete(`${url}/${a.user.id}`)).status).toBe(204);
  });

  it('lets only one of two administrators demoting each other at once succeed', async () => {
    const a = await adminWithDossier();
    const b = await signUp(server.app, { name: 'Bruno Second' });
    await invite(a.client, a.dossierId, b.email, 'admin');
    const url = `/api/d/${a.dossierId}/members`;
    const [ab, ba] = await Promise.all([a.client.patch(`${url}/${b.user.id}`, { profileId: 'adv' }), b.client.patch(`${url}/${a.user.id}`, { profileId: 'adv' })]);
    expect([ab.status, ba.status].filter((status) => status === 200)).toHaveLength(1);
    const [winner, loser] = ab.status === 200 ? [a, ba] : [b, ab];
    // The loser was refused as the last administrator, or, when its request came in after its
    // demotion had committed, for no longer having the permission.
    expect([`409 last_admin`, `403 forbidden`]).toContain(`${loser.status} ${loser.body.error.code}`);
    const admins = await server.ctx.db.selectFrom('memberships').select('user_id').where('dossier_id', '=', a.dossierId).where('profile_key', '=', 'admin').execute();
    expect(admins).toEqual([{ user_id: winner.user.id }]);
  });

  it("ends a removed member's access to that dossier at their very next request, and only that one", async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    const m = await signUp(server.app, { name: 'Marc Parti', dossierName: 'Parti Conseil' });
    await invite(admin, dossierId, m.email, 'adv');
    expect((await m.client.get(`/api/d/${dossierId}`)).status).toBe(200);
    expect((await admin.delete(`/api/d/${dossierId}/members/${m.user.id}`)).status).toBe(204);
    const after = await m.client.get(`/api/d/${dossierId}`);
    expect(after.status).toBe(404);
    expect(after.body.error.code).toBe('not_found');
    expect((await m.client.get(`/api/d/${m.dossierId}`)).status).toBe(200);
    expect((await m.client.get('/api/me')).body.dossiers.map((d: { id: string }) => d.id)).toEqual([m.dossierId]);
    const [event] = await auditRows(dossierId, 'member.removed');
    expect(event).toMatchObject({ entity_id: m.user.id, changes: { profile: { before: 'ADV', after: null } } });
  });
});

describe('custom profiles', () => {
  async function createProfile(admin: ApiClient, dossierId: string, name: string, permissions: string[]) {
    return admin.post(`/api/d/${dossierId}/profiles`, { name, permissions });
  }

  it('creates a profile that always includes dossier.read and lists it beside the built-in ones', async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    const res = await createProfile(admin, dossierId, 'Comptabilité interne', ['audit.read', 'customers.read']);
    expect(res.status).toBe(201);
    const expected: Permission[] = ['dossier.read', 'customers.read', 'audit.read'];
    expect(res.body.profile).toEqual({ id: expect.any(String), name: 'Comptabilité interne', builtin: false, permissions: expected, memberCount: 0 });
    const list = await admin.get(`/api/d/${dossierId}/profiles`);
    expect(list.body.profiles.map((p: { id: string }) => p.id)).toEqual(['admin', 'adv', 'commercial', 'achat', 'readonly', 'accountant', res.body.profile.id]);
    expect(list.body.profiles.at(-1)).toEqual(res.body.profile);
  });

  it('offers only the permissions of features that exist: each is required by a registered route, the others are kept but not offered', async () => {
    const required = new Set(server.app.registeredRoutes.flatMap((r) => (typeof r.auth === 'object' ? [r.auth.permission] : [])));
    expect(AVAILABLE_PERMISSIONS.filter((p) => !required.has(p))).toEqual([]);
    expect(PLANNED_PERMISSIONS.filter((p) => required.has(p))).toEqual([]);
    expect([...AVAILABLE_PERMISSIONS, ...PLANNED_PERMISSIONS].sort()).toEqual([...PERMISSIONS].sort());

    const { client: admin, dossierId } = await adminWithDossier();
    const list = await admin.get(`/api/d/${dossierId}/profiles`);
    expect(list.body.permissions).toEqual(AVAILABLE_PERMISSIONS);
    expect(list.body.permissions).not.toContain('accounting.export');
    expect(list.body.profiles.find((p: { id: string }) => p.id === 'achat').permissions).toEqual(BUILTIN_PROFILES.achat);
  });

  it('gives its members exactly its permissions, and a change applies at once', async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    const profile = (await createProfile(admin, dossierId, 'Contrôle', ['audit.read', 'customers.read'])).body.profile;
    const m = await signUp(server.app, { name: 'Chloé Contrôle' });
    expect((await invite(admin, dossierId, m.email, profile.id)).status).toBe(201);
    const opened = await m.client.get(`/api/d/${dossierId}`);
    expect(opened.body.membership).toEqual({ profileId: profile.id, profileName: 'Contrôle', permissions: ['dossier.read', 'customers.read', 'audit.read'] });
    expect((await m.client.get(`/api/d/${dossierId}/audit`)).status).toBe(200);
    const denied = await m.client.patch(`/api/d/${dossierId}/settings`, { phone: '01 23 45 67 89' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    expect((await m.client.get(`/api/d/${dossierId}/members`)).status).toBe(403);
    expect((await admin.patch(`/api/d/${dossierId}/profiles/${profile.id}`, { permissions: ['audit.read', 'settings.manage'] })).status).toBe(200);
    expect((await m.client.patch(`/api/d/${dossierId}/settings`, { phone: '01 23 45 67 89' })).status).toBe(200);
  });

  it('refuses a duplicate name in the same dossier, whatever the case, but not in another', async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    expect((await createProfile(admin, dossierId, 'Stagiaire', [])).status).toBe(201);
    const dup = await createProfile(admin, dossierId, 'STAGIAIRE', ['quotes.read']);
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'conflict', details: { fields: { name: 'Un profil porte déjà ce nom dans ce dossier.' } } });
    expect(await server.ctx.db.selectFrom('profiles').select('id').where('dossier_id', '=', dossierId).execute()).toHaveLength(1);
    const other = await adminWithDossier();
    expect((await createProfile(other.client, other.dossierId, 'Stagiaire', [])).status).toBe(201);
  });

  it('refuses deleting a profile in use, and deletes it once its members have another one', async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    const profile = (await createProfile(admin, dossierId, 'Saisonnier', ['quotes.read'])).body.profile;
    const email = uniqueEmail('seasonal');
    await invite(admin, dossierId, email, profile.id);
    const accepted = await new ApiClient(server.app).post(`/api/invitations/${await invitationToken(email)}/accept`, { name: 'Sam Saison', password: STRONG_PASSWORD });
    const userId = (await server.ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    expect(accepted.status).toBe(200);
    const inUse = await admin.delete(`/api/d/${dossierId}/profiles/${profile.id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.error).toMatchObject({ code: 'profile_in_use', message: 'Ce profil est attribué à des membres : changez d’abord leur profil.' });
    expect((await admin.patch(`/api/d/${dossierId}/members/${userId}`, { profileId: 'readonly' })).status).toBe(200);
    expect((await admin.delete(`/api/d/${dossierId}/profiles/${profile.id}`)).status).toBe(204);
    const ids = (await admin.get(`/api/d/${dossierId}/profiles`)).body.profiles.map((p: { id: string }) => p.id);
    expect(ids).not.toContain(profile.id);
    expect(await auditRows(dossierId, 'profile.deleted')).toHaveLength(1);
  });

  it('refuses an unknown permission, and a profile of another dossier', async () => {
    const { client: admin, dossierId } = await adminWithDossier();
    const res = await createProfile(admin, dossierId, 'Fantaisie', ['dossier.read', 'invoices.delete']);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(Object.keys(res.body.error.details.fields)).toEqual(['permissions.1']);
    expect(await server.ctx.db.selectFrom('profiles').select('id').where('dossier_id', '=', dossierId).execute()).toEqual([]);
    const other = await adminWithDossier();
    const foreign = (await createProfile(other.client, other.dossierId, 'Ailleurs', [])).body.profile;
    const misuse = await invite(admin, dossierId, uniqueEmail('foreign'), foreign.id);
    expect(misuse.status).toBe(400);
    expect(misuse.body.error.details.fields).toEqual({ profileId: 'Profil inconnu dans ce dossier.' });
  });
});
