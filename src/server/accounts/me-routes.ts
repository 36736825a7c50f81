import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { currentUser, resolveProfile, sessionUser } from '../platform/auth';
import type { SessionUser } from '../platform/sessions';
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import { recordSecurityEvent } from '../platform/security-log';
import { changePassword, recordRenaming } from './service';
import { changePasswordBody, sessionParams, updateMeBody } from './schema';

/** The logged-in user: profile, dossiers, password, sessions and security log. */
export const meRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = { auth: 'user' as const };

  async function meAnswer(user: SessionUser) {
    const dossiers = await ctx.tx({ userId: user.id }, (t) =>
      t
        .selectFrom('memberships as m')
        .innerJoin('dossiers as d', 'd.id', 'm.dossier_id')
        .leftJoin('profiles as p', (j) => j.onRef('p.dossier_id', '=', 'm.dossier_id').onRef('p.id', '=', 'm.profile_id'))
        .select(['d.id', 'd.legal_name', 'm.profile_key', 'm.profile_id', 'p.name as custom_name', 'p.permissions as custom_permissions'])
        .where('m.user_id', '=', user.id)
        .orderBy('d.legal_name')
        .execute(),
    );
    return {
      user: { id: user.id, name: user.name, email: user.email, locale: user.locale },
      dossiers: dossiers.map((d) => ({ id: d.id, legalName: d.legal_name, profileName: resolveProfile(d, user.locale).profileName })),
    };
  }

  r.get('/me', { config: auth }, async (request) => meAnswer(currentUser(request)));

  // Who is logged in, if anyone: a visitor is an answer (`user: null`), not an error, so that the
  // web app learns it without a 401 in the browser's console.
  r.get('/session', { config: { auth: 'public' } }, async (request) => {
    const user = await sessionUser(ctx, request);
    return user ? meAnswer(user) : { user: null, dossiers: [] };
  });

  r.patch('/me', { config: auth, schema: { body: updateMeBody } }, async (request) => {
    const user = currentUser(request);
    const { name, locale } = request.body;
    const updated = await ctx.tx({ userId: user.id }, async (t) => {
      // An empty change is an answer, not an UPDATE without columns.
      if (name === undefined && locale === undefined) {
        return t.selectFrom('users').select(['id', 'name', 'email', 'locale']).where('id', '=', user.id).executeTakeFirstOrThrow();
      }
      const row = await t
        .updateTable('users')
        .set({ ...(name !== undefined ? { name } : {}), ...(locale !== undefined ? { locale } : {}) })
        .where('id', '=', user.id)
        .returning(['id', 'name', 'email', 'locale'])
        .executeTakeFirstOrThrow();
      if (row.name !== user.name) await recordRenaming(t, { id: user.id, before: user.name, after: row.name }, request.meta);
      return row;
    });
    return { user: updated };
  });

  r.post('/me/password', { config: auth, schema: { body: changePasswordBody } }, async (request, reply) => {
    await changePassword(ctx, currentUser(request), request.body, request.meta);
    return reply.status(204).send();
  });

  r.get('/me/sessions', { config: auth }, async (request) => {
    const user = currentUser(request);
    const rows = await ctx.tx({ userId: user.id }, (t) =>
      t
        .selectFrom('sessions')
        .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent'])
        .where('user_id', '=', user.id)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .orderBy('last_seen_at', 'desc')
        .execute(),
    );
    return {
      sessions: rows.map((s) => ({
        id: s.id,
        createdAt: s.created_at,
        lastSeenAt: s.last_seen_at,
        expiresAt: s.expires_at,
        ip: s.ip,
        userAgent: s.user_agent,
        current: s.id === user.sessionId,
      })),
    };
  });

  r.delete('/me/sessions/:sessionId', { config: auth, schema: { params: sessionParams } }, async (request, reply) => {
    const user = currentUser(request);
    await ctx.tx({ userId: user.id }, async (t) => {
      const revoked = await t
        .updateTable('sessions')
        .set({ revoked_at: sql<Date>`now()` })
        .where('id', '=', request.params.sessionId)
        .where('user_id', '=', user.id)
        .where('revoked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!revoked) throw notFound();
      await recordSecurityEvent(t, user.id, 'session_revoked', request.meta);
    });
    return reply.status(204).send();
  });

  r.post('/me/sessions/revoke-others', { config: auth }, async (request) => {
    const user = currentUser(request);
    const revoked = await ctx.tx({ userId: user.id }, async (t) => {
      const rows = await t
        .updateTable('sessions')
        .set({ revoked_at: sql<Date>`now()` })
        .where('user_id', '=', user.id)
        .where('id', '!=', user.sessionId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute();
      if (rows.length > 0) await recordSecurityEvent(t, user.id, 'session_revoked', request.meta);
      return rows.length;
    });
    return { revoked };
  });

  r.get('/me/security-events', { config: auth }, async (request) => {
    const user = currentUser(request);
    const events = await ctx.tx({ userId: user.id }, (t) =>
      t
        .selectFrom('security_events')
        .select(['id', 'occurred_at', 'kind', 'ip', 'user_agent'])
        .where('user_id', '=', user.id)
        .orderBy('occurred_at', 'desc')
        .limit(200)
        .execute(),
    );
    return { events: events.map((e) => ({ id: e.id, occurredAt: e.occurred_at, kind: e.kind, ip: e.ip, userAgent: e.user_agent })) };
  });
};
