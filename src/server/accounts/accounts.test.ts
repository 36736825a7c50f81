import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { ApiClient, signUp, STRONG_PASSWORD, uniqueEmail } from '../../../test/helpers/client';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_IP: '6' });
});
afterAll(() => server.close());

async function lastOutboxLink(to: string): Promise<string> {
  const messages = await server.ctx.mailer.listOutbox();
  const message = messages.find((m) => m.to === to);
  if (!message) throw new Error(`no e-mail to ${to}`);
  return message.links[0]!;
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

  it('refuses an e-mail already used, with 409 and nothing created', async () => {
    const { email } = await signUp(server.app);
    const before = await server.ctx.db.selectFrom('dossiers').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const res = await new ApiClient(server.app).post('/api/auth/signup', { name: 'Autre', email: email.toUpperCase(), password: STRONG_PASSWORD, dossierName: 'Double' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('email_taken');
    const after = await server.ctx.db.selectFrom('dossiers').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
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

  it('answers 202 for an unknown address and sends nothing', async () => {
    const email = uniqueEmail('ghost');
    expect((await new ApiClient(server.app).post('/api/auth/password-reset', { email })).status).toBe(202);
    expect((await server.ctx.mailer.listOutbox()).some((m) => m.to === email)).toBe(false);
  });

  it('writes the reset e-mail as an .eml file in the outbox', async () => {
    const { email } = await signUp(server.app);
    await new ApiClient(server.app).post('/api/auth/password-reset', { email });
    const entry = (await server.ctx.mailer.listOutbox()).find((m) => m.to === email)!;
    const eml = await fs.readFile(`${server.outboxDir}/${entry.id}.eml`, 'utf8');
    expect(eml).toMatch(/^Subject: /m);
    expect(eml).toContain(`To: ${email}`);
  });
});
