import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp, uniqueEmail } from '../../../test/helpers/client';
import { createReadCache, readCacheKey } from './read-cache';
import { hashToken } from './tokens';

describe('the read cache', () => {
  const key = (url: string) => readCacheKey({ dossierId: 'd1', profileId: 'admin', locales: 'fr/fr', url });

  it('serves an answer only for the revision it was read at', () => {
    const cache = createReadCache(1024 * 1024);
    cache.put(key('/members'), '7', '{"a":1}', null);
    expect(cache.get(key('/members'), '7')?.body).toBe('{"a":1}');
    expect(cache.get(key('/members'), '8')).toBeUndefined();
    // A miss on a newer revision drops the old answer for good.
    expect(cache.get(key('/members'), '7')).toBeUndefined();
  });

  it('stops serving an answer at its expiry', () => {
    const cache = createReadCache(1024 * 1024);
    cache.put(key('/past'), '1', '[]', Date.now() - 1);
    cache.put(key('/future'), '1', '[]', Date.now() + 60_000);
    expect(cache.get(key('/past'), '1')).toBeUndefined();
    expect(cache.get(key('/future'), '1')).toBeDefined();
  });

  it('gives equal bodies equal ETags and different bodies different ones', () => {
    const cache = createReadCache(1024 * 1024);
    const a = cache.put(key('/a'), '1', '{"x":1}', null);
    const b = cache.put(key('/b'), '2', '{"x":1}', null);
    const c = cache.put(key('/c'), '1', '{"x":2}', null);
    expect(a.etag).toMatch(/^W\/"[\w-]{27}"$/);
    expect(b.etag).toBe(a.etag);
    expect(c.etag).not.toBe(a.etag);
  });

  it('evicts the least recently used answers beyond its size, and keeps nothing when sized 0', () => {
    const body = 'x'.repeat(100);
    const cache = createReadCache(3 * (body.length + key('/0').length));
    for (const n of [0, 1, 2]) cache.put(key(`/${n}`), '1', body, null);
    expect(cache.get(key('/0'), '1')).toBeDefined(); // /0 is now the most recently used
    cache.put(key('/3'), '1', body, null);
    expect(cache.size).toBe(3);
    expect(cache.get(key('/1'), '1')).toBeUndefined();
    expect(cache.get(key('/0'), '1')).toBeDefined();

    const off = createReadCache(0);
    expect(off.put(key('/a'), '1', body, null).body).toBe(body);
    expect(off.size).toBe(0);
  });
});

describe('cached dossier reads', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('shows a change at once, answers 304 to an unchanged ETag, and refuses a removed member at once', async () => {
    const { client: admin, dossierId } = await signUp(server.app, { name: 'Camille Durand' });
    const hugo = await signUp(server.app, { name: 'Hugo Martin' });
    const first = await admin.get(`/api/d/${dossierId}/members`);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    const etag = String(first.headers.etag);
    expect((await admin.get(`/api/d/${dossierId}/members`)).body).toEqual(first.body);

    const unchanged = await admin.get(`/api/d/${dossierId}/members`, { headers: { 'if-none-match': etag } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.raw.body).toBe('');

    expect((await admin.post(`/api/d/${dossierId}/members`, { email: hugo.email, profileId: 'admin' })).status).toBe(201);
    const after = await admin.get(`/api/d/${dossierId}/members`, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
    expect(after.body.members.map((m: { name: string }) => m.name)).toEqual(['Camille Durand', 'Hugo Martin']);

    // Hugo reads (and so fills his own cached answer), then is removed: his next read is refused.
    expect((await hugo.client.get(`/api/d/${dossierId}/members`)).status).toBe(200);
    expect((await admin.delete(`/api/d/${dossierId}/members/${hugo.user.id}`)).status).toBe(204);
    expect((await hugo.client.get(`/api/d/${dossierId}/members`)).status).toBe(404);
    expect((await hugo.client.get(`/api/d/${dossierId}`)).status).toBe(404);
  });

  it('answers in each profile and language of its own', async () => {
    const { client: admin, dossierId } = await signUp(server.app);
    const fr = await admin.get(`/api/d/${dossierId}/profiles`);
    const en = await admin.get(`/api/d/${dossierId}/profiles`, { headers: { 'accept-language': 'en' } });
    expect(fr.body.profiles[0].name).toBe('Administrateur');
    expect(en.body.profiles[0].name).toBe('Administrator');
    expect((await admin.get(`/api/d/${dossierId}/profiles`)).body.profiles[0].name).toBe('Administrateur');
  });

  it('drops an invitation from the list when it expires, with no change to the dossier', async () => {
    const { client: admin, dossierId } = await signUp(server.app);
    const email = uniqueEmail('invitee');
    expect((await admin.post(`/api/d/${dossierId}/members`, { email, profileId: 'commercial' })).status).toBe(201);
    // Shorten its life behind the application's back: the revision does not move.
    await sql`UPDATE invitations SET expires_at = now() + interval '1 second' WHERE dossier_id = ${dossierId}`.execute(server.ctx.db);
    expect((await admin.get(`/api/d/${dossierId}/members`)).body.invitations.map((i: { email: string }) => i.email)).toEqual([email]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await admin.get(`/api/d/${dossierId}/members`)).body.invitations).toEqual([]);
  });

  it("shows a member's new name in their dossiers' member lists, and records it in each trail", async () => {
    const camille = await signUp(server.app, { name: 'Camille Durand' });
    const second = await camille.client.post('/api/dossiers', { legalName: 'Durand Conseil' });
    expect(second.status).toBe(201);
    const dossiers = [camille.dossierId, second.body.dossier.id as string];
    for (const id of dossiers) expect((await camille.client.get(`/api/d/${id}/members`)).body.members[0].name).toBe('Camille Durand');

    expect((await camille.client.patch('/api/me', { name: 'Camille Roux' })).status).toBe(200);
    for (const id of dossiers) {
      expect((await camille.client.get(`/api/d/${id}/members`)).body.members[0].name).toBe('Camille Roux');
      const events = await server.ctx.db.selectFrom('audit_events').selectAll().where('dossier_id', '=', id).where('action', '=', 'member.renamed').execute();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ actor_name: 'Camille Roux', entity_label: 'Camille Roux', summary: "Camille Durand s'appelle désormais Camille Roux" });
      expect(events[0]!.changes).toEqual({ name: { before: 'Camille Durand', after: 'Camille Roux' } });
    }
    // A change of language alone is not a dossier event.
    expect((await camille.client.patch('/api/me', { locale: 'en' })).status).toBe(200);
    const count = await server.ctx.db.selectFrom('audit_events').select('seq').where('dossier_id', '=', camille.dossierId).where('action', '=', 'member.renamed').execute();
    expect(count).toHaveLength(1);
    const verdict = await camille.client.get(`/api/d/${camille.dossierId}/audit/verify`);
    expect(verdict.body).toMatchObject({ ok: true });
  });

  const sessionOf = (client: { cookieHeader: string }) => /ardoise_session=([^;]+)/.exec(client.cookieHeader)![1]!;

  it("records the session's activity on cached reads, at most every five minutes", async () => {
    const { client, dossierId } = await signUp(server.app);
    const token = sessionOf(client);
    const lastSeen = () => server.ctx.db.selectFrom('sessions').select('last_seen_at').where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
    await sql`UPDATE sessions SET last_seen_at = now() - interval '10 minutes' WHERE token_hash = ${hashToken(token)}`.execute(server.ctx.db);
    const stale = (await lastSeen()).last_seen_at.getTime();
    expect((await client.get(`/api/d/${dossierId}/members`)).status).toBe(200);
    const touched = (await lastSeen()).last_seen_at.getTime();
    expect(touched - stale).toBeGreaterThan(9 * 60_000);
    expect((await client.get(`/api/d/${dossierId}/members`)).status).toBe(200);
    expect((await lastSeen()).last_seen_at.getTime()).toBe(touched);
  });
});
