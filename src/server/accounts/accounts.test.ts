import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { ApiClient, outboxLink, signUp, STRONG_PASSWORD, uniqueEmail, type Reply } from '../../../test/helpers/client';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_IP: '6' });
});
afterAll(() => server.close());

async function lastOutboxLink(to: string): Promise<string> {
  const link = await outboxLink(server.app, to, '/reset-password');
  if (!link) throw new Error(`no reset e-mail to ${to}`);
  return link;
}

async function mailIds(): Promise<Set<string>> {
  await server.ctx.tasks.idle();
  return new Set((await server.ctx.mailer.listOutbox()).map((m) => m.id));
}

/** The e-mails to `to` sent since `before` (from `mailIds`). */
async function mailsSince(to: string, before: Set<string>) {
  return (await server.ctx.mailer.listOutbox()).filter((m) => m.to === to && !before.has(m.id));
}

async function countRows(table: 'dossiers' | 'users'): Promise<number> {
  return Number((await server.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
}

/** What a client can tell apart in an answer: everything but the request id and the date. */
function answerShape(res: Reply): { status: number; headers: Record<string, unknown>; body: string } {
  const { 'x-request-id': _id, date: _date, ...headers } = res.headers;
  return { status: res.status, headers, body: res.raw.body };
}

function withinSeconds<T>(promise: Promise<T>, seconds: number): Promise<T> {
  return Promise.race([promise, new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error(`no answer within ${seconds} s`)), seconds * 1000))]);
}

/** Runs `fn` while another connection holds the users table locked (no read, no write), then releases it. */
async function whileUsersLocked<T>(fn: () => Promise<T>): Promise<T> {
  const lock = new pg.Client({ connectionString: server.db.url });
  await lock.connect();
  try {
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
    return await fn();
  } finally {
    await lock.query('COMMIT').catch(() => undefined);
    await lock.end();
  }
}

describe('sign-up', () => {
  it('creates the user, their first dossier as administrator, and a session', async () => {
    const { client, user, dossierId } = await signUp(server.app, { name: 'Léa Petit', dossierName: 'Petit Conseil' });
    const me = await client.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: user.id, name: 'Léa Petit', locale: 'fr' });
    expect(me.body.dossiers).toEqual([{ id: dossierId, legalName: 'Petit Conseil', profileName: 'Administrateur' }]);
    const events = await client.get('/api/me/security-events');
    expect(events.body.events.map((e: { kind: string }) => e.kind)).toEqual(['signup']);
  });

  it('stores an argon2id hash, never the password', async () => {
    const { email } = await signUp(server.app);
    const row = await server.ctx.db.selectFrom('users').select('password_hash').where('email', '=', email).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row.password_hash).not.toContain(STRONG_PASSWORD);
  });

  it.each([
    ['too short', 'Court-1', 'au moins 10 caractères'],
    ['common', 'password123', 'les plus courants'],
    ['repetitive', 'aaaaaaaaaaaa', 'trop répétitif'],
  ])('refuses a %s password with a French message and creates nothing', async (_label, password, message) => {
    const client = new ApiClient(server.app);
    const email = uniqueEmail();
    const res = await client.post('/api/auth/signup', { name: 'Jean Morel', email, password, dossierName: 'Morel' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.fields.password).toContain(message);
    const user = await server.ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    expect(user).toBeUndefined();
  });

  it('answers an address that has an account exactly as a new one, and e-mails its owner a warning instead of a link', async () => {
    const { email: taken, user: owner } = await signUp(server.app, { name: 'Léa Petit' });
    const fresh = uniqueEmail('fresh');
    const dossiersBefore = await countRows('dossiers');
    const before = await mailIds();
    const body = (email: string) => ({ name: 'Autre Personne', email, password: STRONG_PASSWORD, dossierName: 'Double' });
    const forTaken = await new ApiClient(server.app).post('/api/auth/signup', body(taken.toUpperCase()));
    const forFresh = await new ApiClient(server.app).post('/api/auth/signup', body(fresh));
    expect(forTaken.status).toBe(202);
    expect(answerShape(forTaken)).toEqual(answerShape(forFresh));

    expect(await outboxLink(server.app, fresh, '/signup/confirm?token=')).toMatch(/\/signup\/confirm\?token=[\w-]{43}$/);
    const warnings = await mailsSince(taken, before);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.subject).toBe("Quelqu'un a tenté de créer un compte Ardoise avec votre adresse");
    expect(warnings[0]!.text).toContain('Si c\'est vous, connectez-vous');
    expect(warnings[0]!.links).toEqual([`${server.ctx.config.publicUrl}/login`, `${server.ctx.config.publicUrl}/forgot-password`]);
    expect(await countRows('dossiers')).toBe(dossiersBefore);
    const events = await server.ctx.db.selectFrom('security_events').select('kind').where('user_id', '=', owner.id).orderBy('occurred_at').execute();
    expect(events.map((e) => e.kind)).toEqual(['signup', 'signup_attempted']);
  });

  it('hashes the password before answering, for a new address and a taken one alike', async () => {
    const fresh = uniqueEmail('hashed');
    await new ApiClient(server.app).post('/api/auth/signup', { name: 'Jean Morel', email: fresh, password: STRONG_PASSWORD, dossierName: 'Morel' });
    await server.ctx.tasks.idle();
    const pending = await server.ctx.db.selectFrom('signup_requests').selectAll().where('email', '=', fresh).executeTakeFirstOrThrow();
    expect(pending.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(pending).toMatchObject({ name: 'Jean Morel', dossier_name: 'Morel', used_at: null, replaced_at: null });
    // Only the token's hash is kept.
    const token = new URL((await outboxLink(server.app, fresh, '/signup/confirm'))!).searchParams.get('token')!;
    expect(pending.token_hash.equals(createHash('sha256').update(token).digest())).toBe(true);
    expect(Number(pending.expires_at) - Number(pending.created_at)).toBeCloseTo(24 * 3600_000, -4);
  });

  it('creates the account from the link once: a used link is refused', async () => {
    const email = uniqueEmail('once');
    const browser = new ApiClient(server.app);
    expect((await browser.post('/api/auth/signup', { name: 'Noé Bernard', email, password: STRONG_PASSWORD, dossierName: 'Bernard & Fils' })).status).toBe(202);
    expect(await server.ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()).toBeUndefined();
    const token = new URL((await outboxLink(server.app, email, '/signup/confirm'))!).searchParams.get('token')!;
    const confirmed = await browser.post('/api/auth/signup/confirm', { token, password: STRONG_PASSWORD });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.user).toMatchObject({ name: 'Noé Bernard', email });
    expect((await browser.get('/api/me')).body.dossiers).toEqual([{ id: confirmed.body.dossierId, legalName: 'Bernard & Fils', profileName: 'Administrateur' }]);
    expect((await new ApiClient(server.app).post('/api/auth/login', { email, password: STRONG_PASSWORD })).status).toBe(200);

    const reused = await new ApiClient(server.app).post('/api/auth/signup/confirm', { token, password: STRONG_PASSWORD });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toEqual({ code: 'token_invalid', message: 'Ce lien est invalide, a expiré ou a déjà été utilisé.' });
  });

  it('asks again for the password chosen at sign-up: the link alone creates nothing, a wrong password spends nothing', async () => {
    // Someone signs up with another person's address and a password of their own; the owner of the
    // address, opening the link, cannot confirm an account whose password they do not know.
    const email = uniqueEmail('preclaimed');
    await new ApiClient(server.app).post('/api/auth/signup', { name: 'Paul Faux', email, password: STRONG_PASSWORD, dossierName: 'Faux' });
    const token = new URL((await outboxLink(server.app, email, '/signup/confirm'))!).searchParams.get('token')!;
    const users = await countRows('users');
    const dossiers = await countRows('dossiers');
    for (const body of [{ token }, { token, password: '' }, { token, password: 'autre-Mot-de-passe-2026' }]) {
      const res = await new ApiClient(server.app).post('/api/auth/signup/confirm', body);
      expect(res.status).toBe(400);
      expect(res.headers['set-cookie'] ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/^ardoise_session=[^;]/)]));
    }
    const wrong = await new ApiClient(server.app).post('/api/auth/signup/confirm', { token, password: 'autre-Mot-de-passe-2026' });
    expect(wrong.body.error).toEqual({ code: 'signup_password_mismatch', message: "Ce n'est pas le mot de passe choisi à l'inscription. Si vous n'avez pas demandé ce compte, ignorez ce lien." });
    expect(await countRows('users')).toBe(users);
    expect(await countRows('dossiers')).toBe(dossiers);
    expect((await server.ctx.db.selectFrom('signup_requests').select('used_at').where('email', '=', email).executeTakeFirstOrThrow()).used_at).toBeNull();
    // The link still works with the right password.
    expect((await new ApiClient(server.app).post('/api/auth/signup/confirm', { token, password: STRONG_PASSWORD })).status).toBe(201);
  });

  it('refuses an expired link and creates nothing', async () => {
    const email = uniqueEmail('late');
    await new ApiClient(server.app).post('/api/auth/signup', { name: 'Inès Roy', email, password: STRONG_PASSWORD, dossierName: 'Roy' });
    const token = new URL((await outboxLink(server.app, email, '/signup/confirm'))!).searchParams.get('token')!;
    await server.ctx.db.updateTable('signup_requests').set({ expires_at: new Date(Date.now() - 1000) }).where('email', '=', email).execute();
    const res = await new ApiClient(server.app).post('/api/auth/signup/confirm', { token, password: STRONG_PASSWORD });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('token_invalid');
    expect(await server.ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()).toBeUndefined();
  });

  it('keeps only the latest link of an address that signs up twice', async () => {
    const email = uniqueEmail('twice');
    const send = (dossierName: string) => new ApiClient(server.app).post('/api/auth/signup', { name: 'Zoé Martin', email, password: STRONG_PASSWORD, dossierName });
    await send('Premier essai');
    const first = new URL((await outboxLink(server.app, email, '/signup/confirm'))!).searchParams.get('token')!;
    await send('Second essai');
    const second = new URL((await outboxLink(server.app, email, '/signup/confirm'))!).searchParams.get('token')!;
    expect(second).not.toBe(first);
    expect((await new ApiClient(server.app).post('/api/auth/signup/confirm', { token: first, password: STRONG_PASSWORD })).body.error.code).toBe('token_invalid');
    const confirmed = await new ApiClient(server.app).post('/api/auth/signup/confirm', { token: second, password: STRONG_PASSWORD });
    expect(confirmed.status).toBe(201);
    expect((await server.ctx.db.selectFrom('dossiers').select('legal_name').where('id', '=', confirmed.body.dossierId).executeTakeFirstOrThrow()).legal_name).toBe('Second essai');
  });

  it('refuses the link, writing nothing, when the address got an account meanwhile', async () => {
    const { client: admin, dossierId } = await signUp(server.app);
    const email = uniqueEmail('meanwhile');
    await new ApiClient(server.app).post('/api/auth/signup', { name: 'Hugo Blanc', email, password: STRONG_PASSWORD, dossierName: 'Blanc Menuiserie' });
    const token = new URL((await outboxLink(server.app, email, '/signup/confirm'))!).searchParams.get('token')!;
    // Meanwhile, an invitation to the same address is accepted with a new account.
    expect((await admin.post(`/api/d/${dossierId}/members`, { email, profileId: 'adv' })).status).toBe(201);
    const invitation = new URL((await outboxLink(server.app, email, '/invitation/'))!).pathname.split('/').pop()!;
    expect((await new ApiClient(server.app).post(`/api/invitations/${invitation}/accept`, { name: 'Hugo Blanc', password: STRONG_PASSWORD })).status).toBe(200);

    const dossiersBefore = await countRows('dossiers');
    const res = await new ApiClient(server.app).post('/api/auth/signup/confirm', { token, password: STRONG_PASSWORD });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'email_taken', message: 'Un compte existe déjà avec cette adresse e-mail.' });
    expect(await countRows('dossiers')).toBe(dossiersBefore);
    expect((await server.ctx.db.selectFrom('signup_requests').select('used_at').where('email', '=', email).executeTakeFirstOrThrow()).used_at).toBeNull();
  });

  it('answers before looking the address up: with the users table locked, both answers come, then only the new address gets a link', async () => {
    const { email: taken } = await signUp(server.app);
    const fresh = uniqueEmail('locked');
    const before = await mailIds();
    const body = (email: string) => ({ name: 'Paul Girard', email, password: STRONG_PASSWORD, dossierName: 'Girard' });
    const { forTaken, forFresh } = await whileUsersLocked(async () => {
      const answers = {
        forTaken: await withinSeconds(new ApiClient(server.app).post('/api/auth/signup', body(taken)), 10),
        forFresh: await withinSeconds(new ApiClient(server.app).post('/api/auth/signup', body(fresh)), 10),
      };
      // The lookups are waiting for the lock: nothing was sent yet.
      expect(server.ctx.tasks.pending).toBe(2);
      expect([...(await mailsSince(fresh, before)), ...(await mailsSince(taken, before))]).toEqual([]);
      return answers;
    });
    expect(forTaken.status).toBe(202);
    expect(answerShape(forTaken)).toEqual(answerShape(forFresh));
    expect(await outboxLink(server.app, fresh, '/signup/confirm?token=')).not.toBeNull();
    const toTaken = await mailsSince(taken, before);
    expect(toTaken.map((m) => m.subject)).toEqual(["Quelqu'un a tenté de créer un compte Ardoise avec votre adresse"]);
    expect(toTaken[0]!.links.some((l) => l.includes('/signup/confirm'))).toBe(false);
  });
});

describe('login and logout', () => {
  it('logs in with the right password and out again; the old cookie then fails', async () => {
    const { email } = await signUp(server.app);
    const client = new ApiClient(server.app);
    const login = await client.post('/api/auth/login', { email, password: STRONG_PASSWORD });
    expect(login.status).toBe(200);
    const cookie = client.cookieHeader;
    expect((await client.get('/api/me')).status).toBe(200);
    expect((await client.post('/api/auth/logout')).status).toBe(204);
    const stale = await server.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(stale.statusCode).toBe(401);
  });

  it('answers a wrong e-mail and a wrong password identically', async () => {
    const { email } = await signUp(server.app);
    const wrongPassword = await new ApiClient(server.app, { ip: '10.1.0.1' }).post('/api/auth/login', { email, password: 'not-the-password' });
    const wrongEmail = await new ApiClient(server.app, { ip: '10.1.0.2' }).post('/api/auth/login', { email: uniqueEmail('nobody'), password: 'not-the-password' });
    expect(wrongPassword.status).toBe(401);
    expect(wrongEmail.status).toBe(401);
    expect(wrongPassword.body).toEqual(wrongEmail.body);
    expect(wrongPassword.body.error.message).toBe('E-mail ou mot de passe incorrect.');
  });

  it('rate-limits an account after repeated failures, even with the right password, from any IP', async () => {
    const { email, client } = await signUp(server.app);
    for (let i = 0; i < 3; i++) {
      expect((await new ApiClient(server.app, { ip: `10.2.0.${i}` }).post('/api/auth/login', { email, password: 'wrong-password-x' })).status).toBe(401);
    }
    const blocked = await new ApiClient(server.app, { ip: '10.2.1.1' }).post('/api/auth/login', { email, password: STRONG_PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.message).toBe('Trop de tentatives. Réessayez dans quelques minutes.');
    const events = await client.get('/api/me/security-events');
    expect(events.body.events.filter((e: { kind: string }) => e.kind === 'login_failed')).toHaveLength(3);
  });

  it('rate-limits an IP that tries many accounts', async () => {
    const ip = '10.3.0.1';
    for (let i = 0; i < 6; i++) {
      expect((await new ApiClient(server.app, { ip }).post('/api/auth/login', { email: uniqueEmail('guess'), password: 'wrong-password-x' })).status).toBe(401);
    }
    const { email } = await signUp(server.app);
    expect((await new ApiClient(server.app, { ip }).post('/api/auth/login', { email, password: STRONG_PASSWORD })).status).toBe(429);
    expect((await new ApiClient(server.app, { ip: '10.3.0.2' }).post('/api/auth/login', { email, password: STRONG_PASSWORD })).status).toBe(200);
  });
});

describe('sessions', () => {
  it('GET /api/session says who is logged in: the user and dossiers of /api/me, or 200 with no user for a visitor or after logout', async () => {
    const visitor = await new ApiClient(server.app).get('/api/session');
    expect(visitor.status).toBe(200);
    expect(visitor.body).toEqual({ user: null, dossiers: [] });
    const { client } = await signUp(server.app);
    const session = await client.get('/api/session');
    expect(session.status).toBe(200);
    expect(session.body).toEqual((await client.get('/api/me')).body);
    const cookie = client.cookieHeader;
    expect((await client.post('/api/auth/logout')).status).toBe(204);
    const stale = await server.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
    expect(stale.statusCode).toBe(200);
    expect(stale.json()).toEqual({ user: null, dossiers: [] });
    expect(stale.headers['cache-control']).toContain('no-store');
  });

  it('lists sessions and revokes the others ("se déconnecter des autres appareils")', async () => {
    const { email, client: first } = await signUp(server.app);
    const second = new ApiClient(server.app, { headers: { 'user-agent': 'Second device' } });
    await second.post('/api/auth/login', { email, password: STRONG_PASSWORD });
    const list = await first.get('/api/me/sessions');
    expect(list.body.sessions).toHaveLength(2);
    expect(list.body.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const revoked = await first.post('/api/me/sessions/revoke-others');
    expect(revoked.body).toEqual({ revoked: 1 });
    expect((await second.get('/api/me')).status).toBe(401);
    expect((await first.get('/api/me')).status).toBe(200);
  });

  it('stores only a hash of the session token', async () => {
    const { client } = await signUp(server.app);
    const token = client.cookieHeader.match(/ardoise_session=([^;]+)/)![1]!;
    const rows = await server.ctx.db.selectFrom('sessions').select('token_hash').execute();
    expect(rows.some((r) => r.token_hash.toString('utf8').includes(token) || r.token_hash.toString('hex') === token)).toBe(false);
  });

  it('refuses another user revoking my session', async () => {
    const a = await signUp(server.app);
    const b = await signUp(server.app);
    const aSession = (await a.client.get('/api/me/sessions')).body.sessions[0].id;
    expect((await b.client.delete(`/api/me/sessions/${aSession}`)).status).toBe(404);
    expect((await a.client.get('/api/me')).status).toBe(200);
  });
});

describe('passwords', () => {
  it('changes the password: the current one is checked and other sessions end', async () => {
    const { email, client } = await signUp(server.app);
    const other = new ApiClient(server.app);
    await other.post('/api/auth/login', { email, password: STRONG_PASSWORD });
    const wrong = await client.post('/api/me/password', { currentPassword: 'nope-nope-nope', newPassword: 'another-Strong-pass-9' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('wrong_password');
    expect((await client.post('/api/me/password', { currentPassword: STRONG_PASSWORD, newPassword: 'another-Strong-pass-9' })).status).toBe(204);
    expect((await other.get('/api/me')).status).toBe(401);
    expect((await client.get('/api/me')).status).toBe(200);
    expect((await new ApiClient(server.app).post('/api/auth/login', { email, password: 'another-Strong-pass-9' })).status).toBe(200);
  });

  it('resets a password through a single-use e-mailed link', async () => {
    const { email, client } = await signUp(server.app);
    const anon = new ApiClient(server.app);
    expect((await anon.post('/api/auth/password-reset', { email })).status).toBe(202);
    const link = await lastOutboxLink(email);
    const token = new URL(link).searchParams.get('token')!;
    expect(link).toContain('/reset-password?token=');
    expect((await anon.post('/api/auth/password-reset/confirm', { token, password: 'brand-New-secret-42' })).status).toBe(204);
    // Single use, and every session of the account ended.
    const reused = await anon.post('/api/auth/password-reset/confirm', { token, password: 'yet-Another-secret-42' });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('token_invalid');
    expect((await client.get('/api/me')).status).toBe(401);
    expect((await anon.post('/api/auth/login', { email, password: 'brand-New-secret-42' })).status).toBe(200);
  });

  it('refuses an expired reset link', async () => {
    const { email } = await signUp(server.app);
    const anon = new ApiClient(server.app);
    await anon.post('/api/auth/password-reset', { email });
    const token = new URL(await lastOutboxLink(email)).searchParams.get('token')!;
    await server.ctx.db.updateTable('password_resets').set({ expires_at: new Date(Date.now() - 1000) }).execute();
    const res = await anon.post('/api/auth/password-reset/confirm', { token, password: 'brand-New-secret-42' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('token_invalid');
  });

  it('answers an unknown address exactly as a known one, and sends it nothing', async () => {
    const { email: known } = await signUp(server.app);
    const unknown = uniqueEmail('ghost');
    const forKnown = await new ApiClient(server.app).post('/api/auth/password-reset', { email: known });
    const forUnknown = await new ApiClient(server.app).post('/api/auth/password-reset', { email: unknown });
    expect(forKnown.status).toBe(202);
    expect(answerShape(forKnown)).toEqual(answerShape(forUnknown));
    expect(await outboxLink(server.app, known, '/reset-password?token=')).not.toBeNull();
    expect((await server.ctx.mailer.listOutbox()).some((m) => m.to === unknown)).toBe(false);
  });

  it('answers before looking the address up: with the users table locked, both answers come, then only the known address gets a link', async () => {
    const { email: known } = await signUp(server.app);
    const unknown = uniqueEmail('ghost');
    const { forKnown, forUnknown } = await whileUsersLocked(async () => {
      const answers = {
        forKnown: await withinSeconds(new ApiClient(server.app).post('/api/auth/password-reset', { email: known }), 10),
        forUnknown: await withinSeconds(new ApiClient(server.app).post('/api/auth/password-reset', { email: unknown }), 10),
      };
      expect(server.ctx.tasks.pending).toBe(2);
      expect(await server.ctx.mailer.listOutbox().then((all) => all.filter((m) => m.to === known && m.links.some((l) => l.includes('/reset-password'))))).toEqual([]);
      return answers;
    });
    expect(forKnown.status).toBe(202);
    expect(answerShape(forKnown)).toEqual(answerShape(forUnknown));
    expect(await outboxLink(server.app, known, '/reset-password?token=')).not.toBeNull();
    expect((await server.ctx.mailer.listOutbox()).some((m) => m.to === unknown)).toBe(false);
  });

  it('a stopping server sends the reset e-mails of the requests it has answered', async () => {
    const other = await startTestServer();
    const lock = new pg.Client({ connectionString: other.db.url });
    try {
      const { email } = await signUp(other.app);
      await lock.connect();
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      expect((await withinSeconds(new ApiClient(other.app).post('/api/auth/password-reset', { email }), 10)).status).toBe(202);
      let stopped = false;
      const stopping = other.stop().then(() => (stopped = true));
      // The task waits for the lock, and the stop waits for the task.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(stopped).toBe(false);
      expect(other.ctx.tasks.pending).toBe(1);
      await lock.query('COMMIT');
      await stopping;
      const sent = await other.ctx.mailer.listOutbox();
      expect(sent.filter((m) => m.to === email && m.links.some((l) => l.includes('/reset-password?token=')))).toHaveLength(1);
    } finally {
      await lock.end().catch(() => undefined);
      await other.close();
    }
  });

  it('writes the reset e-mail as an .eml file in the outbox', async () => {
    const { email } = await signUp(server.app);
    await new ApiClient(server.app).post('/api/auth/password-reset', { email });
    await server.ctx.tasks.idle();
    const entry = (await server.ctx.mailer.listOutbox()).find((m) => m.to === email && m.subject.includes('mot de passe'))!;
    const eml = await fs.readFile(`${server.outboxDir}/${entry.id}.eml`, 'utf8');
    expect(eml).toMatch(/^Subject: /m);
    expect(eml).toContain(`To: ${email}`);
  });
});
